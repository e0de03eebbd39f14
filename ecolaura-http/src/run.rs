//! What each command does once the settings are checked.

use std::sync::Arc;

use ecolaura_core::accounts::{NewAccount, Password, Role};
use ecolaura_core::auth::Actor;
use ecolaura_core::cache::{MokaCache, MokaCacheConfig};
use ecolaura_core::domain::{Email, PersonName};
use ecolaura_core::services::{AccountsConfig, OrdersConfig};
use ecolaura_core::{Ecolaura, Store};
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

use crate::app::{Host, HostConfig};
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::store::{OpenedStore, StoreSettings, open};
use crate::wire::PublicUrl;
use crate::workers::{Workers, serve_worker_metrics, spawn_purger};

/// A command's failure, as told to the operator.
pub(crate) type RunError = Box<dyn std::error::Error + Send + Sync>;

/// Log to stderr with the configured filter and format.
pub(crate) fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) keeps the first subscriber.
    let _ = if settings.json_logs {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub(crate) async fn open_store(
    settings: &Settings,
    migrate: bool,
) -> Result<OpenedStore, RunError> {
    let opened = open(StoreSettings {
        url: settings.database_url.as_deref(),
        dir: &settings.data_dir,
        pool: settings.database_pool,
        migrate,
    })
    .await?;
    tracing::info!(store = %opened.location, "storage opened");
    Ok(opened)
}

/// The application over `store`, in the configured currency, with a read
/// cache of `cache`'s bound and sessions as long as refresh tokens.
pub(crate) fn application(
    store: Arc<dyn Store>,
    settings: &Settings,
    cache: MokaCacheConfig,
) -> Result<Ecolaura, RunError> {
    let accounts = AccountsConfig {
        session_lifetime: settings.tokens.refresh_ttl,
        principal_ttl: settings.session_recheck,
        ..AccountsConfig::default()
    };
    let mut builder = Ecolaura::builder()
        .shared_store(store)
        .cache(Arc::new(MokaCache::new(cache)))
        .orders_config(OrdersConfig {
            currency: settings.currency,
            ..OrdersConfig::default()
        })
        .accounts_config(accounts);
    if let Some(smtp) = &settings.smtp {
        let relay = crate::smtp::SmtpRelay::new(smtp)?;
        builder = builder.mail_relay(Arc::new(relay));
    }
    Ok(builder.build()?)
}

/// Job workers and commands read no catalog pages: a token cache.
pub(crate) fn small_cache() -> MokaCacheConfig {
    MokaCacheConfig::megabytes(1)
}

/// The first SIGINT or SIGTERM, listened for from the moment the runtime
/// starts (before storage is opened), so that a signal at any moment after
/// start ends the process cleanly instead of killing it.
#[derive(Clone)]
pub(crate) struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Start listening. Must run inside the runtime.
    pub(crate) fn listen() -> Self {
        let (tx, rx) = watch::channel(false);
        #[cfg(unix)]
        let handlers = {
            use tokio::signal::unix::{SignalKind, signal};
            (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            )
        };
        tokio::spawn(async move {
            #[cfg(unix)]
            match handlers {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    tracing::warn!("cannot listen for SIGTERM; only ctrl-c stops the process");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: draining requests and jobs");
            let _ = tx.send(true);
        });
        Self(rx)
    }

    /// Resolves once a signal came (at once if one came already).
    pub(crate) async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// A receiver that turns true on the signal, for tasks to stop on.
    pub(crate) fn receiver(&self) -> watch::Receiver<bool> {
        self.0.clone()
    }
}

/// The store, migrated when the settings say so, unless the signal comes
/// first (while migrating, or waiting for the database): `None` then.
async fn open_unless_stopped(
    settings: &Settings,
    shutdown: &Shutdown,
) -> Result<Option<OpenedStore>, RunError> {
    tokio::select! {
        biased;
        () = shutdown.wait() => {
            tracing::info!("stopped while starting");
            Ok(None)
        }
        opened = open_store(settings, settings.migrates_on_start()) => opened.map(Some),
    }
}

/// `ecolaura serve`.
///
/// # Errors
/// Storage that cannot be opened, an address that cannot be bound.
pub(crate) async fn serve(settings: Settings, shutdown: Shutdown) -> Result<(), RunError> {
    let Some(opened) = open_unless_stopped(&settings, &shutdown).await? else {
        return Ok(());
    };
    let app = application(opened.store.clone(), &settings, settings.cache)?;
    if settings.generated_secret {
        tracing::warn!(
            "ECOLAURA_JWT_SECRET is not set: using a random secret; tokens stop working when the process stops"
        );
    }
    let listener = tokio::net::TcpListener::bind(settings.bind).await?;
    let addr = listener.local_addr()?;
    let host = Host::new(
        app.clone(),
        opened.readiness.clone(),
        HostConfig {
            tokens: settings.tokens.clone(),
            cors_origins: settings.cors_origins.clone(),
            body_read_timeout: settings.connections.body_read_timeout,
            public_url: settings
                .public_url
                .clone()
                .unwrap_or_else(|| PublicUrl::for_address(addr)),
            trusted_proxies: settings.trusted_proxies.clone(),
            market: settings.market,
            dpp_resolver: settings.dpp_resolver.clone(),
        },
    )?;

    let invalidation = opened.invalidate_on_catalog_changes(app.cache().clone());

    // The one line a person (or a test) waits for; on stdout, whatever the log settings.
    println!(
        "ecolaura listening on http://{addr} (API at http://{addr}/api/v1, docs at http://{addr}/docs) using {}",
        opened.location
    );
    tracing::info!(%addr, workers = settings.workers, "serving");

    let stop = shutdown.receiver();
    let workers = if settings.workers > 0 {
        // The workers get connections of their own: HTTP load cannot starve
        // them, nor they the handlers.
        let worker_store = open_worker_store(&settings, &opened).await?;
        let worker_app = application(worker_store, &settings, small_cache())?;
        Some(Workers::spawn(
            &worker_app,
            settings.workers,
            host.state().metrics.clone(),
            &stop,
        ))
    } else {
        None
    };
    let purger = spawn_purger(opened.store.clone(), &app, settings.job_retention, &stop);

    let result = crate::server::serve(
        listener,
        host.endpoint(),
        settings.connections,
        shutdown.receiver(),
        settings.shutdown_grace,
    )
    .await;
    if let Some(workers) = workers {
        workers.finish(settings.shutdown_grace).await;
    }
    let _ = purger.await;
    if let Some(task) = invalidation {
        task.abort();
    }
    tracing::info!("stopped");
    result.map_err(Into::into)
}

/// The store the job workers use: on Postgres a pool of its own
/// (`ECOLAURA_WORKER_DATABASE_POOL` connections); on SQLite the same store,
/// whose one writer lock every write of the process must share.
async fn open_worker_store(
    settings: &Settings,
    opened: &OpenedStore,
) -> Result<Arc<dyn Store>, RunError> {
    #[cfg(feature = "postgres")]
    if opened.postgres.is_some()
        && let Some(url) = settings.database_url.as_deref()
    {
        let worker = open(StoreSettings {
            url: Some(url),
            dir: &settings.data_dir,
            pool: settings.worker_database_pool,
            migrate: false,
        })
        .await?;
        return Ok(worker.store);
    }
    let _ = settings;
    Ok(opened.store.clone())
}

/// `ecolaura migrate`.
///
/// # Errors
/// Storage that cannot be opened or migrated.
pub(crate) async fn migrate(settings: Settings) -> Result<(), RunError> {
    let opened = open_store(&settings, true).await?;
    println!("migrations applied to {}", opened.location);
    Ok(())
}

/// `ecolaura worker`: jobs only, until SIGTERM or SIGINT, with metrics of
/// its own on `ECOLAURA_WORKER_METRICS_BIND`.
///
/// # Errors
/// Storage that cannot be opened, a metrics address that cannot be bound.
pub(crate) async fn worker(settings: Settings, shutdown: Shutdown) -> Result<(), RunError> {
    let Some(opened) = open_unless_stopped(&settings, &shutdown).await? else {
        return Ok(());
    };
    let app = application(opened.store.clone(), &settings, small_cache())?;
    let count = settings.workers.max(1);
    let stop = shutdown.receiver();
    let metrics = Arc::new(Metrics::new()?);
    let server = serve_worker_metrics(
        settings.worker_metrics_bind,
        metrics.clone(),
        app.clone(),
        &stop,
    )
    .await?;
    let workers = Workers::spawn(&app, count, metrics, &stop);
    let purger = spawn_purger(opened.store.clone(), &app, settings.job_retention, &stop);
    tracing::info!(concurrency = count, "job worker running");
    shutdown.wait().await;
    workers.finish(settings.shutdown_grace).await;
    let _ = purger.await;
    let _ = server.await;
    Ok(())
}

/// `ecolaura users add`.
///
/// # Errors
/// Bad input, a taken address, storage that cannot be opened.
pub(crate) async fn add_user(
    settings: Settings,
    email: &str,
    password: String,
    name: Option<&str>,
    staff: bool,
) -> Result<(), RunError> {
    let email = Email::parse(email).map_err(|e| format!("--email {e}"))?;
    let password = Password::new(password).map_err(|e| format!("--password {e}"))?;
    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("user")
        .to_owned();
    let name =
        PersonName::parse(name.unwrap_or(&default_name)).map_err(|e| format!("--name {e}"))?;
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store, &settings, small_cache())?;
    let role = if staff { Role::Staff } else { Role::Customer };
    let user = app
        .accounts()
        .register(
            &Actor::System,
            NewAccount {
                email,
                password,
                name,
                role,
            },
        )
        .await?;
    println!("added {} account {} ({})", user.role, user.email, user.id);
    Ok(())
}

/// `ecolaura demo`: load the demo shop into the configured (empty) store
/// and print how to sign in.
pub(crate) async fn demo(settings: Settings) -> Result<(), RunError> {
    if settings.production {
        return Err("`ecolaura demo` does not run with ECOLAURA_ENV=production".into());
    }
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store, &settings, small_cache())?;
    let loaded = crate::demo::load(&app).await?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| crate::wire::PublicUrl::for_address(settings.bind));
    println!(
        "Loaded a demo shop into {}: {}.",
        opened.location,
        crate::demo::contents()
    );
    println!("Sign in (POST /api/v1/auth/token) as:");
    println!(
        "  staff     {}  {}",
        crate::demo::STAFF_EMAIL,
        loaded.staff_password
    );
    println!(
        "  customer  {}  {}",
        crate::demo::CUSTOMER_EMAIL,
        loaded.customer_password
    );
    println!("The passwords are shown once; keep them. Start the host with `ecolaura serve`,");
    println!(
        "then browse {}/api/v1/products, or try the API at {}/docs.",
        base.as_str(),
        base.as_str()
    );
    Ok(())
}
