//! Value types that cannot hold an invalid value.
//!
//! Every type here has private fields and a fallible constructor returning a
//! typed error, so a function that receives one never re-checks it ("parse,
//! don't validate"). Edges (the REST host, an embedding app) turn raw input into
//! these types; everything inside the library works with them only.

mod carbon;
mod currency;
mod cursor;
mod email;
mod identifiers;
mod ids;
mod keyset;
mod money;
mod pagination;
mod quantity;
mod score;
mod slug;
mod text;
mod weight;

pub use carbon::{CarbonKg, CarbonKgError};
pub use currency::{Currency, CurrencyError};
pub use cursor::{CursorError, CursorKey, MAX_CURSOR_CHARS};
pub use email::{Email, EmailError};
pub use identifiers::{Gtin, GtinError, Sku, SkuError};
pub use ids::{CategoryId, ClaimId, DiscardId, JobId, OrderId, ProductId, SessionId, UserId};
pub use keyset::{Direction, KeysetPage, Limit, LimitError, Seek};
pub use money::{Money, MoneyError, Price};
pub use pagination::{Page, PageRequest, PageRequestError};
pub use quantity::{Quantity, QuantityError, Stock, StockError};
pub use score::{Score, ScoreError};
pub use slug::{Slug, SlugError};
pub use text::{
    CategoryName, Description, Disclosure, PersonName, ProductName, SearchText, ShippingName,
    TextError,
};
pub use weight::{WeightKg, WeightKgError};

/// A point in time, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// `t` without its sub-microsecond part, as SQL stores keep it.
pub fn truncate_to_micros(t: Timestamp) -> Timestamp {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}
