//! A product's composition as the Digital Product Passport shows it:
//! materials with their shares and recycled content, origin, manufacturer,
//! care and disposal (ESPR art. 7(2)(b) and Annex I).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::sustainability::FieldError;
use crate::sustainability::errors::Errors;

/// The most materials a composition lists.
pub const MAX_MATERIALS: usize = 50;
/// How far the shares' sum may be from 100.
pub const SHARE_TOLERANCE: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
/// The most characters of a material's or a manufacturer's name.
pub const MAX_NAME_CHARS: usize = 200;
/// The most characters of a manufacturer's address.
pub const MAX_ADDRESS_CHARS: usize = 500;
/// The most characters of the care and disposal text.
pub const MAX_CARE_CHARS: usize = 5_000;
/// Fraction digits of a percentage.
const PERCENT_SCALE: u32 = 2;

/// One material of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Its name ("PET", "organic cotton").
    pub name: String,
    /// Its share of the product's mass, percent (> 0, at most 100).
    pub share_percent: Decimal,
    /// The share of it that is recycled, percent (0..=100).
    pub recycled_percent: Decimal,
}

/// Who made the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manufacturer {
    /// Name.
    pub name: String,
    /// Postal address (lines separated by line breaks).
    pub address: String,
}

/// A composition, its rules checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    /// The materials, shares summing to 100 (± 0.5).
    pub materials: Vec<Material>,
    /// Where it was made: an ISO 3166-1 alpha-2 country code.
    pub origin_country: String,
    /// Who made it.
    pub manufacturer: Manufacturer,
    /// How to care for it and dispose of it; may be empty.
    pub care_and_disposal: String,
    /// When it was set.
    pub updated_at: Timestamp,
}

/// A composition as staff send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositionDraft {
    /// The materials.
    pub materials: Vec<Material>,
    /// The origin country code.
    pub origin_country: String,
    /// The manufacturer.
    pub manufacturer: Manufacturer,
    /// Care and disposal.
    pub care_and_disposal: String,
}

impl CompositionDraft {
    /// The composition, when every rule holds: 1..=50 materials, each
    /// named, with a share in `(0, 100]` and recycled content in `[0, 100]`
    /// (two fraction digits at most), shares summing to 100 ± 0.5; an
    /// assigned ISO 3166-1 alpha-2 origin; a named manufacturer with an
    /// address; care and disposal up to 5000 characters.
    ///
    /// # Errors
    /// Every broken rule, by field (`materials[1].share_percent`).
    pub fn validate(self, now: Timestamp) -> Result<Composition, Vec<FieldError>> {
        let mut errors = Errors::default();
        if self.materials.is_empty() || self.materials.len() > MAX_MATERIALS {
            errors.add(
                "materials",
                format!("must list 1..={MAX_MATERIALS} materials"),
            );
        }
        let hundred = Decimal::ONE_HUNDRED;
        for (i, m) in self.materials.iter().enumerate() {
            errors.text(&format!("materials[{i}].name"), &m.name, MAX_NAME_CHARS);
            let share = format!("materials[{i}].share_percent");
            if m.share_percent <= Decimal::ZERO || m.share_percent > hundred {
                errors.add(&share, "must be > 0 and at most 100");
            }
            errors.fraction_digits(&share, m.share_percent, PERCENT_SCALE);
            let recycled = format!("materials[{i}].recycled_percent");
            if m.recycled_percent.is_sign_negative() && !m.recycled_percent.is_zero()
                || m.recycled_percent > hundred
            {
                errors.add(&recycled, "must be between 0 and 100");
            }
            errors.fraction_digits(&recycled, m.recycled_percent, PERCENT_SCALE);
        }
        if !self.materials.is_empty() && self.materials.len() <= MAX_MATERIALS {
            let sum: Decimal = self.materials.iter().map(|m| m.share_percent).sum();
            if (sum - hundred).abs() > SHARE_TOLERANCE {
                errors.add(
                    "materials",
                    format!(
                        "shares must sum to 100 (± 0.5); they sum to {}",
                        sum.normalize()
                    ),
                );
            }
        }
        if isocountry::CountryCode::for_alpha2(&self.origin_country).is_err() {
            errors.add(
                "origin_country",
                "must be an ISO 3166-1 alpha-2 country code, such as \"PT\"",
            );
        }
        errors.text("manufacturer.name", &self.manufacturer.name, MAX_NAME_CHARS);
        multiline(
            &mut errors,
            "manufacturer.address",
            &self.manufacturer.address,
            1,
            MAX_ADDRESS_CHARS,
        );
        multiline(
            &mut errors,
            "care_and_disposal",
            &self.care_and_disposal,
            0,
            MAX_CARE_CHARS,
        );
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        Ok(Composition {
            materials: self
                .materials
                .into_iter()
                .map(|m| Material {
                    name: m.name.trim().to_owned(),
                    share_percent: m.share_percent.normalize(),
                    recycled_percent: m.recycled_percent.normalize(),
                })
                .collect(),
            origin_country: self.origin_country,
            manufacturer: Manufacturer {
                name: self.manufacturer.name.trim().to_owned(),
                address: self.manufacturer.address.trim().to_owned(),
            },
            care_and_disposal: self.care_and_disposal.trim().to_owned(),
            updated_at: crate::domain::truncate_to_micros(now),
        })
    }
}

