//! The score policy and a product's score history
//! (API-SUSTAINABILITY.md, section 3).

use chrono::{DateTime, Utc};
use ecolaura_core::scoring::{
    DefaultScoringPolicy, FootprintBand, PublishedPolicy, ScoreEntry, ScoreReason, ScoreRules,
};
use poem_openapi::{Enum, Object};

use super::Fields;
use super::footprint::decimal;
use super::text::{FootprintKgRule, Text};

/// Points for products whose per-item footprint is at most `up_to_kg`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "FootprintBand")]
pub(crate) struct FootprintBandDto {
    /// The band's inclusive upper bound, kg CO₂e per item, as a decimal
    /// string (up to 3 fraction digits), above the band before.
    pub up_to_kg: Text<FootprintKgRule>,
    /// Its points, 0..100, not above the band before.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub points: i64,
}

/// The rules of the default score policy. A score is the sum of four
/// factors, clamped to 0..100: `carbon_footprint` (the first band whose
/// bound the footprint does not exceed, else `beyond_bands`), `recyclable`,
/// `biodegradable` and `certified_claims` (`certified_claim` points per
/// active certified claim, at most `certified_claims_counted` of them).
/// A lower footprint, `recyclable`, `biodegradable` or one more certified
/// claim never lowers a score: rules that would let it are 422.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ScoreRules", example)]
pub(crate) struct ScoreRulesDto {
    /// 1..20 bands, bounds ascending, points never rising.
    #[oai(validator(min_items = 1, max_items = 20))]
    pub footprint_bands: Vec<FootprintBandDto>,
    /// Points for a footprint above the last band (not above its points).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub beyond_bands: i64,
    /// Points for a recyclable product.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub recyclable: i64,
    /// Points for a biodegradable product.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub biodegradable: i64,
    /// Points per active certified claim: a claim whose evidence has a
    /// certificate number or is an EN ISO 14024 type I ecolabel, valid
    /// today.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub certified_claim: i64,
    /// How many certified claims count at most.
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub certified_claims_counted: u32,
}

impl ScoreRulesDto {
    pub(crate) fn sample() -> Self {
        Self::from(&ScoreRules {
            certified_claim: 5,
            certified_claims_counted: 2,
            ..ScoreRules::default()
        })
    }
}

impl From<&ScoreRules> for ScoreRulesDto {
    fn from(r: &ScoreRules) -> Self {
        Self {
            footprint_bands: r
                .footprint_bands
                .iter()
                .map(|b| FootprintBandDto {
                    up_to_kg: b.up_to_kg.normalize().to_string().as_str().into(),
                    points: b.points,
                })
                .collect(),
            beyond_bands: r.beyond_bands,
            recyclable: r.recyclable,
            biodegradable: r.biodegradable,
            certified_claim: r.certified_claim,
            certified_claims_counted: r.certified_claims_counted,
        }
    }
}

impl TryFrom<&ScoreRulesDto> for ScoreRules {
    type Error = crate::problem::Problem;

    /// The rules' form; the rules between fields (ascending bounds, points
    /// that never rise) are core's ([`ScoreRules::validate`]).
    fn try_from(input: &ScoreRulesDto) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let bands: Vec<FootprintBand> = input
            .footprint_bands
            .iter()
            .enumerate()
            .map(|(i, b)| FootprintBand {
                up_to_kg: fields
                    .check(
                        &format!("rules.footprint_bands[{i}].up_to_kg"),
                        decimal::<FootprintKgRule>(&b.up_to_kg),
                    )
                    .unwrap_or_default(),
                points: b.points,
            })
            .collect();
        fields.finish()?;
        Ok(ScoreRules {
            footprint_bands: bands,
            beyond_bands: input.beyond_bands,
            recyclable: input.recyclable,
            biodegradable: input.biodegradable,
            certified_claim: input.certified_claim,
            certified_claims_counted: input.certified_claims_counted,
        })
    }
}

/// New rules for the default score policy.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ScorePolicyInput", example)]
pub(crate) struct ScorePolicyInput {
    #[allow(missing_docs)]
    pub rules: ScoreRulesDto,
}

impl ScorePolicyInput {
    pub(crate) fn sample() -> Self {
        Self {
            rules: ScoreRulesDto::sample(),
        }
    }
}

/// The score policy in force.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ScorePolicy", example)]
pub(crate) struct ScorePolicyDto {
    /// The policy's name; a score names it with its version
    /// (`ecolaura-default@3`).
    pub method: String,
    /// From 1, one more for each publication.
    pub version: u32,
    #[allow(missing_docs)]
    pub rules: ScoreRulesDto,
    /// When this version was published.
    pub published_at: DateTime<Utc>,
}

impl ScorePolicyDto {
    pub(crate) fn sample() -> Self {
        Self {
            method: DefaultScoringPolicy::NAME.into(),
            version: 3,
            rules: ScoreRulesDto::sample(),
            published_at: super::catalog::sample_time(),
        }
    }
}

impl From<PublishedPolicy> for ScorePolicyDto {
    fn from(p: PublishedPolicy) -> Self {
        Self {
            method: DefaultScoringPolicy::NAME.into(),
            version: p.version,
            rules: ScoreRulesDto::from(&p.rules),
            published_at: p.published_at,
        }
    }
}

/// Why a score was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ScoreReason", rename_all = "snake_case")]
pub(crate) enum ScoreReasonDto {
    /// The product was made, or its metrics or footprint record changed.
    MetricsChanged,
    /// A new score policy was published.
    PolicyChanged,
    /// A claim the score counts was made or removed.
    ClaimChanged,
    /// Staff set the manual score, or removed the metrics.
    Manual,
}

same_terms!(
    ScoreReasonDto,
    ScoreReason {
        MetricsChanged,
        PolicyChanged,
        ClaimChanged,
        Manual,
    }
);

/// A score a product had from `at` on.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ScoreHistoryEntry", example)]
pub(crate) struct ScoreEntryDto {
    /// The score, 0..100.
    pub score: u8,
    /// The method that computed it (`name@version`, or `manual`).
    pub method: String,
    #[allow(missing_docs)]
    pub reason: ScoreReasonDto,
    /// When it was computed.
    pub at: DateTime<Utc>,
}

impl ScoreEntryDto {
    pub(crate) fn sample() -> Self {
        Self {
            score: 80,
            method: "ecolaura-default@3".into(),
            reason: ScoreReasonDto::PolicyChanged,
            at: super::catalog::sample_time(),
        }
    }
}

impl From<ScoreEntry> for ScoreEntryDto {
    fn from(e: ScoreEntry) -> Self {
        Self {
            score: e.score.value(),
            method: e.method.to_string(),
            reason: e.reason.into(),
            at: e.at,
        }
    }
}
