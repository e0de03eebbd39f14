//! A product's carbon footprint record (API-SUSTAINABILITY.md, section 1).

use chrono::NaiveDate;
use ecolaura_core::sustainability::footprint::footprint_text;
use ecolaura_core::sustainability::{
    DeclaredUnit, FootprintDraft, FootprintRecord, Geography, SystemBoundary, Verification,
};
use poem_openapi::{Enum, Object};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::Fields;
use super::date::Date;
use super::text::{
    DecimalRule, FootprintAmountRule, FootprintKgRule, GeographyRule, LabelRule,
    SignedFootprintKgRule, Text,
};

/// What a footprint is declared per (PACT `declaredUnitOfMeasurement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "DeclaredUnit", rename_all = "snake_case")]
pub(crate) enum DeclaredUnitDto {
    /// One piece.
    Piece,
    /// One kilogram.
    Kilogram,
    /// One litre.
    Liter,
    /// One cubic metre.
    CubicMeter,
    /// One square metre.
    SquareMeter,
    /// One kilowatt hour.
    KilowattHour,
    /// One megajoule.
    Megajoule,
    /// One tonne carried one kilometre.
    TonKilometer,
}

same_terms!(
    DeclaredUnitDto,
    DeclaredUnit {
        Piece,
        Kilogram,
        Liter,
        CubicMeter,
        SquareMeter,
        KilowattHour,
        Megajoule,
        TonKilometer,
    }
);

/// The life-cycle stages a footprint covers (ISO 14067 system boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "SystemBoundary")]
pub(crate) enum SystemBoundaryDto {
    /// Raw materials to the factory gate (PACT's scope).
    #[oai(rename = "cradle-to-gate")]
    CradleToGate,
    /// Raw materials to end of life.
    #[oai(rename = "cradle-to-grave")]
    CradleToGrave,
    /// One stage of production only.
    #[oai(rename = "gate-to-gate")]
    GateToGate,
}

same_terms!(
    SystemBoundaryDto,
    SystemBoundary {
        CradleToGate,
        CradleToGrave,
        GateToGate,
    }
);

/// A third party's verification of a footprint.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "FootprintVerification")]
pub(crate) struct VerificationDto {
    /// Whether a third party verified the footprint.
    pub verified: bool,
    /// Who verified it (required when `verified`), 1..200 characters.
    #[oai(nullable)]
    pub provider: Option<Text<LabelRule>>,
    /// When it was verified; not in the future.
    #[oai(nullable)]
    pub date: Option<Date>,
}

/// A product's carbon footprint record, as staff set it. Footprints are kg
/// CO₂e per declared unit, decimal strings with up to 3 fraction digits.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "FootprintInput", example)]
pub(crate) struct FootprintInput {
    #[allow(missing_docs)]
    pub declared_unit: DeclaredUnitDto,
    /// How many declared units one sold item holds: > 0, at most 1000000,
    /// up to 6 fraction digits.
    pub unitary_product_amount: Text<FootprintAmountRule>,
    /// kg CO₂e per declared unit, biogenic emissions and removals left out:
    /// 0..1000000000.
    pub pcf_excluding_biogenic_kg: Text<FootprintKgRule>,
    /// kg CO₂e per declared unit with biogenic ones; negative for net
    /// biogenic removals.
    pub pcf_including_biogenic_kg: Text<SignedFootprintKgRule>,
    #[allow(missing_docs)]
    pub boundary: SystemBoundaryDto,
    /// First day of the period the data describes.
    pub reference_period_start: Date,
    /// Last day of that period: after its first day.
    pub reference_period_end: Date,
    /// Last day the record may be relied on: from `reference_period_end`
    /// to 3 years after it (the default).
    #[oai(nullable)]
    pub valid_until: Option<Date>,
    /// Where the data holds: an ISO 3166-1 alpha-2 code or `GLOBAL`.
    pub geography: Text<GeographyRule>,
    /// Share of primary data, percent, up to 2 fraction digits.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "100")))]
    pub primary_data_share: Option<f64>,
    /// Standards followed, at most 10 (default none).
    #[oai(nullable, validator(max_items = 10))]
    pub standards: Option<Vec<Text<LabelRule>>>,
    /// Third-party verification, if any.
    #[oai(nullable)]
    pub verification: Option<VerificationDto>,
}

