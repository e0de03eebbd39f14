//! Every statement the stores run, built once with sea-query. An adapter
//! renders one with its query builder (`build_sqlx(PostgresQueryBuilder)`,
//! `build_sqlx(SqliteQueryBuilder)`) and binds the values with sqlx.
//!
//! Builders take domain types and a [`Dialect`] for the values whose column
//! types differ between backends. Columns are listed in the order of the
//! matching record in [`crate::records`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use ecolaura_core::accounts::User;
use ecolaura_core::catalog::{
    Category, Product, ProductFilter, ProductOrdering, ProductQuery, ProductSeek, SortKey,
};
use ecolaura_core::domain::{
    Email, JobId, OrderId, PageRequest, ProductId, Quantity, Seek, Slug, Timestamp, UserId,
};
use ecolaura_core::idempotency::{IdempotencyKey, IdempotencyStamp};
use ecolaura_core::jobs::{
    ClaimedJob, JobKind, JobStatus, LEASE_EXPIRED, NewJob, RetryDecision, lease_end,
};
use ecolaura_core::mail::OutgoingEmail;
use ecolaura_core::orders::{Order, OrderPosition, OrderStatus};
use ecolaura_core::ports::StatusChange;
use sea_query::{
    Alias, CommonTableExpression, Condition, DeleteStatement, Expr, ExprTrait, Func, Iden,
    InsertStatement, LikeExpr, LockBehavior, LockType, OnConflict, Order as Sort, Query,
    SelectStatement, UnionType, UpdateStatement, WithClause, WithQuery,
};
use uuid::Uuid;

mod claims;
mod compositions;
mod discards;
mod footprints;
mod imports;
mod keyset;
mod scores;
mod sessions;
mod shipping;

pub use claims::*;
pub use compositions::*;
pub use discards::*;
pub use footprints::*;
pub use imports::*;
pub use scores::*;
pub use sessions::*;
pub use shipping::*;

use crate::Dialect;
use crate::schema::{
    Categories, IdempotencyKeys, Jobs, OrderLines, Orders, ProductCounts, Products, SentEmails,
    Users,
};

/// What a product write also changes, in its transaction.
#[derive(Debug, Clone, Copy)]
pub enum ProductSide<'a> {
    /// Nothing else.
    Nothing,
    /// Set the footprint record ([`upsert_footprint`]).
    SetFootprint(&'a ecolaura_core::sustainability::FootprintRecord),
    /// Remove the footprint record ([`delete_footprint`]).
    RemoveFootprint,
    /// Add a claim ([`insert_claim`]).
    AddClaim(&'a ecolaura_core::sustainability::Claim),
    /// Remove a claim ([`delete_claim`]); it must exist.
    RemoveClaim(ecolaura_core::domain::ClaimId),
    /// Set the composition ([`upsert_composition`]).
    SetComposition(&'a ecolaura_core::sustainability::passport::Composition),
}

/// The statement that makes a [`ProductSide`] change.
#[derive(Debug, Clone)]
pub enum SideStatement {
    /// An insert (or upsert).
    Insert(InsertStatement),
    /// A delete.
    Delete(DeleteStatement),
}

impl ProductSide<'_> {
    /// The statement for this change of product `id`; `None` for nothing.
    ///
    /// # Errors
    /// When a statement cannot be built (a bug).
    pub fn statement<D: crate::Dialect>(
        self,
        id: ecolaura_core::domain::ProductId,
    ) -> BuildResult<Option<SideStatement>> {
        Ok(Some(match self {
            ProductSide::Nothing => return Ok(None),
            ProductSide::SetFootprint(r) => SideStatement::Insert(upsert_footprint::<D>(id, r)?),
            ProductSide::RemoveFootprint => SideStatement::Delete(delete_footprint(id)),
            ProductSide::AddClaim(c) => SideStatement::Insert(insert_claim(c)?),
            ProductSide::RemoveClaim(c) => SideStatement::Delete(delete_claim(id, c)),
            ProductSide::SetComposition(c) => SideStatement::Insert(upsert_composition(id, c)?),
        }))
    }

    /// Whether the change must touch a row (else nothing is written and
    /// the product write is undone: the claim to remove is not there).
    pub fn must_touch_a_row(self) -> bool {
        matches!(self, ProductSide::RemoveClaim(_))
    }
}

/// A statement could not be built (a column and value count differ: a bug).
pub type BuildResult<T> = Result<T, sea_query::error::Error>;

/// The columns of a [`CategoryRecord`](crate::records::CategoryRecord).
pub const CATEGORY_COLUMNS: [Categories; 5] = [
    Categories::Slug,
    Categories::Name,
    Categories::Description,
    Categories::DestructionBanned,
    Categories::CreatedAt,
];

/// The columns of a [`ProductRecord`](crate::records::ProductRecord).
pub const PRODUCT_COLUMNS: [Products; 24] = [
    Products::Id,
    Products::Name,
    Products::Description,
    Products::Price,
    Products::Category,
    Products::Stock,
    Products::CarbonFootprintKg,
    Products::Recyclable,
    Products::Biodegradable,
    Products::FootprintSource,
    Products::ManualScore,
    Products::Score,
    Products::ScoreSource,
    Products::ScoreMethod,
    Products::ScoreComputedAt,
    Products::ScoreReason,
    Products::ScoreBreakdown,
    Products::Sku,
    Products::Gtin,
    Products::WeightKg,
    Products::Archived,
    Products::Version,
    Products::CreatedAt,
    Products::UpdatedAt,
];

/// The columns of a [`UserRecord`](crate::records::UserRecord).
pub const USER_COLUMNS: [Users; 6] = [
    Users::Id,
    Users::Email,
    Users::Name,
    Users::Role,
    Users::PasswordHash,
    Users::CreatedAt,
];

/// The columns of an [`OrderRecord`](crate::records::OrderRecord).
pub const ORDER_COLUMNS: [Orders; 11] = [
    Orders::Id,
    Orders::UserId,
    Orders::Status,
    Orders::Currency,
    Orders::ConfirmationSentAt,
    Orders::CreatedAt,
    Orders::UpdatedAt,
    Orders::ShippingCode,
    Orders::ShippingName,
    Orders::ShippingPrice,
    Orders::ShippingCarbonFootprintKg,
];

/// The columns of an [`OrderLineRecord`](crate::records::OrderLineRecord).
pub const ORDER_LINE_COLUMNS: [OrderLines; 9] = [
    OrderLines::OrderId,
    OrderLines::Position,
    OrderLines::ProductId,
    OrderLines::Name,
    OrderLines::UnitPrice,
    OrderLines::Quantity,
    OrderLines::UnitCarbonFootprintKg,
    OrderLines::SustainabilityScore,
    OrderLines::ScoreMethod,
];

/// The columns of a [`JobRecord`](crate::records::JobRecord).
pub const JOB_COLUMNS: [Jobs; 12] = [
    Jobs::Id,
    Jobs::Kind,
    Jobs::Payload,
    Jobs::Status,
    Jobs::Attempts,
    Jobs::MaxAttempts,
    Jobs::RunAt,
    Jobs::LockedUntil,
    Jobs::LeaseToken,
    Jobs::LastError,
    Jobs::CreatedAt,
    Jobs::UpdatedAt,
];

/// The columns of an [`IdempotencyRow`](crate::records::IdempotencyRow).
pub const IDEMPOTENCY_COLUMNS: [IdempotencyKeys; 3] = [
    IdempotencyKeys::Fingerprint,
    IdempotencyKeys::Outcome,
    IdempotencyKeys::ExpiresAt,
];

/// The columns of a [`SentEmailRecord`](crate::records::SentEmailRecord).
pub const SENT_EMAIL_COLUMNS: [SentEmails; 5] = [
    SentEmails::DedupKey,
    SentEmails::Recipient,
    SentEmails::Subject,
    SentEmails::Body,
    SentEmails::SentAt,
];

/// `columns`, each qualified with `table` (`"orders"."currency"`): how a
/// select names the columns of a table that a migration added to.
///
/// On SQLite, a connection opened before the migration still holds the old
/// schema and reads an unknown bare `"currency"` as a string literal; sqlx
/// then keeps that column's name for the statement, and every read of it on
/// that connection fails. An unknown qualified name fails to prepare
/// instead, so SQLite reloads the schema and prepares the statement again.
fn qualified<T: Iden + Copy + 'static, const N: usize>(table: T, columns: [T; N]) -> [(T, T); N] {
    columns.map(|column| (table, column))
}

