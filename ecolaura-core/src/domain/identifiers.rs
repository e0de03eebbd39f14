//! A product's trade identifiers: the shop's SKU and the GS1 GTIN.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")]
pub struct SkuError;

/// A shop's stock-keeping unit: `[A-Za-z0-9._-]{1,64}`, unique among live
/// products.
///
/// ```
/// use ecolaura_core::domain::Sku;
/// assert!("BTL-500.blue_2".parse::<Sku>().is_ok());
/// assert!("BTL 500".parse::<Sku>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// The most characters of a SKU.
    pub const MAX_CHARS: usize = 64;

    /// Parse a SKU.
    ///
    /// # Errors
    /// [`SkuError`] for anything but 1..=64 of `[A-Za-z0-9._-]`.
    pub fn parse(raw: &str) -> Result<Self, SkuError> {
        let ok = (1..=Self::MAX_CHARS).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(SkuError)
        }
    }

    /// The SKU text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sku {
    type Err = SkuError;
    fn from_str(s: &str) -> Result<Self, SkuError> {
        Sku::parse(s)
    }
}

impl TryFrom<String> for Sku {
    type Error = SkuError;
    fn try_from(s: String) -> Result<Self, SkuError> {
        Sku::parse(&s)
    }
}

impl From<Sku> for String {
    fn from(s: Sku) -> String {
        s.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is not a GTIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    /// Not 8, 12, 13 or 14 digits.
    #[error("must be 8, 12, 13 or 14 digits (a GTIN-8, -12, -13 or -14)")]
    Form,
    /// The last digit is not the GS1 check digit of the others.
    #[error("its check digit is wrong")]
    CheckDigit,
}

/// A GS1 Global Trade Item Number, kept as its 14-digit form (GTIN-8, -12
/// and -13 padded with leading zeros, as GS1 compares them), with a valid
/// check digit.
///
/// ```
/// use ecolaura_core::domain::Gtin;
/// let ean13: Gtin = "4006381333931".parse().unwrap();
/// assert_eq!(ean13.as_str(), "04006381333931");
/// assert_eq!("04006381333931".parse::<Gtin>().unwrap(), ean13);
/// assert!("4006381333932".parse::<Gtin>().is_err()); // wrong check digit
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

impl Gtin {
    /// Parse a GTIN-8, -12, -13 or -14.
    ///
    /// # Errors
    /// [`GtinError::Form`] for another length or a non-digit,
    /// [`GtinError::CheckDigit`] for a wrong check digit.
    pub fn parse(raw: &str) -> Result<Self, GtinError> {
        if !matches!(raw.len(), 8 | 12 | 13 | 14) || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GtinError::Form);
        }
        let padded = format!("{raw:0>14}");
        let digits: Vec<u32> = padded.bytes().map(|b| u32::from(b - b'0')).collect();
        let (body, check) = digits.split_at(13);
        if check.first().copied() != Some(check_digit(body)) {
            return Err(GtinError::CheckDigit);
        }
        Ok(Self(padded))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The GS1 check digit of the digits before it: from the right, weights
/// 3, 1, 3, 1, …; the digit that rounds the sum up to a multiple of ten.
fn check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

impl FromStr for Gtin {
    type Err = GtinError;
    fn from_str(s: &str) -> Result<Self, GtinError> {
        Gtin::parse(s)
    }
}

impl TryFrom<String> for Gtin {
    type Error = GtinError;
    fn try_from(s: String) -> Result<Self, GtinError> {
        Gtin::parse(&s)
    }
}

impl From<Gtin> for String {
    fn from(g: Gtin) -> String {
        g.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn gs1_examples_read_as_their_fourteen_digits() {
        // GS1 General Specifications' examples and well-known codes.
        for (raw, fourteen) in [
            ("96385074", "00000096385074"),       // GTIN-8
            ("036000291452", "00036000291452"),   // GTIN-12 (UPC-A)
            ("4006381333931", "04006381333931"),  // GTIN-13
            ("10614141000415", "10614141000415"), // GTIN-14
            ("00000000000000", "00000000000000"),
        ] {
            assert_eq!(
                Gtin::parse(raw).map(|g| g.0),
                Ok(fourteen.to_owned()),
                "{raw}"
            );
        }
        for bad in [
            "",
            "1234567",
            "40063813339310",
            "4006381333932",
            "40063813339a1",
            "123456789",
        ] {
            assert!(Gtin::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// Every body has exactly one check digit that makes a GTIN, and
        /// each of its forms reads as the same GTIN.
        #[test]
        fn exactly_one_check_digit_completes_a_body(body in "[0-9]{13}") {
            let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
            let good = check_digit(&digits);
            for d in 0..10 {
                prop_assert_eq!(Gtin::parse(&format!("{body}{d}")).is_ok(), d == good);
            }
            let gtin = Gtin::parse(&format!("{body}{good}")).unwrap();
            if let Some(thirteen) = gtin.as_str().strip_prefix('0') {
                prop_assert_eq!(Gtin::parse(thirteen), Ok(gtin.clone()));
            }
        }

        /// A single wrong digit is always caught (the GS1 check digit's
        /// promise).
        #[test]
        fn one_wrong_digit_is_refused(body in "[0-9]{13}", at in 0usize..13, by in 1u8..10) {
            let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
            let good = format!("{body}{}", check_digit(&digits));
            let mut bytes = good.into_bytes();
            bytes[at] = b'0' + (bytes[at] - b'0' + by) % 10;
            prop_assert!(Gtin::parse(&String::from_utf8(bytes).unwrap()).is_err());
        }

        #[test]
        fn skus_are_exactly_their_pattern(raw in "[A-Za-z0-9._ -]{0,70}") {
            let pattern = !raw.is_empty() && raw.len() <= 64 && !raw.contains(' ');
            prop_assert_eq!(Sku::parse(&raw).is_ok(), pattern);
        }
    }
}
