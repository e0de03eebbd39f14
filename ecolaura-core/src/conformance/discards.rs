//! [`DiscardStore`](crate::ports::DiscardStore) cases, and
//! [`CatalogStore`](crate::ports::CatalogStore)'s category reads and
//! changes that the destruction ban needs.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::{Description, DiscardId, Disclosure, PageRequest, UserId, WeightKg};
use crate::orders::OrderRejection;
use crate::ports::{PlacementOutcome, StoreError};
use crate::sustainability::discards::{
    Derogation, DiscardDestination, DiscardEntry, DiscardReason, DiscardReport, PreventionMeasures,
    ReportYear,
};

/// An entry discarding `quantity` units of `product` at `when`, with the
/// product's category and weight as they are.
fn entry(product: &crate::catalog::Product, quantity: u32, when: i64) -> DiscardEntry {
    DiscardEntry {
        id: DiscardId::new(),
        product_id: product.id,
        category: product.category.clone(),
        quantity,
        unit_weight_kg: product.weight_kg,
        reason: DiscardReason::Unsold,
        destination: DiscardDestination::Donation,
        derogation: None,
        note: None,
        recorded_by: None,
        recorded_at: at(when),
    }
}

fn weight(kg: &str) -> Option<WeightKg> {
    Some(kg.parse().expect("weight"))
}

async fn entries(store: &Arc<dyn Store>, product: &crate::catalog::Product) -> Vec<DiscardEntry> {
    store
        .list_discards(product.id, PageRequest::default())
        .await
        .expect("list")
        .items
}

