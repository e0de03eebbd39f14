//! JSON request bodies that tell a malformed request (400) from an invalid
//! one (422), field by field.
//!
//! poem-openapi's `Json<T>` reports every failure as one message without a
//! field path. The contract needs more: unparsable JSON or a value of the
//! wrong JSON type is 400; a missing required field, a string of the wrong
//! form (not a UUID, not in an enum) is 422; both name the fields. So
//! [`JsonBody`] reads the body itself, walks the value against the same
//! schema the OpenAPI document shows, and only then builds `T`. What the
//! schema cannot say (a price's digits, a name's length) the domain types
//! check when the handler converts `T`, again with field paths.
//!
//! [`ReceivedJson`] reads the same way but hands a body that breaks a
//! schema rule to the handler, with the body as received, instead of
//! answering 422 itself: for handlers whose 422s are answers the core
//! records (an order's, under its idempotency key).

use poem::{Request, RequestBody};
use poem_openapi::impl_apirequest_for_payload;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use serde_json::Value;

use crate::problem::{FieldErrors, Problem};

/// The largest request body accepted: 1 MiB.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`, checked against `T`'s schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let essence = essence.to_ascii_lowercase();
        essence == "application/json"
            || essence.starts_with("application/") && essence.ends_with("+json")
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = read(request, body).await?;
        Ok(Self(decode::<T>(&bytes)?))
    }
}

impl_apirequest_for_payload!(JsonBody<T>, T: ParseFromJSON);

/// A JSON request body that is JSON with values of the right JSON types
/// (else 400, as for [`JsonBody`]), kept as received, and `T` unless it
/// breaks a rule of `T`'s schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReceivedJson<T> {
    /// The body as received.
    pub value: Value,
    /// `T`, or the broken rules by field path (what would be a 422).
    pub decoded: Result<T, FieldErrors>,
}

impl<T: Type> Payload for ReceivedJson<T> {
    const CONTENT_TYPE: &'static str = JsonBody::<T>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        JsonBody::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for ReceivedJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let value = parse(&read(request, body).await?)?;
        let decoded = check::<T>(value.clone())?;
        Ok(Self { value, decoded })
    }
}

impl_apirequest_for_payload!(ReceivedJson<T>, T: ParseFromJSON);

/// The body's bytes: at most [`MAX_BODY_BYTES`] (else 413), within the
/// host's body read timeout (else 408).
async fn read(request: &Request, body: &mut RequestBody) -> poem::Result<bytes::Bytes> {
    let deadline = request
        .data::<std::sync::Arc<crate::state::AppState>>()
        .map_or_else(
            || crate::server::ConnectionLimits::default().body_read_timeout,
            |s| s.body_read_timeout,
        );
    let read = body.take()?.into_bytes_limit(MAX_BODY_BYTES);
    let _awaiting = request
        .extensions()
        .get::<crate::server::BodyWatch>()
        .map(crate::server::BodyWatch::awaiting);
    let bytes = tokio::time::timeout(deadline, read)
        .await
        .map_err(|_elapsed| {
            poem::Error::from(Problem::status(
                poem::http::StatusCode::REQUEST_TIMEOUT,
                format!("The body did not arrive within {} s.", deadline.as_secs()),
            ))
        })?
        .map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => poem::Error::from(Problem::status(
                poem::http::StatusCode::PAYLOAD_TOO_LARGE,
                "The body is over 1 MiB.",
            )),
            other => poem::Error::from(Problem::bad_request(format!(
                "The body could not be read: {other}"
            ))),
        })?;
    Ok(bytes)
}

/// Decode `bytes` as a `T`, with the 400/422 split of the contract.
///
/// # Errors
/// A 400 problem for bad JSON or wrong JSON types, a 422 problem for
/// missing fields and values of the wrong form.
pub(crate) fn decode<T: ParseFromJSON>(bytes: &[u8]) -> Result<T, Problem> {
    check::<T>(parse(bytes)?)?.map_err(Problem::invalid)
}

/// The JSON value of `bytes`.
///
/// # Errors
/// A 400 problem when they are not JSON.
fn parse(bytes: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(bytes)
        .map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}")))
}

/// `value` as a `T`, or the rules of `T`'s schema it breaks (a 422's field
/// errors).
///
/// # Errors
/// A 400 problem for values of the wrong JSON type.
fn check<T: ParseFromJSON>(value: Value) -> Result<Result<T, FieldErrors>, Problem> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let mut check = ShapeCheck {
        registry: &registry,
        wrong_type: FieldErrors::new(),
        invalid: FieldErrors::new(),
    };
    let root = T::schema_ref();
    check.value(&root, &value, "");
    if !check.wrong_type.is_empty() {
        return Err(Problem::malformed(check.wrong_type));
    }
    // Rules the schema states are reported first; the domain's own rules
    // (an e-mail's form, a price's digits) once these pass.
    if !check.invalid.is_empty() {
        return Ok(Err(check.invalid));
    }
    // The shape matched, so this can only fail on a rule the walk does not
    // know; it is still the client's input, so 422.
    Ok(T::parse_from_json(Some(value))
        .map_err(|e| FieldErrors::from([("body".to_owned(), vec![e.into_message()])])))
}

