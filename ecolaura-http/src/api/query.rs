//! Query parameters shared by the list operations. A bad value is 400.

use ecolaura_core::domain::PageRequest;

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
