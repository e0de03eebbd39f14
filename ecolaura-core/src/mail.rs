//! Outgoing e-mail.

use serde::{Deserialize, Serialize};

use crate::domain::{Email, Timestamp};

/// An e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// Identifies this message: sending the same key twice sends it once.
    pub dedup_key: String,
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// An e-mail that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentEmail {
    /// The message.
    pub email: OutgoingEmail,
    /// When it went.
    pub sent_at: Timestamp,
}

/// What [`Mailer::send`](crate::ports::Mailer::send) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent now.
    Sent,
    /// A message with this key had been sent before; nothing was sent.
    AlreadySent,
}
