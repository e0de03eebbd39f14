//! Access, refresh and device tokens: HS256 JWTs, validated strictly.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::accounts::{DeviceClaim, RefreshClaim, Role};
use ecolaura_core::domain::{SessionId, UserId};
use ecolaura_core::ports::Clock;
use ecolaura_core::services::SignedIn;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The smallest secret accepted: 32 bytes, the size of an HS256 key.
pub const MIN_SECRET_BYTES: usize = 32;

/// The HMAC key that signs tokens. Its `Debug` never shows it.
#[derive(Clone)]
pub struct JwtSecret(Arc<[u8]>);

impl JwtSecret {
    /// A secret from configuration.
    ///
    /// # Errors
    /// When shorter than [`MIN_SECRET_BYTES`].
    pub fn new(secret: &[u8]) -> Result<Self, SecretTooShort> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretTooShort);
        }
        Ok(Self(secret.into()))
    }

    /// A random secret (for development: tokens die with the process).
    ///
    /// # Errors
    /// When the operating system has no randomness to give.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes.into()))
    }

    /// The key that seals API v2's cursors, derived from this secret, so
    /// that every host of a shop accepts the cursors of the others.
    pub(crate) fn cursor_key(&self) -> ecolaura_core::domain::CursorKey {
        ecolaura_core::domain::CursorKey::derive(&self.0)
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(…)")
    }
}

/// The secret is shorter than [`MIN_SECRET_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes")]
pub struct SecretTooShort;

/// Which kind of token a JWT is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenType {
    /// Authorizes requests; short-lived.
    Access,
    /// Buys a new pair; long-lived.
    Refresh,
    /// Says that a client signed in to an account before (a device cookie);
    /// authorizes nothing.
    Device,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    sub: uuid::Uuid,
    role: String,
    typ: TokenType,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
    /// A token's own id (RFC 7519 §4.1.7); for a refresh token, the
    /// session's current refresh-token id.
    jti: uuid::Uuid,
    /// The login session.
    sid: uuid::Uuid,
    /// Not before; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
}

/// What a device token claims: no role, no session (it authorizes
/// nothing), so that it can never pass for an access or refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct DeviceClaims {
    sub: uuid::Uuid,
    typ: TokenType,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
    /// The device's id.
    jti: uuid::Uuid,
}

/// The `typ` header of an access token (RFC 9068 §2.1).
const ACCESS_TOKEN_HEADER_TYPE: &str = "at+jwt";

/// How far in the future a token's `iat` or `nbf` may be: clock skew
/// between hosts, no more.
const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// Token settings.
#[derive(Debug, Clone)]
pub struct TokenConfig {
    /// The signing key.
    pub secret: JwtSecret,
    /// The `iss` claim written and required.
    pub issuer: String,
    /// The `aud` claim written and required (`ECOLAURA_JWT_AUDIENCE`).
    pub audience: String,
    /// Access token lifetime (15 minutes).
    pub access_ttl: Duration,
    /// Refresh token lifetime (7 days).
    pub refresh_ttl: Duration,
    /// Device token lifetime (90 days): how long a client that signed in
    /// stays a known device without signing in again.
    pub device_ttl: Duration,
}

impl TokenConfig {
    /// Settings with the default issuer and audience (`ecolaura`) and lifetimes.
    pub fn new(secret: JwtSecret) -> Self {
        Self {
            secret,
            issuer: "ecolaura".to_owned(),
            audience: "ecolaura".to_owned(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            device_ttl: Duration::from_secs(90 * 24 * 3600),
        }
    }
}

/// A freshly issued pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IssuedTokens {
    /// The access token.
    pub access: String,
    /// The refresh token.
    pub refresh: String,
    /// The access token's lifetime in seconds.
    pub expires_in: u64,
}

/// Why a token was refused. Every case is a 401; the variants are for logs
/// and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    /// Bad signature, other algorithm, malformed, wrong issuer, missing claim.
    #[error("invalid token")]
    Invalid,
    /// Past its `exp`.
    #[error("expired token")]
    Expired,
    /// An access token where a refresh token was needed, or the reverse.
    #[error("wrong kind of token")]
    WrongType,
    /// Signing failed.
    #[error("token could not be signed")]
    Signing,
}

