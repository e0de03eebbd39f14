//! The catalog store port.

use async_trait::async_trait;

use super::StoreError;
use crate::catalog::{Category, Product, ProductQuery};
use crate::domain::{Page, PageRequest, ProductId, Timestamp};

/// Keeps categories and products.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Store a new category.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`(CategorySlug)` when the slug is taken.
    async fn insert_category(&self, category: &Category) -> Result<(), StoreError>;

    /// Categories ordered by slug.
    async fn list_categories(&self, page: PageRequest) -> Result<Page<Category>, StoreError>;

    /// Store a new product exactly as given (its `version` is the initial one).
    ///
    /// # Errors
    /// MUST return [`StoreError::UnknownCategory`] when `category` names no category.
    async fn insert_product(&self, product: &Product) -> Result<(), StoreError>;

    /// A product that is not archived.
    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError>;

    /// The live (not archived) products among `ids`, in no particular order;
    /// missing and archived ids are left out.
    async fn get_products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError>;

    /// Products that are not archived, filtered, ordered (ties by id
    /// ascending) and paginated as [`ProductQuery`] says; `count` is the total
    /// across pages.
    async fn list_products(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError>;

    /// Replace every field of a live product, if its stored version still
    /// equals `product.version`; the stored version then moves on by one.
    /// Returns the product as stored.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when the product is missing or archived,
    /// [`StoreError::StaleWrite`] when its version moved on (any write, stock
    /// taken by an order included, moves it), and [`StoreError::UnknownCategory`]
    /// as for insert.
    ///
    /// # Concurrency
    /// Compare-and-set: of two updates from one read, one wins, one is stale.
    async fn update_product(&self, product: &Product) -> Result<Product, StoreError>;

    /// Archive a live product: gone from the catalog, kept for orders.
    /// Returns the product as it was when archived (every field but
    /// `archived`, `version` and `updated_at` as they were just before), so
    /// that caches can tell which reads it leaves.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when it is missing or already archived.
    async fn archive_product(&self, id: ProductId, at: Timestamp) -> Result<Product, StoreError>;
}
