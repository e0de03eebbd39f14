//! Calls to a running `ecolaura serve` that the load drivers share.

use serde_json::{Value, json};

/// `POST url` with a JSON body (and a bearer token): the status and the
/// body as JSON (`null` when it is not JSON).
///
/// # Errors
/// When the request cannot be sent.
pub async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<(u16, Value), String> {
    let mut req = http.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// An access token for these credentials.
///
/// # Errors
/// When the login is not answered 200 with a token.
pub async fn login(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Result<String, String> {
    let (status, body) = post_json(
        http,
        &format!("{base}/api/v1/auth/token"),
        None,
        &json!({"email": email, "password": password}),
    )
    .await?;
    match (status, body["access"].as_str()) {
        (200, Some(t)) => Ok(t.to_owned()),
        _ => Err(format!("login {email}: {status} {body}")),
    }
}
