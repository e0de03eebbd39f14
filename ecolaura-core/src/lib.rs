//! # Ecolaura core
//!
//! The storage-agnostic heart of Ecolaura, a sustainable-commerce backend:
//! products with environmental metrics and a sustainability score from a
//! pluggable policy, categories, stock, orders and their state machine,
//! accounts and an auth policy, background jobs and caching.
//!
//! - [`domain`]: value types that cannot hold an invalid value.
//! - [`catalog`], [`orders`], [`accounts`], [`jobs`], [`idempotency`], [`mail`]: records.
//! - [`scoring`]: the [`ScoringPolicy`](scoring::ScoringPolicy) trait and the default policy.
//! - [`auth`]: the authorization policy, a pure function.
//! - [`ports`]: the async traits adapters implement; each method is a unit of work.
//! - [`services`]: the rules, over the ports.
//! - [`memory`], [`cache`]: in-memory adapters and the moka cache.
//! - [`Ecolaura`]: the facade an embedding app builds.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ecolaura_core::prelude::*;
//!
//! let app = Ecolaura::in_memory();
//! let cup = app.catalog().create_product(&Actor::System, NewProduct {
//!     name: ProductName::parse("Bamboo Cup").unwrap(),
//!     description: Description::default(),
//!     price: "8.50".parse().unwrap(),
//!     category: None,
//!     stock: Stock::new(3).unwrap(),
//!     metrics: Some(SustainabilityMetrics {
//!         carbon_footprint_kg: CarbonKg::from_f64(0.4).unwrap(),
//!         recyclable: true,
//!         biodegradable: true,
//!     }),
//!     manual_score: Score::MIN,
//!     sku: None,
//!     gtin: None,
//!     weight_kg: None,
//! }).await.unwrap();
//! assert_eq!(cup.score.value(), 100);
//!
//! let buyer = Actor::customer(UserId::new());
//! let request = OrderRequest::new(vec![OrderRequestLine { product_id: cup.id, quantity: Quantity::new(2).unwrap() }]).unwrap();
//! let placed = app.orders().place(&buyer, &request, None).await.unwrap();
//! assert_eq!(placed.order.total().to_string(), "17.00");
//! assert_eq!(app.catalog().product(cup.id).await.unwrap().stock.get(), 1);
//! # });
//! ```

pub mod accounts;
pub mod auth;
pub mod cache;
pub mod catalog;
pub mod domain;
mod facade;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod memory;
pub mod orders;
pub mod ports;
pub mod scoring;
pub mod services;
pub mod sustainability;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use facade::{Ecolaura, EcolauraBuilder, MissingPort, Store};

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::accounts::{NewAccount, Password, Role, User};
    pub use crate::auth::Actor;
    pub use crate::catalog::{
        Category, NewCategory, NewProduct, Product, ProductChanges, ProductFilter, ProductOrdering,
        ProductQuery, SustainabilityMetrics,
    };
    pub use crate::domain::{
        CarbonKg, CategoryName, Currency, Description, Email, Money, OrderId, PageRequest,
        PersonName, Price, ProductId, ProductName, Quantity, Score, Slug, Stock, UserId,
    };
    pub use crate::idempotency::IdempotencyKey;
    pub use crate::jobs::WorkerConfig;
    pub use crate::orders::{Order, OrderRequest, OrderRequestLine, OrderStatus};
    pub use crate::{Ecolaura, EcolauraBuilder};
}
