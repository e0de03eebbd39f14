//! The rules of a footprint record, as pure functions: a draft becomes a
//! record or the list of broken rules by field; a change to a product's
//! metrics may not contradict its record.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use super::{DeclaredUnit, SystemBoundary};
use super::{FOOTPRINT_SCALE, FootprintRecord, FootprintSource, Geography, Verification, per_item};
use crate::catalog::{Product, ProductChanges};
use crate::domain::{CarbonKg, Timestamp};
use crate::sustainability::errors::Errors;
pub use crate::sustainability::errors::FieldError;

/// The most standards a record names.
pub const MAX_STANDARDS: usize = 10;
/// The longest standard name or verification provider, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// PACT: a footprint is valid for at most three years after its reference
/// period ends.
const VALIDITY_MONTHS: u32 = 36;
/// The largest number of declared units in one item.
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Fraction digits of the amount of declared units in one item.
const AMOUNT_SCALE: u32 = 6;
/// Fraction digits of the primary data share.
const SHARE_SCALE: u32 = 2;

/// A footprint record as sent, before its rules are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FootprintDraft {
    /// What the footprint is declared per.
    pub declared_unit: DeclaredUnit,
    /// Declared units in one item: > 0, at most 1,000,000, 6 fraction digits.
    pub unitary_product_amount: Decimal,
    /// kg CO2e per declared unit without biogenic: 0..=1e9, 3 fraction digits.
    pub pcf_excluding_biogenic_kg: Decimal,
    /// kg CO2e per declared unit with biogenic: -1e9..=1e9, 3 fraction digits.
    pub pcf_including_biogenic_kg: Decimal,
    /// The life-cycle stages covered.
    pub boundary: SystemBoundary,
    /// First day of the reference period.
    pub reference_period_start: NaiveDate,
    /// Last day of the reference period: after the first.
    pub reference_period_end: NaiveDate,
    /// Last valid day: on or after the period's end, at most 3 years after
    /// it (the default).
    pub valid_until: Option<NaiveDate>,
    /// `GLOBAL` or an ISO 3166-1 alpha-2 code.
    pub geography: String,
    /// Percent of primary data: 0..=100, 2 fraction digits.
    pub primary_data_share: Option<Decimal>,
    /// Standards followed: at most 10, each 1..=200 characters, one line,
    /// not blank.
    pub standards: Vec<String>,
    /// Verification: a verified record names its provider; the date is not
    /// in the future.
    pub verification: Option<Verification>,
}

