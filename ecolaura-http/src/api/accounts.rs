//! `/api/v1/auth/*` and `/api/v1/users/me`.

use std::sync::Arc;

use ecolaura_core::accounts::DeviceClaim;
use ecolaura_core::accounts::{NewAccount, Password};
use ecolaura_core::auth::Actor;
use ecolaura_core::domain::{Email, PersonName};
use ecolaura_core::services::LoggedIn;
use ecolaura_core::services::{AccountError, SignedIn};
use poem::Request;
use poem::web::cookie::{Cookie as SetCookie, SameSite};
use poem_openapi::param::Cookie;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::BearerAuth;
use crate::auth::{IssuedTokens, TokenError};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{
    LogoutRequest, PasswordChange, PasswordResetConfirm, PasswordResetRequest, ProfileUpdate,
    RefreshRequest, RegisterRequest, TokenPair, TokenRequest, UserDto,
};

/// Accounts and tokens.
pub(crate) struct AccountsApi {
    state: Arc<AppState>,
}

impl AccountsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }

    fn pair(&self, signed_in: &SignedIn) -> Result<Issued, Problem> {
        Ok(Issued::Ok(Json(self.token_pair(signed_in)?)))
    }

    fn token_pair(&self, signed_in: &SignedIn) -> Result<TokenPair, Problem> {
        let t: IssuedTokens = self
            .state
            .tokens
            .issue(signed_in)
            .map_err(|e| Problem::internal(&e))?;
        Ok(TokenPair {
            access: t.access,
            refresh: t.refresh,
            token_type: "Bearer".to_owned(),
            expires_in: t.expires_in,
        })
    }

    /// The device a presented device cookie names, if it is valid; a cookie
    /// that is not is ignored (the login is an unknown client's).
    fn known_device(&self, cookie: Option<&str>) -> Option<DeviceClaim> {
        let token = cookie?;
        self.state
            .tokens
            .verify_device(token)
            .inspect_err(|e| tracing::debug!(reason = %e, "device cookie ignored"))
            .ok()
    }

    /// The `Set-Cookie` value that hands the client its device token: sent
    /// back only to the login operation, never readable by scripts, never
    /// sent by another site's requests, over TLS only when the host is
    /// reached over TLS.
    fn device_cookie(&self, device: DeviceClaim) -> Result<String, Problem> {
        let token = self
            .state
            .tokens
            .issue_device(device)
            .map_err(|e| Problem::internal(&e))?;
        let mut cookie = SetCookie::new_with_str(DEVICE_COOKIE, token);
        cookie.set_path(format!(
            "{}/api/v1/auth/token",
            self.state.public_url.path()
        ));
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Strict);
        cookie.set_secure(self.state.public_url.is_https());
        cookie.set_max_age(self.state.tokens.device_ttl());
        Ok(cookie.to_string())
    }

    fn client_address(&self, req: &Request) -> Option<std::net::IpAddr> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        Some(
            self.state
                .trusted_proxies
                .client_address(peer, req.headers()),
        )
    }
}

#[derive(ApiResponse)]
enum Registered {
    /// The account was made.
    #[oai(status = 201)]
    Created(Json<UserDto>),
}

/// The cookie that carries a device token.
const DEVICE_COOKIE: &str = "ecolaura_device";

#[derive(ApiResponse)]
enum Issued {
    /// A new access and refresh token.
    #[oai(status = 200)]
    Ok(Json<TokenPair>),
}

#[derive(ApiResponse)]
enum LoginIssued {
    /// A new access and refresh token, and the client's device cookie.
    #[oai(status = 200)]
    Ok(
        Json<TokenPair>,
        /// `ecolaura_device`: this client is a known device of the account
        /// (90 days; sent back on the next login, see the operation).
        #[oai(header = "Set-Cookie")]
        String,
    ),
}

#[derive(ApiResponse)]
enum Me {
    /// The signed-in account.
    #[oai(status = 200)]
    Ok(Json<UserDto>),
}

