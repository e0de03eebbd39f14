//! [`OrderStore`](crate::ports::OrderStore) and
//! [`IdempotencyStore`](crate::ports::IdempotencyStore) cases.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::{Currency, OrderId, PageRequest, Stock, UserId};
use crate::idempotency::{IdempotentOutcome, Replay};
use crate::jobs::{JobKind, JobStatus, NewJob};
use crate::orders::{InvalidOrder, Order, OrderRejection, OrderStatus};
use crate::ports::{NewPlacement, PlacementOutcome, StatusChange, StoreError};

fn cancel(order_id: OrderId, when: i64) -> StatusChange {
    StatusChange {
        order_id,
        from: OrderStatus::Pending,
        to: OrderStatus::Cancelled,
        restock: true,
        enqueue: vec![],
        at: at(when),
    }
}

async fn order_count(store: &Arc<dyn Store>) -> u64 {
    store
        .list_orders(None, PageRequest::default())
        .await
        .expect("list")
        .count
}

/// Stock is taken, the order reads back exactly, its job is queued.
pub async fn placing_takes_stock_stores_the_order_and_enqueues_its_jobs(store: Arc<dyn Store>) {
    let bottle = with_metrics(product("Bottle", "19.99", 10), 1.2, 95);
    let bag = product("Bag", "0.50", 10);
    insert_all(&store, &[&bottle, &bag]).await;
    let order = order(UserId::new(), &[(&bottle, 3), (&bag, 1)], at(1));
    let job_id = {
        let p = placement(order.clone());
        let id = p.jobs[0].id;
        match store.place_order(p).await.expect("place") {
            PlacementOutcome::Placed {
                order: placed,
                stock_left,
            } => {
                assert_eq!(placed, order);
                let left = |n| Stock::new(n).expect("stock");
                assert_eq!(
                    stock_left,
                    [(bottle.id, left(7)), (bag.id, left(9))],
                    "each line's stock left, in line order"
                );
            }
            other => panic!("expected the order to be placed, got {other:?}"),
        }
        id
    };
    assert_eq!(stock_of(&store, bottle.id).await, 7);
    assert_eq!(stock_of(&store, bag.id).await, 9);
    let stored = store
        .get_order(order.id)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(stored, order);
    assert_eq!(stored.total().to_string(), "60.47");
    assert_eq!(
        stored.carbon_footprint_kg().map(|kg| kg.to_string()),
        Some("3.6".into())
    );
    assert!(!stored.footprint_complete());
    let job = store
        .get_job(job_id)
        .await
        .expect("get_job")
        .expect("job enqueued with the order");
    assert_eq!(
        (job.kind, job.status, job.attempts),
        (JobKind::ProcessOrder, JobStatus::Queued, 0)
    );
    assert_eq!(job.order_job().expect("payload").order_id, order.id);
    assert_eq!(store.job_counts().await.expect("counts").queued, 1);
}

/// An order reads back in the currency it was placed in, whichever that
/// is: by id, in lists, after a status change, and in the outcome stored
/// under its key.
pub async fn an_order_reads_back_in_the_currency_it_was_placed_in(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let user = UserId::new();
    let francs = Currency::parse("CHF").expect("currency");
    let swiss = Order {
        currency: francs,
        ..order(user, &[(&p, 1)], at(1))
    };
    let key = stamp(&swiss, "swiss", at(1));
    place_ok(
        &store,
        NewPlacement {
            idempotency: Some(key.clone()),
            ..placement(swiss.clone())
        },
    )
    .await;
    let euro = order(user, &[(&p, 1)], at(2));
    place_ok(&store, placement(euro.clone())).await;

    let read = store
        .get_order(swiss.id)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(read.currency, francs);
    let listed = store
        .list_orders(Some(user), PageRequest::default())
        .await
        .expect("list");
    let currencies: Vec<_> = listed.items.iter().map(|o| (o.id, o.currency)).collect();
    assert_eq!(currencies, [(euro.id, Currency::EUR), (swiss.id, francs)]);
    let cancelled = store
        .change_status(cancel(swiss.id, 3))
        .await
        .expect("cancel");
    assert_eq!(cancelled.currency, francs);
    let record = store
        .find_idempotency(user, &key.key, at(4))
        .await
        .expect("find")
        .expect("live");
    assert_eq!(record.outcome, IdempotentOutcome::Placed(Box::new(swiss)));
}