impl FootprintDraft {
    /// The record, or every rule the draft breaks (each naming its field).
    /// `today` is the date of `now`, for the verification date.
    ///
    /// # Errors
    /// The broken rules, in field order.
    pub fn validate(self, now: Timestamp) -> Result<FootprintRecord, Vec<FieldError>> {
        let today = now.date_naive();
        let mut errors = Errors::default();
        let max_kg = CarbonKg::MAX;

        let amount = self.unitary_product_amount;
        if amount <= Decimal::ZERO || amount > MAX_AMOUNT {
            errors.add(
                "unitary_product_amount",
                format!("must be > 0 and at most {MAX_AMOUNT}"),
            );
        }
        errors.fraction_digits("unitary_product_amount", amount, AMOUNT_SCALE);

        let excluding = self.pcf_excluding_biogenic_kg;
        if excluding.is_sign_negative() && !excluding.is_zero() || excluding > max_kg {
            errors.add(
                "pcf_excluding_biogenic_kg",
                format!("must be >= 0 and at most {max_kg}"),
            );
        }
        errors.fraction_digits("pcf_excluding_biogenic_kg", excluding, FOOTPRINT_SCALE);

        let including = self.pcf_including_biogenic_kg;
        if including.abs() > max_kg {
            errors.add(
                "pcf_including_biogenic_kg",
                format!("must be between -{max_kg} and {max_kg}"),
            );
        }
        errors.fraction_digits("pcf_including_biogenic_kg", including, FOOTPRINT_SCALE);

        if per_item(excluding, amount).is_none_or(|kg| kg > max_kg) {
            errors.add(
                "unitary_product_amount",
                format!(
                    "makes one item's footprint (pcf_excluding_biogenic_kg × unitary_product_amount) over {max_kg} kg"
                ),
            );
        }

        let (start, end) = (self.reference_period_start, self.reference_period_end);
        if end <= start {
            errors.add(
                "reference_period_end",
                "must be after reference_period_start",
            );
        }
        let latest = end.checked_add_months(Months::new(VALIDITY_MONTHS));
        let valid_until = match (self.valid_until, latest) {
            (Some(v), Some(latest)) if v < end || v > latest => {
                errors.add(
                    "valid_until",
                    format!("must be between reference_period_end and 3 years after it ({latest})"),
                );
                v
            }
            (Some(v), _) => v,
            (None, Some(latest)) => latest,
            (None, None) => end,
        };

        let geography = Geography::parse(&self.geography);
        if let Err(e) = &geography {
            errors.add("geography", e.to_string());
        }

        if let Some(share) = self.primary_data_share {
            if share.is_sign_negative() && !share.is_zero() || share > Decimal::ONE_HUNDRED {
                errors.add("primary_data_share", "must be between 0 and 100");
            }
            errors.fraction_digits("primary_data_share", share, SHARE_SCALE);
        }

        if self.standards.len() > MAX_STANDARDS {
            errors.add(
                "standards",
                format!("must name at most {MAX_STANDARDS} standards"),
            );
        }
        for (i, standard) in self.standards.iter().enumerate() {
            errors.text(&format!("standards[{i}]"), standard, MAX_TEXT_CHARS);
        }

        if let Some(v) = &self.verification {
            match &v.provider {
                Some(p) => errors.text("verification.provider", p, MAX_TEXT_CHARS),
                None if v.verified => errors.add(
                    "verification.provider",
                    "is required when the footprint is verified",
                ),
                None => {}
            }
            if v.date.is_some_and(|d| d > today) {
                errors.add("verification.date", "must not be in the future");
            }
        }

        match geography {
            Ok(geography) if errors.is_empty() => Ok(FootprintRecord {
                declared_unit: self.declared_unit,
                unitary_product_amount: amount.normalize(),
                pcf_excluding_biogenic_kg: excluding.normalize(),
                pcf_including_biogenic_kg: including.normalize(),
                boundary: self.boundary,
                reference_period_start: start,
                reference_period_end: end,
                valid_until,
                geography,
                primary_data_share: self.primary_data_share.map(|s| s.normalize()),
                standards: self.standards,
                verification: self.verification,
                updated_at: now,
            }),
            _ => Err(errors.into_vec()),
        }
    }
}

