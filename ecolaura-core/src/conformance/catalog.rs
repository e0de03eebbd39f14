//! [`CatalogStore`](crate::ports::CatalogStore) cases.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::catalog::{ProductFilter, ProductOrdering, ProductQuery};
use crate::domain::{Description, PageRequest, ProductId, ProductName, Score, SearchText, Stock};
use crate::ports::{StoreError, UniqueField};

fn page(page: u32, size: u32) -> PageRequest {
    PageRequest::new(page, size).expect("page")
}

/// A second category with a taken slug is refused.
pub async fn a_category_slug_is_unique(store: Arc<dyn Store>) {
    store
        .insert_category(&category("bottles"))
        .await
        .expect("first insert");
    let err = store
        .insert_category(&category("bottles"))
        .await
        .expect_err("duplicate slug");
    assert!(
        matches!(err, StoreError::Duplicate(UniqueField::CategorySlug)),
        "{err:?}"
    );
}

/// Categories come back by slug, a page at a time, with the total count.
pub async fn categories_are_listed_by_slug_in_pages(store: Arc<dyn Store>) {
    for s in ["cups", "bags", "bottles"] {
        store.insert_category(&category(s)).await.expect("insert");
    }
    let first = store.list_categories(page(1, 2)).await.expect("list");
    assert_eq!(first.count, 3);
    let slugs: Vec<_> = first.items.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(slugs, ["bags", "bottles"]);
    assert_eq!(
        first.items[0],
        category("bags"),
        "a category reads back as written"
    );
    let second = store.list_categories(page(2, 2)).await.expect("list");
    assert_eq!(
        second
            .items
            .iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>(),
        ["cups"]
    );
    let past = store.list_categories(page(3, 2)).await.expect("list");
    assert!(past.items.is_empty());
    assert_eq!(past.count, 3);
}

/// Every field survives the round trip, with and without optional parts.
pub async fn a_product_reads_back_exactly_as_written(store: Arc<dyn Store>) {
    store
        .insert_category(&category("bottles"))
        .await
        .expect("category");
    let mut full = with_metrics(
        product("Flasche – grün ♻", "99999999.99", 1_000_000_000),
        0.000_123,
        88,
    );
    full.category = Some(slug_of("bottles"));
    full.description =
        Description::parse("Line one\nLine \"two\" 'quoted' ; DROP TABLE products; --").expect("d");
    full.manual_score = Score::new(3).expect("score");
    full.created_at = at(1);
    full.updated_at = at(2);
    let bare = product("Plain", "0.00", 0);
    insert_all(&store, &[&full, &bare]).await;
    assert_eq!(
        store.get_product(full.id).await.expect("get"),
        Some(full.clone())
    );
    assert_eq!(store.get_product(bare.id).await.expect("get"), Some(bare));
    assert_eq!(
        store.get_product(ProductId::new()).await.expect("get"),
        None
    );
}

/// A product must name an existing category.
pub async fn a_product_in_an_unknown_category_is_refused(store: Arc<dyn Store>) {
    let mut p = product("Orphan", "1.00", 1);
    p.category = Some(slug_of("nowhere"));
    let err = store
        .insert_product(&p)
        .await
        .expect_err("unknown category");
    assert!(matches!(err, StoreError::UnknownCategory), "{err:?}");
    assert_eq!(
        store.get_product(p.id).await.expect("get"),
        None,
        "nothing was stored"
    );
}