/// One short line refuses the whole order and takes nothing from any line.
pub async fn placing_for_more_than_the_stock_takes_nothing(store: Arc<dyn Store>) {
    let plenty = product("Plenty", "1.00", 5);
    let scarce = product("Scarce", "1.00", 1);
    insert_all(&store, &[&plenty, &scarce]).await;
    let o = order(UserId::new(), &[(&plenty, 2), (&scarce, 3)], at(1));
    let outcome = store
        .place_order(placement(o.clone()))
        .await
        .expect("place");
    assert_eq!(
        outcome,
        PlacementOutcome::Rejected(OrderRejection::InsufficientStock {
            product_id: scarce.id,
            requested: 3,
            available: 1
        })
    );
    assert_eq!(stock_of(&store, plenty.id).await, 5);
    assert_eq!(stock_of(&store, scarce.id).await, 1);
    assert_eq!(store.get_order(o.id).await.expect("get"), None);
    assert_eq!(store.job_counts().await.expect("counts").queued, 0);
}

/// An archived or unknown product refuses the order; nothing is taken.
pub async fn placing_an_archived_or_missing_product_takes_nothing(store: Arc<dyn Store>) {
    let live = product("Live", "1.00", 5);
    let archived = product("Archived", "1.00", 5);
    let never = product("Never stored", "1.00", 5);
    insert_all(&store, &[&live, &archived]).await;
    store
        .archive_product(archived.id, at(1))
        .await
        .expect("archive");
    for missing in [&archived, &never] {
        let o = order(UserId::new(), &[(&live, 1), (missing, 1)], at(2));
        let outcome = store.place_order(placement(o)).await.expect("place");
        assert_eq!(
            outcome,
            PlacementOutcome::Rejected(OrderRejection::ProductUnavailable {
                product_id: missing.id
            })
        );
    }
    assert_eq!(stock_of(&store, live.id).await, 5);
    assert_eq!(order_count(&store).await, 0);
}

/// Stock taken by an order moves the product's version, so an update made
/// from an earlier read cannot write the old stock back.
pub async fn taking_stock_makes_an_earlier_read_stale(store: Arc<dyn Store>) {
    let p = product("Hot item", "1.00", 10);
    insert_all(&store, &[&p]).await;
    let read = store.get_product(p.id).await.expect("get").expect("exists");
    place_ok(&store, placement(order(UserId::new(), &[(&p, 4)], at(1)))).await;
    assert!(matches!(
        store.update_product(&read).await,
        Err(StoreError::StaleWrite)
    ));
    assert_eq!(stock_of(&store, p.id).await, 6);
}

/// 200 tasks race for 10 units: exactly 10 orders, stock ends at 0.
pub async fn concurrent_placements_never_oversell(store: Arc<dyn Store>) {
    let p = product("Last units", "1.00", 10);
    insert_all(&store, &[&p]).await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            let o = order(UserId::new(), &[(&p, 1)], at(i));
            tokio::spawn(async move { store.place_order(placement(o)).await })
        })
        .collect();
    let mut placed = 0;
    for t in tasks {
        match t.await.expect("task").expect("place") {
            PlacementOutcome::Placed { .. } => placed += 1,
            PlacementOutcome::Rejected(OrderRejection::InsufficientStock { .. }) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(placed, 10);
    assert_eq!(stock_of(&store, p.id).await, 0);
    assert_eq!(order_count(&store).await, 10);
}

/// Orders naming the same products in opposite orders race without
/// deadlock and without taking one line's stock alone.
pub async fn concurrent_multi_line_placements_are_all_or_nothing(store: Arc<dyn Store>) {
    let a = product("A", "1.00", 5);
    let b = product("B", "1.00", 5);
    insert_all(&store, &[&a, &b]).await;
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let store = store.clone();
            let lines = if i % 2 == 0 {
                [(&a, 1), (&b, 1)]
            } else {
                [(&b, 1), (&a, 1)]
            };
            let o = order(UserId::new(), &lines, at(i));
            tokio::spawn(async move { store.place_order(placement(o)).await })
        })
        .collect();
    let mut placed = 0;
    for t in tasks {
        if let PlacementOutcome::Placed { .. } = t.await.expect("task").expect("place") {
            placed += 1;
        }
    }
    assert_eq!(placed, 5);
    assert_eq!(
        (stock_of(&store, a.id).await, stock_of(&store, b.id).await),
        (0, 0)
    );
}

