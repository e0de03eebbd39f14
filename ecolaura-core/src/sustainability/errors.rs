//! Broken rules by field, as the sustainability rules report them.

use rust_decimal::Decimal;

/// One broken rule: the field (a JSON path such as `verification.date`)
/// and what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: String,
    /// The rule it breaks.
    pub message: String,
}

/// The rule a one-line label of 1..=`max` characters breaks: empty or too
/// long, a control character, or only white space.
pub fn label_error(text: &str, max: usize) -> Option<String> {
    let chars = text.chars().count();
    if chars == 0 || chars > max {
        Some(format!("must be 1..={max} characters"))
    } else if text.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else if text.trim().is_empty() {
        Some("must not be blank".to_owned())
    } else {
        None
    }
}

/// Collects broken rules, by field, in the order they are found.
#[derive(Default)]
pub(crate) struct Errors(Vec<FieldError>);

impl Errors {
    /// Record that `field` breaks a rule.
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// A decimal with at most `max` fraction digits.
    pub(crate) fn fraction_digits(&mut self, field: &str, value: Decimal, max: u32) {
        if value.normalize().scale() > max {
            self.add(field, format!("must have at most {max} fraction digits"));
        }
    }

    /// A one-line text of 1..=`max` characters, not blank.
    pub(crate) fn text(&mut self, field: &str, text: &str, max: usize) {
        if let Some(rule) = label_error(text, max) {
            self.add(field, rule);
        }
    }

    /// Whether none was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What was found.
    pub(crate) fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}
