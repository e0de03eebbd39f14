//! Sustainability score: an integer 0..=100.

use serde::{Deserialize, Serialize};

/// Why a number is not a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer between 0 and 100")]
pub struct ScoreError;

/// A sustainability score, an integer in `0..=100`.
///
/// ```
/// use ecolaura_core::domain::Score;
/// assert_eq!(Score::new(95).unwrap().value(), 95);
/// assert!(Score::new(101).is_err());
/// assert_eq!(Score::clamped(-4).value(), 0);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "u8")]
pub struct Score(u8);

impl Score {
    /// The lowest score.
    pub const MIN: Score = Score(0);
    /// The highest score.
    pub const MAX: Score = Score(100);

    /// A score from an integer in `0..=100`.
    pub fn new(value: i64) -> Result<Self, ScoreError> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Score)
            .ok_or(ScoreError)
    }

    /// The nearest score to any integer (below 0 is 0, above 100 is 100).
    pub fn clamped(value: i64) -> Self {
        Score(value.clamp(0, 100) as u8)
    }

    /// The value.
    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Score {
    type Error = ScoreError;
    fn try_from(v: i64) -> Result<Self, ScoreError> {
        Score::new(v)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn new_accepts_exactly_0_to_100(v in any::<i64>()) {
            prop_assert_eq!(Score::new(v).is_ok(), (0..=100).contains(&v));
        }

        #[test]
        fn clamped_is_always_in_range_and_agrees_with_new(v in any::<i64>()) {
            let s = Score::clamped(v);
            prop_assert!(s.value() <= 100);
            if let Ok(exact) = Score::new(v) {
                prop_assert_eq!(exact, s);
            }
        }
    }
}
