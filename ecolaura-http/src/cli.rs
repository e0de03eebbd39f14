//! The `ecolaura` command line: `serve` (the default), `migrate`, `worker`,
//! `users add`. Configuration comes from the environment, checked once at
//! start, with one clear message per bad value.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ecolaura_core::cache::MokaCacheConfig;

use crate::auth::{JwtSecret, MIN_SECRET_BYTES, TokenConfig};
use crate::server::ConnectionLimits;
use crate::wire::PublicUrl;

// No `Debug` on the command line, the settings or the commands: they hold
// the JWT secret, the database URL (with its password) and account passwords.

/// Ecolaura: a sustainable-commerce backend with a REST API.
#[derive(Parser)]
#[command(name = "ecolaura", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    env: EnvArgs,
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
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
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

/// Every setting, from the environment (or the matching flag).
#[derive(Clone, Args)]
struct EnvArgs {
    /// `postgres://…` or `sqlite://…`; unset: the embedded SQLite file
    /// `ecolaura.db` in the working directory.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Postgres connections per process (ignored for SQLite).
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_DATABASE_POOL",
        default_value = "10"
    )]
    database_pool: String,
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_BIND",
        default_value = "127.0.0.1:8080"
    )]
    bind: String,
    /// `development` or `production`.
    #[arg(
        long = "env",
        global = true,
        env = "ECOLAURA_ENV",
        default_value = "development"
    )]
    environment: String,
    /// The HS256 key for tokens, at least 32 bytes. Unset in development:
    /// a random one (tokens die with the process); required in production.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_JWT_SECRET",
        hide_env_values = true
    )]
    jwt_secret: Option<String>,
    /// The shop's currency, an ISO 4217 code.
    #[arg(long, global = true, env = "ECOLAURA_CURRENCY", default_value = "EUR")]
    currency: String,
    /// Jobs of each kind run at once by the workers of `serve` (0: no
    /// workers in `serve`; run `ecolaura worker` instead) or of `worker`.
    #[arg(long, global = true, env = "ECOLAURA_WORKERS", default_value = "64")]
    workers: String,
    /// Postgres connections of the job workers of `serve`, a pool apart
    /// from the API's so that neither can starve the other (ignored for SQLite).
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_WORKER_DATABASE_POOL",
        default_value = "20"
    )]
    worker_database_pool: String,
    /// Seconds a done job is kept before it is purged (dead jobs are kept).
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_JOB_RETENTION",
        default_value = "86400"
    )]
    job_retention: String,
    /// The read cache's bound in MiB (rendered responses and catalog reads,
    /// as weighed).
    #[arg(long, global = true, env = "ECOLAURA_CACHE_MB", default_value = "32")]
    cache_mb: String,
    /// Where `ecolaura worker` serves its `/metrics` and `/healthz`.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_WORKER_METRICS_BIND",
        default_value = "127.0.0.1:9091"
    )]
    worker_metrics_bind: String,
    /// Log filter, such as `info` or `ecolaura_http=debug,info`.
    #[arg(long, global = true, env = "ECOLAURA_LOG", default_value = "info")]
    log: String,
    /// Log format: `text` or `json`.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: String,
    /// Comma-separated origins allowed by CORS, such as
    /// `https://shop.example.com`; unset: no cross-origin access.
    #[arg(long, global = true, env = "ECOLAURA_CORS_ORIGINS")]
    cors_origins: Option<String>,
    /// The `aud` claim tokens carry and must carry (RFC 7519 §4.1.3).
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_JWT_AUDIENCE",
        default_value = "ecolaura"
    )]
    jwt_audience: String,
    /// Access token lifetime in seconds.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_ACCESS_TOKEN_TTL",
        default_value = "900"
    )]
    access_token_ttl: String,
    /// Refresh token lifetime in seconds.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_REFRESH_TOKEN_TTL",
        default_value = "604800"
    )]
    refresh_token_ttl: String,
    /// Seconds to let in-flight requests and jobs finish after SIGTERM.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_SHUTDOWN_GRACE",
        default_value = "30"
    )]
    shutdown_grace: String,
    /// Where clients reach the host, such as `https://shop.example.com`: the
    /// base of absolute URLs in responses (never the request's Host); an
    /// `https` URL also turns HSTS on. Unset: `http://` and the bound address.
    #[arg(long, global = true, env = "ECOLAURA_PUBLIC_URL")]
    public_url: Option<String>,
    /// Open HTTP connections at most; at the cap a new connection evicts
    /// the one idle the longest.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_MAX_CONNECTIONS",
        default_value = "1024"
    )]
    max_connections: String,
    /// Seconds a client has to send a request's headers, from their first byte.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_HEADER_READ_TIMEOUT",
        default_value = "10"
    )]
    header_read_timeout: String,
    /// Seconds a client has to send a request's body (else 408).
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_BODY_READ_TIMEOUT",
        default_value = "30"
    )]
    body_read_timeout: String,
    /// Seconds a connection may stay open with no request in progress.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_IDLE_TIMEOUT",
        default_value = "30"
    )]
    idle_timeout: String,
}

