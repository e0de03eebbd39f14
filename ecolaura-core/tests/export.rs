//! Exporting the catalog: every live product once, oldest first, in
//! batches that keep memory bounded, and a failing sink stops the walk.

use std::sync::Arc;

use ecolaura_core::Ecolaura;
use ecolaura_core::auth::Actor;
use ecolaura_core::catalog::{NewProduct, Product};
use ecolaura_core::domain::{Description, Limit, ProductId, ProductName, Score, Stock};
use ecolaura_core::memory::MemoryStore;
use ecolaura_core::services::CatalogExportError;

async fn shop(n: usize) -> (Ecolaura, Vec<ProductId>) {
    let app = Ecolaura::builder()
        .store(Arc::new(MemoryStore::new()))
        .build()
        .expect("app");
    let mut made = Vec::new();
    for i in 0..n {
        let p = app
            .catalog()
            .create_product(
                &Actor::System,
                NewProduct {
                    name: ProductName::parse(&format!("P{i}")).expect("name"),
                    description: Description::default(),
                    price: "1.00".parse().expect("price"),
                    category: None,
                    stock: Stock::new(1).expect("stock"),
                    metrics: None,
                    manual_score: Score::MIN,
                    sku: None,
                    gtin: None,
                    weight_kg: None,
                },
            )
            .await
            .expect("product");
        made.push(p.id);
    }
    (app, made)
}

#[tokio::test]
async fn an_export_hands_over_every_live_product_once_oldest_first_in_bounded_batches() {
    let (app, mut made) = shop(2_050).await;
    let archived = made.remove(17);
    app.catalog()
        .archive_product(&Actor::System, archived)
        .await
        .expect("archive");
    let mut seen = Vec::new();
    let mut batches = 0;
    let count = app
        .catalog()
        .export_products(|batch: &[Product]| {
            assert!(batch.len() <= Limit::BATCH.get() as usize);
            batches += 1;
            seen.extend(batch.iter().map(|p| p.id));
            Ok::<_, std::convert::Infallible>(())
        })
        .await
        .expect("export");
    assert_eq!(count, 2_049);
    assert_eq!(batches, 3);
    assert_eq!(
        seen, made,
        "every live product once, in the order they were made"
    );
}

#[tokio::test]
async fn a_failing_sink_stops_the_export_with_its_error() {
    let (app, _) = shop(1_200).await;
    let mut calls = 0;
    let stopped = app
        .catalog()
        .export_products(|_: &[Product]| {
            calls += 1;
            Err("disk full")
        })
        .await;
    assert!(matches!(
        stopped,
        Err(CatalogExportError::Sink("disk full"))
    ));
    assert_eq!(calls, 1);
}
