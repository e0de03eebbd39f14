//! Sustainability scoring: a pluggable policy and the default one.
//!
//! A [`ScoringPolicy`] turns a product's [`SustainabilityMetrics`] into a
//! [`ScoreBreakdown`]: points per factor. The score is the sum of the points,
//! clamped to `0..=100`, so the breakdown always explains the score.
//!
//! The default policy is data ([`ScoreRules`]: footprint bands and points
//! per attribute, validated so that a greener product never scores lower);
//! shops plug their own policy into [`EcolauraBuilder::scoring`](crate::EcolauraBuilder::scoring).

mod evidence;
mod history;
mod method;
mod published;
mod rules;

pub use evidence::ScoreEvidence;
pub use history::{
    MAX_HISTORY_ENTRIES, ScoreCause, ScoreEntry, ScoreReason, UnknownScoreReason, stamp,
};
pub use method::{ScoreMethod, ScoreMethodError};
pub use published::{FIRST_PUBLISHED_AT, PublishedPolicy};
pub use rules::{
    FootprintBand, MAX_COUNTED_CLAIMS, MAX_FACTOR_POINTS, MAX_FOOTPRINT_BANDS, ScoreRules,
};

use std::borrow::Cow;
use std::fmt::Debug;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::catalog::{Product, ScoreSource, SustainabilityMetrics};
use crate::domain::Score;

/// Points one factor contributes to a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreFactor {
    /// Factor name, e.g. `carbon_footprint`.
    pub factor: Cow<'static, str>,
    /// Points (may be negative in custom policies).
    pub points: i64,
}

/// The points behind a score.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// One entry per factor, in the policy's order.
    pub factors: Vec<ScoreFactor>,
}

impl ScoreBreakdown {
    /// Roughly how many bytes it takes in memory, beside its owner.
    pub fn approx_bytes(&self) -> usize {
        self.factors
            .iter()
            .map(|f| std::mem::size_of::<ScoreFactor>() + f.factor.len())
            .sum()
    }

    /// The score: the sum of the points, clamped to `0..=100`.
    pub fn score(&self) -> Score {
        Score::clamped(self.factors.iter().map(|f| f.points).sum())
    }
}

/// Computes a score from metrics.
///
/// Implementations must be deterministic (the same metrics always give the
/// same breakdown): scores are computed on write and stored.
///
/// ```
/// use ecolaura_core::scoring::{ScoringPolicy, ScoreBreakdown, ScoreFactor};
/// use ecolaura_core::catalog::SustainabilityMetrics;
///
/// /// A shop that only cares about recyclability.
/// #[derive(Debug)]
/// struct RecyclableOnly;
/// impl ScoringPolicy for RecyclableOnly {
///     fn breakdown(&self, m: &SustainabilityMetrics) -> ScoreBreakdown {
///         let points = if m.recyclable { 100 } else { 0 };
///         ScoreBreakdown { factors: vec![ScoreFactor { factor: "recyclable".into(), points }] }
///     }
/// }
/// ```
pub trait ScoringPolicy: Send + Sync + Debug {
    /// Points per factor for these metrics.
    fn breakdown(&self, metrics: &SustainabilityMetrics) -> ScoreBreakdown;

    /// Points per factor for these metrics and the product's other
    /// evidence (its active certified claims). A policy that does not count
    /// claims need not implement it: it defaults to [`ScoringPolicy::breakdown`].
    fn breakdown_with(
        &self,
        metrics: &SustainabilityMetrics,
        evidence: &ScoreEvidence,
    ) -> ScoreBreakdown {
        let _ = evidence;
        self.breakdown(metrics)
    }

    /// The policy's name and version, stored with every score it computes
    /// (`custom@1` unless the policy names itself). Name your policy, and
    /// raise its version whenever its rules change.
    fn method(&self) -> ScoreMethod {
        ScoreMethod::custom()
    }
}

/// Score `product` by `policy`: from its metrics and `evidence` (with the
/// policy's method and breakdown) when it has metrics, else its manual
/// score. When and why are for [`stamp`] to say.
pub fn score_product(policy: &dyn ScoringPolicy, product: &mut Product, evidence: &ScoreEvidence) {
    match &product.metrics {
        Some(metrics) => {
            let breakdown = policy.breakdown_with(metrics, evidence);
            product.score = breakdown.score();
            product.score_source = ScoreSource::Metrics;
            product.score_method = policy.method();
            product.score_breakdown = Some(breakdown);
        }
        None => {
            product.score = product.manual_score;
            product.score_source = ScoreSource::Manual;
            product.score_method = ScoreMethod::manual();
            product.score_breakdown = None;
        }
    }
}

