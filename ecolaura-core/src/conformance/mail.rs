//! [`Mailer`](crate::ports::Mailer) cases, for adapters that are outbox mailers.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::Email;
use crate::jobs::{JobKind, NewJob};
use crate::mail::{Delivery, OutgoingEmail, SentEmail};
use crate::ports::MailError;

fn email(key: &str) -> OutgoingEmail {
    OutgoingEmail {
        dedup_key: key.to_owned(),
        to: Email::parse("ada@example.com").expect("email"),
        subject: "Your order ✓".into(),
        body: "Hello,\nthanks.".into(),
    }
}

/// A key is sent once, even when sends race; the first send is what is kept.
pub async fn an_email_is_sent_once_per_key(store: Arc<dyn Store>) {
    assert_eq!(
        store.send(&email("order/1"), at(1)).await.expect("send"),
        Delivery::Sent
    );
    assert_eq!(
        store.send(&email("order/1"), at(2)).await.expect("send"),
        Delivery::AlreadySent
    );
    let kept = store.find_sent("order/1").await.expect("find");
    assert_eq!(
        kept,
        Some(SentEmail {
            email: email("order/1"),
            sent_at: at(1),
            delivered_at: None,
        })
    );
    assert_eq!(store.find_sent("order/2").await.expect("find"), None);

    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.send(&email("order/race"), at(i)).await })
        })
        .collect();
    let mut sent = 0;
    for t in tasks {
        if t.await.expect("task").expect("send") == Delivery::Sent {
            sent += 1;
        }
    }
    assert_eq!(sent, 1);
}

/// A message recorded for delivery comes with exactly one `deliver_email`
/// job, even when sends race; a message already recorded gets none.
pub async fn a_message_for_delivery_gets_one_delivery_job(store: Arc<dyn Store>) {
    let lease = std::time::Duration::from_secs(30);
    assert_eq!(
        store
            .send_for_delivery(
                &email("order/1"),
                NewJob::email_delivery("order/1", at(1)),
                at(1)
            )
            .await
            .expect("send"),
        Delivery::Sent
    );
    // A message first recorded without delivery does not get a job later.
    store.send(&email("order/2"), at(1)).await.expect("send");
    assert_eq!(
        store
            .send_for_delivery(
                &email("order/2"),
                NewJob::email_delivery("order/2", at(2)),
                at(2)
            )
            .await
            .expect("send"),
        Delivery::AlreadySent
    );
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .send_for_delivery(
                        &email("order/race"),
                        NewJob::email_delivery("order/race", at(3)),
                        at(3 + i),
                    )
                    .await
            })
        })
        .collect();
    let mut sent = 0;
    for t in tasks {
        if t.await.expect("task").expect("send") == Delivery::Sent {
            sent += 1;
        }
    }
    assert_eq!(sent, 1);

    let claimed = store
        .claim_batch(JobKind::DeliverEmail, at(100), lease, 100)
        .await
        .expect("claim");
    let mut keys: Vec<String> = claimed
        .iter()
        .map(|c| c.job.delivery_job().expect("payload").dedup_key)
        .collect();
    keys.sort();
    assert_eq!(keys, ["order/1", "order/race"]);
}

/// A delivered message keeps the time a relay first accepted it; marking a
/// key that is not in the outbox is refused.
pub async fn a_delivery_is_recorded_once(store: Arc<dyn Store>) {
    store
        .send_for_delivery(
            &email("order/1"),
            NewJob::email_delivery("order/1", at(1)),
            at(1),
        )
        .await
        .expect("send");
    let waiting = store
        .find_sent("order/1")
        .await
        .expect("find")
        .expect("sent");
    assert_eq!(waiting.delivered_at, None);

    store.mark_delivered("order/1", at(5)).await.expect("mark");
    store
        .mark_delivered("order/1", at(9))
        .await
        .expect("mark again");
    let delivered = store
        .find_sent("order/1")
        .await
        .expect("find")
        .expect("sent");
    assert_eq!(delivered.delivered_at, Some(at(5)));
    assert_eq!(delivered.sent_at, at(1));
    assert_eq!(delivered.email, email("order/1"));

    assert!(matches!(
        store.mark_delivered("order/none", at(5)).await,
        Err(MailError::Refused(_))
    ));
}
