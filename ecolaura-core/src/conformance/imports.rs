//! Catalog imports ([`CatalogImport`](crate::ports::CatalogImport)): what an
//! import reads, and that what it writes lands all at once at its commit,
//! or not at all.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::catalog::{ImportMode, Product};
use crate::domain::{Gtin, ProductId, Sku, Stock};
use crate::ports::{StoreError, UniqueField};

fn sku(s: &str) -> Sku {
    Sku::parse(s).expect("fixture sku")
}

fn gtin(s: &str) -> Gtin {
    Gtin::parse(s).expect("fixture gtin")
}

/// A live product with a SKU (and a GTIN).
fn with_sku(name: &str, code: &str, barcode: Option<&str>) -> Product {
    let mut p = product(name, "1.00", 5);
    p.sku = Some(sku(code));
    p.gtin = barcode.map(gtin);
    p
}

/// `p` as the import would replace it: another name, price and stock, a
/// new category and a score computed anew.
fn replaced(p: &Product) -> Product {
    let mut next = with_metrics(p.clone(), 2.5, 61);
    next.name = crate::domain::ProductName::parse("Replaced").expect("name");
    next.price = price("9.99");
    next.stock = Stock::new(42).expect("stock");
    next.category = Some(slug_of("imported"));
    next.score_computed_at = at(60);
    next.updated_at = at(60);
    next
}

/// The import reads live products by SKU (not archived ones), which live
/// products hold which GTINs, and which categories exist.
pub async fn an_import_reads_live_products_by_sku_gtin_and_category(store: Arc<dyn Store>) {
    store
        .insert_category(&category("mugs"))
        .await
        .expect("category");
    let live = with_sku("Live", "A-1", Some("4006381333931"));
    let archived = with_sku("Archived", "A-2", Some("96385074"));
    let other = with_sku("Other", "A-3", None);
    insert_all(&store, &[&live, &archived, &other]).await;
    store
        .archive_product(archived.id, at(1))
        .await
        .expect("archive");

    let mut import = store.begin_import(ImportMode::Write).await.expect("begin");
    let found = import
        .live_products_by_sku(&[sku("A-1"), sku("A-2"), sku("Z-9")])
        .await
        .expect("by sku");
    assert_eq!(
        found,
        vec![live.clone()],
        "only the live product, as stored"
    );
    let holders = import
        .gtin_holders(&[gtin("4006381333931"), gtin("96385074")])
        .await
        .expect("holders");
    assert_eq!(holders, vec![(gtin("4006381333931"), live.id)]);
    let slugs = import
        .existing_categories(&[slug_of("mugs"), slug_of("cups")])
        .await
        .expect("categories");
    assert_eq!(slugs, vec![slug_of("mugs")]);
    assert!(
        import
            .claims_of(&[live.id])
            .await
            .expect("claims")
            .is_empty()
    );
}

/// Nothing an import writes is seen before its commit; at the commit the
/// new categories and products, the replaced products (their version moved
/// on by one, their creation kept) and their new scores' history land
/// together.
pub async fn an_import_lands_all_at_once_at_its_commit(store: Arc<dyn Store>) {
    let kept = with_sku("Kept", "K-1", Some("4006381333931"));
    insert_all(&store, &[&kept]).await;
    let mut made = with_sku("Made", "M-1", Some("96385074"));
    made.category = Some(slug_of("imported"));
    made.created_at = at(60);
    made.score_computed_at = at(60);
    let next = replaced(&kept);

    let mut import = store.begin_import(ImportMode::Write).await.expect("begin");
    import
        .insert_categories(&[category("imported")])
        .await
        .expect("categories");
    import
        .write_products(&[made.clone(), next.clone()])
        .await
        .expect("write");
    assert_nothing_imported(&store, &made, &kept).await;

    import.commit().await.expect("commit");
    assert_eq!(
        store.get_product(made.id).await.expect("read"),
        Some(made.clone())
    );
    let stored = store
        .get_product(kept.id)
        .await
        .expect("read")
        .expect("live");
    assert_eq!(
        stored,
        Product {
            version: kept.version + 1,
            ..next.clone()
        }
    );
    assert_eq!(stored.created_at, kept.created_at);
    assert!(
        store
            .get_category(&slug_of("imported"))
            .await
            .expect("read")
            .is_some()
    );
    let history = store.score_history(kept.id, 10).await.expect("history");
    assert_eq!(history.len(), 2, "the old score and the new one");
    assert_eq!(history[0].at, at(60));
    assert_eq!(
        store
            .score_history(made.id, 10)
            .await
            .expect("history")
            .len(),
        1
    );
}

