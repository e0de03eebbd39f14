//! A scoring policy as data: footprint bands and points per attribute,
//! checked against the rules every policy must keep.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ScoreBreakdown, ScoreEvidence, ScoreFactor, ScoringPolicy};
use crate::catalog::SustainabilityMetrics;
use crate::sustainability::FieldError;
use crate::sustainability::errors::Errors;

/// The most footprint bands a policy has.
pub const MAX_FOOTPRINT_BANDS: usize = 20;

/// The most points one factor gives.
pub const MAX_FACTOR_POINTS: i64 = 100;

/// The most certified claims a policy counts.
pub const MAX_COUNTED_CLAIMS: u32 = 10;

/// Products whose per-item footprint is at most `up_to_kg` (kg CO2e)
/// get `points`, unless an earlier band already took them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FootprintBand {
    /// The band's inclusive upper bound, kg CO2e per item.
    pub up_to_kg: Decimal,
    /// Its points.
    pub points: i64,
}

/// The rules of a scoring policy, as data: a shop can read them, and a
/// score can be explained by them.
///
/// The breakdown has four factors, `carbon_footprint` (the first band
/// whose bound the footprint does not exceed, else `beyond_bands`),
/// `recyclable`, `biodegradable` and `certified_claims` (`certified_claim`
/// points for each active certified claim, counting at most
/// `certified_claims_counted`); the score is their sum, clamped to
/// `0..=100`. [`ScoreRules::validate`] keeps the promise of API.md: a
/// lower footprint, `recyclable`, `biodegradable` or one more certified
/// claim never lowers a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRules {
    /// Bands in ascending order of their bounds.
    pub footprint_bands: Vec<FootprintBand>,
    /// Points for a footprint above the last band.
    pub beyond_bands: i64,
    /// Points for a recyclable product.
    pub recyclable: i64,
    /// Points for a biodegradable product.
    pub biodegradable: i64,
    /// Points for each active certified claim (see [`ScoreEvidence`]).
    pub certified_claim: i64,
    /// How many certified claims count at most.
    pub certified_claims_counted: u32,
}

impl Default for ScoreRules {
    /// Ecolaura's default: up to 60 points for a low footprint, 20 for
    /// recyclable, 20 for biodegradable, none for claims (see
    /// [`DefaultScoringPolicy`](super::DefaultScoringPolicy)).
    fn default() -> Self {
        let band = |mantissa, scale, points| FootprintBand {
            up_to_kg: Decimal::new(mantissa, scale),
            points,
        };
        Self {
            footprint_bands: vec![
                band(5, 1, 60),
                band(1, 0, 55),
                band(2, 0, 50),
                band(5, 0, 40),
                band(10, 0, 30),
                band(20, 0, 20),
                band(50, 0, 10),
            ],
            beyond_bands: 0,
            recyclable: 20,
            biodegradable: 20,
            certified_claim: 0,
            certified_claims_counted: 0,
        }
    }
}

impl ScoreRules {
    /// Every rule these break, by field: one to [`MAX_FOOTPRINT_BANDS`]
    /// bands with bounds >= 0 (at most 3 fraction digits) in strictly
    /// ascending order and points that never rise as the bound does
    /// (`beyond_bands` included); every points value in
    /// `0..=`[`MAX_FACTOR_POINTS`]; at most [`MAX_COUNTED_CLAIMS`] claims
    /// counted.
    ///
    /// # Errors
    /// The broken rules, in field order.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        let bands = &self.footprint_bands;
        if bands.is_empty() || bands.len() > MAX_FOOTPRINT_BANDS {
            errors.add(
                "footprint_bands",
                format!("must hold 1..={MAX_FOOTPRINT_BANDS} bands"),
            );
        }
        let mut previous: Option<&FootprintBand> = None;
        for (i, band) in bands.iter().enumerate() {
            let field = |name: &str| format!("footprint_bands[{i}].{name}");
            if band.up_to_kg.is_sign_negative() {
                errors.add(&field("up_to_kg"), "must be >= 0");
            }
            errors.fraction_digits(&field("up_to_kg"), band.up_to_kg, 3);
            points(&mut errors, &field("points"), band.points);
            if let Some(before) = previous {
                if band.up_to_kg <= before.up_to_kg {
                    errors.add(&field("up_to_kg"), "must be above the band before");
                }
                if band.points > before.points {
                    errors.add(
                        &field("points"),
                        "must not be above the band before: a lower footprint never scores lower",
                    );
                }
            }
            previous = Some(band);
        }
        points(&mut errors, "beyond_bands", self.beyond_bands);
        if let Some(last) = bands.last()
            && self.beyond_bands > last.points
        {
            errors.add(
                "beyond_bands",
                "must not be above the last band: a lower footprint never scores lower",
            );
        }
        points(&mut errors, "recyclable", self.recyclable);
        points(&mut errors, "biodegradable", self.biodegradable);
        points(&mut errors, "certified_claim", self.certified_claim);
        if self.certified_claims_counted > MAX_COUNTED_CLAIMS {
            errors.add(
                "certified_claims_counted",
                format!("must be 0..={MAX_COUNTED_CLAIMS}"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into_vec())
        }
    }

    fn footprint_points(&self, kg: Decimal) -> i64 {
        self.footprint_bands
            .iter()
            .find(|band| kg <= band.up_to_kg)
            .map_or(self.beyond_bands, |band| band.points)
    }
}

