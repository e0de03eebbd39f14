//! The session store port: login sessions, password changes and reset tokens.

use async_trait::async_trait;
use uuid::Uuid;

use super::StoreError;
use crate::accounts::{PasswordHash, PasswordReset, ResetDigest, Revoke, Session};
use crate::domain::{SessionId, Timestamp, UserId};

/// Keeps login sessions and password-reset tokens, and changes passwords
/// together with the sessions that a change ends.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Store a new session.
    async fn insert_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this id, revoked and expired ones included.
    async fn get_session(&self, id: SessionId) -> Result<Option<Session>, StoreError>;

    /// Spend refresh token `spent` of session `id`: if the session is not
    /// revoked, not expired at `now` and `spent` is its current token, make
    /// `next` current and the session's expiry `expires_at`, and say `true`;
    /// otherwise change nothing and say `false`.
    ///
    /// # Concurrency
    /// Atomic: of concurrent calls spending one token, exactly one says `true`.
    async fn rotate_refresh_token(
        &self,
        id: SessionId,
        spent: Uuid,
        next: Uuid,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Revoke one session at `now`; `true` when it was live until now.
    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError>;

    /// Revoke `user`'s unrevoked sessions that `which` ends; how many.
    async fn revoke_sessions(
        &self,
        user: UserId,
        which: Revoke,
        now: Timestamp,
    ) -> Result<u64, StoreError>;

    /// Set `user`'s password hash and revoke the sessions `which` ends.
    /// `false` (and nothing changed) when there is no such user.
    ///
    /// # Concurrency
    /// Atomic: the new password and the revocation are one unit of work.
    async fn change_password(
        &self,
        user: UserId,
        hash: &PasswordHash,
        which: Revoke,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Store a reset token's record.
    async fn insert_password_reset(&self, reset: &PasswordReset) -> Result<(), StoreError>;

    /// How many of `user`'s reset tokens are unused and unexpired at `now`.
    async fn count_live_password_resets(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError>;

    /// Redeem a reset token: if `digest` names an unused token unexpired at
    /// `now`, mark it used, set its user's password hash and revoke every
    /// session of that user; the user, or `None` (and nothing changed).
    ///
    /// # Concurrency
    /// Atomic: of concurrent redemptions of one token, exactly one succeeds.
    async fn redeem_password_reset(
        &self,
        digest: &ResetDigest,
        hash: &PasswordHash,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError>;

    /// Delete sessions and reset tokens that expired or were revoked or used
    /// before `before`; how many rows went.
    async fn purge_sessions(&self, before: Timestamp) -> Result<u64, StoreError>;
}
