//! Carbon footprint in kilograms of CO2-equivalent.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a number is not a carbon footprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CarbonKgError {
    /// NaN or infinite.
    #[error("must be a finite number")]
    NotFinite,
    /// Below zero.
    #[error("must be >= 0")]
    Negative,
    /// Above [`CarbonKg::MAX`].
    #[error("must be at most 1000000000")]
    TooLarge,
    /// Text that is not a plain decimal number (`"1.25"`).
    #[error("must be a decimal number such as \"1.25\"")]
    Form,
}

/// A carbon footprint in kg CO2e: finite, `>= 0`, at most one billion.
///
/// Held as a decimal rounded to six places (milligrams), so that sums over
/// order lines are exact; on the wire it is a JSON number.
///
/// ```
/// use ecolaura_core::domain::CarbonKg;
/// let kg = CarbonKg::from_f64(1.2).unwrap();
/// assert_eq!(kg.times(2).to_string(), "2.4");
/// assert!(CarbonKg::from_f64(f64::NAN).is_err());
/// assert!(CarbonKg::from_f64(-0.5).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CarbonKg(Decimal);

impl CarbonKg {
    /// Zero.
    pub const ZERO: CarbonKg = CarbonKg(Decimal::ZERO);
    /// The largest footprint accepted, in kg.
    pub const MAX: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
    /// Fraction digits kept.
    pub const SCALE: u32 = 6;

    /// A footprint from a decimal; more than six fraction digits are rounded.
    pub fn new(kg: Decimal) -> Result<Self, CarbonKgError> {
        if kg.is_sign_negative() && !kg.is_zero() {
            return Err(CarbonKgError::Negative);
        }
        if kg > Self::MAX {
            return Err(CarbonKgError::TooLarge);
        }
        Ok(Self(kg.round_dp(Self::SCALE).normalize()))
    }

    /// A sum of footprints (over orders, say), as stored: not bounded like
    /// one product's input, since a sum of bounded values is not.
    ///
    /// # Errors
    /// [`CarbonKgError::Negative`] for a negative value.
    pub fn total(kg: Decimal) -> Result<Self, CarbonKgError> {
        if kg.is_sign_negative() && !kg.is_zero() {
            return Err(CarbonKgError::Negative);
        }
        Ok(Self(kg.round_dp(Self::SCALE).normalize()))
    }

    /// A footprint from a float, as JSON input carries it.
    pub fn from_f64(kg: f64) -> Result<Self, CarbonKgError> {
        if !kg.is_finite() {
            return Err(CarbonKgError::NotFinite);
        }
        if kg < 0.0 {
            return Err(CarbonKgError::Negative);
        }
        let d = Decimal::from_f64(kg).ok_or(CarbonKgError::TooLarge)?;
        Self::new(d)
    }

    /// The exact decimal value.
    pub fn kg(self) -> Decimal {
        self.0
    }

    /// The value as a float, for output only.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::MAX)
    }

    /// `self × quantity` (an order line's footprint). Saturates rather than fail:
    /// the bound applies to one product's input, not to sums.
    pub fn times(self, quantity: u32) -> CarbonKg {
        CarbonKg(self.0.saturating_mul(Decimal::from(quantity)).normalize())
    }

    /// `self + other`, saturating.
    pub fn plus(self, other: CarbonKg) -> CarbonKg {
        CarbonKg(self.0.saturating_add(other.0).normalize())
    }
}

impl std::str::FromStr for CarbonKg {
    type Err = CarbonKgError;

    /// The text form (a catalog file's column): digits with at most one
    /// point, read as a decimal (never through a float), then as
    /// [`CarbonKg::new`].
    fn from_str(s: &str) -> Result<Self, CarbonKgError> {
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return Err(CarbonKgError::Form);
        }
        let kg: Decimal = s.parse().map_err(|_| CarbonKgError::TooLarge)?;
        Self::new(kg)
    }
}

impl fmt::Display for CarbonKg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for CarbonKg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.to_f64())
    }
}

impl<'de> Deserialize<'de> for CarbonKg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CarbonKg::from_f64(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_text_form_is_a_plain_decimal_read_exactly() {
        assert_eq!("1.25".parse::<CarbonKg>().unwrap().to_string(), "1.25");
        assert_eq!(
            "0.1".parse::<CarbonKg>().unwrap().times(3).to_string(),
            "0.3"
        );
        assert_eq!("3".parse::<CarbonKg>().unwrap().to_string(), "3");
        assert_eq!("-1".parse::<CarbonKg>(), Err(CarbonKgError::Negative));
        assert_eq!("1e3".parse::<CarbonKg>(), Err(CarbonKgError::Form));
        assert_eq!("1.".parse::<CarbonKg>(), Err(CarbonKgError::Form));
        assert_eq!("".parse::<CarbonKg>(), Err(CarbonKgError::Form));
        assert_eq!("NaN".parse::<CarbonKg>(), Err(CarbonKgError::Form));
        assert_eq!(
            "1000000001".parse::<CarbonKg>(),
            Err(CarbonKgError::TooLarge)
        );
        assert_eq!(
            "9".repeat(40).parse::<CarbonKg>(),
            Err(CarbonKgError::TooLarge)
        );
    }

    #[test]
    fn decimal_inputs_stay_exact_through_sums() {
        let a = CarbonKg::from_f64(0.1).unwrap();
        assert_eq!(a.times(3).to_string(), "0.3");
        assert_eq!(a.plus(CarbonKg::from_f64(0.2).unwrap()).to_f64(), 0.3);
    }

    proptest! {
        #[test]
        fn accepts_exactly_finite_non_negative_bounded(v in any::<f64>()) {
            let ok = v.is_finite() && (0.0..=1e9).contains(&v);
            prop_assert_eq!(CarbonKg::from_f64(v).is_ok(), ok);
        }

        #[test]
        fn round_trips_through_json(v in 0.0f64..1e6) {
            let kg = CarbonKg::from_f64(v).unwrap();
            let json = serde_json::to_string(&kg).unwrap();
            let back: CarbonKg = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, kg);
        }
    }
}