struct ShapeCheck<'a> {
    registry: &'a Registry,
    wrong_type: FieldErrors,
    invalid: FieldErrors,
}

/// Whether the document lets this value be `null`.
fn nullable(schema: &MetaSchemaRef) -> bool {
    matches!(schema, MetaSchemaRef::Inline(s) if s.nullable)
}

fn resolve<'r>(registry: &'r Registry, schema: &'r MetaSchemaRef) -> Option<&'r MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

impl<'a> ShapeCheck<'a> {
    fn value(&mut self, schema: &'a MetaSchemaRef, value: &Value, path: &str) {
        let Some(schema) = resolve(self.registry, schema) else {
            return;
        };
        // A value of one of several shapes (a price: string or number):
        // fine when one branch takes it; else the errors of the branch of
        // its JSON type, or a wrong type.
        if !schema.any_of.is_empty() {
            self.any_of(&schema.any_of, value, path);
            return;
        }
        // Fields of object types are `allOf: [$ref, {description…}]`:
        // check against the parts that say something about the shape.
        if schema.ty.is_empty() || !schema.all_of.is_empty() && schema.properties.is_empty() {
            let registry = self.registry;
            for part in &schema.all_of {
                if resolve(registry, part).is_some_and(|s| !s.ty.is_empty() || !s.all_of.is_empty())
                {
                    self.value(part, value, path);
                }
            }
            return;
        }
        let field = if path.is_empty() { "body" } else { path };
        match (schema.ty, value) {
            (_, Value::Null) => {
                self.wrong(field, &format!("must be {}, not null", article(schema)))
            }
            ("object", Value::Object(map)) => {
                for (name, property) in &schema.properties {
                    let child = join(path, name);
                    let required = schema.required.contains(name);
                    match map.get(*name) {
                        None if required => self.invalid(&child, "is required".to_owned()),
                        None => {}
                        // Null where the document says the field is nullable,
                        // required or not; elsewhere the walk refuses it.
                        Some(Value::Null) if nullable(property) => {}
                        Some(v) => self.value(property, v, &child),
                    }
                }
            }
            ("array", Value::Array(items)) => {
                self.bounds(
                    field,
                    items.len() as f64,
                    schema.min_items,
                    schema.max_items,
                    "items",
                );
                if let Some(item) = &schema.items {
                    for (i, v) in items.iter().enumerate() {
                        self.value(item, v, &format!("{path}[{i}]"));
                    }
                }
            }
            ("string", Value::String(s)) => self.string(schema, s, field),
            ("integer" | "number", Value::Number(n))
                if schema.ty == "number" || n.is_i64() || n.is_u64() =>
            {
                self.range(field, schema, n.as_f64().unwrap_or_default());
            }
            ("boolean", Value::Bool(_)) => {}
            // JSON Schema: a number with a fraction is not an integer, so a
            // wrong type (API.md: `"stock": 1.5` is 400).
            ("integer", Value::Number(_)) => self.wrong(field, "must be a whole number"),
            _ => self.wrong(field, &format!("must be {}", article(schema))),
        }
    }

    fn any_of(&mut self, branches: &[MetaSchemaRef], value: &Value, path: &str) {
        let mut fitting_type = None;
        for branch in branches {
            let mut check = ShapeCheck {
                registry: self.registry,
                wrong_type: FieldErrors::new(),
                invalid: FieldErrors::new(),
            };
            check.value(branch, value, path);
            if check.wrong_type.is_empty() {
                if check.invalid.is_empty() {
                    return;
                }
                fitting_type.get_or_insert(check.invalid);
            }
        }
        match fitting_type {
            Some(invalid) => {
                for (field, messages) in invalid {
                    self.invalid.entry(field).or_default().extend(messages);
                }
            }
            None => {
                let field = if path.is_empty() { "body" } else { path };
                let kinds: Vec<&str> = branches
                    .iter()
                    .filter_map(|b| resolve(self.registry, b))
                    .map(article)
                    .collect();
                self.wrong(field, &format!("must be {}", kinds.join(" or ")));
            }
        }
    }

    fn string(&mut self, schema: &MetaSchema, s: &str, field: &str) {
        let chars = s.chars().count() as f64;
        self.bounds(
            field,
            chars,
            schema.min_length,
            schema.max_length,
            "characters",
        );
        if !schema.enum_items.is_empty() && !schema.enum_items.iter().any(|v| v == s) {
            let allowed: Vec<String> = schema
                .enum_items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            self.invalid(field, format!("must be one of {}", allowed.join(", ")));
        }
        if schema.format == Some("uuid") && uuid::Uuid::parse_str(s).is_err() {
            self.invalid(field, "must be a UUID".to_owned());
        }
        if schema.format == Some("date") && s.parse::<chrono::NaiveDate>().is_err() {
            self.invalid(field, "must be a date such as \"2026-03-01\"".to_owned());
        }
    }

