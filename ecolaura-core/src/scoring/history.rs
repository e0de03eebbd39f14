//! A product's score history: why each new score was computed, and the
//! rule that tells a new score from the same one computed again.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ScoreMethod;
use crate::catalog::{Product, ScoreSource};
use crate::domain::{Score, Timestamp};

/// The most entries a score history read returns (the newest).
pub const MAX_HISTORY_ENTRIES: u32 = 100;

/// Why a product's score took a new value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreReason {
    /// Its metrics (or its footprint record) changed, or it was made.
    MetricsChanged,
    /// The scoring policy changed.
    PolicyChanged,
    /// A claim that the score counts was made or removed.
    ClaimChanged,
    /// Staff gave or changed its manual score, or removed its metrics.
    Manual,
}

/// A text that is no score reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown score reason {0:?}")]
pub struct UnknownScoreReason(pub String);

impl ScoreReason {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreReason::MetricsChanged => "metrics_changed",
            ScoreReason::PolicyChanged => "policy_changed",
            ScoreReason::ClaimChanged => "claim_changed",
            ScoreReason::Manual => "manual",
        }
    }

    /// The reason of a score stored before reasons were kept: from its
    /// source.
    pub fn before_reasons_were_kept(source: ScoreSource) -> Self {
        match source {
            ScoreSource::Metrics => ScoreReason::MetricsChanged,
            ScoreSource::Manual => ScoreReason::Manual,
        }
    }
}

impl FromStr for ScoreReason {
    type Err = UnknownScoreReason;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "metrics_changed" => Ok(ScoreReason::MetricsChanged),
            "policy_changed" => Ok(ScoreReason::PolicyChanged),
            "claim_changed" => Ok(ScoreReason::ClaimChanged),
            "manual" => Ok(ScoreReason::Manual),
            other => Err(UnknownScoreReason(other.to_owned())),
        }
    }
}

impl fmt::Display for ScoreReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What made a product write compute its score again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreCause {
    /// Staff made or changed the product (its fields, metrics or footprint).
    Edit,
    /// One of its claims was made or removed.
    Claims,
    /// The scoring policy changed.
    Policy,
}

impl ScoreCause {
    /// The reason a new score of `source` had under this cause: a manual
    /// score is always `manual`.
    pub fn reason(self, source: ScoreSource) -> ScoreReason {
        match (source, self) {
            (ScoreSource::Manual, _) => ScoreReason::Manual,
            (ScoreSource::Metrics, ScoreCause::Edit) => ScoreReason::MetricsChanged,
            (ScoreSource::Metrics, ScoreCause::Claims) => ScoreReason::ClaimChanged,
            (ScoreSource::Metrics, ScoreCause::Policy) => ScoreReason::PolicyChanged,
        }
    }
}

/// One entry of a product's score history: a score it had from `at` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreEntry {
    /// The score.
    pub score: Score,
    /// The method that computed it.
    pub method: ScoreMethod,
    /// Why it was computed.
    pub reason: ScoreReason,
    /// When.
    pub at: Timestamp,
}

impl ScoreEntry {
    /// The entry of `product`'s current score.
    pub fn of(product: &Product) -> Self {
        Self {
            score: product.score,
            method: product.score_method.clone(),
            reason: product.score_reason,
            at: product.score_computed_at,
        }
    }
}

/// Stamp `next`, whose score, source, method and breakdown were just
/// computed, with when and why: a new score (another value, source or
/// method than `before`'s, or a new product) is stamped `now` with the
/// reason of `cause` (and at least a microsecond after `before`'s, so that
/// no two entries of a history share a time), and becomes an entry of the
/// history; the same score computed again keeps `before`'s stamp, so a
/// price change adds nothing.
pub fn stamp(next: &mut Product, before: Option<&Product>, cause: ScoreCause, now: Timestamp) {
    let same = before.is_some_and(|b| {
        b.score == next.score
            && b.score_source == next.score_source
            && b.score_method == next.score_method
            && b.score_breakdown == next.score_breakdown
    });
    match before {
        Some(b) if same => {
            next.score_computed_at = b.score_computed_at;
            next.score_reason = b.score_reason;
        }
        _ => {
            // Strictly after the score it replaces, even on a coarse or
            // stopped clock, so that history entries never share a time.
            let after = before.map(|b| b.score_computed_at + chrono::Duration::microseconds(1));
            next.score_computed_at = after.map_or(now, |after| now.max(after));
            next.score_reason = cause.reason(next.score_source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_back() {
        for r in [
            ScoreReason::MetricsChanged,
            ScoreReason::PolicyChanged,
            ScoreReason::ClaimChanged,
            ScoreReason::Manual,
        ] {
            assert_eq!(r.as_str().parse::<ScoreReason>(), Ok(r));
            assert_eq!(
                serde_json::to_value(r).expect("json"),
                serde_json::json!(r.as_str())
            );
        }
        assert!("rescored".parse::<ScoreReason>().is_err());
    }

    fn product() -> Product {
        let at = chrono::Utc::now();
        Product {
            id: crate::domain::ProductId::new(),
            name: crate::domain::ProductName::parse("Cup").expect("name"),
            description: crate::domain::Description::default(),
            price: "1.00".parse().expect("price"),
            category: None,
            stock: crate::domain::Stock::new(1).expect("stock"),
            metrics: None,
            footprint_source: crate::sustainability::FootprintSource::Declared,
            manual_score: Score::new(70).expect("score"),
            score: Score::new(70).expect("score"),
            score_source: ScoreSource::Manual,
            score_method: ScoreMethod::manual(),
            score_computed_at: at,
            score_reason: ScoreReason::Manual,
            score_breakdown: None,
            sku: None,
            gtin: None,
            weight_kg: None,
            archived: false,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_same_score_keeps_its_stamp_and_a_new_one_is_stamped_after_it() {
        let before = product();
        let now = before.score_computed_at; // a stopped clock
        let mut same = before.clone();
        same.price = "2.00".parse().expect("price");
        stamp(
            &mut same,
            Some(&before),
            ScoreCause::Policy,
            now + chrono::Duration::hours(1),
        );
        assert_eq!(
            (same.score_computed_at, same.score_reason),
            (before.score_computed_at, before.score_reason)
        );

        let mut new = before.clone();
        new.score = Score::new(75).expect("score");
        stamp(&mut new, Some(&before), ScoreCause::Claims, now);
        assert!(new.score_computed_at > before.score_computed_at);
        assert_eq!(
            new.score_reason,
            ScoreReason::Manual,
            "a manual score is manual"
        );

        let mut fresh = before.clone();
        stamp(&mut fresh, None, ScoreCause::Edit, now);
        assert_eq!(fresh.score_computed_at, now);
    }

    #[test]
    fn a_manual_score_is_manual_whatever_caused_it() {
        for cause in [ScoreCause::Edit, ScoreCause::Claims, ScoreCause::Policy] {
            assert_eq!(cause.reason(ScoreSource::Manual), ScoreReason::Manual);
        }
        assert_eq!(
            ScoreCause::Policy.reason(ScoreSource::Metrics),
            ScoreReason::PolicyChanged
        );
    }
}