/// The breakdown of a score stored before breakdowns were kept with
/// scores: a score by `ecolaura-default@1` (which counted no claims) is
/// explained by [`DefaultScoringPolicy`]; any other by nothing, never by
/// another policy than its own.
pub fn breakdown_before_they_were_kept(
    method: &ScoreMethod,
    metrics: Option<&SustainabilityMetrics>,
) -> Option<ScoreBreakdown> {
    let metrics = metrics?;
    (*method == DefaultScoringPolicy.method()).then(|| DefaultScoringPolicy.breakdown(metrics))
}

/// The default policy: [`ScoreRules::default`], up to 60 points for a low
/// carbon footprint, 20 for recyclable, 20 for biodegradable.
///
/// Footprint points, per unit of product (kg CO2e):
///
/// | footprint | points |
/// |---|---|
/// | ≤ 0.5 | 60 |
/// | ≤ 1 | 55 |
/// | ≤ 2 | 50 |
/// | ≤ 5 | 40 |
/// | ≤ 10 | 30 |
/// | ≤ 20 | 20 |
/// | ≤ 50 | 10 |
/// | > 50 | 0 |
///
/// Bands rather than a formula so a shop can explain a score to a customer.
/// A lower footprint, `recyclable` or `biodegradable` never lowers the score.
///
/// ```
/// use ecolaura_core::scoring::{DefaultScoringPolicy, ScoringPolicy};
/// use ecolaura_core::catalog::SustainabilityMetrics;
/// use ecolaura_core::domain::CarbonKg;
/// let m = SustainabilityMetrics {
///     carbon_footprint_kg: CarbonKg::from_f64(1.2).unwrap(),
///     recyclable: true,
///     biodegradable: false,
/// };
/// let b = DefaultScoringPolicy.breakdown(&m);
/// assert_eq!(b.score().value(), 70); // 50 + 20 + 0
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultScoringPolicy;

impl DefaultScoringPolicy {
    /// The policy's name.
    pub const NAME: &'static str = "ecolaura-default";
    /// The version of its rules.
    pub const VERSION: u32 = 1;
}

impl ScoringPolicy for DefaultScoringPolicy {
    fn breakdown(&self, m: &SustainabilityMetrics) -> ScoreBreakdown {
        static RULES: LazyLock<ScoreRules> = LazyLock::new(ScoreRules::default);
        RULES.breakdown(m)
    }

    fn breakdown_with(
        &self,
        m: &SustainabilityMetrics,
        evidence: &ScoreEvidence,
    ) -> ScoreBreakdown {
        static RULES: LazyLock<ScoreRules> = LazyLock::new(ScoreRules::default);
        RULES.breakdown_with(m, evidence)
    }

    fn method(&self) -> ScoreMethod {
        ScoreMethod::policy(Self::NAME, Self::VERSION).unwrap_or_else(|_| ScoreMethod::custom())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CarbonKg;
    use proptest::prelude::*;

    fn metrics(kg: f64, recyclable: bool, biodegradable: bool) -> SustainabilityMetrics {
        SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::from_f64(kg).unwrap(),
            recyclable,
            biodegradable,
        }
    }

    #[test]
    fn the_default_policy_names_itself() {
        assert_eq!(DefaultScoringPolicy.method().as_str(), "ecolaura-default@1");
    }

    #[test]
    fn band_edges_are_inclusive() {
        let p = |kg| {
            DefaultScoringPolicy
                .breakdown(&metrics(kg, false, false))
                .score()
                .value()
        };
        assert_eq!(p(0.0), 60);
        assert_eq!(p(0.5), 60);
        assert_eq!(p(0.500001), 55);
        assert_eq!(p(50.0), 10);
        assert_eq!(p(50.01), 0);
        assert_eq!(
            DefaultScoringPolicy
                .breakdown(&metrics(0.1, true, true))
                .score()
                .value(),
            100
        );
    }

    proptest! {
        #[test]
        fn breakdown_points_add_up_to_the_score(kg in 0.0f64..1e4, r: bool, b: bool) {
            let bd = DefaultScoringPolicy.breakdown(&metrics(kg, r, b));
            let sum: i64 = bd.factors.iter().map(|f| f.points).sum();
            prop_assert_eq!(i64::from(bd.score().value()), sum.clamp(0, 100));
        }

        #[test]
        fn a_greener_product_never_scores_lower(kg in 0.0f64..1e3, less in 0.0f64..1e3, r: bool, b: bool) {
            let score = |m: SustainabilityMetrics| DefaultScoringPolicy.breakdown(&m).score();
            let base = score(metrics(kg, r, b));
            prop_assert!(score(metrics((kg - less).max(0.0), r, b)) >= base);
            prop_assert!(score(metrics(kg, true, b)) >= base);
            prop_assert!(score(metrics(kg, r, true)) >= base);
        }
    }
}
