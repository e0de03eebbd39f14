//! E-mail addresses, compared case-insensitively.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an e-mail address such as name@example.com")]
pub struct EmailError;

/// An e-mail address, trimmed and lower-cased so that two spellings of one
/// address are one account.
///
/// The check is deliberately modest (one `@`, a non-empty local part, a domain
/// with a dot, no spaces, at most 254 characters): the only real proof of an
/// address is a mail that arrives.
///
/// ```
/// use ecolaura_core::domain::Email;
/// let e: Email = " Ada@Example.COM ".parse().unwrap();
/// assert_eq!(e.as_str(), "ada@example.com");
/// assert!("not-an-email".parse::<Email>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The most characters an address may have (RFC 5321's 254).
    pub const MAX_CHARS: usize = 254;

    /// Parse an address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        // Judged as sent (white space around trimmed), lower-cased after.
        let s = raw.trim();
        if raw.chars().count() > Self::MAX_CHARS
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(EmailError);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.chars().count() > 64 || !domain_ok {
            return Err(EmailError);
        }
        Ok(Self(s.to_lowercase()))
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, EmailError> {
        Email::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, EmailError> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "", "@", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "a@@b.c", "a@.b.c", "a@b.c.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent_and_case_insensitive(local in "[a-zA-Z0-9._+-]{1,20}", domain in "[a-zA-Z0-9-]{1,20}\\.[a-zA-Z]{2,6}") {
            let raw = format!("{local}@{domain}");
            let e = Email::parse(&raw).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
            prop_assert_eq!(Email::parse(&raw.to_uppercase()).unwrap(), e);
        }
    }
}
