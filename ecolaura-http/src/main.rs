//! The `ecolaura` binary: see `ecolaura --help`.

/// jemalloc with background purging (`.cargo/config.toml` bakes in
/// `background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0`): freed
/// memory goes back to the system within seconds whether or not the host is
/// busy. With glibc's malloc every login's 19 MiB argon2 buffer stayed in its
/// arena (fifty logins kept 700–850 MiB); mimalloc returned memory only as
/// its threads allocated again, so after a slowloris or slow-body attack the
/// host held 144–210% of its idle RSS (docs/performance.md, "Attacks").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    ecolaura_http::main()
}
