//! The host's settings: every `ECOLAURA_*` variable, how it is read (one
//! small function per variable) and what it may hold. Every value is checked
//! at start, and every problem is reported at once.

use ecolaura_core::sustainability::passport::ResolverBase;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ecolaura_core::cache::MokaCacheConfig;
use ecolaura_core::domain::Currency;
use ecolaura_core::sustainability::Market;

use crate::auth::{JwtSecret, MIN_SECRET_BYTES, TokenConfig};
use crate::client_address::TrustedProxies;
use crate::server::ConnectionLimits;
use crate::wire::PublicUrl;

// No `Debug` on the environment or the settings: they hold the JWT secret
// and the database URL (with its password).

/// Every setting, from the environment (or the matching flag).
#[derive(Clone, Args)]
pub(crate) struct Environment {
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
    /// The market whose claims a read shows when it names none (`?market=`):
    /// `EU` or an EU member state's ISO 3166-1 alpha-2 code.
    #[arg(long, global = true, env = "ECOLAURA_MARKET", default_value = "EU")]
    market: String,
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
    /// Seconds a host trusts what it read about a session (not revoked, the
    /// account's role) before reading it again: how long a logout or a
    /// password change may take to reach the other hosts. 1..30.
    #[arg(
        long,
        global = true,
        env = "ECOLAURA_SESSION_RECHECK",
        default_value = "30"
    )]
    session_recheck: String,
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
    /// Where the GS1 Digital Link URIs of the shop's products start (each
    /// passport's `@id` is `{this}/01/{gtin14}`), such as
    /// `https://id.shop.example`. Unset: the public URL, whose `/01/{gtin}`
    /// redirects to the passport.
    #[arg(long, global = true, env = "ECOLAURA_DPP_RESOLVER")]
    dpp_resolver: Option<String>,
    /// Comma-separated addresses and CIDR blocks of the proxies in front of
    /// the host (such as `10.0.0.0/8`): only their `X-Forwarded-For` names the
    /// client that the login throttle counts. Unset: none; the peer is the client.
    #[arg(long, global = true, env = "ECOLAURA_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// The SMTP relay that e-mail leaves the outbox for, such as
    /// `smtp://relay:25`, `smtp://user:password@relay:587?tls=required` or
    /// `smtps://user:password@relay:465`. A secret: never logged. Unset:
    /// mail stays in the outbox (the `sent_emails` table).
    #[arg(long, global = true, env = "ECOLAURA_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of the shop's e-mail, such as `Shop <shop@example.com>`;
    /// required with `ECOLAURA_SMTP_URL`. Its domain ends each `Message-ID`.
    #[arg(long, global = true, env = "ECOLAURA_MAIL_FROM")]
    mail_from: Option<String>,
    /// Open HTTP connections at most; at the cap a new connection evicts
    /// the one that has waited on its client the longest (idle, or
    /// trickling a body).
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
    pub(crate) fn migrates_on_start(&self) -> bool {
        !self.production || self.database_url.is_none()
    }
}

/// Checked settings.
#[derive(Clone)]
pub(crate) struct Settings {
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
    /// The shop's currency: new orders are placed in it.
    pub currency: Currency,
    /// `ECOLAURA_MARKET`: the market of a read that names none.
    pub market: Market,
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
    /// `ECOLAURA_DPP_RESOLVER`; `None`: the public URL.
    pub dpp_resolver: Option<ResolverBase>,
    /// `ECOLAURA_TRUSTED_PROXIES`.
    pub trusted_proxies: TrustedProxies,
    /// `ECOLAURA_SMTP_URL` and `ECOLAURA_MAIL_FROM`; `None`: mail stays in
    /// the outbox.
    pub smtp: Option<crate::smtp::SmtpSettings>,
    /// `ECOLAURA_SESSION_RECHECK`.
    pub session_recheck: Duration,
}

/// The problems found so far, one message each.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }

    /// A whole number of seconds > 0.
    fn seconds(&mut self, name: &str, raw: &str) -> Duration {
        match raw.trim().parse::<u64>() {
            Ok(n) if n > 0 => Duration::from_secs(n),
            _ => {
                self.add(format!(
                    "{name} must be a whole number of seconds > 0, not {raw:?}"
                ));
                Duration::from_secs(1)
            }
        }
    }

    /// A whole number > 0.
    fn positive(&mut self, name: &str, raw: &str) -> u32 {
        match raw.trim().parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => {
                self.add(format!("{name} must be a whole number > 0, not {raw:?}"));
                1
            }
        }
    }

    /// An address and port.
    fn address(&mut self, name: &str, raw: &str) -> SocketAddr {
        raw.parse::<SocketAddr>().unwrap_or_else(|_| {
            self.add(format!(
                "{name} must be an address and port such as 127.0.0.1:8080, not {raw:?}"
            ));
            SocketAddr::from(([127, 0, 0, 1], 0))
        })
    }
}

/// `ECOLAURA_ENV`: production or not.
fn production(raw: &str, p: &mut Problems) -> bool {
    match raw {
        "production" => true,
        "development" => false,
        other => {
            p.add(format!(
                "ECOLAURA_ENV must be development or production, not {other:?}"
            ));
            false
        }
    }
}

