//! In-memory adapters for every port: for tests, examples and apps that
//! embed Ecolaura without a database. They keep the same contract as the SQL
//! adapters (the conformance suite runs on them) but nothing survives the process.

mod clock;
mod store;

pub use clock::ManualClock;
pub use store::MemoryStore;
