//! Passwords: a plain-text newtype that never prints, and argon2id hashing.

use std::fmt;
use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

/// Why a text is not an acceptable password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Under 8 characters.
    #[error("must be at least 8 characters")]
    TooShort,
    /// Over 1024 characters (bounds the hashing work an attacker can ask for).
    #[error("must be at most 1024 characters")]
    TooLong,
}

/// A plain-text password of 8 to 1024 characters. Its `Debug` says nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The shortest password.
    pub const MIN_CHARS: usize = 8;
    /// The longest password.
    pub const MAX_CHARS: usize = 1024;

    /// Check a new password's length.
    pub fn new(raw: impl Into<String>) -> Result<Self, PasswordError> {
        let raw = raw.into();
        match raw.chars().count() {
            n if n < Self::MIN_CHARS => Err(PasswordError::TooShort),
            n if n > Self::MAX_CHARS => Err(PasswordError::TooLong),
            _ => Ok(Self(raw)),
        }
    }

    /// A password given at login: not length-checked beyond the upper bound,
    /// so a login with a short password is a plain "invalid credentials".
    pub fn for_login(raw: impl Into<String>) -> Result<Self, PasswordError> {
        let raw = raw.into();
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }

    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An argon2id hash in PHC string form (`$argon2id$v=19$…`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wrap a PHC string read back from storage.
    pub fn from_phc(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string, for storage.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Hashes and verifies passwords with argon2id, off the async executor.
///
/// The default parameters are OWASP's (19 MiB, 2 passes, 1 lane). Tests may
/// use [`PasswordHasher::fast_insecure`] to keep suites quick.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Arc<Params>,
    /// A hash of a random password, verified when the user does not exist so
    /// that "no such user" takes as long as "wrong password".
    decoy: Arc<std::sync::OnceLock<String>>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new(Params::default())
    }
}

impl PasswordHasher {
    /// A hasher with these argon2id parameters.
    pub fn new(params: Params) -> Self {
        Self {
            params: Arc::new(params),
            decoy: Arc::default(),
        }
    }

    /// The smallest argon2id parameters: for tests only, never production.
    pub fn fast_insecure() -> Self {
        match Params::new(Params::MIN_M_COST, 1, 1, None) {
            Ok(p) => Self::new(p),
            Err(_) => Self::default(),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, (*self.params).clone())
    }

    /// Hash a password (with a fresh random salt).
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, HashingError> {
        let argon2 = self.argon2();
        let password = password.clone();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.expose())
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|e| HashingError(e.to_string()))
        })
        .await
        .map_err(|e| HashingError(e.to_string()))?
    }

    /// Whether `password` matches `hash`. A malformed stored hash is a mismatch.
    pub async fn verify(&self, password: &Password, hash: &PasswordHash) -> bool {
        let argon2 = self.argon2();
        let password = password.clone();
        let hash = hash.0.clone();
        tokio::task::spawn_blocking(move || {
            PhcHash::new(&hash)
                .is_ok_and(|parsed| argon2.verify_password(password.expose(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
    }

    /// Spend the time a verification takes, for an unknown user.
    pub async fn verify_decoy(&self, password: &Password) {
        let decoy = match self.decoy.get() {
            Some(d) => d.clone(),
            None => {
                let random = Password(uuid::Uuid::new_v4().to_string());
                let Ok(h) = self.hash(&random).await else {
                    return;
                };
                self.decoy.get_or_init(|| h.0).clone()
            }
        };
        let _ = self.verify(password, &PasswordHash(decoy)).await;
    }
}

/// Hashing failed (the hasher's thread died or the parameters are unusable).
#[derive(Debug, Clone, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashingError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = PasswordHasher::fast_insecure();
        let pw = Password::new("correct horse").unwrap();
        let hash = h.hash(&pw).await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert!(h.verify(&pw, &hash).await);
        assert!(
            !h.verify(&Password::new("wrong horse").unwrap(), &hash)
                .await
        );
        assert!(!h.verify(&pw, &PasswordHash::from_phc("garbage")).await);
        // Two hashes of one password differ (salted).
        assert_ne!(h.hash(&pw).await.unwrap(), hash);
    }

    #[test]
    fn passwords_never_print() {
        let pw = Password::new("s3cret-value").unwrap();
        assert!(!format!("{pw:?}").contains("s3cret"));
        assert_eq!(Password::new("short"), Err(PasswordError::TooShort));
    }
}
