//! Environmental data beyond the bare metrics, as rules over domain types:
//! the product's carbon footprint record (ISO 14067, PACT) and green claims
//! with evidence (EmpCo, AGEC), the ledger of discarded stock (ESPR), the
//! digital product passport and shipping emissions (ISO 14083).

pub mod claims;
pub mod discards;
pub(crate) mod errors;
pub mod footprint;
pub mod passport;
pub mod shipping;
mod vocabulary;

pub use claims::{
    Claim, ClaimDraft, ClaimPolicy, ClaimType, Evidence, Market, Refusal, ShownClaims,
};
pub use errors::{FieldError, label_error};
pub use footprint::{
    DeclaredUnit, FootprintDraft, FootprintRecord, FootprintSource, Geography, SystemBoundary,
    Verification,
};
