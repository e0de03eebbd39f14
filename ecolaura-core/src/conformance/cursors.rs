//! Keyset pages (`/api/v2`): walking a list from position to position, in
//! either direction, reads exactly the list that offset pages read, and a
//! walk while products are written meanwhile neither repeats nor skips a
//! product that was there throughout with the same sort key.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::fixtures::*;
use crate::Store;
use crate::catalog::{Product, ProductFilter, ProductOrdering, ProductQuery, ProductSeek};
use crate::domain::{
    KeysetPage, Limit, OrderId, PageRequest, ProductId, Score, SearchText, Seek, Stock, UserId,
};
use crate::orders::OrderPosition;

/// The ids of the whole list as one offset page reads it.
async fn listed(
    store: &Arc<dyn Store>,
    filter: &ProductFilter,
    ordering: ProductOrdering,
) -> Vec<ProductId> {
    let query = ProductQuery {
        filter: filter.clone(),
        ordering,
        page: PageRequest::new(1, 100).expect("page"),
    };
    let page = store.list_products(&query).await.expect("list");
    assert!(page.count < 100, "the fixture fits one offset page");
    page.items.iter().map(|p| p.id).collect()
}

/// One keyset page of products.
async fn seek_page(
    store: &Arc<dyn Store>,
    query: &ProductSeek,
) -> KeysetPage<Product, crate::catalog::ProductPosition> {
    let found = store.seek_products(query).await.expect("seek");
    assert!(
        found.len() as u64 <= query.seek.fetch(),
        "at most limit + 1"
    );
    KeysetPage::assemble(&query.seek, found, |p| query.ordering.position_of(p))
}

/// Walk the list to its end from the first page, then back to its start
/// from the last page: the products of each walk in the list's order.
async fn walk_both_ways(
    store: &Arc<dyn Store>,
    filter: &ProductFilter,
    ordering: ProductOrdering,
    limit: u32,
) -> (Vec<Product>, Vec<Product>) {
    let limit = Limit::new(limit).expect("limit");
    let mut query = ProductSeek {
        filter: filter.clone(),
        ordering,
        seek: Seek::first(limit),
    };
    let mut forward = Vec::new();
    let last = loop {
        let page = seek_page(store, &query).await;
        forward.extend(page.items.iter().cloned());
        match &page.next {
            Some(next) => {
                assert_eq!(
                    page.items.len() as u32,
                    limit.get(),
                    "a page with a next page is full"
                );
                query.seek.from = Some(next.clone());
            }
            None => break page,
        }
    };
    let mut backward = last.items.clone();
    let mut previous = last.previous;
    while let Some(from) = previous {
        query.seek.from = Some(from);
        let page = seek_page(store, &query).await;
        assert_eq!(
            page.items.len() as u32,
            limit.get(),
            "a page read backwards is full"
        );
        let mut items = page.items;
        items.append(&mut backward);
        backward = items;
        previous = page.previous;
    }
    (forward, backward)
}

fn ids(products: &[Product]) -> Vec<ProductId> {
    products.iter().map(|p| p.id).collect()
}

/// A catalog with ties in every sort key: names that differ only in case,
/// shared prices, scores and creation times, in two categories and none.
async fn tied_catalog(store: &Arc<dyn Store>) -> Vec<Product> {
    for slug in ["cups", "bags"] {
        store
            .insert_category(&category(slug))
            .await
            .expect("category");
    }
    let names = ["apple", "Apple", "banana", "Cherry", "cherry pie", "date"];
    let prices = ["1.00", "2.50", "2.50", "9.99"];
    let mut made = Vec::new();
    for i in 0..37usize {
        let mut p = product(
            names[i % names.len()],
            prices[i % prices.len()],
            (i % 4) as u32,
        );
        p.score = Score::new((i % 3) as i64 * 10 + 40).expect("score");
        p.created_at = at((i % 5) as i64);
        p.category = match i % 3 {
            0 => Some(slug_of("cups")),
            1 => Some(slug_of("bags")),
            _ => None,
        };
        store.insert_product(&p).await.expect("insert");
        made.push(p);
    }
    made
}

/// Every ordering under several filters, in pages of 4: the walk to the
/// end and the walk back both read exactly the offset list, every page
/// with a next page is full, and the count is the list's.
pub async fn cursor_walks_read_the_whole_list_both_ways(store: Arc<dyn Store>) {
    tied_catalog(&store).await;
    let filters = [
        ProductFilter::default(),
        ProductFilter {
            category: Some(slug_of("cups")),
            ..ProductFilter::default()
        },
        ProductFilter {
            category: Some(slug_of("bags")),
            min_price: Some(price("2.00")),
            max_price: Some(price("9.99")),
            ..ProductFilter::default()
        },
        ProductFilter {
            min_score: Some(Score::new(50).expect("score")),
            in_stock: Some(true),
            ..ProductFilter::default()
        },
        ProductFilter {
            search: Some(SearchText::parse("an").expect("search")),
            ..ProductFilter::default()
        },
        // Three characters or more: SQLite asks its trigram index too.
        ProductFilter {
            search: Some(SearchText::parse("PPLE").expect("search")),
            category: Some(slug_of("cups")),
            ..ProductFilter::default()
        },
        ProductFilter {
            category: Some(slug_of("none-such")),
            ..ProductFilter::default()
        },
    ];
    for filter in &filters {
        for ordering in ProductOrdering::ALL {
            let expected = listed(&store, filter, ordering).await;
            let (forward, backward) = walk_both_ways(&store, filter, ordering, 4).await;
            assert_eq!(ids(&forward), expected, "forward: {filter:?} {ordering:?}");
            assert_eq!(
                ids(&backward),
                expected,
                "backward: {filter:?} {ordering:?}"
            );
            let count = store.count_products(filter).await.expect("count");
            assert_eq!(count, expected.len() as u64, "count: {filter:?}");
        }
    }
    // A page size that divides the list exactly ends with no next page.
    let every = listed(&store, &ProductFilter::default(), ProductOrdering::PriceAsc).await;
    let (forward, _) = walk_both_ways(
        &store,
        &ProductFilter::default(),
        ProductOrdering::PriceAsc,
        37,
    )
    .await;
    assert_eq!(ids(&forward), every);
}

