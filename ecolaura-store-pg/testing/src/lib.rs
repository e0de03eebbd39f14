//! Test databases on a real Postgres.
//!
//! The server is found through `ECOLAURA_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; the user must be allowed to
//! create databases). The schema is migrated once into a template database
//! named after the migrations, and every test gets its own copy, dropped when
//! its [`TestDb`] is dropped, so tests run in parallel on isolated data.
//!
//! Several checkouts (worktrees on different branches) may test against one
//! server at once, each with its own migrations and so its own template. A
//! template is marked with the time it was last used, and a run drops only
//! the templates of other schemas that nobody used for an hour: never one
//! that another checkout is copying from right now.
//!
//! Where no server answers, [`TestDb::create`] prints a loud notice and
//! returns `None` (the test then checks nothing), except under `CI=true`,
//! where it panics: CI must never pass without the database.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ecolaura_core::Store;
use ecolaura_store_pg::{MIGRATOR, PgConfig, PgStore};
use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;

/// The admin URL used when `ECOLAURA_TEST_DATABASE_URL` is not set.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server's admin URL for tests.
pub fn admin_url() -> String {
    std::env::var("ECOLAURA_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn url_for(admin: &str, database: &str) -> String {
    match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{database}"),
        None => format!("{admin}/{database}"),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn template_name() -> String {
    let mut h = DefaultHasher::new();
    for m in MIGRATOR.iter() {
        m.version.hash(&mut h);
        m.checksum.hash(&mut h);
    }
    format!("ecolaura_tpl_{:016x}", h.finish())
}

static TEMPLATE: OnceCell<Option<String>> = OnceCell::const_new();

/// Make the template once per process; `None` when no server answers.
async fn template() -> Option<String> {
    TEMPLATE
        .get_or_init(|| async {
            let admin = admin_url();
            let mut conn = match PgConnection::connect(&admin).await {
                Ok(c) => c,
                Err(e) => {
                    let msg = format!("no Postgres at {admin} ({e}); set ECOLAURA_TEST_DATABASE_URL or start the server");
                    assert!(!in_ci(), "{msg}");
                    eprintln!("\n!!!!!!!! POSTGRES TESTS SKIPPED: {msg} !!!!!!!!\n");
                    return None;
                }
            };
            let name = template_name();
            // One process at a time makes (and migrates) the template.
            sqlx::query("SELECT pg_advisory_lock(4242001)").execute(&mut conn).await.expect("advisory lock");
            let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .expect("look up template");
            if exists.is_none() {
                // Identifiers cannot be bound; `name` is [a-z0-9_] made above.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create template");
                let store = PgStore::connect(&PgConfig::new(url_for(&admin, &name))).await.expect("connect template");
                store.migrate().await.expect("migrate template");
                store.pool().close().await;
            }
            mark_used(&mut conn, &name).await;
            drop_unused_templates(&mut conn, &name).await;
            drop_stale_test_databases(&mut conn).await;
            sqlx::query("SELECT pg_advisory_unlock(4242001)").execute(&mut conn).await.expect("advisory unlock");
            Some(name)
        })
        .await
        .clone()
}

/// The comment on a template that says when a run last used it.
const LAST_USED: &str = "ecolaura test template, last used at ";

/// Mark `template` as used now (best effort: a failure means another run
/// marked it at the same moment, which is as good).
async fn mark_used(conn: &mut PgConnection, template: &str) {
    let now = unix_seconds();
    LAST_MARKED.store(now, Ordering::Relaxed);
    // Identifiers cannot be bound; `template` is [a-z0-9_] made above.
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "COMMENT ON DATABASE {template} IS '{LAST_USED}{now}'"
    )))
    .execute(conn)
    .await;
}

/// When this process last marked its template.
static LAST_MARKED: AtomicU64 = AtomicU64::new(0);

/// How often a run marks its template again while it keeps copying it.
const MARK_EVERY_SECONDS: u64 = 300;

