//! Green claim cases of [`CatalogStore`](crate::ports::CatalogStore).

use std::sync::Arc;

use chrono::NaiveDate;

use super::fixtures::*;
use crate::Store;
use crate::domain::{ClaimId, ProductId};
use crate::ports::StoreError;
use crate::sustainability::{Claim, ClaimType, Evidence, Market};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A claim on `product` whose evidence lapses on `until`; every optional
/// part set when `full`.
pub fn claim(product: ProductId, until: NaiveDate, full: bool) -> Claim {
    Claim {
        id: ClaimId::new(),
        product_id: product,
        claim_type: if full {
            ClaimType::RecycledContent
        } else {
            ClaimType::Repairable
        },
        statement: "Made with 80% recycled PET – ♻ 'quoted'; --".into(),
        markets: if full {
            vec![Market::Eu, Market::parse("FR").expect("FR")]
        } else {
            vec![Market::parse("DE").expect("DE")]
        },
        evidence: Evidence {
            scheme: "Global Recycled Standard".into(),
            certificate_id: full.then(|| "GRS-2291".into()),
            issuer: "Control Union".into(),
            valid_from: day(2026, 1, 1),
            valid_until: until,
            ecolabel_type_i: full,
            url: full.then(|| "https://example.org/grs-2291".into()),
        },
        created_at: at(3),
    }
}

/// Claims read back exactly as written, oldest first, each write moving
/// the product's version; removing one leaves the others.
pub async fn claims_read_back_and_move_their_products_version(store: Arc<dyn Store>) {
    let p = product("Bottle", "9.00", 4);
    insert_all(&store, &[&p]).await;
    assert!(store.list_claims(&[p.id]).await.expect("list").is_empty());

    let mut first = claim(p.id, day(2027, 6, 30), true);
    first.created_at = at(3);
    let after_first = store.add_claim(&p, &first).await.expect("add");
    assert_eq!(after_first.version, p.version + 1);
    let mut second = claim(p.id, day(2026, 12, 31), false);
    second.created_at = at(4);
    let after_second = store.add_claim(&after_first, &second).await.expect("add");
    assert_eq!(
        store.list_claims(&[p.id]).await.expect("list"),
        [first.clone(), second.clone()]
    );

    // From a stale read, nothing is written.
    let third = claim(p.id, day(2028, 1, 1), false);
    assert!(matches!(
        store.add_claim(&after_first, &third).await,
        Err(StoreError::StaleWrite)
    ));
    assert_eq!(store.list_claims(&[p.id]).await.expect("list").len(), 2);

    let after_removal = store
        .remove_claim(&after_second, first.id)
        .await
        .expect("remove");
    assert_eq!(after_removal.version, after_second.version + 1);
    assert_eq!(
        store.list_claims(&[p.id]).await.expect("list"),
        [second.clone()]
    );
    // A claim that is not the product's: nothing written.
    assert!(matches!(
        store.remove_claim(&after_removal, first.id).await,
        Err(StoreError::NotFound)
    ));
    let now = store.get_product(p.id).await.expect("get").expect("live");
    assert_eq!(now.version, after_removal.version, "the version stayed");
}

/// Claims lapsing in a range come back soonest first; archived products'
/// claims are gone from every read.
pub async fn expiring_claims_are_listed_soonest_first(store: Arc<dyn Store>) {
    let a = product("Alpha", "1.00", 1);
    let b = product("Beta", "1.00", 1);
    insert_all(&store, &[&a, &b]).await;
    let late = claim(a.id, day(2027, 3, 1), false);
    let soon = claim(b.id, day(2027, 1, 10), true);
    let mut outside = claim(a.id, day(2027, 9, 1), false);
    outside.created_at = at(4);
    let a1 = store.add_claim(&a, &late).await.expect("add");
    store.add_claim(&a1, &outside).await.expect("add");
    store.add_claim(&b, &soon).await.expect("add");

    let found = store
        .expiring_claims(day(2027, 1, 10), day(2027, 3, 1), 10)
        .await
        .expect("expiring");
    let seen: Vec<_> = found.iter().map(|c| c.id).collect();
    assert_eq!(seen, [soon.id, late.id]);
    let one = store
        .expiring_claims(day(2027, 1, 1), day(2027, 12, 31), 1)
        .await
        .expect("limited");
    assert_eq!(one.len(), 1);

    // Several products in one read: each one's claims, oldest first; an id
    // that is no product adds nothing.
    let both = store
        .list_claims(&[b.id, a.id, ProductId::new(), a.id])
        .await
        .expect("list");
    let of = |id: ProductId| -> Vec<ClaimId> {
        both.iter()
            .filter(|c| c.product_id == id)
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(of(a.id), [late.id, outside.id]);
    assert_eq!(of(b.id), [soon.id]);
    assert_eq!(both.len(), 3, "each claim once");

    store.archive_product(b.id, at(9)).await.expect("archive");
    assert!(store.list_claims(&[b.id]).await.expect("list").is_empty());
    let found = store
        .expiring_claims(day(2027, 1, 1), day(2027, 12, 31), 10)
        .await
        .expect("expiring");
    assert!(found.iter().all(|c| c.product_id == a.id));
}