/// What a valid access token claims: whose, in which session. The role in
/// the token is not trusted; the session's current role is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AccessClaim {
    /// The token's subject.
    pub user_id: UserId,
    /// The token's `sid`.
    pub session_id: SessionId,
}

/// Issues and checks tokens.
#[derive(Clone)]
pub(crate) struct Tokens {
    config: TokenConfig,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: Arc<dyn Clock>,
}

impl Tokens {
    /// Tokens signed with `config.secret`, timed by `clock`.
    pub(crate) fn new(config: TokenConfig, clock: Arc<dyn Clock>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.issuer.as_str()]);
        validation.set_audience(&[config.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
        // Times are checked against the shop's clock below, without leeway.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            encoding: EncodingKey::from_secret(&config.secret.0),
            decoding: DecodingKey::from_secret(&config.secret.0),
            validation,
            config,
            clock,
        }
    }

    /// A new access token, and the refresh token that is current in the
    /// session, for a session just opened or refreshed.
    ///
    /// # Errors
    /// [`TokenError::Signing`].
    pub(crate) fn issue(&self, signed_in: &SignedIn) -> Result<IssuedTokens, TokenError> {
        let (user, session) = (&signed_in.user, &signed_in.session);
        let minted = |typ, ttl, jti| Minted {
            user: user.id,
            role: user.role,
            session: session.id,
            typ,
            ttl,
            jti,
        };
        let access = self.sign(minted(
            TokenType::Access,
            self.config.access_ttl,
            uuid::Uuid::new_v4(),
        ))?;
        let refresh = self.sign(minted(
            TokenType::Refresh,
            self.config.refresh_ttl,
            session.refresh_token_id,
        ))?;
        Ok(IssuedTokens {
            access,
            refresh,
            expires_in: self.config.access_ttl.as_secs(),
        })
    }

    /// How long a device token lives.
    pub(crate) fn device_ttl(&self) -> Duration {
        self.config.device_ttl
    }

    /// A device token for `device`, valid [`TokenConfig::device_ttl`].
    ///
    /// # Errors
    /// [`TokenError::Signing`].
    pub(crate) fn issue_device(&self, device: DeviceClaim) -> Result<String, TokenError> {
        let now = self.clock.now().timestamp();
        let claims = DeviceClaims {
            sub: device.user_id.as_uuid(),
            typ: TokenType::Device,
            iat: now,
            exp: now.saturating_add(seconds(self.config.device_ttl)),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            jti: device.device_id,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Signing)
    }

    /// The account and device a device token names.
    ///
    /// # Errors
    /// Any [`TokenError`] but `Signing`, by the rules of access and refresh
    /// tokens.
    pub(crate) fn verify_device(&self, token: &str) -> Result<DeviceClaim, TokenError> {
        if has_critical_header(token) {
            return Err(TokenError::Invalid);
        }
        let data = jsonwebtoken::decode::<DeviceClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        self.check_times(claims.iat, None, claims.exp, self.config.device_ttl)?;
        if claims.typ != TokenType::Device
            || data.header.typ.as_deref() == Some(ACCESS_TOKEN_HEADER_TYPE)
        {
            return Err(TokenError::WrongType);
        }
        Ok(DeviceClaim {
            user_id: UserId::from_uuid(claims.sub),
            device_id: claims.jti,
        })
    }

    /// The time rules of every token: `iat` and `nbf` not in the future
    /// (beyond clock skew), a lifetime no longer than `ttl`, not expired.
    fn check_times(
        &self,
        iat: i64,
        nbf: Option<i64>,
        exp: i64,
        ttl: Duration,
    ) -> Result<(), TokenError> {
        let now = self.clock.now().timestamp();
        let from_the_future = |t: i64| t > now.saturating_add(MAX_CLOCK_SKEW_SECS);
        if from_the_future(iat)
            || nbf.is_some_and(from_the_future)
            || exp.saturating_sub(iat) > seconds(ttl)
        {
            return Err(TokenError::Invalid);
        }
        if exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    fn sign(&self, m: Minted) -> Result<String, TokenError> {
        let now = self.clock.now().timestamp();
        let claims = Claims {
            sub: m.user.as_uuid(),
            role: m.role.as_str().to_owned(),
            typ: m.typ,
            iat: now,
            exp: now.saturating_add(seconds(m.ttl)),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            jti: m.jti,
            sid: m.session.as_uuid(),
            nbf: None,
        };
        let mut header = Header::new(Algorithm::HS256);
        if m.typ == TokenType::Access {
            header.typ = Some(ACCESS_TOKEN_HEADER_TYPE.to_owned());
        }
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(|_| TokenError::Signing)
    }

    /// Whose session an access token is for. Whether the session is live,
    /// and the role that counts, are the accounts service's to say.
    ///
    /// # Errors
    /// Any [`TokenError`] but `Signing`.
    pub(crate) fn verify_access(&self, token: &str) -> Result<AccessClaim, TokenError> {
        self.verify(token, TokenType::Access).map(|c| AccessClaim {
            user_id: UserId::from_uuid(c.sub),
            session_id: SessionId::from_uuid(c.sid),
        })
    }

    /// What a refresh token claims: user, session and token id.
    ///
    /// # Errors
    /// Any [`TokenError`] but `Signing`.
    pub(crate) fn verify_refresh(&self, token: &str) -> Result<RefreshClaim, TokenError> {
        self.verify(token, TokenType::Refresh)
            .map(|c| RefreshClaim {
                user_id: UserId::from_uuid(c.sub),
                session_id: SessionId::from_uuid(c.sid),
                token_id: c.jti,
            })
    }

    fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        if has_critical_header(token) {
            // RFC 7515 §4.1.11: no extension is understood here, so any
            // `crit` makes the token invalid.
            return Err(TokenError::Invalid);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        let header_says_access = data.header.typ.as_deref() == Some(ACCESS_TOKEN_HEADER_TYPE);
        let claims = data.claims;
        let ttl = match claims.typ {
            TokenType::Access => self.config.access_ttl,
            TokenType::Refresh => self.config.refresh_ttl,
            TokenType::Device => return Err(TokenError::WrongType),
        };
        self.check_times(claims.iat, claims.nbf, claims.exp, ttl)?;
        if claims.typ != expected || header_says_access != (claims.typ == TokenType::Access) {
            return Err(TokenError::WrongType);
        }
        claims
            .role
            .parse::<Role>()
            .map_err(|_| TokenError::Invalid)?;
        Ok(claims)
    }
}