fn uuid(id: impl Into<Uuid>) -> Expr {
    Expr::val(id.into())
}

fn ts(t: DateTime<Utc>) -> Expr {
    Expr::val(t)
}

fn int(v: u32) -> Expr {
    Expr::val(i64::from(v))
}

fn count_of(mut select: SelectStatement, column: impl sea_query::IntoColumnRef) -> SelectStatement {
    select.clear_selects();
    select.expr(Expr::col(column).count());
    select
}

fn page(select: &mut SelectStatement, page: PageRequest) {
    select.limit(page.limit()).offset(page.offset());
}

// ---------------------------------------------------------------- catalog

/// `INSERT INTO categories …`
pub fn insert_category(c: &Category) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Categories::Table)
        .columns(CATEGORY_COLUMNS)
        .values(category_values(c))?;
    Ok(q)
}

/// A category's values, in [`CATEGORY_COLUMNS`]' order.
fn category_values(c: &Category) -> [Expr; 5] {
    [
        c.slug.as_str().into(),
        c.name.as_str().into(),
        c.description.as_str().into(),
        c.destruction_banned.into(),
        ts(c.created_at),
    ]
}

/// One category.
pub fn select_category(slug: &Slug) -> SelectStatement {
    let mut q = Query::select();
    q.columns(CATEGORY_COLUMNS)
        .from(Categories::Table)
        .and_where(Expr::col(Categories::Slug).eq(slug.as_str()));
    q
}

/// Replace a category's fields (its slug and creation time stay).
pub fn update_category(c: &Category) -> UpdateStatement {
    let mut u = Query::update();
    u.table(Categories::Table)
        .value(Categories::Name, c.name.as_str())
        .value(Categories::Description, c.description.as_str())
        .value(Categories::DestructionBanned, c.destruction_banned)
        .and_where(Expr::col(Categories::Slug).eq(c.slug.as_str()));
    u
}

/// A page of categories by slug, and the count.
pub fn list_categories(p: PageRequest) -> (SelectStatement, SelectStatement) {
    let mut q = Query::select();
    q.columns(CATEGORY_COLUMNS).from(Categories::Table);
    let count = count_of(q.clone(), Categories::Slug);
    q.order_by(Categories::Slug, Sort::Asc);
    page(&mut q, p);
    (q, count)
}

fn product_values<D: Dialect>(p: &Product) -> Vec<Expr> {
    let m = p.metrics;
    vec![
        uuid(p.id),
        p.name.as_str().into(),
        p.description.as_str().into(),
        Expr::val(D::price(p.price)),
        Expr::val(p.category.as_ref().map(|c| c.as_str().to_owned())),
        Expr::val(i64::from(p.stock.get())),
        Expr::val(D::carbon_opt(m.map(|m| m.carbon_footprint_kg))),
        Expr::val(m.map(|m| m.recyclable)),
        Expr::val(m.map(|m| m.biodegradable)),
        p.footprint_source.as_str().into(),
        Expr::val(i64::from(p.manual_score.value())),
        Expr::val(i64::from(p.score.value())),
        p.score_source.as_str().into(),
        p.score_method.as_str().into(),
        ts(p.score_computed_at),
        p.score_reason.as_str().into(),
        Expr::val(
            p.score_breakdown
                .as_ref()
                .and_then(|b| serde_json::to_string(b).ok()),
        ),
        Expr::val(p.sku.as_ref().map(|s| s.as_str().to_owned())),
        Expr::val(p.gtin.as_ref().map(|g| g.as_str().to_owned())),
        Expr::val(D::weight_opt(p.weight_kg)),
        Expr::val(p.archived),
        Expr::val(p.version),
        ts(p.created_at),
        ts(p.updated_at),
    ]
}

/// `INSERT INTO products …`
pub fn insert_product<D: Dialect>(p: &Product) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Products::Table)
        .columns(PRODUCT_COLUMNS)
        .values(product_values::<D>(p))?;
    Ok(q)
}

fn live_products() -> SelectStatement {
    let mut q = Query::select();
    q.columns(PRODUCT_COLUMNS)
        .from(Products::Table)
        .and_where(Expr::col(Products::Archived).eq(false));
    q
}

/// One live product.
pub fn select_product(id: ProductId) -> SelectStatement {
    let mut q = live_products();
    q.and_where(Expr::col(Products::Id).eq(uuid(id)));
    q
}

/// The live products among `ids`.
pub fn select_products(ids: &[ProductId]) -> SelectStatement {
    let mut q = live_products();
    q.and_where(Expr::col(Products::Id).is_in(ids.iter().map(|id| id.as_uuid())));
    q
}

