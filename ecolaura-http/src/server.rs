//! The HTTP server loop: the host's endpoint on hyper, with limits that a
//! slow or hostile client cannot get around.
//!
//! poem's own server has no header or body read timeout and no cap on
//! connections: slowloris connections (headers sent a byte at a time, or
//! never) held every file descriptor. Here every connection is tracked:
//! - a connection whose request head has begun to arrive is closed when the
//!   head is not complete within [`ConnectionLimits::header_read_timeout`];
//! - a connection with no request in progress (idle keep-alive, or a
//!   client that does not read its response) is closed after
//!   [`ConnectionLimits::idle_timeout`];
//! - at [`ConnectionLimits::max_connections`], a new connection evicts the
//!   connection that has been waiting on its client the longest: for its
//!   next request (no request in progress), or for the rest of a request
//!   body that a handler is reading. Only when every connection has a
//!   request the host itself is working on is the new one closed. Slow
//!   clients are the first to go, and an honest client's connection gets in
//!   at once.
//!
//! Request bodies have their own deadline ([`crate::body`]), answered 408;
//! the body reader tells the server when it waits ([`BodyWatch`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// poem's response body, as hyper sends it.
type ResponseBody = http_body_util::combinators::BoxBody<bytes::Bytes, io::Error>;

/// Limits on what clients can make the server hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections at most (1,024); see the module for who is evicted.
    pub max_connections: usize,
    /// Time for a request head, from its first byte to its end (10 s).
    pub header_read_timeout: Duration,
    /// Time for a request body, from the handler's first read to its end (30 s).
    pub body_read_timeout: Duration,
    /// Time a connection may stay open with no request in progress (30 s).
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
        }
    }
}

/// The read buffer of a connection at most: what a request head may take
/// before hyper itself refuses it.
const MAX_HEAD_BUFFER: usize = 64 * 1024;

/// How often the limits are checked: the timeouts hold to within this.
const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// "Never": a stamp of 0 means not set.
const UNSET: u64 = 0;

/// What the server knows of one connection.
struct Tracked {
    /// Requests in progress (HTTP/2 may have several).
    in_progress: AtomicUsize,
    /// When it last had no request in progress (ms since the server began;
    /// +1 so that 0 stays "unset").
    free_since: AtomicU64,
    /// When the first byte of the next request head came, while free.
    head_since: AtomicU64,
    /// When a handler began to read a request body it still waits for.
    body_since: AtomicU64,
    /// Closes the connection.
    close: Notify,
}

impl Tracked {
    fn new(now: u64) -> Self {
        Self {
            in_progress: AtomicUsize::new(0),
            free_since: AtomicU64::new(now),
            head_since: AtomicU64::new(UNSET),
            body_since: AtomicU64::new(UNSET),
            close: Notify::new(),
        }
    }

    fn is_free(&self) -> bool {
        self.in_progress.load(Ordering::Acquire) == 0
    }

    /// Since when the connection waits on its client: for a next request,
    /// or for a request body; `None` while the host works on a request.
    fn waiting_on_client_since(&self) -> Option<u64> {
        if self.is_free() {
            return Some(self.free_since.load(Ordering::Acquire));
        }
        let body = self.body_since.load(Ordering::Acquire);
        (body != UNSET).then_some(body)
    }
}

/// Every open connection, and the clock their stamps use.
struct Registry {
    started: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Tracked>>>,
    limits: ConnectionLimits,
}

