//! Statements of the discarded-stock ledger and its yearly disclosure.

use ecolaura_core::domain::{PageRequest, ProductId, Timestamp};
use ecolaura_core::sustainability::discards::{DiscardEntry, PreventionMeasures, ReportYear};
use sea_query::{
    Alias, Expr, ExprTrait, Func, InsertStatement, OnConflict, Order as Sort, Query,
    SelectStatement,
};
use uuid::Uuid;

use super::{BuildResult, count_of, page, ts, uuid};
use crate::records::weight_to_grams;
use crate::schema::{DiscardDisclosures as Disc, Discards as D};

/// The columns of a [`DiscardRow`](crate::records::DiscardRow).
pub const DISCARD_COLUMNS: [D; 11] = [
    D::Id,
    D::ProductId,
    D::Category,
    D::Quantity,
    D::UnitWeightG,
    D::Reason,
    D::Destination,
    D::Derogation,
    D::Note,
    D::RecordedBy,
    D::RecordedAt,
];

/// The name of the summed units in [`discard_groups`].
pub const GROUP_UNITS: &str = "units";

/// `INSERT INTO discards …`
pub fn insert_discard(e: &DiscardEntry) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(D::Table).columns(DISCARD_COLUMNS).values([
        uuid(e.id),
        uuid(e.product_id),
        Expr::val(e.category.as_ref().map(|c| c.as_str().to_owned())),
        Expr::val(i64::from(e.quantity)),
        Expr::val(e.unit_weight_kg.map(weight_to_grams)),
        e.reason.as_str().into(),
        e.destination.as_str().into(),
        Expr::val(e.derogation.map(|d| d.as_str())),
        Expr::val(e.note.as_ref().map(|n| n.as_str().to_owned())),
        Expr::val(e.recorded_by.map(Uuid::from)),
        ts(e.recorded_at),
    ])?;
    Ok(q)
}

/// A page of a product's entries, newest first, and their count.
pub fn list_discards(product: ProductId, p: PageRequest) -> (SelectStatement, SelectStatement) {
    let mut q = Query::select();
    q.columns(DISCARD_COLUMNS)
        .from(D::Table)
        .and_where(Expr::col(D::ProductId).eq(uuid(product)));
    let count = count_of(q.clone(), D::Id);
    q.order_by(D::RecordedAt, Sort::Desc)
        .order_by(D::Id, Sort::Desc);
    page(&mut q, p);
    (q, count)
}

/// The entries recorded in `from..until`, summed by category, reason,
/// destination, derogation and unit weight (a
/// [`DiscardGroupRow`](crate::records::DiscardGroupRow) each).
pub fn discard_groups(from: Timestamp, until: Timestamp) -> SelectStatement {
    let keys = [
        D::Category,
        D::Reason,
        D::Destination,
        D::Derogation,
        D::UnitWeightG,
    ];
    let mut q = Query::select();
    q.columns(keys)
        .expr_as(
            // `SUM` of `BIGINT` is `NUMERIC` on Postgres: cast back, so that
            // both backends give an integer.
            Func::cast_as(Expr::col(D::Quantity).sum(), Alias::new("BIGINT")),
            GROUP_UNITS,
        )
        .from(D::Table)
        .and_where(Expr::col(D::RecordedAt).gte(ts(from)))
        .and_where(Expr::col(D::RecordedAt).lt(ts(until)))
        .group_by_columns(keys);
    q
}

/// The statement of prevention measures of `year`.
pub fn select_prevention_measures(year: ReportYear) -> SelectStatement {
    let mut q = Query::select();
    q.columns([Disc::Year, Disc::PreventionMeasures, Disc::UpdatedAt])
        .from(Disc::Table)
        .and_where(Expr::col(Disc::Year).eq(year.get()));
    q
}

/// Set the statement of prevention measures of its year.
pub fn upsert_prevention_measures(m: &PreventionMeasures) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Disc::Table)
        .columns([Disc::Year, Disc::PreventionMeasures, Disc::UpdatedAt])
        .values([
            m.year.get().into(),
            m.text.as_str().into(),
            ts(m.updated_at),
        ])?
        .on_conflict(
            OnConflict::column(Disc::Year)
                .update_columns([Disc::PreventionMeasures, Disc::UpdatedAt])
                .to_owned(),
        );
    Ok(q)
}