/// Why a change to a product's metrics is refused while it has a footprint
/// record (409): the record is where its `carbon_footprint_kg` comes from.
/// `None` when the change may go ahead: it leaves the figure as it is
/// (the same figure sent back, or only `recyclable`/`biodegradable` moved).
pub fn metrics_change_conflict(
    current: &Product,
    changes: &ProductChanges,
) -> Option<&'static str> {
    if current.footprint_source != FootprintSource::Record {
        return None;
    }
    let figure = current.metrics.map(|m| m.carbon_footprint_kg);
    match changes.metrics {
        Some(None) => Some(
            "The product's metrics come with its footprint record; remove the record (DELETE …/footprint) before removing the metrics.",
        ),
        Some(Some(m)) if Some(m.carbon_footprint_kg) != figure => Some(
            "The product's carbon_footprint_kg is its footprint record's per-item figure; change the record (PUT …/footprint) or remove it first.",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn draft() -> FootprintDraft {
        FootprintDraft {
            declared_unit: DeclaredUnit::Kilogram,
            unitary_product_amount: dec("0.350"),
            pcf_excluding_biogenic_kg: dec("4.100"),
            pcf_including_biogenic_kg: dec("3.900"),
            boundary: SystemBoundary::CradleToGate,
            reference_period_start: date(2025, 1, 1),
            reference_period_end: date(2025, 12, 31),
            valid_until: None,
            geography: "FR".into(),
            primary_data_share: Some(dec("62.5")),
            standards: vec!["ISO 14067:2018".into(), "PACT 3.0".into()],
            verification: Some(Verification {
                verified: true,
                provider: Some("Bureau Veritas".into()),
                date: Some(date(2026, 3, 1)),
            }),
        }
    }

    fn fields(result: Result<FootprintRecord, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_contract_example_is_valid_and_valid_for_three_years() {
        let record = draft().validate(now()).unwrap();
        assert_eq!(record.per_item_kg(), dec("1.435"));
        assert_eq!(record.valid_until, date(2028, 12, 31));
        assert!(!record.is_expired(date(2028, 12, 31)));
        assert!(record.is_expired(date(2029, 1, 1)));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut d = draft();
        d.unitary_product_amount = Decimal::ZERO;
        d.pcf_excluding_biogenic_kg = dec("-0.001");
        d.pcf_including_biogenic_kg = dec("1.0001");
        d.reference_period_end = d.reference_period_start;
        d.geography = "EU".into();
        d.primary_data_share = Some(dec("100.5"));
        d.standards = vec![String::new()];
        d.verification = Some(Verification {
            verified: true,
            provider: None,
            date: Some(date(2026, 12, 8)),
        });
        assert_eq!(
            fields(d.validate(now())),
            [
                "unitary_product_amount",
                "pcf_excluding_biogenic_kg",
                "pcf_including_biogenic_kg",
                "reference_period_end",
                "geography",
                "primary_data_share",
                "standards[0]",
                "verification.provider",
                "verification.date",
            ]
        );
    }

    #[test]
    fn validity_is_at_most_three_years_after_the_period() {
        let mut d = draft();
        d.valid_until = Some(date(2029, 1, 1));
        assert_eq!(fields(d.clone().validate(now())), ["valid_until"]);
        d.valid_until = Some(date(2025, 12, 30));
        assert_eq!(fields(d.clone().validate(now())), ["valid_until"]);
        d.valid_until = Some(date(2026, 6, 30));
        assert_eq!(d.validate(now()).unwrap().valid_until, date(2026, 6, 30));
    }

    #[test]
    fn biogenic_removals_may_make_the_including_figure_negative() {
        let mut d = draft();
        d.pcf_including_biogenic_kg = dec("-2.500");
        assert!(d.validate(now()).is_ok());
    }

    #[test]
    fn a_verification_dated_today_is_accepted() {
        let mut d = draft();
        d.verification = Some(Verification {
            verified: false,
            provider: None,
            date: Some(now().date_naive()),
        });
        assert!(d.validate(now()).is_ok());
    }

    proptest! {
        /// Whatever the figures, an accepted record's per-item figure is a
        /// valid product footprint with grams precision.
        #[test]
        fn an_accepted_record_always_gives_a_product_footprint(
            pcf in 0i64..2_000_000_000_000,
            amount in 1i64..2_000_000_000_000,
        ) {
            let mut d = draft();
            d.pcf_excluding_biogenic_kg = Decimal::new(pcf, 3);
            d.pcf_including_biogenic_kg = Decimal::ZERO;
            d.unitary_product_amount = Decimal::new(amount, 6);
            if let Ok(record) = d.validate(now()) {
                let kg = record.per_item_kg();
                prop_assert!(CarbonKg::new(kg).is_ok());
                prop_assert!(kg.scale() <= FOOTPRINT_SCALE);
                prop_assert_eq!(record.per_item_carbon().kg(), kg.normalize());
            }
        }
    }
}
