//! Rebuild when a migration is added or changed: `sqlx::migrate!` embeds
//! the directory's files at compile time, and cargo does not watch it
//! otherwise.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
