//! [`ShippingStore`](crate::ports::ShippingStore) cases, and orders that
//! carry their shipping.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::{CarbonKg, PageRequest, ShippingName, UserId};
use crate::idempotency::{IdempotentOutcome, Replay};
use crate::orders::{OrderShipping, OrderStatus};
use crate::ports::{StatusChange, StoreError, UniqueField};
use crate::sustainability::shipping::{
    DistanceKm, EmissionFactor, NewShippingMethod, ShippingMethod, ShippingMethodChanges,
    TransportMode,
};

/// A method of `code` made at `at(1)`.
pub fn method(code: &str, mode: TransportMode, factor: &str, active: bool) -> ShippingMethod {
    NewShippingMethod {
        code: slug_of(code),
        name: ShippingName::parse(&format!("Ship by {code}")).expect("name"),
        mode,
        distance_km: DistanceKm::new(850).expect("distance"),
        emission_factor: EmissionFactor::parse(factor).expect("factor"),
        price: price("6.90"),
        active,
    }
    .made_at(at(1))
}

fn page(n: u32, size: u32) -> PageRequest {
    PageRequest::new(n, size).expect("page")
}

fn codes(methods: &[ShippingMethod]) -> Vec<&str> {
    methods.iter().map(|m| m.code.as_str()).collect()
}

/// Methods read back exactly, by code; a code is taken once; customers'
/// lists hold only the active ones, counted across pages.
pub async fn shipping_methods_read_back_and_codes_are_unique(store: Arc<dyn Store>) {
    let rail = method("rail-eu", TransportMode::Rail, "17.125", true);
    let air = method("air", TransportMode::Air, "602", true);
    let old = method("barge", TransportMode::InlandWater, "31", false);
    for m in [&rail, &air, &old] {
        store.insert_shipping_method(m).await.expect("insert");
    }
    assert_eq!(
        store.get_shipping_method(&rail.code).await.expect("get"),
        Some(rail.clone())
    );
    assert_eq!(
        store
            .get_shipping_method(&slug_of("nowhere"))
            .await
            .expect("get"),
        None
    );
    let mut again = method("rail-eu", TransportMode::Road, "62", false);
    again.name = ShippingName::parse("Another").expect("name");
    assert!(matches!(
        store.insert_shipping_method(&again).await,
        Err(StoreError::Duplicate(UniqueField::ShippingMethodCode))
    ));
    assert_eq!(
        store.get_shipping_method(&rail.code).await.expect("get"),
        Some(rail.clone()),
        "the refused insert changed nothing"
    );

    let all = store
        .list_shipping_methods(false, page(1, 20))
        .await
        .expect("list");
    assert_eq!(
        (all.count, codes(&all.items)),
        (3, vec!["air", "barge", "rail-eu"])
    );
    let active = store
        .list_shipping_methods(true, page(1, 1))
        .await
        .expect("list");
    assert_eq!((active.count, codes(&active.items)), (2, vec!["air"]));
    let second = store
        .list_shipping_methods(true, page(2, 1))
        .await
        .expect("list");
    assert_eq!(second.items, vec![rail]);
}

/// A change sets the fields it gives and no other; concurrent changes of
/// different fields all land; an unknown code changes nothing.
pub async fn a_shipping_change_sets_only_its_fields(store: Arc<dyn Store>) {
    let rail = method("rail-eu", TransportMode::Rail, "17", true);
    store.insert_shipping_method(&rail).await.expect("insert");
    let retire = ShippingMethodChanges {
        active: Some(false),
        emission_factor: Some(EmissionFactor::parse("18.5").expect("factor")),
        ..Default::default()
    };
    let changed = store
        .update_shipping_method(&rail.code, &retire, at(2))
        .await
        .expect("update")
        .expect("found");
    assert_eq!(
        changed,
        ShippingMethod {
            active: false,
            emission_factor: EmissionFactor::parse("18.5").expect("factor"),
            updated_at: at(2),
            ..rail.clone()
        }
    );
    assert_eq!(
        store.get_shipping_method(&rail.code).await.expect("get"),
        Some(changed)
    );

    let renames: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let code = rail.code.clone();
            tokio::spawn(async move {
                let change = if i % 2 == 0 {
                    ShippingMethodChanges {
                        name: Some(ShippingName::parse("Night train").expect("name")),
                        ..Default::default()
                    }
                } else {
                    ShippingMethodChanges {
                        price: Some(price("5.50")),
                        mode: Some(TransportMode::Road),
                        ..Default::default()
                    }
                };
                store.update_shipping_method(&code, &change, at(3)).await
            })
        })
        .collect();
    for r in renames {
        r.await.expect("join").expect("update").expect("found");
    }
    let after = store
        .get_shipping_method(&rail.code)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(after.name.as_str(), "Night train");
    assert_eq!(
        (after.price, after.mode),
        (price("5.50"), TransportMode::Road)
    );
    assert!(!after.active, "fields no change named stay");

    let nowhere = store
        .update_shipping_method(&slug_of("nowhere"), &retire, at(4))
        .await
        .expect("update");
    assert_eq!(nowhere, None);
}

