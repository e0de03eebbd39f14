//! Idempotent order placement: keys, request fingerprints, stored outcomes.
//!
//! A client that retries `place` with the same key and the same request gets
//! the first outcome again and nothing new is made; the same key with another
//! request is refused. Keys are scoped to the user and expire.

use serde::{Deserialize, Serialize};

use crate::domain::{Timestamp, UserId};
use crate::orders::{Order, OrderRejection};

/// Why a text is not an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
pub struct IdempotencyKeyError;

/// A client-chosen key: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parse a key.
    pub fn parse(raw: &str) -> Result<Self, IdempotencyKeyError> {
        let ok = (1..=255).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdempotencyKeyError)
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = IdempotencyKeyError;
    fn try_from(s: String) -> Result<Self, IdempotencyKeyError> {
        Self::parse(&s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.0
    }
}

/// The outcome of a finished placement, as stored and replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
pub enum IdempotentOutcome {
    /// The order was made; this is the order as it was when made.
    Placed(Box<Order>),
    /// The catalog refused it.
    Rejected(OrderRejection),
}

/// What the service hands a store with a placement that has a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyStamp {
    /// Whose key.
    pub user_id: UserId,
    /// The key.
    pub key: IdempotencyKey,
    /// Fingerprint of the request ([`OrderRequest::fingerprint`](crate::orders::OrderRequest::fingerprint)).
    pub fingerprint: String,
    /// Now.
    pub now: Timestamp,
    /// When the record stops counting.
    pub expires_at: Timestamp,
}

/// A stored key and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Fingerprint of the request that made it.
    pub fingerprint: String,
    /// What happened.
    pub outcome: IdempotentOutcome,
    /// When the record stops counting.
    pub expires_at: Timestamp,
}

/// How a stored record answers a new request under the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The same request: here is its outcome.
    Same(IdempotentOutcome),
    /// Another request under a used key.
    KeyReused,
}

impl IdempotencyRecord {
    /// Compare the record with a request's fingerprint.
    pub fn replay_for(self, fingerprint: &str) -> Replay {
        if self.fingerprint == fingerprint {
            Replay::Same(self.outcome)
        } else {
            Replay::KeyReused
        }
    }
}
