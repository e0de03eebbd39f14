//! The discarded-stock ledger port.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Page, PageRequest, ProductId, Stock, Timestamp};
use crate::sustainability::discards::{DiscardEntry, DiscardGroup, PreventionMeasures, ReportYear};

/// Keeps the append-only ledger of discarded stock and each year's
/// statement of prevention measures.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DiscardStore: Send + Sync {
    /// Atomically take `entry.quantity` units from the live product
    /// `entry.product_id` and append `entry` to the ledger. Returns the
    /// stock left.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when the product is missing or
    /// archived and [`StoreError::ShortStock`] when it has fewer units, in
    /// both cases with nothing written.
    ///
    /// # Concurrency
    /// Stock is taken by a conditional decrement, as orders take it: of
    /// concurrent discards and orders, those that find the units take them
    /// and the others fail; stock never goes below zero.
    async fn record_discard(&self, entry: &DiscardEntry) -> Result<Stock, StoreError>;

    /// A product's entries (archived products' too), newest first (ties by
    /// id descending); `count` across pages.
    async fn list_discards(
        &self,
        product: ProductId,
        page: PageRequest,
    ) -> Result<Page<DiscardEntry>, StoreError>;

    /// The entries recorded in `from..until`, summed into groups of the
    /// same category, reason, destination, derogation and unit weight, in
    /// no particular order.
    async fn discard_groups(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<DiscardGroup>, StoreError>;

    /// The statement of prevention measures of `year`, if set.
    async fn prevention_measures(
        &self,
        year: ReportYear,
    ) -> Result<Option<PreventionMeasures>, StoreError>;

    /// Set (insert or replace) the statement of its year.
    async fn set_prevention_measures(
        &self,
        measures: &PreventionMeasures,
    ) -> Result<(), StoreError>;
}
