//! The closed vocabularies of a footprint record: declared units, system
//! boundaries and geographies.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::sustainability::vocabulary::UnknownTerm;
use crate::sustainability::vocabulary::vocabulary;

vocabulary!(
    /// What a footprint is declared per (PACT `declaredUnitOfMeasurement`).
    DeclaredUnit {
        /// One piece.
        Piece = "piece",
        /// One kilogram.
        Kilogram = "kilogram",
        /// One litre.
        Liter = "liter",
        /// One cubic metre.
        CubicMeter = "cubic_meter",
        /// One square metre.
        SquareMeter = "square_meter",
        /// One kilowatt hour.
        KilowattHour = "kilowatt_hour",
        /// One megajoule.
        Megajoule = "megajoule",
        /// One tonne carried one kilometre.
        TonKilometer = "ton_kilometer",
    }
);

vocabulary!(
    /// The life-cycle stages a footprint covers (ISO 14067 system boundary).
    SystemBoundary {
        /// Raw materials to the factory gate (PACT's scope).
        CradleToGate = "cradle-to-gate",
        /// Raw materials to end of life.
        CradleToGrave = "cradle-to-grave",
        /// One stage of production only.
        GateToGate = "gate-to-gate",
    }
);

/// Where a footprint's data holds: one country (ISO 3166-1 alpha-2) or the
/// whole world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Geography {
    /// No one country: `GLOBAL`.
    Global,
    /// An ISO 3166-1 alpha-2 country.
    Country(isocountry::CountryCode),
}

/// Why a text is not a geography.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an ISO 3166-1 alpha-2 country code (such as \"FR\") or \"GLOBAL\"")]
pub struct GeographyError;

impl Geography {
    /// `GLOBAL` or an assigned ISO 3166-1 alpha-2 code, in capitals.
    ///
    /// # Errors
    /// [`GeographyError`] for anything else.
    ///
    /// ```
    /// use ecolaura_core::sustainability::Geography;
    /// assert_eq!(Geography::parse("FR").unwrap().as_str(), "FR");
    /// assert!(Geography::parse("GLOBAL").is_ok());
    /// assert!(Geography::parse("fr").is_err());
    /// assert!(Geography::parse("XX").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, GeographyError> {
        if text == "GLOBAL" {
            return Ok(Geography::Global);
        }
        if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(GeographyError);
        }
        isocountry::CountryCode::for_alpha2(text)
            .map(Geography::Country)
            .map_err(|_| GeographyError)
    }

    /// The wire and storage text.
    pub fn as_str(self) -> &'static str {
        match self {
            Geography::Global => "GLOBAL",
            Geography::Country(c) => c.alpha2(),
        }
    }
}

impl TryFrom<String> for Geography {
    type Error = GeographyError;
    fn try_from(text: String) -> Result<Self, GeographyError> {
        Geography::parse(&text)
    }
}

impl From<Geography> for String {
    fn from(g: Geography) -> String {
        g.as_str().to_owned()
    }
}

impl fmt::Display for Geography {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_parses_back_from_its_word() {
        for u in DeclaredUnit::ALL {
            assert_eq!(DeclaredUnit::parse(u.as_str()), Ok(*u));
        }
        for b in SystemBoundary::ALL {
            assert_eq!(SystemBoundary::parse(b.as_str()), Ok(*b));
        }
        assert!(DeclaredUnit::parse("gram").is_err());
        assert_eq!(
            serde_json::to_string(&SystemBoundary::CradleToGate).unwrap(),
            "\"cradle-to-gate\""
        );
    }

    #[test]
    fn geographies_are_assigned_codes_in_capitals_or_global() {
        for ok in ["FR", "DE", "PT", "US", "GLOBAL"] {
            assert_eq!(Geography::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "F", "fr", "Fr", "FRA", "ZZ", "global", "EU"] {
            assert!(Geography::parse(bad).is_err(), "{bad}");
        }
    }
}
