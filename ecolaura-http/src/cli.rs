//! The `ecolaura` command line: `serve` (the default), `migrate`, `worker`,
//! `demo`, `users add`, `catalog export`, and dispatch to them. The settings they read are
//! [`crate::settings`]'s.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::settings::{Environment, Settings};

// No `Debug` on the command line, the settings or the commands: they hold
// the JWT secret, the database URL (with its password) and account passwords.

/// Ecolaura: a sustainable-commerce backend with a REST API.
#[derive(Parser)]
#[command(name = "ecolaura", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(flatten)]
    env: Environment,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default), with job workers unless ECOLAURA_WORKERS=0.
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Run job workers only (for a separate process), until SIGTERM or SIGINT.
    Worker,
    /// Load a small demo shop (categories, products with metrics, shipping
    /// methods, a staff and a customer account) into an empty store, and
    /// print the accounts' generated passwords.
    Demo,
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Move the product catalog in and out as CSV.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Write every live product to standard output as CSV (a header row,
    /// then one row per product, oldest first), in the columns API.md
    /// names; a summary goes to standard error.
    Export,
    /// Make or replace products from a CSV file in the export's columns,
    /// matched by SKU, in one transaction: a file with any bad row writes
    /// nothing and lists every bad row (line and field) on standard error.
    /// Categories a row names that do not exist are made.
    Import {
        /// The CSV file (a header row, then one row per product).
        file: std::path::PathBuf,
        /// Check every row against the catalog and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add an account (a customer, or staff with --staff).
    Add {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
        /// Its password (at least 8 characters).
        #[arg(long)]
        password: String,
        /// The person's name (default: the part of the address before `@`).
        #[arg(long)]
        name: Option<String>,
        /// Make a staff account.
        #[arg(long)]
        staff: bool,
    },
}

/// Hold SIGINT and SIGTERM from the first instruction of `main` until the
/// runtime listens for them: one that comes meanwhile waits, then stops the
/// process cleanly, instead of killing it.
#[cfg(unix)]
fn hold_stop_signals() -> impl FnOnce() {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    if let Err(e) = set.thread_block() {
        eprintln!("ecolaura: cannot hold signals during start-up: {e}");
    }
    move || {
        if let Err(e) = set.thread_unblock() {
            eprintln!("ecolaura: cannot release signals after start-up: {e}");
        }
    }
}

#[cfg(not(unix))]
fn hold_stop_signals() -> impl FnOnce() {
    || {}
}

/// Parse the command line and the environment, then run the command.
pub fn main() -> ExitCode {
    let release_signals = hold_stop_signals();
    let cli = Cli::parse();
    let settings = match Settings::from_environment(&cli.env) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!(
                "ecolaura: the configuration has {} problem(s):",
                errors.len()
            );
            for e in errors {
                eprintln!("  - {e}");
            }
            return ExitCode::from(2);
        }
    };
    crate::run::init_logging(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ecolaura: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        // First of all: from here on a signal drains and exits cleanly. The
        // runtime's threads inherited the held mask; this one, released, is
        // where a signal is delivered.
        let shutdown = crate::run::Shutdown::listen();
        release_signals();
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => crate::run::serve(settings, shutdown).await,
            Command::Migrate => crate::run::migrate(settings).await,
            Command::Worker => crate::run::worker(settings, shutdown).await,
            Command::Demo => crate::run::demo(settings).await,
            Command::Users {
                command:
                    UsersCommand::Add {
                        email,
                        password,
                        name,
                        staff,
                    },
            } => crate::run::add_user(settings, &email, password, name.as_deref(), staff).await,
            Command::Catalog {
                command: CatalogCommand::Export,
            } => crate::catalog_file::export_catalog(settings).await,
            Command::Catalog {
                command: CatalogCommand::Import { file, dry_run },
            } => crate::catalog_file::import_catalog(settings, &file, dry_run).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("ecolaura: {e}");
            ExitCode::FAILURE
        }
    }
}
