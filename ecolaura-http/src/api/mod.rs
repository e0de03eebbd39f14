//! The REST API: one `#[OpenApi]` impl per resource, tagged.

mod accounts;
mod admin;
mod bearer;
mod catalog;
mod discards;
mod negotiate;
mod operations;
mod orders;
mod products;
mod query;
mod shipping;

use std::sync::Arc;

use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;

pub(crate) use accounts::AccountsApi;
pub(crate) use admin::AdminApi;
pub(crate) use bearer::BearerAuth;
pub(crate) use catalog::CategoriesApi;
pub(crate) use discards::DiscardsApi;
pub(crate) use operations::OperationsApi;
pub(crate) use orders::{OrdersApi, OrdersV2Api};
pub(crate) use products::{
    ClaimsApi, FootprintApi, PassportApi, ProductsApi, ProductsV2Api, ResolverApi, ScoresApi,
};
pub(crate) use shipping::ShippingApi;

/// The groups of operations in the document.
#[derive(Tags)]
pub(crate) enum ApiTags {
    /// Registration, tokens and the signed-in account.
    Auth,
    /// Product categories.
    Categories,
    /// Products, their stock and their sustainability.
    Products,
    /// Orders and their life cycle.
    Orders,
    /// Shipping methods with their transport mode and emission factor, and
    /// quotes that rank them by emissions (ISO 14083, GLEC).
    Shipping,
    /// Products' environmental data (metrics, footprint records, green
    /// claims, the score policy and score histories), the discarded-stock
    /// ledger and its yearly disclosure, and the environmental summary of
    /// one's orders.
    Sustainability,
    /// Health, readiness and metrics (outside `/api/v1`), and the job
    /// queue's health for staff.
    Operations,
}

/// Every API of the host.
pub(crate) type Apis = (
    AccountsApi,
    CategoriesApi,
    ProductsApi,
    FootprintApi,
    ClaimsApi,
    ScoresApi,
    DiscardsApi,
    PassportApi,
    ResolverApi,
    ShippingApi,
    OrdersApi,
    ProductsV2Api,
    OrdersV2Api,
    OperationsApi,
    AdminApi,
);

/// The OpenAPI service over `state`; `/api/v1/openapi.json` and `/docs`
/// are served from it.
pub(crate) fn service(state: &Arc<AppState>) -> OpenApiService<Apis, ()> {
    let apis = (
        AccountsApi::new(state.clone()),
        CategoriesApi::new(state.clone()),
        ProductsApi::new(state.clone()),
        FootprintApi::new(state.clone()),
        ClaimsApi::new(state.clone()),
        ScoresApi::new(state.clone()),
        DiscardsApi::new(state.clone()),
        PassportApi::new(state.clone()),
        ResolverApi::new(state.clone()),
        ShippingApi::new(state.clone()),
        OrdersApi::new(state.clone()),
        ProductsV2Api::new(state.clone()),
        OrdersV2Api::new(state.clone()),
        OperationsApi::new(state.clone()),
        AdminApi::new(state.clone()),
    );
    OpenApiService::new(apis, "Ecolaura API", env!("CARGO_PKG_VERSION"))
        .description(
            "The REST API of Ecolaura, a sustainable-commerce backend: products with \
             environmental metrics and a sustainability score, categories, stock, orders, \
             accounts. Errors are RFC 9457 problem details (`application/problem+json`). \
             Money is a decimal string with two fraction digits.",
        )
        .license("MIT OR Apache-2.0")
}
