//! Footprint record cases of [`CatalogStore`](crate::ports::CatalogStore).

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::fixtures::*;
use crate::Store;
use crate::catalog::Product;
use crate::ports::StoreError;
use crate::sustainability::{
    DeclaredUnit, FootprintRecord, FootprintSource, Geography, SystemBoundary, Verification,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A record with every optional part set, figures at their extremes.
pub fn full_record() -> FootprintRecord {
    FootprintRecord {
        declared_unit: DeclaredUnit::CubicMeter,
        unitary_product_amount: Decimal::new(1_234_567, 6),
        pcf_excluding_biogenic_kg: Decimal::new(999_999_999_999, 3),
        pcf_including_biogenic_kg: Decimal::new(-4_100, 3),
        boundary: SystemBoundary::CradleToGrave,
        reference_period_start: day(2025, 1, 1),
        reference_period_end: day(2025, 12, 31),
        valid_until: day(2028, 12, 31),
        geography: Geography::parse("PT").expect("geography"),
        primary_data_share: Some(Decimal::new(6_255, 2)),
        standards: vec!["ISO 14067:2018".into(), "PACT 3.0 – ♻".into()],
        verification: Some(Verification {
            verified: true,
            provider: Some("Vérificateur 'SA'; --".into()),
            date: Some(day(2026, 3, 1)),
        }),
        updated_at: at(5),
    }
}

/// A record with no optional part.
pub fn bare_record() -> FootprintRecord {
    FootprintRecord {
        declared_unit: DeclaredUnit::Piece,
        unitary_product_amount: Decimal::ONE,
        pcf_excluding_biogenic_kg: Decimal::ZERO,
        pcf_including_biogenic_kg: Decimal::ZERO,
        boundary: SystemBoundary::GateToGate,
        reference_period_start: day(2024, 2, 29),
        reference_period_end: day(2024, 3, 1),
        valid_until: day(2024, 3, 1),
        geography: Geography::Global,
        primary_data_share: None,
        standards: Vec::new(),
        verification: None,
        updated_at: at(6),
    }
}

fn owning(mut product: Product, record: &FootprintRecord) -> Product {
    product = with_metrics(product, 0.5, 60);
    if let Some(m) = product.metrics.as_mut() {
        m.carbon_footprint_kg = record.per_item_carbon();
    }
    product.footprint_source = FootprintSource::Record;
    product
}

/// A record reads back exactly as written, its product changed in the same
/// write; setting again replaces it; removing it leaves the product's figure.
pub async fn a_footprint_record_reads_back_and_changes_with_its_product(store: Arc<dyn Store>) {
    let p = product("Crate", "12.00", 3);
    insert_all(&store, &[&p]).await;
    assert_eq!(store.get_footprint(p.id).await.expect("get"), None);

    let full = full_record();
    let stored = store
        .set_footprint(&owning(p.clone(), &full), Some(&full))
        .await
        .expect("set");
    assert_eq!(stored.version, p.version + 1);
    assert_eq!(stored.footprint_source, FootprintSource::Record);
    assert_eq!(
        store.get_footprint(p.id).await.expect("get"),
        Some(full.clone())
    );
    assert_eq!(
        store.get_product(p.id).await.expect("get"),
        Some(stored.clone())
    );

    let bare = bare_record();
    let stored = store
        .set_footprint(&owning(stored, &bare), Some(&bare))
        .await
        .expect("replace");
    assert_eq!(store.get_footprint(p.id).await.expect("get"), Some(bare));

    // An ordinary update leaves the record alone.
    let mut renamed = stored.clone();
    renamed.name = crate::domain::ProductName::parse("Big Crate").expect("name");
    let stored = store.update_product(&renamed).await.expect("update");
    assert!(store.get_footprint(p.id).await.expect("get").is_some());

    let mut declared = stored.clone();
    declared.footprint_source = FootprintSource::Declared;
    let stored = store.set_footprint(&declared, None).await.expect("remove");
    assert_eq!(store.get_footprint(p.id).await.expect("get"), None);
    assert_eq!(stored.footprint_source, FootprintSource::Declared);
    assert_eq!(stored.metrics, declared.metrics, "the last figure stays");
}

/// Setting a record is compare-and-set on the product: from a stale read
/// nothing is written, record included; an archived product has none.
pub async fn a_footprint_write_from_a_stale_read_writes_nothing(store: Arc<dyn Store>) {
    let p = product("Tray", "2.00", 1);
    insert_all(&store, &[&p]).await;
    let mut moved = p.clone();
    moved.stock = crate::domain::Stock::new(7).expect("stock");
    store.update_product(&moved).await.expect("update");

    let record = full_record();
    assert!(matches!(
        store
            .set_footprint(&owning(p.clone(), &record), Some(&record))
            .await,
        Err(StoreError::StaleWrite)
    ));
    assert_eq!(store.get_footprint(p.id).await.expect("get"), None);
    let now = store.get_product(p.id).await.expect("get").expect("live");
    assert_eq!(now.footprint_source, FootprintSource::Declared);

    store
        .set_footprint(&owning(now.clone(), &record), Some(&record))
        .await
        .expect("set from a fresh read");
    store.archive_product(p.id, at(9)).await.expect("archive");
    assert_eq!(store.get_footprint(p.id).await.expect("get"), None);
    assert!(matches!(
        store
            .set_footprint(&owning(now, &record), Some(&record))
            .await,
        Err(StoreError::NotFound)
    ));
}
