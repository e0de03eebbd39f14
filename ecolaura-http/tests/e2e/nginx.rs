//! The deployment behind nginx: `deploy/nginx/check.py` starts Debian's
//! nginx with the shipped site config and a certificate made on the spot,
//! two hosts on one Postgres database and a separate worker, and checks
//! HTTPS and HSTS, cross-host cache invalidation, the shared login
//! throttle, jobs run exactly once, nginx's rate limit and a host killed.

use std::path::Path;

use crate::server::{postgres, run_check};

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
    let args = [
        script.into_os_string(),
        "--ecolaura".into(),
        env!("CARGO_BIN_EXE_ecolaura").into(),
        "--database-url".into(),
        db.url().into(),
        "--nginx".into(),
        nginx.into(),
    ];
    run_check("python3".into(), args.into(), "all nginx checks passed").await;
}