/// `text` with LIKE's wildcards escaped (escape character `\`).
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An FTS5 query that asks for every distinct trigram of `term` (each a
/// quoted string, so no character of the term is FTS5 syntax), or `None`
/// for a term of fewer than three characters, which has no trigram.
///
/// A product holding all of them is a candidate, not a match: the trigrams
/// may sit apart, and the tokenizer folds case more widely than `lower()`.
pub fn fts_trigram_query(term: &str) -> Option<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let trigrams: Vec<String> = chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .filter(|t| seen.insert(t.clone()))
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!trigrams.is_empty()).then(|| trigrams.join(" AND "))
}

/// The alias of the count of all matches that [`list_products`]'s page
/// carries on each row.
pub const LIST_TOTAL: &str = "total";

/// A page of live products as the query says, each row carrying the count of
/// all matches ([`LIST_TOTAL`]): one round trip; and the count alone, for a
/// page past the end, which has no row to carry it.
///
/// The count is an uncorrelated scalar subquery, which both databases run
/// once, while the page still reads its index in order and stops at the
/// limit. (`COUNT(*) OVER ()` would be one statement too, but it makes the
/// database read and sort every match before the first row: measured on
/// Postgres with 2,000 matches, 5.0 ms against 0.6 ms for this form.)
/// For the whole catalog and for a category alone, the count is read from
/// the counts the triggers of migration 0015 keep, not counted.
pub fn list_products<D: Dialect>(query: &ProductQuery) -> (SelectStatement, SelectStatement) {
    let mut q = filtered_products::<D>(&query.filter);
    let count = count_products::<D>(&query.filter);
    let dir = if query.ordering.is_descending() {
        Sort::Desc
    } else {
        Sort::Asc
    };
    q.expr_as(
        Expr::SubQuery(None, Box::new(count.clone().into())),
        LIST_TOTAL,
    )
    .order_by_expr(ordering_key(query.ordering), dir)
    .order_by(Products::Id, Sort::Asc);
    page(&mut q, query.page);
    (q, count)
}

