use std::time::Duration;

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn registering_returns_the_user_without_its_password() {
    let t = TestApp::new();
    let a = t
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Ada@Example.com", "password": "long enough", "name": "Ada"}),
        )
        .await;
    let user = a.ok(201);
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["role"], "customer");
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user["created_at"].is_string());
    assert!(user.get("password").is_none() && !a.text.contains("long enough"));
}

#[tokio::test]
async fn an_email_is_taken_case_insensitively() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let a = t
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "ADA@example.COM", "password": "another one", "name": "Ada"}),
        )
        .await;
    a.problem(409);
}

#[tokio::test]
async fn a_malformed_email_or_short_password_is_422_naming_the_field() {
    let t = TestApp::new();
    let register = |email: &str, password: &str| {
        let body = json!({"email": email, "password": password, "name": "Ada"});
        t.post("/api/v1/auth/register", None, body)
    };
    let bad_email = register("not-an-email", "long enough").await;
    assert!(bad_email.problem(422)["errors"]["email"].is_array());
    let short = register("ada@example.com", "short").await;
    let p = short.problem(422);
    assert_eq!(
        p["errors"]["password"][0],
        "must have at least 8 characters"
    );
    assert!(p["errors"].get("email").is_none());
}

#[tokio::test]
async fn the_token_pair_works_and_users_me_answers_with_it() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let a = t
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "ada@example.com", "password": "long enough"}),
        )
        .await;
    let pair = a.ok(200).clone();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let me = t.get("/api/v1/users/me", pair["access"].as_str()).await;
    assert_eq!(me.ok(200)["email"], "ada@example.com");
}

#[tokio::test]
async fn bad_credentials_are_401_whichever_part_is_wrong() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    for body in [
        json!({"email": "ada@example.com", "password": "wrong password"}),
        json!({"email": "nobody@example.com", "password": "long enough"}),
        json!({"email": "not an email", "password": "long enough"}),
    ] {
        t.post("/api/v1/auth/token", None, body).await.problem(401);
    }
}

#[tokio::test]
async fn an_over_long_email_or_password_at_login_is_a_422_and_counts_for_nothing() {
    let t = TestApp::new();
    let huge = format!("{}@example.com", "a".repeat(300_000));
    let a = t
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": huge, "password": "whatever"}),
        )
        .await;
    a.problem(422);
    assert!(a.body["errors"]["email"].is_array(), "{}", a.text);
    let a = t
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "ada@example.com", "password": "p".repeat(1025)}),
        )
        .await;
    a.problem(422);
    assert!(a.body["errors"]["password"].is_array(), "{}", a.text);
    // An address that is not one is refused like a wrong password, and is
    // not remembered by the throttle.
    for _ in 0..20 {
        t.post(
            "/api/v1/auth/token",
            None,
            json!({"email": "not an address", "password": "whatever"}),
        )
        .await
        .problem(401);
    }
}

#[tokio::test]
async fn ten_failures_lock_an_address_even_for_the_right_password_until_the_window_passes() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let wrong = json!({"email": "ada@example.com", "password": "wrong password"});
    for _ in 0..10 {
        t.post("/api/v1/auth/token", None, wrong.clone())
            .await
            .problem(401);
    }
    let right = json!({"email": "ADA@example.com", "password": "long enough"});
    let a = t.post("/api/v1/auth/token", None, right.clone()).await;
    a.problem(429);
    assert!(a.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    // Another address is not affected.
    t.customer("bob@example.com").await;
    t.clock.advance(Duration::from_secs(15 * 60));
    t.post("/api/v1/auth/token", None, right).await.ok(200);
}

#[tokio::test]
async fn a_refresh_token_buys_a_new_pair_but_is_not_an_access_token() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let pair = t.token_pair("ada@example.com", "long enough").await;
    let refresh = pair["refresh"].as_str().unwrap();
    let access = pair["access"].as_str().unwrap();
    t.get("/api/v1/users/me", Some(refresh)).await.problem(401);
    t.post(
        "/api/v1/auth/token/refresh",
        None,
        json!({"refresh": access}),
    )
    .await
    .problem(401);
    let renewed = t
        .post(
            "/api/v1/auth/token/refresh",
            None,
            json!({"refresh": refresh}),
        )
        .await;
    let new_access = renewed.ok(200)["access"].as_str().unwrap().to_owned();
    t.get("/api/v1/users/me", Some(&new_access)).await.ok(200);
}

