//! [`SessionStore`](crate::ports::SessionStore) and
//! [`LoginThrottleStore`](crate::ports::LoginThrottleStore) cases.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::fixtures::*;
use crate::Store;
use crate::accounts::{
    PasswordHash, PasswordReset, ResetToken, Revoke, Session, ThrottleKey, User,
};
use crate::domain::{Email, PersonName, Timestamp};

const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

async fn user_with_sessions(store: &Arc<dyn Store>, email: &str, n: usize) -> (User, Vec<Session>) {
    let u = user(email);
    store.insert_user(&u).await.expect("user");
    let mut sessions = Vec::new();
    for _ in 0..n {
        let s = Session::open(u.id, t0(), WEEK);
        store.insert_session(&s).await.expect("session");
        sessions.push(s);
    }
    (u, sessions)
}

fn later(secs: i64) -> Timestamp {
    t0() + chrono::Duration::seconds(secs)
}

/// A session reads back exactly as written; an unknown id is none.
pub async fn a_session_reads_back_as_written(store: Arc<dyn Store>) {
    let (_, sessions) = user_with_sessions(&store, "ada@example.com", 1).await;
    let back = store.get_session(sessions[0].id).await.expect("get");
    assert_eq!(back.as_ref(), Some(&sessions[0]));
    let unknown = Session::open(sessions[0].user_id, t0(), WEEK);
    assert_eq!(store.get_session(unknown.id).await.expect("get"), None);
}

/// Rotation spends the current token once; a spent, foreign or revoked one
/// changes nothing.
pub async fn a_refresh_token_is_spent_once(store: Arc<dyn Store>) {
    let (_, sessions) = user_with_sessions(&store, "ada@example.com", 1).await;
    let s = &sessions[0];
    let next = Uuid::new_v4();
    let rotated = store
        .rotate_refresh_token(s.id, s.refresh_token_id, next, later(60 + 3600), later(60))
        .await
        .expect("rotate");
    assert!(rotated);
    let again = store
        .rotate_refresh_token(
            s.id,
            s.refresh_token_id,
            Uuid::new_v4(),
            later(3600),
            later(61),
        )
        .await
        .expect("rotate");
    assert!(!again, "a spent token rotates nothing");
    let back = store
        .get_session(s.id)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(back.refresh_token_id, next);
    assert_eq!(back.expires_at, later(60 + 3600));

    assert!(store.revoke_session(s.id, later(62)).await.expect("revoke"));
    assert!(!store.revoke_session(s.id, later(63)).await.expect("revoke"));
    let after_revoke = store
        .rotate_refresh_token(s.id, next, Uuid::new_v4(), later(3600), later(64))
        .await
        .expect("rotate");
    assert!(!after_revoke, "a revoked session rotates nothing");
    let back = store
        .get_session(s.id)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(back.revoked_at, Some(later(62)));
}

/// Of ten concurrent refreshes with one token, exactly one rotates.
pub async fn concurrent_refreshes_with_one_token_rotate_once(store: Arc<dyn Store>) {
    let (_, sessions) = user_with_sessions(&store, "race@example.com", 1).await;
    let s = sessions[0].clone();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            let s = s.clone();
            tokio::spawn(async move {
                store
                    .rotate_refresh_token(
                        s.id,
                        s.refresh_token_id,
                        Uuid::new_v4(),
                        later(99),
                        later(1),
                    )
                    .await
            })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        if t.await.expect("task").expect("rotate") {
            rotated += 1;
        }
    }
    assert_eq!(rotated, 1);
}

/// An expired session neither rotates nor counts as revoked.
pub async fn an_expired_session_does_not_rotate(store: Arc<dyn Store>) {
    let (_, sessions) = user_with_sessions(&store, "ada@example.com", 1).await;
    let s = &sessions[0];
    let past_expiry = s.expires_at + chrono::Duration::seconds(1);
    let rotated = store
        .rotate_refresh_token(
            s.id,
            s.refresh_token_id,
            Uuid::new_v4(),
            later(99),
            past_expiry,
        )
        .await
        .expect("rotate");
    assert!(!rotated);
    assert!(
        !store
            .revoke_session(s.id, past_expiry)
            .await
            .expect("revoke")
    );
}

