//! `/api/v1/products` and a product's sustainability.

mod claims;
mod footprint;
mod passport;
mod query;
mod scores;
mod v2;

pub(crate) use claims::ClaimsApi;
use claims::requested_market;
pub(crate) use footprint::FootprintApi;
pub(crate) use passport::{PassportApi, ResolverApi};
pub(crate) use scores::ScoresApi;
pub(crate) use v2::ProductsV2Api;

use std::sync::Arc;

use ecolaura_core::catalog::Product;
use ecolaura_core::catalog::{NewProduct, ProductChanges, ReadScope};
use ecolaura_core::domain::{Page, ProductId};
use ecolaura_core::sustainability::{Market, ShownClaims};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::query::page_request;
use crate::api::BearerAuth;
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::response_cache::{CachedJson, Shows, cached_json};
use crate::state::AppState;
use crate::wire::text::{MarketRule, PriceParamRule, SearchRule, Text};
use crate::wire::{
    Fields, MetricsInput, PageLinks, ProductDto, ProductInput, ProductPage, ProductPatch,
    ProductReplacement, ProductSustainabilityDto,
};
use query::{ListParams, OrderingParam, canonical_params, product_query};

/// Products.
pub(crate) struct ProductsApi {
    state: Arc<AppState>,
}

impl ProductsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum ProductList {
    /// A page of products.
    #[oai(status = 200)]
    Ok(CachedJson<ProductPage>),
}

#[derive(ApiResponse)]
enum ProductFound {
    /// The product.
    #[oai(status = 200)]
    Ok(CachedJson<ProductDto>),
}

#[derive(ApiResponse)]
enum ProductCreated {
    /// The product was made.
    #[oai(status = 201)]
    Created(Json<ProductDto>),
}

#[derive(ApiResponse)]
enum ProductUpdated {
    /// The product as it is now.
    #[oai(status = 200)]
    Ok(Json<ProductDto>),
}

#[derive(ApiResponse)]
enum ProductArchived {
    /// Archived: gone from the catalog, kept on orders.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
enum SustainabilityFound {
    /// The metrics, the score and its breakdown.
    #[oai(status = 200)]
    Ok(Json<ProductSustainabilityDto>),
}

impl ProductsApi {
    fn dto(&self, p: Product, claims: &mut ShownClaims) -> ProductDto {
        let shown = claims.take(p.id);
        ProductDto::new(p, self.state.app.currency(), shown)
    }

    /// The claims shown in `market` today on `products`.
    async fn shown_claims(
        &self,
        products: &[ProductId],
        market: Market,
    ) -> Result<ShownClaims, Problem> {
        Ok(self
            .state
            .app
            .catalog()
            .shown_claims(products, market)
            .await?)
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Products")]
impl ProductsApi {
    /// List products
    ///
    /// Filters are optional and combine; `min_*` and `max_*` are inclusive.
    /// Served from the cache; a write is visible to the very next read.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/products", method = "get", operation_id = "list_products")]
    async fn list(
        &self,
        req: &Request,
        /// Only products in this category (by slug); an unknown one matches nothing.
        category: Query<Option<String>>,
        /// Only products scoring at least this, 0..100.
        #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
        min_score: Query<Option<i64>>,
        /// Only products costing at least this, such as `5.00`.
        min_price: Query<Option<Text<PriceParamRule>>>,
        /// Only products costing at most this.
        max_price: Query<Option<Text<PriceParamRule>>>,
        /// `true`: only products in stock; `false`: only those with stock 0.
        in_stock: Query<Option<bool>>,
        /// Case-insensitive text to find in the name or description.
        search: Query<Option<Text<SearchRule>>>,
        /// Only the product with this SKU (exactly).
        sku: Query<Option<String>>,
        /// Only the product with this GTIN, in any form (8, 12, 13 or 14
        /// digits; compared as 14).
        gtin: Query<Option<String>>,
        /// Sort order (default `-created_at`).
        ordering: Query<Option<OrderingParam>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
        /// Show the green claims made for this market: `EU` or an EU
        /// member state's code; default the shop's (`ECOLAURA_MARKET`).
        market: Query<Option<Text<MarketRule>>>,
    ) -> Result<ProductList, Problem> {
        let market = requested_market(&self.state, market.0)?;
        let params = ListParams {
            category: category.0,
            min_score: min_score.0,
            min_price: min_price.0,
            max_price: max_price.0,
            in_stock: in_stock.0,
            search: search.0,
            sku: sku.0,
            gtin: gtin.0,
            ordering: ordering.0,
        };
        let request = page_request(page.0, page_size.0)?;
        let Some(query) = product_query(params, request)? else {
            let empty = Page {
                count: 0,
                items: Vec::new(),
                request,
            };
            let page = ProductPage::new(
                empty,
                &PageLinks::new(&self.state.public_url, req, Vec::new()),
                |p| self.dto(p, &mut ShownClaims::default()),
            );
            return CachedJson::render(&page).map(ProductList::Ok);
        };
        let links = PageLinks::new(&self.state.public_url, req, canonical_params(&query));
        let key = format!(
            "products|{}|{}|{market}",
            links.cache_key(),
            query.cache_key()
        );
        let state = &self.state;
        cached_json(state.app.cache(), &state.metrics, &key, async {
            // The rendering is what is cached; the page itself need not be.
            let found = state.app.catalog().products_uncached(&query).await?;
            let ids: Vec<ProductId> = found.items.iter().map(|p| p.id).collect();
            let mut claims = self.shown_claims(&ids, market).await?;
            let shows = Shows::new(ReadScope::list(&query, ids), claims.true_until());
            let page = ProductPage::new(found, &links, |p| self.dto(p, &mut claims));
            Ok((page, shows))
        })
        .await
        .map(ProductList::Ok)
    }

    /// Create a product (staff)
    #[oai(path = "/products", method = "post", operation_id = "create_product")]
    async fn create(
        &self,
        auth: BearerAuth,
        body: JsonBody<ProductInput>,
    ) -> Result<ProductCreated, Problem> {
        let product = NewProduct::try_from(&body.0)?;
        let created = self
            .state
            .app
            .catalog()
            .create_product(auth.actor(), product)
            .await?;
        // A new product has no claims yet.
        let dto = self.dto(created, &mut ShownClaims::default());
        Ok(ProductCreated::Created(Json(dto)))
    }

    /// A product
    #[oai(path = "/products/:id", method = "get", operation_id = "get_product")]
    async fn get(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
        /// Show the green claims made for this market: `EU` or an EU
        /// member state's code; default the shop's (`ECOLAURA_MARKET`).
        market: Query<Option<Text<MarketRule>>>,
    ) -> Result<ProductFound, Problem> {
        let market = requested_market(&self.state, market.0)?;
        let id = ProductId::from_uuid(id.0);
        let state = &self.state;
        cached_json(
            state.app.cache(),
            &state.metrics,
            &format!("product|{id}|{market}"),
            async {
                let product = state.app.catalog().product_uncached(id).await?;
                let mut claims = self.shown_claims(&[id], market).await?;
                let shows = Shows::new(ReadScope::Product(id), claims.true_until());
                Ok((self.dto(product, &mut claims), shows))
            },
        )
        .await
        .map(ProductFound::Ok)
    }

    /// Replace a product (staff)
    ///
    /// `name`, `description`, `price`, `stock`, `category` (may be null) and
    /// `sustainability_score` are required, and each replaces the product's;
    /// a missing one is 422 naming it. `sustainability` left out keeps the
    /// metrics: a PUT never resets a field it does not name.
    #[oai(
        path = "/products/:id",
        method = "put",
        operation_id = "replace_product"
    )]
    async fn replace(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<ProductReplacement>,
    ) -> Result<ProductUpdated, Problem> {
        let changes = ProductChanges::try_from(&body.0)?;
        self.update(&auth, id.0, &changes).await
    }