/// A lifetime in whole seconds, for claims.
fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// What one token is minted with.
struct Minted {
    user: UserId,
    role: Role,
    session: SessionId,
    typ: TokenType,
    ttl: Duration,
    jti: uuid::Uuid,
}

/// Whether the token's header carries `crit`; an unreadable header counts
/// as carrying it (the signature check would refuse it anyway).
fn has_critical_header(token: &str) -> bool {
    use base64::Engine as _;
    let Some(encoded) = token.split('.').next() else {
        return true;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded) else {
        return true;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_or(true, |header| header.get("crit").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecolaura_core::accounts::{PasswordHash, Session, User};
    use ecolaura_core::domain::{Email, PersonName};
    use ecolaura_core::memory::ManualClock;

    fn user(role: Role) -> SignedIn {
        let user = User {
            id: UserId::new(),
            email: Email::parse("a@example.com").unwrap(),
            name: PersonName::parse("A").unwrap(),
            role,
            password_hash: PasswordHash::from_phc("x"),
            created_at: chrono::Utc::now(),
        };
        let session = Session::open(user.id, chrono::Utc::now(), Duration::from_secs(60));
        SignedIn { user, session }
    }

    fn tokens(clock: Arc<ManualClock>, secret: &[u8]) -> Tokens {
        Tokens::new(TokenConfig::new(JwtSecret::new(secret).unwrap()), clock)
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn an_access_token_names_its_user_and_role() {
        let t = tokens(Arc::new(ManualClock::default()), SECRET);
        let u = user(Role::Staff);
        let issued = t.issue(&u).unwrap();
        let access = t.verify_access(&issued.access).unwrap();
        assert_eq!(access.user_id, u.user.id);
        assert_eq!(access.session_id, u.session.id);
        let refresh = t.verify_refresh(&issued.refresh).unwrap();
        assert_eq!(refresh.user_id, u.user.id);
        assert_eq!(refresh.session_id, u.session.id);
        assert_eq!(refresh.token_id, u.session.refresh_token_id);
        assert_eq!(issued.expires_in, 900);
    }

    #[test]
    fn a_refresh_token_is_not_an_access_token_and_the_reverse() {
        let t = tokens(Arc::new(ManualClock::default()), SECRET);
        let issued = t.issue(&user(Role::Customer)).unwrap();
        assert_eq!(t.verify_access(&issued.refresh), Err(TokenError::WrongType));
        assert_eq!(t.verify_refresh(&issued.access), Err(TokenError::WrongType));
    }

    #[test]
    fn a_device_token_names_its_device_and_passes_for_no_other_token() {
        let clock = Arc::new(ManualClock::default());
        let t = tokens(clock.clone(), SECRET);
        let device = DeviceClaim {
            user_id: UserId::new(),
            device_id: uuid::Uuid::new_v4(),
        };
        let token = t.issue_device(device).unwrap();
        assert_eq!(t.verify_device(&token), Ok(device));
        assert_eq!(t.verify_access(&token), Err(TokenError::Invalid));
        assert_eq!(t.verify_refresh(&token), Err(TokenError::Invalid));
        let issued = t.issue(&user(Role::Customer)).unwrap();
        assert_eq!(t.verify_device(&issued.access), Err(TokenError::WrongType));
        assert_eq!(t.verify_device(&issued.refresh), Err(TokenError::WrongType));
        let other = tokens(clock.clone(), b"another secret of thirty-two bytes!!");
        assert_eq!(other.verify_device(&token), Err(TokenError::Invalid));
        clock.advance(Duration::from_secs(90 * 24 * 3600));
        assert_eq!(t.verify_device(&token), Err(TokenError::Expired));
    }

    #[test]
    fn tokens_expire_on_the_second() {
        let clock = Arc::new(ManualClock::default());
        let t = tokens(clock.clone(), SECRET);
        let issued = t.issue(&user(Role::Customer)).unwrap();
        clock.advance(Duration::from_secs(15 * 60 - 1));
        assert!(t.verify_access(&issued.access).is_ok());
        clock.advance(Duration::from_secs(1));
        assert_eq!(t.verify_access(&issued.access), Err(TokenError::Expired));
        assert!(t.verify_refresh(&issued.refresh).is_ok());
    }

    #[test]
    fn another_key_another_issuer_or_another_algorithm_is_refused() {
        let clock = Arc::new(ManualClock::default());
        let ours = tokens(clock.clone(), SECRET);
        let theirs = tokens(clock.clone(), b"another secret that is long enough!!");
        let issued = theirs.issue(&user(Role::Staff)).unwrap();
        assert_eq!(ours.verify_access(&issued.access), Err(TokenError::Invalid));

        let mut other_issuer = TokenConfig::new(JwtSecret::new(SECRET).unwrap());
        other_issuer.issuer = "someone-else".into();
        let issued = Tokens::new(other_issuer, clock.clone())
            .issue(&user(Role::Staff))
            .unwrap();
        assert_eq!(ours.verify_access(&issued.access), Err(TokenError::Invalid));

        let now = clock.now().timestamp();
        let claims = Claims {
            sub: uuid::Uuid::now_v7(),
            role: "staff".into(),
            typ: TokenType::Access,
            iat: now,
            exp: now + 60,
            iss: "ecolaura".into(),
            aud: "ecolaura".into(),
            jti: uuid::Uuid::new_v4(),
            sid: uuid::Uuid::now_v7(),
            nbf: None,
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(ours.verify_access(&hs512), Err(TokenError::Invalid));
        // alg "none": header and claims, no signature.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            hs512.split('.').nth(1).unwrap()
        );
        assert_eq!(ours.verify_access(&none), Err(TokenError::Invalid));
    }

    /// A token signed (HS256) with our key, its header and claims exactly as given.
    fn forged(header: serde_json::Value, claims: serde_json::Value) -> String {
        use base64::Engine as _;
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
        };
        let signing_input = format!("{}.{}", b64(&header), b64(&claims));
        let signature = jsonwebtoken::crypto::sign(
            signing_input.as_bytes(),
            &EncodingKey::from_secret(SECRET),
            Algorithm::HS256,
        )
        .unwrap();
        format!("{signing_input}.{signature}")
    }

    fn claims(now: i64) -> serde_json::Value {
        serde_json::json!({
            "sub": uuid::Uuid::now_v7(), "role": "customer", "typ": "access",
            "iat": now, "exp": now + 900, "iss": "ecolaura", "aud": "ecolaura",
            "jti": uuid::Uuid::new_v4(), "sid": uuid::Uuid::now_v7(),
        })
    }

    #[test]
    fn each_case_that_api_md_lists_is_refused() {
        let clock = Arc::new(ManualClock::default());
        let t = tokens(clock.clone(), SECRET);
        let now = clock.now().timestamp();
        let at = serde_json::json!({"alg": "HS256", "typ": "at+jwt"});
        // The well-formed token passes, so each refusal below is for its one change.
        assert!(t.verify_access(&forged(at.clone(), claims(now))).is_ok());
        let with = |key: &str, value: serde_json::Value| {
            let mut c = claims(now);
            c[key] = value;
            c
        };
        let without = |key: &str| {
            let mut c = claims(now);
            c.as_object_mut().unwrap().remove(key);
            c
        };
        let cases = [
            (
                "iat 61 s ahead",
                forged(at.clone(), with("iat", (now + 61).into())),
            ),
            (
                "nbf 61 s ahead",
                forged(at.clone(), with("nbf", (now + 61).into())),
            ),
            (
                "a lifetime over 15 minutes",
                forged(at.clone(), with("exp", (now + 901).into())),
            ),
            (
                "another audience",
                forged(at.clone(), with("aud", "someone-else".into())),
            ),
            ("no audience", forged(at.clone(), without("aud"))),
            ("no jti", forged(at.clone(), without("jti"))),
            ("no sid", forged(at.clone(), without("sid"))),
            (
                "a crit header",
                forged(
                    serde_json::json!({"alg": "HS256", "typ": "at+jwt", "crit": ["exp"]}),
                    claims(now),
                ),
            ),
            (
                "a plain JWT header",
                forged(
                    serde_json::json!({"alg": "HS256", "typ": "JWT"}),
                    claims(now),
                ),
            ),
            (
                "no typ header",
                forged(serde_json::json!({"alg": "HS256"}), claims(now)),
            ),
        ];
        for (what, token) in cases {
            assert!(
                t.verify_access(&token).is_err(),
                "accepted a token with {what}"
            );
        }
        // Up to 60 s of clock skew is tolerated.
        assert!(
            t.verify_access(&forged(at, with("iat", (now + 60).into())))
                .is_ok()
        );
    }

    #[test]
    fn an_access_token_header_says_at_jwt_and_a_refresh_token_does_not() {
        let t = tokens(Arc::new(ManualClock::default()), SECRET);
        let issued = t.issue(&user(Role::Customer)).unwrap();
        let typ = |token: &str| jsonwebtoken::decode_header(token).unwrap().typ;
        assert_eq!(typ(&issued.access).as_deref(), Some("at+jwt"));
        assert_ne!(typ(&issued.refresh).as_deref(), Some("at+jwt"));
    }

    #[test]
    fn a_short_secret_is_refused_and_debug_hides_the_secret() {
        assert_eq!(JwtSecret::new(b"short").unwrap_err(), SecretTooShort);
        let s = JwtSecret::new(SECRET).unwrap();
        assert!(!format!("{s:?}").contains("0123"));
    }
}