/// Revoking a user's sessions ends every one, or every one but the kept
/// one, and no other user's.
pub async fn revoking_a_users_sessions_spares_the_kept_one_and_other_users(store: Arc<dyn Store>) {
    let (ada, ada_sessions) = user_with_sessions(&store, "ada@example.com", 3).await;
    let (_, bob_sessions) = user_with_sessions(&store, "bob@example.com", 1).await;
    let kept = ada_sessions[0].id;
    let n = store
        .revoke_sessions(ada.id, Revoke::AllBut(kept), later(5))
        .await
        .expect("revoke");
    assert_eq!(n, 2);
    let live = |s: Option<Session>| s.expect("session").revoked_at.is_none();
    assert!(live(store.get_session(kept).await.expect("get")));
    assert!(!live(
        store.get_session(ada_sessions[1].id).await.expect("get")
    ));
    assert!(live(
        store.get_session(bob_sessions[0].id).await.expect("get")
    ));
    let n = store
        .revoke_sessions(ada.id, Revoke::All, later(6))
        .await
        .expect("revoke");
    assert_eq!(n, 1, "only the one still live");
    assert!(!live(store.get_session(kept).await.expect("get")));
}

/// A password change stores the new hash and ends the other sessions together.
pub async fn a_password_change_ends_the_other_sessions(store: Arc<dyn Store>) {
    let (ada, sessions) = user_with_sessions(&store, "ada@example.com", 2).await;
    let hash = PasswordHash::from_phc("$argon2id$new");
    let changed = store
        .change_password(ada.id, &hash, Revoke::AllBut(sessions[0].id), later(1))
        .await
        .expect("change");
    assert!(changed);
    let back = store.get_user(ada.id).await.expect("get").expect("user");
    assert_eq!(back.password_hash, hash);
    let other = store
        .get_session(sessions[1].id)
        .await
        .expect("get")
        .expect("s");
    assert_eq!(other.revoked_at, Some(later(1)));
    let kept = store
        .get_session(sessions[0].id)
        .await
        .expect("get")
        .expect("s");
    assert_eq!(kept.revoked_at, None);
    let nobody = store
        .change_password(crate::domain::UserId::new(), &hash, Revoke::All, later(2))
        .await
        .expect("change");
    assert!(!nobody);
}

/// A reset token is redeemed once, before it expires, and ends every session.
pub async fn a_reset_token_is_redeemed_once_before_it_expires(store: Arc<dyn Store>) {
    let (ada, sessions) = user_with_sessions(&store, "ada@example.com", 2).await;
    let token = ResetToken::generate().expect("token");
    let reset = PasswordReset::new(&token, ada.id, t0());
    store.insert_password_reset(&reset).await.expect("insert");
    assert_eq!(
        store
            .count_live_password_resets(ada.id, later(1))
            .await
            .expect("count"),
        1
    );
    let hash = PasswordHash::from_phc("$argon2id$reset");
    let expired = store
        .redeem_password_reset(&token.digest(), &hash, reset.expires_at)
        .await
        .expect("redeem");
    assert_eq!(expired, None, "not at its expiry");
    let redeemed = store
        .redeem_password_reset(&token.digest(), &hash, later(60))
        .await
        .expect("redeem");
    assert_eq!(redeemed, Some(ada.id));
    let again = store
        .redeem_password_reset(&token.digest(), &PasswordHash::from_phc("x"), later(61))
        .await
        .expect("redeem");
    assert_eq!(again, None, "used");
    let back = store.get_user(ada.id).await.expect("get").expect("user");
    assert_eq!(back.password_hash, hash);
    for s in sessions {
        let s = store.get_session(s.id).await.expect("get").expect("s");
        assert_eq!(s.revoked_at, Some(later(60)));
    }
    assert_eq!(
        store
            .count_live_password_resets(ada.id, later(62))
            .await
            .expect("count"),
        0
    );
    let unknown = ResetToken::generate().expect("token");
    let none = store
        .redeem_password_reset(&unknown.digest(), &hash, later(63))
        .await
        .expect("redeem");
    assert_eq!(none, None);
}

