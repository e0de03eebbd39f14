//! The real `ecolaura` binary on a free port, in a directory of its own.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(crate) const SECRET: &str = "an end-to-end secret, long enough for HS256";

/// A running `ecolaura serve`; killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) base: String,
    pub(crate) dir: tempfile::TempDir,
    database_url: Option<String>,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn command(dir: &std::path::Path, database_url: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecolaura"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ECOLAURA_BIND", "127.0.0.1:0")
        .env("ECOLAURA_WORKER_METRICS_BIND", "127.0.0.1:0")
        .env("ECOLAURA_JWT_SECRET", SECRET)
        .env("ECOLAURA_LOG", "warn");
    if let Some(url) = database_url {
        cmd.env("ECOLAURA_DATABASE_URL", url);
    }
    cmd
}

impl Server {
    /// Start `ecolaura serve` (SQLite in a temporary directory unless a URL is given).
    pub(crate) fn start(database_url: Option<&str>) -> Server {
        Self::start_in(tempfile::tempdir().unwrap(), database_url)
    }

    /// Start in an existing directory (to reopen its SQLite file).
    pub(crate) fn start_in(dir: tempfile::TempDir, database_url: Option<&str>) -> Server {
        Self::start_with(dir, database_url, &[])
    }

    /// Start with extra environment variables.
    pub(crate) fn start_with(
        dir: tempfile::TempDir,
        database_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> Server {
        let mut child = command(dir.path(), database_url)
            .envs(env.iter().copied())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server {
            child: Some(child),
            base: addr,
            dir,
            database_url: database_url.map(str::to_owned),
            http: reqwest::Client::new(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `ecolaura <args>` against the same database, running in the background.
    /// `ecolaura <args>` in the background, with extra environment variables.
    pub(crate) fn spawn_cli_with(&self, args: &[&str], env: &[(&str, &str)]) -> Child {
        command(self.dir.path(), self.database_url.as_deref())
            .envs(env.iter().copied())
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// `ecolaura <args>` against the same database, to completion.
    pub(crate) fn cli(&self, args: &[&str]) -> std::process::Output {
        command(self.dir.path(), self.database_url.as_deref())
            .args(args)
            .output()
            .unwrap()
    }

    /// Send SIGTERM and wait for the exit.
    pub(crate) fn terminate(&mut self) -> ExitStatus {
        terminate(self.child.take().unwrap())
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// The body of `GET path` as text.
    pub(crate) async fn text(&self, path: &str) -> String {
        let resp = self.http.get(self.url(path)).send().await.unwrap();
        resp.text().await.unwrap()
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// `POST path` as a well-behaved client sends a sign-in: while the host
    /// answers 503 (every password-hashing turn taken, API.md), it waits
    /// the `Retry-After` it was given and asks again, for at most a minute.
    pub(crate) async fn post_patiently(&self, path: &str, body: Value) -> (u16, Value) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let resp = self
                .http
                .post(self.url(path))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            let bytes = resp.bytes().await.unwrap();
            let answer = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            match retry_after {
                Some(secs) if status == 503 && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_secs(secs.max(1))).await;
                }
                _ => return (status, answer),
            }
        }
    }

    pub(crate) async fn register_and_login(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .post_patiently(
                "/api/v1/auth/register",
                json!({"email": email, "password": password, "name": "Buyer"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        self.login(email, password).await
    }

    pub(crate) async fn login(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .post_patiently(
                "/api/v1/auth/token",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access"].as_str().unwrap().to_owned()
    }

    /// The `bottles` category with one product in it, made by `staff`:
    /// "Eco Bottle" at 19.99 with 1.2 kg CO2e, `stock` in stock, recyclable
    /// as given. Returns the product.
    pub(crate) async fn a_bottle(&self, staff: &str, stock: u32, recyclable: bool) -> Value {
        let (status, _) = self
            .post(
                "/api/v1/categories",
                Some(staff),
                json!({"slug": "bottles", "name": "Bottles"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, bottle) = self
            .post(
                "/api/v1/products",
                Some(staff),
                json!({"name": "Eco Bottle", "price": "19.99", "stock": stock, "category": "bottles",
                       "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": recyclable, "biodegradable": false}}),
            )
            .await;
        assert_eq!(status, 201, "{bottle}");
        bottle
    }

    /// A staff account made with `ecolaura users add --staff`; its token.
    pub(crate) async fn staff(&self) -> String {
        let out = self.cli(&[
            "users",
            "add",
            "--email",
            "staff@shop.example",
            "--password",
            "staff password",
            "--staff",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.login("staff@shop.example", "staff password").await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A process a test started, killed when the guard drops: a failing
/// assertion must not leave it running (it would hold the test runner's
/// output pipes open, and the run would never end).
pub(crate) struct Running(Option<Child>);

impl Running {
    pub(crate) fn new(child: Child) -> Self {
        Self(Some(child))
    }

    /// Stop it with SIGTERM, as an operator would, and wait for it.
    pub(crate) fn stop(mut self) -> ExitStatus {
        terminate(self.0.take().unwrap())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An address on loopback with a port that was free a moment ago.
pub(crate) fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Send SIGTERM to `child` and wait (up to 30 s) for its exit.
pub(crate) fn terminate(mut child: Child) -> ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Run a checking script to its end (`program args…`, off the async
/// runtime) and assert that it succeeded and printed `passed`.
pub(crate) async fn run_check(
    program: std::ffi::OsString,
    args: Vec<std::ffi::OsString>,
    passed: &str,
) {
    let out =
        tokio::task::spawn_blocking(move || Command::new(program).args(args).output().unwrap())
            .await
            .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains(passed), "{stdout}");
}

/// A fresh Postgres database for one test, or `None` (loudly) without a server.
pub(crate) async fn postgres() -> Option<ecolaura_store_pg_testing::TestDb> {
    ecolaura_store_pg_testing::TestDb::create().await
}
