//! A clock that moves only when told to.

use std::sync::Mutex;
use std::time::Duration;

use crate::domain::Timestamp;
use crate::ports::Clock;

/// A clock for tests: it starts at a given instant (or the real now) and
/// moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock showing `at`.
    pub fn at(at: Timestamp) -> Self {
        Self {
            now: Mutex::new(crate::domain::truncate_to_micros(at)),
        }
    }

    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = crate::domain::truncate_to_micros(
            *now + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::zero()),
        );
    }

    /// Set the clock.
    pub fn set(&self, at: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            crate::domain::truncate_to_micros(at);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::at(chrono::Utc::now())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
