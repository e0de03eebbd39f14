//! Services: the rules. Each holds its ports as `Arc<dyn …>` and is cheap to
//! clone. Every method that acts for someone takes the [`Actor`](crate::auth::Actor)
//! and checks the [auth policy](crate::auth) before touching a store.

mod accounts;
mod catalog;
mod discards;
mod errors;
mod orders;
mod passports;
mod queue;
mod shipping;
mod sustainability;

pub use accounts::{AccountPorts, Accounts, AccountsConfig, LoggedIn, SignedIn};
pub use catalog::{
    CLAIM_DATES_LOOKBACK_DAYS, Catalog, ImportMode, ImportSummary, MAX_CLAIMS_PER_PRODUCT,
    MAX_EXPIRING_CLAIMS, RESCORING_BATCH, Rescoring,
};
pub use discards::{Discarded, Discards};
pub use errors::{AccountError, CatalogError, CatalogExportError, CatalogImportError, OrderError};
pub use orders::{OrderPorts, Orders, OrdersConfig, Placed};
pub use passports::Passports;
pub use queue::{QueueHealth, QueueHealthError};
pub use shipping::{MAX_SHIPPING_METHODS, Shipping, ShippingError};
pub use sustainability::{ProductSustainability, Sustainability};
