//! The mailer port, and the relay that delivers its messages.

use async_trait::async_trait;

use super::MailError;
use crate::domain::Timestamp;
use crate::jobs::NewJob;
use crate::mail::{Delivery, OutgoingEmail, SentEmail};

/// Sends e-mail, at most once per [`OutgoingEmail::dedup_key`].
///
/// The stores implement it as an outbox: a sent message is a recorded row.
/// Where mail leaves for an SMTP relay, the library's
/// [`RelayingMailer`](crate::jobs::RelayingMailer) records each message with
/// [`Mailer::send_for_delivery`], and the `deliver_email` job it enqueues
/// hands it to the [`MailRelay`].
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Send a message unless one with its key was sent before.
    ///
    /// # Concurrency
    /// Of concurrent sends with one key, one sends and the others get
    /// [`Delivery::AlreadySent`].
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError>;

    /// [`Mailer::send`], and when the message is new, enqueue `delivery` (the
    /// job that hands it to a relay) atomically with it: a recorded message
    /// always has its delivery job, and a key never gets two.
    ///
    /// # Concurrency
    /// As [`Mailer::send`]: of concurrent sends with one key, one records
    /// and enqueues, the others get [`Delivery::AlreadySent`] and enqueue
    /// nothing.
    async fn send_for_delivery(
        &self,
        email: &OutgoingEmail,
        delivery: NewJob,
        now: Timestamp,
    ) -> Result<Delivery, MailError>;

    /// The message sent under a key, if any.
    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError>;

    /// Record that a relay accepted the message under `dedup_key` at `at`.
    /// A message already marked keeps its first time.
    ///
    /// # Errors
    /// [`MailError::Refused`] when no message has that key.
    async fn mark_delivered(&self, dedup_key: &str, at: Timestamp) -> Result<(), MailError>;
}

/// Hands messages to a mail relay (an SMTP server), the way out of the
/// outbox.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailRelay: Send + Sync {
    /// Deliver `email`, with a `Message-ID` made from its dedup key alone
    /// (see [`message_id`](crate::mail::message_id)), so that every attempt
    /// at one message carries the same id.
    ///
    /// # Errors
    /// [`MailError::Unavailable`] when the relay cannot be reached or
    /// answers with a temporary failure (a retry may work);
    /// [`MailError::Refused`] when it refuses the message for good.
    async fn deliver(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}
