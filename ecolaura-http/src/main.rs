//! The `ecolaura` binary: see `ecolaura --help`.

fn main() -> std::process::ExitCode {
    ecolaura_http::cli::main()
}
