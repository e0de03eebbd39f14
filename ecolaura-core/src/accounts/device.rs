//! Known devices: a login from a client that signed in to the account
//! before is told apart from a guess.
//!
//! This is OWASP's "device cookie" defence ("Slow Down Online Guessing
//! Attacks with Device Cookies"): after a successful login the client gets
//! a signed token naming the account and a new device id. A later login
//! for that account that presents it
//! - is counted against that device only, not against the address or the
//!   client address, so an attacker who guesses at a victim's address (from
//!   as many client addresses as he likes) cannot lock the victim out of a
//!   device they used before;
//! - checks its password in the trusted lane of the
//!   [`PasswordHasher`](super::PasswordHasher), which a flood of logins
//!   from unknown clients cannot fill.
//!
//! A stolen device token buys no more guesses than an address has (its own
//! count, locked at the same limit), and no password: it vouches only that
//! a client knew the password once.

use std::net::IpAddr;

use uuid::Uuid;

use super::throttle::ThrottleKey;
use crate::domain::{Email, UserId};

/// What a valid device token claims (its signature and age are the host's
/// to check): a client that signed in to this account before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceClaim {
    /// The account signed in to.
    pub user_id: UserId,
    /// The device token's own id, which its failures are counted under.
    pub device_id: Uuid,
}

/// Whose turn a password check takes; see
/// [`PasswordHasher`](super::PasswordHasher).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashingLane {
    /// A client that proved itself before: a known device, a signed-in user.
    Trusted,
    /// Anyone else: registrations, logins from unknown clients.
    Untrusted,
}

/// How one login attempt is treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginTreatment {
    /// The throttle keys checked before, and counted on a failure.
    pub keys: Vec<ThrottleKey>,
    /// The lane its password check waits in.
    pub lane: HashingLane,
    /// The known device it comes from, if any.
    pub device: Option<DeviceClaim>,
}

impl LoginTreatment {
    /// The device token to hand the client once it has signed in to `user`:
    /// a known device keeps its id (and so its count of failures); an
    /// unknown client becomes a new device.
    pub fn device_after_login(&self, user: UserId) -> DeviceClaim {
        match self.device {
            Some(known) if known.user_id == user => known,
            _ => DeviceClaim {
                user_id: user,
                device_id: Uuid::new_v4(),
            },
        }
    }
}

/// How a login for `email` from `client` is treated, given the device token
/// it presented (already verified) and the account the address has, if any.
///
/// A device token counts only for the account it names: presented with
/// another address (or one with no account) it is ignored, and the login is
/// an unknown client's.
///
/// ```
/// use ecolaura_core::accounts::{DeviceClaim, HashingLane, ThrottleKey, login_treatment};
/// use ecolaura_core::domain::{Email, UserId};
/// let ada = UserId::new();
/// let email = Email::parse("ada@example.com").unwrap();
/// let device = DeviceClaim { user_id: ada, device_id: uuid::Uuid::new_v4() };
/// let known = login_treatment(&email, None, Some(device), Some(ada));
/// assert_eq!(known.lane, HashingLane::Trusted);
/// assert_eq!(known.keys, vec![ThrottleKey::Device(device.device_id)]);
/// let other = login_treatment(&email, None, Some(device), Some(UserId::new()));
/// assert_eq!(other.lane, HashingLane::Untrusted);
/// assert_eq!(other.keys, vec![ThrottleKey::email(&email)]);
/// ```
pub fn login_treatment(
    email: &Email,
    client: Option<IpAddr>,
    device: Option<DeviceClaim>,
    account: Option<UserId>,
) -> LoginTreatment {
    match device {
        Some(d) if account == Some(d.user_id) => LoginTreatment {
            keys: vec![ThrottleKey::Device(d.device_id)],
            lane: HashingLane::Trusted,
            device: Some(d),
        },
        _ => LoginTreatment {
            keys: std::iter::once(ThrottleKey::email(email))
                .chain(client.map(ThrottleKey::client))
                .collect(),
            lane: HashingLane::Untrusted,
            device: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the client address, a device token never vouches for an
        /// address without an account or with another account.
        #[test]
        fn a_device_token_vouches_only_for_its_own_account(
            octets in any::<[u8; 4]>(),
            has_account in any::<bool>(),
        ) {
            let email = Email::parse("ada@example.com").unwrap();
            let device = DeviceClaim { user_id: UserId::new(), device_id: Uuid::new_v4() };
            let account = has_account.then(UserId::new);
            let client = Some(IpAddr::from(octets));
            let t = login_treatment(&email, client, Some(device), account);
            prop_assert_eq!(t.lane, HashingLane::Untrusted);
            prop_assert!(t.keys.contains(&ThrottleKey::email(&email)));
            prop_assert!(t.keys.contains(&ThrottleKey::client(IpAddr::from(octets))));
        }
    }

    #[test]
    fn a_known_device_is_counted_apart_from_its_address_and_client() {
        let email = Email::parse("ada@example.com").unwrap();
        let ada = UserId::new();
        let device = DeviceClaim {
            user_id: ada,
            device_id: Uuid::new_v4(),
        };
        let client = Some("192.0.2.1".parse().unwrap());
        let t = login_treatment(&email, client, Some(device), Some(ada));
        assert_eq!(t.keys, vec![ThrottleKey::Device(device.device_id)]);
        assert_eq!(t.device_after_login(ada), device);
        let unknown = login_treatment(&email, client, None, Some(ada));
        assert_eq!(unknown.lane, HashingLane::Untrusted);
        assert_eq!(unknown.keys.len(), 2);
        let new = unknown.device_after_login(ada);
        assert_eq!(new.user_id, ada);
        assert_ne!(new.device_id, device.device_id);
    }
}
