//! Authentication at the edge: tokens, the bearer scheme, the login throttle.

mod bearer;
mod throttle;
mod tokens;

pub use bearer::BearerAuth;
pub use throttle::LoginThrottle;
pub use tokens::{
    IssuedTokens, JwtSecret, MIN_SECRET_BYTES, SecretTooShort, TokenConfig, TokenError, TokenType,
    Tokens,
};
