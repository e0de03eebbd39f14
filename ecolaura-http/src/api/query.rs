//! Query parameters shared by the list operations. A bad value is 400.

use ecolaura_core::domain::{CursorError, CursorKey, Direction, Limit, PageRequest};

use crate::problem::Problem;

/// `page` and `page_size`, never clamped.
///
/// # Errors
/// 400 naming the rule.
pub(crate) fn page_request(
    page: Option<u32>,
    page_size: Option<u32>,
) -> Result<PageRequest, Problem> {
    PageRequest::new(
        page.unwrap_or(1),
        page_size.unwrap_or(PageRequest::DEFAULT_PAGE_SIZE),
    )
    .map_err(|e| Problem::bad_request(e.to_string()))
}

/// A query parameter's domain value, or 400 naming the parameter.
///
/// # Errors
/// 400.
pub(crate) fn param<T, E: std::fmt::Display>(
    name: &str,
    parsed: Result<T, E>,
) -> Result<T, Problem> {
    parsed.map_err(|e| Problem::bad_request(format!("Query parameter `{name}` {e}.")))
}

/// `limit` of a keyset page (API v2), never clamped.
///
/// # Errors
/// 400 naming the rule.
pub(crate) fn keyset_limit(limit: Option<u32>) -> Result<Limit, Problem> {
    limit.map_or(Ok(Limit::DEFAULT), |l| param("limit", Limit::new(l)))
}

/// The direction and position a `cursor` holds, when one is given: it must
/// have been sealed by this shop for the list `scope`.
///
/// # Errors
/// 400 for a cursor that was changed or made for another list.
pub(crate) fn opened_cursor<P: serde::de::DeserializeOwned>(
    key: &CursorKey,
    scope: &str,
    cursor: Option<&str>,
) -> Result<Option<(Direction, P)>, Problem> {
    cursor
        .map(|c| key.open(scope, c).map_err(|_| refused_cursor()))
        .transpose()
}

/// 400 for a cursor that this list did not hand out.
pub(crate) fn refused_cursor() -> Problem {
    Problem::bad_request(format!("Query parameter `cursor`: {CursorError}."))
}
