//! Score cases of [`CatalogStore`](crate::ports::CatalogStore): each
//! product's score history, the published score policies and the
//! rescoring job's walk.

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;

use super::claims::claim;
use super::fixtures::*;
use crate::Store;
use crate::catalog::Product;
use crate::domain::{ProductId, Score};
use crate::jobs::{JobKind, NewJob};
use crate::ports::{StoreError, UniqueField};
use crate::scoring::{
    FootprintBand, PublishedPolicy, ScoreEntry, ScoreMethod, ScoreReason, ScoreRules,
};

/// `p` given a new score `score` by `method`, computed at `seconds`.
fn rescored(p: &Product, score: i64, method: &str, reason: ScoreReason, seconds: i64) -> Product {
    let mut next = p.clone();
    next.score = Score::new(score).expect("score");
    next.score_method = ScoreMethod::parse(method).expect("method");
    next.score_reason = reason;
    next.score_computed_at = at(seconds);
    next
}

/// Every product write keeps a new score in the product's history, in
/// its transaction, once per computation; the history reads newest first,
/// up to its limit, and a stale write adds nothing.
pub async fn every_new_score_is_kept_in_the_history_once(store: Arc<dyn Store>) {
    let p = with_metrics(product("Bottle", "9.00", 4), 1.0, 70);
    insert_all(&store, &[&p]).await;
    assert_eq!(
        store.score_history(p.id, 10).await.expect("history"),
        [ScoreEntry::of(&p)]
    );

    // A write that did not compute a new score (same stamp) adds nothing.
    let mut cheaper = p.clone();
    cheaper.price = price("8.00");
    let v2 = store.update_product(&cheaper).await.expect("update");
    assert_eq!(
        store.score_history(p.id, 10).await.expect("history").len(),
        1
    );

    // A claim write with a new score adds one entry, with its reason.
    let with_claim = rescored(&v2, 75, "ecolaura-default@7", ScoreReason::ClaimChanged, 20);
    let c = claim(
        p.id,
        chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("day"),
        true,
    );
    let v3 = store.add_claim(&with_claim, &c).await.expect("claim");
    // A footprint write too.
    let by_record = rescored(
        &v3,
        80,
        "ecolaura-default@8",
        ScoreReason::MetricsChanged,
        30,
    );
    let v4 = store
        .set_footprint(&by_record, None)
        .await
        .expect("footprint");

    // From a stale read, nothing is written, history included.
    let stale = rescored(&v3, 10, "manual", ScoreReason::Manual, 40);
    assert!(matches!(
        store.update_product(&stale).await,
        Err(StoreError::StaleWrite)
    ));

    let history = store.score_history(p.id, 10).await.expect("history");
    let expected = [ScoreEntry::of(&v4), ScoreEntry::of(&v3), ScoreEntry::of(&p)];
    assert_eq!(history, expected);
    assert_eq!(history[1].reason, ScoreReason::ClaimChanged);
    assert_eq!(
        store.score_history(p.id, 2).await.expect("history"),
        expected[..2]
    );
    assert!(
        store
            .score_history(ProductId::new(), 10)
            .await
            .expect("history")
            .is_empty()
    );
}

fn rules(certified_claim: i64) -> ScoreRules {
    ScoreRules {
        footprint_bands: vec![
            FootprintBand {
                up_to_kg: Decimal::new(125, 3),
                points: 70,
            },
            FootprintBand {
                up_to_kg: Decimal::new(99_999_999_999, 3),
                points: 5,
            },
        ],
        beyond_bands: 0,
        recyclable: 15,
        biodegradable: 10,
        certified_claim,
        certified_claims_counted: 3,
    }
}

/// Policies read back exactly as published, the latest by default; a
/// taken version is refused with nothing enqueued, and a publication
/// enqueues its rescoring job in its transaction.
pub async fn score_policies_are_published_once_per_version_with_their_job(store: Arc<dyn Store>) {
    assert_eq!(store.score_policy(None).await.expect("policy"), None);
    let second = PublishedPolicy::first().next(rules(5), at(10));
    store
        .publish_score_policy(&second, &NewJob::rescoring(2, at(10)))
        .await
        .expect("publish");
    let third = second.next(rules(7), at(20));
    store
        .publish_score_policy(&third, &NewJob::rescoring(3, at(20)))
        .await
        .expect("publish");
    assert_eq!(
        store.score_policy(None).await.expect("policy"),
        Some(third.clone())
    );
    assert_eq!(
        store.score_policy(Some(2)).await.expect("policy"),
        Some(second)
    );
    assert_eq!(store.score_policy(Some(9)).await.expect("policy"), None);

    let taken = PublishedPolicy {
        rules: rules(0),
        ..third.clone()
    };
    assert!(matches!(
        store
            .publish_score_policy(&taken, &NewJob::rescoring(3, at(30)))
            .await,
        Err(StoreError::Duplicate(UniqueField::ScorePolicyVersion))
    ));
    assert_eq!(store.score_policy(None).await.expect("policy"), Some(third));

    let lease = Duration::from_secs(30);
    let jobs = store
        .claim_batch(JobKind::RescoreCatalog, at(60), lease, 10)
        .await
        .expect("claim");
    let mut versions: Vec<u32> = jobs
        .iter()
        .map(|j| j.job.rescoring_job().expect("payload").version)
        .collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        [2, 3],
        "one job per publication, none for the refused one"
    );
}