/// The live products `filter` admits, unordered.
fn filtered_products<D: Dialect>(f: &ProductFilter) -> SelectStatement {
    let mut q = live_products();
    if let Some(c) = &f.category {
        q.and_where(Expr::col(Products::Category).eq(c.as_str()));
    }
    if let Some(s) = f.min_score {
        q.and_where(Expr::col(Products::Score).gte(i64::from(s.value())));
    }
    if let Some(p) = f.min_price {
        q.and_where(Expr::col(Products::Price).gte(Expr::val(D::price(p))));
    }
    if let Some(p) = f.max_price {
        q.and_where(Expr::col(Products::Price).lte(Expr::val(D::price(p))));
    }
    match f.in_stock {
        Some(true) => {
            q.and_where(Expr::col(Products::Stock).gt(0));
        }
        Some(false) => {
            q.and_where(Expr::col(Products::Stock).eq(0));
        }
        None => {}
    }
    if let Some(s) = &f.search {
        let pattern = format!("%{}%", escape_like(&s.folded()));
        let like = |col: Products| {
            Expr::expr(Func::lower(Expr::col(col)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        q.and_where(like(Products::Name).or(like(Products::Description)));
        if let Some(candidates) = D::search_candidates(s) {
            q.and_where(candidates);
        }
    }
    if let Some(sku) = &f.sku {
        q.and_where(Expr::col(Products::Sku).eq(sku.as_str()));
    }
    if let Some(gtin) = &f.gtin {
        q.and_where(Expr::col(Products::Gtin).eq(gtin.as_str()));
    }
    q
}

/// The expression a product list is sorted by (before its ties by id),
/// the one its index is made on.
fn ordering_key(ordering: ProductOrdering) -> Expr {
    match ordering {
        ProductOrdering::PriceAsc | ProductOrdering::PriceDesc => Expr::col(Products::Price),
        ProductOrdering::ScoreAsc | ProductOrdering::ScoreDesc => Expr::col(Products::Score),
        ProductOrdering::NameAsc | ProductOrdering::NameDesc => {
            Func::lower(Expr::col(Products::Name)).into()
        }
        ProductOrdering::CreatedAsc | ProductOrdering::CreatedDesc => {
            Expr::col(Products::CreatedAt)
        }
    }
}

/// A position's sort key as a value to compare [`ordering_key`] with
/// (a name is lower-cased by the database, as the key is).
fn sort_key_value<D: Dialect>(key: &SortKey) -> Expr {
    match key {
        SortKey::Price(p) => Expr::val(D::price(*p)),
        SortKey::Score(s) => Expr::val(i64::from(s.value())),
        SortKey::Name(n) => Func::lower(Expr::val(n.as_str())).into(),
        SortKey::Created(t) => ts(*t),
    }
}

/// The count of the live products `filter` admits: read from the kept
/// counts where they hold it (the whole catalog, a category alone),
/// counted otherwise.
pub fn count_products<D: Dialect>(filter: &ProductFilter) -> SelectStatement {
    kept_count(filter).unwrap_or_else(|| count_of(filtered_products::<D>(filter), Products::Id))
}

/// A keyset page of live products (two index ranges from the position,
/// see `statements/keyset.rs`): at most
/// `seek.fetch()` rows, in the order they are read.
pub fn seek_products<D: Dialect>(query: &ProductSeek) -> SelectStatement {
    let order = keyset::ListOrder {
        key: ordering_key(query.ordering),
        key_descending: query.ordering.is_descending(),
        id: Products::Id,
        id_descending: false,
    };
    let start = query
        .seek
        .from
        .as_ref()
        .map(|(direction, at)| keyset::Start {
            direction: *direction,
            key: sort_key_value::<D>(&at.key),
            id: at.id.as_uuid(),
        });
    keyset::keyset_page(
        filtered_products::<D>(&query.filter),
        order,
        &PRODUCT_COLUMNS,
        start,
        query.seek.fetch(),
    )
}

/// The count of the live products `filter` admits, read from the counts
/// that migration 0015's triggers keep, when the filter is one they keep:
/// none (the whole catalog) or a category alone. `None` for any other
/// filter, whose matches must be counted.
fn kept_count(filter: &ProductFilter) -> Option<SelectStatement> {
    let category_only = ProductFilter {
        category: filter.category.clone(),
        ..ProductFilter::default()
    };
    if *filter != category_only {
        return None;
    }
    let mut q = Query::select();
    q.expr(
        Func::coalesce([Expr::col(ProductCounts::Live).sum(), Expr::val(0)])
            .cast_as(Alias::new("BIGINT")),
    )
    .from(ProductCounts::Table);
    if let Some(c) = &filter.category {
        q.and_where(Expr::col(ProductCounts::Category).eq(c.as_str()));
    }
    Some(q)
}

/// Write every field of a live product if its version is still `p.version`;
/// the version moves on by one.
pub fn update_product<D: Dialect>(p: &Product) -> UpdateStatement {
    let mut q = Query::update();
    let values = PRODUCT_COLUMNS
        .into_iter()
        .zip(product_values::<D>(p))
        .filter(|(c, _)| {
            !matches!(
                c,
                Products::Id | Products::Archived | Products::Version | Products::CreatedAt
            )
        });
    q.table(Products::Table)
        .values(values)
        .value(Products::Version, Expr::col(Products::Version).add(1))
        .and_where(Expr::col(Products::Id).eq(uuid(p.id)))
        .and_where(Expr::col(Products::Version).eq(p.version))
        .and_where(Expr::col(Products::Archived).eq(false))
        .returning(Query::returning().columns(PRODUCT_COLUMNS));
    q
}

/// Whether a product exists (live or archived) and its version, to tell
/// "missing" from "stale" after an update touched no row.
pub fn product_state(id: ProductId) -> SelectStatement {
    let mut q = Query::select();
    q.columns([Products::Archived, Products::Stock])
        .from(Products::Table)
        .and_where(Expr::col(Products::Id).eq(uuid(id)));
    q
}

/// Archive a live product; returns it (as archived: a product row).
pub fn archive_product(id: ProductId, at: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Products::Table)
        .value(Products::Archived, true)
        .value(Products::Version, Expr::col(Products::Version).add(1))
        .value(Products::UpdatedAt, ts(at))
        .and_where(Expr::col(Products::Id).eq(uuid(id)))
        .and_where(Expr::col(Products::Archived).eq(false))
        .returning(Query::returning().columns(PRODUCT_COLUMNS));
    q
}

// ---------------------------------------------------------------- stock

/// Take `units` from a live product if it has them (a conditional update:
/// never read-then-write). Touches one row or none, and returns the stock
/// left.
pub fn take_stock(id: ProductId, units: u32) -> UpdateStatement {
    let mut u = Query::update();
    u.table(Products::Table)
        .value(Products::Stock, Expr::col(Products::Stock).sub(int(units)))
        .value(Products::Version, Expr::col(Products::Version).add(1))
        .and_where(Expr::col(Products::Id).eq(uuid(id)))
        .and_where(Expr::col(Products::Archived).eq(false))
        .and_where(Expr::col(Products::Stock).gte(int(units)))
        .returning_col(Products::Stock);
    u
}

/// Give `q` units back to a product, archived or not.
pub fn give_back_stock(id: ProductId, q: Quantity) -> UpdateStatement {
    let mut u = Query::update();
    u.table(Products::Table)
        .value(
            Products::Stock,
            Expr::col(Products::Stock).add(int(q.get())),
        )
        .value(Products::Version, Expr::col(Products::Version).add(1))
        .and_where(Expr::col(Products::Id).eq(uuid(id)));
    u
}

// ---------------------------------------------------------------- orders

/// `INSERT INTO orders …`
pub fn insert_order<D: Dialect>(o: &Order) -> BuildResult<InsertStatement> {
    let shipping = o.shipping.as_ref();
    let mut q = Query::insert();
    q.into_table(Orders::Table).columns(ORDER_COLUMNS).values([
        uuid(o.id),
        uuid(o.user_id),
        o.status.as_str().into(),
        o.currency.as_str().into(),
        Expr::val(o.confirmation_sent_at),
        ts(o.created_at),
        ts(o.updated_at),
        Expr::val(shipping.map(|s| s.code.as_str().to_owned())),
        Expr::val(shipping.map(|s| s.name.as_str().to_owned())),
        Expr::val(D::price_opt(shipping.map(|s| s.price))),
        Expr::val(D::decimal_opt(
            o.shipping_carbon_footprint_kg().map(|kg| kg.kg()),
        )),
    ])?;
    Ok(q)
}

/// `INSERT INTO order_lines …`, one row per line, positions from 0.
pub fn insert_order_lines<D: Dialect>(o: &Order) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(OrderLines::Table).columns(ORDER_LINE_COLUMNS);
    for (position, l) in o.lines.iter().enumerate() {
        q.values([
            uuid(o.id),
            Expr::val(position as i64),
            uuid(l.product_id),
            l.name.as_str().into(),
            Expr::val(D::price(l.unit_price)),
            int(l.quantity.get()),
            Expr::val(D::carbon_opt(l.unit_carbon_footprint_kg)),
            Expr::val(i64::from(l.sustainability_score.value())),
            Expr::val(l.score_method.as_ref().map(|m| m.as_str().to_owned())),
        ])?;
    }
    Ok(q)
}

/// One order (its lines come from [`select_order_lines`]).
pub fn select_order(id: OrderId) -> SelectStatement {
    let mut q = Query::select();
    q.columns(qualified(Orders::Table, ORDER_COLUMNS))
        .from(Orders::Table)
        .and_where(Expr::col(Orders::Id).eq(uuid(id)));
    q
}

/// The id of an order, if it exists (to tell "missing" from "moved on"
/// after a conditional update touched no row).
pub fn order_exists(id: OrderId) -> SelectStatement {
    let mut q = Query::select();
    q.column(Orders::Id)
        .from(Orders::Table)
        .and_where(Expr::col(Orders::Id).eq(uuid(id)));
    q
}

/// The lines of these orders.
pub fn select_order_lines(ids: &[Uuid]) -> SelectStatement {
    let mut q = Query::select();
    q.columns(ORDER_LINE_COLUMNS)
        .from(OrderLines::Table)
        .and_where(Expr::col(OrderLines::OrderId).is_in(ids.iter().copied()))
        .order_by(OrderLines::OrderId, Sort::Asc)
        .order_by(OrderLines::Position, Sort::Asc);
    q
}

/// The orders, optionally one user's, unordered.
fn owned_orders(owner: Option<UserId>) -> SelectStatement {
    let mut q = Query::select();
    q.columns(qualified(Orders::Table, ORDER_COLUMNS))
        .from(Orders::Table);
    if let Some(u) = owner {
        q.and_where(Expr::col(Orders::UserId).eq(uuid(u)));
    }
    q
}

/// A page of orders, newest first, optionally one user's; and the count.
pub fn list_orders(owner: Option<UserId>, p: PageRequest) -> (SelectStatement, SelectStatement) {
    let mut q = owned_orders(owner);
    let count = count_orders(owner);
    q.order_by(Orders::CreatedAt, Sort::Desc)
        .order_by(Orders::Id, Sort::Desc);
    page(&mut q, p);
    (q, count)
}

/// How many orders there are, optionally one user's.
pub fn count_orders(owner: Option<UserId>) -> SelectStatement {
    count_of(owned_orders(owner), Orders::Id)
}

/// A keyset page of orders, newest first (see `statements/keyset.rs`), optionally one
/// user's: at most `seek.fetch()` rows, in the order they are read.
pub fn seek_orders(owner: Option<UserId>, seek: &Seek<OrderPosition>) -> SelectStatement {
    let order = keyset::ListOrder {
        key: Expr::col(Orders::CreatedAt),
        key_descending: true,
        id: Orders::Id,
        id_descending: true,
    };
    let start = seek.from.as_ref().map(|(direction, at)| keyset::Start {
        direction: *direction,
        key: ts(at.created_at),
        id: at.id.as_uuid(),
    });
    keyset::keyset_page(
        owned_orders(owner),
        order,
        &ORDER_COLUMNS,
        start,
        seek.fetch(),
    )
}

/// Compare-and-set an order's status.
pub fn change_status(c: &StatusChange) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Orders::Table)
        .value(Orders::Status, c.to.as_str())
        .value(Orders::UpdatedAt, ts(c.at))
        .and_where(Expr::col(Orders::Id).eq(uuid(c.order_id)))
        .and_where(Expr::col(Orders::Status).eq(c.from.as_str()));
    q
}

