//! The clock port.

use std::fmt::Debug;

use crate::domain::Timestamp;

/// Tells the time. Services read it once per operation and pass the instant
/// down, so tests can control time (see [`crate::memory::ManualClock`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync + Debug {
    /// Now, in UTC.
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}
