//! A product's composition (`/api/v1/products/{id}/composition`), its
//! Digital Product Passport (`…/passport`) and the GS1 Digital Link
//! resolver (`/01/{gtin}`, outside `/api`).

use std::sync::Arc;

use ecolaura_core::domain::{Gtin, ProductId};
use ecolaura_core::sustainability::passport::{CompositionDraft, PassportView};
use poem::Request;
use poem::web::Accept;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use crate::api::bearer::optional_caller;
use crate::api::negotiate::prefers;
use crate::api::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{CompositionDto, PassportViewDto};

/// Compositions and passports.
pub(crate) struct PassportApi {
    state: Arc<AppState>,
}

impl PassportApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum CompositionFound {
    /// The composition.
    #[oai(status = 200)]
    Ok(Json<CompositionDto>),
}

/// The passport, as JSON-LD or plain JSON.
#[derive(ResponseContent)]
enum PassportBody {
    #[oai(content_type = "application/ld+json")]
    LdJson(Json<serde_json::Value>),
    Json(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
enum PassportFound {
    /// The passport: a JSON-LD document (`application/ld+json`, or
    /// `application/json` when the client prefers it).
    #[oai(status = 200)]
    Ok(PassportBody),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sustainability")]
impl PassportApi {
    /// A product's composition
    ///
    /// 404 when none was set.
    #[oai(
        path = "/products/:id/composition",
        method = "get",
        operation_id = "get_product_composition"
    )]
    async fn get(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<CompositionFound, Problem> {
        let found = self
            .state
            .app
            .catalog()
            .composition(ProductId::from_uuid(id.0))
            .await?;
        Ok(CompositionFound::Ok(Json(CompositionDto::of(found))))
    }

    /// Set a product's composition (staff)
    ///
    /// Materials with their shares (summing to 100 ± 0.5, else 422) and
    /// recycled content, the origin country, the manufacturer, care and
    /// disposal: what the product's passport shows.
    #[oai(
        path = "/products/:id/composition",
        method = "put",
        operation_id = "set_product_composition"
    )]
    async fn set(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<CompositionDto>,
    ) -> Result<CompositionFound, Problem> {
        let draft = CompositionDraft::try_from(&body.0)?;
        let set = self
            .state
            .app
            .catalog()
            .set_composition(auth.actor(), ProductId::from_uuid(id.0), draft)
            .await?;
        Ok(CompositionFound::Ok(Json(CompositionDto::of(set))))
    }

    /// A product's Digital Product Passport
    ///
    /// JSON-LD (schema.org, the GS1 web vocabulary, PACT's footprint
    /// fields): `@id` is the GS1 Digital Link URI of the product's GTIN
    /// (`urn:uuid:{id}` without one); name, identifiers, composition, the
    /// claims whose evidence holds today, the footprint record, the score
    /// with its method. `view=authority` (staff, with a bearer token) adds
    /// certificate numbers, the verifier and the discard ledger; 401
    /// without a token, 403 for a customer.
    #[oai(
        path = "/products/:id/passport",
        method = "get",
        operation_id = "get_product_passport"
    )]
    async fn passport(
        &self,
        req: &Request,
        accept: Accept,
        /// The product's id.
        id: Path<uuid::Uuid>,
        /// `public` (default) or `authority`.
        view: Query<Option<PassportViewDto>>,
    ) -> Result<PassportFound, Problem> {
        let view = match view.0.unwrap_or(PassportViewDto::Public) {
            PassportViewDto::Public => PassportView::Public,
            PassportViewDto::Authority => PassportView::Authority,
        };
        let actor = match view {
            PassportView::Authority => optional_caller(req).await.map_err(|e| {
                e.downcast::<Problem>()
                    .unwrap_or_else(|e| Problem::unauthorized(e.to_string()))
            })?,
            PassportView::Public => ecolaura_core::auth::Actor::Anonymous,
        };
        let doc = self
            .state
            .app
            .passports()
            .passport(
                &actor,
                ProductId::from_uuid(id.0),
                view,
                &self.state.dpp_resolver,
            )
            .await?;
        Ok(PassportFound::Ok(
            if prefers(&accept, "application/json", "application/ld+json") {
                PassportBody::Json(Json(doc))
            } else {
                PassportBody::LdJson(Json(doc))
            },
        ))
    }
}

/// The GS1 Digital Link resolver.
pub(crate) struct ResolverApi {
    state: Arc<AppState>,
}

impl ResolverApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum Resolved {
    /// The passport of the product with this GTIN.
    #[oai(status = 307)]
    Redirect(#[oai(header = "Location")] String),
}

#[OpenApi(tag = "ApiTags::Sustainability")]
impl ResolverApi {
    /// Resolve a GS1 Digital Link
    ///
    /// `/01/{gtin}` with a GTIN-8, -12, -13 or -14: 307 to the passport of
    /// the live product with that GTIN; 404 when none has it (or the GTIN
    /// is not one).
    #[oai(
        path = "/01/:gtin",
        method = "get",
        operation_id = "resolve_digital_link"
    )]
    async fn resolve(
        &self,
        /// The GTIN, any of its forms.
        gtin: Path<String>,
    ) -> Result<Resolved, Problem> {
        let gtin = Gtin::parse(&gtin.0).map_err(|_| Problem::not_found("Product"))?;
        let id = self
            .state
            .app
            .passports()
            .product_with_gtin(gtin)
            .await?
            .ok_or_else(|| Problem::not_found("Product"))?;
        let base = self.state.public_url.as_str();
        Ok(Resolved::Redirect(format!(
            "{base}/api/v1/products/{}/passport",
            id.as_uuid()
        )))
    }
}
