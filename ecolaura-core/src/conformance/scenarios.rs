//! Whole-library scenarios that every backend must pass through the
//! services (not only through the ports): the races a real shop sees.

use std::collections::HashSet;

use crate::Ecolaura;
use crate::auth::Actor;
use crate::catalog::{NewProduct, Product, ProductChanges};
use crate::domain::{Description, PageRequest, ProductName, Quantity, Score, Stock, UserId};
use crate::idempotency::IdempotencyKey;
use crate::orders::{
    InvalidOrder, OrderRejection, OrderRequest, OrderRequestError, OrderRequestLine,
    OrderSubmission,
};
use crate::services::OrderError;

async fn product(app: &Ecolaura, stock: u32) -> Product {
    let new = NewProduct {
        name: ProductName::parse("Last units").expect("name"),
        description: Description::default(),
        price: "4.20".parse().expect("price"),
        category: None,
        stock: Stock::new(i64::from(stock)).expect("stock"),
        metrics: None,
        manual_score: Score::new(50).expect("score"),
        sku: None,
        gtin: None,
        weight_kg: None,
    };
    app.catalog()
        .create_product(&Actor::System, new)
        .await
        .expect("create product")
}

fn request(p: &Product, q: i64) -> OrderRequest {
    let line = OrderRequestLine {
        product_id: p.id,
        quantity: Quantity::new(q).expect("quantity"),
    };
    OrderRequest::new(vec![line]).expect("request")
}

/// `buyers` customers race for the last `units` of a product, one unit each:
/// exactly `units` orders are placed, the rest refused for stock, stock ends at 0.
pub async fn buyers_race_for_the_last_units(app: &Ecolaura, buyers: usize, units: u32) {
    let p = product(app, units).await;
    let tasks: Vec<_> = (0..buyers)
        .map(|_| {
            let (app, p) = (app.clone(), p.clone());
            tokio::spawn(async move {
                app.orders()
                    .place(&Actor::customer(UserId::new()), &request(&p, 1), None)
                    .await
            })
        })
        .collect();
    let (mut sold, mut refused) = (0, 0);
    for t in tasks {
        match t.await.expect("buyer task") {
            Ok(_) => sold += 1,
            Err(OrderError::Rejected(OrderRejection::InsufficientStock { .. })) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((sold, refused), (units as usize, buyers - units as usize));
    assert_eq!(
        app.catalog()
            .product(p.id)
            .await
            .expect("product")
            .stock
            .get(),
        0
    );
    let staff = Actor::staff(UserId::new());
    let orders = app
        .orders()
        .list(&staff, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(orders.count, u64::from(units));
}

/// `requests` concurrent placements by one customer under one idempotency
/// key make one order; every request gets that order; stock is taken once;
/// the same key with another request is refused.
pub async fn concurrent_requests_under_one_key_make_one_order(app: &Ecolaura, requests: usize) {
    let p = product(app, 100).await;
    let buyer = Actor::customer(UserId::new());
    let key = IdempotencyKey::parse("checkout-7f3a").expect("key");
    let tasks: Vec<_> = (0..requests)
        .map(|_| {
            let (app, p, key) = (app.clone(), p.clone(), key.clone());
            tokio::spawn(
                async move { app.orders().place(&buyer, &request(&p, 2), Some(key)).await },
            )
        })
        .collect();
    let (mut ids, mut fresh) = (HashSet::new(), 0);
    for t in tasks {
        let placed = t.await.expect("request task").expect("placed or replayed");
        fresh += usize::from(!placed.replayed);
        ids.insert(placed.order.id);
    }
    assert_eq!((ids.len(), fresh), (1, 1), "one order, made once");
    assert_eq!(
        app.catalog()
            .product(p.id)
            .await
            .expect("product")
            .stock
            .get(),
        98,
        "stock taken once"
    );
    let other = app.orders().place(&buyer, &request(&p, 3), Some(key)).await;
    assert!(
        matches!(other, Err(OrderError::IdempotencyKeyReused)),
        "{other:?}"
    );
}

/// A customer's refused requests under idempotency keys, through the
/// services: a submission that breaks field rules gets its answer again, and
/// its key refuses another body, even a valid one; a request refused for
/// stock is refused again after the stock is back. Nothing is ever made.
pub async fn refusals_are_replayed_under_their_keys(app: &Ecolaura) {
    let p = product(app, 1).await;
    let buyer = Actor::customer(UserId::new());
    let orders = app.orders();

    let empty = serde_json::json!({ "lines": [] });
    let invalid = InvalidOrder::from(OrderRequestError::NoLines);
    let malformed = OrderSubmission::received(&empty, Err(invalid.clone()));
    let key = IdempotencyKey::parse("malformed-1").expect("key");
    for _ in 0..2 {
        let answer = orders.submit(&buyer, &malformed, Some(key.clone())).await;
        assert!(
            matches!(&answer, Err(OrderError::Invalid(i)) if *i == invalid),
            "{answer:?}"
        );
    }
    let valid_body = serde_json::json!({ "lines": [{ "product_id": p.id, "quantity": 1 }] });
    let valid = OrderSubmission::received(&valid_body, Ok(request(&p, 1)));
    let answer = orders.submit(&buyer, &valid, Some(key)).await;
    assert!(
        matches!(answer, Err(OrderError::IdempotencyKeyReused)),
        "{answer:?}"
    );

    let short = IdempotencyKey::parse("short-1").expect("key");
    let refused = OrderRejection::InsufficientStock {
        product_id: p.id,
        requested: 2,
        available: 1,
    };
    let answer = orders
        .place(&buyer, &request(&p, 2), Some(short.clone()))
        .await;
    assert!(
        matches!(&answer, Err(OrderError::Rejected(r)) if *r == refused),
        "{answer:?}"
    );
    let restock = ProductChanges {
        stock: Some(Stock::new(5).expect("stock")),
        ..ProductChanges::default()
    };
    app.catalog()
        .update_product(&Actor::System, p.id, &restock)
        .await
        .expect("restock");
    let answer = orders.place(&buyer, &request(&p, 2), Some(short)).await;
    assert!(
        matches!(&answer, Err(OrderError::Rejected(r)) if *r == refused),
        "the first answer, though the stock is back: {answer:?}"
    );

    let staff = Actor::staff(UserId::new());
    let made = orders
        .list(&staff, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(made.count, 0, "nothing was ordered");
    let left = app.catalog().product(p.id).await.expect("product").stock;
    assert_eq!(left.get(), 5);
}
