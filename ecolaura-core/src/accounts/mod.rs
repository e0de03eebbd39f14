//! Accounts: users, roles, passwords, login sessions, reset tokens and the
//! login throttle's rules.

mod device;
mod password;
mod reset;
mod session;
mod throttle;

pub use device::{DeviceClaim, HashingLane, LoginTreatment, login_treatment};
pub use password::{
    HashingError, HashingLimit, Password, PasswordError, PasswordHash, PasswordHasher,
};
pub use reset::{
    MAX_LIVE_RESET_TOKENS, NoRandomness, NotAResetToken, PasswordReset, RESET_TOKEN_LIFETIME,
    ResetDigest, ResetToken,
};
pub use session::{RefreshClaim, RefreshVerdict, Revoke, Session, expiry, refresh_verdict};
pub use throttle::{LoginLimits, ThrottleKey};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::{Email, PersonName, Timestamp, UserId};

/// What a user may do beyond browsing; see [`crate::auth`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anyone who registers: orders and sees their own orders.
    Customer,
    /// Shop staff: manage the catalog, see and move every order.
    Staff,
}

/// A role name that is neither `customer` nor `staff`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be customer or staff")]
pub struct UnknownRole;

impl Role {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
        }
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        match s {
            "customer" => Ok(Role::Customer),
            "staff" => Ok(Role::Staff),
            _ => Err(UnknownRole),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user account as stored, password hash included.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// Login address, unique (case-insensitively).
    pub email: Email,
    /// Display name.
    pub name: PersonName,
    /// Customer or staff.
    pub role: Role,
    /// argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// When the account was made.
    pub created_at: Timestamp,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// What registering needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login address.
    pub email: Email,
    /// Plain-text password (hashed before it is stored).
    pub password: Password,
    /// Display name.
    pub name: PersonName,
    /// Customer or staff.
    pub role: Role,
}
