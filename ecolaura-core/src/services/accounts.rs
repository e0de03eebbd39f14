//! The accounts service: registration, login sessions, passwords, profile.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache as MokaCache;

use crate::accounts::{
    DeviceClaim, HashingLane, LoginLimits, NewAccount, Password, PasswordHasher, RefreshClaim,
    RefreshVerdict, ResetToken, Revoke, Role, Session, ThrottleKey, User, expiry, login_treatment,
    refresh_verdict,
};
use crate::auth::{AccessDenied, Action, Actor, authorize};
use crate::domain::{Email, PersonName, SessionId, Timestamp, UserId};
use crate::jobs::NewJob;
use crate::ports::{AccountStore, Clock, JobQueue, LoginThrottleStore, SessionStore};

use super::AccountError;

/// Session and login settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountsConfig {
    /// How long a session lasts after its last login or refresh: the refresh
    /// token's lifetime (7 days).
    pub session_lifetime: Duration,
    /// Failed logins that lock an address or a client.
    pub login_limits: LoginLimits,
    /// How long a host trusts what it read about a session (its role, that
    /// it is not revoked) before it reads again: 30 s at most.
    pub principal_ttl: Duration,
    /// How many sessions a host remembers at once.
    pub principal_capacity: u64,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::from_secs(7 * 24 * 3600),
            login_limits: LoginLimits::default(),
            principal_ttl: Duration::from_secs(30),
            principal_capacity: 100_000,
        }
    }
}

/// A session that was just opened or refreshed, with its user as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account, current role included.
    pub user: User,
    /// The session; its `refresh_token_id` is the one to hand out.
    pub session: Session,
}

/// A successful login: the session, and the device token to hand the client
/// (see [`crate::accounts::login_treatment`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedIn {
    /// The account and its new session.
    pub signed_in: SignedIn,
    /// The client's device, known from now on.
    pub device: DeviceClaim,
}

/// What a host knows about a live session: whose it is, in which role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Principal {
    user: UserId,
    role: Role,
    expires_at: Timestamp,
}

/// What a host read about a session, and when (by the shop's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    principal: Option<Principal>,
    read_at: Timestamp,
}

/// Where the stores of the accounts service are.
#[derive(Clone)]
pub struct AccountPorts {
    /// Users.
    pub users: Arc<dyn AccountStore>,
    /// Sessions, passwords, reset tokens.
    pub sessions: Arc<dyn SessionStore>,
    /// Failed logins.
    pub throttle: Arc<dyn LoginThrottleStore>,
    /// Where password-reset jobs go.
    pub queue: Arc<dyn JobQueue>,
}

/// Registration, authentication, sessions and profiles.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    sessions: Arc<dyn SessionStore>,
    throttle: Arc<dyn LoginThrottleStore>,
    queue: Arc<dyn JobQueue>,
    hasher: PasswordHasher,
    clock: Arc<dyn Clock>,
    config: AccountsConfig,
    principals: MokaCache<SessionId, Reading>,
}

impl Accounts {
    /// Wire the service.
    pub fn new(
        ports: AccountPorts,
        hasher: PasswordHasher,
        clock: Arc<dyn Clock>,
        config: AccountsConfig,
    ) -> Self {
        let principals = MokaCache::builder()
            .max_capacity(config.principal_capacity)
            .time_to_live(config.principal_ttl)
            .support_invalidation_closures()
            .build();
        Self {
            store: ports.users,
            sessions: ports.sessions,
            throttle: ports.throttle,
            queue: ports.queue,
            hasher,
            clock,
            config,
            principals,
        }
    }

    /// Make an account. Anyone may register a customer; only staff (or the
    /// system, e.g. the `users add` command) may make a staff account.
    ///
    /// # Errors
    /// [`AccountError::EmailTaken`] when the address is in use (case-insensitively).
    pub async fn register(&self, actor: &Actor, new: NewAccount) -> Result<User, AccountError> {
        if new.role == Role::Staff && !actor.is_privileged() {
            return Err(match actor {
                Actor::Anonymous => AccessDenied::Unauthenticated,
                _ => AccessDenied::Forbidden,
            }
            .into());
        }
        let user = User {
            id: UserId::new(),
            password_hash: self.hasher.hash(&new.password).await?,
            email: new.email,
            name: new.name,
            role: new.role,
            created_at: self.clock.now(),
        };
        self.store.insert_user(&user).await?;
        tracing::info!(user_id = %user.id, role = %user.role, "account registered");
        Ok(user)
    }

