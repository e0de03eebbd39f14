//! Helpers shared by the cross-crate tests: an in-memory shop with a manual
//! clock, and fixtures made through the public services.

use std::sync::Arc;

use ecolaura_core::accounts::PasswordHasher;
use ecolaura_core::memory::{ManualClock, MemoryStore};
use ecolaura_core::prelude::*;

/// An in-memory shop whose clock moves only when told.
pub struct TestShop {
    /// The library.
    pub app: Ecolaura,
    /// Its store (to inspect sent e-mails, or switch storage off).
    pub store: Arc<MemoryStore>,
    /// Its clock.
    pub clock: Arc<ManualClock>,
}

impl TestShop {
    /// A fresh shop.
    pub fn new() -> Self {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::default());
        let app = Ecolaura::builder()
            .store(store.clone())
            .clock(clock.clone())
            .password_hasher(PasswordHasher::fast_insecure())
            .build()
            .expect("every port is given");
        Self { app, store, clock }
    }

    /// Register a customer and return them as an actor.
    pub async fn customer(&self, email: &str) -> (User, Actor) {
        let user = self
            .app
            .accounts()
            .register(
                &Actor::Anonymous,
                NewAccount {
                    email: Email::parse(email).expect("email"),
                    password: Password::new("correct horse battery").expect("password"),
                    name: PersonName::parse("Test Customer").expect("name"),
                    role: Role::Customer,
                },
            )
            .await
            .expect("register");
        let actor = Actor::customer(user.id);
        (user, actor)
    }

    /// Make a product with `stock` units at `price`, optionally with a footprint.
    pub async fn product(&self, name: &str, price: &str, stock: u32, kg: Option<f64>) -> Product {
        self.app
            .catalog()
            .create_product(
                &Actor::System,
                NewProduct {
                    name: ProductName::parse(name).expect("name"),
                    description: Description::default(),
                    price: price.parse().expect("price"),
                    category: None,
                    stock: Stock::new(i64::from(stock)).expect("stock"),
                    metrics: kg.map(|kg| SustainabilityMetrics {
                        carbon_footprint_kg: CarbonKg::from_f64(kg).expect("kg"),
                        recyclable: true,
                        biodegradable: false,
                    }),
                    manual_score: Score::new(40).expect("score"),
                    sku: None,
                    gtin: None,
                    weight_kg: None,
                },
            )
            .await
            .expect("create product")
    }
}

impl Default for TestShop {
    fn default() -> Self {
        Self::new()
    }
}

/// A request for `quantity` units of each product.
pub fn request(lines: &[(&Product, i64)]) -> OrderRequest {
    OrderRequest::new(
        lines
            .iter()
            .map(|(p, q)| OrderRequestLine {
                product_id: p.id,
                quantity: Quantity::new(*q).expect("quantity"),
            })
            .collect(),
    )
    .expect("request")
}
