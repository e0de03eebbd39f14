//! The login throttle: after too many failures for one e-mail address
//! within a window, every login for it is refused until the window passes.
//!
//! The table is bounded: addresses are at most 254 characters (they are
//! parsed before they are counted), and at most [`MAX_ADDRESSES`] are kept;
//! past that, addresses whose failures have left the window go first, then
//! the address whose last failure is oldest.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ecolaura_core::domain::{Email, Timestamp};
use ecolaura_core::ports::Clock;

/// How many addresses are remembered at most (about 10 MiB at the worst).
pub(crate) const MAX_ADDRESSES: usize = 20_000;

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

    fn window_start(&self, now: Timestamp) -> Timestamp {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// `Ok` when a login for `email` may be tried, else how long until it may.
    ///
    /// # Errors
    /// The time to wait.
    pub fn check(&self, email: &Email) -> Result<(), Duration> {
        let now = self.clock.now();
        let start = self.window_start(now);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(times) = failures.get_mut(email.as_str()) else {
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
    pub fn record_failure(&self, email: &Email) {
        let now = self.clock.now();
        let start = self.window_start(now);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= MAX_ADDRESSES && !failures.contains_key(email.as_str()) {
            failures.retain(|_, times| times.back().is_some_and(|t| *t > start));
            if failures.len() >= MAX_ADDRESSES {
                let stalest = failures
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(address, _)| address.clone());
                if let Some(address) = stalest {
                    failures.remove(&address);
                }
            }
        }
        let times = failures.entry(email.as_str().to_owned()).or_default();
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

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn ten_failures_lock_the_address_until_the_window_passes() {
        let clock = Arc::new(ManualClock::default());
        let throttle = LoginThrottle::standard(clock.clone());
        for _ in 0..9 {
            throttle.record_failure(&email("Ada@Example.com"));
            clock.advance(Duration::from_secs(10));
        }
        assert!(throttle.check(&email("ada@example.com")).is_ok());
        throttle.record_failure(&email("ada@example.com"));
        let wait = throttle.check(&email("ADA@example.com")).unwrap_err();
        assert_eq!(wait, Duration::from_secs(15 * 60 - 90));
        assert!(throttle.check(&email("bob@example.com")).is_ok());
        clock.advance(wait);
        assert!(throttle.check(&email("ada@example.com")).is_ok());
    }

    #[test]
    fn a_full_table_evicts_the_stalest_address_and_stays_bounded() {
        let clock = Arc::new(ManualClock::default());
        let throttle = LoginThrottle::standard(clock.clone());
        for _ in 0..10 {
            throttle.record_failure(&email("first@example.com"));
        }
        assert!(throttle.check(&email("first@example.com")).is_err());
        clock.advance(Duration::from_secs(1));
        for i in 0..MAX_ADDRESSES {
            throttle.record_failure(&email(&format!("flood{i}@example.com")));
        }
        let kept = throttle
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(kept, MAX_ADDRESSES);
        // The address failed longest ago went to make room.
        assert!(throttle.check(&email("first@example.com")).is_ok());
        assert!(throttle.check(&email("flood1@example.com")).is_ok());
    }
}
