//! The API explorer in a real browser: headless Chromium loads `/docs`
//! under the page's Content-Security-Policy, renders every path, and
//! reports no violation of the policy.

use std::path::PathBuf;
use std::process::Command;

use crate::server::Server;

/// Chromium, from `ECOLAURA_CHROMIUM` or the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ECOLAURA_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_explorer_renders_under_its_content_security_policy() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").is_err(),
            "chromium is required under CI (.ci/run installs it)"
        );
        eprintln!(
            "\n*** SKIPPED: chromium not found; `apt-get install chromium` to run this test ***\n"
        );
        return;
    };
    let server = Server::start(None);
    let policy = reqwest::get(server.url("/docs"))
        .await
        .unwrap()
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!policy.contains("script-src 'unsafe-inline'"), "{policy}");
    let profile = tempfile::tempdir().unwrap();
    let url = server.url("/docs");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--dump-dom")
            .arg(url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let violations: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Content Security Policy"))
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    // Swagger UI ran: every documented path is a rendered operation.
    for path in ["/api/v1/auth/token", "/api/v1/products", "/api/v1/orders"] {
        assert!(
            dom.contains(&format!("data-path=\"{path}\"")),
            "{path} is not rendered"
        );
    }
}
