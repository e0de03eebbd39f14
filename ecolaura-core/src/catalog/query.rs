//! Product list filters, orderings and their normalized form.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::catalog::Product;
use crate::domain::{
    Gtin, PageRequest, Price, ProductId, Score, SearchText, Seek, Sku, Slug, Timestamp,
};

/// Which products to list. Every filter is optional; they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProductFilter {
    /// Only products in this category (an unknown slug matches nothing).
    pub category: Option<Slug>,
    /// Only products scoring at least this (inclusive).
    pub min_score: Option<Score>,
    /// Only products priced at least this (inclusive).
    pub min_price: Option<Price>,
    /// Only products priced at most this (inclusive).
    pub max_price: Option<Price>,
    /// `true`: stock > 0; `false`: stock = 0.
    pub in_stock: Option<bool>,
    /// Case-insensitive substring of the name or the description.
    pub search: Option<SearchText>,
    /// Only the product with this SKU (exactly).
    pub sku: Option<Sku>,
    /// Only the product with this GTIN.
    pub gtin: Option<Gtin>,
}

impl ProductFilter {
    /// Whether the filter admits this product's values (archiving aside:
    /// callers decide whether an archived product is listed at all).
    ///
    /// Search folds with Unicode lower-casing, as wide as or wider than the
    /// stores' `lower()`, so a change judged by this never misses a list.
    pub fn matches(&self, p: &Product) -> bool {
        let text = |search: &SearchText| {
            let term = search.folded();
            p.name.as_str().to_lowercase().contains(&term)
                || p.description.as_str().to_lowercase().contains(&term)
        };
        self.category
            .as_ref()
            .is_none_or(|c| p.category.as_ref() == Some(c))
            && self.min_score.is_none_or(|s| p.score >= s)
            && self.min_price.is_none_or(|m| p.price >= m)
            && self.max_price.is_none_or(|m| p.price <= m)
            && self.in_stock.is_none_or(|want| (p.stock.get() > 0) == want)
            && self.search.as_ref().is_none_or(text)
            && self.sku.as_ref().is_none_or(|s| p.sku.as_ref() == Some(s))
            && self
                .gtin
                .as_ref()
                .is_none_or(|g| p.gtin.as_ref() == Some(g))
    }
}

/// How to order a product list. Ties are always broken by id ascending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ProductOrdering {
    /// `price`
    PriceAsc,
    /// `-price`
    PriceDesc,
    /// `sustainability_score`
    ScoreAsc,
    /// `-sustainability_score`
    ScoreDesc,
    /// `name`
    NameAsc,
    /// `-name`
    NameDesc,
    /// `created_at`
    CreatedAsc,
    /// `-created_at` (the default)
    #[default]
    CreatedDesc,
}

/// An `ordering` value that is not one of the eight known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ordering must be one of price, -price, sustainability_score, -sustainability_score, name, -name, created_at, -created_at"
)]
pub struct UnknownOrdering;

impl ProductOrdering {
    /// Every ordering, in the order the API lists them.
    pub const ALL: [ProductOrdering; 8] = [
        Self::PriceAsc,
        Self::PriceDesc,
        Self::ScoreAsc,
        Self::ScoreDesc,
        Self::NameAsc,
        Self::NameDesc,
        Self::CreatedAsc,
        Self::CreatedDesc,
    ];

    /// The wire name (`-price`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PriceAsc => "price",
            Self::PriceDesc => "-price",
            Self::ScoreAsc => "sustainability_score",
            Self::ScoreDesc => "-sustainability_score",
            Self::NameAsc => "name",
            Self::NameDesc => "-name",
            Self::CreatedAsc => "created_at",
            Self::CreatedDesc => "-created_at",
        }
    }

    /// Whether the primary key sorts descending.
    pub fn is_descending(self) -> bool {
        self.as_str().starts_with('-')
    }

    /// Whether `a` and `b` (one product, before and after a write) have
    /// the same primary sort key, so the write leaves its place in a list
    /// ordered this way unchanged (the tie-break, the id, never changes).
    pub fn same_key(self, a: &Product, b: &Product) -> bool {
        match self {
            Self::PriceAsc | Self::PriceDesc => a.price == b.price,
            Self::ScoreAsc | Self::ScoreDesc => a.score == b.score,
            Self::NameAsc | Self::NameDesc => a.name == b.name,
            Self::CreatedAsc | Self::CreatedDesc => a.created_at == b.created_at,
        }
    }

    /// The sort key of `p` in this ordering.
    pub fn key_of(self, p: &Product) -> SortKey {
        match self {
            Self::PriceAsc | Self::PriceDesc => SortKey::Price(p.price),
            Self::ScoreAsc | Self::ScoreDesc => SortKey::Score(p.score),
            Self::NameAsc | Self::NameDesc => SortKey::Name(p.name.as_str().to_owned()),
            Self::CreatedAsc | Self::CreatedDesc => SortKey::Created(p.created_at),
        }
    }

    /// Where `p` stands in a list ordered this way.
    pub fn position_of(self, p: &Product) -> ProductPosition {
        ProductPosition {
            key: self.key_of(p),
            id: p.id,
        }
    }

    /// Whether `position` is one of a list ordered this way (its key is
    /// of this ordering's kind).
    pub fn fits(self, position: &ProductPosition) -> bool {
        matches!(
            (self, &position.key),
            (Self::PriceAsc | Self::PriceDesc, SortKey::Price(_))
                | (Self::ScoreAsc | Self::ScoreDesc, SortKey::Score(_))
                | (Self::NameAsc | Self::NameDesc, SortKey::Name(_))
                | (Self::CreatedAsc | Self::CreatedDesc, SortKey::Created(_))
        )
    }

    /// Whether `p` comes before (`Less`) or after (`Greater`) `position`
    /// in a list ordered this way; `Equal` only for the product at it.
    /// Names compare by their Unicode lower case.
    pub fn place(self, p: &Product, position: &ProductPosition) -> Ordering {
        let primary = match (self.key_of(p), &position.key) {
            (SortKey::Price(a), SortKey::Price(b)) => a.cmp(b),
            (SortKey::Score(a), SortKey::Score(b)) => a.cmp(b),
            (SortKey::Name(a), SortKey::Name(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
            (SortKey::Created(a), SortKey::Created(b)) => a.cmp(b),
            _ => Ordering::Equal,
        };
        let primary = if self.is_descending() {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| p.id.cmp(&position.id))
    }

    /// How `a` and `b` are ordered in a list ordered this way.
    pub fn compare(self, a: &Product, b: &Product) -> Ordering {
        self.place(a, &self.position_of(b))
    }
}

/// The primary sort key of a product in one ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// Its price.
    #[serde(rename = "p")]
    Price(Price),
    /// Its sustainability score.
    #[serde(rename = "s")]
    Score(Score),
    /// Its name as written (lists compare it lower-cased).
    #[serde(rename = "n")]
    Name(String),
    /// When it was made.
    #[serde(rename = "c")]
    Created(Timestamp),
}