#[tokio::test]
async fn expired_forged_and_missing_tokens_are_401() {
    let t = TestApp::new();
    let access = t.customer("ada@example.com").await;
    t.get("/api/v1/users/me", None).await.problem(401);
    t.get("/api/v1/users/me", Some("not.a.jwt"))
        .await
        .problem(401);
    // Flip one character of the signature.
    let mut forged = access.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    t.get("/api/v1/users/me", Some(&forged)).await.problem(401);

    t.clock.advance(Duration::from_secs(15 * 60));
    t.get("/api/v1/users/me", Some(&access)).await.problem(401);
}

#[tokio::test]
async fn an_expired_refresh_token_is_401() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let pair = t.token_pair("ada@example.com", "long enough").await;
    t.clock.advance(Duration::from_secs(7 * 24 * 3600));
    t.post(
        "/api/v1/auth/token/refresh",
        None,
        json!({"refresh": pair["refresh"]}),
    )
    .await
    .problem(401);
}

/// A login for `email` with `password`, sending `device` as the
/// `ecolaura_device` cookie.
async fn login_from(
    t: &TestApp,
    email: &str,
    password: &str,
    device: Option<&str>,
) -> crate::helpers::Answer {
    let cookie = device.map(|d| format!("ecolaura_device={d}"));
    let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("cookie", c.as_str())).collect();
    t.send(
        poem::http::Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"email": email, "password": password})),
        &headers,
    )
    .await
}

/// The device token a successful login set.
fn device_cookie(a: &crate::helpers::Answer) -> String {
    let set = a.header("set-cookie").expect("a device cookie");
    let (pair, attributes) = set.split_once(';').unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth/token"] {
        assert!(attributes.contains(attribute), "{attribute} in {set}");
    }
    assert!(!attributes.contains("Secure"), "not over plain HTTP: {set}");
    pair.strip_prefix("ecolaura_device=").unwrap().to_owned()
}

#[tokio::test]
async fn a_known_device_signs_in_while_guesses_lock_its_address() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let first = login_from(&t, "ada@example.com", "long enough", None).await;
    first.ok(200);
    let device = device_cookie(&first);
    // Someone else guesses at Ada's address until it is locked.
    for _ in 0..10 {
        login_from(&t, "ada@example.com", "a guess", None)
            .await
            .problem(401);
    }
    login_from(&t, "ada@example.com", "long enough", None)
        .await
        .problem(429);
    // Ada's device is not locked out, and keeps its id.
    let again = login_from(&t, "ADA@example.com", "long enough", Some(&device)).await;
    again.ok(200);
    assert!(!device_cookie(&again).is_empty());
    // A wrong password from her device is still a 401.
    login_from(&t, "ada@example.com", "a typo", Some(&device))
        .await
        .problem(401);
}

#[tokio::test]
async fn a_device_cookie_vouches_only_for_its_own_account_and_is_locked_by_its_own_failures() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    t.customer("bob@example.com").await;
    let bobs = device_cookie(&login_from(&t, "bob@example.com", "long enough", None).await);
    for _ in 0..10 {
        login_from(&t, "ada@example.com", "a guess", None)
            .await
            .problem(401);
    }
    // Bob's device cookie does not open Ada's locked address, nor does a
    // cookie that is not a device token.
    login_from(&t, "ada@example.com", "long enough", Some(&bobs))
        .await
        .problem(429);
    login_from(&t, "ada@example.com", "long enough", Some("not-a-token"))
        .await
        .problem(429);
    // Ten failures from Bob's device lock that device, not his address.
    for _ in 0..10 {
        login_from(&t, "bob@example.com", "a guess", Some(&bobs))
            .await
            .problem(401);
    }
    login_from(&t, "bob@example.com", "long enough", Some(&bobs))
        .await
        .problem(429);
    login_from(&t, "bob@example.com", "long enough", None)
        .await
        .ok(200);
    // The lock passes with the window.
    t.clock.advance(Duration::from_secs(15 * 60));
    login_from(&t, "bob@example.com", "long enough", Some(&bobs))
        .await
        .ok(200);
}

#[tokio::test]
async fn an_access_or_refresh_token_is_not_a_device_cookie() {
    let t = TestApp::new();
    t.customer("ada@example.com").await;
    let pair = t.token_pair("ada@example.com", "long enough").await;
    for _ in 0..10 {
        login_from(&t, "ada@example.com", "a guess", None)
            .await
            .problem(401);
    }
    for token in [&pair["access"], &pair["refresh"]] {
        login_from(&t, "ada@example.com", "long enough", token.as_str())
            .await
            .problem(429);
    }
}
