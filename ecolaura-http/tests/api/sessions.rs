//! Sessions: rotation and reuse detection, logout, logout everywhere,
//! password change and reset, the profile, and what a second host sees.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

const PASSWORD: &str = "long enough";

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap().to_owned()
}

async fn refresh(t: &TestApp, token: &str) -> Answer {
    t.post(
        "/api/v1/auth/token/refresh",
        None,
        json!({ "refresh": token }),
    )
    .await
}

#[tokio::test]
async fn a_refresh_spends_the_token_and_a_second_use_ends_the_session() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let first = t.token_pair("ada@example.com", PASSWORD).await;
    let second = refresh(&t, &s(&first, "refresh")).await.ok(200).clone();
    assert_ne!(s(&second, "refresh"), s(&first, "refresh"));
    let third = refresh(&t, &s(&second, "refresh")).await.ok(200).clone();
    t.get("/api/v1/users/me", Some(&s(&third, "access")))
        .await
        .ok(200);

    // An attacker replays the first refresh token: refused, and the whole
    // session ends, so the legitimate holder's tokens stop too.
    refresh(&t, &s(&first, "refresh")).await.problem(401);
    refresh(&t, &s(&third, "refresh")).await.problem(401);
    t.get("/api/v1/users/me", Some(&s(&third, "access")))
        .await
        .problem(401);

    // Another session of the same account is untouched.
    let other = t.token_pair("ada@example.com", PASSWORD).await;
    t.get("/api/v1/users/me", Some(&s(&other, "access")))
        .await
        .ok(200);
}

#[tokio::test]
async fn of_concurrent_refreshes_with_one_token_at_most_one_succeeds() {
    let t = std::sync::Arc::new(TestApp::new());
    t.customer("ada@example.com").await;
    let pair = t.token_pair("ada@example.com", PASSWORD).await;
    let token = s(&pair, "refresh");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            let token = token.clone();
            tokio::spawn(async move { refresh(&t, &token).await.status.as_u16() })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            200 => ok += 1,
            401 => {}
            other => panic!("status {other}"),
        }
    }
    assert!(ok <= 1, "{ok} refreshes spent one token");
}

#[tokio::test]
async fn logout_ends_the_session_of_its_refresh_token_only() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let phone = t.token_pair("ada@example.com", PASSWORD).await;
    let laptop = t.token_pair("ada@example.com", PASSWORD).await;
    t.post(
        "/api/v1/auth/logout",
        None,
        json!({"refresh": s(&phone, "refresh")}),
    )
    .await
    .ok(204);
    t.get("/api/v1/users/me", Some(&s(&phone, "access")))
        .await
        .problem(401);
    refresh(&t, &s(&phone, "refresh")).await.problem(401);
    t.get("/api/v1/users/me", Some(&s(&laptop, "access")))
        .await
        .ok(200);
    // Not a live refresh token: a second logout, an access token, garbage.
    for token in [
        s(&phone, "refresh"),
        s(&laptop, "access"),
        "garbage".to_owned(),
    ] {
        t.post("/api/v1/auth/logout", None, json!({ "refresh": token }))
            .await
            .problem(401);
    }
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_caller_and_no_one_elses() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let bob = t.customer("bob@example.com").await;
    let phone = t.token_pair("ada@example.com", PASSWORD).await;
    let laptop = t.token_pair("ada@example.com", PASSWORD).await;
    t.post(
        "/api/v1/auth/logout-all",
        Some(&s(&phone, "access")),
        json!({}),
    )
    .await
    .ok(204);
    for pair in [&phone, &laptop] {
        t.get("/api/v1/users/me", Some(&s(pair, "access")))
            .await
            .problem(401);
        refresh(&t, &s(pair, "refresh")).await.problem(401);
    }
    t.get("/api/v1/users/me", Some(&bob)).await.ok(200);
    t.post("/api/v1/auth/logout-all", None, json!({}))
        .await
        .problem(401);
}

