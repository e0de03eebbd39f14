//! Shared set-up for the benchmarks in `benches/`.

pub mod rest;
pub mod scratch_db;

use ecolaura_core::accounts::PasswordHasher;
use ecolaura_core::prelude::*;

/// An in-memory shop with `n` products of 1,000,000 units each.
pub async fn shop_with_products(n: usize) -> (Ecolaura, Vec<Product>) {
    let app = Ecolaura::builder()
        .store(std::sync::Arc::new(
            ecolaura_core::memory::MemoryStore::new(),
        ))
        .password_hasher(PasswordHasher::fast_insecure())
        .build()
        .expect("every port is given");
    let mut products = Vec::with_capacity(n);
    for i in 0..n {
        let p = app
            .catalog()
            .create_product(
                &Actor::System,
                NewProduct {
                    name: ProductName::parse(&format!("Product {i}")).expect("name"),
                    description: Description::parse("A product for benchmarks")
                        .expect("description"),
                    price: Price::from_minor_units(100 + i as i64).expect("price"),
                    category: None,
                    stock: Stock::new(1_000_000).expect("stock"),
                    metrics: Some(SustainabilityMetrics {
                        carbon_footprint_kg: CarbonKg::from_f64(0.1 * i as f64).expect("kg"),
                        recyclable: i % 2 == 0,
                        biodegradable: i % 3 == 0,
                    }),
                    manual_score: Score::MIN,
                    sku: None,
                    gtin: None,
                    weight_kg: None,
                },
            )
            .await
            .expect("product");
        products.push(p);
    }
    (app, products)
}
pub mod throughput;
