//! A score policy published on one host reaches every host: two `ecolaura
//! serve` processes on one Postgres, and a separate `ecolaura worker` that
//! runs the rescoring job.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::server::{Running, Server, postgres};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_published_on_one_host_rescores_what_every_host_shows() {
    let Some(db) = postgres().await else { return };
    let env = [("ECOLAURA_WORKERS", "0")];
    let a = Server::start_with(tempfile::tempdir().unwrap(), Some(db.url()), &env);
    let b = Server::start_with(tempfile::tempdir().unwrap(), Some(db.url()), &env);
    let staff = a.staff().await;
    let mut paths = Vec::new();
    for (i, kg) in [0.3, 1.5, 20.0].into_iter().enumerate() {
        let (status, made) = a
            .post(
                "/api/v1/products",
                Some(&staff),
                json!({"name": format!("P{i}"), "price": "2.00", "stock": 3,
                       "sustainability": {"carbon_footprint_kg": kg, "recyclable": true,
                                          "biodegradable": false}}),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(made["score_method"], "ecolaura-default@1");
        paths.push(format!("/api/v1/products/{}", made["id"].as_str().unwrap()));
    }
    // Host B reads (and caches) them as version 1 scored them.
    for path in &paths {
        assert_eq!(
            b.get(path, None).await.1["score_method"],
            "ecolaura-default@1"
        );
    }

    let rules = json!({"rules": {
        "footprint_bands": [{"up_to_kg": "0.5", "points": 70}, {"up_to_kg": "2", "points": 40}],
        "beyond_bands": 0, "recyclable": 15, "biodegradable": 10,
        "certified_claim": 5, "certified_claims_counted": 2}});
    let (status, published) = a
        .call(
            reqwest::Method::PUT,
            "/api/v1/score-policy",
            Some(&staff),
            Some(rules),
        )
        .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["version"], 2);
    assert_eq!(b.get("/api/v1/score-policy", None).await.1["version"], 2);

    // No host runs jobs: the rescoring waits for the worker process.
    let worker = Running::new(a.spawn_cli_with(&["worker"], &[]));
    let expected = [85, 55, 15];
    let deadline = Instant::now() + Duration::from_secs(30);
    for (path, score) in paths.iter().zip(expected) {
        loop {
            let (_, read) = b.get(path, None).await;
            if read["score_method"] == "ecolaura-default@2" {
                assert_eq!(read["sustainability_score"], score, "{path}");
                break;
            }
            assert!(Instant::now() < deadline, "host B still shows {read}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, history) = b.get(&format!("{path}/score-history"), None).await;
        assert_eq!(history[0]["reason"], "policy_changed");
        assert_eq!(history[1]["method"], "ecolaura-default@1");
    }
    assert!(worker.stop().success());
}
