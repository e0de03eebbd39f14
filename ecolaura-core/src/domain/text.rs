//! Bounded texts: product names, descriptions, person names, search terms.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty, or only white space.
    #[error("must not be blank")]
    Blank,
    /// Longer than allowed.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// Contains control characters other than line breaks and tabs.
    #[error("must not contain control characters")]
    ControlCharacter,
}

fn check(
    raw: &str,
    max: usize,
    allow_blank: bool,
    allow_newlines: bool,
) -> Result<String, TextError> {
    // Length and characters are judged on the text as sent, so that the
    // rule reads the same as the documented pattern; only the stored value
    // is trimmed.
    let bad_control =
        |c: char| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t'));
    if raw.chars().any(bad_control) {
        return Err(TextError::ControlCharacter);
    }
    if raw.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    let s = raw.trim();
    if s.is_empty() && !allow_blank {
        return Err(TextError::Blank);
    }
    Ok(s.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, blank = $blank:expr, newlines = $nl:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The most characters allowed.
            pub const MAX_CHARS: usize = $max;

            /// Parse the text (surrounding white space is trimmed).
            pub fn parse(raw: &str) -> Result<Self, TextError> {
                check(raw, $max, $blank, $nl).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(s: String) -> Result<Self, TextError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A product name: 1 to 200 characters after trimming.
    ///
    /// ```
    /// use ecolaura_core::domain::ProductName;
    /// assert_eq!(ProductName::parse("  Eco Bottle ").unwrap().as_str(), "Eco Bottle");
    /// assert!(ProductName::parse("   ").is_err());
    /// ```
    ProductName, max = 200, blank = false, newlines = false
);
text_type!(
    /// A product or category description: up to 5000 characters, may be empty.
    #[derive(Default)]
    Description, max = 5000, blank = true, newlines = true
);
text_type!(
    /// A statement a shop discloses (such as the measures it takes to
    /// prevent destroying unsold goods): up to 20000 characters, may be empty.
    #[derive(Default)]
    Disclosure, max = 20000, blank = true, newlines = true
);
text_type!(
    /// A category's display name: 1 to 100 characters.
    CategoryName, max = 100, blank = false, newlines = false
);
impl CategoryName {
    /// A name for the category with this slug (which is always a valid
    /// name: 1 to 64 characters of `a-z0-9-`).
    pub fn of_slug(slug: &super::Slug) -> Self {
        Self(slug.as_str().to_owned())
    }
}

text_type!(
    /// A shipping method's display name: 1 to 100 characters.
    ShippingName, max = 100, blank = false, newlines = false
);
text_type!(
    /// A person's display name: 1 to 100 characters.
    PersonName, max = 100, blank = false, newlines = false
);
text_type!(
    /// A catalog search term: 1 to 100 characters, matched case-insensitively.
    SearchText, max = 100, blank = false, newlines = false
);

impl SearchText {
    /// The lower-cased term, for case-insensitive matching.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(ProductName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            ProductName::parse(&"é".repeat(201)),
            Err(TextError::TooLong { max: 200 })
        );
        assert!(Description::parse("").is_ok());
        assert!(Description::parse("line\nbreak").is_ok());
        assert_eq!(ProductName::parse("a\nb"), Err(TextError::ControlCharacter));
    }

    proptest! {
        #[test]
        fn a_parsed_name_parses_to_itself(s in "\\PC{1,200}") {
            if let Ok(name) = ProductName::parse(&s) {
                prop_assert_eq!(ProductName::parse(name.as_str()).unwrap(), name.clone());
                prop_assert!(!name.as_str().trim().is_empty());
            }
        }
    }
}
