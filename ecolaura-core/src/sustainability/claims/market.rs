//! Markets a claim is made in: the EU as a whole, or one EU member state.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The ISO 3166-1 alpha-2 codes of the 27 EU member states (Greece is `GR`
/// in ISO 3166-1, `EL` only in EU documents).
pub const EU_STATES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Where a claim is made, or a read is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Market {
    /// The EU as a whole: its rules, no state's own.
    Eu,
    /// One EU member state: the EU rules and the state's own.
    State(&'static str),
}

/// Why a text is not a market.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be \"EU\" or the ISO 3166-1 alpha-2 code of an EU member state (such as \"FR\")")]
pub struct MarketError;

impl Market {
    /// `EU` or an EU member state's code, in capitals.
    ///
    /// # Errors
    /// [`MarketError`] for anything else (a country outside the EU included).
    ///
    /// ```
    /// use ecolaura_core::sustainability::Market;
    /// assert_eq!(Market::parse("FR").unwrap().as_str(), "FR");
    /// assert!(Market::parse("EU").is_ok());
    /// assert!(Market::parse("CH").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, MarketError> {
        if text == "EU" {
            return Ok(Market::Eu);
        }
        EU_STATES
            .iter()
            .find(|s| **s == text)
            .map(|s| Market::State(s))
            .ok_or(MarketError)
    }

    /// Every market: the EU, then each state.
    pub fn all() -> impl Iterator<Item = Market> {
        std::iter::once(Market::Eu).chain(EU_STATES.iter().map(|s| Market::State(s)))
    }

    /// The wire and storage text.
    pub fn as_str(self) -> &'static str {
        match self {
            Market::Eu => "EU",
            Market::State(code) => code,
        }
    }

    /// Whether a claim made for `self` shows to a reader in `reader`: a
    /// claim for the EU shows in the EU and in every state; a claim for a
    /// state only in that state.
    pub fn shows_in(self, reader: Market) -> bool {
        self == Market::Eu || self == reader
    }
}

impl Serialize for Market {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Market {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Market::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_an_assigned_iso_code_and_round_trips() {
        for code in EU_STATES {
            assert!(isocountry::CountryCode::for_alpha2(code).is_ok(), "{code}");
            assert_eq!(Market::parse(code).unwrap().as_str(), code);
        }
        assert_eq!(Market::all().count(), 28);
        for bad in ["", "eu", "fr", "EL", "CH", "GB", "NO", "US", "FRA"] {
            assert!(Market::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_eu_claim_shows_everywhere_and_a_state_claim_only_at_home() {
        let fr = Market::parse("FR").unwrap();
        let de = Market::parse("DE").unwrap();
        assert!(Market::Eu.shows_in(Market::Eu) && Market::Eu.shows_in(fr));
        assert!(fr.shows_in(fr));
        assert!(!fr.shows_in(de) && !fr.shows_in(Market::Eu));
    }
}