/// Same key and request: the first order again, nothing new. Same key,
/// other request: refused. Another user's identical key is independent.
pub async fn a_repeated_key_replays_the_first_outcome(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let user = UserId::new();
    let first = order(user, &[(&p, 2)], at(1));
    let key = stamp(&first, "checkout-1", at(1));
    let placed = place_ok(
        &store,
        NewPlacement {
            idempotency: Some(key.clone()),
            ..placement(first.clone())
        },
    )
    .await;

    let retry = order(user, &[(&p, 2)], at(2));
    let outcome = store
        .place_order(NewPlacement {
            idempotency: Some(stamp(&retry, "checkout-1", at(2))),
            ..placement(retry.clone())
        })
        .await
        .expect("retry");
    assert_eq!(
        outcome,
        PlacementOutcome::Replayed(IdempotentOutcome::Placed(Box::new(placed.clone())))
    );
    assert_eq!(store.get_order(retry.id).await.expect("get"), None);
    assert_eq!(stock_of(&store, p.id).await, 8, "stock taken once");

    let other = order(user, &[(&p, 3)], at(3));
    let outcome = store
        .place_order(NewPlacement {
            idempotency: Some(stamp(&other, "checkout-1", at(3))),
            ..placement(other)
        })
        .await
        .expect("other");
    assert_eq!(outcome, PlacementOutcome::KeyReused);

    let someone_else = order(UserId::new(), &[(&p, 2)], at(4));
    let theirs = stamp(&someone_else, "checkout-1", at(4));
    place_ok(
        &store,
        NewPlacement {
            idempotency: Some(theirs),
            ..placement(someone_else)
        },
    )
    .await;
    assert_eq!(stock_of(&store, p.id).await, 6);
    assert_eq!(order_count(&store).await, 2);
}

/// 20 concurrent placements under one key make one order.
pub async fn concurrent_placements_with_one_key_make_one_order(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 100);
    insert_all(&store, &[&p]).await;
    let user = UserId::new();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            let o = order(user, &[(&p, 1)], at(i));
            let s = stamp(&o, "same-key", at(i));
            tokio::spawn(async move {
                store
                    .place_order(NewPlacement {
                        idempotency: Some(s),
                        ..placement(o)
                    })
                    .await
            })
        })
        .collect();
    let (mut placed, mut replayed) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.expect("task").expect("place") {
            PlacementOutcome::Placed { order, .. } => placed.push(order),
            PlacementOutcome::Replayed(IdempotentOutcome::Placed(o)) => replayed.push(*o),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(placed.len(), 1);
    assert!(
        replayed.iter().all(|o| *o == placed[0]),
        "every repeat sees the one order"
    );
    assert_eq!(order_count(&store).await, 1);
    assert_eq!(stock_of(&store, p.id).await, 99);
}

/// A refusal is stored under the key and replayed even once stock is back.
pub async fn a_rejection_is_recorded_under_its_key(store: Arc<dyn Store>) {
    let p = product("Sold out", "2.00", 0);
    insert_all(&store, &[&p]).await;
    let o = order(UserId::new(), &[(&p, 1)], at(1));
    let s = stamp(&o, "k", at(1));
    let rejection = OrderRejection::InsufficientStock {
        product_id: p.id,
        requested: 1,
        available: 0,
    };
    let outcome = store
        .place_order(NewPlacement {
            idempotency: Some(s.clone()),
            ..placement(o.clone())
        })
        .await;
    assert_eq!(
        outcome.expect("place"),
        PlacementOutcome::Rejected(rejection.clone())
    );

    let mut restocked = store.get_product(p.id).await.expect("get").expect("exists");
    restocked.stock = Stock::new(5).expect("stock");
    store.update_product(&restocked).await.expect("restock");
    let again = order(o.user_id, &[(&p, 1)], at(2));
    let s2 = stamp(&again, "k", at(2));
    let outcome = store
        .place_order(NewPlacement {
            idempotency: Some(s2),
            ..placement(again)
        })
        .await;
    assert_eq!(
        outcome.expect("place"),
        PlacementOutcome::Replayed(IdempotentOutcome::Rejected(rejection))
    );
    assert_eq!(stock_of(&store, p.id).await, 5);
}

