//! `/api/v2/products`: the product list paged by cursors.

use std::sync::Arc;

use ecolaura_core::catalog::ProductSeek;
use ecolaura_core::domain::{ProductId, Seek};
use ecolaura_core::sustainability::ShownClaims;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::claims::requested_market;
use super::query::{ListParams, OrderingParam, product_list};
use crate::api::ApiTags;
use crate::api::query::{keyset_limit, opened_cursor, refused_cursor};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::text::{MarketRule, PriceParamRule, SearchRule, Text};
use crate::wire::{Cursors, ProductCursorPage, ProductDto};

/// Products, paged by cursors.
pub(crate) struct ProductsV2Api {
    state: Arc<AppState>,
}

impl ProductsV2Api {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum ProductCursorList {
    /// A page of products.
    #[oai(status = 200)]
    Ok(Json<ProductCursorPage>),
}

/// The list a product cursor is bound to.
fn scope(query: &ProductSeek) -> String {
    format!("products|{}", query.list_key())
}

#[OpenApi(prefix_path = "/api/v2", tag = "ApiTags::Products")]
impl ProductsV2Api {
    /// List products by cursor
    ///
    /// The filters and orderings of `/api/v1/products`, paged from a
    /// position instead of an offset: a page deep in the list costs what the
    /// first costs, and walking the cursors while products are written
    /// never repeats or skips a product whose sort key did not change. A
    /// cursor is opaque and bound to the filters and ordering it was made
    /// for: send it with the same ones, or get 400. Not cached.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/products", method = "get", operation_id = "list_products_v2")]
    async fn list(
        &self,
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
        /// Sort order (default `-created_at`); ties are broken by id.
        ordering: Query<Option<OrderingParam>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` or `previous_cursor` of a page of this same list;
        /// none for the first page.
        #[oai(validator(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$"))]
        cursor: Query<Option<String>>,
        /// `true`: also count the matches over all pages (`count`), which
        /// costs a read of every match.
        with_count: Query<Option<bool>>,
        /// Show the green claims made for this market: `EU` or an EU
        /// member state's code; default the shop's (`ECOLAURA_MARKET`).
        market: Query<Option<Text<MarketRule>>>,
    ) -> Result<ProductCursorList, Problem> {
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
        let limit = keyset_limit(limit.0)?;
        let with_count = with_count.0.unwrap_or(false);
        let Some((filter, ordering)) = product_list(params)? else {
            // A list that matches nothing hands out no cursor to come back with.
            if cursor.0.is_some() {
                return Err(refused_cursor());
            }
            return Ok(ProductCursorList::Ok(Json(ProductCursorPage {
                results: Vec::new(),
                next_cursor: None,
                previous_cursor: None,
                count: with_count.then_some(0),
            })));
        };
        let mut query = ProductSeek {
            filter,
            ordering,
            seek: Seek::first(limit),
        };
        let scope = scope(&query);
        query.seek.from = opened_cursor(&self.state.cursors, &scope, cursor.0.as_deref())?;
        if let Some((_, at)) = &query.seek.from
            && !ordering.fits(at)
        {
            return Err(refused_cursor());
        }
        let catalog = self.state.app.catalog();
        let found = catalog.products_from(&query, with_count).await?;
        let ids: Vec<ProductId> = found.items.iter().map(|p| p.id).collect();
        let mut claims: ShownClaims = catalog.shown_claims(&ids, market).await?;
        let currency = self.state.app.currency();
        let cursors = Cursors {
            key: &self.state.cursors,
            scope: &scope,
        };
        let page = ProductCursorPage::new(found, &cursors, |p| {
            let shown = claims.take(p.id);
            ProductDto::new(p, currency, shown)
        });
        Ok(ProductCursorList::Ok(Json(page)))
    }
}
