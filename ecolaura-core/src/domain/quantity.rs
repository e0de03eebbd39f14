//! Quantities ordered and units in stock.

use serde::{Deserialize, Serialize};

/// Why a number is not an order quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer between 1 and 1000")]
pub struct QuantityError;

/// Units of one product on one order line: `1..=1000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// The most units of one product on one order.
    pub const MAX: u32 = 1000;

    /// A quantity in `1..=1000`.
    pub fn new(units: i64) -> Result<Self, QuantityError> {
        u32::try_from(units)
            .ok()
            .filter(|u| (1..=Self::MAX).contains(u))
            .map(Self)
            .ok_or(QuantityError)
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;
    fn try_from(v: i64) -> Result<Self, QuantityError> {
        Quantity::new(v)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// Why a number is not a stock level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer between 0 and 1000000000")]
pub struct StockError;

/// Units in stock: `0..=1_000_000_000` (fits every SQL integer column).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "u32")]
pub struct Stock(u32);

impl Stock {
    /// The largest stock level.
    pub const MAX: u32 = 1_000_000_000;
    /// No stock.
    pub const ZERO: Stock = Stock(0);

    /// A stock level.
    pub fn new(units: i64) -> Result<Self, StockError> {
        u32::try_from(units)
            .ok()
            .filter(|u| *u <= Self::MAX)
            .map(Self)
            .ok_or(StockError)
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }

    /// Stock after taking `q` units, or `None` if there are not enough.
    pub fn take(self, q: Quantity) -> Option<Stock> {
        self.0.checked_sub(q.get()).map(Stock)
    }

    /// Stock after `q` units come back (saturating at [`Stock::MAX`]).
    pub fn give_back(self, q: Quantity) -> Stock {
        Stock(self.0.saturating_add(q.get()).min(Self::MAX))
    }
}

impl TryFrom<i64> for Stock {
    type Error = StockError;
    fn try_from(v: i64) -> Result<Self, StockError> {
        Stock::new(v)
    }
}

impl From<Stock> for u32 {
    fn from(s: Stock) -> u32 {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn quantity_accepts_exactly_1_to_1000(v in any::<i64>()) {
            prop_assert_eq!(Quantity::new(v).is_ok(), (1..=1000).contains(&v));
        }

        #[test]
        fn taking_never_goes_negative(s in 0i64..2000, q in 1i64..=1000) {
            let stock = Stock::new(s).unwrap();
            let taken = stock.take(Quantity::new(q).unwrap());
            prop_assert_eq!(taken.is_some(), q <= s);
            if let Some(left) = taken {
                prop_assert_eq!(i64::from(left.get()), s - q);
                prop_assert_eq!(left.give_back(Quantity::new(q).unwrap()), stock);
            }
        }
    }
}