/// An answer to a request that broke field rules is recorded and read back
/// as it was saved, and answers that request again.
pub async fn an_invalid_request_is_recorded_under_its_key(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    let o = order(UserId::new(), &[(&p, 1)], at(0));
    let mut s = stamp(&o, "k", at(0));
    s.fingerprint = "a malformed body".to_owned();
    let invalid = IdempotentOutcome::Invalid(InvalidOrder::new(BTreeMap::from([
        (
            "lines[0].product_id".to_owned(),
            vec!["must be a UUID".to_owned()],
        ),
        (
            "lines[1].quantity".to_owned(),
            vec![
                "must be >= 1".to_owned(),
                "must be a whole number".to_owned(),
            ],
        ),
    ])));
    assert_eq!(store.save_outcome(&s, &invalid).await.expect("save"), None);
    let found = store
        .find_idempotency(o.user_id, &s.key, at(10))
        .await
        .expect("find")
        .expect("live");
    assert_eq!(
        found.clone().replay_for("a malformed body"),
        Replay::Same(invalid)
    );
    assert_eq!(found.replay_for("another body"), Replay::KeyReused);
    assert_eq!(order_count(&store).await, 0);
}

/// Past its expiry a key counts no more: it may carry a new request.
pub async fn an_expired_key_can_be_used_again(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let user = UserId::new();
    let first = order(user, &[(&p, 1)], at(0));
    let s = stamp(&first, "old-key", at(0));
    place_ok(
        &store,
        NewPlacement {
            idempotency: Some(s.clone()),
            ..placement(first)
        },
    )
    .await;
    let two_hours = 2 * 3600;
    assert!(
        store
            .find_idempotency(user, &s.key, at(two_hours))
            .await
            .expect("find")
            .is_none()
    );
    let later = order(user, &[(&p, 4)], at(two_hours));
    let s2 = stamp(&later, "old-key", at(two_hours));
    place_ok(
        &store,
        NewPlacement {
            idempotency: Some(s2),
            ..placement(later)
        },
    )
    .await;
    assert_eq!(stock_of(&store, p.id).await, 5);
}

/// `save_outcome` records when no live record exists, else returns it.
pub async fn save_outcome_records_once_per_live_key(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    let o = order(UserId::new(), &[(&p, 1)], at(0));
    let s = stamp(&o, "k", at(0));
    let first =
        IdempotentOutcome::Rejected(OrderRejection::ProductUnavailable { product_id: p.id });
    let second = IdempotentOutcome::Rejected(OrderRejection::InsufficientStock {
        product_id: p.id,
        requested: 1,
        available: 0,
    });
    assert_eq!(store.save_outcome(&s, &first).await.expect("save"), None);
    let existing = store
        .save_outcome(&s, &second)
        .await
        .expect("save")
        .expect("the first record");
    assert_eq!(
        (existing.outcome, existing.fingerprint.as_str()),
        (first.clone(), s.fingerprint.as_str())
    );
    let found = store
        .find_idempotency(o.user_id, &s.key, at(10))
        .await
        .expect("find")
        .expect("live");
    assert_eq!(found.outcome, first);
    assert_eq!(found.expires_at, s.expires_at);

    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            let mut s = stamp(&o, "contended", at(0));
            s.fingerprint = format!("request-{i}");
            let outcome = first.clone();
            tokio::spawn(async move { store.save_outcome(&s, &outcome).await })
        })
        .collect();
    let mut recorded = 0;
    for t in tasks {
        if t.await.expect("task").expect("save").is_none() {
            recorded += 1;
        }
    }
    assert_eq!(
        recorded, 1,
        "of concurrent saves under one key exactly one records"
    );

    assert_eq!(
        store
            .purge_expired_idempotency(at(2 * 3600))
            .await
            .expect("purge"),
        2
    );
    assert!(
        store
            .find_idempotency(o.user_id, &s.key, at(10))
            .await
            .expect("find")
            .is_none()
    );
}