/// Of concurrent redemptions of one token, exactly one succeeds.
pub async fn concurrent_redemptions_of_one_reset_token_succeed_once(store: Arc<dyn Store>) {
    let (ada, _) = user_with_sessions(&store, "ada@example.com", 0).await;
    let token = ResetToken::generate().expect("token");
    store
        .insert_password_reset(&PasswordReset::new(&token, ada.id, t0()))
        .await
        .expect("insert");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let digest = token.digest();
            tokio::spawn(async move {
                let hash = PasswordHash::from_phc(format!("$argon2id${i}"));
                store.redeem_password_reset(&digest, &hash, later(1)).await
            })
        })
        .collect();
    let mut redeemed = 0;
    for t in tasks {
        if t.await.expect("task").expect("redeem").is_some() {
            redeemed += 1;
        }
    }
    assert_eq!(redeemed, 1);
}

/// Purging removes what ended before the cutoff and keeps the rest.
pub async fn purging_sessions_keeps_the_live_ones(store: Arc<dyn Store>) {
    let (ada, sessions) = user_with_sessions(&store, "ada@example.com", 2).await;
    store
        .revoke_session(sessions[0].id, later(10))
        .await
        .expect("revoke");
    let token = ResetToken::generate().expect("token");
    store
        .insert_password_reset(&PasswordReset::new(&token, ada.id, t0()))
        .await
        .expect("insert");
    let purged = store.purge_sessions(later(3600)).await.expect("purge");
    assert_eq!(purged, 2, "the revoked session and the expired reset token");
    assert_eq!(store.get_session(sessions[0].id).await.expect("get"), None);
    assert!(
        store
            .get_session(sessions[1].id)
            .await
            .expect("get")
            .is_some()
    );
}

/// A rename changes the name and nothing else.
pub async fn a_rename_changes_only_the_name(store: Arc<dyn Store>) {
    let ada = user("ada@example.com");
    store.insert_user(&ada).await.expect("user");
    let name = PersonName::parse("Ada King").expect("name");
    let renamed = store.rename_user(ada.id, &name).await.expect("rename");
    let expected = User {
        name,
        ..ada.clone()
    };
    assert_eq!(renamed.as_ref(), Some(&expected));
    assert_eq!(store.get_user(ada.id).await.expect("get"), Some(expected));
    let nobody = store
        .rename_user(crate::domain::UserId::new(), &ada.name)
        .await
        .expect("rename");
    assert_eq!(nobody, None);
}

/// Failures are counted per key and within the window: the n-th most recent
/// one is found, older ones are not, and purging drops only old ones.
pub async fn login_failures_are_counted_per_key_within_the_window(store: Arc<dyn Store>) {
    let ada = ThrottleKey::email(&Email::parse("ada@example.com").expect("email"));
    let client = ThrottleKey::client("192.0.2.1".parse().expect("ip"));
    for i in 0..5 {
        store
            .record_login_failure(&[ada.clone(), client.clone()], later(i * 10))
            .await
            .expect("record");
    }
    let bob = ThrottleKey::email(&Email::parse("bob@example.com").expect("email"));
    store
        .record_login_failure(std::slice::from_ref(&bob), later(45))
        .await
        .expect("record");
    let nth = |key: &ThrottleKey, n: u32, since: i64| {
        let store = store.clone();
        let key = key.clone();
        async move {
            store
                .nth_latest_login_failure(&key, n, later(since))
                .await
                .expect("nth")
        }
    };
    assert_eq!(nth(&ada, 1, -1).await, Some(later(40)));
    assert_eq!(nth(&ada, 5, -1).await, Some(later(0)));
    assert_eq!(nth(&ada, 6, -1).await, None);
    assert_eq!(
        nth(&ada, 5, 0).await,
        None,
        "a failure at the window's start has left it"
    );
    assert_eq!(nth(&client, 2, -1).await, Some(later(30)));
    assert_eq!(nth(&bob, 1, -1).await, Some(later(45)));
    assert_eq!(nth(&bob, 2, -1).await, None);
    let purged = store.purge_login_failures(later(15)).await.expect("purge");
    assert_eq!(purged, 4, "two failures of each of ada's two keys");
    assert_eq!(nth(&ada, 3, -1).await, Some(later(20)));
    assert_eq!(nth(&ada, 4, -1).await, None);
}
