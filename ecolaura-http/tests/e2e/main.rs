//! End-to-end tests: the real `ecolaura` binary on a free port, driven over
//! HTTP, on the embedded SQLite default and on Postgres.
#![allow(clippy::unwrap_used)]

mod admin;
mod browser;
mod catalog;
mod cli;
mod demo;
mod discards;
mod flow;
mod generated_client;
mod lifecycle;
mod limits;
mod mail;
mod nginx;
mod scores;
mod server;
mod sessions;