/// Cancelling restocks in the same unit of work; repeating it changes nothing.
pub async fn cancelling_gives_the_stock_back_with_the_status_change(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let o = place_ok(&store, placement(order(UserId::new(), &[(&p, 3)], at(1)))).await;
    assert_eq!(stock_of(&store, p.id).await, 7);
    let cancelled = store.change_status(cancel(o.id, 5)).await.expect("cancel");
    assert_eq!(
        (cancelled.status, cancelled.updated_at),
        (OrderStatus::Cancelled, at(5))
    );
    assert_eq!(store.get_order(o.id).await.expect("get"), Some(cancelled));
    assert_eq!(stock_of(&store, p.id).await, 10);
    assert!(matches!(
        store.change_status(cancel(o.id, 6)).await,
        Err(StoreError::StaleWrite)
    ));
    assert_eq!(stock_of(&store, p.id).await, 10);
    assert!(matches!(
        store.change_status(cancel(OrderId::new(), 6)).await,
        Err(StoreError::NotFound)
    ));

    // An order holding a product that was archived since can still be cancelled.
    let q = product("Soon archived", "1.00", 4);
    insert_all(&store, &[&q]).await;
    let o2 = place_ok(&store, placement(order(UserId::new(), &[(&q, 4)], at(7)))).await;
    store.archive_product(q.id, at(8)).await.expect("archive");
    let cancelled = store.change_status(cancel(o2.id, 9)).await.expect("cancel");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(
        store.get_products(&[q.id]).await.expect("get").is_empty(),
        "still archived"
    );
}

/// Ten concurrent cancels: one wins, stock comes back once.
pub async fn concurrent_cancellations_give_the_stock_back_once(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let o = place_ok(&store, placement(order(UserId::new(), &[(&p, 3)], at(1)))).await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.change_status(cancel(o.id, i)).await })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => won += 1,
            Err(StoreError::StaleWrite) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(stock_of(&store, p.id).await, 10);
}

/// Jobs given with a status change are enqueued with it.
pub async fn a_status_change_enqueues_its_jobs(store: Arc<dyn Store>) {
    let p = product("Item", "2.00", 10);
    insert_all(&store, &[&p]).await;
    let o = place_ok(&store, placement(order(UserId::new(), &[(&p, 1)], at(1)))).await;
    let email = NewJob::for_order(JobKind::SendOrderConfirmation, o.id, at(2));
    let change = StatusChange {
        order_id: o.id,
        from: OrderStatus::Pending,
        to: OrderStatus::Confirmed,
        restock: false,
        enqueue: vec![email.clone()],
        at: at(2),
    };
    assert_eq!(
        store.change_status(change).await.expect("confirm").status,
        OrderStatus::Confirmed
    );
    let job = store
        .get_job(email.id)
        .await
        .expect("get_job")
        .expect("enqueued");
    assert_eq!(
        (job.kind, job.status),
        (JobKind::SendOrderConfirmation, JobStatus::Queued)
    );
    assert_eq!(stock_of(&store, p.id).await, 9, "no restock");
}

