//! A field that must be present and may be `null`: `Nullable<T>`.
//!
//! poem-openapi makes every `Option<T>` field optional. A PUT names every
//! field it replaces, `category` included, whose value may be `null`: the
//! document must list it as required and nullable, and a body that leaves
//! it out is a 422 naming it, not a silent "no category".

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// A required field whose value may be `null` (mark the field
/// `#[oai(nullable)]` so the document says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Nullable<T>(pub Option<T>);

impl<T: Type> Type for Nullable<T> {
    const IS_REQUIRED: bool = true;

    type RawValueType = T::RawValueType;

    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("nullable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_ref().and_then(Type::as_raw_value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        match &self.0 {
            Some(value) => value.raw_element_iter(),
            None => Box::new(std::iter::empty()),
        }
    }

    fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Nullable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None => Err(ParseError::expected_input()),
            Some(Value::Null) => Ok(Self(None)),
            Some(value) => T::parse_from_json(Some(value))
                .map(|v| Self(Some(v)))
                .map_err(ParseError::propagate),
        }
    }
}

impl<T: ToJSON> ToJSON for Nullable<T> {
    fn to_json(&self) -> Option<Value> {
        Some(
            self.0
                .as_ref()
                .and_then(ToJSON::to_json)
                .unwrap_or(Value::Null),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_an_error_null_is_none_a_value_is_some() {
        assert!(Nullable::<String>::parse_from_json(None).is_err());
        assert_eq!(
            Nullable::<String>::parse_from_json(Some(Value::Null)).unwrap(),
            Nullable(None)
        );
        assert_eq!(
            Nullable::<String>::parse_from_json(Some("x".into())).unwrap(),
            Nullable(Some("x".to_owned()))
        );
        const { assert!(Nullable::<String>::IS_REQUIRED) };
    }
}
