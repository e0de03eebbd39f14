//! Password-reset tokens: single-use secrets mailed to the account's address.
//!
//! Only a SHA-256 digest of a token is stored, so a copy of the database
//! cannot reset anyone's password. A token has 256 random bits; a digest
//! without salt is enough for a secret of that strength.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::domain::{Timestamp, UserId};

/// How long a reset token works: 30 minutes.
pub const RESET_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How many unused, unexpired tokens an account may hold: further requests
/// send nothing, so that nobody can flood an inbox.
pub const MAX_LIVE_RESET_TOKENS: u64 = 3;

/// The length of a token as text: 32 bytes in unpadded base64url.
const TOKEN_CHARS: usize = 43;

/// A reset token as mailed. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

/// Text that cannot be a reset token (so no token has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a password-reset token")]
pub struct NotAResetToken;

/// The operating system gave no randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no randomness available for a reset token")]
pub struct NoRandomness;

impl ResetToken {
    /// A new random token.
    ///
    /// # Errors
    /// [`NoRandomness`] when the operating system has none to give.
    pub fn generate() -> Result<Self, NoRandomness> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| NoRandomness)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token as a client sent it back.
    ///
    /// # Errors
    /// [`NotAResetToken`] for text of another shape.
    pub fn parse(text: &str) -> Result<Self, NotAResetToken> {
        let shaped = text.len() == TOKEN_CHARS
            && URL_SAFE_NO_PAD
                .decode(text)
                .is_ok_and(|bytes| bytes.len() == 32);
        if shaped {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotAResetToken)
        }
    }

    /// The token, to put in the e-mail.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored in place of the token.
    pub fn digest(&self) -> ResetDigest {
        let hash = Sha256::digest(self.0.as_bytes());
        ResetDigest(hash.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(…)")
    }
}

/// The SHA-256 digest of a reset token, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResetDigest(String);

impl ResetDigest {
    /// A digest read back from storage.
    pub fn from_stored(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reset token's record: whose, until when, and whether it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// The token's digest.
    pub digest: ResetDigest,
    /// Whose password it resets.
    pub user_id: UserId,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

impl PasswordReset {
    /// The record of `token` for `user`, made at `now`.
    pub fn new(token: &ResetToken, user: UserId, now: Timestamp) -> Self {
        Self {
            digest: token.digest(),
            user_id: user,
            created_at: now,
            expires_at: super::session::expiry(now, RESET_TOKEN_LIFETIME),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_and_its_digest_is_stable() {
        let t = ResetToken::generate().unwrap();
        let back = ResetToken::parse(t.expose()).unwrap();
        assert_eq!(back.digest(), t.digest());
        assert_eq!(t.digest().as_str().len(), 64);
        assert_ne!(ResetToken::generate().unwrap(), t);
        assert_eq!(format!("{t:?}"), "ResetToken(…)");
    }

    #[test]
    fn text_of_another_shape_is_no_token() {
        for bad in ["", "short", &"a".repeat(44), &"!".repeat(43)] {
            assert_eq!(ResetToken::parse(bad), Err(NotAResetToken));
        }
    }
}
