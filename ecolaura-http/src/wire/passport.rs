//! A product's composition and its Digital Product Passport
//! (API-SUSTAINABILITY.md, section 4).

use ecolaura_core::sustainability::passport::{
    Composition, CompositionDraft, Manufacturer, Material,
};
use poem_openapi::{Enum, Object};
use rust_decimal::Decimal;

use super::Fields;
use super::text::{PercentRule, Text};

/// One material.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Material", example)]
pub(crate) struct MaterialDto {
    /// Its name, 1..=200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Its share of the product's mass, percent (> 0, at most 100, two
    /// fraction digits at most): a decimal string.
    pub share_percent: Text<PercentRule>,
    /// The recycled share of it, percent (0..=100): a decimal string.
    pub recycled_percent: Text<PercentRule>,
}

impl MaterialDto {
    pub(crate) fn sample() -> Self {
        Self {
            name: "PET".into(),
            share_percent: "80.0".into(),
            recycled_percent: "100.0".into(),
        }
    }
}

/// Who made the product.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Manufacturer", example)]
pub(crate) struct ManufacturerDto {
    /// Name, 1..=200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Postal address, 1..=500 characters (line breaks allowed).
    #[oai(validator(min_length = 1, max_length = 500))]
    pub address: String,
}

impl ManufacturerDto {
    pub(crate) fn sample() -> Self {
        Self {
            name: "Fábrica Verde, Lda".into(),
            address: "Rua do Sol 1\n4000-001 Porto\nPortugal".into(),
        }
    }
}

/// A product's composition. Shares sum to 100 (± 0.5), else 422.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Composition", example)]
pub(crate) struct CompositionDto {
    /// The materials, 1..=50.
    #[oai(validator(min_items = 1, max_items = 50))]
    pub materials: Vec<MaterialDto>,
    /// Where it was made: an ISO 3166-1 alpha-2 country code.
    #[oai(validator(pattern = "^[A-Z]{2}$"))]
    pub origin_country: String,
    #[allow(missing_docs)]
    pub manufacturer: ManufacturerDto,
    /// How to care for it and dispose of it, up to 5000 characters.
    #[oai(default, validator(max_length = 5000))]
    pub care_and_disposal: String,
}

impl CompositionDto {
    pub(crate) fn sample() -> Self {
        Self {
            materials: vec![
                MaterialDto::sample(),
                MaterialDto {
                    name: "Stainless steel".into(),
                    share_percent: "20.0".into(),
                    recycled_percent: "60.0".into(),
                },
            ],
            origin_country: "PT".into(),
            manufacturer: ManufacturerDto::sample(),
            care_and_disposal: "Hand wash. Recycle the body with plastics, the cap with metals."
                .into(),
        }
    }

    /// The stored composition on the wire.
    pub(crate) fn of(c: Composition) -> Self {
        Self {
            materials: c
                .materials
                .into_iter()
                .map(|m| MaterialDto {
                    name: m.name,
                    share_percent: m.share_percent.to_string().as_str().into(),
                    recycled_percent: m.recycled_percent.to_string().as_str().into(),
                })
                .collect(),
            origin_country: c.origin_country,
            manufacturer: ManufacturerDto {
                name: c.manufacturer.name,
                address: c.manufacturer.address,
            },
            care_and_disposal: c.care_and_disposal,
        }
    }
}

impl TryFrom<&CompositionDto> for CompositionDraft {
    type Error = crate::problem::Problem;

    /// The decimals parsed (a field that is not one is 422 naming it); the
    /// rules across fields are core's.
    fn try_from(input: &CompositionDto) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let mut materials = Vec::with_capacity(input.materials.len());
        for (i, m) in input.materials.iter().enumerate() {
            let share = fields.check(
                &format!("materials[{i}].share_percent"),
                m.share_percent.parse::<Decimal>(),
            );
            let recycled = fields.check(
                &format!("materials[{i}].recycled_percent"),
                m.recycled_percent.parse::<Decimal>(),
            );
            if let (Some(share_percent), Some(recycled_percent)) = (share, recycled) {
                materials.push(Material {
                    name: m.name.clone(),
                    share_percent,
                    recycled_percent,
                });
            }
        }
        fields.finish()?;
        Ok(CompositionDraft {
            materials,
            origin_country: input.origin_country.clone(),
            manufacturer: Manufacturer {
                name: input.manufacturer.name.clone(),
                address: input.manufacturer.address.clone(),
            },
            care_and_disposal: input.care_and_disposal.clone(),
        })
    }
}

/// Which passport view to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "PassportView", rename_all = "snake_case")]
pub(crate) enum PassportViewDto {
    /// Anyone's: no certificate numbers, verifier or ledger.
    Public,
    /// An authority's (staff sign in for them): everything, with the
    /// discard ledger.
    Authority,
}
