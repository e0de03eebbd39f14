//! The OpenAPI document: complete enough for integrators, and reviewed
//! like code (a snapshot in `docs/openapi.json`).

use serde_json::Value;

use crate::helpers::TestApp;

async fn document() -> Value {
    let t = TestApp::new();
    let a = t.get("/api/v1/openapi.json", None).await;
    let served = a.ok(200).clone();
    let rendered: Value = serde_json::from_str(&t.host.openapi_json()).unwrap();
    assert_eq!(
        rendered, served,
        "Host::openapi_json renders the served document"
    );
    served
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((path.clone(), method.clone(), op));
        }
    }
    ops
}

#[tokio::test]
async fn every_route_of_the_contract_is_documented() {
    let doc = document().await;
    let mut found: Vec<String> = operations(&doc)
        .iter()
        .map(|(p, m, _)| format!("{} {p}", m.to_uppercase()))
        .collect();
    found.sort();
    let mut expected = vec![
        "POST /api/v1/auth/register",
        "POST /api/v1/auth/token",
        "POST /api/v1/auth/token/refresh",
        "POST /api/v1/auth/logout",
        "POST /api/v1/auth/logout-all",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/confirm",
        "GET /api/v1/users/me",
        "GET /api/v2/orders",
        "GET /api/v2/products",
        "PATCH /api/v1/users/me",
        "POST /api/v1/users/me/password",
        "GET /api/v1/categories",
        "POST /api/v1/categories",
        "PATCH /api/v1/categories/{slug}",
        "GET /api/v1/products",
        "POST /api/v1/products",
        "GET /api/v1/products/{id}",
        "PUT /api/v1/products/{id}",
        "PATCH /api/v1/products/{id}",
        "DELETE /api/v1/products/{id}",
        "GET /api/v1/products/{id}/sustainability",
        "PUT /api/v1/products/{id}/sustainability",
        "GET /api/v1/products/{id}/footprint",
        "PUT /api/v1/products/{id}/footprint",
        "DELETE /api/v1/products/{id}/footprint",
        "POST /api/v1/products/{id}/claims",
        "GET /api/v1/products/{id}/claims",
        "DELETE /api/v1/products/{id}/claims/{claim_id}",
        "GET /api/v1/claims",
        "GET /api/v1/score-policy",
        "PUT /api/v1/score-policy",
        "GET /api/v1/products/{id}/score-history",
        "POST /api/v1/products/{id}/discards",
        "GET /api/v1/products/{id}/discards",
        "GET /api/v1/reports/discards",
        "GET /api/v1/products/{id}/composition",
        "PUT /api/v1/products/{id}/composition",
        "GET /api/v1/products/{id}/passport",
        "GET /01/{gtin}",
        "PUT /api/v1/reports/discards/{year}",
        "GET /api/v1/shipping-methods",
        "POST /api/v1/shipping-methods",
        "PATCH /api/v1/shipping-methods/{code}",
        "POST /api/v1/shipping/quote",
        "POST /api/v1/orders",
        "GET /api/v1/orders",
        "GET /api/v1/orders/{id}",
        "POST /api/v1/orders/{id}/cancel",
        "POST /api/v1/orders/{id}/status",
        "GET /api/v1/sustainability/summary",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/v1/admin/queue",
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn every_operation_is_tagged_summarized_and_declares_its_problems() {
    let doc = document().await;
    for (path, method, op) in operations(&doc) {
        let name = format!("{method} {path}");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: summary"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: tags"
        );
        assert!(op["operationId"].is_string(), "{name}: operationId");
        if !path.starts_with("/api/v1") {
            continue;
        }
        for status in ["400", "401", "404", "422", "503"] {
            let content = &op["responses"][status]["content"];
            assert!(
                content["application/problem+json"]["schema"].is_object(),
                "{name}: {status} as problem+json"
            );
        }
    }
}

#[tokio::test]
async fn the_bearer_scheme_guards_the_signed_in_operations() {
    let doc = document().await;
    let scheme = &doc["components"]["securitySchemes"]["BearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    let placing = &doc["paths"]["/api/v1/orders"]["post"];
    assert!(placing["security"][0]["BearerAuth"].is_array());
    assert!(doc["paths"]["/api/v1/products"]["get"]["security"].is_null());
}

#[tokio::test]
async fn request_and_response_bodies_have_described_fields_and_examples() {
    let doc = document().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Product",
        "ProductInput",
        "ProductPatch",
        "Order",
        "OrderInput",
        "Category",
        "CategoryInput",
        "User",
        "RegisterInput",
        "TokenInput",
        "TokenPair",
        "Problem",
        "SustainabilitySummary",
        "ProductSustainability",
        "StatusInput",
    ] {
        let schema = &schemas[name];
        assert!(schema["example"].is_object(), "{name}: example");
        for (field, prop) in schema["properties"].as_object().unwrap() {
            // A bare `$ref` (enums) is described by the schema it names.
            let described = prop["description"].is_string()
                || prop["$ref"].as_str().is_some_and(|r| {
                    let target = r.trim_start_matches("#/components/schemas/");
                    schemas[target]["description"].is_string()
                });
            assert!(described, "{name}.{field}: description");
        }
    }
    assert_eq!(schemas["Product"]["properties"]["price"]["type"], "string");
    assert_eq!(schemas["Product"]["example"]["price"], "19.99");
}

#[tokio::test]
async fn the_document_matches_the_reviewed_snapshot() {
    let doc = document().await;
    let rendered = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == rendered,
        "the OpenAPI document changed; review it and run `UPDATE_OPENAPI=1 cargo test -p ecolaura-http --test api openapi` to accept"
    );
}

/// The document's numeric limits are the domain's constants: written once
/// in the domain, and this test ties the validators to them.
#[tokio::test]
async fn the_documented_limits_are_the_domains() {
    use ecolaura_core::domain::{PageRequest, Quantity, Score, Stock};
    use ecolaura_core::orders::OrderRequest;
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    let number = |v: &Value| v.as_f64().unwrap();
    let quantity = &schemas["OrderLineInput"]["properties"]["quantity"];
    assert_eq!(number(&quantity["maximum"]), f64::from(Quantity::MAX));
    assert_eq!(number(&quantity["minimum"]), 1.0);
    let lines = &schemas["OrderInput"]["properties"]["lines"];
    assert_eq!(
        lines["maxItems"].as_u64().unwrap(),
        OrderRequest::MAX_LINES as u64
    );
    assert_eq!(lines["minItems"].as_u64().unwrap(), 1);
    for schema in ["ProductInput", "ProductPatch", "ProductReplacement"] {
        let props = &schemas[schema]["properties"];
        assert_eq!(
            number(&props["stock"]["maximum"]),
            f64::from(Stock::MAX),
            "{schema}"
        );
        assert_eq!(
            number(&props["sustainability_score"]["maximum"]),
            f64::from(Score::MAX.value()),
            "{schema}"
        );
    }
    let list = &doc["paths"]["/api/v1/products"]["get"]["parameters"];
    let page_size = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page_size")
        .unwrap();
    assert_eq!(
        number(&page_size["schema"]["maximum"]),
        f64::from(PageRequest::MAX_PAGE_SIZE)
    );
}