/// Drop the templates of other schemas (older migrations, or another
/// branch's) that no run used for an hour; best effort. Runs hold the
/// advisory lock here, and every run marks its template under it, so a
/// template another run is using is never dropped. Unmarked templates (made
/// by a version of this crate that did not mark them) are left alone: a
/// checkout of that version may be copying from one right now.
async fn drop_unused_templates(conn: &mut PgConnection, current: &str) {
    let others: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database \
         WHERE datname LIKE 'ecolaura\\_tpl\\_%' AND datname <> $1",
    )
    .bind(current)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let now = unix_seconds();
    for (name, comment) in others {
        let last_used = comment
            .as_deref()
            .and_then(|c| c.strip_prefix(LAST_USED))
            .and_then(|secs| secs.parse::<u64>().ok());
        if last_used.is_some_and(|t| now.saturating_sub(t) > STALE_AFTER_SECONDS)
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// Test databases are named `ecolaura_test_<unix seconds>_<uuid>`, so that
/// those left by a killed run can be told by age.
const TEST_DB_PREFIX: &str = "ecolaura_test_";

/// Databases of killed runs older than this are dropped when a run starts.
const STALE_AFTER_SECONDS: u64 = 3600;

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Drop test databases that a killed run left behind (older than an hour,
/// with nobody connected); best effort.
async fn drop_stale_test_databases(conn: &mut PgConnection) {
    let found: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'ecolaura\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    let now = unix_seconds();
    for (name,) in found {
        let created = name
            .strip_prefix(TEST_DB_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        // Names without a time predate this scheme: treat them as stale.
        if created.is_none_or(|t| now.saturating_sub(t) > STALE_AFTER_SECONDS)
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// A database of its own for one test, dropped with this value.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// A fresh, migrated, empty database; `None` (loudly) when no server
    /// answers outside CI.
    pub async fn create() -> Option<TestDb> {
        let template = template().await?;
        let db = Self::copy_of(&template).await;
        // A long run keeps its template marked as in use.
        if unix_seconds().saturating_sub(LAST_MARKED.load(Ordering::Relaxed)) > MARK_EVERY_SECONDS {
            let mut conn = PgConnection::connect(&admin_url())
                .await
                .expect("connect admin");
            mark_used(&mut conn, &template).await;
            let _ = conn.close().await;
        }
        db
    }

    /// A fresh database without the schema, for tests of the migrations
    /// themselves; `None` (loudly) when no server answers outside CI.
    pub async fn unmigrated() -> Option<TestDb> {
        // Also what tells whether a server answers, and drops stale databases.
        template().await?;
        Self::copy_of("template0").await
    }

    async fn copy_of(template: &str) -> Option<TestDb> {
        let admin = admin_url();
        let name = format!(
            "{TEST_DB_PREFIX}{}_{}",
            unix_seconds(),
            uuid::Uuid::new_v4().simple()
        );
        let mut conn = PgConnection::connect(&admin).await.expect("connect admin");
        let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
        // A template being copied by another test can refuse for a moment.
        let mut tries = 0;
        loop {
            match sqlx::query(sqlx::AssertSqlSafe(create.clone()))
                .execute(&mut conn)
                .await
            {
                Ok(_) => break,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot create test database: {e}"),
            }
        }
        let _ = conn.close().await;
        Some(TestDb {
            url: url_for(&admin, &name),
            name,
        })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store on it, with a pool big enough for the concurrency cases.
    pub async fn store(&self) -> PgStore {
        let config = PgConfig {
            max_connections: 16,
            acquire_timeout: std::time::Duration::from_secs(60),
            ..PgConfig::new(&self.url)
        };
        PgStore::connect(&config)
            .await
            .expect("connect test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context: use a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&admin_url()).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}

/// For `store_conformance!`: a fresh store and the database behind it.
pub async fn fresh_store() -> Option<(Arc<dyn Store>, TestDb)> {
    let db = TestDb::create().await?;
    let store: Arc<dyn Store> = Arc::new(db.store().await);
    Some((store, db))
}
