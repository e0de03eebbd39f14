//! The product list's query parameters: parsing them into a
//! [`ProductQuery`] (400 for a bad one) and writing them back for links.

use ecolaura_core::catalog::{ProductFilter, ProductOrdering, ProductQuery};
use ecolaura_core::domain::{PageRequest, Price, Score, SearchText, Slug};
use poem_openapi::Enum;

use crate::api::query::param;
use crate::problem::Problem;

/// How a product list is ordered; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ProductOrdering")]
pub(super) enum OrderingParam {
    /// Cheapest first.
    #[oai(rename = "price")]
    Price,
    /// Dearest first.
    #[oai(rename = "-price")]
    PriceDesc,
    /// Lowest score first.
    #[oai(rename = "sustainability_score")]
    Score,
    /// Highest score first.
    #[oai(rename = "-sustainability_score")]
    ScoreDesc,
    /// A to Z.
    #[oai(rename = "name")]
    Name,
    /// Z to A.
    #[oai(rename = "-name")]
    NameDesc,
    /// Oldest first.
    #[oai(rename = "created_at")]
    CreatedAt,
    /// Newest first (the default).
    #[oai(rename = "-created_at")]
    CreatedAtDesc,
}

impl From<OrderingParam> for ProductOrdering {
    fn from(o: OrderingParam) -> Self {
        use OrderingParam as P;
        match o {
            P::Price => Self::PriceAsc,
            P::PriceDesc => Self::PriceDesc,
            P::Score => Self::ScoreAsc,
            P::ScoreDesc => Self::ScoreDesc,
            P::Name => Self::NameAsc,
            P::NameDesc => Self::NameDesc,
            P::CreatedAt => Self::CreatedAsc,
            P::CreatedAtDesc => Self::CreatedDesc,
        }
    }
}

/// The list filters of one request, as query parameters.
pub(super) struct ListParams {
    pub(super) category: Option<String>,
    pub(super) min_score: Option<i64>,
    pub(super) min_price: Option<String>,
    pub(super) max_price: Option<String>,
    pub(super) in_stock: Option<bool>,
    pub(super) search: Option<String>,
    pub(super) ordering: Option<OrderingParam>,
}

/// The query, or `None` when the category cannot exist (matches nothing).
pub(super) fn product_query(
    p: ListParams,
    page: PageRequest,
) -> Result<Option<ProductQuery>, Problem> {
    let category = match p
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(Slug::parse)
    {
        Some(Err(_)) => return Ok(None),
        Some(Ok(slug)) => Some(slug),
        None => None,
    };
    // An empty parameter (`max_price=`) is the same as leaving it out.
    let price = |name, raw: Option<String>| {
        raw.filter(|s| !s.trim().is_empty())
            .map(|s| param(name, s.trim().parse::<Price>()))
            .transpose()
    };
    let filter = ProductFilter {
        category,
        min_score: p
            .min_score
            .map(|s| param("min_score", Score::new(s)))
            .transpose()?,
        min_price: price("min_price", p.min_price)?,
        max_price: price("max_price", p.max_price)?,
        in_stock: p.in_stock,
        search: p
            .search
            .filter(|s| !s.trim().is_empty())
            .map(|s| param("search", SearchText::parse(&s)))
            .transpose()?,
    };
    Ok(Some(ProductQuery {
        filter,
        ordering: p.ordering.map(Into::into).unwrap_or_default(),
        page,
    }))
}

/// The parameters that reproduce `q` (for next/previous links), page aside.
pub(super) fn canonical_params(q: &ProductQuery) -> Vec<(&'static str, String)> {
    let f = &q.filter;
    let mut params = Vec::new();
    if let Some(c) = &f.category {
        params.push(("category", c.to_string()));
    }
    if let Some(s) = f.min_score {
        params.push(("min_score", s.to_string()));
    }
    if let Some(p) = f.min_price {
        params.push(("min_price", p.to_string()));
    }
    if let Some(p) = f.max_price {
        params.push(("max_price", p.to_string()));
    }
    if let Some(b) = f.in_stock {
        params.push(("in_stock", b.to_string()));
    }
    if let Some(s) = &f.search {
        params.push(("search", s.to_string()));
    }
    if q.ordering != ProductOrdering::default() {
        params.push(("ordering", q.ordering.as_str().to_owned()));
    }
    params
}
