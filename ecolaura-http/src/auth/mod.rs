//! Tokens: HS256 JWTs, issued and checked strictly. The bearer scheme that
//! takes them is beside the handlers (`api::BearerAuth`); sessions, the
//! login throttle and the current role are the core's accounts service's.

pub(crate) mod tokens;

pub(crate) use tokens::{
    IssuedTokens, JwtSecret, MIN_SECRET_BYTES, TokenConfig, TokenError, Tokens,
};
