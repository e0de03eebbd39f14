//! SQLite rows, decoded by sqlx, handed to the shared record conversions.
//! Money arrives as integer cents and footprints as integer micro-kilograms.

use chrono::{DateTime, Utc};
use ecolaura_store_sql::records::{
    CategoryRecord, IdempotencyRow, JobRecord, OrderLineRecord, OrderRecord, ProductRecord,
    SentEmailRecord, UserRecord, cents_to_decimal, micro_kg_to_decimal,
};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct CategoryRow {
    slug: String,
    name: String,
    description: String,
    created_at: DateTime<Utc>,
}

impl From<CategoryRow> for CategoryRecord {
    fn from(r: CategoryRow) -> Self {
        CategoryRecord {
            slug: r.slug,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    id: Uuid,
    name: String,
    description: String,
    price: i64,
    category: Option<String>,
    stock: i64,
    carbon_footprint_kg: Option<i64>,
    recyclable: Option<bool>,
    biodegradable: Option<bool>,
    manual_score: i64,
    score: i64,
    score_source: String,
    archived: bool,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ProductRow> for ProductRecord {
    fn from(r: ProductRow) -> Self {
        ProductRecord {
            id: r.id,
            name: r.name,
            description: r.description,
            price: cents_to_decimal(r.price),
            category: r.category,
            stock: r.stock,
            carbon_footprint_kg: r.carbon_footprint_kg.map(micro_kg_to_decimal),
            recyclable: r.recyclable,
            biodegradable: r.biodegradable,
            manual_score: r.manual_score,
            score: r.score,
            score_source: r.score_source,
            archived: r.archived,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for UserRecord {
    fn from(r: UserRow) -> Self {
        UserRecord {
            id: r.id,
            email: r.email,
            name: r.name,
            role: r.role,
            password_hash: r.password_hash,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderRow {
    id: Uuid,
    user_id: Uuid,
    status: String,
    confirmation_sent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<OrderRow> for OrderRecord {
    fn from(r: OrderRow) -> Self {
        OrderRecord {
            id: r.id,
            user_id: r.user_id,
            status: r.status,
            confirmation_sent_at: r.confirmation_sent_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderLineRow {
    order_id: Uuid,
    position: i64,
    product_id: Uuid,
    name: String,
    unit_price: i64,
    quantity: i64,
    unit_carbon_footprint_kg: Option<i64>,
    sustainability_score: i64,
}

impl From<OrderLineRow> for OrderLineRecord {
    fn from(r: OrderLineRow) -> Self {
        OrderLineRecord {
            order_id: r.order_id,
            position: r.position,
            product_id: r.product_id,
            name: r.name,
            unit_price: cents_to_decimal(r.unit_price),
            quantity: r.quantity,
            unit_carbon_footprint_kg: r.unit_carbon_footprint_kg.map(micro_kg_to_decimal),
            sustainability_score: r.sustainability_score,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: Uuid,
    kind: String,
    payload: serde_json::Value,
    status: String,
    attempts: i64,
    max_attempts: i64,
    run_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    lease_token: Option<Uuid>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<JobRow> for JobRecord {
    fn from(r: JobRow) -> Self {
        JobRecord {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            status: r.status,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: r.run_at,
            locked_until: r.locked_until,
            lease_token: r.lease_token,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdempotencyDbRow {
    fingerprint: String,
    outcome: serde_json::Value,
    expires_at: DateTime<Utc>,
}

impl From<IdempotencyDbRow> for IdempotencyRow {
    fn from(r: IdempotencyDbRow) -> Self {
        IdempotencyRow {
            fingerprint: r.fingerprint,
            outcome: r.outcome,
            expires_at: r.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SentEmailRow {
    dedup_key: String,
    recipient: String,
    subject: String,
    body: String,
    sent_at: DateTime<Utc>,
}

impl From<SentEmailRow> for SentEmailRecord {
    fn from(r: SentEmailRow) -> Self {
        SentEmailRecord {
            dedup_key: r.dedup_key,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
            sent_at: r.sent_at,
        }
    }
}
