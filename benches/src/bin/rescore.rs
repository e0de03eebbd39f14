//! The rescoring job on Postgres: products rescored per second when a new
//! score policy is published over a catalog of `--products` (see
//! `benches/rescore/run.sh`).
//!
//! On a fresh, migrated database:
//!
//! 1. the catalog is written in one statement (`INSERT … SELECT` over
//!    `generate_series`): products with metrics scored by
//!    `ecolaura-default@1`, as version 1 would have scored them, with one
//!    certified claim on every tenth product; then `VACUUM ANALYZE`;
//! 2. `Catalog::publish_score_rules` publishes version 2 (steeper bands,
//!    points for certified claims), which enqueues the rescoring job;
//! 3. a `Worker` drains the queue: the job walks the catalog in batches
//!    and rescores every product. The figure is products rescored divided
//!    by the time from publication to the drained queue.
//!
//! It also reports the process's peak RSS before and after the job (the
//! job holds one batch at a time, so the peak must not grow with the
//! catalog) and checks that every product names version 2.
//!
//! Run: `cargo run --release -p ecolaura-benches --bin rescore -- --help`.

use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use ecolaura_benches::scratch_db::ScratchDb;
use ecolaura_core::Ecolaura;
use ecolaura_core::auth::Actor;
use ecolaura_core::jobs::WorkerConfig;
use ecolaura_core::scoring::{FootprintBand, ScoreRules};
use ecolaura_store_pg::{PgConfig, PgStore};
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection};

/// Products rescored per second after a policy change, on Postgres.
#[derive(Debug, Parser)]
struct Args {
    /// Products in the catalog.
    #[arg(long, default_value_t = 100_000)]
    products: u64,
    /// A Postgres URL whose user may create databases.
    #[arg(
        long,
        env = "ECOLAURA_TEST_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_admin_url: String,
    /// The database made (and dropped) for the run.
    #[arg(long, default_value = "ecolaura_rescore_bench")]
    pg_database: String,
}

/// Peak resident set of this process, KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

const SEED: &str = r#"
INSERT INTO products (id, name, description, price, category, stock, carbon_footprint_kg,
    recyclable, biodegradable, footprint_source, manual_score, score, score_source,
    score_method, score_computed_at, score_reason, score_breakdown, archived, version,
    created_at, updated_at)
SELECT gen_random_uuid(), 'Product ' || i, 'A product of the rescoring benchmark', 9.99, NULL,
    100, (i % 600) / 10.0, i % 2 = 0, i % 3 = 0, 'declared', 50,
    LEAST(100, CASE WHEN (i % 600) / 10.0 <= 0.5 THEN 60 WHEN (i % 600) / 10.0 <= 1 THEN 55
                    WHEN (i % 600) / 10.0 <= 2 THEN 50 WHEN (i % 600) / 10.0 <= 5 THEN 40
                    WHEN (i % 600) / 10.0 <= 10 THEN 30 WHEN (i % 600) / 10.0 <= 20 THEN 20
                    WHEN (i % 600) / 10.0 <= 50 THEN 10 ELSE 0 END
               + CASE WHEN i % 2 = 0 THEN 20 ELSE 0 END + CASE WHEN i % 3 = 0 THEN 20 ELSE 0 END),
    'metrics', 'ecolaura-default@1', now(), 'metrics_changed', NULL, false, 1, now(), now()
FROM generate_series(1, $1) AS i
"#;

const CLAIMS: &str = r#"
INSERT INTO product_claims (id, product_id, claim_type, statement, markets, evidence_scheme,
    evidence_certificate_id, evidence_issuer, evidence_valid_from, evidence_valid_until,
    evidence_ecolabel_type_i, evidence_url, created_at)
SELECT gen_random_uuid(), id, 'recycled_content', 'Made with 80% recycled PET', '["EU"]',
    'Global Recycled Standard', 'GRS-' || left(id::text, 8), 'Control Union',
    current_date - 30, current_date + 365, false, NULL, now()
FROM products WHERE abs(hashtext(id::text)) % 10 = 0
"#;

fn new_rules() -> ScoreRules {
    let band = |mantissa, scale, points| FootprintBand {
        up_to_kg: Decimal::new(mantissa, scale),
        points,
    };
    ScoreRules {
        footprint_bands: vec![
            band(5, 1, 65),
            band(2, 0, 45),
            band(10, 0, 25),
            band(40, 0, 10),
        ],
        beyond_bands: 0,
        recyclable: 15,
        biodegradable: 10,
        certified_claim: 5,
        certified_claims_counted: 2,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = ScratchDb::fresh(&args.pg_admin_url, &args.pg_database).await?;
    let url = db.url();
    let store = Arc::new(PgStore::connect(&PgConfig::new(url.clone())).await?);
    store.migrate().await?;

    let seeding = Instant::now();
    let mut conn = PgConnection::connect(&url).await?;
    let n = i64::try_from(args.products)?;
    sqlx::query(SEED).bind(n).execute(&mut conn).await?;
    let claims = sqlx::query(CLAIMS)
        .execute(&mut conn)
        .await?
        .rows_affected();
    sqlx::query("VACUUM ANALYZE").execute(&mut conn).await?;
    println!(
        "seeded {} products ({claims} with a certified claim) in {:.1} s",
        args.products,
        seeding.elapsed().as_secs_f64()
    );

    let app = Ecolaura::builder().store(store.clone()).build()?;
    let before_kib = peak_rss_kib();
    let started = Instant::now();
    let policy = app
        .catalog()
        .publish_score_rules(&Actor::System, new_rules())
        .await?;
    app.worker(WorkerConfig::default()).drain().await?;
    let elapsed = started.elapsed().as_secs_f64();
    let after_kib = peak_rss_kib();

    let (left,): (i64,) = sqlx::query_as("SELECT count(*) FROM products WHERE score_method <> $1")
        .bind(format!("ecolaura-default@{}", policy.version))
        .fetch_one(&mut conn)
        .await?;
    let (history,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM score_history WHERE reason = 'policy_changed'")
            .fetch_one(&mut conn)
            .await?;
    println!(
        "rescored {} products to version {} in {elapsed:.1} s: {:.0} products/s; \
         {history} history entries; {left} left on another version",
        args.products,
        policy.version,
        args.products as f64 / elapsed,
    );
    println!(
        "peak RSS {:.1} MiB before the job, {:.1} MiB after it",
        before_kib as f64 / 1024.0,
        after_kib as f64 / 1024.0
    );
    drop(conn);
    drop(app);
    store.pool().close().await;
    drop(store);
    db.drop_now().await;
    if left != 0 {
        return Err(format!("{left} products were not rescored").into());
    }
    Ok(())
}
