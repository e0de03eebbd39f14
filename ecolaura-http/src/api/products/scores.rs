//! The versioned score: `/api/v1/score-policy` and a product's
//! `/api/v1/products/{id}/score-history`.

use std::sync::Arc;

use ecolaura_core::domain::ProductId;
use ecolaura_core::scoring::ScoreRules;
use ecolaura_core::services::CatalogError;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{ScoreEntryDto, ScorePolicyDto, ScorePolicyInput};

/// The score policy and score histories.
pub(crate) struct ScoresApi {
    state: Arc<AppState>,
}

impl ScoresApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

/// Core names the broken rules within the rules; the body holds them
/// under `rules`.
fn within_rules(e: CatalogError) -> CatalogError {
    match e {
        CatalogError::Invalid(errors) => CatalogError::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("rules.{}", e.field);
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

#[derive(ApiResponse)]
enum PolicyFound {
    /// The policy in force.
    #[oai(status = 200)]
    Ok(Json<ScorePolicyDto>),
}

#[derive(ApiResponse)]
enum HistoryFound {
    /// The product's scores, newest first (at most the newest 100).
    #[oai(status = 200)]
    Ok(Json<Vec<ScoreEntryDto>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sustainability")]
impl ScoresApi {
    /// The score policy in force
    ///
    /// Its name, version, rules and when it was published. Every product's
    /// score names the version that computed it (`score_method`); version 1
    /// is the rules Ecolaura ships.
    #[oai(
        path = "/score-policy",
        method = "get",
        operation_id = "get_score_policy"
    )]
    async fn get(&self) -> Result<PolicyFound, Problem> {
        let policy = self.state.app.catalog().score_policy().await?;
        Ok(PolicyFound::Ok(Json(policy.into())))
    }

    /// Publish new score rules (staff)
    ///
    /// The rules become the next version (even when they equal the current
    /// ones). New writes score with them at once; one background job
    /// rescores the rest of the catalog in batches, and reads show the new
    /// version as each batch lands. Rules that break their shape, or would
    /// let a greener product score lower, are 422 naming each field.
    #[oai(
        path = "/score-policy",
        method = "put",
        operation_id = "set_score_policy"
    )]
    async fn set(
        &self,
        auth: BearerAuth,
        body: JsonBody<ScorePolicyInput>,
    ) -> Result<PolicyFound, Problem> {
        let rules = ScoreRules::try_from(&body.0.rules)?;
        let policy = self
            .state
            .app
            .catalog()
            .publish_score_rules(auth.actor(), rules)
            .await
            .map_err(within_rules)?;
        Ok(PolicyFound::Ok(Json(policy.into())))
    }

    /// A product's score history
    ///
    /// Each score the product had, with its method, why it was computed
    /// (`metrics_changed`, `policy_changed`, `claim_changed`, `manual`) and
    /// when, newest first.
    #[oai(
        path = "/products/:id/score-history",
        method = "get",
        operation_id = "get_product_score_history"
    )]
    async fn history(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<HistoryFound, Problem> {
        let entries = self
            .state
            .app
            .catalog()
            .score_history(ProductId::from_uuid(id.0))
            .await?;
        Ok(HistoryFound::Ok(Json(
            entries.into_iter().map(Into::into).collect(),
        )))
    }
}
