//! One error enum per service; each variant is one thing a caller can act on.
//! The REST host maps each to exactly one status code.

use crate::accounts::HashingError;
use crate::auth::AccessDenied;
use crate::orders::{OrderRejection, OrderStatus};
use crate::ports::StoreError;

/// Why a catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The actor may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// No such live product.
    #[error("product not found")]
    ProductNotFound,
    /// A category with this slug exists.
    #[error("a category with this slug already exists")]
    CategoryExists,
    /// The product names a category that does not exist.
    #[error("the category does not exist")]
    UnknownCategory,
    /// The product has no sustainability metrics.
    #[error("the product has no sustainability metrics")]
    NoMetrics,
    /// The product kept changing under this update; try again.
    #[error("the product was changed concurrently; try again")]
    ConcurrentUpdate,
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CatalogError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownCategory => CatalogError::UnknownCategory,
            StoreError::Duplicate(crate::ports::UniqueField::CategorySlug) => {
                CatalogError::CategoryExists
            }
            StoreError::NotFound => CatalogError::ProductNotFound,
            other => CatalogError::Store(other),
        }
    }
}

/// Why an order operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// The actor may not do this.
    #[error(transparent)]
    Denied(AccessDenied),
    /// No such order (or another customer's).
    #[error("order not found")]
    NotFound,
    /// The catalog refused the order (stock, unavailable product).
    #[error(transparent)]
    Rejected(OrderRejection),
    /// The state machine does not allow this move.
    #[error("an order cannot go from {from} to {to}")]
    IllegalTransition {
        /// Current status.
        from: OrderStatus,
        /// Requested status.
        to: OrderStatus,
    },
    /// The idempotency key was used for another request.
    #[error("the idempotency key was used with another request")]
    IdempotencyKeyReused,
    /// The order kept changing under this operation; try again.
    #[error("the order was changed concurrently; try again")]
    ConcurrentUpdate,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccessDenied> for OrderError {
    fn from(e: AccessDenied) -> Self {
        match e {
            AccessDenied::NotFound => OrderError::NotFound,
            other => OrderError::Denied(other),
        }
    }
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The actor may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// An account with this e-mail address exists.
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    /// Wrong e-mail address or password (deliberately not saying which).
    #[error("invalid e-mail address or password")]
    InvalidCredentials,
    /// No such account.
    #[error("account not found")]
    NotFound,
    /// Hashing the password failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(crate::ports::UniqueField::UserEmail) => AccountError::EmailTaken,
            other => AccountError::Store(other),
        }
    }
}
