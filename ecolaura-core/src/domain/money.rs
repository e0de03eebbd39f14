//! Money: decimal, two fraction digits, never a float.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value is not acceptable as money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a decimal number.
    #[error("must be a decimal number such as \"19.99\"")]
    NotADecimal,
    /// The amount is below zero.
    #[error("must be >= 0")]
    Negative,
    /// More than two digits after the decimal point.
    #[error("must have at most 2 decimal places")]
    TooManyDecimalPlaces,
    /// More than ten digits in all (the largest price is 99999999.99).
    #[error("must have at most 10 digits in all")]
    TooManyDigits,
    /// An arithmetic result does not fit.
    #[error("amount overflows")]
    Overflow,
}

/// A non-negative amount of the shop currency with exactly two fraction digits.
///
/// Used for computed amounts (line totals, order totals), which are not bound
/// by the 10-digit input rule of [`Price`]. Serialized as a string with two
/// fraction digits (`"39.98"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Money from a decimal, which must be >= 0 with at most two fraction digits.
    pub fn new(amount: Decimal) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        if amount.normalize().scale() > 2 {
            return Err(MoneyError::TooManyDecimalPlaces);
        }
        Ok(Self(with_two_places(amount)))
    }

    /// Money from integer minor units (cents).
    pub fn from_minor_units(cents: i64) -> Result<Self, MoneyError> {
        Self::new(Decimal::new(cents, 2))
    }

    /// The amount in integer minor units (cents), for stores that keep money as integers.
    pub fn to_minor_units(self) -> Result<i64, MoneyError> {
        let cents = self
            .0
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or(MoneyError::Overflow)?;
        i64::try_from(cents).map_err(|_| MoneyError::Overflow)
    }

    /// The decimal value (scale 2).
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// `self × quantity`.
    pub fn times(self, quantity: u32) -> Result<Money, MoneyError> {
        self.0
            .checked_mul(Decimal::from(quantity))
            .map(|d| Money(with_two_places(d)))
            .ok_or(MoneyError::Overflow)
    }

    /// `self + other`.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(|d| Money(with_two_places(d)))
            .ok_or(MoneyError::Overflow)
    }
}

fn with_two_places(mut d: Decimal) -> Decimal {
    d.rescale(2);
    d
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::new(parse_decimal(s)?)
    }
}

impl Sum<Money> for Result<Money, MoneyError> {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Self {
        iter.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }
}

fn parse_decimal(s: &str) -> Result<Decimal, MoneyError> {
    let s = s.trim();
    // Decimal::from_str accepts things like "1_000"; money input is plain digits.
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && s.chars().filter(|&c| c == '.').count() <= 1;
    if !plain {
        return Err(MoneyError::NotADecimal);
    }
    Decimal::from_str(s).map_err(|_| MoneyError::NotADecimal)
}

/// A product price: [`Money`] that also obeys the input rule of at most ten
/// digits in all, two after the point (`0.00 ..= 99999999.99`).
///
/// ```
/// use ecolaura_core::domain::{Price, MoneyError};
/// let price: Price = "19.9".parse().unwrap();
/// assert_eq!(price.to_string(), "19.90");
/// assert_eq!("1.999".parse::<Price>(), Err(MoneyError::TooManyDecimalPlaces));
/// assert_eq!("123456789.00".parse::<Price>(), Err(MoneyError::TooManyDigits));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price(Money);

impl Price {
    /// The largest price: 99999999.99.
    // 9_999_999_999 = 2 * 2^32 + 1_410_065_407, at scale 2.
    pub const MAX: Decimal = Decimal::from_parts(1_410_065_407, 2, 0, false, 2);

    /// A price from a decimal.
    pub fn new(amount: Decimal) -> Result<Self, MoneyError> {
        let money = Money::new(amount)?;
        if money.0 > Self::MAX {
            return Err(MoneyError::TooManyDigits);
        }
        Ok(Self(money))
    }

    /// A price from integer minor units (cents).
    pub fn from_minor_units(cents: i64) -> Result<Self, MoneyError> {
        Self::new(Decimal::new(cents, 2))
    }

    /// The price as money.
    pub fn money(self) -> Money {
        self.0
    }

    /// The decimal value (scale 2).
    pub fn amount(self) -> Decimal {
        self.0.amount()
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Price {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Price::new(parse_decimal(s)?)
    }
}

impl From<Price> for Money {
    fn from(p: Price) -> Money {
        p.0
    }
}

macro_rules! string_serde {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(Money);
string_serde!(Price);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn price_max_is_ten_digits() {
        assert_eq!(Price::MAX.to_string(), "99999999.99");
        assert!(Price::new(Price::MAX).is_ok());
    }

    #[test]
    fn money_displays_two_places() {
        assert_eq!(
            "1.5".parse::<Money>().map(|m| m.to_string()),
            Ok("1.50".into())
        );
        assert_eq!(
            "7".parse::<Money>().map(|m| m.to_string()),
            Ok("7.00".into())
        );
        assert_eq!(
            "0.10".parse::<Money>().map(|m| m.to_string()),
            Ok("0.10".into())
        );
    }

    #[test]
    fn malformed_money_is_rejected() {
        for bad in ["", "abc", "1e3", "1_000", "1.2.3", " ", "NaN", "+1"] {
            assert_eq!(
                bad.parse::<Money>(),
                Err(MoneyError::NotADecimal),
                "{bad:?}"
            );
        }
        assert_eq!("-0.01".parse::<Money>(), Err(MoneyError::Negative));
        assert!("-0".parse::<Money>().is_ok());
        assert_eq!(
            "1.000".parse::<Money>().map(|m| m.to_string()),
            Ok("1.00".into())
        );
    }

    #[test]
    fn totals_multiply_exactly() {
        let p: Money = "19.99".parse().unwrap();
        assert_eq!(p.times(3).unwrap().to_string(), "59.97");
        let a: Money = "0.10".parse().unwrap();
        let sum: Result<Money, _> = std::iter::repeat_n(a, 3).sum();
        assert_eq!(sum.unwrap().to_string(), "0.30");
    }

    #[test]
    fn serializes_as_two_place_string() {
        let p: Price = "19.9".parse().unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"19.90\"");
        let back: Price = serde_json::from_str("\"19.90\"").unwrap();
        assert_eq!(back, p);
    }

    proptest! {
        #[test]
        fn every_valid_price_round_trips_through_text_and_cents(cents in 0i64..=9_999_999_999) {
            let p = Price::from_minor_units(cents).unwrap();
            prop_assert_eq!(p.to_string().parse::<Price>().unwrap(), p);
            prop_assert_eq!(p.money().to_minor_units().unwrap(), cents);
            prop_assert_eq!(p.to_string().split('.').nth(1).map(str::len), Some(2));
        }

        #[test]
        fn prices_past_ten_digits_are_rejected(cents in 10_000_000_000i64..i64::MAX / 100) {
            prop_assert_eq!(Price::from_minor_units(cents), Err(MoneyError::TooManyDigits));
        }

        #[test]
        fn three_fraction_digits_are_rejected(mills in 0i64..1_000_000, last in 1i64..10) {
            let d = Decimal::new(mills * 10 + last, 3);
            prop_assert_eq!(Price::new(d), Err(MoneyError::TooManyDecimalPlaces));
        }
    }
}
