//! The code of `docs/embedding.md`, compiled and run by its test.

use std::error::Error;
use std::sync::Arc;

use ecolaura_core::jobs::ShopMail;
use ecolaura_core::prelude::*;
use ecolaura_core::scoring::{ScoreBreakdown, ScoreFactor, ScoringPolicy};
use ecolaura_core::services::OrdersConfig;
use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};

/// The scoring policy of `docs/embedding.md`: recyclability first.
#[derive(Debug)]
pub struct RecycledFirst;

impl ScoringPolicy for RecycledFirst {
    fn breakdown(&self, m: &SustainabilityMetrics) -> ScoreBreakdown {
        ScoreBreakdown {
            factors: vec![
                ScoreFactor {
                    factor: "recyclable".into(),
                    points: if m.recyclable { 70 } else { 0 },
                },
                ScoreFactor {
                    factor: "biodegradable".into(),
                    points: if m.biodegradable { 30 } else { 0 },
                },
            ],
        }
    }
}

/// Open (or make) a shop in an SQLite file with a custom policy, and sell one
/// product through it. Returns the order's status after the jobs ran.
pub async fn shop_in_a_file(path: &std::path::Path) -> Result<OrderStatus, Box<dyn Error>> {
    let store = Arc::new(SqliteStore::open(&SqliteConfig::file(path)).await?);
    store.migrate().await?;
    let app = Ecolaura::builder()
        .store(store.clone())
        .scoring(Arc::new(RecycledFirst))
        .shop(ShopMail {
            shop_name: "Green Corner".into(),
        })
        .orders_config(OrdersConfig {
            currency: Currency::parse("CHF")?,
            ..OrdersConfig::default()
        })
        .build()?;
    let jar = app
        .catalog()
        .create_product(
            &Actor::System,
            NewProduct {
                name: ProductName::parse("Glass Jar")?,
                description: Description::default(),
                price: "4.00".parse()?,
                category: None,
                stock: Stock::new(2)?,
                metrics: Some(SustainabilityMetrics {
                    carbon_footprint_kg: CarbonKg::from_f64(0.9)?,
                    recyclable: true,
                    biodegradable: false,
                }),
                manual_score: Score::MIN,
                sku: None,
                gtin: None,
                weight_kg: None,
            },
        )
        .await?;
    let customer = app
        .accounts()
        .register(
            &Actor::Anonymous,
            NewAccount {
                email: Email::parse("ada@example.com")?,
                password: Password::new("correct horse battery")?,
                name: PersonName::parse("Ada")?,
                role: Role::Customer,
            },
        )
        .await?;
    let buyer = Actor::customer(customer.id);
    let request = OrderRequest::new(vec![OrderRequestLine {
        product_id: jar.id,
        quantity: Quantity::new(1)?,
    }])?;
    let order = app.orders().place(&buyer, &request, None).await?.order;
    app.worker(WorkerConfig {
        concurrency: 4,
        ..WorkerConfig::default()
    })
    .drain()
    .await?;
    let status = app.orders().get(&buyer, order.id).await?.status;
    store.close().await;
    Ok(status)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_embedding_guide_runs() {
        let path =
            std::env::temp_dir().join(format!("ecolaura-embedding-{}.db", std::process::id()));
        let status = super::shop_in_a_file(&path).await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        assert_eq!(status, ecolaura_core::orders::OrderStatus::Confirmed);
    }

    #[test]
    fn the_custom_policy_scores_as_documented() {
        use ecolaura_core::scoring::ScoringPolicy;
        let m = ecolaura_core::catalog::SustainabilityMetrics {
            carbon_footprint_kg: ecolaura_core::domain::CarbonKg::ZERO,
            recyclable: true,
            biodegradable: false,
        };
        assert_eq!(super::RecycledFirst.breakdown(&m).score().value(), 70);
    }
}
