//! The product list's query parameters: parsing them into a
//! [`ProductQuery`] (400 for a bad one) and writing them back for links.

use ecolaura_core::catalog::{ProductFilter, ProductOrdering, ProductQuery};
use ecolaura_core::domain::{Gtin, PageRequest, Price, Score, SearchText, Sku, Slug};
use poem_openapi::Enum;

use crate::api::query::param;
use crate::problem::Problem;
use crate::wire::is_price_text;
use crate::wire::text::{PriceParamRule, SearchRule, Text};

/// Blank (only spaces and the like, no control character): the same as
/// leaving the parameter out.
fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() && !c.is_control())
}

/// A price bound that is not a decimal of the documented form.
#[derive(Debug, thiserror::Error)]
#[error("must be a decimal such as \"19.99\": at most 8 digits before the point and 2 after")]
struct PriceTextError;

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
    pub(super) min_price: Option<Text<PriceParamRule>>,
    pub(super) max_price: Option<Text<PriceParamRule>>,
    pub(super) in_stock: Option<bool>,
    pub(super) search: Option<Text<SearchRule>>,
    pub(super) sku: Option<String>,
    pub(super) gtin: Option<String>,
    pub(super) ordering: Option<OrderingParam>,
}

/// The query, or `None` when the category, SKU or GTIN cannot exist
/// (matches nothing).
pub(super) fn product_query(
    p: ListParams,
    page: PageRequest,
) -> Result<Option<ProductQuery>, Problem> {
    Ok(product_list(p)?.map(|(filter, ordering)| ProductQuery {
        filter,
        ordering,
        page,
    }))
}

/// The list's filter and ordering, or `None` when the category, SKU or
/// GTIN cannot exist (matches nothing).
pub(super) fn product_list(
    p: ListParams,
) -> Result<Option<(ProductFilter, ProductOrdering)>, Problem> {
    // A slug that cannot exist matches nothing; the other parameters are
    // still checked, so a bad one is 400 whatever the category.
    let category = p
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(Slug::parse)
        .transpose();
    // An empty parameter (`max_price=`) is the same as leaving it out.
    let price = |name, raw: Option<Text<PriceParamRule>>| {
        raw.filter(|s| !s.is_empty())
            .map(|s| {
                if is_price_text(&s) {
                    param(name, s.parse::<Price>().map_err(|e| e.to_string()))
                } else {
                    param(name, Err(PriceTextError.to_string()))
                }
            })
            .transpose()
    };
    let min_score = p
        .min_score
        .map(|s| param("min_score", Score::new(s)))
        .transpose()?;
    let min_price = price("min_price", p.min_price)?;
    let max_price = price("max_price", p.max_price)?;
    let search = p
        .search
        .filter(|s| !is_blank(s))
        .map(|s| param("search", SearchText::parse(&s)))
        .transpose()?;
    // Like a slug, a SKU or GTIN that cannot exist matches nothing; a GTIN
    // in any form (8, 12, 13 or 14 digits) is compared as its 14 digits.
    let sku = p
        .sku
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Sku::parse)
        .transpose();
    let gtin = p
        .gtin
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Gtin::parse)
        .transpose();
    let (Ok(category), Ok(sku), Ok(gtin)) = (category, sku, gtin) else {
        return Ok(None);
    };
    let filter = ProductFilter {
        category,
        min_score,
        min_price,
        max_price,
        in_stock: p.in_stock,
        search,
        sku,
        gtin,
    };
    Ok(Some((
        filter,
        p.ordering.map(Into::into).unwrap_or_default(),
    )))
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
    if let Some(s) = &f.sku {
        params.push(("sku", s.to_string()));
    }
    if let Some(g) = &f.gtin {
        params.push(("gtin", g.to_string()));
    }
    if q.ordering != ProductOrdering::default() {
        params.push(("ordering", q.ordering.as_str().to_owned()));
    }
    params
}