/// Newest first, ties by id descending; a user's own or everyone's.
pub async fn orders_are_listed_newest_first_per_owner(store: Arc<dyn Store>) {
    let p = product("Item", "1.00", 100);
    insert_all(&store, &[&p]).await;
    let (me, you) = (UserId::new(), UserId::new());
    let mut mine = Vec::new();
    for t in [1, 3, 2] {
        mine.push(place_ok(&store, placement(order(me, &[(&p, 1)], at(t)))).await);
    }
    let yours = place_ok(&store, placement(order(you, &[(&p, 1)], at(10)))).await;
    let got = store
        .list_orders(Some(me), PageRequest::new(1, 2).expect("page"))
        .await
        .expect("list");
    assert_eq!(got.count, 3);
    assert_eq!(
        got.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        [mine[1].id, mine[2].id]
    );
    let rest = store
        .list_orders(Some(me), PageRequest::new(2, 2).expect("page"))
        .await
        .expect("list");
    assert_eq!(
        rest.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        [mine[0].id]
    );
    let all = store
        .list_orders(None, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(all.count, 4);
    assert_eq!(all.items[0], yours);
}

/// Confirming moves a pending order on with its jobs, once; a missing order
/// is not found.
pub async fn confirming_moves_a_pending_order_once_with_its_jobs(store: Arc<dyn Store>) {
    let p = product("Item", "1.00", 10);
    insert_all(&store, &[&p]).await;
    let o = place_ok(&store, placement(order(UserId::new(), &[(&p, 1)], at(1)))).await;
    let email = NewJob::for_order(JobKind::SendOrderConfirmation, o.id, at(2));
    assert!(
        store
            .confirm_order(o.id, at(2), std::slice::from_ref(&email))
            .await
            .expect("confirm")
    );
    let confirmed = store.get_order(o.id).await.expect("get").expect("order");
    assert_eq!(
        (confirmed.status, confirmed.updated_at),
        (OrderStatus::Confirmed, at(2))
    );
    assert!(store.get_job(email.id).await.expect("job").is_some());
    let again = NewJob::for_order(JobKind::SendOrderConfirmation, o.id, at(3));
    assert!(
        !store
            .confirm_order(o.id, at(3), std::slice::from_ref(&again))
            .await
            .expect("confirm again")
    );
    assert!(store.get_job(again.id).await.expect("job").is_none());
    assert!(matches!(
        store.confirm_order(OrderId::new(), at(3), &[]).await,
        Err(StoreError::NotFound)
    ));
}

/// The first confirmation time is kept.
pub async fn the_first_confirmation_time_stays(store: Arc<dyn Store>) {
    let p = product("Item", "1.00", 10);
    insert_all(&store, &[&p]).await;
    let o = place_ok(&store, placement(order(UserId::new(), &[(&p, 1)], at(1)))).await;
    let sent_at = |store: Arc<dyn Store>| async move {
        store
            .get_order(o.id)
            .await
            .expect("get")
            .expect("order")
            .confirmation_sent_at
    };
    store
        .mark_confirmation_sent(o.id, at(5))
        .await
        .expect("mark");
    assert_eq!(sent_at(store.clone()).await, Some(at(5)));
    store
        .mark_confirmation_sent(o.id, at(9))
        .await
        .expect("mark again");
    assert_eq!(sent_at(store.clone()).await, Some(at(5)));
    assert!(matches!(
        store.mark_confirmation_sent(OrderId::new(), at(9)).await,
        Err(StoreError::NotFound)
    ));
}

/// Orders, units, known footprint and unit-weighted score, cancelled ones left out.
pub async fn the_summary_counts_orders_that_are_not_cancelled(store: Arc<dyn Store>) {
    let green = with_metrics(product("Green", "1.00", 100), 1.5, 90);
    let grey = product("Grey", "1.00", 100); // score 50, no footprint
    insert_all(&store, &[&green, &grey]).await;
    let me = UserId::new();
    let empty = store.sustainability_summary(me).await.expect("summary");
    assert_eq!(
        (empty.orders_count, empty.items_count, empty.average_score),
        (0, 0, None)
    );
    place_ok(
        &store,
        placement(order(me, &[(&green, 2), (&grey, 1)], at(1))),
    )
    .await;
    place_ok(&store, placement(order(me, &[(&grey, 1)], at(2)))).await;
    let dropped = place_ok(&store, placement(order(me, &[(&green, 10)], at(3)))).await;
    store
        .change_status(cancel(dropped.id, 4))
        .await
        .expect("cancel");
    place_ok(
        &store,
        placement(order(UserId::new(), &[(&green, 7)], at(5))),
    )
    .await;

    let s = store.sustainability_summary(me).await.expect("summary");
    assert_eq!(s.orders_count, 2);
    assert_eq!(s.items_count, 4);
    assert_eq!(s.total_carbon_footprint_kg.to_string(), "3");
    // (2×90 + 1×50 + 1×50) / 4 = 70
    assert_eq!(
        s.average_score.map(|d| d.normalize().to_string()),
        Some("70".into())
    );
}

/// Totals are not bounded like one product's input: the largest footprint
/// (1e9 kg) × 1,000 units × 20 orders sums to 2e13 kg, exactly, with no error.
pub async fn the_summary_of_the_largest_footprints_neither_fails_nor_wraps(store: Arc<dyn Store>) {
    let heavy = with_metrics(product("Heavy", "1.00", 1_000_000), 1e9, 10);
    insert_all(&store, &[&heavy]).await;
    let me = UserId::new();
    for i in 0..20 {
        place_ok(&store, placement(order(me, &[(&heavy, 1000)], at(i)))).await;
    }
    let s = store.sustainability_summary(me).await.expect("summary");
    assert_eq!((s.orders_count, s.items_count), (20, 20_000));
    assert_eq!(
        s.total_carbon_footprint_kg.kg(),
        rust_decimal::Decimal::from(20_000_000_000_000i64)
    );
}