impl Settings {
    /// Whether commands other than `migrate` apply migrations on start: the
    /// embedded default always (it is the application's own file), and any
    /// database in development. Production databases are migrated by
    /// `ecolaura migrate`.
    pub fn migrates_on_start(&self) -> bool {
        !self.production || self.database_url.is_none()
    }
}

/// Checked settings.
#[derive(Clone)]
pub struct Settings {
    /// The database URL; `None`: the embedded SQLite file.
    pub database_url: Option<String>,
    /// Postgres pool size.
    pub database_pool: u32,
    /// Where the embedded SQLite file goes.
    pub data_dir: PathBuf,
    /// Listen address.
    pub bind: SocketAddr,
    /// Production mode: a real secret is required, migrations are not run by `serve`.
    pub production: bool,
    /// Token settings; `generated_secret` says whether the secret is random.
    pub tokens: TokenConfig,
    /// Whether the secret was generated (development).
    pub generated_secret: bool,
    /// The shop's currency.
    pub currency: String,
    /// Jobs of each kind run at once by the workers (0: none in `serve`).
    pub workers: usize,
    /// Postgres connections of the workers of `serve`.
    pub worker_database_pool: u32,
    /// How long done jobs are kept.
    pub job_retention: Duration,
    /// Where `ecolaura worker` serves its metrics.
    pub worker_metrics_bind: SocketAddr,
    /// The read cache's settings (`ECOLAURA_CACHE_MB`).
    pub cache: MokaCacheConfig,
    /// Log filter.
    pub log: String,
    /// JSON logs.
    pub json_logs: bool,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// Grace period on shutdown.
    pub shutdown_grace: Duration,
    /// What `serve` lets clients hold: connections and the time to send.
    pub connections: ConnectionLimits,
    /// `ECOLAURA_PUBLIC_URL`; `None`: `http://` and the bound address.
    pub public_url: Option<PublicUrl>,
}

fn seconds(name: &str, raw: &str, errors: &mut Vec<String>) -> Duration {
    match raw.trim().parse::<u64>() {
        Ok(n) if n > 0 => Duration::from_secs(n),
        _ => {
            errors.push(format!(
                "{name} must be a whole number of seconds > 0, not {raw:?}"
            ));
            Duration::from_secs(1)
        }
    }
}

fn pool_size(name: &str, raw: &str, errors: &mut Vec<String>) -> u32 {
    match raw.trim().parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            errors.push(format!("{name} must be a whole number > 0, not {raw:?}"));
            1
        }
    }
}

fn address(name: &str, raw: &str, errors: &mut Vec<String>) -> SocketAddr {
    raw.parse::<SocketAddr>().unwrap_or_else(|_| {
        errors.push(format!(
            "{name} must be an address and port such as 127.0.0.1:8080, not {raw:?}"
        ));
        SocketAddr::from(([127, 0, 0, 1], 0))
    })
}

