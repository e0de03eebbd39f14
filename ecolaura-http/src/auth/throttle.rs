//! The login throttle: after too many failures for one e-mail address
//! within a window, every login for it is refused until the window passes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ecolaura_core::domain::Timestamp;
use ecolaura_core::ports::Clock;

/// How many addresses are remembered before old entries are swept.
const SWEEP_AT: usize = 10_000;

/// Counts failed logins per address, in this process.
///
/// Several hosts behind a balancer each count their own failures, so the
/// effective limit is per host; see docs/operations.md.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Timestamp>>>,
    limit: usize,
    window: Duration,
    clock: Arc<dyn Clock>,
}

impl LoginThrottle {
    /// At most `limit` failures per address within `window`.
    pub fn new(limit: usize, window: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            limit,
            window,
            clock,
        }
    }

    /// The contract's throttle: 10 failures within 15 minutes.
    pub fn standard(clock: Arc<dyn Clock>) -> Self {
        Self::new(10, Duration::from_secs(15 * 60), clock)
    }

    fn key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    fn window_start(&self, now: Timestamp) -> Timestamp {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// `Ok` when a login for `email` may be tried, else how long until it may.
    ///
    /// # Errors
    /// The time to wait.
    pub fn check(&self, email: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        let start = self.window_start(now);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(times) = failures.get_mut(&Self::key(email)) else {
            return Ok(());
        };
        while times.front().is_some_and(|t| *t <= start) {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= self.limit => {
                let wait = (*oldest - start).to_std().unwrap_or_default();
                Err(wait.max(Duration::from_secs(1)))
            }
            _ => Ok(()),
        }
    }

    /// Count a failed login for `email`.
    pub fn record_failure(&self, email: &str) {
        let now = self.clock.now();
        let start = self.window_start(now);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| times.back().is_some_and(|t| *t > start));
        }
        let times = failures.entry(Self::key(email)).or_default();
        times.push_back(now);
        // Only the last `limit` failures matter.
        while times.len() > self.limit {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecolaura_core::memory::ManualClock;

    #[test]
    fn ten_failures_lock_the_address_until_the_window_passes() {
        let clock = Arc::new(ManualClock::default());
        let throttle = LoginThrottle::standard(clock.clone());
        for _ in 0..9 {
            throttle.record_failure("Ada@Example.com");
            clock.advance(Duration::from_secs(10));
        }
        assert!(throttle.check("ada@example.com").is_ok());
        throttle.record_failure("ada@example.com");
        let wait = throttle.check("ADA@example.com").unwrap_err();
        assert_eq!(wait, Duration::from_secs(15 * 60 - 90));
        assert!(throttle.check("bob@example.com").is_ok());
        clock.advance(wait);
        assert!(throttle.check("ada@example.com").is_ok());
    }
}
