//! Passwords: a plain-text newtype that never prints, and argon2id hashing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::device::HashingLane;

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

/// How many passwords may be hashed at once, and how long a further one
/// waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimit {
    /// Hashes (or verifications) running at once at most: each holds the
    /// argon2 memory (19 MiB by default) and a core while it runs.
    pub concurrent: usize,
    /// How long a further one waits for a turn before it is refused with
    /// [`HashingError::Busy`].
    pub wait: Duration,
}

impl HashingLimit {
    /// The contract's bound: the machine's cores × 2 at once, 2 s of waiting.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            concurrent: cores.saturating_mul(2),
            wait: Duration::from_secs(2),
        }
    }
}

impl Default for HashingLimit {
    fn default() -> Self {
        Self::for_this_machine()
    }
}

/// Hashes and verifies passwords with argon2id, off the async executor,
/// a bounded number at once ([`HashingLimit`]): a flood of logins queues
/// briefly, then is refused, instead of taking every core and 19 MiB each.
///
/// Checks wait in one of two lanes ([`HashingLane`]), and each lane may
/// hold all turns but one: a flood of logins from unknown clients, from
/// however many addresses, always leaves a turn for known devices, and the
/// reverse.
///
/// The default parameters are OWASP's (19 MiB, 2 passes, 1 lane). Tests may
/// use [`PasswordHasher::fast_insecure`] to keep suites quick.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Arc<Params>,
    /// Every turn, in either lane.
    turns: Arc<Semaphore>,
    /// The turns the trusted lane may hold: all but one (when there are
    /// two or more).
    trusted_turns: Arc<Semaphore>,
    /// The turns the untrusted lane may hold: as many.
    untrusted_turns: Arc<Semaphore>,
    wait: Duration,
    /// A hash of a random password, verified when the user does not exist so
    /// that "no such user" takes as long as "wrong password".
    decoy: Arc<std::sync::OnceLock<String>>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new(Params::default())
    }
}

impl PasswordHasher {
    /// A hasher with these argon2id parameters and the default [`HashingLimit`].
    pub fn new(params: Params) -> Self {
        Self::with_limit(params, HashingLimit::default())
    }

    /// A hasher with these parameters and this bound on concurrent hashing.
    pub fn with_limit(params: Params, limit: HashingLimit) -> Self {
        let concurrent = limit.concurrent.max(1);
        let per_lane = if concurrent > 1 {
            concurrent - 1
        } else {
            concurrent
        };
        Self {
            params: Arc::new(params),
            turns: Arc::new(Semaphore::new(concurrent)),
            trusted_turns: Arc::new(Semaphore::new(per_lane)),
            untrusted_turns: Arc::new(Semaphore::new(per_lane)),
            wait: limit.wait,
            decoy: Arc::default(),
        }
    }

    /// The same hasher with another bound on concurrent hashing.
    #[must_use]
    pub fn limited(self, limit: HashingLimit) -> Self {
        Self::with_limit((*self.params).clone(), limit)
    }

    /// A turn to hash in `lane`, waited for at most the limit's wait.
    async fn turn(&self, lane: HashingLane) -> Result<Turn, HashingError> {
        let lane_turns = match lane {
            HashingLane::Trusted => &self.trusted_turns,
            HashingLane::Untrusted => &self.untrusted_turns,
        };
        let acquire = async {
            let in_lane = lane_turns.clone().acquire_owned().await?;
            let turn = self.turns.clone().acquire_owned().await?;
            Ok::<_, tokio::sync::AcquireError>(Turn {
                _turn: turn,
                _in_lane: in_lane,
            })
        };
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(turn)) => Ok(turn),
            Ok(Err(_)) | Err(_) => Err(HashingError::Busy),
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
    ///
    /// # Errors
    /// [`HashingError::Busy`] when no turn came within the limit's wait.
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, HashingError> {
        let turn = self.turn(HashingLane::Untrusted).await?;
        let argon2 = self.argon2();
        let password = password.clone();
        on_a_thread_of_its_own(move || {
            let hashed = argon2
                .hash_password(password.expose())
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|e| HashingError::Failed(e.to_string()));
            drop(turn);
            hashed
        })
        .await?
    }

    /// Whether `password` matches `hash`, checked in the untrusted lane. A
    /// malformed stored hash is a mismatch.
    ///
    /// # Errors
    /// [`HashingError::Busy`] when no turn came within the limit's wait.
    pub async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, HashingError> {
        self.verify_in(HashingLane::Untrusted, password, hash).await
    }

    /// Whether `password` matches `hash`, checked in `lane`.
    ///
    /// # Errors
    /// [`HashingError::Busy`] when no turn came within the limit's wait.
    pub async fn verify_in(
        &self,
        lane: HashingLane,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, HashingError> {
        let turn = self.turn(lane).await?;
        let argon2 = self.argon2();
        let password = password.clone();
        let hash = hash.0.clone();
        on_a_thread_of_its_own(move || {
            let matches = PhcHash::new(&hash)
                .is_ok_and(|parsed| argon2.verify_password(password.expose(), &parsed).is_ok());
            drop(turn);
            matches
        })
        .await
    }

    /// Spend the time a verification takes, for an unknown user.
    ///
    /// # Errors
    /// [`HashingError::Busy`] when no turn came within the limit's wait.
    pub async fn verify_decoy(&self, password: &Password) -> Result<(), HashingError> {
        let decoy = match self.decoy.get() {
            Some(d) => d.clone(),
            None => {
                let random = Password(uuid::Uuid::new_v4().to_string());
                let h = self.hash(&random).await?;
                self.decoy.get_or_init(|| h.0).clone()
            }
        };
        self.verify(password, &PasswordHash(decoy)).await.map(drop)
    }
}