impl EnvArgs {
    /// Check every value; all problems at once.
    fn settings(&self) -> Result<Settings, Vec<String>> {
        let mut errors = Vec::new();
        let production = match self.environment.as_str() {
            "production" => true,
            "development" => false,
            other => {
                errors.push(format!(
                    "ECOLAURA_ENV must be development or production, not {other:?}"
                ));
                false
            }
        };
        let database_url = self.database_url.clone().filter(|u| !u.trim().is_empty());
        if let Some(url) = &database_url
            && !["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|s| url.starts_with(s))
        {
            errors.push(
                "ECOLAURA_DATABASE_URL must start with postgres://, postgresql:// or sqlite:"
                    .to_owned(),
            );
        }
        let database_pool = pool_size("ECOLAURA_DATABASE_POOL", &self.database_pool, &mut errors);
        let worker_database_pool = pool_size(
            "ECOLAURA_WORKER_DATABASE_POOL",
            &self.worker_database_pool,
            &mut errors,
        );
        let bind = address("ECOLAURA_BIND", &self.bind, &mut errors);
        let worker_metrics_bind = address(
            "ECOLAURA_WORKER_METRICS_BIND",
            &self.worker_metrics_bind,
            &mut errors,
        );
        let job_retention = seconds("ECOLAURA_JOB_RETENTION", &self.job_retention, &mut errors);
        let public_url = match self.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match PublicUrl::parse(raw) {
                Ok(url) => Some(url),
                Err(e) => {
                    errors.push(format!("ECOLAURA_PUBLIC_URL: {e}, not {raw:?}"));
                    None
                }
            },
        };
        let connections = ConnectionLimits {
            max_connections: pool_size(
                "ECOLAURA_MAX_CONNECTIONS",
                &self.max_connections,
                &mut errors,
            ) as usize,
            header_read_timeout: seconds(
                "ECOLAURA_HEADER_READ_TIMEOUT",
                &self.header_read_timeout,
                &mut errors,
            ),
            body_read_timeout: seconds(
                "ECOLAURA_BODY_READ_TIMEOUT",
                &self.body_read_timeout,
                &mut errors,
            ),
            idle_timeout: seconds("ECOLAURA_IDLE_TIMEOUT", &self.idle_timeout, &mut errors),
        };
        let cache = match self.cache_mb.trim().parse::<u64>() {
            Ok(mb) if (1..=65_536).contains(&mb) => MokaCacheConfig::megabytes(mb),
            _ => {
                errors.push(format!(
                    "ECOLAURA_CACHE_MB must be a whole number of MiB from 1 to 65536, not {:?}",
                    self.cache_mb
                ));
                MokaCacheConfig::default()
            }
        };
        let (secret, generated_secret) = match (&self.jwt_secret, production) {
            (Some(s), _) => match JwtSecret::new(s.as_bytes()) {
                Ok(secret) => (Some(secret), false),
                Err(_) => {
                    errors.push(format!(
                        "ECOLAURA_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
                    ));
                    (None, false)
                }
            },
            (None, true) => {
                errors.push(
                    "ECOLAURA_JWT_SECRET is required when ECOLAURA_ENV=production".to_owned(),
                );
                (None, false)
            }
            (None, false) => match JwtSecret::random() {
                Ok(secret) => (Some(secret), true),
                Err(e) => {
                    errors.push(format!("no randomness for a development JWT secret: {e}"));
                    (None, true)
                }
            },
        };
        let currency = self.currency.trim().to_owned();
        if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
            errors.push(format!(
                "ECOLAURA_CURRENCY must be an ISO 4217 code of three capital letters such as EUR, not {:?}",
                self.currency
            ));
        }
        let workers = self.workers.trim().parse::<usize>().unwrap_or_else(|_| {
            errors.push(format!(
                "ECOLAURA_WORKERS must be a whole number >= 0, not {:?}",
                self.workers
            ));
            0
        });
        if tracing_subscriber::EnvFilter::try_new(&self.log).is_err() {
            errors.push(format!(
                "ECOLAURA_LOG is not a valid log filter: {:?}",
                self.log
            ));
        }
        let json_logs = match self.log_format.as_str() {
            "json" => true,
            "text" => false,
            other => {
                errors.push(format!(
                    "ECOLAURA_LOG_FORMAT must be text or json, not {other:?}"
                ));
                false
            }
        };
        let cors_origins: Vec<String> = self
            .cors_origins
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        for origin in &cors_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                errors.push(format!(
                    "ECOLAURA_CORS_ORIGINS entries must be origins such as https://shop.example.com, not {origin:?}"
                ));
            }
        }
        let audience = self.jwt_audience.trim().to_owned();
        if audience.is_empty() || audience.len() > 200 {
            errors.push("ECOLAURA_JWT_AUDIENCE must be 1..200 characters".to_owned());
        }
        let access_ttl = seconds(
            "ECOLAURA_ACCESS_TOKEN_TTL",
            &self.access_token_ttl,
            &mut errors,
        );
        let refresh_ttl = seconds(
            "ECOLAURA_REFRESH_TOKEN_TTL",
            &self.refresh_token_ttl,
            &mut errors,
        );
        let shutdown_grace = seconds("ECOLAURA_SHUTDOWN_GRACE", &self.shutdown_grace, &mut errors);
        match secret {
            Some(secret) if errors.is_empty() => {
                let mut tokens = TokenConfig::new(secret);
                tokens.access_ttl = access_ttl;
                tokens.audience = audience;
                tokens.refresh_ttl = refresh_ttl;
                Ok(Settings {
                    database_url,
                    database_pool,
                    data_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
                    bind,
                    production,
                    tokens,
                    generated_secret,
                    currency,
                    workers,
                    worker_database_pool,
                    job_retention,
                    worker_metrics_bind,
                    cache,
                    log: self.log.clone(),
                    json_logs,
                    cors_origins,
                    shutdown_grace,
                    connections,
                    public_url,
                })
            }
            _ => Err(errors),
        }
    }
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
    let settings = match cli.env.settings() {
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
            Command::Users {
                command:
                    UsersCommand::Add {
                        email,
                        password,
                        name,
                        staff,
                    },
            } => crate::run::add_user(settings, &email, password, name.as_deref(), staff).await,
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