fn shipped(code: &str, price_text: &str, kg: Option<&str>) -> OrderShipping {
    OrderShipping {
        code: slug_of(code),
        name: ShippingName::parse("Rail, EU").expect("name"),
        price: price(price_text),
        carbon_footprint_kg: kg.map(|k| CarbonKg::new(k.parse().expect("kg")).expect("kg")),
    }
}

/// An order reads back with its shipping exactly as placed (price, name
/// and emissions of the time), in its total; replayed from its key alike.
pub async fn an_order_keeps_its_shipping_as_it_was(store: Arc<dyn Store>) {
    let bottle = with_metrics(product("Bottle", "19.99", 10), 1.2, 95);
    insert_all(&store, &[&bottle]).await;
    let me = UserId::new();
    let mut order = order(me, &[(&bottle, 2)], at(1));
    order.shipping = Some(shipped("rail-eu", "6.90", Some("0.0289")));
    let mut p = placement(order.clone());
    let stamp = stamp(&order, "ship-1", at(1));
    p.idempotency = Some(stamp.clone());
    let placed = place_ok(&store, p).await;
    assert_eq!(placed, order);
    let read = store
        .get_order(order.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(read.shipping, order.shipping);
    assert_eq!(read.total().to_string(), "46.88");
    assert_eq!(
        read.carbon_footprint_kg().map(|kg| kg.to_string()),
        Some("2.4289".into())
    );
    let listed = store
        .list_orders(Some(me), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(listed.items, vec![read.clone()]);
    let record = store
        .find_idempotency(me, &stamp.key, at(2))
        .await
        .expect("find")
        .expect("recorded");
    assert!(matches!(
        record.replay_for(&stamp.fingerprint),
        Replay::Same(IdempotentOutcome::Placed(o)) if *o == read
    ));

    // Without shipping, and with shipping whose emissions are unknown.
    let plain = place_ok(
        &store,
        placement(super::fixtures::order(me, &[(&bottle, 1)], at(2))),
    )
    .await;
    let mut unknown = super::fixtures::order(me, &[(&bottle, 1)], at(3));
    unknown.shipping = Some(shipped("cargo-bike", "0.00", None));
    place_ok(&store, placement(unknown.clone())).await;
    let read_plain = store
        .get_order(plain.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(read_plain.shipping, None);
    let read_unknown = store
        .get_order(unknown.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(read_unknown.shipping, unknown.shipping);
    assert!(!read_unknown.footprint_complete());
}

/// The summary adds the known shipping emissions of the orders that are
/// not cancelled to their products'.
pub async fn the_summary_counts_shipping_emissions(store: Arc<dyn Store>) {
    let green = with_metrics(product("Green", "1.00", 100), 1.5, 90);
    insert_all(&store, &[&green]).await;
    let me = UserId::new();
    let mut first = order(me, &[(&green, 2)], at(1));
    first.shipping = Some(shipped("rail-eu", "6.90", Some("0.0289")));
    let mut second = order(me, &[(&green, 1)], at(2));
    second.shipping = Some(shipped("cargo-bike", "2.00", None));
    let mut dropped = order(me, &[(&green, 1)], at(3));
    dropped.shipping = Some(shipped("air", "19.00", Some("1000")));
    for o in [&first, &second, &dropped] {
        place_ok(&store, placement(o.clone())).await;
    }
    store
        .change_status(StatusChange {
            order_id: dropped.id,
            from: OrderStatus::Pending,
            to: OrderStatus::Cancelled,
            restock: true,
            enqueue: vec![],
            at: at(4),
        })
        .await
        .expect("cancel");
    let s = store.sustainability_summary(me).await.expect("summary");
    assert_eq!((s.orders_count, s.items_count), (2, 3));
    // 3 units × 1.5 kg, and 0.0289 kg of shipping; the unknown one adds nothing.
    assert_eq!(s.total_carbon_footprint_kg.to_string(), "4.5289");
}
