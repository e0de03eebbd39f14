//! The rescoring job: a publication rescores the whole catalog in batches,
//! and a run that stopped half way resumes where its last batch landed.

use std::sync::Arc;

use ecolaura_core::Ecolaura;
use ecolaura_core::auth::Actor;
use ecolaura_core::catalog::{NewProduct, SustainabilityMetrics};
use ecolaura_core::domain::{CarbonKg, Description, ProductName, Score, Stock};
use ecolaura_core::memory::MemoryStore;
use ecolaura_core::ports::CatalogStore;
use ecolaura_core::scoring::{ScoreReason, ScoreRules};
use ecolaura_core::services::RESCORING_BATCH;

fn new_product(i: usize) -> NewProduct {
    NewProduct {
        name: ProductName::parse(&format!("P{i}")).expect("name"),
        description: Description::default(),
        price: "1.00".parse().expect("price"),
        category: None,
        stock: Stock::new(1).expect("stock"),
        metrics: Some(SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::from_f64(0.1).expect("kg"),
            recyclable: i.is_multiple_of(2),
            biodegradable: false,
        }),
        manual_score: Score::MIN,
        sku: None,
        gtin: None,
        weight_kg: None,
    }
}

async fn catalog_of(store: &Arc<MemoryStore>, n: usize) -> Ecolaura {
    let app = Ecolaura::builder()
        .store(store.clone())
        .build()
        .expect("app");
    for i in 0..n {
        app.catalog()
            .create_product(&Actor::System, new_product(i))
            .await
            .expect("product");
    }
    app
}

fn halved() -> ScoreRules {
    let mut rules = ScoreRules::default();
    for band in &mut rules.footprint_bands {
        band.points /= 2;
    }
    rules
}

#[tokio::test]
async fn a_stopped_rescoring_resumes_after_its_last_batch_and_finishes_the_catalog() {
    let store = Arc::new(MemoryStore::new());
    let total = RESCORING_BATCH as usize * 2 + 7;
    let app = catalog_of(&store, total).await;
    let policy = app
        .catalog()
        .publish_score_rules(&Actor::System, halved())
        .await
        .expect("publish");
    assert_eq!(policy.version, 2);

    // A first run that landed one batch, then died: its cursor is where the
    // first batch ended.
    let first = store
        .products_after(None, RESCORING_BATCH)
        .await
        .expect("walk");
    let through = first.last().expect("a batch").id;
    store.write_rescored(2, &[], through).await.expect("cursor");

    let run = app.catalog().rescore_catalog(2).await.expect("run");
    assert_eq!(
        run.walked,
        (total - RESCORING_BATCH as usize) as u64,
        "resumed"
    );
    assert_eq!(run.rescored, run.walked);
    assert!(!run.superseded);

    let all = store.products_after(None, u32::MAX).await.expect("walk");
    let (done, left): (Vec<_>, Vec<_>) = all
        .iter()
        .partition(|p| p.score_method.as_str() == "ecolaura-default@2");
    assert_eq!(
        left.len(),
        RESCORING_BATCH as usize,
        "the batch the dead run owned"
    );
    for p in &done {
        let expected = 30
            + if p.metrics.is_some_and(|m| m.recyclable) {
                20
            } else {
                0
            };
        assert_eq!(i64::from(p.score.value()), expected);
        assert_eq!(p.score_reason, ScoreReason::PolicyChanged);
        let history = store.score_history(p.id, 10).await.expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].method.as_str(), "ecolaura-default@2");
    }

    // Run again (a retry after the crash): nothing left after the cursor.
    let again = app.catalog().rescore_catalog(2).await.expect("run");
    assert_eq!(again.rescored, 0);
}

#[tokio::test]
async fn the_job_a_publication_enqueues_rescores_every_product_once_and_a_newer_one_supersedes_it()
{
    let store = Arc::new(MemoryStore::new());
    let total = RESCORING_BATCH as usize + 3;
    let app = catalog_of(&store, total).await;
    app.catalog()
        .publish_score_rules(&Actor::System, halved())
        .await
        .expect("publish");
    app.catalog()
        .publish_score_rules(&Actor::System, ScoreRules::default())
        .await
        .expect("publish");
    // Version 2's job finds version 3 published and leaves the catalog to it.
    let superseded = app.catalog().rescore_catalog(2).await.expect("run");
    assert!(superseded.superseded);
    assert_eq!(superseded.rescored, 0);

    app.worker(Default::default()).drain().await.expect("drain");
    let all = store.products_after(None, u32::MAX).await.expect("walk");
    assert_eq!(all.len(), total);
    assert!(
        all.iter()
            .all(|p| p.score_method.as_str() == "ecolaura-default@3")
    );
    for p in all.iter().take(3) {
        // Made by version 1, then version 3: same rules, new method.
        let history = store.score_history(p.id, 10).await.expect("history");
        let methods: Vec<&str> = history.iter().map(|e| e.method.as_str()).collect();
        assert_eq!(methods, ["ecolaura-default@3", "ecolaura-default@1"]);
    }
}