/// A turn to hash: held until the hash is done.
struct Turn {
    _turn: OwnedSemaphorePermit,
    _in_lane: OwnedSemaphorePermit,
}

/// Run `work` on a thread that ends with it, off the async executor.
///
/// Not the runtime's blocking pool: an allocator keeps a thread's freed
/// blocks for that thread's next use, so argon2's 19 MiB per hash stayed with
/// every idle pool thread (measured: 50 registrations left the host at
/// 127 MiB instead of 23). A thread costs tens of microseconds; a hash,
/// tens of milliseconds.
async fn on_a_thread_of_its_own<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashingError> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("password-hash".to_owned())
        .spawn(move || {
            let _ = done.send(work());
        })
        .map_err(|e| HashingError::Failed(e.to_string()))?;
    result
        .await
        .map_err(|e| HashingError::Failed(e.to_string()))
}

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashingError {
    /// Too many passwords were being hashed at once, for longer than the
    /// [`HashingLimit`]'s wait: try again shortly.
    #[error("too many passwords are being hashed at once")]
    Busy,
    /// The hasher's thread died or the parameters are unusable.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = PasswordHasher::fast_insecure();
        let pw = Password::new("correct horse").unwrap();
        let hash = h.hash(&pw).await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert!(h.verify(&pw, &hash).await.unwrap());
        assert!(
            !h.verify(&Password::new("wrong horse").unwrap(), &hash)
                .await
                .unwrap()
        );
        assert!(
            !h.verify(&pw, &PasswordHash::from_phc("garbage"))
                .await
                .unwrap()
        );
        // Two hashes of one password differ (salted).
        assert_ne!(h.hash(&pw).await.unwrap(), hash);
    }

    #[tokio::test]
    async fn hashing_beyond_the_limit_waits_then_is_refused() {
        let limit = HashingLimit {
            concurrent: 1,
            wait: Duration::from_millis(50),
        };
        let h = PasswordHasher::fast_insecure().limited(limit);
        let pw = Password::new("correct horse").unwrap();
        // Every turn taken: a hash waits out the limit, then is refused.
        let held = h.turns.clone().acquire_owned().await.unwrap();
        assert_eq!(h.hash(&pw).await, Err(HashingError::Busy));
        assert_eq!(h.verify_decoy(&pw).await, Err(HashingError::Busy));
        // A turn freed within the wait is taken.
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            drop(held);
        });
        assert!(h.hash(&pw).await.is_ok());
        release.await.unwrap();
    }

    #[tokio::test]
    async fn a_flood_in_one_lane_leaves_a_turn_for_the_other() {
        let limit = HashingLimit {
            concurrent: 4,
            wait: Duration::from_millis(100),
        };
        let h = PasswordHasher::fast_insecure().limited(limit);
        let pw = Password::new("correct horse").unwrap();
        let hash = h.hash(&pw).await.unwrap();
        // Untrusted checks hold every turn they may: three of four.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(h.turn(HashingLane::Untrusted).await.unwrap());
        }
        assert!(matches!(
            h.turn(HashingLane::Untrusted).await,
            Err(HashingError::Busy)
        ));
        assert_eq!(h.verify(&pw, &hash).await, Err(HashingError::Busy));
        // A trusted check still gets the fourth turn.
        assert_eq!(
            h.verify_in(HashingLane::Trusted, &pw, &hash).await,
            Ok(true)
        );
        // And the reverse: trusted checks leave a turn for untrusted ones.
        drop(held);
        let mut trusted = Vec::new();
        for _ in 0..3 {
            trusted.push(h.turn(HashingLane::Trusted).await.unwrap());
        }
        assert!(matches!(
            h.turn(HashingLane::Trusted).await,
            Err(HashingError::Busy)
        ));
        assert_eq!(h.verify(&pw, &hash).await, Ok(true));
    }

    #[test]
    fn passwords_never_print() {
        let pw = Password::new("s3cret-value").unwrap();
        assert!(!format!("{pw:?}").contains("s3cret"));
        assert_eq!(Password::new("short"), Err(PasswordError::TooShort));
    }
}
