//! Login sessions and the rules of their refresh tokens.
//!
//! A login opens a [`Session`]. Its refresh token names the session and the
//! one refresh-token id that is current; a refresh spends that id and makes
//! a new one (rotation). Presenting a spent id again is reuse: someone holds
//! a copy of an old token, so the whole session ends (RFC 9700 §4.14.2).

use std::time::Duration;

use uuid::Uuid;

use crate::domain::{SessionId, Timestamp, UserId};

/// A login session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Identifier (the `sid` claim).
    pub id: SessionId,
    /// Whose session.
    pub user_id: UserId,
    /// The id (`jti`) of the one refresh token that may be spent next.
    pub refresh_token_id: Uuid,
    /// When the user logged in.
    pub created_at: Timestamp,
    /// When the session ends unless refreshed: the current refresh token's expiry.
    pub expires_at: Timestamp,
    /// When it was revoked (logout, reuse, password change), if it was.
    pub revoked_at: Option<Timestamp>,
}

impl Session {
    /// A new session for `user`, open until `now + lifetime`.
    pub fn open(user: UserId, now: Timestamp, lifetime: Duration) -> Self {
        Self {
            id: SessionId::new(),
            user_id: user,
            refresh_token_id: Uuid::new_v4(),
            created_at: now,
            expires_at: expiry(now, lifetime),
            revoked_at: None,
        }
    }

    /// Whether tokens of this session still count at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// When something that lives `lifetime` from `now` ends (the end of the
/// calendar if that overflows).
pub fn expiry(now: Timestamp, lifetime: Duration) -> Timestamp {
    chrono::Duration::from_std(lifetime)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// What a refresh token claims: whose session, and which of its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshClaim {
    /// The token's subject.
    pub user_id: UserId,
    /// The token's `sid`.
    pub session_id: SessionId,
    /// The token's `jti`.
    pub token_id: Uuid,
}

/// What presenting a refresh token means, given its session as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshVerdict {
    /// The current token of a live session: it may be spent.
    Current,
    /// A spent token of a live session: reuse, so the session must end.
    Reused,
    /// No such session, another user's, revoked or expired: refused, nothing to do.
    Dead,
}

/// The rule for a presented refresh token.
///
/// ```
/// use std::time::Duration;
/// use ecolaura_core::accounts::{RefreshClaim, RefreshVerdict, Session, refresh_verdict};
/// use ecolaura_core::domain::UserId;
/// let now = chrono::Utc::now();
/// let user = UserId::new();
/// let session = Session::open(user, now, Duration::from_secs(3600));
/// let claim = RefreshClaim { user_id: user, session_id: session.id, token_id: session.refresh_token_id };
/// assert_eq!(refresh_verdict(Some(&session), &claim, now), RefreshVerdict::Current);
/// let spent = RefreshClaim { token_id: uuid::Uuid::new_v4(), ..claim };
/// assert_eq!(refresh_verdict(Some(&session), &spent, now), RefreshVerdict::Reused);
/// assert_eq!(refresh_verdict(None, &claim, now), RefreshVerdict::Dead);
/// ```
pub fn refresh_verdict(
    session: Option<&Session>,
    claim: &RefreshClaim,
    now: Timestamp,
) -> RefreshVerdict {
    match session {
        Some(s) if s.user_id == claim.user_id && s.id == claim.session_id && s.is_live(now) => {
            if s.refresh_token_id == claim.token_id {
                RefreshVerdict::Current
            } else {
                RefreshVerdict::Reused
            }
        }
        _ => RefreshVerdict::Dead,
    }
}

/// Which sessions of a user a revocation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoke {
    /// Every one (logout-all, password reset).
    All,
    /// Every one but this (password change: the caller stays signed in).
    AllBut(SessionId),
}

impl Revoke {
    /// Whether `session` is ended by this revocation.
    pub fn ends(&self, session: SessionId) -> bool {
        match self {
            Revoke::All => true,
            Revoke::AllBut(kept) => *kept != session,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Session, RefreshClaim, Timestamp) {
        let now = chrono::Utc::now();
        let user = UserId::new();
        let s = Session::open(user, now, Duration::from_secs(60));
        let claim = RefreshClaim {
            user_id: user,
            session_id: s.id,
            token_id: s.refresh_token_id,
        };
        (s, claim, now)
    }

    #[test]
    fn a_revoked_or_expired_session_refuses_even_its_current_token() {
        let (mut s, claim, now) = setup();
        assert_eq!(
            refresh_verdict(Some(&s), &claim, now + chrono::Duration::seconds(60)),
            RefreshVerdict::Dead
        );
        s.revoked_at = Some(now);
        assert_eq!(refresh_verdict(Some(&s), &claim, now), RefreshVerdict::Dead);
    }

    #[test]
    fn another_users_claim_on_a_session_is_dead_not_reuse() {
        let (s, claim, now) = setup();
        let forged = RefreshClaim {
            user_id: UserId::new(),
            token_id: Uuid::new_v4(),
            ..claim
        };
        assert_eq!(
            refresh_verdict(Some(&s), &forged, now),
            RefreshVerdict::Dead
        );
    }

    #[test]
    fn revoking_all_but_one_keeps_that_one() {
        let kept = SessionId::new();
        assert!(!Revoke::AllBut(kept).ends(kept));
        assert!(Revoke::AllBut(kept).ends(SessionId::new()));
        assert!(Revoke::All.ends(kept));
    }
}