/// Record the confirmation time unless one is recorded.
pub fn mark_confirmation_sent(id: OrderId, at: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Orders::Table)
        .value(Orders::ConfirmationSentAt, ts(at))
        .value(Orders::UpdatedAt, ts(at))
        .and_where(Expr::col(Orders::Id).eq(uuid(id)))
        .and_where(Expr::col(Orders::ConfirmationSentAt).is_null());
    q
}

/// orders_count, items_count, carbon, weighted_score and shipping carbon
/// over a user's orders that are not cancelled (see
/// [`SummaryRecord`](crate::records::SummaryRecord)). The shipping carbon
/// is one value per order, so it is summed over `orders` alone, in a
/// subquery, not over the join with the lines.
pub fn summary<D: Dialect>(user: UserId) -> SelectStatement {
    let mut shipping = Query::select();
    shipping
        .expr(Func::coalesce([
            D::carbon_sum(Expr::col(Orders::ShippingCarbonFootprintKg)),
            Expr::val(0i64),
        ]))
        .from(Orders::Table)
        .and_where(Expr::col(Orders::UserId).eq(uuid(user)))
        .and_where(Expr::col(Orders::Status).ne(OrderStatus::Cancelled.as_str()));
    let qty = || Expr::col((OrderLines::Table, OrderLines::Quantity));
    let mut q = Query::select();
    q.expr(Expr::col((Orders::Table, Orders::Id)).count_distinct())
        .expr(Func::coalesce([qty().sum(), Expr::val(0i64)]))
        .expr(Func::coalesce([
            D::carbon_sum(qty().mul(Expr::col((
                OrderLines::Table,
                OrderLines::UnitCarbonFootprintKg,
            )))),
            Expr::val(0i64),
        ]))
        .expr(Func::coalesce([
            qty()
                .mul(Expr::col((
                    OrderLines::Table,
                    OrderLines::SustainabilityScore,
                )))
                .sum(),
            Expr::val(0i64),
        ]))
        .expr(Expr::SubQuery(None, Box::new(shipping.into())))
        .from(Orders::Table)
        .inner_join(
            OrderLines::Table,
            Expr::col((OrderLines::Table, OrderLines::OrderId)).equals((Orders::Table, Orders::Id)),
        )
        .and_where(Expr::col((Orders::Table, Orders::UserId)).eq(uuid(user)))
        .and_where(Expr::col((Orders::Table, Orders::Status)).ne(OrderStatus::Cancelled.as_str()));
    q
}

// ---------------------------------------------------------------- idempotency

/// Claim (user, key) with an outcome: inserts, or replaces an expired record;
/// returns a row only when it did. A live record stays and nothing returns.
pub fn claim_idempotency_key(
    stamp: &IdempotencyStamp,
    outcome: serde_json::Value,
) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(IdempotencyKeys::Table)
        .columns([
            IdempotencyKeys::UserId,
            IdempotencyKeys::Key,
            IdempotencyKeys::Fingerprint,
            IdempotencyKeys::Outcome,
            IdempotencyKeys::ExpiresAt,
        ])
        .values([
            uuid(stamp.user_id),
            stamp.key.as_str().into(),
            stamp.fingerprint.as_str().into(),
            Expr::val(outcome),
            ts(stamp.expires_at),
        ])?
        .on_conflict(
            OnConflict::columns([IdempotencyKeys::UserId, IdempotencyKeys::Key])
                .update_columns([
                    IdempotencyKeys::Fingerprint,
                    IdempotencyKeys::Outcome,
                    IdempotencyKeys::ExpiresAt,
                ])
                .action_and_where(
                    Expr::col((IdempotencyKeys::Table, IdempotencyKeys::ExpiresAt))
                        .lte(ts(stamp.now)),
                )
                .to_owned(),
        )
        .returning_col(IdempotencyKeys::Key);
    Ok(q)
}

/// Set the outcome of a key claimed in the same transaction.
pub fn set_idempotency_outcome(
    stamp: &IdempotencyStamp,
    outcome: serde_json::Value,
) -> UpdateStatement {
    let mut q = Query::update();
    q.table(IdempotencyKeys::Table)
        .value(IdempotencyKeys::Outcome, Expr::val(outcome))
        .and_where(Expr::col(IdempotencyKeys::UserId).eq(uuid(stamp.user_id)))
        .and_where(Expr::col(IdempotencyKeys::Key).eq(stamp.key.as_str()));
    q
}

/// The live record for (user, key).
pub fn find_idempotency(user: UserId, key: &IdempotencyKey, now: Timestamp) -> SelectStatement {
    let mut q = Query::select();
    q.columns(IDEMPOTENCY_COLUMNS)
        .from(IdempotencyKeys::Table)
        .and_where(Expr::col(IdempotencyKeys::UserId).eq(uuid(user)))
        .and_where(Expr::col(IdempotencyKeys::Key).eq(key.as_str()))
        .and_where(Expr::col(IdempotencyKeys::ExpiresAt).gt(ts(now)));
    q
}

/// Delete expired records.
pub fn purge_idempotency(now: Timestamp) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(IdempotencyKeys::Table)
        .and_where(Expr::col(IdempotencyKeys::ExpiresAt).lte(ts(now)));
    q
}

// ---------------------------------------------------------------- accounts

