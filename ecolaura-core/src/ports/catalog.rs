//! The catalog store port.

use async_trait::async_trait;

use super::StoreError;
use crate::catalog::{Category, ImportMode, Product, ProductFilter, ProductQuery, ProductSeek};
use chrono::NaiveDate;

use crate::domain::{ClaimId, Gtin, Page, PageRequest, ProductId, Sku, Slug, Timestamp};
use crate::jobs::NewJob;
use crate::scoring::{PublishedPolicy, ScoreEntry};
use crate::sustainability::passport::Composition;
use crate::sustainability::{Claim, FootprintRecord};

/// Keeps categories and products.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Store a new category.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`(CategorySlug)` when the slug is taken.
    async fn insert_category(&self, category: &Category) -> Result<(), StoreError>;

    /// One category.
    async fn get_category(&self, slug: &Slug) -> Result<Option<Category>, StoreError>;

    /// Replace a category's name, description and `destruction_banned`
    /// (its slug and creation time stay).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when there is no such category.
    async fn update_category(&self, category: &Category) -> Result<(), StoreError>;

    /// Categories ordered by slug.
    async fn list_categories(&self, page: PageRequest) -> Result<Page<Category>, StoreError>;

    /// Store a new product exactly as given (its `version` is the initial one).
    ///
    /// Every product write (this one, the replacements below and
    /// [`CatalogStore::write_rescored`]) also keeps the product's current
    /// score in its history ([`ScoreEntry::of`]), in the same transaction,
    /// once per `score_computed_at`: writing a product whose score was not
    /// computed anew adds nothing.
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

    /// Live products from a position in a list, as [`ProductSeek`] says:
    /// at most [`Seek::fetch`](crate::domain::Seek::fetch) of them, those
    /// after the position in the list's order (the first ones for the
    /// first page), or those before it nearest first
    /// ([`Direction::Before`](crate::domain::Direction::Before)). The
    /// position itself is never returned.
    ///
    /// # Performance
    /// Reads from the position in an index, whatever its depth.
    async fn seek_products(&self, query: &ProductSeek) -> Result<Vec<Product>, StoreError>;

    /// How many live products `filter` admits.
    async fn count_products(&self, filter: &ProductFilter) -> Result<u64, StoreError>;

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

    /// The footprint record of a live product.
    async fn get_footprint(&self, id: ProductId) -> Result<Option<FootprintRecord>, StoreError>;

    /// Replace a live product as [`CatalogStore::update_product`] does and,
    /// in the same transaction, set its footprint record (`Some`) or remove
    /// it (`None`). Returns the product as stored.
    ///
    /// # Errors
    /// As [`CatalogStore::update_product`].
    async fn set_footprint<'a>(
        &self,
        product: &Product,
        record: Option<&'a FootprintRecord>,
    ) -> Result<Product, StoreError>;

    /// The composition of a live product.
    async fn get_composition(&self, id: ProductId) -> Result<Option<Composition>, StoreError>;

    /// Replace a live product as [`CatalogStore::update_product`] does and,
    /// in the same transaction, set its composition. Returns the product
    /// as stored.
    ///
    /// # Errors
    /// As [`CatalogStore::update_product`].
    async fn set_composition(
        &self,
        product: &Product,
        composition: &Composition,
    ) -> Result<Product, StoreError>;

    /// The claims of the live products among `products`, by product, each
    /// product's oldest first (none for a missing or archived product).
    async fn list_claims(&self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError>;

    /// Claims of live products whose evidence's last day is in
    /// `from..=until`, soonest first (ties by id), at most `limit`.
    async fn expiring_claims(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError>;

    /// Live products with a claim whose evidence's first or last day is
    /// in `from..=until`, ids above `after` (all when `None`) ascending, at
    /// most `limit`: the products whose claims started or stopped holding
    /// in those days.
    async fn products_with_claim_dates_in(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<ProductId>, StoreError>;

    /// Replace a live product as [`CatalogStore::update_product`] does (its
    /// version moves on, so that a concurrent change of its metrics retries
    /// and sees the claim) and add `claim` to it, in one transaction.
    ///
    /// # Errors
    /// As [`CatalogStore::update_product`].
    async fn add_claim(&self, product: &Product, claim: &Claim) -> Result<Product, StoreError>;

    /// Replace a live product as [`CatalogStore::update_product`] does and
    /// remove its claim `id`, in one transaction.
    ///
    /// # Errors
    /// As [`CatalogStore::update_product`]; [`StoreError::NotFound`] (and
    /// nothing written) when the product has no such claim.
    async fn remove_claim(&self, product: &Product, id: ClaimId) -> Result<Product, StoreError>;

    /// A product's score history, newest first, at most `limit` entries
    /// (none for a missing product).
    async fn score_history(&self, id: ProductId, limit: u32)
    -> Result<Vec<ScoreEntry>, StoreError>;

    /// Version `version` of the published score policy, or the latest
    /// when `None`; `None` when there is no such version (a store where
    /// none was published scores with [`PublishedPolicy::first`]).
    async fn score_policy(
        &self,
        version: Option<u32>,
    ) -> Result<Option<PublishedPolicy>, StoreError>;

    /// Publish `policy` and enqueue `rescoring`, in one transaction.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`(ScorePolicyVersion)` when its
    /// version is taken (another publication won the race).
    async fn publish_score_policy(
        &self,
        policy: &PublishedPolicy,
        rescoring: &NewJob,
    ) -> Result<(), StoreError>;

    /// Where the rescoring to policy `version` stands: the highest product
    /// id of the last batch it wrote (`None` before its first batch).
    async fn rescoring_cursor(&self, version: u32) -> Result<Option<ProductId>, StoreError>;

    /// Live products whose ids are above `after` (all when `None`), by id
    /// ascending, at most `limit`: one batch of a walk through the catalog.
    async fn products_after(
        &self,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError>;

    /// One batch of the rescoring to policy `version`, in one transaction:
    /// replace each product of `rescored` as [`CatalogStore::update_product`]
    /// does when its stored version still equals its `version` (one that
    /// moved on is left alone: the write that moved it scored it), and set
    /// the rescoring's cursor to `through`. Returns the products replaced,
    /// as stored.
    async fn write_rescored(
        &self,
        version: u32,
        rescored: &[Product],
        through: ProductId,
    ) -> Result<Vec<Product>, StoreError>;

    /// Open an import: one transaction through which a whole catalog file
    /// is read against the catalog and written, batch after batch. What it
    /// writes lands when it commits ([`CatalogImport::commit`]), all at
    /// once; dropped without a commit, it writes nothing.
    ///
    /// # Concurrency
    /// With [`ImportMode::Write`], the products an import reads by SKU stay
    /// as it read them until it ends: other writers wait for them
    /// (Postgres: row locks; SQLite: the write lock), or the commit fails
    /// with [`StoreError::StaleWrite`] (memory). With
    /// [`ImportMode::DryRun`] the import only reads: it locks nothing, no
    /// writer waits for it, and its writes are refused.
    async fn begin_import(&self, mode: ImportMode) -> Result<Box<dyn CatalogImport>, StoreError>;
}

/// One import's transaction ([`CatalogStore::begin_import`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogImport: Send {
    /// The live products with these SKUs (with what this import wrote).
    async fn live_products_by_sku(&mut self, skus: &[Sku]) -> Result<Vec<Product>, StoreError>;

    /// The claims of these products.
    async fn claims_of(&mut self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError>;

    /// Which live products hold these GTINs.
    async fn gtin_holders(&mut self, gtins: &[Gtin]) -> Result<Vec<(Gtin, ProductId)>, StoreError>;

    /// The slugs among `slugs` that name a category.
    async fn existing_categories(&mut self, slugs: &[Slug]) -> Result<Vec<Slug>, StoreError>;

    /// Store new categories (a slug that is taken meanwhile is left as it
    /// is).
    async fn insert_categories(&mut self, categories: &[Category]) -> Result<(), StoreError>;

    /// Store each product exactly as given: a new one (`version` 1) as
    /// [`CatalogStore::insert_product`] does, and a live one read through
    /// this import replaced as [`CatalogStore::update_product`] does (its
    /// version moves on by one), with the score history kept.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a SKU or GTIN is taken,
    /// [`StoreError::UnknownCategory`] for a category that does not exist.
    async fn write_products(&mut self, products: &[Product]) -> Result<(), StoreError>;

    /// Make every write visible at once (and tell other hosts' caches that
    /// the catalog changed).
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}