/// A category reads back with its ban, and a change of it lands.
pub async fn a_categorys_ban_reads_back_and_changes(store: Arc<dyn Store>) {
    let mut shoes = category("shoes");
    shoes.destruction_banned = true;
    store.insert_category(&shoes).await.expect("insert");
    let read = store.get_category(&shoes.slug).await.expect("get");
    assert_eq!(read, Some(shoes.clone()));
    let lifted = crate::catalog::Category {
        destruction_banned: false,
        description: Description::parse("Now with a description").expect("text"),
        ..shoes.clone()
    };
    store.update_category(&lifted).await.expect("update");
    assert_eq!(
        store.get_category(&shoes.slug).await.expect("get"),
        Some(lifted)
    );
    let listed = store
        .list_categories(PageRequest::default())
        .await
        .expect("list");
    assert!(!listed.items[0].destruction_banned);
    let missing = category("hats");
    assert!(matches!(
        store.update_category(&missing).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_category(&missing.slug).await.expect("get"), None);
}

/// A discard takes its units and reads back exactly, newest first.
pub async fn a_discard_takes_stock_and_reads_back(store: Arc<dyn Store>) {
    store
        .insert_category(&category("shoes"))
        .await
        .expect("category");
    let mut boots = product("Boots", "80.00", 20);
    boots.category = Some(slug_of("shoes"));
    boots.weight_kg = weight("1.250");
    insert_all(&store, &[&boots]).await;
    let first = entry(&boots, 12, 10);
    let left = store.record_discard(&first).await.expect("discard");
    assert_eq!(left.get(), 8);
    let second = DiscardEntry {
        reason: DiscardReason::Damaged,
        destination: DiscardDestination::Incineration,
        derogation: Some(Derogation::UnrepairableDamage),
        note: Some(Description::parse("Soaked; «mould» — 'unsafe'").expect("note")),
        recorded_by: Some(UserId::new()),
        ..entry(&boots, 8, 20)
    };
    assert_eq!(
        store.record_discard(&second).await.expect("discard").get(),
        0
    );
    assert_eq!(stock_of(&store, boots.id).await, 0);
    assert_eq!(
        entries(&store, &boots).await,
        [second.clone(), first.clone()]
    );
    let page = store
        .list_discards(boots.id, PageRequest::new(2, 1).expect("page"))
        .await
        .expect("list");
    assert_eq!((page.count, page.items), (2, vec![first]));
    let read = store
        .get_product(boots.id)
        .await
        .expect("get")
        .expect("live");
    assert!(read.version > boots.version, "a discard moves the version");
}

/// Short stock, a missing product and an archived one: nothing written.
pub async fn a_discard_that_cannot_be_served_writes_nothing(store: Arc<dyn Store>) {
    let bag = product("Bag", "1.00", 3);
    let gone = product("Gone", "1.00", 3);
    insert_all(&store, &[&bag, &gone]).await;
    store
        .archive_product(gone.id, at(1))
        .await
        .expect("archive");
    assert!(matches!(
        store.record_discard(&entry(&bag, 4, 2)).await,
        Err(StoreError::ShortStock)
    ));
    assert!(matches!(
        store.record_discard(&entry(&gone, 1, 2)).await,
        Err(StoreError::NotFound)
    ));
    let never = product("Never stored", "1.00", 3);
    assert!(matches!(
        store.record_discard(&entry(&never, 1, 2)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(stock_of(&store, bag.id).await, 3);
    assert!(entries(&store, &bag).await.is_empty());
    assert!(entries(&store, &gone).await.is_empty());
}

/// Discards and orders race for the last units: each unit goes once,
/// stock ends at zero and never below, and the ledger holds exactly the
/// discards that took units.
pub async fn concurrent_discards_and_orders_never_take_stock_below_zero(store: Arc<dyn Store>) {
    let p = product("Last units", "1.00", 30);
    insert_all(&store, &[&p]).await;
    let discards: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let e = entry(&p, 2, i);
            tokio::spawn(async move { store.record_discard(&e).await })
        })
        .collect();
    let orders: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            let o = order(UserId::new(), &[(&p, 1)], at(i));
            tokio::spawn(async move { store.place_order(placement(o)).await })
        })
        .collect();
    let mut discarded = 0;
    for t in discards {
        match t.await.expect("task") {
            Ok(_) => discarded += 2,
            Err(StoreError::ShortStock) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    let mut ordered = 0;
    for t in orders {
        match t.await.expect("task").expect("place") {
            PlacementOutcome::Placed { .. } => ordered += 1,
            PlacementOutcome::Rejected(OrderRejection::InsufficientStock { .. }) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(discarded + ordered, 30, "every unit went exactly once");
    assert_eq!(stock_of(&store, p.id).await, 0);
    let ledger: u32 = entries(&store, &p).await.iter().map(|e| e.quantity).sum();
    assert_eq!(ledger, discarded);
}

/// A year's groups sum its entries by kind and leave other years out; the
/// report folds them as the rule says.
pub async fn a_years_entries_are_summed_by_kind(store: Arc<dyn Store>) {
    store
        .insert_category(&category("shoes"))
        .await
        .expect("category");
    let mut boots = product("Boots", "80.00", 1000);
    boots.category = Some(slug_of("shoes"));
    boots.weight_kg = weight("1.250");
    let mut socks = product("Socks", "5.00", 1000);
    socks.category = Some(slug_of("shoes"));
    let loose = product("Loose", "1.00", 1000);
    insert_all(&store, &[&boots, &socks, &loose]).await;
    let year = ReportYear::new(2026).expect("year");
    let (start, end) = year.bounds();
    let seconds = |t: crate::domain::Timestamp| (t - t0()).num_seconds();
    let in_year = |e: DiscardEntry, offset: i64| DiscardEntry {
        recorded_at: at(seconds(start) + offset),
        ..e
    };
    let burnt = DiscardEntry {
        destination: DiscardDestination::EnergyRecovery,
        derogation: Some(Derogation::Dangerous),
        reason: DiscardReason::Safety,
        ..entry(&boots, 4, 0)
    };
    let writes = [
        in_year(entry(&boots, 10, 0), 0),
        in_year(entry(&boots, 5, 0), 3600),
        in_year(burnt, 7200),
        in_year(entry(&socks, 7, 0), 60),
        in_year(entry(&loose, 1, 0), seconds(end) - seconds(start) - 1),
        // The last instant of the year before, and the first of the next.
        DiscardEntry {
            recorded_at: start - chrono::Duration::microseconds(1),
            ..entry(&loose, 100, 0)
        },
        DiscardEntry {
            recorded_at: end,
            ..entry(&loose, 200, 0)
        },
    ];
    for e in &writes {
        store.record_discard(e).await.expect("discard");
    }
    let groups = store.discard_groups(start, end).await.expect("groups");
    let mut units: Vec<u64> = groups.iter().map(|g| g.units).collect();
    units.sort_unstable();
    assert_eq!(
        units,
        [1, 4, 7, 15],
        "the two donations of boots are one group"
    );
    let report = DiscardReport::fold(year, &groups, None);
    assert_eq!(report.totals.units, 27);
    assert_eq!(report.totals.weight_kg.to_string(), "23.750");
    assert_eq!(report.totals.units_unknown_weight, 8);
    let dangerous = report.by_derogation[0];
    assert_eq!((dangerous.0, dangerous.1.units), (Derogation::Dangerous, 4));
}

/// A year's statement reads back, and setting it again replaces it.
pub async fn prevention_measures_are_set_per_year(store: Arc<dyn Store>) {
    let year = ReportYear::new(2026).expect("year");
    assert_eq!(store.prevention_measures(year).await.expect("get"), None);
    let first = PreventionMeasures {
        year,
        text: Disclosure::parse("Outlet sales, then donation.\nNo landfill.").expect("text"),
        updated_at: at(1),
    };
    store.set_prevention_measures(&first).await.expect("set");
    assert_eq!(
        store.prevention_measures(year).await.expect("get"),
        Some(first.clone())
    );
    let second = PreventionMeasures {
        text: Disclosure::parse("Repair workshop from March.").expect("text"),
        updated_at: at(2),
        ..first
    };
    store.set_prevention_measures(&second).await.expect("set");
    assert_eq!(
        store.prevention_measures(year).await.expect("get"),
        Some(second)
    );
    let other = ReportYear::new(2027).expect("year");
    assert_eq!(store.prevention_measures(other).await.expect("get"), None);
}
