//! Records for the conformance cases, built directly (not through services)
//! so each case controls every field.

use std::sync::Arc;

use chrono::TimeZone;

use crate::Store;
use crate::accounts::{PasswordHash, Role, User};
use crate::catalog::{Category, Product, ScoreSource, SustainabilityMetrics};
use crate::domain::{
    CarbonKg, CategoryName, Currency, Description, Email, OrderId, PersonName, Price, ProductId,
    ProductName, Quantity, Score, Slug, Stock, Timestamp, UserId,
};
use crate::idempotency::{IdempotencyKey, IdempotencyStamp};
use crate::jobs::{JobKind, NewJob};
use crate::orders::{Order, OrderLine, OrderRequest, OrderRequestLine, OrderStatus};
use crate::ports::{NewPlacement, PlacementOutcome};
use crate::scoring::{ScoreBreakdown, ScoreFactor, ScoreMethod, ScoreReason};

/// The suite's fixed "now": 2026-01-01T00:00:00Z.
pub fn t0() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `t0()` plus some seconds.
pub fn at(seconds: i64) -> Timestamp {
    t0() + chrono::Duration::seconds(seconds)
}

/// A category.
pub fn category(slug: &str) -> Category {
    Category {
        slug: slug_of(slug),
        name: CategoryName::parse(&slug.replace('-', " ")).expect("fixture name"),
        description: Description::parse("A category of things").expect("fixture description"),
        destruction_banned: false,
        created_at: t0(),
    }
}

/// A slug.
pub fn slug_of(s: &str) -> Slug {
    Slug::parse(s).expect("fixture slug")
}

/// A price.
pub fn price(s: &str) -> Price {
    s.parse().expect("fixture price")
}

/// A live product without metrics, manual score 50, made at `t0()`.
pub fn product(name: &str, price_text: &str, stock: u32) -> Product {
    Product {
        id: ProductId::new(),
        name: ProductName::parse(name).expect("fixture name"),
        description: Description::default(),
        price: price(price_text),
        category: None,
        stock: Stock::new(i64::from(stock)).expect("fixture stock"),
        metrics: None,
        manual_score: Score::new(50).expect("score"),
        score: Score::new(50).expect("score"),
        score_source: ScoreSource::Manual,
        score_method: ScoreMethod::manual(),
        score_computed_at: t0(),
        score_reason: ScoreReason::Manual,
        score_breakdown: None,
        sku: None,
        gtin: None,
        weight_kg: None,
        footprint_source: crate::sustainability::FootprintSource::Declared,
        archived: false,
        version: 1,
        created_at: t0(),
        updated_at: t0(),
    }
}

/// Give a product metrics and an effective score.
pub fn with_metrics(mut p: Product, kg: f64, score: i64) -> Product {
    p.metrics = Some(SustainabilityMetrics {
        carbon_footprint_kg: CarbonKg::from_f64(kg).expect("fixture kg"),
        recyclable: true,
        biodegradable: false,
    });
    p.score = Score::new(score).expect("score");
    p.score_source = ScoreSource::Metrics;
    p.score_method = ScoreMethod::policy("ecolaura-default", 7).expect("method");
    p.score_computed_at = t0() + chrono::Duration::seconds(5);
    p.score_reason = ScoreReason::MetricsChanged;
    p.score_breakdown = Some(ScoreBreakdown {
        factors: vec![
            ScoreFactor {
                factor: "carbon_footprint".into(),
                points: score,
            },
            ScoreFactor {
                factor: "certified_claims".into(),
                points: 0,
            },
        ],
    });
    p
}

/// Store products.
pub async fn insert_all(store: &Arc<dyn Store>, products: &[&Product]) {
    for p in products {
        store.insert_product(p).await.expect("insert product");
    }
}

/// A customer.
pub fn user(email: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("fixture email"),
        name: PersonName::parse("Fixture Person").expect("name"),
        role: Role::Customer,
        password_hash: PasswordHash::from_phc(
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        ),
        created_at: t0(),
    }
}

/// A pending order of `lines` (product, quantity) for `user`, made at `when`.
pub fn order(user: UserId, lines: &[(&Product, u32)], when: Timestamp) -> Order {
    Order {
        id: OrderId::new(),
        user_id: user,
        status: OrderStatus::Pending,
        currency: Currency::EUR,
        lines: lines
            .iter()
            .map(|(p, q)| OrderLine {
                product_id: p.id,
                name: p.name.clone(),
                unit_price: p.price,
                quantity: Quantity::new(i64::from(*q)).expect("fixture quantity"),
                unit_carbon_footprint_kg: p.metrics.map(|m| m.carbon_footprint_kg),
                sustainability_score: p.score,
                score_method: Some(p.score_method.clone()),
            })
            .collect(),
        shipping: None,
        confirmation_sent_at: None,
        created_at: when,
        updated_at: when,
    }
}

/// A placement of `order` with its `process_order` job and no key.
pub fn placement(order: Order) -> NewPlacement {
    let job = NewJob::for_order(JobKind::ProcessOrder, order.id, order.created_at);
    NewPlacement {
        order,
        jobs: vec![job],
        idempotency: None,
    }
}

/// A stamp for `key`, living one hour from `now`, fingerprinting `order`'s lines.
pub fn stamp(order: &Order, key: &str, now: Timestamp) -> IdempotencyStamp {
    let request = OrderRequest::new(
        order
            .lines
            .iter()
            .map(|l| OrderRequestLine {
                product_id: l.product_id,
                quantity: l.quantity,
            })
            .collect(),
    )
    .expect("fixture request");
    IdempotencyStamp {
        user_id: order.user_id,
        key: IdempotencyKey::parse(key).expect("fixture key"),
        fingerprint: request.fingerprint(),
        now,
        expires_at: now + chrono::Duration::hours(1),
    }
}

/// Place and expect success.
pub async fn place_ok(store: &Arc<dyn Store>, placement: NewPlacement) -> Order {
    match store.place_order(placement).await.expect("place_order") {
        PlacementOutcome::Placed { order, .. } => order,
        other => panic!("expected the order to be placed, got {other:?}"),
    }
}

/// A product's current stock (live or archived products both count: read via update-free path).
pub async fn stock_of(store: &Arc<dyn Store>, id: ProductId) -> u32 {
    store
        .get_product(id)
        .await
        .expect("get_product")
        .expect("product exists")
        .stock
        .get()
}
