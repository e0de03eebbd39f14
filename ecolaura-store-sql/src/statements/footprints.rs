//! Statements of products' footprint records.

use ecolaura_core::domain::ProductId;
use ecolaura_core::sustainability::FootprintRecord;
use sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, OnConflict, Query, SelectStatement,
};

use super::{BuildResult, ts, uuid};
use crate::Dialect;
use crate::schema::{ProductFootprints as F, Products};

/// The columns of a [`FootprintRow`](crate::records::FootprintRow).
pub const FOOTPRINT_COLUMNS: [F; 16] = [
    F::ProductId,
    F::DeclaredUnit,
    F::UnitaryProductAmount,
    F::PcfExcludingBiogenicKg,
    F::PcfIncludingBiogenicKg,
    F::Boundary,
    F::ReferencePeriodStart,
    F::ReferencePeriodEnd,
    F::ValidUntil,
    F::Geography,
    F::PrimaryDataShare,
    F::Standards,
    F::Verified,
    F::VerificationProvider,
    F::VerificationDate,
    F::UpdatedAt,
];

/// Set a product's record: insert it, or replace every field of the one
/// it has.
pub fn upsert_footprint<D: Dialect>(
    id: ProductId,
    r: &FootprintRecord,
) -> BuildResult<InsertStatement> {
    let v = r.verification.as_ref();
    let standards = serde_json::to_string(&r.standards).unwrap_or_else(|_| "[]".to_owned());
    let mut q = Query::insert();
    q.into_table(F::Table)
        .columns(FOOTPRINT_COLUMNS)
        .values([
            uuid(id),
            r.declared_unit.as_str().into(),
            Expr::val(D::decimal(r.unitary_product_amount)),
            Expr::val(D::decimal(r.pcf_excluding_biogenic_kg)),
            Expr::val(D::decimal(r.pcf_including_biogenic_kg)),
            r.boundary.as_str().into(),
            Expr::val(r.reference_period_start),
            Expr::val(r.reference_period_end),
            Expr::val(r.valid_until),
            r.geography.as_str().into(),
            Expr::val(D::decimal_opt(r.primary_data_share)),
            standards.into(),
            Expr::val(v.map(|v| v.verified)),
            Expr::val(v.and_then(|v| v.provider.clone())),
            Expr::val(v.and_then(|v| v.date)),
            ts(r.updated_at),
        ])?
        .on_conflict(
            OnConflict::column(F::ProductId)
                .update_columns(FOOTPRINT_COLUMNS.into_iter().skip(1))
                .to_owned(),
        );
    Ok(q)
}

/// Remove a product's record.
pub fn delete_footprint(id: ProductId) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(F::Table)
        .and_where(Expr::col(F::ProductId).eq(uuid(id)));
    q
}

/// The record of a live product.
pub fn select_footprint(id: ProductId) -> SelectStatement {
    let mut q = Query::select();
    q.columns(FOOTPRINT_COLUMNS.map(|c| (F::Table, c)))
        .from(F::Table)
        .inner_join(
            Products::Table,
            Expr::col((Products::Table, Products::Id)).equals((F::Table, F::ProductId)),
        )
        .and_where(Expr::col((F::Table, F::ProductId)).eq(uuid(id)))
        .and_where(Expr::col((Products::Table, Products::Archived)).eq(false));
    q
}
