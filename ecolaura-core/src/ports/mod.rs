//! Ports: the async traits through which the services reach storage, the
//! job queue, the cache, the mailer and the clock.
//!
//! Each port documents its contract, errors and concurrency rules included;
//! The conformance suite (module `conformance`, feature `conformance`)
//! checks exactly that contract on every adapter.
//! A port method is a unit of work: when it says "atomically", an SQL adapter
//! does it in one transaction and the in-memory adapter under one lock.
//!
//! With the `mocks` feature (always on in this crate's tests) every port has
//! a mockall mock: `MockCatalogStore`, `MockOrderStore`, ….

mod accounts;
mod cache;
mod catalog;
mod clock;
mod discards;
mod error;
mod idempotency;
mod jobs;
mod mailer;
mod orders;
mod sessions;
mod shipping;
mod throttle;

pub use accounts::AccountStore;
pub use cache::{Cache, CacheEntry, CacheStats, CachedValue, ReadTicket};
pub use catalog::{CatalogImport, CatalogStore};
pub use clock::{Clock, SystemClock};
pub use discards::DiscardStore;
pub use error::{BoxError, MailError, StoreError, UniqueField};
pub use idempotency::IdempotencyStore;
pub use jobs::JobQueue;
pub use mailer::{MailRelay, Mailer};
pub use orders::{NewPlacement, OrderStore, PlacementOutcome, StatusChange};
pub use sessions::SessionStore;
pub use shipping::ShippingStore;
pub use throttle::LoginThrottleStore;

#[cfg(any(test, feature = "mocks"))]
pub use {
    accounts::MockAccountStore, cache::MockCache, catalog::MockCatalogImport,
    catalog::MockCatalogStore, clock::MockClock, discards::MockDiscardStore,
    idempotency::MockIdempotencyStore, jobs::MockJobQueue, mailer::MockMailRelay,
    mailer::MockMailer, orders::MockOrderStore, sessions::MockSessionStore,
    shipping::MockShippingStore, throttle::MockLoginThrottleStore,
};