/// Of concurrent publications of one version, exactly one lands.
pub async fn concurrent_publications_of_one_version_land_once(store: Arc<dyn Store>) {
    let attempts = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let policy = PublishedPolicy::first().next(rules(i), at(10));
            store
                .publish_score_policy(&policy, &NewJob::rescoring(2, at(10)))
                .await
        })
    });
    let mut landed = 0;
    for attempt in attempts {
        match attempt.await.expect("task") {
            Ok(()) => landed += 1,
            Err(StoreError::Duplicate(UniqueField::ScorePolicyVersion)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(landed, 1);
}

/// The walk goes through live products by id in batches; a batch writes
/// the products whose version it read (not one written since), keeps
/// their new scores in history and moves the cursor, all at once.
pub async fn a_rescoring_batch_writes_what_it_read_and_moves_its_cursor(store: Arc<dyn Store>) {
    let mut products: Vec<Product> = (0..5)
        .map(|i| with_metrics(product(&format!("P{i}"), "1.00", 1), 1.0, 60))
        .collect();
    products.sort_by_key(|p| p.id);
    insert_all(&store, &products.iter().collect::<Vec<_>>()).await;
    let archived = store
        .archive_product(products[4].id, at(5))
        .await
        .expect("archive");

    let first = store.products_after(None, 2).await.expect("walk");
    assert_eq!(first, products[..2]);
    let rest = store
        .products_after(Some(products[1].id), 10)
        .await
        .expect("walk");
    assert_eq!(rest, products[2..4], "archived products are left out");
    assert!(
        store
            .products_after(Some(archived.id), 10)
            .await
            .expect("walk")
            .is_empty()
    );

    let policy = PublishedPolicy::first().next(rules(5), at(10));
    store
        .publish_score_policy(&policy, &NewJob::rescoring(2, at(10)))
        .await
        .expect("publish");
    assert_eq!(store.rescoring_cursor(2).await.expect("cursor"), None);

    // Product 1 is written after the walk read it.
    let mut moved = products[1].clone();
    moved.stock = crate::domain::Stock::new(9).expect("stock");
    store.update_product(&moved).await.expect("update");

    let batch: Vec<Product> = first
        .iter()
        .map(|p| rescored(p, 90, "ecolaura-default@2", ScoreReason::PolicyChanged, 50))
        .collect();
    let written = store
        .write_rescored(2, &batch, products[1].id)
        .await
        .expect("batch");
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].id, products[0].id);
    assert_eq!(written[0].score.value(), 90);
    assert_eq!(written[0].version, products[0].version + 1);
    assert_eq!(
        store.get_product(products[0].id).await.expect("get"),
        Some(written[0].clone())
    );
    let left = store
        .get_product(products[1].id)
        .await
        .expect("get")
        .expect("live");
    assert_eq!(
        (left.score.value(), left.stock.get()),
        (60, 9),
        "left alone"
    );
    assert_eq!(
        store
            .score_history(products[0].id, 10)
            .await
            .expect("history")[0],
        ScoreEntry::of(&batch[0])
    );
    assert_eq!(
        store.rescoring_cursor(2).await.expect("cursor"),
        Some(products[1].id)
    );
    assert_eq!(store.rescoring_cursor(3).await.expect("cursor"), None);
}

/// Products are found by the first or last day of their claims' evidence,
/// each once, by id, in pages; archived products are left out.
pub async fn products_are_found_by_their_claims_dates(store: Arc<dyn Store>) {
    use chrono::NaiveDate;
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("day");
    let mut products: Vec<Product> = (0..4)
        .map(|i| product(&format!("P{i}"), "1.00", 1))
        .collect();
    products.sort_by_key(|p| p.id);
    insert_all(&store, &products.iter().collect::<Vec<_>>()).await;
    let mut current = products.clone();
    // 0: starts in the range; 1: lapses in it (twice); 2: neither; 3: archived.
    for (i, from, until) in [
        (0, day(6, 10), day(12, 31)),
        (1, day(1, 1), day(6, 12)),
        (1, day(2, 1), day(6, 11)),
        (2, day(1, 1), day(12, 31)),
        (3, day(6, 11), day(12, 31)),
    ] {
        let mut c = claim(current[i].id, until, true);
        c.evidence.valid_from = from;
        current[i] = store.add_claim(&current[i], &c).await.expect("claim");
    }
    store
        .archive_product(products[3].id, at(9))
        .await
        .expect("archive");

    let (from, until) = (day(6, 9), day(6, 12));
    let found = store
        .products_with_claim_dates_in(from, until, None, 10)
        .await
        .expect("find");
    assert_eq!(found, [products[0].id, products[1].id]);
    let first = store
        .products_with_claim_dates_in(from, until, None, 1)
        .await
        .expect("find");
    assert_eq!(first, [products[0].id]);
    let next = store
        .products_with_claim_dates_in(from, until, Some(products[0].id), 1)
        .await
        .expect("find");
    assert_eq!(next, [products[1].id]);
    assert!(
        store
            .products_with_claim_dates_in(day(7, 1), day(7, 31), None, 10)
            .await
            .expect("find")
            .is_empty()
    );
}
