//! The sustainability service: a product's metrics and score breakdown, and
//! a customer's footprint summary.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::catalog::{Product, ProductChanges, SustainabilityMetrics};
use crate::domain::{ProductId, Score, Timestamp};
use crate::orders::SustainabilitySummary;
use crate::scoring::{ScoreBreakdown, ScoreMethod};

use super::{Catalog, CatalogError, OrderError, Orders};

/// A product's metrics, its stored score with its method, and the points
/// behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSustainability {
    /// The metrics.
    pub metrics: SustainabilityMetrics,
    /// The score as stored.
    pub score: Score,
    /// The method that computed it.
    pub score_method: ScoreMethod,
    /// When it was computed.
    pub score_computed_at: Timestamp,
    /// Points per factor, which add up to the score (clamped to 0..=100),
    /// as the policy the score names computed them; `None` for a score
    /// stored before breakdowns were kept by a policy other than
    /// `ecolaura-default@1` (never recomputed with another policy).
    pub breakdown: Option<ScoreBreakdown>,
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
        self.explain(product)
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
        let product = self.catalog.update_product(actor, id, &changes).await?;
        self.explain(product)
    }

    /// The stored score of `product`, explained by the policy it names.
    fn explain(&self, product: Product) -> Result<ProductSustainability, CatalogError> {
        let metrics = product.metrics.ok_or(CatalogError::NoMetrics)?;
        Ok(ProductSustainability {
            metrics,
            score: product.score,
            breakdown: product.score_breakdown,
            score_method: product.score_method,
            score_computed_at: product.score_computed_at,
        })
    }

    /// The signed-in user's summary over their orders that are not cancelled.
    pub async fn summary(&self, actor: &Actor) -> Result<SustainabilitySummary, OrderError> {
        self.orders.summary(actor).await
    }
}
