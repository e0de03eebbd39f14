//! The store conformance suite, every case, on a real Postgres.

use ecolaura_store_pg_testing::fresh_store;

ecolaura_core::store_conformance!(fresh_store);
