//! The Digital Product Passport (ESPR art. 9–11): a product's composition,
//! its identity as a GS1 Digital Link URI, and the passport document in
//! JSON-LD, with the view each reader is entitled to.

mod composition;
mod digital_link;
mod document;

pub use composition::{
    Composition, CompositionDraft, MAX_ADDRESS_CHARS, MAX_CARE_CHARS, MAX_MATERIALS,
    MAX_NAME_CHARS, Manufacturer, Material, SHARE_TOLERANCE,
};
pub use digital_link::{ResolverBase, ResolverBaseError, digital_link};
pub use document::{MAX_PASSPORT_DISCARDS, PassportFacts, PassportView, passport};
