//! A validated order request: what a customer asks to buy; and a request
//! as a client submitted it, valid or not, with its fingerprint.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{ProductId, Quantity, Slug};
use crate::idempotency::{hex_digest, json_fingerprint};

/// One line of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderRequestLine {
    /// What to buy.
    pub product_id: ProductId,
    /// How many.
    pub quantity: Quantity,
}

/// Why a request is malformed, whatever the catalog holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderRequestError {
    /// No lines.
    #[error("an order needs at least one line")]
    NoLines,
    /// More than 100 lines.
    #[error("an order has at most 100 lines")]
    TooManyLines,
    /// One product on two lines.
    #[error("product {0} appears on more than one line")]
    DuplicateProduct(ProductId),
}

/// 1 to 100 lines, each product at most once.
///
/// ```
/// use ecolaura_core::domain::{ProductId, Quantity};
/// use ecolaura_core::orders::{OrderRequest, OrderRequestLine, OrderRequestError};
/// let line = OrderRequestLine { product_id: ProductId::new(), quantity: Quantity::new(2).unwrap() };
/// assert!(OrderRequest::new(vec![line]).is_ok());
/// assert!(matches!(OrderRequest::new(vec![line, line]), Err(OrderRequestError::DuplicateProduct(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    lines: Vec<OrderRequestLine>,
    shipping_method: Option<Slug>,
}

impl OrderRequest {
    /// The most lines on one order.
    pub const MAX_LINES: usize = 100;

    /// Validate a request.
    pub fn new(lines: Vec<OrderRequestLine>) -> Result<Self, OrderRequestError> {
        if lines.is_empty() {
            return Err(OrderRequestError::NoLines);
        }
        if lines.len() > Self::MAX_LINES {
            return Err(OrderRequestError::TooManyLines);
        }
        let mut seen = HashSet::with_capacity(lines.len());
        if let Some(dup) = lines.iter().find(|l| !seen.insert(l.product_id)) {
            return Err(OrderRequestError::DuplicateProduct(dup.product_id));
        }
        Ok(Self {
            lines,
            shipping_method: None,
        })
    }

    /// The request shipped with the method of this code.
    pub fn shipped_by(self, code: Slug) -> Self {
        Self {
            shipping_method: Some(code),
            ..self
        }
    }

    /// The lines, in the order given.
    pub fn lines(&self) -> &[OrderRequestLine] {
        &self.lines
    }

    /// The shipping method asked for, if any.
    pub fn shipping_method(&self) -> Option<&Slug> {
        self.shipping_method.as_ref()
    }

    /// A digest of the request, to tell "the same request again" from "another
    /// request under the same idempotency key". Line order matters: it is part
    /// of the order that would be made.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for l in &self.lines {
            h.update(l.product_id.as_uuid().as_bytes());
            h.update(l.quantity.get().to_be_bytes());
        }
        if let Some(code) = &self.shipping_method {
            h.update(b"shipping:");
            h.update(code.as_str().as_bytes());
        }
        hex_digest(h)
    }
}

/// Why a submitted request cannot be an order whatever the catalog holds:
/// each field that breaks a rule (`lines`, `lines[0].quantity`) and what is
/// wrong with it, as first reported. It never succeeds as sent, yet, like an
/// [`OrderRejection`](super::OrderRejection), it is stored under the
/// request's idempotency key and replayed, so that a repeat gets the very
/// same answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the order request breaks field rules: {}", describe(.errors))]
pub struct InvalidOrder {
    errors: BTreeMap<String, Vec<String>>,
}

fn describe(errors: &BTreeMap<String, Vec<String>>) -> String {
    let fields: Vec<String> = errors
        .iter()
        .map(|(field, problems)| format!("{field} {}", problems.join(", ")))
        .collect();
    fields.join("; ")
}

impl InvalidOrder {
    /// The answer to a submission that breaks these rules (field path to
    /// what is wrong with it).
    pub fn new(errors: BTreeMap<String, Vec<String>>) -> Self {
        Self { errors }
    }

    /// The broken rules, by field path.
    pub fn errors(&self) -> &BTreeMap<String, Vec<String>> {
        &self.errors
    }

    /// The broken rules, by field path.
    pub fn into_errors(self) -> BTreeMap<String, Vec<String>> {
        self.errors
    }
}

impl From<OrderRequestError> for InvalidOrder {
    /// The request's own rules are about its `lines` as a whole.
    fn from(e: OrderRequestError) -> Self {
        Self::new(BTreeMap::from([("lines".to_owned(), vec![e.to_string()])]))
    }
}

/// An order request as a client submitted it: the valid request, or why it
/// is not one; and its fingerprint, which tells a repeat of the submission
/// from another one under the same idempotency key.
///
/// ```
/// use ecolaura_core::orders::{InvalidOrder, OrderRequestError, OrderSubmission};
/// let body = serde_json::json!({"lines": []});
/// let invalid = InvalidOrder::from(OrderRequestError::NoLines);
/// let sent = OrderSubmission::received(&body, Err(invalid.clone()));
/// let again = OrderSubmission::received(&body, Err(invalid.clone()));
/// let other = OrderSubmission::received(&serde_json::json!({"lines": [], "x": 1}), Err(invalid));
/// assert_eq!(sent.fingerprint(), again.fingerprint());
/// assert_ne!(sent.fingerprint(), other.fingerprint());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSubmission {
    fingerprint: String,
    request: Result<OrderRequest, InvalidOrder>,
}

impl OrderSubmission {
    /// A submission received as a JSON `body`, and what it decoded to: its
    /// fingerprint is over the body as received
    /// ([`json_fingerprint`](crate::idempotency::json_fingerprint)), so two
    /// bodies that break the rules differently are two requests.
    pub fn received(body: &serde_json::Value, request: Result<OrderRequest, InvalidOrder>) -> Self {
        Self {
            fingerprint: json_fingerprint(body),
            request,
        }
    }

    /// The fingerprint that idempotency records keep.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The valid request, or why the submission is not one.
    pub fn request(&self) -> Result<&OrderRequest, &InvalidOrder> {
        self.request.as_ref()
    }
}
