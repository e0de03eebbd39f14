//! `/api/v1/products` and a product's sustainability.

use std::sync::Arc;

use ecolaura_core::catalog::{
    NewProduct, ProductChanges, ProductFilter, ProductOrdering, ProductQuery, SustainabilityMetrics,
};
use ecolaura_core::domain::Page;
use ecolaura_core::domain::{
    Description, Price, ProductId, ProductName, Score, SearchText, Slug, Stock,
};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, OpenApi};

use super::ApiTags;
use super::query::{page_request, param};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::response_cache::{CachedJson, cached_json};
use crate::state::AppState;
use crate::wire::{
    Amount, Fields, MetricsInput, PageLinks, ProductDto, ProductInput, ProductPage, ProductPatch,
    ProductSustainabilityDto,
};

/// Products.
pub struct ProductsApi {
    state: Arc<AppState>,
}

impl ProductsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

/// How a product list is ordered; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ProductOrdering")]
enum OrderingParam {
    /// Cheapest first.
    #[oai(rename = "price")]
    Price,
    /// Dearest first.
    #[oai(rename = "-price")]
    PriceDesc,
    /// Lowest score first.
    #[oai(rename = "sustainability_score")]
    Score,
    /// Highest score first.
    #[oai(rename = "-sustainability_score")]
    ScoreDesc,
    /// A to Z.
    #[oai(rename = "name")]
    Name,
    /// Z to A.
    #[oai(rename = "-name")]
    NameDesc,
    /// Oldest first.
    #[oai(rename = "created_at")]
    CreatedAt,
    /// Newest first (the default).
    #[oai(rename = "-created_at")]
    CreatedAtDesc,
}

