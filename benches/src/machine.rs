//! How busy the rest of the machine is: the share of all CPU time used by
//! processes other than the benchmark's own (read from `/proc`), so that a
//! figure taken while something else ran (a build, other tests) can be told
//! apart. Included by the soak and queue binaries with `#[path]`. With
//! `NOISE_DEBUG=1` in the environment, every sample prints who the others were.

use std::collections::HashMap;
use std::time::Duration;

/// Samples the CPU time of other processes.
pub(crate) struct Noise {
    /// Our processes (this one, the host under test).
    ours: Vec<u32>,
    /// Postgres backends whose title names one of these databases are ours.
    databases: Vec<String>,
    prev: HashMap<u32, u64>,
    prev_total: u64,
    /// `NOISE_DEBUG` set: print who the others are, every sample.
    debug: bool,
}

fn total_jiffies() -> u64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .take(8)
                    .filter_map(|v| v.parse::<u64>().ok())
                    .sum()
            })
        })
        .unwrap_or(0)
}

/// (comm, utime + stime) of a process.
fn process(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let rest: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

impl Noise {
    /// `ours`: process ids whose CPU is the benchmark's; `databases`: the
    /// benchmark's Postgres databases (their backends are ours; other
    /// backends are someone else's; the server's own processes are neither).
    pub(crate) fn new(ours: Vec<u32>, databases: Vec<String>) -> Self {
        let mut n = Self {
            ours,
            databases,
            prev: HashMap::new(),
            prev_total: 0,
            debug: std::env::var_os("NOISE_DEBUG").is_some(),
        };
        n.sample();
        n
    }

    /// Whose a process is: `Some(true)` ours, `Some(false)` someone else's,
    /// `None` shared (the database server's own processes).
    fn whose(&self, pid: u32, comm: &str) -> Option<bool> {
        if self.ours.contains(&pid) {
            return Some(true);
        }
        if comm == "postgres" {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let title = String::from_utf8_lossy(&cmdline);
            if self.databases.iter().any(|d| title.contains(d.as_str())) {
                return Some(true);
            }
            // A backend of another database (`postgres: 15/main: user db host …`).
            if title.contains("ecolaura") || title.contains("127.0.0.1(") {
                return Some(false);
            }
            return None;
        }
        Some(false)
    }

    /// The share (0..1) of the machine's CPU time used by other processes
    /// since the previous call.
    pub(crate) fn sample(&mut self) -> f64 {
        let total = total_jiffies();
        let mut others = 0u64;
        let mut now = HashMap::new();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let Some(pid) = entry
                    .file_name()
                    .to_str()
                    .and_then(|s| s.parse::<u32>().ok())
                else {
                    continue;
                };
                let Some((comm, cpu)) = process(pid) else {
                    continue;
                };
                now.insert(pid, cpu);
                if self.whose(pid, &comm) == Some(false) {
                    // A process born since the last sample counts from zero.
                    let before = self.prev.get(&pid).copied().unwrap_or(0);
                    others += cpu.saturating_sub(before);
                    if self.debug && cpu > before && !self.prev.is_empty() {
                        eprintln!("noise: {pid} {comm} +{} jiffies", cpu - before);
                    }
                }
            }
        }
        let elapsed = total.saturating_sub(self.prev_total);
        if self.debug {
            eprintln!("noise: others used {others} of {elapsed} jiffies");
        }
        let first = self.prev_total == 0;
        self.prev = now;
        self.prev_total = total;
        if first || elapsed == 0 {
            0.0
        } else {
            (others as f64 / elapsed as f64).min(1.0)
        }
    }

    /// Wait (at most `limit`) until other processes used less than
    /// `threshold` of the machine for three seconds in a row. Returns how long
    /// it waited and whether the machine went quiet.
    pub(crate) async fn wait_quiet(&mut self, threshold: f64, limit: Duration) -> (Duration, bool) {
        let started = std::time::Instant::now();
        let mut quiet = 0;
        self.sample();
        while started.elapsed() < limit {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if self.sample() < threshold {
                quiet += 1;
                if quiet >= 3 {
                    return (started.elapsed(), true);
                }
            } else {
                quiet = 0;
            }
        }
        (started.elapsed(), false)
    }
}
