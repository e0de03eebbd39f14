//! Access and refresh tokens: HS256 JWTs, validated strictly.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::accounts::{Role, User};
use ecolaura_core::auth::Actor;
use ecolaura_core::domain::UserId;
use ecolaura_core::ports::Clock;
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

/// Which of the two tokens a JWT is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    /// Authorizes requests; short-lived.
    Access,
    /// Buys a new pair; long-lived.
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    sub: uuid::Uuid,
    role: String,
    typ: TokenType,
    iat: i64,
    exp: i64,
    iss: String,
}

/// Token settings.
#[derive(Debug, Clone)]
pub struct TokenConfig {
    /// The signing key.
    pub secret: JwtSecret,
    /// The `iss` claim written and required.
    pub issuer: String,
    /// Access token lifetime (15 minutes).
    pub access_ttl: Duration,
    /// Refresh token lifetime (7 days).
    pub refresh_ttl: Duration,
}

impl TokenConfig {
    /// Settings with the default issuer (`ecolaura`) and lifetimes.
    pub fn new(secret: JwtSecret) -> Self {
        Self {
            secret,
            issuer: "ecolaura".to_owned(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A freshly issued pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
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
pub enum TokenError {
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

/// Issues and checks tokens.
#[derive(Clone)]
pub struct Tokens {
    config: TokenConfig,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: Arc<dyn Clock>,
}

impl Tokens {
    /// Tokens signed with `config.secret`, timed by `clock`.
    pub fn new(config: TokenConfig, clock: Arc<dyn Clock>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[config.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        // Expiry is checked against the shop's clock below, without leeway.
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(&config.secret.0),
            decoding: DecodingKey::from_secret(&config.secret.0),
            validation,
            config,
            clock,
        }
    }

    /// A new access and refresh token for `user`.
    ///
    /// # Errors
    /// [`TokenError::Signing`].
    pub fn issue(&self, user: &User) -> Result<IssuedTokens, TokenError> {
        let access = self.sign(
            user.id,
            user.role,
            TokenType::Access,
            self.config.access_ttl,
        )?;
        let refresh = self.sign(
            user.id,
            user.role,
            TokenType::Refresh,
            self.config.refresh_ttl,
        )?;
        Ok(IssuedTokens {
            access,
            refresh,
            expires_in: self.config.access_ttl.as_secs(),
        })
    }

    fn sign(
        &self,
        user: UserId,
        role: Role,
        typ: TokenType,
        ttl: Duration,
    ) -> Result<String, TokenError> {
        let now = self.clock.now().timestamp();
        let claims = Claims {
            sub: user.as_uuid(),
            role: role.as_str().to_owned(),
            typ,
            iat: now,
            exp: now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
            iss: self.config.issuer.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Signing)
    }

    /// The actor an access token stands for.
    ///
    /// # Errors
    /// Any [`TokenError`] but `Signing`.
    pub fn verify_access(&self, token: &str) -> Result<Actor, TokenError> {
        self.verify(token, TokenType::Access)
            .map(|(id, role)| Actor::User { id, role })
    }

    /// The user a refresh token was issued to.
    ///
    /// # Errors
    /// Any [`TokenError`] but `Signing`.
    pub fn verify_refresh(&self, token: &str) -> Result<UserId, TokenError> {
        self.verify(token, TokenType::Refresh).map(|(id, _)| id)
    }

    fn verify(&self, token: &str, expected: TokenType) -> Result<(UserId, Role), TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if claims.exp <= self.clock.now().timestamp() {
            return Err(TokenError::Expired);
        }
        if claims.typ != expected {
            return Err(TokenError::WrongType);
        }
        let role = claims
            .role
            .parse::<Role>()
            .map_err(|_| TokenError::Invalid)?;
        Ok((UserId::from_uuid(claims.sub), role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecolaura_core::accounts::PasswordHash;
    use ecolaura_core::domain::{Email, PersonName};
    use ecolaura_core::memory::ManualClock;

    fn user(role: Role) -> User {
        User {
            id: UserId::new(),
            email: Email::parse("a@example.com").unwrap(),
            name: PersonName::parse("A").unwrap(),
            role,
            password_hash: PasswordHash::from_phc("x"),
            created_at: chrono::Utc::now(),
        }
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
        assert_eq!(t.verify_access(&issued.access).unwrap(), Actor::staff(u.id));
        assert_eq!(t.verify_refresh(&issued.refresh).unwrap(), u.id);
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

    #[test]
    fn a_short_secret_is_refused_and_debug_hides_the_secret() {
        assert_eq!(JwtSecret::new(b"short").unwrap_err(), SecretTooShort);
        let s = JwtSecret::new(SECRET).unwrap();
        assert!(!format!("{s:?}").contains("0123"));
    }
}