/// Archived: not readable, not listed, not updatable, not archivable twice.
pub async fn an_archived_product_is_gone_from_every_read(store: Arc<dyn Store>) {
    let kept = product("Kept", "1.00", 1);
    let gone = product("Gone", "1.00", 1);
    insert_all(&store, &[&kept, &gone]).await;
    let archived = store
        .archive_product(gone.id, at(5))
        .await
        .expect("archive");
    assert_eq!(
        (&archived.id, &archived.name, archived.price, archived.stock),
        (&gone.id, &gone.name, gone.price, gone.stock),
        "the product as it was when archived"
    );
    assert_eq!(store.get_product(gone.id).await.expect("get"), None);
    let listed = store
        .list_products(&ProductQuery::default())
        .await
        .expect("list");
    assert_eq!(
        listed.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [kept.id]
    );
    assert_eq!(listed.count, 1);
    assert!(matches!(
        store.archive_product(gone.id, at(6)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.archive_product(ProductId::new(), at(6)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_product(&gone).await,
        Err(StoreError::NotFound)
    ));
}

/// An update writes every field and returns the product with the next version.
pub async fn an_update_replaces_every_field_and_moves_the_version(store: Arc<dyn Store>) {
    store
        .insert_category(&category("cups"))
        .await
        .expect("category");
    let original = product("Cup", "3.00", 4);
    insert_all(&store, &[&original]).await;
    let mut changed = with_metrics(original.clone(), 2.5, 70);
    changed.name = ProductName::parse("Bigger Cup").expect("name");
    changed.description = Description::parse("now bigger").expect("d");
    changed.price = price("4.50");
    changed.category = Some(slug_of("cups"));
    changed.stock = Stock::new(9).expect("stock");
    changed.manual_score = Score::new(12).expect("score");
    changed.updated_at = at(60);
    let stored = store.update_product(&changed).await.expect("update");
    assert_eq!(stored.version, original.version + 1);
    assert_eq!(
        stored,
        crate::catalog::Product {
            version: original.version + 1,
            ..changed.clone()
        }
    );
    assert_eq!(
        store.get_product(original.id).await.expect("get"),
        Some(stored.clone())
    );

    // Metrics and category can be cleared again.
    let mut cleared = stored.clone();
    cleared.metrics = None;
    cleared.category = None;
    let stored = store.update_product(&cleared).await.expect("update");
    assert_eq!(stored.metrics, None);
    assert_eq!(stored.category, None);

    let mut unknown = stored.clone();
    unknown.category = Some(slug_of("nowhere"));
    assert!(matches!(
        store.update_product(&unknown).await,
        Err(StoreError::UnknownCategory)
    ));
}

/// Compare-and-set: two updates made from one read, the second is stale.
pub async fn of_two_updates_from_one_read_one_is_stale(store: Arc<dyn Store>) {
    let p = product("Jar", "2.00", 2);
    insert_all(&store, &[&p]).await;
    let mut a = p.clone();
    a.name = ProductName::parse("Jar A").expect("name");
    let mut b = p.clone();
    b.name = ProductName::parse("Jar B").expect("name");
    store.update_product(&a).await.expect("first update wins");
    assert!(matches!(
        store.update_product(&b).await,
        Err(StoreError::StaleWrite)
    ));
    let now = store.get_product(p.id).await.expect("get").expect("exists");
    assert_eq!(now.name.as_str(), "Jar A");
}

/// Only live products come back; unknown and archived ids are left out.
pub async fn get_products_returns_only_live_ones(store: Arc<dyn Store>) {
    let a = product("A", "1.00", 1);
    let b = product("B", "1.00", 1);
    let archived = product("C", "1.00", 1);
    insert_all(&store, &[&a, &b, &archived]).await;
    store
        .archive_product(archived.id, at(1))
        .await
        .expect("archive");
    let mut found: Vec<_> = store
        .get_products(&[b.id, ProductId::new(), archived.id, a.id])
        .await
        .expect("get_products")
        .into_iter()
        .map(|p| p.id)
        .collect();
    found.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    assert_eq!(found, expected);
    assert!(store.get_products(&[]).await.expect("empty").is_empty());
}

async fn ids(store: &Arc<dyn Store>, filter: ProductFilter) -> Vec<ProductId> {
    let query = ProductQuery {
        filter,
        ordering: ProductOrdering::NameAsc,
        page: page(1, 100),
    };
    let found = store.list_products(&query).await.expect("list");
    assert_eq!(found.count, found.items.len() as u64);
    found.items.into_iter().map(|p| p.id).collect()
}

/// Each filter as API.md defines it, prices compared as numbers.
pub async fn filters_follow_the_documented_rules(store: Arc<dyn Store>) {
    for s in ["bottles", "cups", "bags"] {
        store.insert_category(&category(s)).await.expect("category");
    }
    let mut a = with_metrics(product("Eco Bottle", "5.00", 0), 0.3, 90);
    a.category = Some(slug_of("bottles"));
    a.description = Description::parse("Steel, for life").expect("d");
    let mut b = product("Bamboo Cup", "10.00", 5);
    b.category = Some(slug_of("cups"));
    b.description = Description::parse("Made of BAMBOO fibre").expect("d");
    let mut c = with_metrics(product("Glass Jar", "9.99", 1), 1.0, 70);
    c.description = Description::parse("keeps things fresh").expect("d");
    let mut d = product("Tote Bag", "100.00", 3);
    d.category = Some(slug_of("bags"));
    d.score = Score::new(20).expect("score");
    let mut e = product("Eco Archived", "5.00", 10);
    e.category = Some(slug_of("bottles"));
    insert_all(&store, &[&a, &b, &c, &d, &e]).await;
    store.archive_product(e.id, at(1)).await.expect("archive");

    let f = ProductFilter::default;
    let search = |s: &str| Some(SearchText::parse(s).expect("search"));
    // Name order: Bamboo Cup, Eco Bottle, Glass Jar, Tote Bag.
    assert_eq!(ids(&store, f()).await, [b.id, a.id, c.id, d.id]);
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                category: Some(slug_of("bottles")),
                ..f()
            }
        )
        .await,
        [a.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                category: Some(slug_of("unknown")),
                ..f()
            }
        )
        .await,
        []
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                min_score: Score::new(70).ok(),
                ..f()
            }
        )
        .await,
        [a.id, c.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                min_price: Some(price("9.99")),
                ..f()
            }
        )
        .await,
        [b.id, c.id, d.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                max_price: Some(price("10.00")),
                ..f()
            }
        )
        .await,
        [b.id, a.id, c.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                max_price: Some(price("9.99")),
                ..f()
            }
        )
        .await,
        [a.id, c.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                min_price: Some(price("5.00")),
                max_price: Some(price("5.00")),
                ..f()
            }
        )
        .await,
        [a.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                in_stock: Some(true),
                ..f()
            }
        )
        .await,
        [b.id, c.id, d.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                in_stock: Some(false),
                ..f()
            }
        )
        .await,
        [a.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("bamboo"),
                ..f()
            }
        )
        .await,
        [b.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("ECO"),
                ..f()
            }
        )
        .await,
        [a.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("THINGS"),
                ..f()
            }
        )
        .await,
        [c.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("o"),
                ..f()
            }
        )
        .await,
        [b.id, a.id, d.id]
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("%"),
                ..f()
            }
        )
        .await,
        [],
        "LIKE wildcards are literal"
    );
    assert_eq!(
        ids(
            &store,
            ProductFilter {
                search: search("_"),
                ..f()
            }
        )
        .await,
        [],
        "LIKE wildcards are literal"
    );
    let combined = ProductFilter {
        category: Some(slug_of("cups")),
        in_stock: Some(true),
        min_score: Score::new(50).ok(),
        max_price: Some(price("10.00")),
        search: search("cup"),
        ..f()
    };
    assert_eq!(ids(&store, combined).await, [b.id]);
}

