//! What each command does once the settings are checked.

use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::accounts::{NewAccount, Password, Role};
use ecolaura_core::auth::Actor;
use ecolaura_core::domain::{Email, PersonName};
use ecolaura_core::jobs::WorkerConfig;
use ecolaura_core::{Ecolaura, Store};
use poem::listener::{Acceptor, Listener, TcpListener};
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

use crate::app::{Host, HostConfig};
use crate::cli::Settings;
use crate::metrics::JobMetrics;
use crate::store::{OpenedStore, StoreSettings, open};

/// A command's failure, as told to the operator.
pub type RunError = Box<dyn std::error::Error + Send + Sync>;

/// How often expired idempotency keys and old done jobs are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// How long done jobs are kept (dead ones are kept until someone acts).
const DONE_JOB_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Log to stderr with the configured filter and format.
pub fn init_logging(settings: &Settings) {
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

async fn open_store(settings: &Settings, migrate: bool) -> Result<OpenedStore, RunError> {
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

fn application(store: Arc<dyn Store>) -> Result<Ecolaura, RunError> {
    Ok(Ecolaura::builder().shared_store(store).build()?)
}

/// Resolves on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: draining requests and jobs");
}

/// Job workers until `stop` turns true; running jobs finish first.
fn spawn_workers(
    app: &Ecolaura,
    count: usize,
    observer: Option<Arc<crate::metrics::Metrics>>,
    stop: &watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let config = WorkerConfig {
        concurrency: count,
        ..WorkerConfig::default()
    };
    let mut worker = app.worker(config);
    if let Some(metrics) = observer {
        worker = worker.with_observer(Arc::new(JobMetrics(metrics)));
    }
    let mut stop = stop.clone();
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(e) = worker.run(stopped).await {
            tracing::error!(error = %crate::problem::ErrorChain(&e), "job worker stopped");
        }
    })
}

/// Purge expired idempotency keys and week-old done jobs every hour until `stop`.
fn spawn_purger(
    store: Arc<dyn Store>,
    app: &Ecolaura,
    stop: &watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let clock = app.clock().clone();
    let mut stop = stop.clone();
    tokio::spawn(async move {
        loop {
            let now = clock.now();
            match store.purge_expired_idempotency(now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired idempotency keys purged"),
                Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
            }
            let cutoff = now - chrono::Duration::from_std(DONE_JOB_RETENTION).unwrap_or_default();
            match store.purge_done_jobs(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "done jobs older than 7 days purged"),
                Err(e) => tracing::warn!(error = %e, "purging done jobs failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(PURGE_EVERY) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

/// `ecolaura serve`.
///
/// # Errors
/// Storage that cannot be opened, an address that cannot be bound.
pub async fn serve(settings: Settings) -> Result<(), RunError> {
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store.clone())?;
    if settings.generated_secret {
        tracing::warn!(
            "ECOLAURA_JWT_SECRET is not set: using a random secret; tokens stop working when the process stops"
        );
    }
    let host = Host::new(
        app.clone(),
        opened.readiness.clone(),
        HostConfig {
            tokens: settings.tokens.clone(),
            currency: settings.currency.clone(),
            cors_origins: settings.cors_origins.clone(),
        },
    )?;

    #[cfg(feature = "postgres")]
    let invalidation = opened
        .postgres
        .as_ref()
        .map(|pg| pg.invalidate_on_catalog_changes(app.cache().clone()));

    let acceptor = TcpListener::bind(settings.bind).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .unwrap_or(settings.bind);
    // The one line a person (or a test) waits for; on stdout, whatever the log settings.
    println!(
        "ecolaura listening on http://{addr} (API at http://{addr}/api/v1, docs at http://{addr}/docs) using {}",
        opened.location
    );
    tracing::info!(%addr, workers = settings.workers, "serving");

    let (stop_tx, stop_rx) = watch::channel(false);
    let workers = (settings.workers > 0).then(|| {
        spawn_workers(
            &app,
            settings.workers,
            Some(host.state().metrics.clone()),
            &stop_rx,
        )
    });
    let purger = spawn_purger(opened.store.clone(), &app, &stop_rx);

    let server = poem::Server::new_with_acceptor(acceptor);
    let result = server
        .run_with_graceful_shutdown(
            host.endpoint(),
            shutdown_signal(),
            Some(settings.shutdown_grace),
        )
        .await;
    let _ = stop_tx.send(true);
    if let Some(workers) = workers
        && tokio::time::timeout(settings.shutdown_grace, workers)
            .await
            .is_err()
    {
        tracing::warn!(
            "jobs still running after the grace period; they will be retried after their lease"
        );
    }
    let _ = purger.await;
    #[cfg(feature = "postgres")]
    if let Some(task) = invalidation {
        task.abort();
    }
    tracing::info!("stopped");
    result.map_err(Into::into)
}

/// `ecolaura migrate`.
///
/// # Errors
/// Storage that cannot be opened or migrated.
pub async fn migrate(settings: Settings) -> Result<(), RunError> {
    let opened = open_store(&settings, true).await?;
    println!("migrations applied to {}", opened.location);
    Ok(())
}

/// `ecolaura worker`: jobs only, until SIGTERM or SIGINT.
///
/// # Errors
/// Storage that cannot be opened.
pub async fn worker(settings: Settings) -> Result<(), RunError> {
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store.clone())?;
    let count = settings.workers.max(1);
    let (stop_tx, stop_rx) = watch::channel(false);
    let workers = spawn_workers(&app, count, None, &stop_rx);
    let purger = spawn_purger(opened.store.clone(), &app, &stop_rx);
    tracing::info!(concurrency = count, "job worker running");
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(settings.shutdown_grace, workers).await;
    let _ = purger.await;
    Ok(())
}

/// `ecolaura users add`.
///
/// # Errors
/// Bad input, a taken address, storage that cannot be opened.
pub async fn add_user(
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
    let app = application(opened.store)?;
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
