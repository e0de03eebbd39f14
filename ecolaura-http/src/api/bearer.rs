//! The bearer security scheme that the handlers take:
//! `Authorization: Bearer <access JWT>`, resolved to the session's user in
//! their current role.

use std::sync::Arc;

use ecolaura_core::auth::Actor;
use ecolaura_core::domain::SessionId;
use ecolaura_core::services::AccountError;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::problem::Problem;
use crate::state::AppState;

/// A signed-in caller: a valid access token of a live session, in the
/// account's current role.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_access_token")]
pub(crate) struct BearerAuth(pub Caller);

/// Who calls, and in which session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The user, in their current role.
    pub actor: Actor,
    /// The session the access token belongs to.
    pub session: SessionId,
}

impl BearerAuth {
    /// The caller as the core's services know them.
    pub(crate) fn actor(&self) -> &Actor {
        &self.0.actor
    }
}

fn refused() -> poem::Error {
    Problem::unauthorized("The access token is invalid or expired.").into()
}

async fn check_access_token(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = req
        .data::<Arc<AppState>>()
        .ok_or_else(|| poem::Error::from(Problem::internal(&MissingState)))?;
    let claim = state.tokens.verify_access(&bearer.token).map_err(|e| {
        tracing::debug!(reason = %e, "access token refused");
        refused()
    })?;
    let accounts = state.app.accounts();
    match accounts.principal(claim.user_id, claim.session_id).await {
        Ok(actor) => Ok(Caller {
            actor,
            session: claim.session_id,
        }),
        Err(AccountError::InvalidToken) => {
            tracing::debug!("access token of a dead session refused");
            Err(refused())
        }
        Err(e) => Err(Problem::from(e).into()),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the application state is not attached to the request")]
struct MissingState;

/// The caller of an operation that anyone may call and staff may call for
/// more: the bearer token's user when the request carries one (an invalid
/// one is 401, as anywhere), else [`Actor::Anonymous`].
///
/// # Errors
/// 401 for a token that is not a valid access token of a live session.
pub(crate) async fn optional_caller(req: &Request) -> poem::Result<Actor> {
    let Some(header) = req.headers().get(poem::http::header::AUTHORIZATION) else {
        return Ok(Actor::Anonymous);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .ok_or_else(refused)?;
    let bearer = Bearer {
        token: token.trim().to_owned(),
    };
    Ok(check_access_token(req, bearer).await?.actor)
}