/// A walk in pages of 5 while another task inserts products all over the
/// list and changes the stock and description of the listed ones (not
/// their sort keys): every product that was there from the start is read
/// exactly once, no product twice, and the walk is in the list's order.
pub async fn a_cursor_walk_under_concurrent_writes_never_repeats_or_skips(store: Arc<dyn Store>) {
    let originals = tied_catalog(&store).await;
    for ordering in [
        ProductOrdering::PriceAsc,
        ProductOrdering::CreatedDesc,
        ProductOrdering::NameDesc,
    ] {
        let done = Arc::new(AtomicBool::new(false));
        let writer = {
            let store = store.clone();
            let done = done.clone();
            let originals = originals.clone();
            tokio::spawn(async move {
                let prices = ["0.50", "1.00", "2.50", "5.00", "9.99", "12.00"];
                let mut round = 0usize;
                while !done.load(Ordering::SeqCst) && round < 400 {
                    let mut p = product(
                        ["apple", "Banana", "cherry"][round % 3],
                        prices[round % prices.len()],
                        1,
                    );
                    p.created_at = at((round % 7) as i64);
                    store.insert_product(&p).await.expect("insert meanwhile");
                    let id = originals[round % originals.len()].id;
                    if let Some(mut current) = store.get_product(id).await.expect("get") {
                        current.stock = Stock::new((round % 9) as i64).expect("stock");
                        // A stale write lost to another one: nothing to check.
                        let _ = store.update_product(&current).await;
                    }
                    round += 1;
                    tokio::task::yield_now().await;
                }
            })
        };
        let mut query = ProductSeek {
            filter: ProductFilter::default(),
            ordering,
            seek: Seek::first(Limit::new(5).expect("limit")),
        };
        let mut walked = Vec::new();
        loop {
            let page = seek_page(&store, &query).await;
            walked.extend(page.items);
            match page.next {
                Some(next) => query.seek.from = Some(next),
                None => break,
            }
            tokio::task::yield_now().await;
        }
        done.store(true, Ordering::SeqCst);
        writer.await.expect("writer");
        let mut seen = HashSet::new();
        for p in &walked {
            assert!(seen.insert(p.id), "{ordering:?}: {} read twice", p.id);
        }
        for p in &originals {
            assert!(seen.contains(&p.id), "{ordering:?}: {} skipped", p.id);
        }
        for pair in walked.windows(2) {
            assert_eq!(
                ordering.compare(&pair[0], &pair[1]),
                std::cmp::Ordering::Less,
                "{ordering:?}: out of order"
            );
        }
    }
}

/// Orders, newest first with ties by id descending: walking one user's
/// orders and every order, both ways in pages of 3, reads exactly the
/// offset list, and the counts are the lists'.
pub async fn order_cursor_walks_read_each_list_both_ways(store: Arc<dyn Store>) {
    let p = product("Cup", "2.00", 1000);
    insert_all(&store, &[&p]).await;
    let (alice, bob) = (UserId::new(), UserId::new());
    for i in 0..12i64 {
        let owner = if i % 3 == 0 { bob } else { alice };
        place_ok(&store, placement(order(owner, &[(&p, 1)], at(i / 3)))).await;
    }
    for owner in [Some(alice), Some(bob), None] {
        let offset = store
            .list_orders(owner, PageRequest::new(1, 100).expect("page"))
            .await
            .expect("list");
        let expected: Vec<OrderId> = offset.items.iter().map(|o| o.id).collect();
        let limit = Limit::new(3).expect("limit");
        let mut seek = Seek::first(limit);
        let mut forward = Vec::new();
        let last = loop {
            let found = store.seek_orders(owner, &seek).await.expect("seek");
            let page = KeysetPage::assemble(&seek, found, OrderPosition::of);
            forward.extend(page.items.iter().map(|o| o.id));
            match &page.next {
                Some(next) => seek.from = Some(*next),
                None => break page,
            }
        };
        assert_eq!(forward, expected, "forward: {owner:?}");
        assert!(
            last.items.iter().all(|o| !o.lines.is_empty()),
            "orders come with their lines"
        );
        let mut backward: Vec<OrderId> = last.items.iter().map(|o| o.id).collect();
        let mut previous = last.previous;
        while let Some(from) = previous {
            seek.from = Some(from);
            let found = store.seek_orders(owner, &seek).await.expect("seek");
            let page = KeysetPage::assemble(&seek, found, OrderPosition::of);
            let mut ids: Vec<OrderId> = page.items.iter().map(|o| o.id).collect();
            ids.append(&mut backward);
            backward = ids;
            previous = page.previous;
        }
        assert_eq!(backward, expected, "backward: {owner:?}");
        let count = store.count_orders(owner).await.expect("count");
        assert_eq!(count, expected.len() as u64, "count: {owner:?}");
    }
}