impl FootprintInput {
    pub(crate) fn sample() -> Self {
        let date = |y, m, d| Date(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        Self {
            declared_unit: DeclaredUnitDto::Kilogram,
            unitary_product_amount: "0.350".into(),
            pcf_excluding_biogenic_kg: "4.100".into(),
            pcf_including_biogenic_kg: "3.900".into(),
            boundary: SystemBoundaryDto::CradleToGate,
            reference_period_start: date(2025, 1, 1),
            reference_period_end: date(2025, 12, 31),
            valid_until: None,
            geography: "FR".into(),
            primary_data_share: Some(62.5),
            standards: Some(vec!["ISO 14067:2018".into(), "PACT 3.0".into()]),
            verification: Some(VerificationDto {
                verified: true,
                provider: Some("Bureau Veritas".into()),
                date: Some(date(2026, 3, 1)),
            }),
        }
    }
}

/// A decimal written as its rule's pattern allows, or that rule as an error.
pub(super) fn decimal<R: DecimalRule>(text: &str) -> Result<Decimal, String> {
    let refused = || format!("must be a decimal string matching {}", R::PATTERN);
    let unsigned = match text.strip_prefix('-') {
        Some(rest) if R::SIGNED => rest,
        _ => text,
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits =
        |t: &str, max: usize| (1..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole, R::WHOLE_DIGITS) && fraction.is_none_or(|f| digits(f, R::FRACTION_DIGITS))) {
        return Err(refused());
    }
    text.parse().map_err(|_| refused())
}

/// A draft for the core's rules; field errors of form are collected.
impl TryFrom<&FootprintInput> for FootprintDraft {
    type Error = crate::problem::Problem;

    fn try_from(input: &FootprintInput) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let amount = fields.check(
            "unitary_product_amount",
            decimal::<FootprintAmountRule>(&input.unitary_product_amount),
        );
        let excluding = fields.check(
            "pcf_excluding_biogenic_kg",
            decimal::<FootprintKgRule>(&input.pcf_excluding_biogenic_kg),
        );
        let including = fields.check(
            "pcf_including_biogenic_kg",
            decimal::<SignedFootprintKgRule>(&input.pcf_including_biogenic_kg),
        );
        let share = input
            .primary_data_share
            .map(|s| {
                fields.check(
                    "primary_data_share",
                    Decimal::from_f64(s).ok_or("must be a number between 0 and 100"),
                )
            })
            .map(|s| s.unwrap_or_default());
        let (Some(amount), Some(excluding), Some(including)) = (amount, excluding, including)
        else {
            return Err(fields.into_problem());
        };
        fields.finish()?;
        Ok(FootprintDraft {
            declared_unit: input.declared_unit.into(),
            unitary_product_amount: amount,
            pcf_excluding_biogenic_kg: excluding,
            pcf_including_biogenic_kg: including,
            boundary: input.boundary.into(),
            reference_period_start: input.reference_period_start.0,
            reference_period_end: input.reference_period_end.0,
            valid_until: input.valid_until.map(|d| d.0),
            geography: input.geography.to_string(),
            primary_data_share: share,
            standards: input
                .standards
                .iter()
                .flatten()
                .map(|s| s.to_string())
                .collect(),
            verification: input.verification.as_ref().map(|v| Verification {
                verified: v.verified,
                provider: v.provider.as_ref().map(|p| p.to_string()),
                date: v.date.map(|d| d.0),
            }),
        })
    }
}

