//! Composition cases of [`CatalogStore`](crate::ports::CatalogStore).

use std::sync::Arc;

use rust_decimal::Decimal;

use super::fixtures::*;
use crate::Store;
use crate::ports::StoreError;
use crate::sustainability::passport::{Composition, Manufacturer, Material};

fn composition(when: i64, care: &str) -> Composition {
    Composition {
        materials: vec![
            Material {
                name: "PET «recyclé»; 'x' --".into(),
                share_percent: Decimal::new(8025, 2),
                recycled_percent: Decimal::ONE_HUNDRED,
            },
            Material {
                name: "Steel".into(),
                share_percent: Decimal::new(1975, 2),
                recycled_percent: Decimal::ZERO,
            },
        ],
        origin_country: "PT".into(),
        manufacturer: Manufacturer {
            name: "Fábrica Verde".into(),
            address: "Rua do Sol 1\n4000-001 Porto".into(),
        },
        care_and_disposal: care.into(),
        updated_at: at(when),
    }
}

/// A composition reads back exactly, a second one replaces it, each
/// write moves the product's version, and an archived product has none.
pub async fn a_composition_reads_back_and_changes_with_its_product(store: Arc<dyn Store>) {
    let p = product("Bottle", "9.00", 3);
    insert_all(&store, &[&p]).await;
    assert_eq!(store.get_composition(p.id).await.expect("get"), None);
    let first = composition(1, "");
    let stored = store.set_composition(&p, &first).await.expect("set");
    assert_eq!(stored.version, p.version + 1);
    assert_eq!(store.get_composition(p.id).await.expect("get"), Some(first));
    let second = composition(2, "Rinse.\nRecycle.");
    let stale = store.set_composition(&p, &second).await;
    assert!(matches!(stale, Err(StoreError::StaleWrite)), "{stale:?}");
    store.set_composition(&stored, &second).await.expect("set");
    assert_eq!(
        store.get_composition(p.id).await.expect("get"),
        Some(second)
    );
    store.archive_product(p.id, at(3)).await.expect("archive");
    assert_eq!(store.get_composition(p.id).await.expect("get"), None);
}
