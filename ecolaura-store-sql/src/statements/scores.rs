//! Statements of scores: each product's score history, the published
//! score policies and the rescoring job's walk through the catalog.

use ecolaura_core::catalog::Product;
use ecolaura_core::domain::ProductId;
use ecolaura_core::scoring::PublishedPolicy;
use sea_query::{
    Expr, ExprTrait, InsertStatement, OnConflict, Order as Sort, Query, SelectStatement,
    UpdateStatement,
};

use super::{BuildResult, int, live_products, ts, uuid};
use crate::schema::{Products, ScoreHistory as H, ScorePolicies as P};

/// The columns of a [`ScoreEntryRow`](crate::records::ScoreEntryRow).
pub const SCORE_ENTRY_COLUMNS: [H; 4] = [H::At, H::Score, H::Method, H::Reason];

/// The columns of a [`ScorePolicyRow`](crate::records::ScorePolicyRow).
pub const SCORE_POLICY_COLUMNS: [P; 3] = [P::Version, P::Rules, P::PublishedAt];

/// Keep `p`'s current score in its history: one row per
/// `score_computed_at`, so writing a product whose score was not computed
/// anew adds nothing. Every product write runs it in its transaction.
pub fn record_score(p: &Product) -> BuildResult<InsertStatement> {
    record_scores(std::slice::from_ref(p))
}

/// [`record_score`] for several products in one statement (a rescoring
/// batch). `products` must not be empty.
pub fn record_scores(products: &[Product]) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(H::Table)
        .columns([H::ProductId, H::At, H::Score, H::Method, H::Reason]);
    for p in products {
        q.values([
            uuid(p.id),
            ts(p.score_computed_at),
            Expr::val(i64::from(p.score.value())),
            p.score_method.as_str().into(),
            p.score_reason.as_str().into(),
        ])?;
    }
    q.on_conflict(
        OnConflict::columns([H::ProductId, H::At])
            .do_nothing()
            .to_owned(),
    );
    Ok(q)
}

/// A product's score history, newest first, at most `limit` rows.
pub fn select_score_history(id: ProductId, limit: u32) -> SelectStatement {
    let mut q = Query::select();
    q.columns(SCORE_ENTRY_COLUMNS)
        .from(H::Table)
        .and_where(Expr::col(H::ProductId).eq(uuid(id)))
        .order_by(H::At, Sort::Desc)
        .limit(u64::from(limit));
    q
}

/// Version `version` of the published policy, or the latest for `None`.
pub fn select_score_policy(version: Option<u32>) -> SelectStatement {
    let mut q = Query::select();
    q.columns(SCORE_POLICY_COLUMNS).from(P::Table);
    match version {
        Some(v) => {
            q.and_where(Expr::col(P::Version).eq(int(v)));
        }
        None => {
            q.order_by(P::Version, Sort::Desc).limit(1);
        }
    }
    q
}

/// `INSERT INTO score_policies …` (no cursor yet); a taken version breaks
/// the primary key.
pub fn insert_score_policy(p: &PublishedPolicy) -> BuildResult<InsertStatement> {
    let rules = serde_json::to_string(&p.rules).unwrap_or_else(|_| "{}".to_owned());
    let mut q = Query::insert();
    q.into_table(P::Table)
        .columns(SCORE_POLICY_COLUMNS)
        .values([int(p.version), rules.into(), ts(p.published_at)])?;
    Ok(q)
}

/// The rescoring cursor of policy `version` (one row, NULL before the
/// first batch; none for an unknown version).
pub fn select_rescoring_cursor(version: u32) -> SelectStatement {
    let mut q = Query::select();
    q.column(P::RescoredThrough)
        .from(P::Table)
        .and_where(Expr::col(P::Version).eq(int(version)));
    q
}

/// Move the rescoring cursor of policy `version` to `through`.
pub fn set_rescoring_cursor(version: u32, through: ProductId) -> UpdateStatement {
    let mut q = Query::update();
    q.table(P::Table)
        .value(P::RescoredThrough, uuid(through))
        .and_where(Expr::col(P::Version).eq(int(version)));
    q
}

/// Live products with ids above `after`, by id, at most `limit`: a walk
/// through the catalog by its primary key, which no write blocks.
pub fn select_products_after(after: Option<ProductId>, limit: u32) -> SelectStatement {
    let mut q = live_products();
    if let Some(after) = after {
        q.and_where(Expr::col(Products::Id).gt(uuid(after)));
    }
    q.order_by(Products::Id, Sort::Asc).limit(u64::from(limit));
    q
}
