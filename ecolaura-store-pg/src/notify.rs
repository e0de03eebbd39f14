//! `LISTEN/NOTIFY`: waking idle job workers, and telling other hosts that
//! the catalog changed (what the catalog notifications carry is
//! [`crate::invalidation`]'s).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_query::{Alias, Func, Query, SelectStatement};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Notified when jobs are enqueued: in the enqueuing transaction, or, on the
/// hot paths (placement, confirmation), just after it (see `announce`).
pub const JOBS_CHANNEL: &str = "ecolaura_jobs";
/// Notified for every write that changes what catalog reads return: in the
/// writing transaction, or, for an order's stock changes, just after it.
pub const CATALOG_CHANNEL: &str = "ecolaura_catalog";

/// `SELECT pg_notify(channel, '')` for each channel, in one statement:
/// delivered when the transaction commits, never for one that rolls back.
pub(crate) fn notify(channels: &[&str]) -> SelectStatement {
    notify_with(channels.iter().map(|c| (*c, String::new())))
}

/// `SELECT pg_notify(channel, payload)` for each pair, in one statement.
pub(crate) fn notify_with<'a>(
    notifications: impl IntoIterator<Item = (&'a str, String)>,
) -> SelectStatement {
    let mut q = Query::select();
    for (channel, payload) in notifications {
        q.expr(Func::cust(Alias::new("pg_notify")).args([channel.into(), payload.into()]));
    }
    q
}

/// Wakes this process's idle workers when any process enqueues a job.
pub(crate) struct Listener {
    pool: PgPool,
    wake: Arc<Notify>,
    started: AtomicBool,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Listener {
    pub(crate) fn new(pool: PgPool) -> Self {
        Self {
            pool,
            wake: Arc::new(Notify::new()),
            started: AtomicBool::new(false),
            task: Default::default(),
        }
    }

    /// Wait for a job notification or the timeout. The listening connection
    /// is opened on first use.
    pub(crate) async fn wait(&self, timeout: Duration) {
        if !self.started.swap(true, Ordering::SeqCst) {
            let (pool, wake) = (self.pool.clone(), self.wake.clone());
            let task = tokio::spawn(listen(pool, JOBS_CHANNEL, move || wake.notify_waiters()));
            *self
                .task
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
        }
        let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(task) = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }
}

/// Call `on_notify` for every notification on `channel`, forever,
/// reconnecting (and calling it once, for what may have been missed) after
/// a lost connection.
async fn listen(pool: PgPool, channel: &'static str, on_notify: impl Fn() + Send + 'static) {
    listen_with(pool, channel, move |_| {
        on_notify();
        std::future::ready(())
    })
    .await;
}

/// [`listen`], handing `on_notify` each notification's payload, and `None`
/// once on every (re)connection, for what may have been missed.
pub(crate) async fn listen_with<F, Fut>(pool: PgPool, channel: &'static str, mut on_notify: F)
where
    F: FnMut(Option<String>) -> Fut + Send,
    Fut: Future<Output = ()> + Send,
{
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(channel).await {
                Ok(()) => {
                    on_notify(None).await;
                    while let Ok(notification) = listener.recv().await {
                        on_notify(Some(notification.payload().to_owned())).await;
                    }
                    tracing::warn!(channel, "notification connection lost; reconnecting");
                }
                Err(e) => tracing::warn!(channel, error = %e, "LISTEN failed; retrying"),
            },
            Err(e) => {
                tracing::warn!(channel, error = %e, "cannot open a notification connection; retrying")
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
