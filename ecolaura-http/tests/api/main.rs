//! Host tests: every endpoint and error of API.md, through the real
//! routing, middleware and serialization of the host.
#![allow(clippy::unwrap_used)]

mod helpers;

mod auth;
mod cache;
mod categories;
mod claims;
mod cursors;
mod discards;
mod errors;
mod footprint;
mod openapi;
mod operations;
mod orders;
mod passport;
mod products;
mod scores;
mod sessions;
mod shipping;
