//! `/api/v1/auth/*` and `/api/v1/users/me`.

use std::sync::Arc;

use ecolaura_core::accounts::{NewAccount, Password, Role};
use ecolaura_core::auth::Actor;
use ecolaura_core::domain::{Email, PersonName};
use ecolaura_core::services::AccountError;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use crate::auth::{BearerAuth, IssuedTokens, TokenError};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{Fields, RefreshRequest, RegisterRequest, TokenPair, TokenRequest, UserDto};

/// Accounts and tokens.
pub struct AccountsApi {
    state: Arc<AppState>,
}

impl AccountsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum Registered {
    /// The account was made.
    #[oai(status = 201)]
    Created(Json<UserDto>),
}

#[derive(ApiResponse)]
enum Issued {
    /// A new access and refresh token.
    #[oai(status = 200)]
    Ok(Json<TokenPair>),
}

#[derive(ApiResponse)]
enum Me {
    /// The signed-in account.
    #[oai(status = 200)]
    Ok(Json<UserDto>),
}

fn pair(t: IssuedTokens) -> Issued {
    Issued::Ok(Json(TokenPair {
        access: t.access,
        refresh: t.refresh,
        token_type: "Bearer".to_owned(),
        expires_in: t.expires_in,
    }))
}

fn token_problem(e: TokenError) -> Problem {
    match e {
        TokenError::Signing => Problem::internal(&e),
        _ => Problem::unauthorized("The refresh token is invalid or expired."),
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AccountsApi {
    /// Register a customer account
    ///
    /// Anyone may register; the account is a customer. Staff accounts are
    /// made with `ecolaura users add --staff`.
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(&self, body: JsonBody<RegisterRequest>) -> Result<Registered, Problem> {
        let input = body.0;
        let mut fields = Fields::default();
        let email = fields.check("email", Email::parse(&input.email));
        let password = fields.check("password", Password::new(input.password));
        let name = fields.check("name", PersonName::parse(&input.name));
        let (Some(email), Some(password), Some(name)) = (email, password, name) else {
            return Err(fields.into_problem());
        };
        let account = NewAccount {
            email,
            password,
            name,
            role: Role::Customer,
        };
        let user = self
            .state
            .app
            .accounts()
            .register(&Actor::Anonymous, account)
            .await?;
        Ok(Registered::Created(Json(user.into())))
    }

    /// Sign in: exchange an e-mail address and password for tokens
    ///
    /// After 10 failed logins for one address within 15 minutes, every login
    /// for it is refused with 429 until the window has passed.
    #[oai(path = "/auth/token", method = "post", operation_id = "obtain_token")]
    async fn token(&self, body: JsonBody<TokenRequest>) -> Result<Issued, Problem> {
        let input = body.0;
        // Lengths are bounded by the schema (422 before this point); an
        // address that is not one cannot have an account, and is not counted.
        let (Ok(email), Ok(password)) = (
            Email::parse(&input.email),
            Password::for_login(input.password),
        ) else {
            tracing::info!("login refused");
            return Err(Problem::unauthorized("Invalid e-mail address or password."));
        };
        let throttle = &self.state.throttle;
        if let Err(wait) = throttle.check(&email) {
            return Err(Problem::too_many_requests(
                "Too many failed logins for this address; try again later.",
                wait.as_secs(),
            ));
        }
        let user = self
            .state
            .app
            .accounts()
            .authenticate(&email, &password)
            .await;
        match user {
            Ok(user) => self
                .state
                .tokens
                .issue(&user)
                .map(pair)
                .map_err(token_problem),
            Err(AccountError::InvalidCredentials) => {
                throttle.record_failure(&email);
                tracing::info!("login refused");
                Err(Problem::unauthorized("Invalid e-mail address or password."))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Exchange a refresh token for a new pair
    #[oai(
        path = "/auth/token/refresh",
        method = "post",
        operation_id = "refresh_token"
    )]
    async fn refresh(&self, body: JsonBody<RefreshRequest>) -> Result<Issued, Problem> {
        let user_id = self
            .state
            .tokens
            .verify_refresh(&body.0.refresh)
            .map_err(token_problem)?;
        let user = self.state.app.accounts().user(user_id).await?;
        self.state
            .tokens
            .issue(&user)
            .map(pair)
            .map_err(token_problem)
    }

    /// The signed-in account
    #[oai(path = "/users/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: BearerAuth) -> Result<Me, Problem> {
        let user = self.state.app.accounts().me(&auth.0).await?;
        Ok(Me::Ok(Json(user.into())))
    }
}