    /// The user with this address and password.
    ///
    /// Takes as long for an unknown address as for a wrong password, so the
    /// answer does not reveal which addresses have accounts. Counts nothing:
    /// [`Accounts::login`] is the throttled way in.
    ///
    /// # Errors
    /// [`AccountError::InvalidCredentials`] for an unknown address or a wrong password,
    /// [`AccountError::Hashing`] with [`HashingError::Busy`](crate::accounts::HashingError::Busy)
    /// when too many passwords are being checked at once.
    pub async fn authenticate(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<User, AccountError> {
        let account = self.store.find_user_by_email(email).await?;
        self.check_password(account, password, HashingLane::Untrusted)
            .await
    }

    /// `account` when `password` is its password, checked in `lane`; for no
    /// account, as long a check of a decoy.
    async fn check_password(
        &self,
        account: Option<User>,
        password: &Password,
        lane: HashingLane,
    ) -> Result<User, AccountError> {
        match account {
            Some(user) => {
                if self
                    .hasher
                    .verify_in(lane, password, &user.password_hash)
                    .await?
                {
                    Ok(user)
                } else {
                    Err(AccountError::InvalidCredentials)
                }
            }
            None => {
                self.hasher.verify_decoy(password).await?;
                Err(AccountError::InvalidCredentials)
            }
        }
    }

    /// Log in: check the throttle, check the password, count a failure or
    /// open a session.
    ///
    /// `device` is the device token the client presented, already verified
    /// by the host: when it names this address's account, the login is a
    /// known device's (counted under the device alone, its password checked
    /// in the trusted lane); otherwise it is counted under the address and
    /// the client address. See [`crate::accounts::login_treatment`].
    ///
    /// # Errors
    /// [`AccountError::Throttled`] when a key it counts under is locked
    /// (even with the right password), otherwise as [`Accounts::authenticate`].
    pub async fn login(
        &self,
        email: &Email,
        password: &Password,
        client: Option<IpAddr>,
        device: Option<DeviceClaim>,
    ) -> Result<LoggedIn, AccountError> {
        let account = self.store.find_user_by_email(email).await?;
        let treatment = login_treatment(email, client, device, account.as_ref().map(|u| u.id));
        self.check_throttle(&treatment.keys).await?;
        match self.check_password(account, password, treatment.lane).await {
            Ok(user) => {
                let session =
                    Session::open(user.id, self.clock.now(), self.config.session_lifetime);
                self.sessions.insert_session(&session).await?;
                tracing::info!(
                    user_id = %user.id,
                    session_id = %session.id,
                    known_device = treatment.device.is_some(),
                    "logged in"
                );
                let device = treatment.device_after_login(user.id);
                Ok(LoggedIn {
                    signed_in: SignedIn { user, session },
                    device,
                })
            }
            Err(AccountError::InvalidCredentials) => {
                self.throttle
                    .record_login_failure(&treatment.keys, self.clock.now())
                    .await?;
                tracing::info!("login refused");
                Err(AccountError::InvalidCredentials)
            }
            Err(e) => Err(e),
        }
    }

    async fn check_throttle(&self, keys: &[ThrottleKey]) -> Result<(), AccountError> {
        let limits = self.config.login_limits;
        let now = self.clock.now();
        let since = limits.window_start(now);
        for key in keys {
            let nth = self
                .throttle
                .nth_latest_login_failure(key, limits.limit(key), since)
                .await?;
            if let Some(until) = limits.locked_until(nth) {
                let retry_after = (until - now).to_std().unwrap_or_default();
                return Err(AccountError::Throttled {
                    retry_after: retry_after.max(Duration::from_secs(1)),
                });
            }
        }
        Ok(())
    }

    /// Spend a refresh token: the session, with a new current token.
    ///
    /// A token of the session that was spent before ends the whole session
    /// (reuse detection), as does losing a race to spend one token twice.
    ///
    /// # Errors
    /// [`AccountError::InvalidToken`] for a spent, revoked, expired or
    /// foreign token, or an account that is gone.
    pub async fn refresh(&self, claim: &RefreshClaim) -> Result<SignedIn, AccountError> {
        let now = self.clock.now();
        let session = self.sessions.get_session(claim.session_id).await?;
        match refresh_verdict(session.as_ref(), claim, now) {
            RefreshVerdict::Dead => Err(AccountError::InvalidToken),
            RefreshVerdict::Reused => {
                self.end_reused_session(claim).await?;
                Err(AccountError::InvalidToken)
            }
            RefreshVerdict::Current => {
                let Some(mut session) = session else {
                    return Err(AccountError::InvalidToken);
                };
                let Some(user) = self.store.get_user(claim.user_id).await? else {
                    return Err(AccountError::InvalidToken);
                };
                let next = uuid::Uuid::new_v4();
                let expires_at = expiry(now, self.config.session_lifetime);
                let rotated = self
                    .sessions
                    .rotate_refresh_token(session.id, claim.token_id, next, expires_at, now)
                    .await?;
                if !rotated {
                    // Spent by someone else between the read and the write.
                    self.end_reused_session(claim).await?;
                    return Err(AccountError::InvalidToken);
                }
                session.refresh_token_id = next;
                session.expires_at = expires_at;
                // What this host remembers of the session ends earlier.
                self.principals.invalidate(&session.id).await;
                Ok(SignedIn { user, session })
            }
        }
    }

    async fn end_reused_session(&self, claim: &RefreshClaim) -> Result<(), AccountError> {
        let now = self.clock.now();
        self.sessions.revoke_session(claim.session_id, now).await?;
        self.principals.invalidate(&claim.session_id).await;
        tracing::warn!(
            user_id = %claim.user_id,
            session_id = %claim.session_id,
            "a spent refresh token was presented again: the session is revoked"
        );
        Ok(())
    }

    /// End the session of a refresh token.
    ///
    /// # Errors
    /// [`AccountError::InvalidToken`] when the token is not the live current
    /// token of its session (a spent one ends the session all the same).
    pub async fn logout(&self, claim: &RefreshClaim) -> Result<(), AccountError> {
        let now = self.clock.now();
        let session = self.sessions.get_session(claim.session_id).await?;
        match refresh_verdict(session.as_ref(), claim, now) {
            RefreshVerdict::Dead => Err(AccountError::InvalidToken),
            RefreshVerdict::Reused => {
                self.end_reused_session(claim).await?;
                Err(AccountError::InvalidToken)
            }
            RefreshVerdict::Current => {
                self.sessions.revoke_session(claim.session_id, now).await?;
                self.principals.invalidate(&claim.session_id).await;
                tracing::info!(user_id = %claim.user_id, session_id = %claim.session_id, "logged out");
                Ok(())
            }
        }
    }

    /// End every session of the signed-in user.
    ///
    /// # Errors
    /// [`AccountError::Denied`] when anonymous.
    pub async fn logout_everywhere(&self, actor: &Actor) -> Result<(), AccountError> {
        let user = self.signed_in(actor)?;
        let ended = self
            .sessions
            .revoke_sessions(user, Revoke::All, self.clock.now())
            .await?;
        self.forget_sessions_of(user);
        tracing::info!(user_id = %user, sessions = ended, "logged out everywhere");
        Ok(())
    }

    /// The actor an access token of `session` stands for: its user in their
    /// current role, read from storage at most [`AccountsConfig::principal_ttl`]
    /// ago.
    ///
    /// # Errors
    /// [`AccountError::InvalidToken`] when the session is not live, is
    /// another user's, or its account is gone.
    pub async fn principal(&self, user: UserId, session: SessionId) -> Result<Actor, AccountError> {
        let now = self.clock.now();
        let ttl = chrono::Duration::from_std(self.config.principal_ttl).unwrap_or_default();
        let found = match self.principals.get(&session).await {
            // The cache's own time-to-live bounds memory; freshness is
            // judged by the shop's clock, like every other rule.
            Some(known) if now < known.read_at + ttl => known.principal,
            _ => {
                let principal = self.read_principal(session).await?;
                let reading = Reading {
                    principal,
                    read_at: now,
                };
                self.principals.insert(session, reading).await;
                principal
            }
        };
        match found {
            Some(p) if p.user == user && now < p.expires_at => Ok(Actor::User {
                id: p.user,
                role: p.role,
            }),
            _ => Err(AccountError::InvalidToken),
        }
    }

    async fn read_principal(&self, session: SessionId) -> Result<Option<Principal>, AccountError> {
        let Some(s) = self.sessions.get_session(session).await? else {
            return Ok(None);
        };
        if s.revoked_at.is_some() {
            return Ok(None);
        }
        let user = self.store.get_user(s.user_id).await?;
        Ok(user.map(|u| Principal {
            user: u.id,
            role: u.role,
            expires_at: s.expires_at,
        }))
    }

    /// Change the signed-in user's password; their other sessions end.
    ///
    /// # Errors
    /// [`AccountError::WrongPassword`] when `current` is not their password;
    /// [`AccountError::Hashing`] when hashing is busy;
    /// [`AccountError::Throttled`] when the account's address is locked: a
    /// wrong current password counts as a failed login for it, so that a
    /// stolen access token does not buy unlimited guesses at the password.
    pub async fn change_password(
        &self,
        actor: &Actor,
        session: SessionId,
        current: &Password,
        new: &Password,
    ) -> Result<(), AccountError> {
        let user = self.me(actor).await?;
        let keys = [ThrottleKey::email(&user.email)];
        self.check_throttle(&keys).await?;
        if !self.hasher.verify(current, &user.password_hash).await? {
            self.throttle
                .record_login_failure(&keys, self.clock.now())
                .await?;
            return Err(AccountError::WrongPassword);
        }
        let hash = self.hasher.hash(new).await?;
        let changed = self
            .sessions
            .change_password(user.id, &hash, Revoke::AllBut(session), self.clock.now())
            .await?;
        if !changed {
            return Err(AccountError::NotFound);
        }
        self.forget_sessions_of(user.id);
        tracing::info!(user_id = %user.id, "password changed; other sessions revoked");
        Ok(())
    }

    /// Ask for a password-reset e-mail to `email`. Always succeeds the same
    /// way: a job looks the account up and mails it, if there is one.
    ///
    /// # Errors
    /// Only when the job cannot be enqueued.
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), AccountError> {
        let now = self.clock.now();
        self.queue
            .enqueue(NewJob::password_reset(email, now), now)
            .await?;
        Ok(())
    }