/// An import dropped without a commit writes nothing, and the store takes
/// writes again at once.
pub async fn an_import_dropped_without_commit_writes_nothing(store: Arc<dyn Store>) {
    let kept = with_sku("Kept", "K-1", None);
    insert_all(&store, &[&kept]).await;
    let made = with_sku("Made", "M-1", None);
    {
        let mut import = store.begin_import(ImportMode::Write).await.expect("begin");
        import
            .insert_categories(&[category("imported")])
            .await
            .expect("categories");
        import
            .write_products(&[made.clone(), replaced(&kept)])
            .await
            .expect("write");
    }
    let after = with_sku("After", "A-1", None);
    store
        .insert_product(&after)
        .await
        .expect("a write after the import");
    assert_nothing_imported(&store, &made, &kept).await;
}

/// The store shows none of an import's writes: not `made`, `kept` as it
/// was, no `imported` category.
async fn assert_nothing_imported(store: &Arc<dyn Store>, made: &Product, kept: &Product) {
    assert_eq!(store.get_product(made.id).await.expect("read"), None);
    assert_eq!(
        store.get_product(kept.id).await.expect("read").as_ref(),
        Some(kept)
    );
    let category = store.get_category(&slug_of("imported")).await;
    assert_eq!(category.expect("read"), None);
}

/// A product that takes the SKU of another live product fails the import,
/// which then writes nothing.
pub async fn an_import_that_takes_a_live_sku_writes_nothing(store: Arc<dyn Store>) {
    let holder = with_sku("Holder", "H-1", None);
    insert_all(&store, &[&holder]).await;
    let first = with_sku("First", "F-1", None);
    let clash = with_sku("Clash", "H-1", None);
    let mut import = store.begin_import(ImportMode::Write).await.expect("begin");
    let outcome = async {
        import.write_products(std::slice::from_ref(&first)).await?;
        import.write_products(std::slice::from_ref(&clash)).await?;
        import.commit().await
    }
    .await;
    assert_eq!(
        outcome.map_err(|e| e.to_string()),
        Err(StoreError::Duplicate(UniqueField::ProductSku).to_string())
    );
    assert_eq!(store.get_product(first.id).await.expect("read"), None);
    assert_eq!(store.get_product(clash.id).await.expect("read"), None);
}

/// An update racing an import that read the same product: one of them wins
/// and the other is refused as stale, so neither write is lost silently.
pub async fn an_import_and_a_concurrent_update_never_both_land(store: Arc<dyn Store>) {
    let p = with_sku("Raced", "R-1", None);
    insert_all(&store, &[&p]).await;
    let mut import = store.begin_import(ImportMode::Write).await.expect("begin");
    let read = import
        .live_products_by_sku(&[sku("R-1")])
        .await
        .expect("by sku");
    assert_eq!(read, vec![p.clone()]);
    let mut edit = p.clone();
    edit.stock = Stock::new(1).expect("stock");
    let editor = {
        let store = store.clone();
        tokio::spawn(async move { store.update_product(&edit).await })
    };
    // Let the update reach the store (it may wait there for the import).
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let imported = async {
        import.insert_categories(&[category("imported")]).await?;
        import.write_products(&[replaced(&p)]).await?;
        import.commit().await
    }
    .await;
    let edited = editor.await.expect("editor task");
    let stored = store.get_product(p.id).await.expect("read").expect("live");
    match (imported, edited) {
        (Ok(()), Err(StoreError::StaleWrite)) => assert_eq!(stored.stock.get(), 42),
        (Err(StoreError::StaleWrite), Ok(_)) => assert_eq!(stored.stock.get(), 1),
        (imported, edited) => panic!("both or neither landed: {imported:?}, {edited:?}"),
    }
    assert_eq!(stored.version, p.version + 1, "exactly one write landed");
    let _: ProductId = stored.id;
}

/// A dry run reads the catalog as an import does, but locks nothing: a
/// writer of the product it read goes through at once, and the dry run's
/// own writes are refused.
pub async fn a_dry_run_locks_nothing_and_writes_nothing(store: Arc<dyn Store>) {
    let p = with_sku("Checked", "C-1", None);
    insert_all(&store, &[&p]).await;
    let mut dry = store.begin_import(ImportMode::DryRun).await.expect("begin");
    let read = dry
        .live_products_by_sku(&[sku("C-1")])
        .await
        .expect("by sku");
    assert_eq!(read, vec![p.clone()]);
    let mut edit = p.clone();
    edit.stock = Stock::new(1).expect("stock");
    // With the dry run still open, the update lands without waiting on it.
    let updated = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        store.update_product(&edit),
    )
    .await
    .expect("the update waited for a dry run")
    .expect("update");
    assert_eq!(updated.stock.get(), 1);
    assert!(dry.write_products(&[replaced(&p)]).await.is_err());
    assert!(dry.insert_categories(&[category("dry")]).await.is_err());
    drop(dry);
    let stored = store.get_product(p.id).await.expect("read").expect("live");
    assert_eq!(stored.stock.get(), 1);
    assert_eq!(
        store.get_category(&slug_of("dry")).await.expect("read"),
        None
    );
}
