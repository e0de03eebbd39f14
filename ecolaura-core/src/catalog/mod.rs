//! The catalog: categories, products and their sustainability metrics.
//!
//! These are the records the [`CatalogStore`](crate::ports::CatalogStore) keeps
//! and the [`Catalog`](crate::services::Catalog) service hands out. Inputs for
//! writes ([`NewProduct`], [`ProductChanges`]) are separate from the stored
//! [`Product`], which also carries what the library computes (score, times,
//! version).

mod changes;
mod csv;
mod import;
mod query;

pub use changes::{CatalogChange, ListScope, ProductChange, ReadScope};
pub use csv::{
    CATALOG_COLUMNS, CatalogRow, FieldProblem, RowProblem, catalog_row, check_catalog_header,
    parse_catalog_row,
};
pub use import::{CatalogFileCheck, CatalogLine, ImportMode, RowContext, RowPlan, plan_row};
pub use query::{
    ProductFilter, ProductOrdering, ProductPosition, ProductQuery, ProductSeek, SortKey,
    UnknownOrdering,
};

use serde::{Deserialize, Serialize};

use crate::domain::{
    CarbonKg, CategoryName, Description, Gtin, Price, ProductId, ProductName, Score, Sku, Slug,
    Stock, Timestamp, WeightKg,
};
use crate::scoring::{ScoreBreakdown, ScoreMethod, ScoreReason};
use crate::sustainability::FootprintSource;

/// A product category, addressed by its slug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Unique, URL-safe identifier.
    pub slug: Slug,
    /// Display name.
    pub name: CategoryName,
    /// Free text, possibly empty.
    pub description: Description,
    /// Whether destroying its unsold products is banned (ESPR art. 25:
    /// apparel and footwear); see
    /// [`destruction_ban`](crate::sustainability::discards::destruction_ban).
    pub destruction_banned: bool,
    /// When it was made.
    pub created_at: Timestamp,
}

impl Category {
    /// Roughly how many bytes this category takes in memory.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.slug.as_str().len()
            + self.name.as_str().len()
            + self.description.as_str().len()
    }
}

/// What a new category is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    /// Unique, URL-safe identifier.
    pub slug: Slug,
    /// Display name.
    pub name: CategoryName,
    /// Free text, possibly empty.
    pub description: Description,
    /// Whether destroying its unsold products is banned.
    pub destruction_banned: bool,
}

/// A change to a category: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryChanges {
    /// New name.
    pub name: Option<CategoryName>,
    /// New description.
    pub description: Option<Description>,
    /// Whether destroying its unsold products is banned.
    pub destruction_banned: Option<bool>,
}

impl CategoryChanges {
    /// Apply the changes to a copy of `category`.
    pub fn apply_to(&self, category: &Category) -> Category {
        let mut c = category.clone();
        if let Some(v) = &self.name {
            c.name = v.clone();
        }
        if let Some(v) = &self.description {
            c.description = v.clone();
        }
        if let Some(v) = self.destruction_banned {
            c.destruction_banned = v;
        }
        c
    }
}

/// A product's environmental metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SustainabilityMetrics {
    /// Footprint of one unit, kg CO2e.
    pub carbon_footprint_kg: CarbonKg,
    /// Whether the product can be recycled.
    pub recyclable: bool,
    /// Whether the product biodegrades.
    pub biodegradable: bool,
}

/// Where a product's sustainability score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    /// Computed from the product's metrics by the scoring policy.
    Metrics,
    /// The manual score given by staff (the product has no metrics).
    Manual,
}

impl ScoreSource {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreSource::Metrics => "metrics",
            ScoreSource::Manual => "manual",
        }
    }
}