/// `INSERT INTO users …`
pub fn insert_user(u: &User) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Users::Table).columns(USER_COLUMNS).values([
        uuid(u.id),
        u.email.as_str().into(),
        u.name.as_str().into(),
        u.role.as_str().into(),
        u.password_hash.as_phc().into(),
        ts(u.created_at),
    ])?;
    Ok(q)
}

/// The user with this address (compared lower-cased, as the unique index is).
pub fn select_user_by_email(email: &Email) -> SelectStatement {
    let mut q = Query::select();
    q.columns(USER_COLUMNS).from(Users::Table).and_where(
        Expr::expr(Func::lower(Expr::col(Users::Email))).eq(email.as_str().to_lowercase()),
    );
    q
}

/// The user with this id.
pub fn select_user(id: UserId) -> SelectStatement {
    let mut q = Query::select();
    q.columns(USER_COLUMNS)
        .from(Users::Table)
        .and_where(Expr::col(Users::Id).eq(uuid(id)));
    q
}

// ---------------------------------------------------------------- jobs

/// The columns a new job is written with.
const NEW_JOB_COLUMNS: [Jobs; 9] = [
    Jobs::Id,
    Jobs::Kind,
    Jobs::Payload,
    Jobs::Status,
    Jobs::Attempts,
    Jobs::MaxAttempts,
    Jobs::RunAt,
    Jobs::CreatedAt,
    Jobs::UpdatedAt,
];

/// A new job's values, in [`NEW_JOB_COLUMNS`] order: `queued`, no attempt yet.
fn new_job_values(j: &NewJob, now: Timestamp) -> [Expr; 9] {
    [
        uuid(j.id),
        j.kind.as_str().into(),
        Expr::val(j.payload.clone()),
        JobStatus::Queued.as_str().into(),
        Expr::val(0i64),
        int(j.max_attempts),
        ts(j.run_at),
        ts(now),
        ts(now),
    ]
}

/// `INSERT INTO jobs …` for several jobs, all `queued`.
pub fn insert_jobs(jobs: &[NewJob], now: Timestamp) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Jobs::Table).columns(NEW_JOB_COLUMNS);
    for j in jobs {
        q.values(new_job_values(j, now))?;
    }
    Ok(q)
}

/// Confirm a pending order and enqueue `jobs` in one statement, for backends
/// with data-modifying `WITH` (Postgres): the conditional update of
/// [`change_status`] feeds an `INSERT … SELECT … FROM confirmed`, so the jobs
/// exist exactly when the order moved. Each inserted job returns its id; no
/// row comes back when the order was not pending or is missing. `jobs` must
/// not be empty.
pub fn confirm_order_and_enqueue(
    id: OrderId,
    at: Timestamp,
    jobs: &[NewJob],
) -> BuildResult<WithQuery> {
    let confirmed = Alias::new("confirmed");
    let mut update = change_status(&StatusChange::confirm(id, at));
    update.returning_col(Orders::Id);
    let mut rows: Option<SelectStatement> = None;
    for j in jobs {
        let mut row = Query::select();
        row.exprs(new_job_values(j, at)).from(confirmed.clone());
        match &mut rows {
            None => rows = Some(row),
            Some(all) => {
                all.union(UnionType::All, row);
            }
        }
    }
    let rows = rows.ok_or_else(|| sea_query::error::Error::ColValNumMismatch {
        col_len: NEW_JOB_COLUMNS.len(),
        val_len: 0,
    })?;
    let mut insert = Query::insert();
    insert
        .into_table(Jobs::Table)
        .columns(NEW_JOB_COLUMNS)
        .select_from(rows)?
        .returning_col(Jobs::Id);
    let cte = CommonTableExpression::new()
        .query(update)
        .table_name(confirmed)
        .to_owned();
    Ok(WithClause::new().cte(cte).to_owned().query(insert))
}

/// Claim up to `limit` due jobs of `kind`: one statement.
///
/// The inner select names exactly the rows of the partial index
/// `jobs_ready (kind, run_at, id) WHERE status = 'queued'` and reads them in
/// its order, so it stops after `limit` rows whatever the backlog, with no
/// sort and no statistics needed. It takes them with `FOR UPDATE SKIP LOCKED`
/// (on backends that have it), so concurrent claimers never wait for, nor
/// take, each other's rows; the outer update finds them by primary key
/// ([`Dialect::id_among`]).
pub fn claim_jobs<D: Dialect>(
    kind: JobKind,
    now: Timestamp,
    lease: Duration,
    token: Uuid,
    limit: u64,
) -> UpdateStatement {
    let mut next = Query::select();
    next.column(Jobs::Id)
        .from(Jobs::Table)
        .and_where(Expr::col(Jobs::Kind).eq(kind.as_str()))
        .and_where(Expr::col(Jobs::Status).eq(JobStatus::Queued.as_str()))
        .and_where(Expr::col(Jobs::RunAt).lte(ts(now)))
        .order_by(Jobs::RunAt, Sort::Asc)
        .order_by(Jobs::Id, Sort::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    let mut q = Query::update();
    q.table(Jobs::Table)
        .value(Jobs::Status, JobStatus::Running.as_str())
        .value(Jobs::Attempts, Expr::col(Jobs::Attempts).add(1))
        .value(Jobs::LockedUntil, ts(lease_end(now, lease)))
        .value(Jobs::LeaseToken, Expr::val(token))
        .value(Jobs::UpdatedAt, ts(now))
        .and_where(D::id_among(Expr::col(Jobs::Id), next))
        .returning(Query::returning().columns(JOB_COLUMNS));
    q
}

/// The claims' jobs, each still held under its own token: one condition per
/// claim batch (`lease_token = t AND id IN (…)`), so a job is matched only
/// with the token it was claimed under.
fn held_by(claims: &[ClaimedJob]) -> Condition {
    let mut by_token: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
    for c in claims {
        match by_token.iter_mut().find(|(t, _)| *t == c.token) {
            Some((_, ids)) => ids.push(c.job.id.into()),
            None => by_token.push((c.token, vec![c.job.id.into()])),
        }
    }
    let mut any = Condition::any();
    for (token, ids) in by_token {
        any = any.add(
            Expr::col(Jobs::LeaseToken)
                .eq(Expr::val(token))
                .and(Expr::col(Jobs::Id).is_in(ids)),
        );
    }
    Condition::all()
        .add(Expr::col(Jobs::Status).eq(JobStatus::Running.as_str()))
        .add(any)
}

fn held(claim: &ClaimedJob) -> Condition {
    held_by(std::slice::from_ref(claim))
}

/// Mark held jobs done, in one statement; returns the (id, token) of each
/// row it marked (a claim whose lease was lost matches no row).
pub fn complete_jobs(claims: &[ClaimedJob], now: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Jobs::Table)
        .value(Jobs::Status, JobStatus::Done.as_str())
        .value(Jobs::LockedUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .value(Jobs::UpdatedAt, ts(now))
        .cond_where(held_by(claims))
        .returning(Query::returning().columns([Jobs::Id, Jobs::LeaseToken]));
    q
}

/// Move the leases of held jobs to `now + lease`; returns the (id, token)
/// of each row it moved.
pub fn extend_leases(claims: &[ClaimedJob], now: Timestamp, lease: Duration) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Jobs::Table)
        .value(Jobs::LockedUntil, ts(lease_end(now, lease)))
        .cond_where(held_by(claims))
        .returning(Query::returning().columns([Jobs::Id, Jobs::LeaseToken]));
    q
}

