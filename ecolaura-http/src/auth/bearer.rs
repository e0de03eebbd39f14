//! The bearer security scheme: `Authorization: Bearer <access JWT>`.

use std::sync::Arc;

use ecolaura_core::auth::Actor;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::problem::Problem;
use crate::state::AppState;

/// A signed-in caller, from a valid access token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_access_token")]
pub struct BearerAuth(pub Actor);

async fn check_access_token(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req
        .data::<Arc<AppState>>()
        .ok_or_else(|| poem::Error::from(Problem::internal(&MissingState)))?;
    state.tokens.verify_access(&bearer.token).map_err(|e| {
        tracing::debug!(reason = %e, "access token refused");
        Problem::unauthorized("The access token is invalid or expired.").into()
    })
}

#[derive(Debug, thiserror::Error)]
#[error("the application state is not attached to the request")]
struct MissingState;
