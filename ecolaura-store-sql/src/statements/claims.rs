//! Statements of green claims.

use chrono::NaiveDate;
use ecolaura_core::domain::{ClaimId, ProductId};
use ecolaura_core::sustainability::Claim;
use sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, Order as Sort, Query, SelectStatement,
};

use super::{BuildResult, ts, uuid};
use crate::schema::{ProductClaims as C, Products};

/// The columns of a [`ClaimRow`](crate::records::ClaimRow).
pub const CLAIM_COLUMNS: [C; 13] = [
    C::Id,
    C::ProductId,
    C::ClaimType,
    C::Statement,
    C::Markets,
    C::EvidenceScheme,
    C::EvidenceCertificateId,
    C::EvidenceIssuer,
    C::EvidenceValidFrom,
    C::EvidenceValidUntil,
    C::EvidenceEcolabelTypeI,
    C::EvidenceUrl,
    C::CreatedAt,
];

/// `INSERT INTO product_claims …`
pub fn insert_claim(c: &Claim) -> BuildResult<InsertStatement> {
    let markets: Vec<&str> = c.markets.iter().map(|m| m.as_str()).collect();
    let markets = serde_json::to_string(&markets).unwrap_or_else(|_| "[]".to_owned());
    let e = &c.evidence;
    let mut q = Query::insert();
    q.into_table(C::Table).columns(CLAIM_COLUMNS).values([
        uuid(c.id),
        uuid(c.product_id),
        c.claim_type.as_str().into(),
        c.statement.as_str().into(),
        markets.into(),
        e.scheme.as_str().into(),
        Expr::val(e.certificate_id.clone()),
        e.issuer.as_str().into(),
        Expr::val(e.valid_from),
        Expr::val(e.valid_until),
        Expr::val(e.ecolabel_type_i),
        Expr::val(e.url.clone()),
        ts(c.created_at),
    ])?;
    Ok(q)
}

/// Remove claim `id` of product `product`.
pub fn delete_claim(product: ProductId, id: ClaimId) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(C::Table)
        .and_where(Expr::col(C::Id).eq(uuid(id)))
        .and_where(Expr::col(C::ProductId).eq(uuid(product)));
    q
}

/// Claims joined to their live product.
fn live_claims() -> SelectStatement {
    let mut q = Query::select();
    q.columns(CLAIM_COLUMNS.map(|c| (C::Table, c)))
        .from(C::Table)
        .inner_join(
            Products::Table,
            Expr::col((Products::Table, Products::Id)).equals((C::Table, C::ProductId)),
        )
        .and_where(Expr::col((Products::Table, Products::Archived)).eq(false));
    q
}

/// The claims of the live products among `products`, by product, each
/// product's oldest first.
pub fn select_claims(products: &[ProductId]) -> SelectStatement {
    let mut q = live_claims();
    q.and_where(Expr::col((C::Table, C::ProductId)).is_in(products.iter().map(|p| uuid(*p))))
        .order_by((C::Table, C::ProductId), Sort::Asc)
        .order_by((C::Table, C::CreatedAt), Sort::Asc)
        .order_by((C::Table, C::Id), Sort::Asc);
    q
}

/// Claims of live products whose evidence's last day is in
/// `from..=until`, soonest first, at most `limit`.
pub fn select_expiring_claims(from: NaiveDate, until: NaiveDate, limit: u64) -> SelectStatement {
    let mut q = live_claims();
    q.and_where(Expr::col((C::Table, C::EvidenceValidUntil)).gte(from))
        .and_where(Expr::col((C::Table, C::EvidenceValidUntil)).lte(until))
        .order_by((C::Table, C::EvidenceValidUntil), Sort::Asc)
        .order_by((C::Table, C::Id), Sort::Asc)
        .limit(limit);
    q
}

/// Live products, ids above `after` ascending, at most `limit`, with a
/// claim whose evidence's first or last day is in `from..=until`.
pub fn select_products_with_claim_dates_in(
    from: NaiveDate,
    until: NaiveDate,
    after: Option<ProductId>,
    limit: u64,
) -> SelectStatement {
    let within = |column: C| {
        Expr::col((C::Table, column))
            .gte(from)
            .and(Expr::col((C::Table, column)).lte(until))
    };
    let mut q = Query::select();
    q.distinct()
        .column((C::Table, C::ProductId))
        .from(C::Table)
        .inner_join(
            Products::Table,
            Expr::col((Products::Table, Products::Id)).equals((C::Table, C::ProductId)),
        )
        .and_where(Expr::col((Products::Table, Products::Archived)).eq(false))
        .and_where(within(C::EvidenceValidFrom).or(within(C::EvidenceValidUntil)));
    if let Some(after) = after {
        q.and_where(Expr::col((C::Table, C::ProductId)).gt(uuid(after)));
    }
    q.order_by((C::Table, C::ProductId), Sort::Asc).limit(limit);
    q
}
