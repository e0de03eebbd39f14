//! Micro-benchmarks of the core's hot functions and the in-memory services.
//! Run: `cargo bench -p ecolaura-benches --bench core`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ecolaura_benches::shop_with_products;
use ecolaura_core::catalog::{ProductFilter, ProductQuery};
use ecolaura_core::prelude::*;
use ecolaura_core::scoring::{DefaultScoringPolicy, ScoringPolicy};

fn domain(c: &mut Criterion) {
    c.bench_function("price_parse_and_format", |b| {
        b.iter(|| {
            black_box("12345.67")
                .parse::<Price>()
                .map(|p| p.to_string())
        })
    });
    let metrics = SustainabilityMetrics {
        carbon_footprint_kg: CarbonKg::from_f64(1.2).expect("kg"),
        recyclable: true,
        biodegradable: false,
    };
    c.bench_function("default_scoring_breakdown", |b| {
        b.iter(|| DefaultScoringPolicy.breakdown(black_box(&metrics)).score())
    });
    let query = ProductQuery {
        filter: ProductFilter {
            min_price: "5.00".parse().ok(),
            in_stock: Some(true),
            ..Default::default()
        },
        ..Default::default()
    };
    c.bench_function("product_query_cache_key", |b| {
        b.iter(|| black_box(&query).cache_key())
    });
}

fn services(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (app, products) = rt.block_on(shop_with_products(100));
    let query = ProductQuery::default();
    c.bench_function("memory_cached_product_list_page_of_20", |b| {
        b.to_async(&rt).iter(|| async {
            app.catalog()
                .products(black_box(&query))
                .await
                .expect("list")
        })
    });
    let buyer = Actor::customer(UserId::new());
    let request = OrderRequest::new(
        products
            .iter()
            .take(3)
            .map(|p| OrderRequestLine {
                product_id: p.id,
                quantity: Quantity::new(1).expect("q"),
            })
            .collect(),
    )
    .expect("request");
    c.bench_function("memory_place_order_3_lines", |b| {
        b.to_async(&rt).iter(|| async {
            app.orders()
                .place(&buyer, black_box(&request), None)
                .await
                .expect("place")
        })
    });
}

criterion_group!(benches, domain, services);
criterion_main!(benches);
