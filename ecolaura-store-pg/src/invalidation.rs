//! Catalog changes across hosts.
//!
//! Every transaction that changes what catalog reads return notifies
//! [`CATALOG_CHANNEL`] with what it changed (the core's [`CatalogChange`]s,
//! as JSON, tagged with the writing store's origin), delivered on commit.
//! Each other process applies the changes to its cache, which drops only
//! the reads they affect; the writing process has applied them already and
//! skips its own notifications.
//!
//! A payload must stay under Postgres's 8000 bytes: changes are split over
//! as many notifications as needed, and a single change too large for one
//! (a product with a very long description) is sent as
//! [`CatalogChange::Everything`]. An empty or unreadable payload, and a
//! reconnection (notifications may have been missed), also mean everything.

use std::sync::Arc;

use ecolaura_core::catalog::CatalogChange;
use ecolaura_core::ports::Cache;
use sea_query::SelectStatement;
use sqlx::PgPool;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::notify::{CATALOG_CHANNEL, listen_with, notify_with};

/// The most bytes a payload may have here (Postgres refuses 8000 or more).
const MAX_PAYLOAD: usize = 7_900;

/// One statement notifying `changes` on [`CATALOG_CHANNEL`] and each of
/// `others` with an empty payload.
pub(crate) fn notify_catalog(
    origin: Uuid,
    changes: &[CatalogChange],
    others: &[&'static str],
) -> SelectStatement {
    let catalog = payloads(origin, changes)
        .into_iter()
        .map(|p| (CATALOG_CHANNEL, p));
    notify_with(catalog.chain(others.iter().map(|c| (*c, String::new()))))
}

/// The payloads that carry `changes`: `{"o":"<origin>","c":[…]}`, each under
/// [`MAX_PAYLOAD`] bytes.
fn payloads(origin: Uuid, changes: &[CatalogChange]) -> Vec<String> {
    let head = format!(r#"{{"o":"{origin}","c":["#);
    let tail = "]}";
    let room = MAX_PAYLOAD - head.len() - tail.len();
    let wrap = |body: &str| format!("{head}{body}{tail}");
    let mut out = Vec::new();
    let mut body = String::new();
    for change in changes {
        let json = match serde_json::to_string(change) {
            Ok(json) if json.len() <= room => json,
            _ => {
                let everything = serde_json::to_string(&CatalogChange::Everything)
                    .unwrap_or_else(|_| r#""*""#.to_owned());
                return vec![wrap(&everything)];
            }
        };
        if !body.is_empty() && body.len() + 1 + json.len() > room {
            out.push(wrap(&body));
            body.clear();
        }
        if !body.is_empty() {
            body.push(',');
        }
        body.push_str(&json);
    }
    if !body.is_empty() {
        out.push(wrap(&body));
    }
    out
}

/// The changes a payload carries; `None` for this origin's own.
fn decode(origin: Uuid, payload: &str) -> Option<Vec<CatalogChange>> {
    let everything = || Some(vec![CatalogChange::Everything]);
    if payload.is_empty() {
        return everything();
    }
    let parsed: Result<(Option<Uuid>, Vec<CatalogChange>), serde_json::Error> =
        serde_json::from_str::<serde_json::Value>(payload).and_then(|mut v| {
            let from = v["o"].as_str().and_then(|o| o.parse().ok());
            Ok((from, serde_json::from_value(v["c"].take())?))
        });
    match parsed {
        Ok((Some(from), _)) if from == origin => None,
        Ok((_, changes)) => Some(changes),
        Err(e) => {
            tracing::warn!(error = %e, "unreadable catalog notification; dropping every cached read");
            everything()
        }
    }
}

/// Listen on [`CATALOG_CHANNEL`] and apply other origins' changes to `cache`.
pub(crate) fn invalidate_on_catalog_changes(
    pool: PgPool,
    cache: Arc<dyn Cache>,
    origin: Uuid,
) -> JoinHandle<()> {
    tokio::spawn(listen_with(pool, CATALOG_CHANNEL, move |payload| {
        let cache = cache.clone();
        async move {
            let changes = match payload {
                None => Some(vec![CatalogChange::Everything]),
                Some(payload) => decode(origin, &payload),
            };
            if let Some(changes) = changes {
                cache.apply(&changes).await;
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use ecolaura_core::catalog::{Product, ScoreSource};
    use ecolaura_core::domain::{Description, ProductId, ProductName, Score, Stock};

    fn taken(n: usize) -> Vec<CatalogChange> {
        (0..n)
            .map(|_| CatalogChange::stock_taken(ProductId::new(), Stock::new(0).unwrap()))
            .collect()
    }

    #[test]
    fn changes_travel_to_other_origins_and_not_back_to_their_own() {
        let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
        let changes = taken(3);
        let sent = payloads(theirs, &changes);
        assert_eq!(sent.len(), 1);
        assert_eq!(decode(mine, &sent[0]), Some(changes));
        assert_eq!(decode(theirs, &sent[0]), None);
    }

    #[test]
    fn many_changes_are_split_over_payloads_under_the_limit() {
        let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
        let changes = taken(300);
        let sent = payloads(theirs, &changes);
        assert!(sent.len() > 1);
        assert!(sent.iter().all(|p| p.len() < 8000));
        let received: Vec<_> = sent.iter().flat_map(|p| decode(mine, p).unwrap()).collect();
        assert_eq!(received, changes);
    }

    #[test]
    fn a_change_too_large_for_a_payload_is_sent_as_everything() {
        let now = chrono::Utc::now();
        let long = Product {
            id: ProductId::new(),
            name: ProductName::parse("Long").unwrap(),
            description: Description::parse(&"é".repeat(Description::MAX_CHARS)).unwrap(),
            price: "1.00".parse().unwrap(),
            category: None,
            stock: Stock::new(1).unwrap(),
            metrics: None,
            manual_score: Score::MIN,
            score: Score::MIN,
            score_source: ScoreSource::Manual,
            score_method: ecolaura_core::scoring::ScoreMethod::manual(),
            score_computed_at: now,
            score_reason: ecolaura_core::scoring::ScoreReason::Manual,
            score_breakdown: None,
            sku: None,
            gtin: None,
            weight_kg: None,
            footprint_source: ecolaura_core::sustainability::FootprintSource::Declared,
            archived: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let sent = payloads(Uuid::new_v4(), &[CatalogChange::created(long)]);
        assert_eq!(sent.len(), 1);
        assert_eq!(
            decode(Uuid::new_v4(), &sent[0]),
            Some(vec![CatalogChange::Everything])
        );
    }

    #[test]
    fn an_empty_or_unreadable_payload_means_everything() {
        let me = Uuid::new_v4();
        for payload in ["", "not json", r#"{"o":"x","c":[{"?":1}]}"#] {
            assert_eq!(
                decode(me, payload),
                Some(vec![CatalogChange::Everything]),
                "{payload}"
            );
        }
    }
}
