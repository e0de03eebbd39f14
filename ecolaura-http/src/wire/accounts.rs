//! Accounts and tokens.

use ecolaura_core::accounts::{Role, User};
use poem_openapi::{Enum, Object};

use super::text::{EmailRule, PersonNameRule, Text};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "Role", rename_all = "snake_case")]
pub(crate) enum RoleDto {
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
pub(crate) struct UserDto {
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
pub(crate) struct RegisterRequest {
    /// E-mail address; unique, case-insensitively.
    pub email: Text<EmailRule>,
    /// 8 to 1024 characters.
    #[oai(write_only, validator(min_length = "8", max_length = "1024"))]
    pub password: String,
    /// The person's name, 1..100 characters.
    pub name: Text<PersonNameRule>,
}

/// A new customer account, its field errors collected with their paths.
impl TryFrom<RegisterRequest> for ecolaura_core::accounts::NewAccount {
    type Error = crate::problem::Problem;

    fn try_from(input: RegisterRequest) -> Result<Self, Self::Error> {
        use ecolaura_core::accounts::{Password, Role};
        use ecolaura_core::domain::{Email, PersonName};
        let mut fields = super::Fields::default();
        let email = fields.check("email", Email::parse(&input.email));
        let password = fields.check("password", Password::new(input.password));
        let name = fields.check("name", PersonName::parse(&input.name));
        let (Some(email), Some(password), Some(name)) = (email, password, name) else {
            return Err(fields.into_problem());
        };
        Ok(Self {
            email,
            password,
            name,
            role: Role::Customer,
        })
    }
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
pub(crate) struct TokenRequest {
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
pub(crate) struct RefreshRequest {
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
pub(crate) struct TokenPair {
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

/// A refresh token whose session is to end.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "LogoutInput", example)]
pub(crate) struct LogoutRequest {
    /// The session's current refresh token.
    pub refresh: String,
}

impl LogoutRequest {
    pub(crate) fn sample() -> Self {
        Self {
            refresh: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…".into(),
        }
    }
}

/// The address to mail a password-reset token to.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PasswordResetInput", example)]
pub(crate) struct PasswordResetRequest {
    /// The account's e-mail address.
    #[oai(validator(max_length = "254"))]
    pub email: String,
}

impl PasswordResetRequest {
    pub(crate) fn sample() -> Self {
        Self {
            email: "ada@example.com".into(),
        }
    }
}

/// A reset token and the new password.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PasswordResetConfirmInput", example)]
pub(crate) struct PasswordResetConfirm {
    /// The token from the reset e-mail.
    #[oai(validator(max_length = "256"))]
    pub token: String,
    /// 8 to 1024 characters.
    #[oai(write_only, validator(min_length = "8", max_length = "1024"))]
    pub new_password: String,
}

impl PasswordResetConfirm {
    pub(crate) fn sample() -> Self {
        Self {
            token: "q3Vx1m0l3tAq9nQ2d4m2vX3b1kz9Qp8wZt0y7RcE4sU".into(),
            new_password: "a new correct horse".into(),
        }
    }
}

/// The signed-in user's current and new password.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PasswordChangeInput", example)]
pub(crate) struct PasswordChange {
    /// The password now.
    #[oai(write_only, validator(max_length = "1024"))]
    pub current_password: String,
    /// 8 to 1024 characters.
    #[oai(write_only, validator(min_length = "8", max_length = "1024"))]
    pub new_password: String,
}

impl PasswordChange {
    pub(crate) fn sample() -> Self {
        Self {
            current_password: "correct horse battery".into(),
            new_password: "a new correct horse".into(),
        }
    }
}

/// Changes to the signed-in user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ProfileInput", example)]
pub(crate) struct ProfileUpdate {
    /// The person's name, 1..100 characters.
    pub name: Text<PersonNameRule>,
}

impl ProfileUpdate {
    pub(crate) fn sample() -> Self {
        Self {
            name: "Ada King".into(),
        }
    }
}