/// The eight orderings, ties broken by id ascending in every direction.
pub async fn orderings_sort_as_documented_with_ties_by_id(store: Arc<dyn Store>) {
    let mut four = [
        product("apple", "10.00", 1),
        product("Banana", "5.00", 1),
        product("Banana", "10.00", 1),
        product("cherry", "9.99", 1),
    ];
    for (i, (p, score)) in four.iter_mut().zip([40, 90, 40, 60]).enumerate() {
        p.score = Score::new(score).expect("score");
        p.created_at = at([30, 10, 10, 20][i]);
    }
    // Make ties deterministic: the two "Banana" and the two 10.00 need known id order.
    let mut sorted_ids: Vec<ProductId> = four.iter().map(|p| p.id).collect();
    sorted_ids.sort();
    for (p, id) in four.iter_mut().zip(sorted_ids) {
        p.id = id;
    }
    let [apple, banana5, banana10, cherry] = [&four[0], &four[1], &four[2], &four[3]];
    insert_all(&store, &[apple, banana5, banana10, cherry]).await;
    // ids ascend: apple < banana5 < banana10 < cherry.
    use ProductOrdering::*;
    let expected = [
        (PriceAsc, [banana5.id, cherry.id, apple.id, banana10.id]),
        (PriceDesc, [apple.id, banana10.id, cherry.id, banana5.id]),
        (ScoreAsc, [apple.id, banana10.id, cherry.id, banana5.id]),
        (ScoreDesc, [banana5.id, cherry.id, apple.id, banana10.id]),
        (NameAsc, [apple.id, banana5.id, banana10.id, cherry.id]),
        (NameDesc, [cherry.id, banana5.id, banana10.id, apple.id]),
        (CreatedAsc, [banana5.id, banana10.id, cherry.id, apple.id]),
        (CreatedDesc, [apple.id, cherry.id, banana5.id, banana10.id]),
    ];
    for (ordering, want) in expected {
        let query = ProductQuery {
            ordering,
            ..Default::default()
        };
        let got: Vec<_> = store
            .list_products(&query)
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(got, want, "ordering {}", ordering.as_str());
    }
}

