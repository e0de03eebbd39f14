//! The clock port.

use std::fmt::Debug;

use crate::domain::Timestamp;

/// Tells the time, to the microsecond (what SQL timestamps keep, so a
/// value read back equals the value written). Services read it once per operation and pass the instant
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
        crate::domain::truncate_to_micros(chrono::Utc::now())
    }
}
