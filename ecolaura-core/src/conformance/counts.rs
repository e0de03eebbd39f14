//! A list's count, whichever way a store gets it (Postgres and SQLite keep
//! the counts of the whole catalog and of each category in a table), is
//! the number of live products the list's filter admits.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::catalog::{Product, ProductFilter, ProductQuery};
use crate::domain::{PageRequest, Score, Slug};

/// The count of the first page of the list `filter` makes.
async fn count(store: &Arc<dyn Store>, filter: ProductFilter) -> u64 {
    let query = ProductQuery {
        filter,
        page: PageRequest::new(1, 1).expect("page"),
        ..ProductQuery::default()
    };
    store.list_products(&query).await.expect("list").count
}

/// The counts of the whole catalog and of `category` (absent: the products
/// without one are in neither's count but the whole catalog's), each
/// checked against the same list counted match by match (a minimum score
/// of 0 admits every product, but is not a filter whose count is kept).
async fn assert_counts(store: &Arc<dyn Store>, category: &str, whole: u64, in_category: u64) {
    let every = |category: Option<Slug>| ProductFilter {
        category,
        ..ProductFilter::default()
    };
    let counted = |category: Option<Slug>| ProductFilter {
        category,
        min_score: Some(Score::MIN),
        ..ProductFilter::default()
    };
    assert_eq!(count(store, every(None)).await, whole, "the whole catalog");
    assert_eq!(count(store, counted(None)).await, whole, "counted");
    let slug = Some(slug_of(category));
    assert_eq!(
        count(store, every(slug.clone())).await,
        in_category,
        "{category}"
    );
    assert_eq!(
        count(store, counted(slug)).await,
        in_category,
        "{category} counted"
    );
}

fn in_category(name: &str, category: &str) -> Product {
    let mut p = product(name, "1.00", 1);
    p.category = Some(slug_of(category));
    p
}

/// Inserts, archives and moves between categories, one at a time and
/// concurrently (moves in opposite directions at once included): the
/// counts of the whole catalog and of each category follow every write.
pub async fn list_counts_follow_every_write(store: Arc<dyn Store>) {
    for slug in ["cups", "bags"] {
        store
            .insert_category(&category(slug))
            .await
            .expect("category");
    }
    assert_counts(&store, "cups", 0, 0).await;

    let cup = in_category("Cup", "cups");
    let loose = product("Loose", "1.00", 1);
    insert_all(&store, &[&cup, &loose]).await;
    assert_counts(&store, "cups", 2, 1).await;

    let mut moved = cup.clone();
    moved.category = Some(slug_of("bags"));
    let moved = store.update_product(&moved).await.expect("move");
    assert_counts(&store, "cups", 2, 0).await;
    assert_counts(&store, "bags", 2, 1).await;

    store
        .archive_product(moved.id, at(5))
        .await
        .expect("archive");
    store
        .archive_product(loose.id, at(5))
        .await
        .expect("archive");
    assert_counts(&store, "bags", 0, 0).await;

    // Twenty products added at once, ten in each category.
    let many: Vec<Product> = (0..20)
        .map(|i| {
            in_category(
                &format!("Item {i}"),
                if i % 2 == 0 { "cups" } else { "bags" },
            )
        })
        .collect();
    let inserts: Vec<_> = many
        .iter()
        .map(|p| {
            let store = store.clone();
            let p = p.clone();
            tokio::spawn(async move { store.insert_product(&p).await })
        })
        .collect();
    for task in inserts {
        task.await.expect("task").expect("insert");
    }
    assert_counts(&store, "cups", 20, 10).await;

    // Every product changes side at once: cups to bags and bags to cups.
    let moves: Vec<_> = many
        .iter()
        .map(|p| {
            let store = store.clone();
            let mut p = p.clone();
            let other = if p.category == Some(slug_of("cups")) {
                "bags"
            } else {
                "cups"
            };
            p.category = Some(slug_of(other));
            tokio::spawn(async move { store.update_product(&p).await })
        })
        .collect();
    for task in moves {
        task.await.expect("task").expect("move");
    }
    assert_counts(&store, "cups", 20, 10).await;
    assert_counts(&store, "bags", 20, 10).await;
}
