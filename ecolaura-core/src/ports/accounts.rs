//! The account store port.

use async_trait::async_trait;

use super::StoreError;
use crate::accounts::User;
use crate::domain::{Email, PersonName, UserId};

/// Keeps user accounts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Store a new user.
    ///
    /// # Errors
    /// MUST return [`StoreError::Duplicate`]`(UserEmail)` when the address is
    /// taken; addresses are compared case-insensitively.
    ///
    /// # Concurrency
    /// Of concurrent inserts with one address, exactly one succeeds.
    async fn insert_user(&self, user: &User) -> Result<(), StoreError>;

    /// The user with this address.
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// The user with this id.
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Rename a user; the user as renamed, or `None` when there is none.
    async fn rename_user(&self, id: UserId, name: &PersonName) -> Result<Option<User>, StoreError>;
}
