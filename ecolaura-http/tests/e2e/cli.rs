use crate::server::{SECRET, command};

#[test]
fn every_bad_setting_is_reported_at_once_and_the_exit_code_is_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), Some("mysql://nope"))
        .env("ECOLAURA_BIND", "not-an-address")
        .env("ECOLAURA_WORKERS", "many")
        .env("ECOLAURA_CURRENCY", "euro")
        .env("ECOLAURA_MARKET", "CH")
        .env("ECOLAURA_JWT_SECRET", "short")
        .env("ECOLAURA_CACHE_MB", "0")
        .env("ECOLAURA_WORKER_DATABASE_POOL", "0")
        .env("ECOLAURA_JOB_RETENTION", "forever")
        .env("ECOLAURA_WORKER_METRICS_BIND", "nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for var in [
        "ECOLAURA_DATABASE_URL",
        "ECOLAURA_BIND",
        "ECOLAURA_WORKERS",
        "ECOLAURA_CURRENCY",
        "ECOLAURA_MARKET",
        "ECOLAURA_JWT_SECRET",
        "ECOLAURA_CACHE_MB",
        "ECOLAURA_WORKER_DATABASE_POOL",
        "ECOLAURA_JOB_RETENTION",
        "ECOLAURA_WORKER_METRICS_BIND",
    ] {
        assert!(err.contains(var), "{var} not named in:\n{err}");
    }
    assert!(
        !err.contains("short"),
        "the secret's value must not be printed"
    );
}

#[test]
fn production_requires_a_jwt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), None)
        .env_remove("ECOLAURA_JWT_SECRET")
        .env("ECOLAURA_ENV", "production")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ECOLAURA_JWT_SECRET is required"));
}

#[test]
fn migrate_and_users_add_work_on_the_embedded_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), None).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("ecolaura.db").exists());
    let add = |extra: &[&str]| {
        let mut args = vec![
            "users",
            "add",
            "--email",
            "Ops@Shop.example",
            "--password",
            "long enough",
        ];
        args.extend_from_slice(extra);
        command(dir.path(), None).args(&args).output().unwrap()
    };
    let first = add(&["--staff"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("staff"));
    let again = add(&[]);
    assert!(!again.status.success());
    let short = command(dir.path(), None)
        .args([
            "users",
            "add",
            "--email",
            "x@shop.example",
            "--password",
            "short",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("--password"));
    let _ = SECRET;
}