/// A product's place in a list: its sort key and its id (the tie-break).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductPosition {
    /// The primary sort key.
    #[serde(rename = "k")]
    pub key: SortKey,
    /// The product.
    #[serde(rename = "i")]
    pub id: ProductId,
}

/// A keyset page of products: the filter and ordering of a list, and
/// where the page starts in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductSeek {
    /// Which products.
    pub filter: ProductFilter,
    /// In which order.
    pub ordering: ProductOrdering,
    /// From where, and how many.
    pub seek: Seek<ProductPosition>,
}

impl ProductSeek {
    /// The list this page belongs to, in canonical form: what a cursor
    /// is bound to.
    pub fn list_key(&self) -> String {
        list_key(&self.filter, self.ordering)
    }
}

impl FromStr for ProductOrdering {
    type Err = UnknownOrdering;
    fn from_str(s: &str) -> Result<Self, UnknownOrdering> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or(UnknownOrdering)
    }
}

/// A whole list request: filter, ordering and page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProductQuery {
    /// Which products.
    pub filter: ProductFilter,
    /// In which order.
    pub ordering: ProductOrdering,
    /// Which page.
    pub page: PageRequest,
}

impl ProductQuery {
    /// A canonical text for this query: equal queries give equal keys, however
    /// the request spelled them (parameter order, `1.5` vs `1.50`, …).
    pub fn cache_key(&self) -> String {
        let mut key = list_key(&self.filter, self.ordering);
        let _ = write!(key, "|pg={}/{}", self.page.page(), self.page.page_size());
        key
    }
}

/// A canonical text for a list (filter and ordering): equal lists give
/// equal keys, however the request spelled them (parameter order, `1.5`
/// vs `1.50`, …).
fn list_key(f: &ProductFilter, ordering: ProductOrdering) -> String {
    let mut key = String::with_capacity(96);
    let _ = write!(
        key,
        "c={}|s={}|p>={}|p<={}|st={}|sku={}|gtin={}|q={}|o={}",
        f.category.as_ref().map(Slug::as_str).unwrap_or(""),
        f.min_score.map(|s| s.to_string()).unwrap_or_default(),
        f.min_price.map(|p| p.to_string()).unwrap_or_default(),
        f.max_price.map(|p| p.to_string()).unwrap_or_default(),
        f.in_stock.map(|b| if b { "1" } else { "0" }).unwrap_or(""),
        f.sku.as_ref().map(Sku::as_str).unwrap_or(""),
        f.gtin.as_ref().map(Gtin::as_str).unwrap_or(""),
        f.search
            .as_ref()
            .map(SearchText::folded)
            .unwrap_or_default(),
        ordering.as_str(),
    );
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ordering_parses_back_from_its_name() {
        for o in ProductOrdering::ALL {
            assert_eq!(o.as_str().parse::<ProductOrdering>(), Ok(o));
        }
        assert_eq!("price ".parse::<ProductOrdering>(), Err(UnknownOrdering));
        assert_eq!("-id".parse::<ProductOrdering>(), Err(UnknownOrdering));
    }

    #[test]
    fn equal_queries_share_a_cache_key() {
        let mut a = ProductQuery::default();
        a.filter.min_price = Some("1.5".parse().unwrap());
        let mut b = ProductQuery::default();
        b.filter.min_price = Some("1.50".parse().unwrap());
        assert_eq!(a.cache_key(), b.cache_key());
        b.filter.search = Some(SearchText::parse("Bottle").unwrap());
        assert_ne!(a.cache_key(), b.cache_key());
    }
}
