//! Statements of shipping methods.

use ecolaura_core::domain::{PageRequest, Slug, Timestamp};
use ecolaura_core::sustainability::shipping::{ShippingMethod, ShippingMethodChanges};
use sea_query::{
    Expr, ExprTrait, InsertStatement, Order as Sort, Query, SelectStatement, UpdateStatement,
};

use super::{BuildResult, count_of, page, ts};
use crate::Dialect;
use crate::schema::ShippingMethods as S;

/// The columns of a [`ShippingMethodRow`](crate::records::ShippingMethodRow).
pub const SHIPPING_METHOD_COLUMNS: [S; 9] = [
    S::Code,
    S::Name,
    S::Mode,
    S::DistanceKm,
    S::EmissionFactorGPerTkm,
    S::Price,
    S::Active,
    S::CreatedAt,
    S::UpdatedAt,
];

/// Add a method.
pub fn insert_shipping_method<D: Dialect>(m: &ShippingMethod) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(S::Table)
        .columns(SHIPPING_METHOD_COLUMNS)
        .values([
            m.code.as_str().into(),
            m.name.as_str().into(),
            m.mode.as_str().into(),
            Expr::val(i64::from(m.distance_km)),
            Expr::val(D::decimal(m.emission_factor.g_per_tkm())),
            Expr::val(D::price(m.price)),
            Expr::val(m.active),
            ts(m.created_at),
            ts(m.updated_at),
        ])?;
    Ok(q)
}

/// One method.
pub fn select_shipping_method(code: &Slug) -> SelectStatement {
    let mut q = Query::select();
    q.columns(SHIPPING_METHOD_COLUMNS)
        .from(S::Table)
        .and_where(Expr::col(S::Code).eq(code.as_str()));
    q
}

/// A page of methods by code, only the active ones when `active_only`;
/// and the count.
pub fn list_shipping_methods(
    active_only: bool,
    p: PageRequest,
) -> (SelectStatement, SelectStatement) {
    let mut q = Query::select();
    q.columns(SHIPPING_METHOD_COLUMNS).from(S::Table);
    if active_only {
        q.and_where(Expr::col(S::Active).eq(true));
    }
    let count = count_of(q.clone(), S::Code);
    q.order_by(S::Code, Sort::Asc);
    page(&mut q, p);
    (q, count)
}

/// Set the fields `changes` gives, and `updated_at`, in one statement;
/// returns the row as changed.
pub fn update_shipping_method<D: Dialect>(
    code: &Slug,
    changes: &ShippingMethodChanges,
    at: Timestamp,
) -> UpdateStatement {
    let mut q = Query::update();
    q.table(S::Table).value(S::UpdatedAt, ts(at));
    if let Some(name) = &changes.name {
        q.value(S::Name, name.as_str());
    }
    if let Some(mode) = changes.mode {
        q.value(S::Mode, mode.as_str());
    }
    if let Some(km) = changes.distance_km {
        q.value(S::DistanceKm, i64::from(km));
    }
    if let Some(factor) = changes.emission_factor {
        q.value(S::EmissionFactorGPerTkm, D::decimal(factor.g_per_tkm()));
    }
    if let Some(price) = changes.price {
        q.value(S::Price, D::price(price));
    }
    if let Some(active) = changes.active {
        q.value(S::Active, active);
    }
    q.and_where(Expr::col(S::Code).eq(code.as_str()))
        .returning(Query::returning().columns(SHIPPING_METHOD_COLUMNS));
    q
}