/// A product as stored.
///
/// `score` and the other `score_*` fields are derived: the catalog service
/// computes them from `metrics` and claims (with the shop's scoring policy)
/// or takes `manual_score`, on every write. They are stored so that stores
/// can filter and sort by score, and so that a score is always read with
/// the method and points that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Identifier (UUID v7).
    pub id: ProductId,
    /// Display name.
    pub name: ProductName,
    /// Free text.
    pub description: Description,
    /// Unit price.
    pub price: Price,
    /// Category slug, if any.
    pub category: Option<Slug>,
    /// Units in stock.
    pub stock: Stock,
    /// The shop's stock-keeping unit, unique among live products.
    pub sku: Option<Sku>,
    /// The GS1 GTIN, unique among live products.
    pub gtin: Option<Gtin>,
    /// The weight of one unit.
    pub weight_kg: Option<WeightKg>,
    /// Environmental metrics, if known.
    pub metrics: Option<SustainabilityMetrics>,
    /// Where the metrics' `carbon_footprint_kg` comes from: staff, or the
    /// product's footprint record (which then owns the figure).
    pub footprint_source: FootprintSource,
    /// The score staff gave, used while the product has no metrics.
    pub manual_score: Score,
    /// The effective score.
    pub score: Score,
    /// Where `score` comes from.
    pub score_source: ScoreSource,
    /// The method `score` was computed with (`manual` for a manual score).
    pub score_method: ScoreMethod,
    /// When `score` was computed (a write that computes the same score by
    /// the same method again keeps it).
    pub score_computed_at: Timestamp,
    /// Why `score` was computed.
    pub score_reason: ScoreReason,
    /// The points behind `score` (`None` for a manual score, and for a
    /// score stored before breakdowns were kept).
    pub score_breakdown: Option<ScoreBreakdown>,
    /// Archived products are gone from the catalog but kept for orders.
    pub archived: bool,
    /// Optimistic-concurrency version: bumped by every write, stock changes included.
    pub version: i64,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Product {
    /// Roughly how many bytes this product takes in memory.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.name.as_str().len()
            + self.description.as_str().len()
            + self.category.as_ref().map_or(0, |c| c.as_str().len())
            + self.score_method.as_str().len()
            + self.sku.as_ref().map_or(0, |s| s.as_str().len())
            + self.gtin.as_ref().map_or(0, |g| g.as_str().len())
            + self
                .score_breakdown
                .as_ref()
                .map_or(0, ScoreBreakdown::approx_bytes)
    }
}

/// What a new product is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Display name.
    pub name: ProductName,
    /// Free text.
    pub description: Description,
    /// Unit price.
    pub price: Price,
    /// Category slug; must name an existing category.
    pub category: Option<Slug>,
    /// Units in stock.
    pub stock: Stock,
    /// Environmental metrics, if known.
    pub metrics: Option<SustainabilityMetrics>,
    /// The score to use while there are no metrics.
    pub manual_score: Score,
    /// The shop's stock-keeping unit (unique among live products).
    pub sku: Option<Sku>,
    /// The GS1 GTIN (unique among live products).
    pub gtin: Option<Gtin>,
    /// The weight of one unit.
    pub weight_kg: Option<WeightKg>,
}

/// A change to a product: `None` leaves a field as it is.
///
/// A full replacement (HTTP `PUT`) sets every field; a partial one (`PATCH`)
/// only some. For `category` and `metrics`, `Some(None)` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    /// New name.
    pub name: Option<ProductName>,
    /// New description.
    pub description: Option<Description>,
    /// New price.
    pub price: Option<Price>,
    /// New category (`Some(None)`: no category).
    pub category: Option<Option<Slug>>,
    /// New stock level.
    pub stock: Option<Stock>,
    /// New metrics (`Some(None)`: remove them).
    pub metrics: Option<Option<SustainabilityMetrics>>,
    /// New manual score.
    pub manual_score: Option<Score>,
    /// New SKU (`Some(None)`: none).
    pub sku: Option<Option<Sku>>,
    /// New GTIN (`Some(None)`: none).
    pub gtin: Option<Option<Gtin>>,
    /// New weight (`Some(None)`: unknown).
    pub weight_kg: Option<Option<WeightKg>>,
}

impl ProductChanges {
    /// Apply the changes to a copy of `product` (derived fields untouched).
    pub fn apply_to(&self, product: &Product) -> Product {
        let mut p = product.clone();
        if let Some(v) = &self.name {
            p.name = v.clone();
        }
        if let Some(v) = &self.description {
            p.description = v.clone();
        }
        if let Some(v) = self.price {
            p.price = v;
        }
        if let Some(v) = &self.category {
            p.category = v.clone();
        }
        if let Some(v) = self.stock {
            p.stock = v;
        }
        if let Some(v) = self.metrics {
            p.metrics = v;
        }
        if let Some(v) = self.manual_score {
            p.manual_score = v;
        }
        if let Some(v) = &self.sku {
            p.sku = v.clone();
        }
        if let Some(v) = &self.gtin {
            p.gtin = v.clone();
        }
        if let Some(v) = self.weight_kg {
            p.weight_kg = v;
        }
        p
    }
}
