//! `/api/v1/shipping-methods` and `/api/v1/shipping/quote`.

use std::sync::Arc;

use ecolaura_core::domain::Slug;
use ecolaura_core::orders::OrderRequest;
use ecolaura_core::sustainability::shipping::{NewShippingMethod, ShippingMethodChanges};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::bearer::optional_caller;
use super::query::page_request;
use super::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{
    PageLinks, ShippingMethodDto, ShippingMethodInput, ShippingMethodPage, ShippingMethodPatch,
    ShippingQuoteDto, ShippingQuoteInput,
};

/// Shipping methods and quotes.
pub(crate) struct ShippingApi {
    state: Arc<AppState>,
}

impl ShippingApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum MethodList {
    /// A page of shipping methods, by code.
    #[oai(status = 200)]
    Ok(Json<ShippingMethodPage>),
}

#[derive(ApiResponse)]
enum MethodCreated {
    /// The method was added.
    #[oai(status = 201)]
    Created(Json<ShippingMethodDto>),
}

#[derive(ApiResponse)]
enum MethodUpdated {
    /// The method as changed.
    #[oai(status = 200)]
    Ok(Json<ShippingMethodDto>),
}

#[derive(ApiResponse)]
enum Quoted {
    /// Every active method for the basket, the lowest emissions first.
    #[oai(status = 200)]
    Ok(Json<ShippingQuoteDto>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Shipping")]
impl ShippingApi {
    /// List shipping methods
    ///
    /// Anyone sees the active methods; staff (with a bearer token) see
    /// every method, inactive ones included.
    #[oai(
        path = "/shipping-methods",
        method = "get",
        operation_id = "list_shipping_methods"
    )]
    async fn list(
        &self,
        req: &Request,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
    ) -> Result<MethodList, Problem> {
        let request = page_request(page.0, page_size.0)?;
        let actor = optional_caller(req).await.map_err(|e| {
            e.downcast::<Problem>()
                .unwrap_or_else(|e| Problem::unauthorized(e.to_string()))
        })?;
        let found = self.state.app.shipping().methods(&actor, request).await?;
        let links = PageLinks::new(&self.state.public_url, req, Vec::new());
        Ok(MethodList::Ok(Json(ShippingMethodPage::new(
            found,
            &links,
            Into::into,
        ))))
    }

    /// Add a shipping method (staff)
    ///
    /// A shop keeps at most 100 methods (409 beyond).
    #[oai(
        path = "/shipping-methods",
        method = "post",
        operation_id = "create_shipping_method"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        body: JsonBody<ShippingMethodInput>,
    ) -> Result<MethodCreated, Problem> {
        let new = NewShippingMethod::try_from(&body.0)?;
        let method = self.state.app.shipping().create(auth.actor(), new).await?;
        Ok(MethodCreated::Created(Json(method.into())))
    }

    /// Change a shipping method (staff)
    ///
    /// Fields left out stay as they are. Orders placed with the method keep
    /// its name, price and emissions as they were.
    #[oai(
        path = "/shipping-methods/:code",
        method = "patch",
        operation_id = "update_shipping_method"
    )]
    async fn update(
        &self,
        auth: BearerAuth,
        /// The method's code.
        code: Path<String>,
        body: JsonBody<ShippingMethodPatch>,
    ) -> Result<MethodUpdated, Problem> {
        let changes = ShippingMethodChanges::try_from(&body.0)?;
        // A code that breaks the slug rule names no method.
        let code = Slug::parse(&code.0).map_err(|_| Problem::not_found("Shipping method"))?;
        let method = self
            .state
            .app
            .shipping()
            .update(auth.actor(), &code, &changes)
            .await?;
        Ok(MethodUpdated::Ok(Json(method.into())))
    }

    /// Quote shipping for a basket
    ///
    /// Every active method with its price and the shipment's emissions
    /// (tonnes shipped × `distance_km` × factor ÷ 1000, from the products'
    /// `weight_kg`), the lowest emissions first; `carbon_footprint_kg` is
    /// null when a product has no weight. 422 for a product that does not
    /// exist or is archived.
    #[oai(
        path = "/shipping/quote",
        method = "post",
        operation_id = "quote_shipping"
    )]
    async fn quote(&self, body: JsonBody<ShippingQuoteInput>) -> Result<Quoted, Problem> {
        let request = OrderRequest::try_from(&body.0)?;
        let options = self.state.app.shipping().quote(&request).await?;
        Ok(Quoted::Ok(Json(ShippingQuoteDto {
            options: options.into_iter().map(Into::into).collect(),
        })))
    }
}
