//! Currency codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not a currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an ISO 4217 code of three capital letters such as EUR")]
pub struct CurrencyError;

/// An ISO 4217 currency code: three capital ASCII letters, such as `EUR`.
///
/// Only the form is checked, not that the code is assigned: a shop in a
/// currency newer than this library still works.
///
/// ```
/// use ecolaura_core::domain::Currency;
/// assert_eq!("USD".parse::<Currency>().unwrap().as_str(), "USD");
/// assert!(Currency::parse("usd").is_err());
/// assert!(Currency::parse("EURO").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// The euro, the default shop currency.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parse a code.
    pub fn parse(raw: &str) -> Result<Self, CurrencyError> {
        match raw.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(CurrencyError),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        // Three ASCII letters, checked by `parse`: always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, CurrencyError> {
        Currency::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(s: String) -> Result<Self, CurrencyError> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn accepts_exactly_three_capital_letters(s in "\\PC{0,5}") {
            let expected = s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase());
            let parsed = Currency::parse(&s);
            prop_assert_eq!(parsed.is_ok(), expected);
            if let Ok(c) = parsed {
                prop_assert_eq!(c.as_str(), s.as_str());
            }
        }
    }

    #[test]
    fn it_travels_as_its_code() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(serde_json::to_string(&usd).unwrap(), "\"USD\"");
        assert_eq!(serde_json::from_str::<Currency>("\"USD\"").unwrap(), usd);
        assert!(serde_json::from_str::<Currency>("\"usd\"").is_err());
    }
}