impl From<OrderingParam> for ProductOrdering {
    fn from(o: OrderingParam) -> Self {
        use OrderingParam as P;
        match o {
            P::Price => Self::PriceAsc,
            P::PriceDesc => Self::PriceDesc,
            P::Score => Self::ScoreAsc,
            P::ScoreDesc => Self::ScoreDesc,
            P::Name => Self::NameAsc,
            P::NameDesc => Self::NameDesc,
            P::CreatedAt => Self::CreatedAsc,
            P::CreatedAtDesc => Self::CreatedDesc,
        }
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

/// The list filters of one request, as query parameters.
struct ListParams {
    category: Option<String>,
    min_score: Option<i64>,
    min_price: Option<String>,
    max_price: Option<String>,
    in_stock: Option<bool>,
    search: Option<String>,
    ordering: Option<OrderingParam>,
    page: Option<u32>,
    page_size: Option<u32>,
}

/// The query, or `None` when the category cannot exist (matches nothing).
fn product_query(p: ListParams) -> Result<Option<ProductQuery>, Problem> {
    let page = page_request(p.page, p.page_size)?;
    let category = match p
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(Slug::parse)
    {
        Some(Err(_)) => return Ok(None),
        Some(Ok(slug)) => Some(slug),
        None => None,
    };
    // An empty parameter (`max_price=`) is the same as leaving it out.
    let price = |name, raw: Option<String>| {
        raw.filter(|s| !s.trim().is_empty())
            .map(|s| param(name, s.trim().parse::<Price>()))
            .transpose()
    };
    let filter = ProductFilter {
        category,
        min_score: p
            .min_score
            .map(|s| param("min_score", Score::new(s)))
            .transpose()?,
        min_price: price("min_price", p.min_price)?,
        max_price: price("max_price", p.max_price)?,
        in_stock: p.in_stock,
        search: p
            .search
            .filter(|s| !s.trim().is_empty())
            .map(|s| param("search", SearchText::parse(&s)))
            .transpose()?,
    };
    Ok(Some(ProductQuery {
        filter,
        ordering: p.ordering.map(Into::into).unwrap_or_default(),
        page,
    }))
}

/// The parameters that reproduce `q` (for next/previous links), page aside.
fn canonical_params(q: &ProductQuery) -> Vec<(&'static str, String)> {
    let f = &q.filter;
    let mut params = Vec::new();
    if let Some(c) = &f.category {
        params.push(("category", c.to_string()));
    }
    if let Some(s) = f.min_score {
        params.push(("min_score", s.to_string()));
    }
    if let Some(p) = f.min_price {
        params.push(("min_price", p.to_string()));
    }
    if let Some(p) = f.max_price {
        params.push(("max_price", p.to_string()));
    }
    if let Some(b) = f.in_stock {
        params.push(("in_stock", b.to_string()));
    }
    if let Some(s) = &f.search {
        params.push(("search", s.to_string()));
    }
    if q.ordering != ProductOrdering::default() {
        params.push(("ordering", q.ordering.as_str().to_owned()));
    }
    params
}

fn price(fields: &mut Fields, amount: &Amount) -> Option<Price> {
    fields.check("price", amount.to_price())
}

fn stock(fields: &mut Fields, units: i64) -> Option<Stock> {
    fields.check("stock", Stock::new(units))
}

fn manual_score(fields: &mut Fields, score: i64) -> Option<Score> {
    fields.check("sustainability_score", Score::new(score))
}

fn category(fields: &mut Fields, slug: Option<&str>) -> Option<Option<Slug>> {
    match slug {
        None => Some(None),
        Some(s) => fields.check("category", Slug::parse(s)).map(Some),
    }
}

/// `Some(change)` for an object or null, `None` when left out.
fn metrics_change(
    fields: &mut Fields,
    input: &MaybeUndefined<MetricsInput>,
) -> Option<Option<Option<SustainabilityMetrics>>> {
    match input {
        MaybeUndefined::Undefined => Some(None),
        MaybeUndefined::Null => Some(Some(None)),
        MaybeUndefined::Value(m) => m.parse("sustainability.", fields).map(|m| Some(Some(m))),
    }
}

/// The whole product of a POST or PUT, as changes to apply.
fn full_product(
    input: &ProductInput,
) -> Result<(NewProduct, Option<Option<SustainabilityMetrics>>), Problem> {
    let mut fields = Fields::default();
    let name = fields.check("name", ProductName::parse(&input.name));
    let description = fields.check(
        "description",
        Description::parse(input.description.as_deref().unwrap_or_default()),
    );
    let price = price(&mut fields, &input.price);
    let category = category(&mut fields, input.category.as_deref());
    let stock = stock(&mut fields, input.stock.unwrap_or(0));
    let score = manual_score(&mut fields, input.sustainability_score.unwrap_or(0));
    let metrics = metrics_change(&mut fields, &input.sustainability);
    let (
        Some(name),
        Some(description),
        Some(price),
        Some(category),
        Some(stock),
        Some(manual_score),
        Some(metrics),
    ) = (name, description, price, category, stock, score, metrics)
    else {
        return Err(fields.into_problem());
    };
    let product = NewProduct {
        name,
        description,
        price,
        category,
        stock,
        metrics: metrics.flatten(),
        manual_score,
    };
    Ok((product, metrics))
}

fn patch_changes(input: &ProductPatch) -> Result<ProductChanges, Problem> {
    let mut fields = Fields::default();
    let changes = ProductChanges {
        name: input
            .name
            .as_deref()
            .and_then(|n| fields.check("name", ProductName::parse(n))),
        description: input
            .description
            .as_deref()
            .and_then(|d| fields.check("description", Description::parse(d))),
        price: input.price.as_ref().and_then(|p| price(&mut fields, p)),
        category: match &input.category {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(s) => category(&mut fields, Some(s)),
        },
        stock: input.stock.and_then(|s| stock(&mut fields, s)),
        metrics: metrics_change(&mut fields, &input.sustainability).flatten(),
        manual_score: input
            .sustainability_score
            .and_then(|s| manual_score(&mut fields, s)),
    };
    fields.finish()?;
    Ok(changes)
}

impl ProductsApi {
    fn dto(&self, p: ecolaura_core::catalog::Product) -> ProductDto {
        ProductDto::new(p, &self.state.currency)
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
        min_price: Query<Option<String>>,
        /// Only products costing at most this.
        max_price: Query<Option<String>>,
        /// `true`: only products in stock; `false`: only those with stock 0.
        in_stock: Query<Option<bool>>,
        /// Case-insensitive text to find in the name or description.
        search: Query<Option<String>>,
        /// Sort order (default `-created_at`).
        ordering: Query<Option<OrderingParam>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
    ) -> Result<ProductList, Problem> {
        let params = ListParams {
            category: category.0,
            min_score: min_score.0,
            min_price: min_price.0,
            max_price: max_price.0,
            in_stock: in_stock.0,
            search: search.0,
            ordering: ordering.0,
            page: page.0,
            page_size: page_size.0,
        };
        let request = page_request(params.page, params.page_size)?;
        let Some(query) = product_query(params)? else {
            let empty = Page {
                count: 0,
                items: Vec::new(),
                request,
            };
            let page = ProductPage::new(empty, &PageLinks::new(req, Vec::new()), |p| self.dto(p));
            return CachedJson::render(&page).map(ProductList::Ok);
        };
        let links = PageLinks::new(req, canonical_params(&query));
        let key = format!("products|{}|{}", links.cache_key(), query.cache_key());
        let state = &self.state;
        cached_json(state.app.cache(), &state.metrics, &key, async {
            let found = state.app.catalog().products(&query).await?;
            Ok(ProductPage::new(found, &links, |p| self.dto(p)))
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
        let (product, _) = full_product(&body.0)?;
        let created = self
            .state
            .app
            .catalog()
            .create_product(&auth.0, product)
            .await?;
        Ok(ProductCreated::Created(Json(self.dto(created))))
    }

    /// A product
    #[oai(path = "/products/:id", method = "get", operation_id = "get_product")]
    async fn get(
        &self,
        /// The product's id.
        id: Path<uuid::Uuid>,
    ) -> Result<ProductFound, Problem> {
        let id = ProductId::from_uuid(id.0);
        let state = &self.state;
        cached_json(
            state.app.cache(),
            &state.metrics,
            &format!("product|{id}"),
            async {
                let product = state.app.catalog().product(id).await?;
                Ok(self.dto(product))
            },
        )
        .await
        .map(ProductFound::Ok)
    }

    /// Replace a product (staff)
    ///
    /// Every field is set; optional ones left out take their defaults,
    /// except `sustainability`, which is kept when left out.
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
        body: JsonBody<ProductInput>,
    ) -> Result<ProductUpdated, Problem> {
        let (p, metrics) = full_product(&body.0)?;
        let changes = ProductChanges {
            name: Some(p.name),
            description: Some(p.description),
            price: Some(p.price),
            category: Some(p.category),
            stock: Some(p.stock),
            metrics,
            manual_score: Some(p.manual_score),
        };
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
        let changes = patch_changes(&body.0)?;
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
            .archive_product(&auth.0, ProductId::from_uuid(id.0))
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
            .set_product_metrics(&auth.0, ProductId::from_uuid(id.0), metrics)
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
            .update_product(&auth.0, ProductId::from_uuid(id), changes)
            .await?;
        Ok(ProductUpdated::Ok(Json(self.dto(updated))))
    }
}
