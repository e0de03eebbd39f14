//! A product's weight.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why a value is not a weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeightKgError {
    /// Not a decimal number (`"0.350"`).
    #[error("must be a decimal string such as \"0.350\"")]
    Form,
    /// Zero or below.
    #[error("must be > 0")]
    NotPositive,
    /// More than three fraction digits (grams).
    #[error("must have at most 3 fraction digits")]
    TooPrecise,
    /// Above [`WeightKg::MAX`].
    #[error("must be at most 9999999.999")]
    TooLarge,
}

/// The weight of one unit of a product, in kg: `> 0`, at most three
/// fraction digits (grams), at most [`WeightKg::MAX`]. On the wire a
/// decimal string (`"0.350"`), so that no float touches it.
///
/// ```
/// use ecolaura_core::domain::WeightKg;
/// let w: WeightKg = "0.350".parse().unwrap();
/// assert_eq!(w.to_string(), "0.350");
/// assert!("0".parse::<WeightKg>().is_err());
/// assert!("0.0001".parse::<WeightKg>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct WeightKg(Decimal);

impl WeightKg {
    /// The largest weight accepted, in kg (7 digits before the point, 3 after).
    pub const MAX: Decimal = Decimal::from_parts(1_410_065_407, 2, 0, false, 3);
    /// Fraction digits kept.
    pub const SCALE: u32 = 3;

    /// A weight from a decimal.
    ///
    /// # Errors
    /// [`WeightKgError`] naming the broken rule.
    pub fn new(kg: Decimal) -> Result<Self, WeightKgError> {
        if kg <= Decimal::ZERO {
            return Err(WeightKgError::NotPositive);
        }
        if kg.normalize().scale() > Self::SCALE {
            return Err(WeightKgError::TooPrecise);
        }
        if kg > Self::MAX {
            return Err(WeightKgError::TooLarge);
        }
        let mut kg = kg;
        kg.rescale(Self::SCALE);
        Ok(Self(kg))
    }

    /// The weight, with three fraction digits.
    pub fn kg(self) -> Decimal {
        self.0
    }
}

impl FromStr for WeightKg {
    type Err = WeightKgError;

    /// The wire form: digits, optionally a point and 1..=3 more digits;
    /// at most 7 digits before the point.
    fn from_str(s: &str) -> Result<Self, WeightKgError> {
        let (whole, fraction) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(WeightKgError::Form);
        }
        if whole.len() > 7 {
            return Err(WeightKgError::TooLarge);
        }
        if fraction.is_some_and(|f| f.len() > 3) {
            return Err(WeightKgError::TooPrecise);
        }
        Self::new(s.parse().map_err(|_| WeightKgError::Form)?)
    }
}

impl TryFrom<Decimal> for WeightKg {
    type Error = WeightKgError;
    fn try_from(kg: Decimal) -> Result<Self, WeightKgError> {
        Self::new(kg)
    }
}

impl From<WeightKg> for Decimal {
    fn from(w: WeightKg) -> Decimal {
        w.0
    }
}

impl fmt::Display for WeightKg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_keep_grams_and_refuse_the_rest() {
        assert_eq!(
            "0.35".parse::<WeightKg>().map(|w| w.to_string()),
            Ok("0.350".into())
        );
        assert_eq!(
            "12".parse::<WeightKg>().map(|w| w.to_string()),
            Ok("12.000".into())
        );
        assert_eq!(
            "9999999.999".parse::<WeightKg>().map(|w| w.kg()),
            Ok(WeightKg::MAX)
        );
        assert_eq!("10000000".parse::<WeightKg>(), Err(WeightKgError::TooLarge));
        assert_eq!("0.000".parse::<WeightKg>(), Err(WeightKgError::NotPositive));
        assert_eq!("0.0005".parse::<WeightKg>(), Err(WeightKgError::TooPrecise));
        assert_eq!("0.3500".parse::<WeightKg>(), Err(WeightKgError::TooPrecise));
        assert_eq!(
            WeightKg::new(Decimal::new(3500, 4)).map(|w| w.to_string()),
            Ok("0.350".into())
        );
        for bad in ["", "-1", "1e3", ".5", "5.", "1.2.3", " 1", "NaN"] {
            assert_eq!(bad.parse::<WeightKg>(), Err(WeightKgError::Form), "{bad}");
        }
    }
}
