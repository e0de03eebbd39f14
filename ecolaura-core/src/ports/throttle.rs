//! The login-throttle store port: failed logins, shared by every host.

use async_trait::async_trait;

use super::StoreError;
use crate::accounts::ThrottleKey;
use crate::domain::Timestamp;

/// Keeps failed logins, so that every host counts the same ones.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottleStore: Send + Sync {
    /// Count one failed login at `at` against each of `keys`.
    async fn record_login_failure(
        &self,
        keys: &[ThrottleKey],
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// The time of `key`'s `n`-th most recent failure (1 = the latest)
    /// strictly after `since`, or `None` when it has fewer.
    async fn nth_latest_login_failure(
        &self,
        key: &ThrottleKey,
        n: u32,
        since: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError>;

    /// Delete failures before `before`; how many went.
    async fn purge_login_failures(&self, before: Timestamp) -> Result<u64, StoreError>;
}
