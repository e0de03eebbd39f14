//! The shipping methods port.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Page, PageRequest, Slug, Timestamp};
use crate::sustainability::shipping::{ShippingMethod, ShippingMethodChanges};

/// Keeps the shop's shipping methods.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ShippingStore: Send + Sync {
    /// Methods by code; only the active ones when `active_only`; `count`
    /// across pages.
    async fn list_shipping_methods(
        &self,
        active_only: bool,
        page: PageRequest,
    ) -> Result<Page<ShippingMethod>, StoreError>;

    /// One method, active or not.
    async fn get_shipping_method(&self, code: &Slug) -> Result<Option<ShippingMethod>, StoreError>;

    /// Add a method.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`] with
    /// [`UniqueField::ShippingMethodCode`](super::UniqueField::ShippingMethodCode)
    /// when its code is taken.
    async fn insert_shipping_method(&self, method: &ShippingMethod) -> Result<(), StoreError>;

    /// Atomically set the fields that `changes` gives on the method of
    /// `code`, and its `updated_at` to `at`; returns the method as changed,
    /// `None` when there is none.
    ///
    /// # Concurrency
    /// One statement: concurrent changes of different fields all land.
    async fn update_shipping_method(
        &self,
        code: &Slug,
        changes: &ShippingMethodChanges,
        at: Timestamp,
    ) -> Result<Option<ShippingMethod>, StoreError>;
}
