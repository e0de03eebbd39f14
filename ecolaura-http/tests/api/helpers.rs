//! An in-process host over the in-memory store, driven through poem's test
//! client: real routing, middleware and serialization, no socket.

use std::sync::Arc;

use ecolaura_core::Ecolaura;
use ecolaura_core::accounts::{NewAccount, Password, PasswordHasher, Role};
use ecolaura_core::auth::Actor;
use ecolaura_core::domain::{Currency, Email, PersonName};
use ecolaura_core::memory::{ManualClock, MemoryStore};
use ecolaura_core::services::OrdersConfig;
use ecolaura_http::{Host, HostConfig, JwtSecret, QueueReadiness, TokenConfig};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, Method, StatusCode};
use poem::test::TestClient;
use poem::{EndpointExt, Response};
use serde_json::{Value, json};

pub(crate) const SECRET: &[u8] = b"test secret that is long enough for HS256";

pub(crate) struct TestApp {
    pub(crate) client: TestClient<BoxEndpoint<'static, Response>>,
    pub(crate) store: Arc<MemoryStore>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) app: Ecolaura,
    pub(crate) host: Host,
}

/// A response: status, headers and the body as JSON (`Null` when empty or not JSON).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Assert a problem+json answer with this status, and return its body.
    #[track_caller]
    pub(crate) fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string());
        assert!(self.body["detail"].is_string());
        &self.body
    }

    /// Assert this status and return the body.
    #[track_caller]
    pub(crate) fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        &self.body
    }
}

impl TestApp {
    pub(crate) fn new() -> Self {
        Self::with_cors(Vec::new())
    }

    pub(crate) fn with_cors(cors_origins: Vec<String>) -> Self {
        Self::with_config(|config| HostConfig {
            cors_origins,
            ..config
        })
    }

    /// A host whose configuration `change` adjusts from the defaults.
    pub(crate) fn with_config(change: impl FnOnce(HostConfig) -> HostConfig) -> Self {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::default());
        Self::over(store, clock, OrdersConfig::default(), change)
    }

    /// A second host over this one's store and clock, with its own caches:
    /// another process behind the same balancer.
    pub(crate) fn beside(&self) -> Self {
        Self::over(
            self.store.clone(),
            self.clock.clone(),
            OrdersConfig::default(),
            |c| c,
        )
    }

    /// A new application and host over this one's store and clock, as after
    /// a restart, with the shop's currency set to `currency`. Tokens issued
    /// by this host stay valid.
    pub(crate) fn restarted_with_currency(&self, currency: &str) -> Self {
        let orders = OrdersConfig {
            currency: Currency::parse(currency).unwrap(),
            ..OrdersConfig::default()
        };
        Self::over(self.store.clone(), self.clock.clone(), orders, |config| {
            config
        })
    }

    fn over(
        store: Arc<MemoryStore>,
        clock: Arc<ManualClock>,
        orders: OrdersConfig,
        change: impl FnOnce(HostConfig) -> HostConfig,
    ) -> Self {
        let app = Ecolaura::builder()
            .store(store.clone())
            .clock(clock.clone())
            .password_hasher(PasswordHasher::fast_insecure())
            .orders_config(orders)
            .build()
            .unwrap();
        let host = Host::new(
            app.clone(),
            Arc::new(QueueReadiness(store.clone())),
            change(HostConfig::new(TokenConfig::new(
                JwtSecret::new(SECRET).unwrap(),
            ))),
        )
        .unwrap();
        let client = TestClient::new(host.endpoint().boxed());
        Self {
            client,
            store,
            clock,
            app,
            host,
        }
    }

    /// Send a request; `body` is sent as raw text when it is a JSON string
    /// starting with `RAW:`.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.client.request(method, path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        match body {
            Some(Value::String(s)) if s.starts_with("RAW:") => {
                req = req
                    .content_type("application/json")
                    .body(s.trim_start_matches("RAW:").to_owned());
            }
            Some(b) => req = req.body_json(&b),
            None => {}
        }
        let resp = req.send().await;
        let status = resp.0.status();
        let headers = resp.0.headers().clone();
        let bytes = resp.0.into_body().into_bytes().await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::GET, path, token, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::POST, path, token, Some(body), &[]).await
    }

    pub(crate) async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::PUT, path, token, Some(body), &[]).await
    }

    pub(crate) async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(Method::PATCH, path, token, Some(body), &[]).await
    }

    pub(crate) async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::DELETE, path, token, None, &[]).await
    }

    /// Place an order with these lines, optionally under an idempotency key.
    pub(crate) async fn order(&self, token: &str, lines: Value, key: Option<&str>) -> Answer {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        let body = json!({ "lines": lines });
        self.send(
            Method::POST,
            "/api/v1/orders",
            Some(token),
            Some(body),
            &headers,
        )
        .await
    }

    /// A GET with extra headers.
    pub(crate) async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(Method::GET, path, None, None, headers).await
    }

    /// The token response for these credentials.
    pub(crate) async fn token_pair(&self, email: &str, password: &str) -> Value {
        self.post(
            "/api/v1/auth/token",
            None,
            json!({"email": email, "password": password}),
        )
        .await
        .ok(200)
        .clone()
    }

    /// Register and sign in a customer; returns the access token.
    pub(crate) async fn customer(&self, email: &str) -> String {
        self.post(
            "/api/v1/auth/register",
            None,
            json!({"email": email, "password": "long enough", "name": "Customer"}),
        )
        .await
        .ok(201);
        self.login(email, "long enough").await
    }

    pub(crate) async fn login(&self, email: &str, password: &str) -> String {
        let a = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        a.ok(200)["access"].as_str().unwrap().to_owned()
    }

    /// A staff account (as the CLI makes them); returns the access token.
    pub(crate) async fn staff(&self) -> String {
        self.app
            .accounts()
            .register(
                &Actor::System,
                NewAccount {
                    email: Email::parse("staff@shop.example").unwrap(),
                    password: Password::new("staff password").unwrap(),
                    name: PersonName::parse("Staff").unwrap(),
                    role: Role::Staff,
                },
            )
            .await
            .unwrap();
        self.login("staff@shop.example", "staff password").await
    }

    pub(crate) async fn category(&self, staff: &str, slug: &str) {
        self.post(
            "/api/v1/categories",
            Some(staff),
            json!({"slug": slug, "name": slug}),
        )
        .await
        .ok(201);
    }

    /// Create a product; returns its JSON.
    pub(crate) async fn product(&self, staff: &str, body: Value) -> Value {
        self.post("/api/v1/products", Some(staff), body)
            .await
            .ok(201)
            .clone()
    }

    /// Run every queued job now.
    pub(crate) async fn run_jobs(&self) {
        self.app
            .worker(ecolaura_core::jobs::WorkerConfig::default())
            .drain()
            .await
            .unwrap();
    }
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}