impl Registry {
    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Tracked>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Room for one more connection: `None` when every open one has a
    /// request the host is working on.
    fn admit(&self) -> Option<(u64, Arc<Tracked>)> {
        let now = self.now();
        let mut open = self.map();
        if open.len() >= self.limits.max_connections {
            let victim = open
                .iter()
                .filter_map(|(id, t)| Some((*id, t.waiting_on_client_since()?)))
                .min_by_key(|(_, since)| *since)
                .map(|(id, _)| id)?;
            if let Some(evicted) = open.remove(&victim) {
                evicted.close.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = Arc::new(Tracked::new(now));
        open.insert(id, tracked.clone());
        Some((id, tracked))
    }

    fn forget(&self, id: u64) {
        self.map().remove(&id);
    }

    /// Close the connections that broke a timeout.
    fn sweep(&self) {
        let now = self.now();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (head, idle) = (
            ms(self.limits.header_read_timeout),
            ms(self.limits.idle_timeout),
        );
        for tracked in self.map().values() {
            if !tracked.is_free() {
                continue;
            }
            let head_since = tracked.head_since.load(Ordering::Acquire);
            let free_since = tracked.free_since.load(Ordering::Acquire);
            let slow_head = head_since != UNSET && now.saturating_sub(head_since) > head;
            let idle_too_long = now.saturating_sub(free_since) > idle;
            if slow_head || idle_too_long {
                tracked.close.notify_one();
            }
        }
    }
}

/// A connection's socket, noting when a request head begins to arrive.
struct Watched {
    stream: TcpStream,
    tracked: Arc<Tracked>,
    registry: Arc<Registry>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let t = &self.tracked;
            if t.is_free() && t.head_since.load(Ordering::Relaxed) == UNSET {
                t.head_since.store(self.registry.now(), Ordering::Release);
            }
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Marks a request in progress on its connection while it lives.
struct InProgress {
    tracked: Arc<Tracked>,
    registry: Arc<Registry>,
}

impl InProgress {
    fn begin(tracked: Arc<Tracked>, registry: Arc<Registry>) -> Self {
        tracked.in_progress.fetch_add(1, Ordering::AcqRel);
        tracked.head_since.store(UNSET, Ordering::Release);
        Self { tracked, registry }
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.tracked
            .free_since
            .store(self.registry.now(), Ordering::Release);
        self.tracked.in_progress.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request's view of its connection, in the request's extensions: the
/// body reader marks the time it spends waiting for the client's body, so
/// that a connection full of trickled bodies can be evicted for a new one.
#[derive(Clone)]
pub(crate) struct BodyWatch {
    tracked: Arc<Tracked>,
    registry: Arc<Registry>,
}

impl BodyWatch {
    /// Marks the body as awaited until the returned guard drops.
    pub(crate) fn awaiting(&self) -> AwaitingBody {
        let _ = self.tracked.body_since.compare_exchange(
            UNSET,
            self.registry.now(),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        AwaitingBody {
            tracked: self.tracked.clone(),
        }
    }
}

/// A body being awaited (see [`BodyWatch::awaiting`]).
pub(crate) struct AwaitingBody {
    tracked: Arc<Tracked>,
}

impl Drop for AwaitingBody {
    fn drop(&mut self) {
        self.tracked.body_since.store(UNSET, Ordering::Release);
    }
}

/// Serve `endpoint` on `listener` under `limits` until `stop` turns true;
/// then stop accepting, let requests in progress finish for at most `grace`,
/// and return.
///
/// # Errors
/// Only when the listener fails for good.
pub async fn serve<E>(
    listener: TcpListener,
    endpoint: E,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) -> io::Result<()>
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    let endpoint: Arc<BoxEndpoint<'static>> =
        Arc::new(endpoint.into_endpoint().map_to_response().boxed());
    let local = listener.local_addr()?;
    let registry = Arc::new(Registry {
        started: Instant::now(),
        next_id: AtomicU64::new(1),
        open: Mutex::new(HashMap::new()),
        limits,
    });
    let (closing_tx, closing) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut sweep = tokio::time::interval(SWEEP_EVERY);
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            _ = sweep.tick() => registry.sweep(),
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, remote) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of descriptors and the like: pause, do not spin.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some((id, tracked)) = registry.admit() else {
                    // Every connection is busy with a request: no room.
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(connection(
                    stream,
                    local,
                    remote,
                    endpoint.clone(),
                    Connection { id, tracked, registry: registry.clone() },
                    closing.clone(),
                ));
            }
        }
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("requests still running after the grace period; closing them");
        connections.shutdown().await;
    }
    Ok(())
}

struct Connection {
    id: u64,
    tracked: Arc<Tracked>,
    registry: Arc<Registry>,
}

async fn connection(
    stream: TcpStream,
    local: SocketAddr,
    remote: SocketAddr,
    endpoint: Arc<BoxEndpoint<'static>>,
    this: Connection,
    mut closing: watch::Receiver<bool>,
) {
    let Connection {
        id,
        tracked,
        registry,
    } = this;
    let service = {
        let (tracked, registry) = (tracked.clone(), registry.clone());
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let endpoint = endpoint.clone();
            let in_progress = InProgress::begin(tracked.clone(), registry.clone());
            let watch = BodyWatch {
                tracked: tracked.clone(),
                registry: registry.clone(),
            };
            async move {
                let mut request = Request::from((
                    req,
                    poem::web::LocalAddr(poem::Addr::SocketAddr(local)),
                    poem::web::RemoteAddr(poem::Addr::SocketAddr(remote)),
                    poem::http::uri::Scheme::HTTP,
                ));
                request.extensions_mut().insert(watch);
                let response = endpoint.get_response(request).await;
                drop(in_progress);
                Ok::<_, Infallible>(hyper::Response::<ResponseBody>::from(response))
            }
        })
    };
    let io = TokioIo::new(Watched {
        stream,
        tracked: tracked.clone(),
        registry: registry.clone(),
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Room for the largest head the host answers itself (8 KiB of target,
    // 32 KiB of headers: 414 and 431 as problems), and no more per connection.
    builder.http1().max_buf_size(MAX_HEAD_BUFFER);
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    let drain = tokio::select! {
        _ = conn.as_mut() => false,
        () = tracked.close.notified() => false,
        _ = closing.wait_for(|c| *c) => true,
    };
    if drain {
        // Finish the request in progress, then close.
        conn.as_mut().graceful_shutdown();
        let _ = conn.as_mut().await;
    }
    registry.forget(id);
}
