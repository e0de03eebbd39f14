//! One error enum per service; each variant is one thing a caller can act on.
//! The REST host maps each to exactly one status code.

use crate::accounts::HashingError;
use crate::auth::AccessDenied;
use crate::orders::{InvalidOrder, OrderRejection, OrderStatus};
use crate::ports::StoreError;

/// Why [`Catalog::export_products`](super::Catalog::export_products) stopped.
#[derive(Debug, thiserror::Error)]
pub enum CatalogExportError<E> {
    /// The store failed to read a batch.
    #[error("reading the catalog failed: {0}")]
    Store(StoreError),
    /// The caller's handling of a batch failed.
    #[error("{0}")]
    Sink(E),
}

/// Why [`Catalog::import_catalog`](super::Catalog::import_catalog) wrote
/// nothing (rows it rejects are not errors: they are reported, and
/// counted in its summary).
#[derive(Debug, thiserror::Error)]
pub enum CatalogImportError {
    /// The actor may not import.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// The store failed; the import's transaction was rolled back.
    #[error("the import failed and wrote nothing: {0}")]
    Store(#[from] StoreError),
    /// The lines stopped before the end of the file (its reader failed);
    /// nothing was written.
    #[error("the file was not read to its end; the import wrote nothing")]
    CutShort,
}

/// Why a catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The actor may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// No such live product.
    #[error("product not found")]
    ProductNotFound,
    /// The product has no composition.
    #[error("the product has no composition")]
    NoComposition,
    /// No such category.
    #[error("category not found")]
    CategoryNotFound,
    /// A discard would destroy products whose destruction is banned (422
    /// naming the rule).
    #[error(transparent)]
    DestructionBanned(crate::sustainability::discards::DestructionBanned),
    /// The product has fewer units in stock than asked for (409); nothing
    /// was written.
    #[error("the product has {} units in stock", .available.get())]
    ShortStock {
        /// The units it had when the request failed.
        available: crate::domain::Stock,
    },
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
    /// The product has no footprint record.
    #[error("the product has no footprint record")]
    NoFootprint,
    /// Input breaks rules of its fields (a footprint record, a claim's
    /// form), each by field.
    #[error("the input breaks {} rule(s)", .0.len())]
    Invalid(Vec<crate::sustainability::FieldError>),
    /// A rule of a market the claim is made in refuses it (422 naming the
    /// rule).
    #[error("{}", .0.detail)]
    ClaimRefused(crate::sustainability::Refusal),
    /// The product holds the most claims it may.
    #[error(
        "the product holds {} claims, the most it may",
        crate::services::MAX_CLAIMS_PER_PRODUCT
    )]
    TooManyClaims,
    /// The product has no such claim.
    #[error("the product has no such claim")]
    NoClaim,
    /// The change would make the product's metrics deny these claims (409
    /// until they are removed).
    #[error("the change contradicts {} claim(s) of the product", .0.len())]
    ClaimConflict(Vec<crate::domain::ClaimId>),
    /// The change contradicts the product's footprint record (409); the
    /// text says what to do instead.
    #[error("{0}")]
    FootprintConflict(&'static str),
    /// The shop scores with its own policy, which is code: it has no
    /// published rules to read or change.
    #[error("this shop scores with its own policy, which has no published rules")]
    ScoringIsCode,
    /// Another live product has this identifier (`sku` or `gtin`).
    #[error("another product has this {0}")]
    IdentifierTaken(&'static str),
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
            StoreError::Duplicate(crate::ports::UniqueField::ProductSku) => {
                CatalogError::IdentifierTaken("sku")
            }
            StoreError::Duplicate(crate::ports::UniqueField::ProductGtin) => {
                CatalogError::IdentifierTaken("gtin")
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
    /// The request broke field rules (also when replayed).
    #[error(transparent)]
    Invalid(InvalidOrder),
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
    /// A token that is not a live session's: forged, spent, revoked, expired,
    /// or its account is gone.
    #[error("the token is not a live session's")]
    InvalidToken,
    /// Too many failed logins for the address or from the client.
    #[error("too many failed logins; retry after {retry_after:?}")]
    Throttled {
        /// How long until a login may be tried again.
        retry_after: std::time::Duration,
    },
    /// The current password given to change it is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// A password-reset token that is unknown, used or expired.
    #[error("the password-reset token is unknown, used or expired")]
    InvalidResetToken,
    /// The operating system gave no randomness for a token.
    #[error(transparent)]
    NoRandomness(#[from] crate::accounts::NoRandomness),
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
