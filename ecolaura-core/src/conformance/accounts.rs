//! [`AccountStore`](crate::ports::AccountStore) cases.

use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::domain::{Email, UserId};
use crate::ports::{StoreError, UniqueField};

/// A second account with a taken address is refused.
pub async fn an_email_is_registered_once(store: Arc<dyn Store>) {
    store
        .insert_user(&user("ada@example.com"))
        .await
        .expect("first");
    let err = store
        .insert_user(&user("ada@example.com"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(err, StoreError::Duplicate(UniqueField::UserEmail)),
        "{err:?}"
    );
}

/// Ten concurrent registrations with one address make one account.
pub async fn concurrent_registrations_with_one_email_make_one_user(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.insert_user(&user("race@example.com")).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => ok += 1,
            Err(StoreError::Duplicate(UniqueField::UserEmail)) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(ok, 1);
}

/// A user reads back by address and by id, every field intact.
pub async fn a_user_reads_back_by_email_and_id(store: Arc<dyn Store>) {
    let mut staff = user("grace@example.com");
    staff.role = crate::accounts::Role::Staff;
    store.insert_user(&staff).await.expect("insert");
    let by_email = store
        .find_user_by_email(&Email::parse("GRACE@example.com").expect("email"))
        .await
        .expect("find");
    assert_eq!(by_email, Some(staff.clone()));
    assert_eq!(store.get_user(staff.id).await.expect("get"), Some(staff));
    assert_eq!(store.get_user(UserId::new()).await.expect("get"), None);
    let nobody = store
        .find_user_by_email(&Email::parse("nobody@example.com").expect("email"))
        .await;
    assert_eq!(nobody.expect("find"), None);
}