#[tokio::test]
async fn a_password_change_keeps_this_session_and_ends_the_others() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let here = t.token_pair("ada@example.com", PASSWORD).await;
    let elsewhere = t.token_pair("ada@example.com", PASSWORD).await;
    let access = s(&here, "access");
    let wrong = t
        .post(
            "/api/v1/users/me/password",
            Some(&access),
            json!({"current_password": "not it at all", "new_password": "a brand new one"}),
        )
        .await;
    assert!(wrong.problem(422)["errors"]["current_password"].is_array());
    let short = t
        .post(
            "/api/v1/users/me/password",
            Some(&access),
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    short.problem(422);
    t.post(
        "/api/v1/users/me/password",
        Some(&access),
        json!({"current_password": PASSWORD, "new_password": "a brand new one"}),
    )
    .await
    .ok(204);
    t.get("/api/v1/users/me", Some(&access)).await.ok(200);
    t.get("/api/v1/users/me", Some(&s(&elsewhere, "access")))
        .await
        .problem(401);
    t.post(
        "/api/v1/auth/token",
        None,
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .problem(401);
    t.token_pair("ada@example.com", "a brand new one").await;
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_logins_for_the_account() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let access = s(&t.token_pair("ada@example.com", PASSWORD).await, "access");
    let change =
        |current: &str| json!({"current_password": current, "new_password": "a brand new one"});
    // A stolen access token buys ten guesses, not unlimited ones.
    for i in 0..10 {
        t.post(
            "/api/v1/users/me/password",
            Some(&access),
            change(&format!("guess number {i}")),
        )
        .await
        .problem(422);
    }
    let locked = t
        .post("/api/v1/users/me/password", Some(&access), change(PASSWORD))
        .await;
    locked.problem(429);
    assert!(locked.header("retry-after").is_some());
    t.post(
        "/api/v1/auth/token",
        None,
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .problem(429);
    // Once the window has passed (and with a fresh token: the old one has
    // expired meanwhile), the right password works again.
    t.clock.advance(std::time::Duration::from_secs(15 * 60));
    let access = s(&t.token_pair("ada@example.com", PASSWORD).await, "access");
    t.post("/api/v1/users/me/password", Some(&access), change(PASSWORD))
        .await
        .ok(204);
}

/// The reset token in the newest e-mail sent to `to`.
fn mailed_token(t: &TestApp, to: &str) -> Option<String> {
    let sent = t.store.sent_emails();
    let mail = sent.iter().rev().find(|m| m.email.to.as_str() == to)?;
    mail.email
        .body
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 43 && !l.contains(' '))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_reset_token_is_mailed_works_once_and_ends_every_session() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let session = t.token_pair("ada@example.com", PASSWORD).await;
    for email in ["ADA@example.com", "nobody@example.com", "not an address"] {
        let a = t
            .post(
                "/api/v1/auth/password-reset",
                None,
                json!({ "email": email }),
            )
            .await;
        a.ok(202);
        assert_eq!(a.text, "", "202 has no body that could tell accounts apart");
    }
    t.run_jobs().await;
    assert_eq!(t.store.sent_emails().len(), 1, "only the account gets mail");
    let token = mailed_token(&t, "ada@example.com").expect("a token in the e-mail");

    let weak = t
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert!(weak.problem(422)["errors"]["new_password"].is_array());
    t.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({"token": token, "new_password": "reset and long"}),
    )
    .await
    .ok(204);
    t.get("/api/v1/users/me", Some(&s(&session, "access")))
        .await
        .problem(401);
    refresh(&t, &s(&session, "refresh")).await.problem(401);
    t.token_pair("ada@example.com", "reset and long").await;

    for bad in [token.as_str(), "made-up", &"A".repeat(43)] {
        let a = t
            .post(
                "/api/v1/auth/password-reset/confirm",
                None,
                json!({"token": bad, "new_password": "again and long"}),
            )
            .await;
        assert!(a.problem(422)["errors"]["token"].is_array(), "{bad}");
    }
}

#[tokio::test]
async fn a_reset_token_expires_after_30_minutes() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    t.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"email": "ada@example.com"}),
    )
    .await
    .ok(202);
    t.run_jobs().await;
    let token = mailed_token(&t, "ada@example.com").unwrap();
    t.clock.advance(Duration::from_secs(30 * 60));
    let a = t
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "too late now"}),
        )
        .await;
    assert!(a.problem(422)["errors"]["token"].is_array());
}

#[tokio::test]
async fn repeated_reset_requests_do_not_flood_the_inbox() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    for _ in 0..10 {
        t.post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "ada@example.com"}),
        )
        .await
        .ok(202);
    }
    t.run_jobs().await;
    assert_eq!(t.store.sent_emails().len(), 3);
}

#[tokio::test]
async fn the_profile_name_changes_and_nothing_else() {
    let t = TestApp::new();
    let access = t.customer("ada@example.com").await;
    let before = t
        .get("/api/v1/users/me", Some(&access))
        .await
        .ok(200)
        .clone();
    let after = t
        .patch(
            "/api/v1/users/me",
            Some(&access),
            json!({"name": "Ada King", "role": "staff", "email": "x@example.com"}),
        )
        .await
        .ok(200)
        .clone();
    assert_eq!(after["name"], "Ada King");
    assert_eq!(after["role"], before["role"]);
    assert_eq!(after["email"], before["email"]);
    assert_eq!(
        t.get("/api/v1/users/me", Some(&access)).await.ok(200)["name"],
        "Ada King"
    );
    t.patch("/api/v1/users/me", Some(&access), json!({"name": "   "}))
        .await
        .problem(422);
    t.patch("/api/v1/users/me", None, json!({"name": "Eve"}))
        .await
        .problem(401);
}

#[tokio::test]
async fn a_second_host_sees_a_logout_within_30_seconds() {
    let a = TestApp::new();
    let b = a.beside();
    a.customer("ada@example.com").await;
    let pair = a.token_pair("ada@example.com", PASSWORD).await;
    let access = s(&pair, "access");
    // Host B has read the session: it is live.
    b.get("/api/v1/users/me", Some(&access)).await.ok(200);
    a.post(
        "/api/v1/auth/logout",
        None,
        json!({"refresh": s(&pair, "refresh")}),
    )
    .await
    .ok(204);
    // Host A knows at once; host B may trust its reading for up to 30 s.
    a.get("/api/v1/users/me", Some(&access)).await.problem(401);
    a.clock.advance(Duration::from_secs(30));
    b.get("/api/v1/users/me", Some(&access)).await.problem(401);
}

#[tokio::test]
async fn both_hosts_count_the_same_failed_logins() {
    let a = TestApp::new();
    let b = a.beside();
    a.customer("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "wrong password"});
    for i in 0..10 {
        let host = if i % 2 == 0 { &a } else { &b };
        host.post("/api/v1/auth/token", None, wrong.clone())
            .await
            .problem(401);
    }
    let right = json!({"email": "ada@example.com", "password": PASSWORD});
    a.post("/api/v1/auth/token", None, right.clone())
        .await
        .problem(429);
    b.post("/api/v1/auth/token", None, right).await.problem(429);
}
