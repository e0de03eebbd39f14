//! Crash tests: a worker in another process claims a job and is killed.
//!
//! The test binary runs one of its own (ignored) tests as the child: the
//! child claims a job, prints `CLAIMED <job id>` and hangs; the parent kills
//! it with SIGKILL, so the job is left `running` exactly as a crash leaves it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::domain::JobId;
use crate::ports::JobQueue;

/// Run `child_test` (an ignored test in the current test binary) with `env`
/// set, wait until it prints `CLAIMED <job id>`, kill it, and return the id.
///
/// # Panics
/// When the child cannot start, says nothing within 60 s, or prints no id:
/// the crash test cannot go on then.
pub fn claim_in_a_child_then_kill_it(child_test: &str, env: (&str, &str)) -> JobId {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            child_test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env.0, env.1)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the child worker");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // libtest prints "test <name> ... " before the test's own output.
        let claimed = stdout
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.split_once("CLAIMED ").map(|(_, id)| id.trim().to_owned()));
        let _ = tx.send(claimed);
    });
    let claimed = rx.recv_timeout(Duration::from_secs(60));
    let _ = child.kill(); // SIGKILL: no clean shutdown, the job stays "running"
    let _ = child.wait();
    claimed
        .expect("the child answered within 60 s")
        .expect("the child claimed a job")
        .parse()
        .expect("the child printed a job id")
}

/// The child's side: claim the next due `process_order` job with a `lease`, print
/// `CLAIMED <job id>` for the parent, and hang as if working until killed.
///
/// # Panics
/// When no job is due or the claim fails.
pub async fn claim_and_hang(queue: &dyn JobQueue, lease: Duration) {
    let now = crate::domain::truncate_to_micros(chrono::Utc::now());
    let claim = queue
        .claim(crate::jobs::JobKind::ProcessOrder, now, lease)
        .await
        .expect("claim")
        .expect("a due job");
    println!("CLAIMED {}", claim.job.id);
    tokio::time::sleep(Duration::from_secs(3600)).await;
}