    /// Set a new password with a reset token; every session of the account ends.
    ///
    /// # Errors
    /// [`AccountError::InvalidResetToken`] for an unknown, used or expired token.
    pub async fn reset_password(&self, token: &str, new: &Password) -> Result<(), AccountError> {
        let token = ResetToken::parse(token).map_err(|_| AccountError::InvalidResetToken)?;
        let hash = self.hasher.hash(new).await?;
        let user = self
            .sessions
            .redeem_password_reset(&token.digest(), &hash, self.clock.now())
            .await?
            .ok_or(AccountError::InvalidResetToken)?;
        self.forget_sessions_of(user);
        tracing::info!(user_id = %user, "password reset; every session revoked");
        Ok(())
    }

    /// Rename the signed-in user.
    ///
    /// # Errors
    /// [`AccountError::Denied`] when anonymous.
    pub async fn rename(&self, actor: &Actor, name: &PersonName) -> Result<User, AccountError> {
        let user = self.signed_in(actor)?;
        self.store
            .rename_user(user, name)
            .await?
            .ok_or(AccountError::NotFound)
    }

    /// The signed-in user's own account.
    ///
    /// # Errors
    /// [`AccountError::Denied`] when anonymous, [`AccountError::NotFound`]
    /// when the account no longer exists.
    pub async fn me(&self, actor: &Actor) -> Result<User, AccountError> {
        let id = self.signed_in(actor)?;
        self.user(id).await
    }

