//! The default policy's rules as published data: one version after the
//! other, each kept as it was published, so that every stored score can
//! name the rules that made it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    DefaultScoringPolicy, ScoreBreakdown, ScoreEvidence, ScoreMethod, ScoreRules, ScoringPolicy,
};
use crate::catalog::SustainabilityMetrics;
use crate::domain::Timestamp;

/// When version 1 was published: Ecolaura's default rules as it shipped
/// them, which a store that has never published a version scores with.
pub const FIRST_PUBLISHED_AT: &str = "2026-11-24T00:00:00Z";

/// One published version of the default policy's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPolicy {
    /// From 1, one more for each publication.
    pub version: u32,
    /// The rules.
    pub rules: ScoreRules,
    /// When it was published.
    pub published_at: Timestamp,
}

impl PublishedPolicy {
    /// Version 1: [`ScoreRules::default`], as Ecolaura ships it.
    pub fn first() -> Self {
        Self {
            version: 1,
            rules: ScoreRules::default(),
            published_at: DateTime::parse_from_rfc3339(FIRST_PUBLISHED_AT)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        }
    }

    /// The version after this one: `rules` published at `at` (a version is
    /// raised even when the rules are the same).
    pub fn next(&self, rules: ScoreRules, at: Timestamp) -> Self {
        Self {
            version: self.version.saturating_add(1),
            rules,
            published_at: at,
        }
    }

    /// The version a score method names, if it names a version of the
    /// default policy.
    pub fn version_of(method: &ScoreMethod) -> Option<u32> {
        let (name, version) = method.as_str().split_once('@')?;
        (name == DefaultScoringPolicy::NAME)
            .then(|| version.parse().ok())
            .flatten()
    }
}

impl ScoringPolicy for PublishedPolicy {
    fn breakdown(&self, metrics: &SustainabilityMetrics) -> ScoreBreakdown {
        self.rules.breakdown(metrics)
    }

    fn breakdown_with(
        &self,
        metrics: &SustainabilityMetrics,
        evidence: &ScoreEvidence,
    ) -> ScoreBreakdown {
        self.rules.breakdown_with(metrics, evidence)
    }

    fn method(&self) -> ScoreMethod {
        ScoreMethod::policy(DefaultScoringPolicy::NAME, self.version)
            .unwrap_or_else(|_| ScoreMethod::custom())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_version_is_the_default_policy() {
        let first = PublishedPolicy::first();
        assert_eq!(first.method(), DefaultScoringPolicy.method());
        assert_eq!(first.rules, ScoreRules::default());
        assert_eq!(first.published_at.to_rfc3339(), "2026-11-24T00:00:00+00:00");
    }

    #[test]
    fn each_publication_raises_the_version_by_one() {
        let first = PublishedPolicy::first();
        let second = first.next(first.rules.clone(), Utc::now());
        assert_eq!(second.version, 2);
        assert_eq!(second.method().as_str(), "ecolaura-default@2");
        assert_eq!(PublishedPolicy::version_of(&second.method()), Some(2));
        assert_eq!(PublishedPolicy::version_of(&ScoreMethod::manual()), None);
        assert_eq!(PublishedPolicy::version_of(&ScoreMethod::custom()), None);
    }
}
