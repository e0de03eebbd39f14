//! Errors every store port returns.

/// Any error, boxed, as adapters wrap their driver's errors.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which uniqueness rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UniqueField {
    /// Another category has this slug.
    CategorySlug,
    /// Another user has this e-mail address (case-insensitively).
    UserEmail,
    /// A score policy with this version was published meanwhile.
    ScorePolicyVersion,
    /// Another live product has this SKU.
    ProductSku,
    /// Another live product has this GTIN.
    ProductGtin,
    /// Another shipping method has this code.
    ShippingMethodCode,
}

/// What went wrong in a store. Adapters translate their driver's errors
/// (constraint names included) into these, so no driver type reaches a service.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage cannot be reached or is overloaded; retrying later may work.
    #[error("storage is unavailable")]
    Unavailable(#[source] BoxError),
    /// A uniqueness rule was broken.
    #[error("duplicate {0:?}")]
    Duplicate(UniqueField),
    /// A product names a category that does not exist.
    #[error("the category does not exist")]
    UnknownCategory,
    /// The record to change does not exist (or is archived).
    #[error("not found")]
    NotFound,
    /// The product has fewer units in stock than the write takes; nothing
    /// was written.
    #[error("not enough stock")]
    ShortStock,
    /// The record changed since it was read (optimistic concurrency); read again and retry.
    #[error("the record was changed concurrently")]
    StaleWrite,
    /// A job's lease expired and another worker holds the job now.
    #[error("the job's lease was lost")]
    LeaseLost,
    /// Anything else: a failed statement, data that does not decode.
    #[error("storage failed")]
    Backend(#[source] BoxError),
}

impl StoreError {
    /// Wrap any error as [`StoreError::Backend`].
    pub fn backend(e: impl Into<BoxError>) -> Self {
        StoreError::Backend(e.into())
    }

    /// A write asked of an import begun as a dry run
    /// ([`ImportMode::DryRun`](crate::catalog::ImportMode::DryRun)), which
    /// only reads.
    pub fn dry_run_write() -> Self {
        StoreError::backend("a dry-run import writes nothing")
    }

    /// Whether this is [`StoreError::Unavailable`].
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// What went wrong sending an e-mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The mail system cannot be reached; retrying later may work.
    #[error("mail system unavailable")]
    Unavailable(#[source] BoxError),
    /// The mail system refused the message for good.
    #[error("message refused: {0}")]
    Refused(String),
}

impl MailError {
    /// No message under `dedup_key` is in the outbox: a refusal, since
    /// asking again cannot make one appear.
    pub fn not_in_outbox(dedup_key: &str) -> Self {
        MailError::Refused(format!("no message {dedup_key:?} in the outbox"))
    }
}
