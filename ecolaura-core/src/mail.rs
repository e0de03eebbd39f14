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

/// An e-mail in the outbox: recorded as sent, and, where an SMTP relay is
/// configured, delivered to it at `delivered_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentEmail {
    /// The message.
    pub email: OutgoingEmail,
    /// When it was recorded in the outbox.
    pub sent_at: Timestamp,
    /// When a relay accepted it; `None` while it waits (or when no relay
    /// is configured, and the outbox is where mail stays).
    pub delivered_at: Option<Timestamp>,
}

/// What [`Mailer::send`](crate::ports::Mailer::send) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent now.
    Sent,
    /// A message with this key had been sent before; nothing was sent.
    AlreadySent,
}

/// The `Message-ID` of the message sent under `dedup_key`, on `domain`.
///
/// It depends on the key only, so every attempt to deliver one message
/// carries the same id: should a relay accept a message whose acceptance
/// was then lost (the process died before recording it), the copy that the
/// retry sends is recognisably the same message to the relay and the
/// recipient's mail system. Characters other than letters, digits and
/// `-_.` are written as `=XX` (their bytes in hex), which keeps the id a
/// valid RFC 5322 `dot-atom` for any key, and different keys give
/// different ids.
pub fn message_id(dedup_key: &str, domain: &str) -> String {
    let bytes = dedup_key.as_bytes();
    let mut local = String::with_capacity(dedup_key.len() + 8);
    for (i, &byte) in bytes.iter().enumerate() {
        let inner_dot = byte == b'.' && i > 0 && i + 1 < bytes.len() && bytes[i - 1] != b'.';
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => local.push(char::from(byte)),
            b'.' if inner_dot => local.push('.'),
            other => local.push_str(&format!("={other:02X}")),
        }
    }
    if local.is_empty() {
        // No key escapes to a lone `=`.
        local.push('=');
    }
    format!("<{local}@{domain}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_depends_on_the_key_only_and_stays_an_atom() {
        assert_eq!(
            message_id("order-confirmation/0190-ab", "shop.example"),
            "<order-confirmation=2F0190-ab@shop.example>"
        );
        assert_eq!(
            message_id("order-confirmation/0190-ab", "shop.example"),
            message_id("order-confirmation/0190-ab", "shop.example")
        );
        assert_ne!(
            message_id("a/b", "shop.example"),
            message_id("a=2Fb", "shop.example")
        );
        assert_eq!(message_id("a b<é>", "x"), "<a=20b=3C=C3=A9=3E@x>");
        assert_eq!(message_id(".a..b.", "x"), "<=2Ea.=2Eb=2E@x>");
        assert_eq!(message_id("", "x"), "<=@x>");
    }
}
