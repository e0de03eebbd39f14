//! The `ecolaura` binary: see `ecolaura --help`.

/// mimalloc returns large freed blocks to the system. With glibc's malloc
/// every login's 19 MiB argon2 buffer stayed in its arena after the hash:
/// fifty logins kept the host at 700–850 MiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ecolaura_http::cli::main()
}