/// Which running jobs a rescue takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rescue {
    /// Those whose lease ended (`locked_until <= now`): the periodic rescuer.
    Expired,
    /// Every running job: a process that owns the storage, starting.
    All,
}

/// Rescue running jobs: back to `queued`, due `now`, or `dead` after their
/// last attempt ([`ecolaura_core::jobs::rescued_status`], as a `CASE`), the
/// token cleared so the lost holder's answer is refused.
pub fn rescue_jobs(now: Timestamp, which: Rescue) -> UpdateStatement {
    let status = Expr::case(
        Expr::col(Jobs::Attempts).gte(Expr::col(Jobs::MaxAttempts)),
        JobStatus::Dead.as_str(),
    )
    .finally(JobStatus::Queued.as_str());
    let mut q = Query::update();
    q.table(Jobs::Table)
        .value(Jobs::Status, status)
        .value(Jobs::RunAt, ts(now))
        .value(Jobs::LockedUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .value(Jobs::LeaseToken, Expr::val(Option::<Uuid>::None))
        .value(Jobs::LastError, LEASE_EXPIRED)
        .value(Jobs::UpdatedAt, ts(now))
        .and_where(Expr::col(Jobs::Status).eq(JobStatus::Running.as_str()));
    if which == Rescue::Expired {
        q.and_where(Expr::col(Jobs::LockedUntil).lte(ts(now)));
    }
    q
}

/// Record a held job's failure (no row if the lease was lost).
pub fn fail_job(
    claim: &ClaimedJob,
    now: Timestamp,
    error: &str,
    decision: RetryDecision,
) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Jobs::Table)
        .value(Jobs::LastError, error)
        .value(Jobs::LockedUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .value(Jobs::UpdatedAt, ts(now))
        .cond_where(held(claim));
    match decision {
        RetryDecision::RetryAt(at) => {
            q.value(Jobs::Status, JobStatus::Queued.as_str())
                .value(Jobs::RunAt, ts(at));
        }
        RetryDecision::Dead => {
            q.value(Jobs::Status, JobStatus::Dead.as_str());
        }
    }
    q
}

/// One job.
pub fn select_job(id: JobId) -> SelectStatement {
    let mut q = Query::select();
    q.columns(JOB_COLUMNS)
        .from(Jobs::Table)
        .and_where(Expr::col(Jobs::Id).eq(uuid(id)));
    q
}

/// `status, count(*)` per status.
pub fn job_counts() -> SelectStatement {
    let mut q = Query::select();
    q.column(Jobs::Status)
        .expr(Expr::col(Jobs::Id).count())
        .from(Jobs::Table)
        .group_by_col(Jobs::Status);
    q
}

/// The live queue for `/metrics`: rows of
/// [`StatsRow`](crate::records::StatsRow) (kind, state, count, earliest
/// `run_at`) for the states `ready`, `scheduled`, `running` and `dead`. Each
/// part names one status, so it reads one partial index; done jobs are never
/// scanned.
pub fn queue_stats(now: Timestamp) -> SelectStatement {
    let part = |state: &str, status: JobStatus, due: Option<bool>| {
        let mut q = Query::select();
        q.column(Jobs::Kind)
            .expr(Expr::val(state.to_owned()))
            .expr(Expr::col(Jobs::Id).count())
            .expr(Expr::col(Jobs::RunAt).min())
            .from(Jobs::Table)
            .and_where(Expr::col(Jobs::Status).eq(status.as_str()))
            .group_by_col(Jobs::Kind);
        match due {
            Some(true) => q.and_where(Expr::col(Jobs::RunAt).lte(ts(now))),
            Some(false) => q.and_where(Expr::col(Jobs::RunAt).gt(ts(now))),
            None => &mut q,
        };
        q
    };
    let mut q = part(STATE_READY, JobStatus::Queued, Some(true));
    q.union(
        UnionType::All,
        part(STATE_SCHEDULED, JobStatus::Queued, Some(false)),
    )
    .union(
        UnionType::All,
        part(STATE_RUNNING, JobStatus::Running, None),
    )
    .union(UnionType::All, part(STATE_DEAD, JobStatus::Dead, None));
    q
}

/// The state names [`queue_stats`] reports.
pub const STATE_READY: &str = "ready";
/// Queued, due later.
pub const STATE_SCHEDULED: &str = "scheduled";
/// Held by a worker.
pub const STATE_RUNNING: &str = "running";
/// Given up.
pub const STATE_DEAD: &str = "dead";

/// Delete up to `limit` `done` jobs last updated (finished) before `before`,
/// found through the partial index `jobs_finished`.
pub fn purge_done_jobs(before: Timestamp, limit: u64) -> DeleteStatement {
    let mut old = Query::select();
    old.column(Jobs::Id)
        .from(Jobs::Table)
        .and_where(Expr::col(Jobs::Status).eq(JobStatus::Done.as_str()))
        .and_where(Expr::col(Jobs::UpdatedAt).lt(ts(before)))
        .limit(limit);
    let mut q = Query::delete();
    q.from_table(Jobs::Table)
        .and_where(Expr::col(Jobs::Id).in_subquery(old));
    q
}

// ---------------------------------------------------------------- mail

/// Record a sent e-mail unless its key is recorded; returns a row only when recorded.
pub fn insert_sent_email(email: &OutgoingEmail, now: Timestamp) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(SentEmails::Table)
        .columns(SENT_EMAIL_COLUMNS)
        .values([
            email.dedup_key.as_str().into(),
            email.to.as_str().into(),
            email.subject.as_str().into(),
            email.body.as_str().into(),
            ts(now),
        ])?
        .on_conflict(
            OnConflict::column(SentEmails::DedupKey)
                .do_nothing()
                .to_owned(),
        )
        .returning_col(SentEmails::DedupKey);
    Ok(q)
}

