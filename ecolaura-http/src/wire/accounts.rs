//! Accounts and tokens.

use ecolaura_core::accounts::{Role, User};
use poem_openapi::{Enum, Object};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "Role", rename_all = "snake_case")]
pub enum RoleDto {
    /// Anyone who registers: orders and sees their own orders.
    Customer,
    /// Shop staff: manages the catalog and every order.
    Staff,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Customer => Self::Customer,
            Role::Staff => Self::Staff,
        }
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "User", example)]
pub struct UserDto {
    /// The account's id (UUID v7).
    pub id: uuid::Uuid,
    /// E-mail address, lowercased.
    pub email: String,
    /// The person's name.
    pub name: String,
    // No field doc: a described `$ref` becomes `allOf`, which generators
    // refuse for enums; the enum's own schema carries the description.
    #[allow(missing_docs)]
    pub role: RoleDto,
    /// When the account was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl UserDto {
    pub(crate) fn sample() -> Self {
        Self {
            id: uuid::Uuid::from_u128(0x019a_b5bf_0000_7000_8000_0000_0000_0003),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: RoleDto::Customer,
            created_at: "2026-11-24T09:30:00Z".parse().unwrap_or_default(),
        }
    }
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.as_uuid(),
            email: u.email.into(),
            name: u.name.as_str().to_owned(),
            role: u.role.into(),
            created_at: u.created_at,
        }
    }
}

/// A new customer account.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "RegisterInput", example)]
pub struct RegisterRequest {
    /// E-mail address; unique, case-insensitively.
    #[oai(validator(max_length = "254"))]
    pub email: String,
    /// 8 to 1024 characters.
    #[oai(write_only, validator(min_length = "8", max_length = "1024"))]
    pub password: String,
    /// The person's name, 1..100 characters.
    #[oai(validator(min_length = "1", max_length = "100"))]
    pub name: String,
}

impl RegisterRequest {
    pub(crate) fn sample() -> Self {
        Self {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
            name: "Ada".into(),
        }
    }
}

/// Credentials to exchange for tokens.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "TokenInput", example)]
pub struct TokenRequest {
    /// The account's e-mail address.
    #[oai(validator(max_length = "254"))]
    pub email: String,
    /// The account's password.
    #[oai(write_only, validator(max_length = "1024"))]
    pub password: String,
}

impl TokenRequest {
    pub(crate) fn sample() -> Self {
        Self {
            email: "ada@example.com".into(),
            password: "correct horse battery".into(),
        }
    }
}

/// A refresh token to exchange for new tokens.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "RefreshInput", example)]
pub struct RefreshRequest {
    /// The refresh token from an earlier token response.
    pub refresh: String,
}

impl RefreshRequest {
    pub(crate) fn sample() -> Self {
        Self {
            refresh: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…".into(),
        }
    }
}

/// An access and a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "TokenPair", example)]
pub struct TokenPair {
    /// The access token: send it as `Authorization: Bearer <access>`.
    pub access: String,
    /// The refresh token: exchange it at `/api/v1/auth/token/refresh`.
    pub refresh: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl TokenPair {
    pub(crate) fn sample() -> Self {
        Self {
            access: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…".into(),
            refresh: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
        }
    }
}