/// A text of `min..=max` characters where line breaks and tabs are allowed.
fn multiline(errors: &mut Errors, field: &str, text: &str, min: usize, max: usize) {
    let chars = text.chars().count();
    if chars > max || (min > 0 && text.trim().is_empty()) {
        let rule = if min > 0 {
            "must not be blank and"
        } else {
            "must be"
        };
        errors.add(field, format!("{rule} at most {max} characters"));
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.add(
            field,
            "must not contain control characters other than line breaks and tabs",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn material(name: &str, share: &str, recycled: &str) -> Material {
        Material {
            name: name.into(),
            share_percent: share.parse().unwrap(),
            recycled_percent: recycled.parse().unwrap(),
        }
    }

    fn draft(materials: Vec<Material>) -> CompositionDraft {
        CompositionDraft {
            materials,
            origin_country: "PT".into(),
            manufacturer: Manufacturer {
                name: "Fábrica Verde, Lda".into(),
                address: "Rua do Sol 1\n4000-001 Porto".into(),
            },
            care_and_disposal: "Wash at 30 °C. Return to the shop for recycling.".into(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn shares_within_half_a_point_of_a_hundred_are_accepted() {
        for (a, b) in [("80.0", "20.0"), ("80.25", "19.5"), ("80", "20.5")] {
            let ok = draft(vec![material("PET", a, "100"), material("Cotton", b, "0")])
                .validate(chrono::Utc::now());
            assert!(ok.is_ok(), "{a} + {b}: {ok:?}");
        }
        let c = draft(vec![material("PET", "80.0", "100.0")]).validate(chrono::Utc::now());
        let errors = c.unwrap_err();
        assert_eq!(fields(&errors), ["materials"]);
        assert!(
            errors[0].message.contains("sum to 80"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn every_broken_rule_is_named_by_its_field() {
        let mut bad = draft(vec![
            material(" ", "0", "101"),
            material("Steel", "100.001", "-1"),
        ]);
        bad.origin_country = "XX".into();
        bad.manufacturer.address = "   ".into();
        let errors = bad.validate(chrono::Utc::now()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "materials[0].name",
                "materials[0].share_percent",
                "materials[0].recycled_percent",
                "materials[1].share_percent",
                "materials[1].share_percent",
                "materials[1].recycled_percent",
                "origin_country",
                "manufacturer.address",
            ]
        );
        assert_eq!(
            fields(&draft(vec![]).validate(chrono::Utc::now()).unwrap_err()),
            ["materials"]
        );
    }

    proptest! {
        #[test]
        fn a_composition_is_accepted_exactly_when_its_shares_sum_to_a_hundred_give_or_take_half(
            cents in prop::collection::vec(1u32..=10_000, 1..6)
        ) {
            let materials: Vec<Material> = cents
                .iter()
                .enumerate()
                .map(|(i, c)| Material {
                    name: format!("M{i}"),
                    share_percent: Decimal::new(i64::from(*c), 2),
                    recycled_percent: Decimal::ZERO,
                })
                .collect();
            let sum: u32 = cents.iter().sum();
            let accepted = draft(materials).validate(chrono::Utc::now()).is_ok();
            prop_assert_eq!(accepted, (9_950..=10_050).contains(&sum));
        }
    }
}
