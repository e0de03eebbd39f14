//! The process's life at its edges: a signal at any moment after start, and
//! storage that goes away under a running host.

use std::process::{Child, Stdio};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::server::{Server, command, postgres, terminate};

fn spawn(dir: &std::path::Path, args: &[&str]) -> Child {
    command(dir, None)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether the process has begun running its own code: it is the `ecolaura`
/// image and it catches SIGTERM, or holds it the way `main` does (SIGINT and
/// SIGTERM alone, read from `SigBlk`/`SigCgt` in `/proc/<pid>/status`).
///
/// A blanket block of every signal is not the program's hold: the test's
/// forked copy shows one before it `exec`s, and so does the main thread
/// while jemalloc starts its background thread before `main` (it masks
/// everything for the thread to inherit, then unmasks). A signal sent in
/// either moment lands on the default action once the mask is restored;
/// that window is the loader's and the allocator's, before any program can
/// answer a signal.
fn running_its_own_code(pid: u32) -> bool {
    const SIGTERM_BIT: u64 = 1 << (15 - 1);
    const SIGUSR1_BIT: u64 = 1 << (10 - 1);
    let ours = std::fs::canonicalize(env!("CARGO_BIN_EXE_ecolaura")).ok();
    let image = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
    if ours.is_none() || image != ours {
        return false;
    }
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    let mask = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0)
    };
    let (blocked, caught) = (mask("SigBlk:"), mask("SigCgt:"));
    let held = blocked & SIGTERM_BIT != 0 && blocked & SIGUSR1_BIT == 0;
    held || caught & SIGTERM_BIT != 0
}

/// SIGTERM at the first moment the program runs, a few milliseconds in,
/// and later (while storage opens and migrates, while serving): `serve` and
/// `worker` always drain and exit 0, never die of the signal.
#[test]
fn a_signal_at_any_moment_after_start_exits_cleanly() {
    for command in [["serve"], ["worker"]] {
        for delay_ms in [0, 2, 10, 50, 300] {
            let dir = tempfile::tempdir().unwrap();
            let child = spawn(dir.path(), &command);
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while !running_its_own_code(child.id()) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the program never ran"
                );
                std::thread::yield_now();
            }
            std::thread::sleep(Duration::from_millis(delay_ms));
            let status = terminate(child);
            assert!(
                status.success(),
                "`ecolaura {}` after {delay_ms} ms: {status}",
                command[0]
            );
        }
    }
}

/// A TCP relay to Postgres that can be cut: every open connection dropped
/// and new ones refused, as when the database host goes away.
struct Relay {
    port: u16,
    cut: watch::Sender<bool>,
}

impl Relay {
    async fn to(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, is_cut) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let mut stop = is_cut.clone();
                let accepted = tokio::select! {
                    _ = stop.wait_for(|c| *c) => return, // the listener closes: refused
                    accepted = listener.accept() => accepted,
                };
                let Ok((mut client, _)) = accepted else {
                    return;
                };
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let cut = tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => false,
                        r = stop.wait_for(|c| *c) => r.is_ok(),
                    };
                    if cut {
                        let _ = client.shutdown().await;
                    }
                });
            }
        });
        Relay { port, cut }
    }

    fn cut(&self) {
        let _ = self.cut.send(true);
    }
}

/// With Postgres gone, `/readyz` and a read that needs storage answer 503
/// problems (the pool gives up quickly instead of queueing for seconds),
/// and `/healthz` still answers 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_storage_gone_requests_get_a_503_and_the_process_lives() {
    let Some(db) = postgres().await else {
        return;
    };
    // postgres://user@host:port/database: route host:port through the relay.
    let url = db.url();
    let start = url.find('@').map_or("postgres://".len(), |at| at + 1);
    let end = start + url[start..].find('/').unwrap();
    let target = url[start..end].to_owned();
    let relay = Relay::to(target).await;
    let relayed = format!("{}127.0.0.1:{}{}", &url[..start], relay.port, &url[end..]);
    let mut server = Server::start(Some(&relayed));
    let (status, _) = server.get("/readyz", None).await;
    assert_eq!(status, 200);

    relay.cut();
    let (status, body) = server.get("/readyz", None).await;
    assert_eq!(status, 503, "{body}");
    let (status, body) = server.get("/api/v1/orders", Some("not a token")).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = server.get("/api/v1/categories", None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], 503);
    let (status, _) = server.get("/healthz", None).await;
    assert_eq!(status, 200);
    assert!(server.terminate().success());
}
