//! Money on the wire: a decimal string with exactly two fraction digits.

use std::borrow::Cow;

use ecolaura_core::domain::{Money, Price};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// An amount of money: `"19.99"` out; a string or a JSON number in.
///
/// poem-openapi's own `Decimal` prints normalized values (`"1.5"`); the
/// contract wants two fraction digits always, and the input is kept as
/// text so the domain type ([`Price`]) judges it without a float in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount(String);

impl Amount {
    /// An amount for documentation examples.
    pub(crate) fn sample(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// Parse as a price (at most 10 digits, 2 after the point, >= 0).
    ///
    /// # Errors
    /// The domain error, whose message names the rule.
    pub fn to_price(&self) -> Result<Price, ecolaura_core::domain::MoneyError> {
        self.0.trim().parse()
    }
}

impl From<Money> for Amount {
    fn from(m: Money) -> Self {
        Self(m.to_string())
    }
}

impl From<Price> for Amount {
    fn from(p: Price) -> Self {
        Self(p.money().to_string())
    }
}

impl Type for Amount {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_decimal".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("string", "decimal");
        schema.description = Some(
            "A decimal amount with two fraction digits, such as \"19.99\". \
             Input may also be a JSON number; at most 10 digits, 2 after the point.",
        );
        schema.example = Some(Value::String("19.99".to_owned()));
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Amount {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s)),
            Value::Number(n) => Ok(Self(n.to_string())),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Amount {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_always_has_two_fraction_digits() {
        let p: Price = "1.5".parse().unwrap();
        assert_eq!(
            Amount::from(p).to_json(),
            Some(Value::String("1.50".into()))
        );
    }

    #[test]
    fn input_accepts_strings_and_numbers_without_floats_in_between() {
        let a = Amount::parse_from_json(Some(serde_json::json!(19.99))).unwrap();
        assert_eq!(a.to_price().unwrap().to_string(), "19.99");
        let b = Amount::parse_from_json(Some(serde_json::json!("5"))).unwrap();
        assert_eq!(b.to_price().unwrap().to_string(), "5.00");
        let c = Amount::parse_from_json(Some(serde_json::json!("1.234"))).unwrap();
        assert!(c.to_price().is_err());
    }
}