/// `ECOLAURA_DATABASE_URL`: a Postgres or SQLite URL, or unset.
fn database_url(raw: Option<&str>, p: &mut Problems) -> Option<String> {
    let url = raw.filter(|u| !u.trim().is_empty())?;
    if !["postgres://", "postgresql://", "sqlite:"]
        .iter()
        .any(|s| url.starts_with(s))
    {
        p.add("ECOLAURA_DATABASE_URL must start with postgres://, postgresql:// or sqlite:");
    }
    Some(url.to_owned())
}

/// `ECOLAURA_PUBLIC_URL`: where clients reach the host, or unset.
fn public_url(raw: Option<&str>, p: &mut Problems) -> Option<PublicUrl> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    PublicUrl::parse(raw)
        .map_err(|e| p.add(format!("ECOLAURA_PUBLIC_URL: {e}, not {raw:?}")))
        .ok()
}

/// `ECOLAURA_DPP_RESOLVER`: an http(s) base URL, or unset.
fn dpp_resolver(raw: Option<&str>, p: &mut Problems) -> Option<ResolverBase> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    ResolverBase::parse(raw)
        .map_err(|e| p.add(format!("ECOLAURA_DPP_RESOLVER: {e}, not {raw:?}")))
        .ok()
}

/// `ECOLAURA_SESSION_RECHECK`: 1..30 seconds.
fn session_recheck(raw: &str, p: &mut Problems) -> Duration {
    let recheck = p.seconds("ECOLAURA_SESSION_RECHECK", raw);
    if recheck > Duration::from_secs(30) {
        p.add("ECOLAURA_SESSION_RECHECK must be at most 30 seconds");
    }
    recheck
}

/// `ECOLAURA_SMTP_URL` with `ECOLAURA_MAIL_FROM`, when the URL is set.
fn smtp(env: &Environment, p: &mut Problems) -> Option<crate::smtp::SmtpSettings> {
    let url = env.smtp_url.as_deref().filter(|u| !u.trim().is_empty())?;
    match crate::smtp::SmtpSettings::parse(url, env.mail_from.as_deref()) {
        Ok(settings) => Some(settings),
        Err(problems) => {
            problems.into_iter().for_each(|m| p.add(m));
            None
        }
    }
}

/// `ECOLAURA_TRUSTED_PROXIES`: addresses and CIDR blocks.
fn trusted_proxies(raw: Option<&str>, p: &mut Problems) -> TrustedProxies {
    raw.unwrap_or("")
        .parse::<TrustedProxies>()
        .unwrap_or_else(|e| {
            p.add(format!("ECOLAURA_TRUSTED_PROXIES: {e}"));
            TrustedProxies::none()
        })
}

/// The four connection limits of `serve`.
fn connections(env: &Environment, p: &mut Problems) -> ConnectionLimits {
    ConnectionLimits {
        max_connections: p.positive("ECOLAURA_MAX_CONNECTIONS", &env.max_connections) as usize,
        header_read_timeout: p.seconds("ECOLAURA_HEADER_READ_TIMEOUT", &env.header_read_timeout),
        body_read_timeout: p.seconds("ECOLAURA_BODY_READ_TIMEOUT", &env.body_read_timeout),
        idle_timeout: p.seconds("ECOLAURA_IDLE_TIMEOUT", &env.idle_timeout),
    }
}

/// `ECOLAURA_CACHE_MB`: 1..65536 MiB.
fn cache(raw: &str, p: &mut Problems) -> MokaCacheConfig {
    match raw.trim().parse::<u64>() {
        Ok(mb) if (1..=65_536).contains(&mb) => MokaCacheConfig::megabytes(mb),
        _ => {
            p.add(format!(
                "ECOLAURA_CACHE_MB must be a whole number of MiB from 1 to 65536, not {raw:?}"
            ));
            MokaCacheConfig::default()
        }
    }
}

/// `ECOLAURA_JWT_SECRET`: given (32 bytes at least), or random in
/// development; whether it was generated.
fn jwt_secret(raw: Option<&str>, production: bool, p: &mut Problems) -> Option<(JwtSecret, bool)> {
    match (raw, production) {
        (Some(s), _) => JwtSecret::new(s.as_bytes())
            .map(|secret| (secret, false))
            .map_err(|_| {
                p.add(format!(
                    "ECOLAURA_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
                ));
            })
            .ok(),
        (None, true) => {
            p.add("ECOLAURA_JWT_SECRET is required when ECOLAURA_ENV=production");
            None
        }
        (None, false) => JwtSecret::random()
            .map(|secret| (secret, true))
            .map_err(|e| p.add(format!("no randomness for a development JWT secret: {e}")))
            .ok(),
    }
}

/// `ECOLAURA_CURRENCY`: an ISO 4217 code.
fn currency(raw: &str, p: &mut Problems) -> Currency {
    Currency::parse(raw.trim()).unwrap_or_else(|e| {
        p.add(format!("ECOLAURA_CURRENCY {e}, not {raw:?}"));
        Currency::EUR
    })
}

