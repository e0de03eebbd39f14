//! A validated order request: what a customer asks to buy.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::domain::{ProductId, Quantity};

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
        Ok(Self { lines })
    }

    /// The lines, in the order given.
    pub fn lines(&self) -> &[OrderRequestLine] {
        &self.lines
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
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