/// A product's carbon footprint record.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "Footprint", example)]
pub(crate) struct FootprintDto {
    #[allow(missing_docs)]
    pub declared_unit: DeclaredUnitDto,
    /// How many declared units one sold item holds.
    pub unitary_product_amount: String,
    /// kg CO₂e per declared unit, biogenic left out (3 fraction digits).
    pub pcf_excluding_biogenic_kg: String,
    /// kg CO₂e per declared unit with biogenic (3 fraction digits).
    pub pcf_including_biogenic_kg: String,
    #[allow(missing_docs)]
    pub boundary: SystemBoundaryDto,
    /// First day of the reference period.
    pub reference_period_start: Date,
    /// Last day of the reference period.
    pub reference_period_end: Date,
    /// Last day the record may be relied on.
    pub valid_until: Date,
    /// Whether today is past `valid_until`.
    pub expired: bool,
    /// An ISO 3166-1 alpha-2 code or `GLOBAL`.
    pub geography: String,
    /// Share of primary data, percent; null when not stated.
    #[oai(nullable)]
    pub primary_data_share: Option<f64>,
    /// Standards followed.
    pub standards: Vec<String>,
    /// Third-party verification; null when none was stated.
    #[oai(nullable)]
    pub verification: Option<VerificationOut>,
    /// kg CO₂e of one sold item: `pcf_excluding_biogenic_kg` ×
    /// `unitary_product_amount`, to the gram. It is the product's
    /// `carbon_footprint_kg` while the record exists.
    pub per_item_kg: String,
    /// When the record was set.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A third party's verification of a footprint, as stored.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "FootprintVerificationOut")]
pub(crate) struct VerificationOut {
    /// Whether a third party verified the footprint.
    pub verified: bool,
    /// Who verified it.
    #[oai(nullable)]
    pub provider: Option<String>,
    /// When it was verified.
    #[oai(nullable)]
    pub date: Option<Date>,
}

/// At least three fraction digits ("0.350"), more where the amount has them.
fn amount_text(amount: Decimal) -> String {
    let mut a = amount.normalize();
    if a.scale() < 3 {
        a.rescale(3);
    }
    a.to_string()
}

impl FootprintDto {
    /// The record as read on `today`.
    pub(crate) fn of(record: FootprintRecord, today: NaiveDate) -> Self {
        Self {
            declared_unit: record.declared_unit.into(),
            unitary_product_amount: amount_text(record.unitary_product_amount),
            pcf_excluding_biogenic_kg: footprint_text(record.pcf_excluding_biogenic_kg),
            pcf_including_biogenic_kg: footprint_text(record.pcf_including_biogenic_kg),
            boundary: record.boundary.into(),
            reference_period_start: record.reference_period_start.into(),
            reference_period_end: record.reference_period_end.into(),
            valid_until: record.valid_until.into(),
            expired: record.is_expired(today),
            geography: record.geography.as_str().to_owned(),
            primary_data_share: record.primary_data_share.and_then(|s| s.to_f64()),
            per_item_kg: footprint_text(record.per_item_kg()),
            standards: record.standards,
            verification: record.verification.map(|v| VerificationOut {
                verified: v.verified,
                provider: v.provider,
                date: v.date.map(Date),
            }),
            updated_at: record.updated_at,
        }
    }

    pub(crate) fn sample() -> Self {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let record = FootprintRecord {
            declared_unit: DeclaredUnit::Kilogram,
            unitary_product_amount: Decimal::new(350, 3),
            pcf_excluding_biogenic_kg: Decimal::new(4_100, 3),
            pcf_including_biogenic_kg: Decimal::new(3_900, 3),
            boundary: SystemBoundary::CradleToGate,
            reference_period_start: date(2025, 1, 1),
            reference_period_end: date(2025, 12, 31),
            valid_until: date(2028, 12, 31),
            geography: Geography::parse("FR").unwrap_or(Geography::Global),
            primary_data_share: Some(Decimal::new(625, 1)),
            standards: vec!["ISO 14067:2018".into(), "PACT 3.0".into()],
            verification: Some(Verification {
                verified: true,
                provider: Some("Bureau Veritas".into()),
                date: Some(date(2026, 3, 1)),
            }),
            updated_at: "2026-11-24T09:30:00Z".parse().unwrap_or_default(),
        };
        Self::of(record, date(2026, 11, 24))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    #[test]
    fn the_samples_are_the_contract_example() {
        let dto = FootprintDto::sample();
        let input = FootprintInput::sample();
        let at = "2026-11-24T09:30:00Z".parse().unwrap();
        let record = FootprintDraft::try_from(&input)
            .unwrap()
            .validate(at)
            .unwrap();
        assert_eq!(FootprintDto::of(record, at.date_naive()), dto);
        assert_eq!(dto.per_item_kg, "1.435");
        assert_eq!(dto.unitary_product_amount, "0.350");
        assert_eq!(dto.pcf_excluding_biogenic_kg, "4.100");
        assert_eq!(
            dto.valid_until,
            Date(NaiveDate::from_ymd_opt(2028, 12, 31).unwrap())
        );
    }

    fn agrees<R: DecimalRule>(text: &str) -> Result<(), TestCaseError> {
        let pattern = Regex::new(R::PATTERN).unwrap();
        prop_assert_eq!(
            decimal::<R>(text).is_ok(),
            pattern.is_match(text),
            "{} for {:?}",
            R::NAME,
            text
        );
        Ok(())
    }

    proptest! {
        /// Any value the document's pattern allows parses, and no other.
        #[test]
        fn decimal_inputs_follow_their_documented_pattern(
            text in r"-?[0-9]{0,12}(\.[0-9]{0,8})?|[0-9.eE+ -]{0,6}"
        ) {
            agrees::<FootprintKgRule>(&text)?;
            agrees::<SignedFootprintKgRule>(&text)?;
            agrees::<FootprintAmountRule>(&text)?;
        }
    }
}