/// The e-mail sent under a key.
pub fn select_sent_email(key: &str) -> SelectStatement {
    let mut q = Query::select();
    q.columns(SENT_EMAIL_COLUMNS)
        .column(SentEmails::DeliveredAt)
        .from(SentEmails::Table)
        .and_where(Expr::col(SentEmails::DedupKey).eq(key));
    q
}

/// Mark the e-mail under a key delivered at `at`, unless it was; touches
/// no row when no e-mail has that key.
pub fn mark_email_delivered(key: &str, at: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(SentEmails::Table)
        .value(
            SentEmails::DeliveredAt,
            Func::coalesce([Expr::col(SentEmails::DeliveredAt), ts(at)]),
        )
        .and_where(Expr::col(SentEmails::DedupKey).eq(key));
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecolaura_core::catalog::ProductPosition;
    use ecolaura_core::domain::{Direction, Limit};
    use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    fn seek_from(direction: Direction) -> ProductSeek {
        ProductSeek {
            filter: ProductFilter {
                category: Some(Slug::parse("cups").unwrap()),
                ..ProductFilter::default()
            },
            ordering: ProductOrdering::PriceDesc,
            seek: Seek {
                from: Some((
                    direction,
                    ProductPosition {
                        key: SortKey::Price("9.50".parse().unwrap()),
                        id: ProductId::new(),
                    },
                )),
                limit: Limit::new(20).unwrap(),
            },
        }
    }

    #[test]
    fn a_keyset_page_is_two_index_ranges_each_stopped_at_the_page() {
        let after = seek_products::<crate::Postgres>(&seek_from(Direction::After))
            .to_string(PostgresQueryBuilder);
        // The ties of the position by id ascending, then the keys beyond
        // it by key descending: the list's own order.
        assert!(after.contains(r#""price" = 9.50 AND "id" > '"#), "{after}");
        assert!(after.contains(r#"ORDER BY "id" ASC LIMIT 21"#), "{after}");
        assert!(
            after.contains(r#""price" < 9.50 ORDER BY "price" DESC, "id" ASC LIMIT 21"#),
            "{after}"
        );
        assert!(
            after.ends_with(r#"AS "page" ORDER BY "price" DESC, "id" ASC LIMIT 21"#),
            "{after}"
        );
        // Backwards, every comparison and direction turns round.
        let before = seek_products::<crate::Sqlite>(&seek_from(Direction::Before))
            .to_string(SqliteQueryBuilder);
        assert!(before.contains(r#""price" = 950 AND "id" < '"#), "{before}");
        assert!(
            before.contains(r#""price" > 950 ORDER BY "price" ASC, "id" DESC LIMIT 21"#),
            "{before}"
        );
        assert!(
            before.ends_with(r#"AS "page" ORDER BY "price" ASC, "id" DESC LIMIT 21"#),
            "{before}"
        );
        assert!(
            !before.contains("UNION ALL ("),
            "SQLite takes no parenthesized part: {before}"
        );
    }

    #[test]
    fn a_product_page_carries_the_count_in_the_same_statement() {
        let query = ProductQuery {
            filter: ProductFilter {
                in_stock: Some(true),
                ..ProductFilter::default()
            },
            ..ProductQuery::default()
        };
        let (pg, _) = list_products::<crate::Postgres>(&query);
        let (lite, _) = list_products::<crate::Sqlite>(&query);
        for sql in [
            pg.to_string(PostgresQueryBuilder),
            lite.to_string(SqliteQueryBuilder),
        ] {
            assert!(
                sql.contains(r#", (SELECT COUNT("id") FROM "products" WHERE"#)
                    && sql.contains(r#") AS "total" FROM "products""#),
                "{sql}"
            );
        }
    }

    #[test]
    fn the_whole_catalog_and_a_category_read_their_kept_counts() {
        let category = ProductFilter {
            category: Some(Slug::parse("cups").expect("slug")),
            ..ProductFilter::default()
        };
        for (filter, kept) in [
            (ProductFilter::default(), r#"FROM "product_counts""#),
            (
                category,
                r#"FROM "product_counts" WHERE "category" = 'cups'"#,
            ),
        ] {
            let query = ProductQuery {
                filter,
                ..ProductQuery::default()
            };
            let (page, count) = list_products::<crate::Sqlite>(&query);
            for sql in [
                page.to_string(SqliteQueryBuilder),
                count.to_string(SqliteQueryBuilder),
            ] {
                assert!(sql.contains(kept) && !sql.contains("COUNT("), "{sql}");
            }
        }
    }

    #[test]
    fn an_fts_query_asks_for_each_distinct_trigram_quoted() {
        assert_eq!(fts_trigram_query("ab"), None);
        assert_eq!(fts_trigram_query("é%"), None);
        assert_eq!(fts_trigram_query("abc").as_deref(), Some(r#""abc""#));
        assert_eq!(
            fts_trigram_query("abcabc").as_deref(),
            Some(r#""abc" AND "bca" AND "cab""#)
        );
        assert_eq!(
            fts_trigram_query(r#"a"b OR*"#).as_deref(),
            Some(r#""a""b" AND """b " AND "b O" AND " OR" AND "OR*""#),
            "FTS5 syntax stays inside the quoted strings"
        );
    }

    #[test]
    fn taking_stock_returns_what_is_left() {
        let q = take_stock(ProductId::new(), 2);
        for sql in [
            q.to_string(PostgresQueryBuilder),
            q.to_string(SqliteQueryBuilder),
        ] {
            assert!(sql.ends_with(r#"RETURNING "stock""#), "{sql}");
        }
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
    }

    fn claim() -> UpdateStatement {
        claim_jobs::<crate::Postgres>(
            JobKind::ProcessOrder,
            chrono::Utc::now(),
            Duration::from_secs(30),
            Uuid::nil(),
            4,
        )
    }

    #[test]
    fn claiming_skips_locked_rows_on_postgres_only() {
        assert!(
            claim()
                .to_string(PostgresQueryBuilder)
                .contains("FOR UPDATE SKIP LOCKED")
        );
        let sqlite = claim_jobs::<crate::Sqlite>(
            JobKind::ProcessOrder,
            chrono::Utc::now(),
            Duration::from_secs(30),
            Uuid::nil(),
            4,
        );
        assert!(!sqlite.to_string(SqliteQueryBuilder).contains("FOR UPDATE"));
    }

    #[test]
    fn a_claim_reads_queued_jobs_only_with_no_or() {
        let sql = claim().to_string(PostgresQueryBuilder);
        assert!(sql.contains(r#""status" = 'queued'"#), "{sql}");
        assert!(!sql.contains(" OR "), "{sql}");
        assert!(sql.contains("ANY(ARRAY("), "{sql}");
    }
}
