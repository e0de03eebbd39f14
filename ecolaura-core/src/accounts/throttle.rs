//! Login throttling rules: which failures count against a login, and until
//! when a key is locked.
//!
//! Failures are kept in storage, so every host counts the same ones. A
//! login is checked against two keys: its e-mail address (10 failures in 15
//! minutes lock the address) and the client's address (100 failures in 15
//! minutes across all e-mails lock the client). IPv6 clients are counted per
//! /64, the block one subscriber usually holds.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use crate::domain::{Email, Timestamp};

/// What failed logins are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// The e-mail address tried (compared case-insensitively).
    Email(String),
    /// The client: an IPv4 address, or the /64 of an IPv6 one.
    Client(IpAddr),
    /// A known device, by its device token's id (see
    /// [`login_treatment`](super::login_treatment)).
    Device(uuid::Uuid),
}

impl ThrottleKey {
    /// The key of an address tried.
    pub fn email(email: &Email) -> Self {
        ThrottleKey::Email(email.as_str().to_lowercase())
    }

    /// The key of a client address.
    pub fn client(addr: IpAddr) -> Self {
        let addr = match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let mut segments = v6.segments();
                    segments[4..].fill(0);
                    IpAddr::V6(segments.into())
                }
            },
            v4 => v4,
        };
        ThrottleKey::Client(addr)
    }
}

impl fmt::Display for ThrottleKey {
    /// The storage form: `email:<address>`, `client:<ip>` or `device:<id>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThrottleKey::Email(e) => write!(f, "email:{e}"),
            ThrottleKey::Client(ip) => write!(f, "client:{ip}"),
            ThrottleKey::Device(id) => write!(f, "device:{id}"),
        }
    }
}

/// How many failures lock a key, within what window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures per e-mail address (10), and per known device.
    pub per_email: u32,
    /// Failures per client address, across all e-mails (100).
    pub per_client: u32,
    /// The window (15 minutes).
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_email: 10,
            per_client: 100,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl LoginLimits {
    /// How many failures lock `key`.
    pub fn limit(&self, key: &ThrottleKey) -> u32 {
        match key {
            ThrottleKey::Email(_) | ThrottleKey::Device(_) => self.per_email,
            ThrottleKey::Client(_) => self.per_client,
        }
    }

    /// The oldest failure time that still counts at `now`.
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        chrono::Duration::from_std(self.window)
            .ok()
            .and_then(|w| now.checked_sub_signed(w))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }

    /// Until when a key is locked, given the time of its `limit`-th most
    /// recent failure inside the window (`None`: fewer failures than that).
    ///
    /// ```
    /// use ecolaura_core::accounts::LoginLimits;
    /// let limits = LoginLimits::default();
    /// let t = chrono::Utc::now();
    /// assert_eq!(limits.locked_until(None), None);
    /// assert_eq!(limits.locked_until(Some(t)), Some(t + chrono::Duration::minutes(15)));
    /// ```
    pub fn locked_until(&self, limit_th_latest: Option<Timestamp>) -> Option<Timestamp> {
        limit_th_latest.map(|t| super::session::expiry(t, self.window))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_ipv6_counts_per_64() {
        let a = ThrottleKey::email(&Email::parse("Ada@Example.com").unwrap());
        assert_eq!(a.to_string(), "email:ada@example.com");
        let one = ThrottleKey::client("2001:db8:1:2:3:4:5:6".parse().unwrap());
        let other = ThrottleKey::client("2001:db8:1:2:ffff::1".parse().unwrap());
        assert_eq!(one, other);
        assert_eq!(one.to_string(), "client:2001:db8:1:2::");
        let mapped = ThrottleKey::client("::ffff:192.0.2.7".parse().unwrap());
        assert_eq!(mapped.to_string(), "client:192.0.2.7");
    }
}
