//! The mailer port.

use async_trait::async_trait;

use super::MailError;
use crate::domain::Timestamp;
use crate::mail::{Delivery, OutgoingEmail, SentEmail};

/// Sends e-mail, at most once per [`OutgoingEmail::dedup_key`].
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Send a message unless one with its key was sent before.
    ///
    /// # Concurrency
    /// Of concurrent sends with one key, one sends and the others get
    /// [`Delivery::AlreadySent`].
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError>;

    /// The message sent under a key, if any.
    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError>;
}