    /// Any user by id (for hosts resolving a token's subject, and jobs).
    ///
    /// # Errors
    /// [`AccountError::NotFound`] when there is none.
    pub async fn user(&self, id: UserId) -> Result<User, AccountError> {
        self.store.get_user(id).await?.ok_or(AccountError::NotFound)
    }

    /// The account of this e-mail address (compared case-insensitively),
    /// if there is one (staff or the system: tools that provision accounts).
    ///
    /// # Errors
    /// [`AccountError::Denied`] for anyone else.
    pub async fn find_by_email(
        &self,
        actor: &Actor,
        email: &Email,
    ) -> Result<Option<User>, AccountError> {
        if !actor.is_privileged() {
            return Err(crate::auth::AccessDenied::Forbidden.into());
        }
        Ok(self.store.find_user_by_email(email).await?)
    }

    fn signed_in(&self, actor: &Actor) -> Result<UserId, AccountError> {
        authorize(actor, Action::ReadOwnAccount)?;
        actor.user_id().ok_or(AccountError::NotFound)
    }

    /// Drop what this host remembers of `user`'s sessions (other hosts
    /// forget within [`AccountsConfig::principal_ttl`]).
    fn forget_sessions_of(&self, user: UserId) {
        let forgotten = self
            .principals
            .invalidate_entries_if(move |_, r| r.principal.is_none_or(|p| p.user == user));
        if let Err(e) = forgotten {
            // Only when invalidation closures are not enabled: a bug.
            tracing::error!(error = %e, "sessions could not be forgotten");
            self.principals.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonName;
    use crate::memory::ManualClock;
    use crate::ports::{
        MockAccountStore, MockJobQueue, MockLoginThrottleStore, MockSessionStore, StoreError,
        UniqueField,
    };
    use std::time::Duration;

    fn new_account(role: Role) -> NewAccount {
        NewAccount {
            email: Email::parse("ada@example.com").unwrap(),
            password: Password::new("correct horse").unwrap(),
            name: PersonName::parse("Ada").unwrap(),
            role,
        }
    }

    fn service(store: MockAccountStore) -> Accounts {
        Accounts::new(
            AccountPorts {
                users: Arc::new(store),
                sessions: Arc::new(MockSessionStore::new()),
                throttle: Arc::new(MockLoginThrottleStore::new()),
                queue: Arc::new(MockJobQueue::new()),
            },
            PasswordHasher::fast_insecure(),
            Arc::new(ManualClock::default()),
            AccountsConfig::default(),
        )
    }

    #[tokio::test]
    async fn registering_stores_a_hash_never_the_password() {
        let mut store = MockAccountStore::new();
        store
            .expect_insert_user()
            .withf(|u| {
                u.password_hash.as_phc().starts_with("$argon2id$")
                    && !u.password_hash.as_phc().contains("horse")
            })
            .times(1)
            .returning(|_| Ok(()));
        let user = service(store)
            .register(&Actor::Anonymous, new_account(Role::Customer))
            .await
            .unwrap();
        assert_eq!(user.role, Role::Customer);
    }

    #[tokio::test]
    async fn a_taken_email_is_reported_as_such() {
        let mut store = MockAccountStore::new();
        store
            .expect_insert_user()
            .returning(|_| Err(StoreError::Duplicate(UniqueField::UserEmail)));
        let err = service(store)
            .register(&Actor::Anonymous, new_account(Role::Customer))
            .await
            .unwrap_err();
        assert!(matches!(err, AccountError::EmailTaken));
    }

    #[tokio::test]
    async fn only_staff_or_the_system_make_staff() {
        let mut store = MockAccountStore::new();
        store.expect_insert_user().times(1).returning(|_| Ok(()));
        let s = service(store);
        let anon = s
            .register(&Actor::Anonymous, new_account(Role::Staff))
            .await
            .unwrap_err();
        assert!(matches!(
            anon,
            AccountError::Denied(AccessDenied::Unauthenticated)
        ));
        let customer = s
            .register(&Actor::customer(UserId::new()), new_account(Role::Staff))
            .await
            .unwrap_err();
        assert!(matches!(
            customer,
            AccountError::Denied(AccessDenied::Forbidden)
        ));
        assert!(
            s.register(&Actor::System, new_account(Role::Staff))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn unknown_address_and_wrong_password_look_the_same() {
        let hasher = PasswordHasher::fast_insecure();
        let hash = hasher
            .hash(&Password::new("correct horse").unwrap())
            .await
            .unwrap();
        let mut store = MockAccountStore::new();
        store.expect_find_user_by_email().returning(move |email| {
            Ok((email.as_str() == "ada@example.com").then(|| User {
                id: UserId::new(),
                email: email.clone(),
                name: PersonName::parse("Ada").unwrap(),
                role: Role::Customer,
                password_hash: hash.clone(),
                created_at: chrono::Utc::now(),
            }))
        });
        let s = service(store);
        let good = Password::for_login("correct horse").unwrap();
        let bad = Password::for_login("wrong").unwrap();
        assert!(
            s.authenticate(&Email::parse("ADA@example.com").unwrap(), &good)
                .await
                .is_ok()
        );
        let wrong_pw = s
            .authenticate(&Email::parse("ada@example.com").unwrap(), &bad)
            .await
            .unwrap_err();
        let no_user = s
            .authenticate(&Email::parse("bob@example.com").unwrap(), &good)
            .await
            .unwrap_err();
        assert!(matches!(wrong_pw, AccountError::InvalidCredentials));
        assert!(matches!(no_user, AccountError::InvalidCredentials));
    }

    fn session_of(user: UserId) -> Session {
        Session::open(user, chrono::Utc::now(), Duration::from_secs(3600))
    }

    fn with_sessions(store: MockAccountStore, sessions: MockSessionStore) -> Accounts {
        Accounts::new(
            AccountPorts {
                users: Arc::new(store),
                sessions: Arc::new(sessions),
                throttle: Arc::new(MockLoginThrottleStore::new()),
                queue: Arc::new(MockJobQueue::new()),
            },
            PasswordHasher::fast_insecure(),
            Arc::new(ManualClock::default()),
            AccountsConfig::default(),
        )
    }

    #[tokio::test]
    async fn the_role_that_counts_is_the_accounts_current_one() {
        let id = UserId::new();
        let session = session_of(id);
        let sid = session.id;
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_get_session()
            .returning(move |_| Ok(Some(session.clone())));
        let mut store = MockAccountStore::new();
        // The token was issued to a customer; the account is staff now.
        store.expect_get_user().returning(move |_| {
            Ok(Some(User {
                id,
                email: Email::parse("ada@example.com").unwrap(),
                name: PersonName::parse("Ada").unwrap(),
                role: Role::Staff,
                password_hash: crate::accounts::PasswordHash::from_phc("x"),
                created_at: chrono::Utc::now(),
            }))
        });
        let s = with_sessions(store, sessions);
        assert_eq!(s.principal(id, sid).await.unwrap(), Actor::staff(id));
        // Someone else's token naming this session is refused.
        assert!(matches!(
            s.principal(UserId::new(), sid).await,
            Err(AccountError::InvalidToken)
        ));
    }

    #[tokio::test]
    async fn a_revoked_session_or_a_missing_account_is_no_principal() {
        let id = UserId::new();
        let mut revoked = session_of(id);
        revoked.revoked_at = Some(chrono::Utc::now());
        let live = session_of(id);
        let (revoked_id, live_id) = (revoked.id, live.id);
        let mut sessions = MockSessionStore::new();
        sessions.expect_get_session().returning(move |sid| {
            Ok(Some(if sid == revoked_id {
                revoked.clone()
            } else {
                live.clone()
            }))
        });
        let mut store = MockAccountStore::new();
        store.expect_get_user().returning(|_| Ok(None));
        let s = with_sessions(store, sessions);
        for sid in [revoked_id, live_id] {
            assert!(matches!(
                s.principal(id, sid).await,
                Err(AccountError::InvalidToken)
            ));
        }
    }
}
