//! Statements of products' compositions.

use ecolaura_core::domain::ProductId;
use ecolaura_core::sustainability::passport::Composition;
use sea_query::{Expr, ExprTrait, InsertStatement, OnConflict, Query, SelectStatement};

use super::{BuildResult, ts, uuid};
use crate::schema::{ProductCompositions as C, Products};

/// Set a product's composition: insert it, or replace the one it has.
pub fn upsert_composition(id: ProductId, c: &Composition) -> BuildResult<InsertStatement> {
    let document = serde_json::to_string(c).unwrap_or_else(|_| "{}".to_owned());
    let mut q = Query::insert();
    q.into_table(C::Table)
        .columns([C::ProductId, C::Document, C::UpdatedAt])
        .values([uuid(id), document.into(), ts(c.updated_at)])?
        .on_conflict(
            OnConflict::column(C::ProductId)
                .update_columns([C::Document, C::UpdatedAt])
                .to_owned(),
        );
    Ok(q)
}

/// The composition of a live product (one `document` column).
pub fn select_composition(id: ProductId) -> SelectStatement {
    let mut q = Query::select();
    q.column((C::Table, C::Document))
        .from(C::Table)
        .inner_join(
            Products::Table,
            Expr::col((Products::Table, Products::Id)).equals((C::Table, C::ProductId)),
        )
        .and_where(Expr::col((C::Table, C::ProductId)).eq(uuid(id)))
        .and_where(Expr::col((Products::Table, Products::Archived)).eq(false));
    q
}
