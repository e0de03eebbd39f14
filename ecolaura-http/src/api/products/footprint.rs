//! `/api/v1/products/{id}/footprint`: a product's carbon footprint record.

use std::sync::Arc;

use ecolaura_core::domain::ProductId;
use ecolaura_core::sustainability::FootprintDraft;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{FootprintDto, FootprintInput};

/// Footprint records.
pub(crate) struct FootprintApi {
    state: Arc<AppState>,
}

impl FootprintApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }

    fn dto(&self, record: ecolaura_core::sustainability::FootprintRecord) -> FootprintDto {
        FootprintDto::of(record, self.state.app.clock().now().date_naive())
    }
}

#[derive(ApiResponse)]
enum FootprintFound {
    /// The record; `expired` once today is past `valid_until`.
    #[oai(status = 200)]
    Ok(Json<FootprintDto>),
}

#[derive(ApiResponse)]
enum FootprintRemoved {
    /// The record is gone; the product keeps its last per-item figure as
    /// declared.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sustainability")]
impl FootprintApi {
    /// A product's carbon footprint record
    ///
    /// 404 when the product has none.
    #[oai(
        path = "/products/:id/footprint",
        method = "get",
        operation_id = "get_product_footprint"
    )]
    async fn get(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<FootprintFound, Problem> {
        let record = self
            .state
            .app
            .catalog()
            .footprint(ProductId::from_uuid(id.0))
            .await?;
        Ok(FootprintFound::Ok(Json(self.dto(record))))
    }

    /// Set a product's carbon footprint record (staff)
    ///
    /// ISO 14067 / PACT fields. Its per-item figure (`per_item_kg`) becomes
    /// the product's `sustainability.carbon_footprint_kg`, with
    /// `footprint_source: "record"`, and the score follows; a product
    /// without metrics gets them (not recyclable, not biodegradable).
    /// Each broken rule is a 422 naming its field.
    #[oai(
        path = "/products/:id/footprint",
        method = "put",
        operation_id = "set_product_footprint"
    )]
    async fn set(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<FootprintInput>,
    ) -> Result<FootprintFound, Problem> {
        let draft = FootprintDraft::try_from(&body.0)?;
        let (_, record) = self
            .state
            .app
            .catalog()
            .set_footprint(auth.actor(), ProductId::from_uuid(id.0), draft)
            .await?;
        Ok(FootprintFound::Ok(Json(self.dto(record))))
    }

    /// Remove a product's carbon footprint record (staff)
    ///
    /// The product keeps the record's last per-item figure, now declared.
    /// 404 when it has no record.
    #[oai(
        path = "/products/:id/footprint",
        method = "delete",
        operation_id = "remove_product_footprint"
    )]
    async fn remove(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<FootprintRemoved, Problem> {
        self.state
            .app
            .catalog()
            .remove_footprint(auth.actor(), ProductId::from_uuid(id.0))
            .await?;
        Ok(FootprintRemoved::NoContent)
    }
}
