//! Idempotent order placement: keys, request fingerprints, stored outcomes.
//!
//! A client that retries `place` with the same key and the same request gets
//! the first outcome again and nothing new is made; the same key with another
//! request is refused. Keys are scoped to the user and expire.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::{Timestamp, UserId};
use crate::orders::{InvalidOrder, Order, OrderRejection};

/// Why a text is not an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters (spaces only inside)")]
pub struct IdempotencyKeyError;

/// A client-chosen key: 1 to 255 visible ASCII characters, with spaces
/// inside but not at either end (HTTP trims header values).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parse a key.
    pub fn parse(raw: &str) -> Result<Self, IdempotencyKeyError> {
        let ok = (1..=255).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && !raw.starts_with(' ')
            && !raw.ends_with(' ');
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
    /// The request broke field rules.
    Invalid(InvalidOrder),
}

/// What the service hands a store with a placement that has a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyStamp {
    /// Whose key.
    pub user_id: UserId,
    /// The key.
    pub key: IdempotencyKey,
    /// Fingerprint of the request ([`OrderSubmission::fingerprint`](crate::orders::OrderSubmission::fingerprint),
    /// or [`OrderRequest::fingerprint`](crate::orders::OrderRequest::fingerprint)
    /// for a request made in code).
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

/// The fingerprint of a JSON request body as received: a SHA-256 over its
/// value, in hex. The order of an object's members and the white space
/// between tokens do not count (they do not change the value); everything
/// else does: members the service ignores, a string's case, a number's form
/// (`2` and `2.0` differ).
///
/// ```
/// use ecolaura_core::idempotency::json_fingerprint;
/// use serde_json::json;
/// let a: serde_json::Value = serde_json::from_str(r#"{"a": 1, "b": [true, null]}"#).unwrap();
/// let b: serde_json::Value = serde_json::from_str(r#"{ "b":[true,null],"a":1 }"#).unwrap();
/// assert_eq!(json_fingerprint(&a), json_fingerprint(&b));
/// assert_ne!(json_fingerprint(&a), json_fingerprint(&json!({"a": 1.0, "b": [true, null]})));
/// ```
pub fn json_fingerprint(body: &Value) -> String {
    let mut h = Sha256::new();
    digest(&mut h, body);
    hex_digest(h)
}

/// Feed `value` to `h` with each part tagged and every length given, so two
/// values feed the same bytes only if they are equal.
fn digest(h: &mut Sha256, value: &Value) {
    fn text(h: &mut Sha256, s: &str) {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    match value {
        Value::Null => h.update(b"n"),
        Value::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            h.update(b"#");
            text(h, &n.to_string());
        }
        Value::String(s) => {
            h.update(b"s");
            text(h, s);
        }
        Value::Array(items) => {
            h.update(b"[");
            h.update((items.len() as u64).to_be_bytes());
            for item in items {
                digest(h, item);
            }
        }
        Value::Object(members) => {
            h.update(b"{");
            h.update((members.len() as u64).to_be_bytes());
            let mut sorted: Vec<_> = members.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (name, member) in sorted {
                text(h, name);
                digest(h, member);
            }
        }
    }
}

/// A finished digest in lower-case hex.
pub(crate) fn hex_digest(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
