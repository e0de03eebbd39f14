//! [`Mailer`](crate::ports::Mailer) cases, for adapters that are outbox mailers.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::Email;
use crate::mail::{Delivery, OutgoingEmail, SentEmail};

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
            sent_at: at(1)
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
