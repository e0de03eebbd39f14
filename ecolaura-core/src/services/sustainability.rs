//! The sustainability service: a product's metrics and score breakdown, and
//! a customer's footprint summary.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::catalog::{ProductChanges, SustainabilityMetrics};
use crate::domain::{ProductId, Score};
use crate::orders::SustainabilitySummary;
use crate::scoring::ScoreBreakdown;

use super::{Catalog, CatalogError, OrderError, Orders};

/// A product's metrics, its score and the points behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSustainability {
    /// The metrics.
    pub metrics: SustainabilityMetrics,
    /// The score computed from them.
    pub score: Score,
    /// Points per factor; they add up to the score (clamped to 0..=100).
    pub breakdown: ScoreBreakdown,
}

/// Sustainability views over the catalog and the orders.
#[derive(Clone)]
pub struct Sustainability {
    catalog: Catalog,
    orders: Arc<Orders>,
}

impl Sustainability {
    /// Wire the service.
    pub fn new(catalog: Catalog, orders: Arc<Orders>) -> Self {
        Self { catalog, orders }
    }

    /// A live product's metrics and score breakdown.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::NoMetrics`].
    pub async fn product(&self, id: ProductId) -> Result<ProductSustainability, CatalogError> {
        let product = self.catalog.product(id).await?;
        let metrics = product.metrics.ok_or(CatalogError::NoMetrics)?;
        Ok(self.explain(metrics))
    }

    /// Set a product's metrics (staff); its score is recomputed.
    pub async fn set_product_metrics(
        &self,
        actor: &Actor,
        id: ProductId,
        metrics: SustainabilityMetrics,
    ) -> Result<ProductSustainability, CatalogError> {
        let changes = ProductChanges {
            metrics: Some(Some(metrics)),
            ..Default::default()
        };
        self.catalog.update_product(actor, id, &changes).await?;
        Ok(self.explain(metrics))
    }

    fn explain(&self, metrics: SustainabilityMetrics) -> ProductSustainability {
        let breakdown = self.catalog.breakdown(&metrics);
        ProductSustainability {
            metrics,
            score: breakdown.score(),
            breakdown,
        }
    }

    /// The signed-in user's summary over their orders that are not cancelled.
    pub async fn summary(&self, actor: &Actor) -> Result<SustainabilitySummary, OrderError> {
        self.orders.summary(actor).await
    }
}