    /// Change some of a product's fields (staff)
    #[oai(
        path = "/products/:id",
        method = "patch",
        operation_id = "update_product"
    )]
    async fn patch(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<ProductPatch>,
    ) -> Result<ProductUpdated, Problem> {
        let changes = ProductChanges::try_from(&body.0)?;
        self.update(&auth, id.0, &changes).await
    }

    /// Archive a product (staff)
    ///
    /// The product leaves the catalog (lists and GET say 404) and stays on
    /// the orders that hold it.
    #[oai(
        path = "/products/:id",
        method = "delete",
        operation_id = "archive_product"
    )]
    async fn archive(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<ProductArchived, Problem> {
        self.state
            .app
            .catalog()
            .archive_product(auth.actor(), ProductId::from_uuid(id.0))
            .await?;
        Ok(ProductArchived::NoContent)
    }

    /// A product's metrics and score breakdown
    ///
    /// 404 when the product has no metrics.
    #[oai(
        path = "/products/:id/sustainability",
        method = "get",
        operation_id = "get_product_sustainability",
        tag = "ApiTags::Sustainability"
    )]
    async fn sustainability(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<SustainabilityFound, Problem> {
        let found = self
            .state
            .app
            .sustainability()
            .product(ProductId::from_uuid(id.0))
            .await?;
        Ok(SustainabilityFound::Ok(Json(found.into())))
    }

    /// Set a product's metrics (staff); its score is recomputed
    #[oai(
        path = "/products/:id/sustainability",
        method = "put",
        operation_id = "set_product_sustainability",
        tag = "ApiTags::Sustainability"
    )]
    async fn set_sustainability(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<MetricsInput>,
    ) -> Result<SustainabilityFound, Problem> {
        let mut fields = Fields::default();
        let Some(metrics) = body.0.parse("", &mut fields) else {
            return Err(fields.into_problem());
        };
        let updated = self
            .state
            .app
            .sustainability()
            .set_product_metrics(auth.actor(), ProductId::from_uuid(id.0), metrics)
            .await?;
        Ok(SustainabilityFound::Ok(Json(updated.into())))
    }
}

impl ProductsApi {
    async fn update(
        &self,
        auth: &BearerAuth,
        id: uuid::Uuid,
        changes: &ProductChanges,
    ) -> Result<ProductUpdated, Problem> {
        let updated = self
            .state
            .app
            .catalog()
            .update_product(auth.actor(), ProductId::from_uuid(id), changes)
            .await?;
        let mut claims = self.shown_claims(&[updated.id], self.state.market).await?;
        Ok(ProductUpdated::Ok(Json(self.dto(updated, &mut claims))))
    }
}
