//! Which methods each path supports, for the `Allow` header of a 405.
//!
//! Read from the host's own OpenAPI document, so the header and the
//! document can never disagree: every path template (`/api/v1/products/{id}`)
//! with the methods the document lists for it.

use poem::http::HeaderValue;

/// Path templates and the methods each supports.
#[derive(Debug, Default)]
pub(crate) struct AllowedMethods {
    templates: Vec<(Vec<Segment>, HeaderValue)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl AllowedMethods {
    /// The table of an OpenAPI document (JSON), plus `extra` paths served
    /// outside it (the document itself, the explorer), all `GET`.
    pub(crate) fn from_openapi(document: &str, extra: &[&str]) -> Self {
        let mut table = Self::default();
        let parsed: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
        if let Some(paths) = parsed.get("paths").and_then(|p| p.as_object()) {
            for (template, operations) in paths {
                let methods: Vec<String> = operations
                    .as_object()
                    .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                    .unwrap_or_default();
                table.add(template, &methods);
            }
        }
        for path in extra {
            table.add(path, &["GET".to_owned()]);
        }
        table
    }

    fn add(&mut self, template: &str, methods: &[String]) {
        let mut methods: Vec<&str> = methods.iter().map(String::as_str).collect();
        if methods.contains(&"GET") && !methods.contains(&"HEAD") {
            methods.push("HEAD");
        }
        methods.sort_unstable();
        methods.dedup();
        let Ok(value) = HeaderValue::from_str(&methods.join(", ")) else {
            return;
        };
        let segments = template
            .split('/')
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    Segment::Parameter
                } else {
                    Segment::Literal(s.to_owned())
                }
            })
            .collect();
        self.templates.push((segments, value));
    }

    /// The `Allow` value for `path`, if a template matches it.
    pub(crate) fn for_path(&self, path: &str) -> Option<&HeaderValue> {
        let parts: Vec<&str> = path.split('/').collect();
        self.templates
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Parameter => !p.is_empty(),
                        Segment::Literal(l) => l == p,
                    })
            })
            .map(|(_, allow)| allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_gets_the_methods_its_template_lists() {
        let document = r#"{"paths": {
            "/api/v1/products": {"get": {}, "post": {}},
            "/api/v1/products/{id}": {"get": {}, "put": {}, "patch": {}, "delete": {}},
            "/api/v1/products/{id}/sustainability": {"get": {}, "put": {}}
        }}"#;
        let table = AllowedMethods::from_openapi(document, &["/api/v1/openapi.json"]);
        let allow = |p| table.for_path(p).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            allow("/api/v1/products").as_deref(),
            Some("GET, HEAD, POST")
        );
        assert_eq!(
            allow("/api/v1/products/0190a2b4-0000-7000-8000-000000000000").as_deref(),
            Some("DELETE, GET, HEAD, PATCH, PUT")
        );
        assert_eq!(
            allow("/api/v1/products/x/sustainability").as_deref(),
            Some("GET, HEAD, PUT")
        );
        assert_eq!(allow("/api/v1/openapi.json").as_deref(), Some("GET, HEAD"));
        assert_eq!(allow("/api/v1/nothing"), None);
        assert_eq!(allow("/api/v1/products//sustainability"), None);
    }
}