    /// `minLength`/`maxLength` and `minItems`/`maxItems`.
    fn bounds(&mut self, field: &str, n: f64, min: Option<usize>, max: Option<usize>, unit: &str) {
        if let Some(min) = min
            && n < min as f64
        {
            self.invalid(field, format!("must have at least {min} {unit}"));
        }
        if let Some(max) = max
            && n > max as f64
        {
            self.invalid(field, format!("must have at most {max} {unit}"));
        }
    }

    /// `minimum`/`maximum` (inclusive; the API declares no exclusive bounds).
    fn range(&mut self, field: &str, schema: &MetaSchema, n: f64) {
        if let Some(min) = schema.minimum
            && n < min
        {
            self.invalid(field, format!("must be >= {min}"));
        }
        if let Some(max) = schema.maximum
            && n > max
        {
            self.invalid(field, format!("must be <= {max}"));
        }
    }

    fn wrong(&mut self, field: &str, message: &str) {
        self.wrong_type
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }

    fn invalid(&mut self, field: &str, message: String) {
        self.invalid
            .entry(field.to_owned())
            .or_default()
            .push(message);
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn article(schema: &MetaSchema) -> &'static str {
    match (schema.ty, schema.format) {
        ("string", Some("decimal")) => "a decimal string such as \"19.99\"",
        ("string", _) => "a string",
        ("integer", _) => "an integer",
        ("number", _) => "a number",
        ("boolean", _) => "true or false",
        ("array", _) => "an array",
        ("object", _) => "an object",
        _ => "a value of the documented type",
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Object)]
    struct Line {
        id: uuid::Uuid,
        #[oai(validator(minimum(value = "1"), maximum(value = "9")))]
        units: i64,
    }

    #[derive(Debug, Object)]
    struct Input {
        #[oai(validator(min_length = "2"))]
        name: String,
        #[oai(nullable)]
        note: Option<String>,
        flag: Option<bool>,
        lines: Vec<Line>,
    }

    fn problem(body: serde_json::Value) -> (u16, FieldErrors) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let p = decode::<Input>(&bytes).unwrap_err();
        let b = p.body();
        (b.status, b.errors.clone().unwrap_or_default())
    }

    #[test]
    fn a_valid_body_decodes() {
        let id = uuid::Uuid::now_v7();
        let bytes = serde_json::to_vec(
            &json!({"name": "ok", "note": null, "lines": [{"id": id, "units": 3}], "extra": 1}),
        )
        .unwrap();
        let input = decode::<Input>(&bytes).unwrap();
        assert_eq!((input.name.as_str(), input.lines[0].units), ("ok", 3));
        assert_eq!(input.lines[0].id, id);
    }

    #[test]
    fn null_is_only_for_fields_the_document_calls_nullable() {
        let (status, errors) = problem(json!({"name": "ok", "flag": null, "lines": []}));
        assert_eq!(status, 400);
        assert!(errors.contains_key("flag"), "{errors:?}");
    }

    #[test]
    fn wrong_json_types_are_400_with_every_path() {
        let (status, errors) =
            problem(json!({"name": 1, "flag": "yes", "lines": [{"id": 5, "units": "2"}]}));
        assert_eq!(status, 400);
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["flag", "lines[0].id", "lines[0].units", "name"]);
    }

    #[test]
    fn missing_fields_wrong_forms_and_bounds_are_422() {
        let (status, errors) = problem(
            json!({"name": "x", "lines": [{"id": "not-a-uuid", "units": 10}, {"units": 1}]}),
        );
        assert_eq!(status, 422);
        assert_eq!(errors["name"], ["must have at least 2 characters"]);
        assert_eq!(errors["lines[0].id"], ["must be a UUID"]);
        assert_eq!(errors["lines[0].units"], ["must be <= 9"]);
        assert_eq!(errors["lines[1].id"], ["is required"]);
    }

    #[test]
    fn a_fraction_where_an_integer_is_required_is_a_wrong_type() {
        let (status, errors) =
            problem(json!({"name": "ok", "lines": [{"id": uuid::Uuid::now_v7(), "units": 1.5}]}));
        assert_eq!(status, 400);
        assert_eq!(errors["lines[0].units"], ["must be a whole number"]);
    }

    #[test]
    fn unparsable_json_and_a_non_object_are_400() {
        assert_eq!(decode::<Input>(b"{").unwrap_err().body().status, 400);
        let (status, errors) = problem(json!([1]));
        assert_eq!(status, 400);
        assert!(errors.contains_key("body"));
    }
}