/// `ECOLAURA_WORKERS`: a whole number >= 0.
fn workers(raw: &str, p: &mut Problems) -> usize {
    raw.trim().parse::<usize>().unwrap_or_else(|_| {
        p.add(format!(
            "ECOLAURA_WORKERS must be a whole number >= 0, not {raw:?}"
        ));
        0
    })
}

/// `ECOLAURA_LOG`: a `tracing` env-filter.
fn log_filter(raw: &str, p: &mut Problems) -> String {
    if tracing_subscriber::EnvFilter::try_new(raw).is_err() {
        p.add(format!("ECOLAURA_LOG is not a valid log filter: {raw:?}"));
    }
    raw.to_owned()
}

/// `ECOLAURA_LOG_FORMAT`: whether logs are JSON.
fn json_logs(raw: &str, p: &mut Problems) -> bool {
    match raw {
        "json" => true,
        "text" => false,
        other => {
            p.add(format!(
                "ECOLAURA_LOG_FORMAT must be text or json, not {other:?}"
            ));
            false
        }
    }
}

/// `ECOLAURA_CORS_ORIGINS`: comma-separated origins.
fn cors_origins(raw: Option<&str>, p: &mut Problems) -> Vec<String> {
    let origins: Vec<String> = raw
        .into_iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().trim_end_matches('/').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for origin in &origins {
        if !(origin.starts_with("http://") || origin.starts_with("https://")) {
            p.add(format!(
                "ECOLAURA_CORS_ORIGINS entries must be origins such as https://shop.example.com, not {origin:?}"
            ));
        }
    }
    origins
}

/// `ECOLAURA_JWT_AUDIENCE`: 1..200 characters.
fn audience(raw: &str, p: &mut Problems) -> String {
    let audience = raw.trim().to_owned();
    if audience.is_empty() || audience.len() > 200 {
        p.add("ECOLAURA_JWT_AUDIENCE must be 1..200 characters");
    }
    audience
}

impl Settings {
    /// Check every value of `env`; all problems at once.
    ///
    /// # Errors
    /// One message per bad value.
    pub(crate) fn from_environment(env: &Environment) -> Result<Settings, Vec<String>> {
        let mut p = Problems::default();
        let production = production(&env.environment, &mut p);
        let secret = jwt_secret(env.jwt_secret.as_deref(), production, &mut p);
        let audience = audience(&env.jwt_audience, &mut p);
        let access_ttl = p.seconds("ECOLAURA_ACCESS_TOKEN_TTL", &env.access_token_ttl);
        let refresh_ttl = p.seconds("ECOLAURA_REFRESH_TOKEN_TTL", &env.refresh_token_ttl);
        let database_url = database_url(env.database_url.as_deref(), &mut p);
        let database_pool = p.positive("ECOLAURA_DATABASE_POOL", &env.database_pool);
        let bind = p.address("ECOLAURA_BIND", &env.bind);
        let currency = currency(&env.currency, &mut p);
        let market = Market::parse(env.market.trim()).unwrap_or_else(|e| {
            p.add(format!("ECOLAURA_MARKET {e}, not {:?}", env.market));
            Market::Eu
        });
        let workers = workers(&env.workers, &mut p);
        let worker_database_pool =
            p.positive("ECOLAURA_WORKER_DATABASE_POOL", &env.worker_database_pool);
        let job_retention = p.seconds("ECOLAURA_JOB_RETENTION", &env.job_retention);
        let worker_metrics_bind =
            p.address("ECOLAURA_WORKER_METRICS_BIND", &env.worker_metrics_bind);
        let cache = cache(&env.cache_mb, &mut p);
        let log = log_filter(&env.log, &mut p);
        let json_logs = json_logs(&env.log_format, &mut p);
        let cors_origins = cors_origins(env.cors_origins.as_deref(), &mut p);
        let shutdown_grace = p.seconds("ECOLAURA_SHUTDOWN_GRACE", &env.shutdown_grace);
        let connections = connections(env, &mut p);
        let public_url = public_url(env.public_url.as_deref(), &mut p);
        let trusted_proxies = trusted_proxies(env.trusted_proxies.as_deref(), &mut p);
        let dpp_resolver = dpp_resolver(env.dpp_resolver.as_deref(), &mut p);
        let session_recheck = session_recheck(&env.session_recheck, &mut p);
        let smtp = smtp(env, &mut p);
        let Some((secret, generated_secret)) = secret.filter(|_| p.0.is_empty()) else {
            return Err(p.0);
        };
        let mut tokens = TokenConfig::new(secret);
        tokens.audience = audience;
        tokens.access_ttl = access_ttl;
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
            market,
            workers,
            worker_database_pool,
            job_retention,
            worker_metrics_bind,
            cache,
            log,
            json_logs,
            cors_origins,
            shutdown_grace,
            connections,
            public_url,
            dpp_resolver,
            trusted_proxies,
            session_recheck,
            smtp,
        })
    }
}