mod claim_dates {
    use std::sync::Arc;
    use std::time::Duration;

    use chrono::{Days, NaiveDate};
    use ecolaura_core::Ecolaura;
    use ecolaura_core::auth::Actor;
    use ecolaura_core::memory::{ManualClock, MemoryStore};
    use ecolaura_core::ports::{CatalogStore, Clock};
    use ecolaura_core::scoring::{ScoreReason, ScoreRules};
    use ecolaura_core::sustainability::{ClaimDraft, ClaimType, Evidence, Market};

    const DAY: Duration = Duration::from_secs(86_400);

    fn certified(from: NaiveDate, until: NaiveDate, certificate: &str) -> ClaimDraft {
        ClaimDraft {
            claim_type: ClaimType::RecycledContent,
            statement: "Made with 80% recycled PET".into(),
            markets: vec![Market::Eu],
            evidence: Evidence {
                scheme: "Global Recycled Standard".into(),
                certificate_id: Some(certificate.into()),
                issuer: "Control Union".into(),
                valid_from: from,
                valid_until: until,
                ecolabel_type_i: false,
                url: None,
            },
        }
    }

    #[tokio::test]
    async fn a_certified_claim_counts_only_while_its_evidence_holds_with_no_write() {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::default());
        let app = Ecolaura::builder()
            .store(store.clone())
            .clock(clock.clone())
            .build()
            .expect("app");
        let catalog = app.catalog();
        catalog
            .publish_score_rules(
                &Actor::System,
                ScoreRules {
                    certified_claim: 10,
                    certified_claims_counted: 2,
                    ..ScoreRules::default()
                },
            )
            .await
            .expect("publish");
        let made = catalog
            .create_product(&Actor::System, super::new_product(0))
            .await
            .expect("product");
        let base = made.score.value();
        let today = clock.now().date_naive();
        let day = |n: u64| today.checked_add_days(Days::new(n)).expect("day");
        let past = today.checked_sub_days(Days::new(30)).expect("day");

        // One claim holds until tomorrow; another starts holding in two days.
        catalog
            .add_claim(&Actor::System, made.id, certified(past, day(1), "GRS-1"))
            .await
            .expect("claim");
        catalog
            .add_claim(&Actor::System, made.id, certified(day(2), day(90), "GRS-2"))
            .await
            .expect("claim");
        let score = |p: &ecolaura_core::catalog::Product| p.score.value();
        let now = catalog.product(made.id).await.expect("product");
        assert_eq!(
            score(&now),
            base + 10,
            "only the claim that holds today counts"
        );
        assert_eq!(catalog.rescore_for_claim_dates().await.expect("sweep"), 0);

        // The day after tomorrow: the first lapsed, the second holds.
        clock.advance(2 * DAY);
        assert_eq!(
            catalog.rescore_for_claim_dates().await.expect("sweep"),
            0,
            "still one"
        );
        // Three days on the second holds alone; then it lapses too.
        clock.advance(89 * DAY);
        assert_eq!(catalog.rescore_for_claim_dates().await.expect("sweep"), 1);
        let after = catalog.product(made.id).await.expect("product");
        assert_eq!(score(&after), base, "no claim holds any more");
        assert_eq!(after.score_reason, ScoreReason::ClaimChanged);
        assert_eq!(
            catalog.rescore_for_claim_dates().await.expect("sweep"),
            0,
            "idempotent"
        );
        let history = store.score_history(made.id, 10).await.expect("history");
        let reasons: Vec<_> = history
            .iter()
            .map(|e| (e.score.value(), e.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                (base, ScoreReason::ClaimChanged),
                (base + 10, ScoreReason::ClaimChanged),
                (base, ScoreReason::MetricsChanged),
            ]
        );
    }
}
