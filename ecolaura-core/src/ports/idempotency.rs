//! The idempotency store port.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Timestamp, UserId};
use crate::idempotency::{IdempotencyKey, IdempotencyRecord, IdempotencyStamp, IdempotentOutcome};

/// Keeps the outcomes of placements made under an idempotency key.
/// [`OrderStore::place_order`](super::OrderStore::place_order) records the
/// outcomes it decides; this port reads them and records the rejections the
/// service decides before any stock is touched.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The live (unexpired at `now`) record for (user, key).
    async fn find_idempotency(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;

    /// Record an outcome under the stamp's key unless a live record exists.
    /// Returns `None` when recorded, or the live record that was there.
    /// An expired record is replaced.
    ///
    /// # Concurrency
    /// Of concurrent saves under one key, exactly one records.
    async fn save_outcome(
        &self,
        stamp: &IdempotencyStamp,
        outcome: &IdempotentOutcome,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;

    /// Delete records expired at `now`; returns how many.
    async fn purge_expired_idempotency(&self, now: Timestamp) -> Result<u64, StoreError>;
}
