//! Green claims: `/api/v1/products/{id}/claims` and the staff's expiry
//! report `/api/v1/claims`.

use std::sync::Arc;

use ecolaura_core::domain::{ClaimId, ProductId};
use ecolaura_core::sustainability::{ClaimDraft, Market};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::text::{MarketRule, Text};
use crate::wire::{ClaimDto, ClaimInput, ExpiringClaimDto};

/// Claims.
pub(crate) struct ClaimsApi {
    state: Arc<AppState>,
}

impl ClaimsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }

    fn today(&self) -> chrono::NaiveDate {
        self.state.app.clock().now().date_naive()
    }
}

/// The market a read asks for with `?market=`, else the shop's
/// (`ECOLAURA_MARKET`).
///
/// # Errors
/// 422 naming `market` for a code that is neither `EU` nor an EU state's.
pub(crate) fn requested_market(
    state: &AppState,
    param: Option<Text<MarketRule>>,
) -> Result<Market, Problem> {
    match param {
        Some(m) => Market::parse(&m).map_err(|e| Problem::invalid_field("market", e.to_string())),
        None => Ok(state.market),
    }
}

#[derive(ApiResponse)]
enum ClaimCreated {
    /// The claim was made.
    #[oai(status = 201)]
    Created(Json<ClaimDto>),
}

#[derive(ApiResponse)]
enum ClaimList {
    /// The claims.
    #[oai(status = 200)]
    Ok(Json<Vec<ClaimDto>>),
}

#[derive(ApiResponse)]
enum ClaimRemoved {
    /// The claim is gone.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
enum ExpiringList {
    /// Claims whose evidence lapses within the window, soonest first (at
    /// most 1000).
    #[oai(status = 200)]
    Ok(Json<Vec<ExpiringClaimDto>>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sustainability")]
impl ClaimsApi {
    /// Make a green claim on a product (staff)
    ///
    /// Every claim needs evidence. Refused with 422 and the rule's name in
    /// `rule` (with `market`): a generic claim without an EN ISO 14024 type
    /// I ecolabel and any claim resting on offsets (`empco-generic-claim`,
    /// `empco-offsets`: Directive (EU) 2024/825), `biodegradable` or
    /// `environmentally_friendly` in France (`agec-art-13`), and
    /// `recyclable`/`biodegradable` where the product's metrics say false
    /// (`metrics-agreement`).
    #[oai(
        path = "/products/:id/claims",
        method = "post",
        operation_id = "create_claim"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<ClaimInput>,
    ) -> Result<ClaimCreated, Problem> {
        let draft = ClaimDraft::try_from(&body.0)?;
        let claim = self
            .state
            .app
            .catalog()
            .add_claim(auth.actor(), ProductId::from_uuid(id.0), draft)
            .await?;
        Ok(ClaimCreated::Created(Json(ClaimDto::of(
            claim,
            self.today(),
            true,
        ))))
    }

    /// A product's green claims shown in a market today
    ///
    /// The claims made for the market (or for the whole EU) whose evidence
    /// holds today; certificate ids are left out. A claim disappears the
    /// day after its evidence lapses.
    #[oai(
        path = "/products/:id/claims",
        method = "get",
        operation_id = "list_claims"
    )]
    async fn list(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
        /// `EU` or an EU member state's code; default the shop's market
        /// (`ECOLAURA_MARKET`).
        market: Query<Option<Text<MarketRule>>>,
    ) -> Result<ClaimList, Problem> {
        let market = requested_market(&self.state, market.0)?;
        let today = self.today();
        let claims = self
            .state
            .app
            .catalog()
            .claims(ProductId::from_uuid(id.0))
            .await?;
        let shown = claims
            .into_iter()
            .filter(|c| c.shown(market, today))
            .map(|c| ClaimDto::of(c, today, false))
            .collect();
        Ok(ClaimList::Ok(Json(shown)))
    }

    /// Remove a green claim (staff)
    #[oai(
        path = "/products/:id/claims/:claim_id",
        method = "delete",
        operation_id = "remove_claim"
    )]
    async fn remove(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        /// The claim's id.
        claim_id: Path<uuid::Uuid>,
    ) -> Result<ClaimRemoved, Problem> {
        self.state
            .app
            .catalog()
            .remove_claim(
                auth.actor(),
                ProductId::from_uuid(id.0),
                ClaimId::from_uuid(claim_id.0),
            )
            .await?;
        Ok(ClaimRemoved::NoContent)
    }

    /// Claims whose evidence lapses soon (staff)
    ///
    /// Every claim of a live product whose evidence's last day is from
    /// today to `expiring_within_days` days ahead, soonest first, with its
    /// product; at most 1000.
    #[oai(path = "/claims", method = "get", operation_id = "expiring_claims")]
    async fn expiring(
        &self,
        auth: BearerAuth,
        /// The window in days, 0..3650 (default 30).
        #[oai(validator(minimum(value = "0"), maximum(value = "3650")))]
        expiring_within_days: Query<Option<u32>>,
    ) -> Result<ExpiringList, Problem> {
        let days = expiring_within_days.0.unwrap_or(30);
        let today = self.today();
        let found = self
            .state
            .app
            .catalog()
            .expiring_claims(auth.actor(), days)
            .await?;
        Ok(ExpiringList::Ok(Json(
            found
                .into_iter()
                .map(|row| ExpiringClaimDto::of(row, today))
                .collect(),
        )))
    }
}