fn points(errors: &mut Errors, field: &str, value: i64) {
    if !(0..=MAX_FACTOR_POINTS).contains(&value) {
        errors.add(field, format!("must be 0..={MAX_FACTOR_POINTS}"));
    }
}

impl ScoringPolicy for ScoreRules {
    fn breakdown(&self, m: &SustainabilityMetrics) -> ScoreBreakdown {
        self.breakdown_with(m, &ScoreEvidence::default())
    }

    fn breakdown_with(
        &self,
        m: &SustainabilityMetrics,
        evidence: &ScoreEvidence,
    ) -> ScoreBreakdown {
        let counted = evidence.certified_claims.min(self.certified_claims_counted);
        let factor = |name: &'static str, points: i64| ScoreFactor {
            factor: Cow::Borrowed(name),
            points,
        };
        ScoreBreakdown {
            factors: vec![
                factor(
                    "carbon_footprint",
                    self.footprint_points(m.carbon_footprint_kg.kg()),
                ),
                factor("recyclable", if m.recyclable { self.recyclable } else { 0 }),
                factor(
                    "biodegradable",
                    if m.biodegradable {
                        self.biodegradable
                    } else {
                        0
                    },
                ),
                factor(
                    "certified_claims",
                    self.certified_claim.saturating_mul(i64::from(counted)),
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::CarbonKg;

    fn metrics(kg: f64, recyclable: bool, biodegradable: bool) -> SustainabilityMetrics {
        SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::from_f64(kg).expect("kg"),
            recyclable,
            biodegradable,
        }
    }

    fn fields(rules: &ScoreRules) -> Vec<String> {
        rules
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_default_rules_keep_every_rule() {
        assert_eq!(ScoreRules::default().validate(), Ok(()));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut rules = ScoreRules::default();
        rules.footprint_bands[1].up_to_kg = Decimal::new(4, 1); // below 0.5
        rules.footprint_bands[2].points = 56; // above 55
        rules.footprint_bands[3].up_to_kg = Decimal::new(50001, 4);
        rules.recyclable = -1;
        rules.biodegradable = 101;
        rules.beyond_bands = 11;
        rules.certified_claim = 101;
        rules.certified_claims_counted = 11;
        assert_eq!(
            fields(&rules),
            [
                "footprint_bands[1].up_to_kg",
                "footprint_bands[2].points",
                "footprint_bands[3].up_to_kg",
                "beyond_bands",
                "recyclable",
                "biodegradable",
                "certified_claim",
                "certified_claims_counted",
            ]
        );
        let none = ScoreRules {
            footprint_bands: Vec::new(),
            ..ScoreRules::default()
        };
        assert_eq!(fields(&none), ["footprint_bands"]);
    }

    fn valid_rules() -> impl Strategy<Value = ScoreRules> {
        (
            proptest::collection::vec((1i64..5_000, 0i64..=20), 1..MAX_FOOTPRINT_BANDS),
            0i64..=100,
            0i64..=100,
            0i64..=100,
            (0i64..=100, 0u32..=MAX_COUNTED_CLAIMS),
        )
            .prop_map(
                |(
                    steps,
                    top,
                    recyclable,
                    biodegradable,
                    (certified_claim, certified_claims_counted),
                )| {
                    let (mut bound, mut points) = (0i64, top);
                    let footprint_bands = steps
                        .into_iter()
                        .map(|(up, down)| {
                            bound += up;
                            points = (points - down).max(0);
                            FootprintBand {
                                up_to_kg: Decimal::new(bound, 2),
                                points,
                            }
                        })
                        .collect();
                    ScoreRules {
                        footprint_bands,
                        beyond_bands: 0,
                        recyclable,
                        biodegradable,
                        certified_claim,
                        certified_claims_counted,
                    }
                },
            )
    }

    proptest! {
        /// Whatever rules pass validation, a greener product never scores
        /// lower under them.
        #[test]
        fn under_any_valid_rules_a_greener_product_never_scores_lower(
            rules in valid_rules(),
            kg in 0.0f64..1e3,
            less in 0.0f64..1e3,
            r: bool,
            b: bool,
            claims in 0u32..20,
        ) {
            prop_assert_eq!(rules.validate(), Ok(()));
            let with = |n| ScoreEvidence { certified_claims: n };
            let score = |m: SustainabilityMetrics, n| rules.breakdown_with(&m, &with(n)).score();
            let base = score(metrics(kg, r, b), claims);
            prop_assert!(score(metrics((kg - less).max(0.0), r, b), claims) >= base);
            prop_assert!(score(metrics(kg, true, b), claims) >= base);
            prop_assert!(score(metrics(kg, r, true), claims) >= base);
            prop_assert!(score(metrics(kg, r, b), claims + 1) >= base);
        }

        /// The points of the breakdown always add up to its score.
        #[test]
        fn the_points_explain_the_score(rules in valid_rules(), kg in 0.0f64..1e3, claims in 0u32..20) {
            let bd = rules.breakdown_with(&metrics(kg, true, false), &ScoreEvidence { certified_claims: claims });
            let sum: i64 = bd.factors.iter().map(|f| f.points).sum();
            prop_assert_eq!(i64::from(bd.score().value()), sum.clamp(0, 100));
        }
    }
}
