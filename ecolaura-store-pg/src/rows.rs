//! Postgres rows, decoded by sqlx, handed to the shared record conversions.

use chrono::{DateTime, Utc};
use ecolaura_store_sql::records::{OrderLineRecord, ProductRecord};
use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    id: Uuid,
    name: String,
    description: String,
    price: Decimal,
    category: Option<String>,
    stock: i32,
    carbon_footprint_kg: Option<Decimal>,
    recyclable: Option<bool>,
    biodegradable: Option<bool>,
    footprint_source: String,
    manual_score: i16,
    score: i16,
    score_source: String,
    score_method: Option<String>,
    score_computed_at: Option<DateTime<Utc>>,
    score_reason: Option<String>,
    score_breakdown: Option<String>,
    sku: Option<String>,
    gtin: Option<String>,
    weight_kg: Option<Decimal>,
    archived: bool,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ProductRow {
    /// The product's id.
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }
}

impl From<ProductRow> for ProductRecord {
    fn from(r: ProductRow) -> Self {
        ProductRecord {
            id: r.id,
            name: r.name,
            description: r.description,
            price: r.price,
            category: r.category,
            stock: r.stock.into(),
            carbon_footprint_kg: r.carbon_footprint_kg,
            recyclable: r.recyclable,
            biodegradable: r.biodegradable,
            footprint_source: r.footprint_source,
            manual_score: r.manual_score.into(),
            score: r.score.into(),
            score_source: r.score_source,
            score_method: r.score_method,
            score_computed_at: r.score_computed_at,
            score_reason: r.score_reason,
            score_breakdown: r.score_breakdown,
            sku: r.sku,
            gtin: r.gtin,
            weight_kg: r.weight_kg,
            archived: r.archived,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A row of a product list: the product and the count of all matches.
#[derive(sqlx::FromRow)]
pub(crate) struct ListedProductRow {
    #[sqlx(flatten)]
    product: ProductRow,
    total: i64,
}

impl From<ListedProductRow> for (ProductRecord, i64) {
    fn from(r: ListedProductRow) -> Self {
        (r.product.into(), r.total)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderLineRow {
    order_id: Uuid,
    position: i16,
    product_id: Uuid,
    name: String,
    unit_price: Decimal,
    quantity: i32,
    unit_carbon_footprint_kg: Option<Decimal>,
    sustainability_score: i16,
    score_method: Option<String>,
}

impl From<OrderLineRow> for OrderLineRecord {
    fn from(r: OrderLineRow) -> Self {
        OrderLineRecord {
            order_id: r.order_id,
            position: r.position.into(),
            product_id: r.product_id,
            name: r.name,
            unit_price: r.unit_price,
            quantity: r.quantity.into(),
            unit_carbon_footprint_kg: r.unit_carbon_footprint_kg,
            sustainability_score: r.sustainability_score.into(),
            score_method: r.score_method,
        }
    }
}