/// `count` is every match; pages cut the ordered list; past the end is empty.
pub async fn pagination_counts_every_match(store: Arc<dyn Store>) {
    let five: Vec<_> = (0..5)
        .map(|i| product(&format!("P{i}"), "1.00", 1))
        .collect();
    insert_all(&store, &five.iter().collect::<Vec<_>>()).await;
    let mut seen = Vec::new();
    for (n, expected_len) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let query = ProductQuery {
            ordering: ProductOrdering::NameAsc,
            page: page(n, 2),
            ..Default::default()
        };
        let got = store.list_products(&query).await.expect("list");
        assert_eq!(got.count, 5, "page {n}");
        assert_eq!(got.items.len(), expected_len, "page {n}");
        seen.extend(got.items.into_iter().map(|p| p.name.to_string()));
    }
    assert_eq!(seen, ["P0", "P1", "P2", "P3", "P4"]);
}

/// A product's SKU, GTIN and weight read back exactly; SKU and GTIN are
/// unique among live products (an archived product gives them up), on
/// insert and on update; the list filters by either, exactly.
pub async fn identifiers_read_back_and_are_unique_among_live_products(store: Arc<dyn Store>) {
    use crate::domain::{Gtin, Sku, WeightKg};
    let sku = |s: &str| Some(Sku::parse(s).expect("sku"));
    let gtin = |s: &str| Some(Gtin::parse(s).expect("gtin"));
    let mut bottle = product("Bottle", "9.00", 4);
    bottle.sku = sku("BTL-500");
    bottle.gtin = gtin("4006381333931");
    bottle.weight_kg = Some("0.350".parse::<WeightKg>().expect("weight"));
    let mut cup = product("Cup", "3.00", 4);
    cup.sku = sku("CUP-1");
    insert_all(&store, &[&bottle, &cup]).await;
    assert_eq!(
        store.get_product(bottle.id).await.expect("get"),
        Some(bottle.clone())
    );

    let mut copy = product("Copy", "1.00", 1);
    copy.sku = sku("BTL-500");
    assert!(matches!(
        store.insert_product(&copy).await,
        Err(StoreError::Duplicate(UniqueField::ProductSku))
    ));
    copy.sku = None;
    copy.gtin = gtin("04006381333931");
    assert!(matches!(
        store.insert_product(&copy).await,
        Err(StoreError::Duplicate(UniqueField::ProductGtin))
    ));
    let mut taken = cup.clone();
    taken.gtin = bottle.gtin.clone();
    assert!(matches!(
        store.update_product(&taken).await,
        Err(StoreError::Duplicate(UniqueField::ProductGtin))
    ));
    // Writing a product with its own identifiers again is fine.
    let mut cheaper = bottle.clone();
    cheaper.price = price("8.00");
    let bottle = store.update_product(&cheaper).await.expect("update");

    let by = |filter: ProductFilter| ProductQuery {
        filter,
        ..ProductQuery::default()
    };
    let found = store
        .list_products(&by(ProductFilter {
            gtin: gtin("4006381333931"),
            ..ProductFilter::default()
        }))
        .await
        .expect("list");
    assert_eq!(found.items, std::slice::from_ref(&bottle));
    let found = store
        .list_products(&by(ProductFilter {
            sku: sku("btl-500"),
            ..ProductFilter::default()
        }))
        .await
        .expect("list");
    assert_eq!(found.count, 0, "a SKU matches exactly");

    // Archived, the bottle gives its identifiers up.
    store
        .archive_product(bottle.id, at(9))
        .await
        .expect("archive");
    copy.sku = sku("BTL-500");
    store
        .insert_product(&copy)
        .await
        .expect("identifiers given up");
}
