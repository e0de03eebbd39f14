//! The SQL that Ecolaura's stores share, with no database driver.
//!
//! sea-query builds each statement once; the Postgres and SQLite adapters
//! render it with their own query builder and bind it with sqlx. What differs
//! between the two backends (how money and footprints are stored) is a
//! [`Dialect`]; what the databases give back is turned into domain types by
//! the conversions in [`records`], so both adapters decode the same way.

pub mod records;
pub mod schema;
pub mod statements;

use ecolaura_core::domain::{CarbonKg, Money, Price, SearchText, WeightKg};
use rust_decimal::Decimal;
use sea_query::{Alias, Expr, ExprTrait, Func, SelectStatement, Value};

/// How a backend stores the values that have no common SQL type.
pub trait Dialect {
    /// A price or an amount, as bound to a money column.
    fn money(amount: Money) -> Value;

    /// A footprint, as bound to a footprint column.
    fn carbon(kg: CarbonKg) -> Value;

    /// An optional footprint.
    fn carbon_opt(kg: Option<CarbonKg>) -> Value {
        match kg {
            Some(kg) => Self::carbon(kg),
            None => Self::carbon(CarbonKg::ZERO).as_null(),
        }
    }

    /// A decimal of a record (a footprint record's figures), exact.
    fn decimal(value: Decimal) -> Value;

    /// An optional decimal.
    fn decimal_opt(value: Option<Decimal>) -> Value {
        match value {
            Some(v) => Self::decimal(v),
            None => Self::decimal(Decimal::ZERO).as_null(),
        }
    }

    /// A price.
    fn price(price: Price) -> Value {
        Self::money(price.money())
    }

    /// An optional price.
    fn price_opt(price: Option<Price>) -> Value {
        match price {
            Some(p) => Self::price(p),
            None => Self::money(Money::ZERO).as_null(),
        }
    }

    /// `column` is one of the ids `select` returns, written so that the
    /// planner evaluates `select` once and looks each id up by primary key.
    fn id_among(column: Expr, select: SelectStatement) -> Expr;

    /// The sum of footprint values over rows, in a form that cannot
    /// overflow, whatever the number of rows.
    fn carbon_sum(value: Expr) -> Expr;

    /// An optional weight, as bound to a weight column.
    fn weight_opt(kg: Option<WeightKg>) -> Value;

    /// A condition on `products` that a search index answers and that every
    /// product matching `term` meets (it may admit more: the statement keeps
    /// the `LIKE` that decides), or `None` where the `LIKE` itself is what
    /// the index serves.
    fn search_candidates(term: &SearchText) -> Option<Expr>;
}

/// Postgres: money as `NUMERIC(10,2)`, footprints as `NUMERIC(16,6)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn money(amount: Money) -> Value {
        amount.amount().into()
    }

    fn carbon(kg: CarbonKg) -> Value {
        kg.kg().into()
    }

    /// `NUMERIC`.
    fn decimal(value: Decimal) -> Value {
        value.into()
    }

    /// `= ANY(ARRAY(select))`: an init plan, then index lookups, whatever
    /// the planner believes about the table (no statistics needed).
    fn id_among(column: Expr, select: SelectStatement) -> Expr {
        Expr::cust_with_exprs(
            "$1 = ANY(ARRAY($2))",
            [column, Expr::SubQuery(None, Box::new(select.into()))],
        )
    }

    /// `SUM` of `NUMERIC`: exact, and far from overflow.
    fn carbon_sum(value: Expr) -> Expr {
        value.sum()
    }

    /// `NUMERIC(10,3)`.
    fn weight_opt(kg: Option<WeightKg>) -> Value {
        Self::decimal_opt(kg.map(WeightKg::kg))
    }

    /// `None`: the trigram indexes of migration 0013 are on `lower(name)`
    /// and `lower(description)`, so Postgres serves the `LIKE` from them.
    fn search_candidates(_term: &SearchText) -> Option<Expr> {
        None
    }
}

/// SQLite: money as integer cents, footprints as integer micro-kilograms, so
/// that comparisons and sums are numeric and exact (SQLite has no decimal type).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn money(amount: Money) -> Value {
        amount.to_minor_units().unwrap_or(i64::MAX).into()
    }

    fn carbon(kg: CarbonKg) -> Value {
        records::carbon_to_micro_kg(kg).into()
    }

    /// `TEXT`, the decimal's digits: stored exactly, read back as written.
    fn decimal(value: Decimal) -> Value {
        value.to_string().into()
    }

    /// `IN (select)`: SQLite runs the subquery once into an ephemeral table.
    fn id_among(column: Expr, select: SelectStatement) -> Expr {
        column.in_subquery(select)
    }

    /// `TOTAL`, a float: `SUM` of integer micro-kilograms fails with
    /// "integer overflow" past 9.2e12 kg, which a few large orders reach.
    fn carbon_sum(value: Expr) -> Expr {
        Func::cust(Alias::new("TOTAL")).arg(value).into()
    }

    /// Integer grams.
    fn weight_opt(kg: Option<WeightKg>) -> Value {
        kg.map(records::weight_to_grams).into()
    }

    /// The products whose FTS5 trigram index (migration 0013) holds every
    /// trigram of `term`; `None` for a term too short to have one.
    fn search_candidates(term: &SearchText) -> Option<Expr> {
        let query = statements::fts_trigram_query(term.as_str())?;
        Some(Expr::cust_with_values(
            r#""products"."rowid" IN (SELECT "rowid" FROM "products_search" WHERE "products_search" MATCH ?)"#,
            [query],
        ))
    }
}
