//! Keyset pages: one statement shape for every list that pages from a
//! position (`/api/v2`), whatever the direction of its sort key and of its
//! tie-break.
//!
//! A list orders by a key, then by id. Every ordering breaks ties by id in
//! a direction of its own (products: ascending, even under a descending
//! key), so "after (k, i)" is `key beyond k OR (key = k AND id beyond i)`,
//! which no single index range expresses for mixed directions, and which a
//! planner serves with a filter over every tie of `k` read so far. So a
//! page from a position is the union of two index ranges, each stopped at
//! the page's size:
//!
//! 1. the rest of the position's ties: `key = k AND id beyond i`, by id;
//! 2. the keys beyond: `key beyond k`, by key and id;
//!
//! and the first `fetch` rows of the two, ordered. Each part is a range of
//! the ordering's index (`(key, id)` or `(category, key, id)`), so a page
//! costs the same at any depth. Each part is wrapped as a derived table
//! because SQLite allows no `ORDER BY` or `LIMIT` in a compound's parts.

use ecolaura_core::domain::Direction;
use sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Iden, Order as Sort, Query, SelectStatement, UnionType,
};
use uuid::Uuid;

/// How a list is ordered: its sort key (an expression over the list's
/// columns, the same inside and outside the page's derived table), its id
/// column, and which way each runs.
pub(crate) struct ListOrder<I> {
    /// The primary sort key.
    pub key: Expr,
    /// Whether the key runs descending.
    pub key_descending: bool,
    /// The tie-break column.
    pub id: I,
    /// Whether the tie-break runs descending.
    pub id_descending: bool,
}

/// Where a page starts: which way, and the key and id of the position.
pub(crate) struct Start {
    /// Which way the page reads.
    pub direction: Direction,
    /// The position's key, as a value to compare the key with.
    pub key: Expr,
    /// The position's id.
    pub id: Uuid,
}

fn sort(descending: bool) -> Sort {
    if descending { Sort::Desc } else { Sort::Asc }
}

/// `expr` beyond `value` for a walk that runs descending or not.
fn beyond(expr: Expr, value: Expr, descending: bool) -> Expr {
    if descending {
        expr.lt(value)
    } else {
        expr.gt(value)
    }
}

/// The rows of `base` (a select of the list's rows with its filters)
/// from `from` (the first page when `None`), at most `fetch`, in the order
/// they are read: the list's order, or its reverse for
/// [`Direction::Before`]. `columns` are the list's columns as the outer
/// select names them.
pub(crate) fn keyset_page<I: Iden + Copy + 'static>(
    base: SelectStatement,
    order: ListOrder<I>,
    columns: &[I],
    from: Option<Start>,
    fetch: u64,
) -> SelectStatement {
    let backwards = matches!(&from, Some(f) if f.direction == Direction::Before);
    let key_descending = order.key_descending != backwards;
    let id_descending = order.id_descending != backwards;
    let Some(from) = from else {
        let mut q = base;
        q.order_by_expr(order.key, sort(key_descending))
            .order_by(order.id, sort(id_descending))
            .limit(fetch);
        return q;
    };
    let mut ties = base.clone();
    ties.and_where(order.key.clone().eq(from.key.clone()))
        .and_where(beyond(
            Expr::col(order.id),
            Expr::val(from.id),
            id_descending,
        ))
        .order_by(order.id, sort(id_descending))
        .limit(fetch);
    let mut rest = base;
    rest.and_where(beyond(order.key.clone(), from.key, key_descending))
        .order_by_expr(order.key.clone(), sort(key_descending))
        .order_by(order.id, sort(id_descending))
        .limit(fetch);
    let derived = |part: SelectStatement, name: &str| {
        let mut q = Query::select();
        q.column(Asterisk).from_subquery(part, Alias::new(name));
        q
    };
    let mut both = derived(ties, "ties");
    both.union(UnionType::All, derived(rest, "rest"));
    let mut q = Query::select();
    q.columns(columns.iter().copied())
        .from_subquery(both, Alias::new("page"))
        .order_by_expr(order.key, sort(key_descending))
        .order_by(order.id, sort(id_descending))
        .limit(fetch);
    q
}
