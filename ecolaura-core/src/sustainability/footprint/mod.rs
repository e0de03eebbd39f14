//! A product's carbon footprint record, as ISO 14067 and the PACT Technical
//! Specification describe one: kg CO2e per declared unit, the system
//! boundary, the reference period, the geography, how much of the data is
//! primary, the standards followed and whether a third party verified it.
//!
//! A [`FootprintDraft`] is what staff send; [`FootprintDraft::validate`]
//! (pure, given today's date) applies the rules and gives the
//! [`FootprintRecord`] or every broken rule by field. The record's
//! [`per_item_kg`](FootprintRecord::per_item_kg) is what one sold item
//! emits; while a record exists it *is* the product's `carbon_footprint_kg`.

mod rules;
mod units;

pub use rules::{
    FieldError, FootprintDraft, MAX_STANDARDS, MAX_TEXT_CHARS, metrics_change_conflict,
};
pub use units::{DeclaredUnit, Geography, GeographyError, SystemBoundary, UnknownTerm};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::domain::{CarbonKg, Timestamp};
use crate::sustainability::vocabulary::vocabulary;

/// Fraction digits of footprint figures (kg CO2e: grams).
pub const FOOTPRINT_SCALE: u32 = 3;

/// A third party's verification of a footprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Whether it was verified.
    pub verified: bool,
    /// Who verified it.
    pub provider: Option<String>,
    /// When it was verified (not in the future).
    pub date: Option<NaiveDate>,
}

/// A product's footprint record, its rules already checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FootprintRecord {
    /// What the footprint is declared per.
    pub declared_unit: DeclaredUnit,
    /// How many declared units one sold item holds (> 0).
    pub unitary_product_amount: Decimal,
    /// kg CO2e per declared unit, biogenic emissions and removals left out (>= 0).
    pub pcf_excluding_biogenic_kg: Decimal,
    /// kg CO2e per declared unit with biogenic ones (may be negative).
    pub pcf_including_biogenic_kg: Decimal,
    /// The life-cycle stages covered.
    pub boundary: SystemBoundary,
    /// First day of the period the data describes.
    pub reference_period_start: NaiveDate,
    /// Last day of that period (after the first).
    pub reference_period_end: NaiveDate,
    /// Last day the record may be relied on (at most 3 years after the
    /// reference period ends, PACT's validity rule; that is its default).
    pub valid_until: NaiveDate,
    /// Where the data holds.
    pub geography: Geography,
    /// Share of primary data, percent (0..=100), if stated.
    pub primary_data_share: Option<Decimal>,
    /// Standards followed ("ISO 14067:2018", "PACT 3.0").
    pub standards: Vec<String>,
    /// Third-party verification, if any was stated.
    pub verification: Option<Verification>,
    /// When it was set.
    pub updated_at: Timestamp,
}

impl FootprintRecord {
    /// kg CO2e of one sold item: `pcf_excluding_biogenic_kg` ×
    /// `unitary_product_amount`, rounded half away from zero to grams.
    /// Validation keeps it within [`CarbonKg::MAX`].
    pub fn per_item_kg(&self) -> Decimal {
        per_item(self.pcf_excluding_biogenic_kg, self.unitary_product_amount)
            .unwrap_or(CarbonKg::MAX)
    }

    /// [`Self::per_item_kg`] as the product's footprint.
    pub fn per_item_carbon(&self) -> CarbonKg {
        CarbonKg::new(self.per_item_kg()).unwrap_or(CarbonKg::ZERO)
    }

    /// Whether `today` is past its last valid day.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        today > self.valid_until
    }
}

/// `pcf × amount` rounded to grams; `None` when it overflows.
fn per_item(pcf: Decimal, amount: Decimal) -> Option<Decimal> {
    pcf.checked_mul(amount).map(|kg| {
        kg.round_dp_with_strategy(FOOTPRINT_SCALE, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// A footprint figure as the wire shows it: exactly three fraction digits.
pub fn footprint_text(kg: Decimal) -> String {
    let mut kg = kg.round_dp_with_strategy(FOOTPRINT_SCALE, RoundingStrategy::MidpointAwayFromZero);
    kg.rescale(FOOTPRINT_SCALE);
    kg.to_string()
}

vocabulary!(
    /// How a product's `carbon_footprint_kg` came about.
    FootprintSource {
        /// Staff gave the figure.
        Declared = "declared",
        /// It is the per-item figure of the product's footprint record.
        Record = "record",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footprint_text_has_three_fraction_digits() {
        assert_eq!(footprint_text(Decimal::new(41, 1)), "4.100");
        assert_eq!(footprint_text(Decimal::new(14350, 4)), "1.435");
        assert_eq!(footprint_text(Decimal::new(-39, 1)), "-3.900");
        assert_eq!(footprint_text(Decimal::ZERO), "0.000");
    }

    #[test]
    fn per_item_rounds_half_away_from_zero_to_grams() {
        assert_eq!(
            per_item(Decimal::new(41, 1), Decimal::new(35, 2)),
            Some(Decimal::new(1435, 3))
        );
        assert_eq!(
            per_item(Decimal::new(1, 3), Decimal::new(5, 1)),
            Some(Decimal::new(1, 3))
        );
        assert_eq!(per_item(Decimal::MAX, Decimal::TWO), None);
    }
}