#[derive(ApiResponse)]
enum Done {
    /// Done; nothing to return.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
enum Accepted {
    /// Taken: if the address has an account, a reset token is on its way.
    #[oai(status = 202)]
    Accepted,
}

fn refresh_problem(e: TokenError) -> Problem {
    tracing::debug!(reason = %e, "refresh token refused");
    Problem::unauthorized("The refresh token is invalid, expired or revoked.")
}

/// A new password, or the 422 that names `field`.
fn new_password(field: &str, raw: String) -> Result<Password, Problem> {
    Password::new(raw).map_err(|e| Problem::invalid_field(field, e.to_string()))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AccountsApi {
    /// Register a customer account
    ///
    /// Anyone may register; the account is a customer. Staff accounts are
    /// made with `ecolaura users add --staff`.
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(&self, body: JsonBody<RegisterRequest>) -> Result<Registered, Problem> {
        let account = NewAccount::try_from(body.0)?;
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
    /// Opens a session. After 10 failed logins for one address within 15
    /// minutes, every login for it is refused with 429 until the window has
    /// passed; one client address gets at most 100 failed logins per 15
    /// minutes across all addresses. Every host counts the same failures.
    ///
    /// A successful login sets the `ecolaura_device` cookie (HttpOnly,
    /// SameSite=Strict, for this path only). A login that sends it back for
    /// the same account is a known device's: it is counted under that device
    /// alone (10 failures in 15 minutes lock the device, not the address),
    /// and its password is checked in a lane that a flood of logins from
    /// unknown clients cannot fill. An invalid or foreign device cookie is
    /// ignored.
    #[oai(path = "/auth/token", method = "post", operation_id = "obtain_token")]
    async fn token(
        &self,
        req: &Request,
        body: JsonBody<TokenRequest>,
        /// The device token set by an earlier login, if any.
        #[oai(name = "ecolaura_device")]
        device: Cookie<Option<String>>,
    ) -> Result<LoginIssued, Problem> {
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
        let client = self.client_address(req);
        let known = self.known_device(device.0.as_deref());
        let LoggedIn { signed_in, device } = self
            .state
            .app
            .accounts()
            .login(&email, &password, client, known)
            .await?;
        Ok(LoginIssued::Ok(
            Json(self.token_pair(&signed_in)?),
            self.device_cookie(device)?,
        ))
    }

    /// Exchange a refresh token for a new pair
    ///
    /// The refresh token presented is spent: the response carries the next
    /// one. Presenting a spent refresh token again is 401 and ends its whole
    /// session (someone holds a copy).
    #[oai(
        path = "/auth/token/refresh",
        method = "post",
        operation_id = "refresh_token"
    )]
    async fn refresh(&self, body: JsonBody<RefreshRequest>) -> Result<Issued, Problem> {
        let claim = self
            .state
            .tokens
            .verify_refresh(&body.0.refresh)
            .map_err(refresh_problem)?;
        let signed_in = self.state.app.accounts().refresh(&claim).await?;
        self.pair(&signed_in)
    }

    /// Sign out: end the session of a refresh token
    ///
    /// Its refresh and access tokens stop working (access tokens on other
    /// hosts within 30 seconds).
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, body: JsonBody<LogoutRequest>) -> Result<Done, Problem> {
        let claim = self
            .state
            .tokens
            .verify_refresh(&body.0.refresh)
            .map_err(refresh_problem)?;
        self.state.app.accounts().logout(&claim).await?;
        Ok(Done::NoContent)
    }

    /// Sign out everywhere: end every session of the caller
    #[oai(
        path = "/auth/logout-all",
        method = "post",
        operation_id = "logout_all"
    )]
    async fn logout_all(&self, auth: BearerAuth) -> Result<Done, Problem> {
        self.state
            .app
            .accounts()
            .logout_everywhere(auth.actor())
            .await?;
        Ok(Done::NoContent)
    }

    /// Ask for a password-reset e-mail
    ///
    /// Always 202, whether or not the address has an account. For one that
    /// has, a background job e-mails a single-use token valid 30 minutes.
    #[oai(
        path = "/auth/password-reset",
        method = "post",
        operation_id = "request_password_reset"
    )]
    async fn password_reset(
        &self,
        body: JsonBody<PasswordResetRequest>,
    ) -> Result<Accepted, Problem> {
        // An address that is not one has no account: nothing to send, and
        // the answer is the same.
        if let Ok(email) = Email::parse(&body.0.email) {
            self.state
                .app
                .accounts()
                .request_password_reset(&email)
                .await?;
        }
        Ok(Accepted::Accepted)
    }

    /// Set a new password with a reset token
    ///
    /// Every session of the account ends. An unknown, used or expired token
    /// is 422 naming `token`.
    #[oai(
        path = "/auth/password-reset/confirm",
        method = "post",
        operation_id = "confirm_password_reset"
    )]
    async fn password_reset_confirm(
        &self,
        body: JsonBody<PasswordResetConfirm>,
    ) -> Result<Done, Problem> {
        let input = body.0;
        let password = new_password("new_password", input.new_password)?;
        self.state
            .app
            .accounts()
            .reset_password(&input.token, &password)
            .await?;
        Ok(Done::NoContent)
    }

    /// The signed-in account
    #[oai(path = "/users/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: BearerAuth) -> Result<Me, Problem> {
        let user = self.state.app.accounts().me(auth.actor()).await?;
        Ok(Me::Ok(Json(user.into())))
    }

    /// Change the signed-in account's profile
    #[oai(path = "/users/me", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        auth: BearerAuth,
        body: JsonBody<ProfileUpdate>,
    ) -> Result<Me, Problem> {
        let name = PersonName::parse(&body.0.name)
            .map_err(|e| Problem::invalid_field("name", e.to_string()))?;
        let user = self
            .state
            .app
            .accounts()
            .rename(auth.actor(), &name)
            .await?;
        Ok(Me::Ok(Json(user.into())))
    }

    /// Change the signed-in account's password
    ///
    /// The caller's other sessions end; this one stays. A wrong current
    /// password is 422 naming `current_password`.
    #[oai(
        path = "/users/me/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        auth: BearerAuth,
        body: JsonBody<PasswordChange>,
    ) -> Result<Done, Problem> {
        let input = body.0;
        let new = new_password("new_password", input.new_password)?;
        let current =
            Password::for_login(input.current_password).map_err(|_| AccountError::WrongPassword)?;
        self.state
            .app
            .accounts()
            .change_password(auth.actor(), auth.0.session, &current, &new)
            .await?;
        Ok(Done::NoContent)
    }
}
