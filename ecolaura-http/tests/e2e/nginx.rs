//! The deployment behind nginx: `deploy/nginx/check.py` starts Debian's
//! nginx with the shipped site config and a certificate made on the spot,
//! two hosts on one Postgres database and a separate worker, and checks
//! HTTPS and HSTS, cross-host cache invalidation, the shared login
//! throttle, jobs run exactly once, nginx's rate limit and a host killed.

use std::path::Path;
use std::process::Command;

use crate::server::postgres;

#[tokio::test]
async fn behind_nginx_two_hosts_and_a_worker_act_as_one_shop() {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(nginx) = nginx else {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx must be installed in CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: install nginx (Debian's package) to check the deployment behind it");
        return;
    };
    let Some(db) = postgres().await else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx/check.py");
    let out = tokio::task::spawn_blocking({
        let url = db.url().to_owned();
        move || {
            Command::new("python3")
                .arg(script)
                .args(["--ecolaura", env!("CARGO_BIN_EXE_ecolaura")])
                .args(["--database-url", &url])
                .args(["--nginx", nginx])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("all nginx checks passed"), "{stdout}");
}
