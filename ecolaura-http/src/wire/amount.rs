//! Money on the wire: out, a decimal string with exactly two fraction
//! digits; in, a price as a decimal string or a JSON number.

use std::borrow::Cow;

use ecolaura_core::domain::{Money, Price};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// An amount of money in a response: `"19.99"`.
///
/// poem-openapi's own `Decimal` prints normalized values (`"1.5"`); the
/// contract wants two fraction digits always. Input prices are
/// [`PriceInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amount(String);

impl Amount {
    /// An amount for documentation examples.
    pub(crate) fn sample(text: &str) -> Self {
        Self(text.to_owned())
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
        schema.description = Some("A decimal amount with two fraction digits, such as \"19.99\".");
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
}

/// A price as input: a decimal string (`"19.99"`, `"5"`, `"0.5"`) or a JSON
/// number, at most 8 digits before the point and 2 after, >= 0. The
/// document states it as `anyOf` a patterned string and a number with
/// `multipleOf: 0.01`; the host checks exactly that, then the domain's
/// [`Price`] rule, with no float in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PriceInput(Value);

/// The pattern of a price written as a string.
pub(crate) const PRICE_PATTERN: &str = r"^[0-9]{1,8}(\.[0-9]{1,2})?$";

/// Whether `s` matches [`PRICE_PATTERN`].
pub(crate) fn is_price_text(s: &str) -> bool {
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits =
        |t: &str, max: usize| (1..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    digits(whole, 8) && fraction.is_none_or(|f| digits(f, 2))
}

impl PriceInput {
    /// An input for documentation examples.
    pub(crate) fn sample(text: &str) -> Self {
        Self(Value::String(text.to_owned()))
    }

    /// The price, or the rule it breaks.
    ///
    /// # Errors
    /// A message naming the rule.
    pub(crate) fn to_price(&self) -> Result<Price, String> {
        match &self.0 {
            Value::String(s) if is_price_text(s) => s.parse().map_err(|e| format!("{e}")),
            Value::String(_) => Err(
                "must be a decimal such as \"19.99\": at most 8 digits before the point and 2 after"
                    .to_owned(),
            ),
            Value::Number(n) => n.to_string().parse().map_err(|e| format!("{e}")),
            _ => Err("must be a decimal string or a number".to_owned()),
        }
    }
}

impl Type for PriceInput {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "price_input".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut text = MetaSchema::new_with_format("string", "decimal");
        text.pattern = Some(PRICE_PATTERN.to_owned());
        let mut number = MetaSchema::new("number");
        number.minimum = Some(0.0);
        number.maximum = Some(99_999_999.99);
        number.multiple_of = Some(0.01);
        let mut schema = MetaSchema::ANY;
        schema.any_of = vec![
            MetaSchemaRef::Inline(Box::new(text)),
            MetaSchemaRef::Inline(Box::new(number)),
        ];
        schema.description = Some(
            "A price >= 0 with at most 8 digits before the point and 2 after: \
             a decimal string such as \"19.99\", or a JSON number.",
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

impl ParseFromJSON for PriceInput {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            v @ (Value::String(_) | Value::Number(_)) => Ok(Self(v)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for PriceInput {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.clone())
    }
}

#[cfg(test)]
mod price_input_tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    proptest! {
        #[test]
        fn the_hand_matcher_is_the_documented_pattern(s in "[0-9. +-]{0,12}") {
            let re = Regex::new(PRICE_PATTERN).unwrap();
            prop_assert_eq!(is_price_text(&s), re.is_match(&s));
            // The query parameter's pattern: the same, or empty.
            let param = Regex::new(<crate::wire::text::PriceParamRule as crate::wire::text::TextRule>::PATTERN).unwrap();
            prop_assert_eq!(s.is_empty() || is_price_text(&s), param.is_match(&s));
        }
    }

    #[test]
    fn strings_follow_the_pattern_and_numbers_the_price_rule() {
        let price = |v: Value| PriceInput(v).to_price().map(|p| p.to_string());
        assert_eq!(price(serde_json::json!("19.99")).unwrap(), "19.99");
        assert_eq!(price(serde_json::json!("5")).unwrap(), "5.00");
        assert_eq!(price(serde_json::json!(19.99)).unwrap(), "19.99");
        assert_eq!(price(serde_json::json!(1e2)).unwrap(), "100.00");
        for bad in ["", " 1", "1.", ".5", "+1", "-1", "1.234", "123456789"] {
            assert!(price(Value::String(bad.into())).is_err(), "{bad:?}");
        }
        assert!(price(serde_json::json!(1.234)).is_err());
        assert!(price(serde_json::json!(-1)).is_err());
    }
}
