//! The name of the method a score was computed with.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::ScoreSource;

/// The method behind a score: a policy's name and version
/// (`ecolaura-default@1`), or `manual` for a score staff gave a product
/// without metrics. Stored with every score and kept on order lines, so a
/// score is always read with the rules that made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScoreMethod(String);

/// A text that is not a score method's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a score method is `manual` or `name@version`: a name of 1..=64 lowercase letters, digits and hyphens, a version from 1"
)]
pub struct ScoreMethodError;

impl ScoreMethod {
    /// The most characters of a policy's name.
    pub const MAX_NAME_CHARS: usize = 64;

    /// Version `version` of the policy `name`.
    ///
    /// # Errors
    /// [`ScoreMethodError`] for a name that is not 1..=64 of `[a-z0-9-]`,
    /// `manual`, or a version 0.
    pub fn policy(name: &str, version: u32) -> Result<Self, ScoreMethodError> {
        let name_ok = (1..=Self::MAX_NAME_CHARS).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && name != "manual";
        if !name_ok || version == 0 {
            return Err(ScoreMethodError);
        }
        Ok(Self(format!("{name}@{version}")))
    }

    /// `custom@1`: the method of a policy that does not name itself.
    pub fn custom() -> Self {
        Self("custom@1".to_owned())
    }

    /// The method of a score staff gave.
    pub fn manual() -> Self {
        Self("manual".to_owned())
    }

    /// The method of a score stored before methods were kept with scores:
    /// the one policy that existed then, `ecolaura-default@1`, for a score
    /// from metrics; `manual` otherwise.
    pub fn before_methods_were_kept(source: ScoreSource) -> Self {
        match source {
            ScoreSource::Metrics => Self("ecolaura-default@1".to_owned()),
            ScoreSource::Manual => Self::manual(),
        }
    }

    /// Read a method's name back (`manual` or `name@version`).
    ///
    /// # Errors
    /// [`ScoreMethodError`] for any other text.
    pub fn parse(text: &str) -> Result<Self, ScoreMethodError> {
        if text == "manual" {
            return Ok(Self::manual());
        }
        let (name, version) = text.rsplit_once('@').ok_or(ScoreMethodError)?;
        if version.starts_with('0') || version.starts_with('+') {
            return Err(ScoreMethodError);
        }
        let version = version.parse().map_err(|_| ScoreMethodError)?;
        Self::policy(name, version)
    }

    /// The name as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ScoreMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ScoreMethod {
    type Error = ScoreMethodError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ScoreMethod> for String {
    fn from(method: ScoreMethod) -> Self {
        method.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_read_back_and_bad_ones_are_refused() {
        let m = ScoreMethod::policy("ecolaura-default", 3).expect("method");
        assert_eq!(m.as_str(), "ecolaura-default@3");
        assert_eq!(ScoreMethod::parse("ecolaura-default@3"), Ok(m));
        assert_eq!(ScoreMethod::parse("manual"), Ok(ScoreMethod::manual()));
        assert_eq!(ScoreMethod::parse("custom@1"), Ok(ScoreMethod::custom()));
        assert_eq!(
            ScoreMethod::before_methods_were_kept(ScoreSource::Metrics),
            ScoreMethod::parse("ecolaura-default@1").expect("method")
        );
        for bad in [
            "",
            "@1",
            "x@0",
            "x@01",
            "x@+1",
            "X@1",
            "a b@1",
            "x",
            "manual@1",
            "x@4294967296",
        ] {
            assert_eq!(ScoreMethod::parse(bad), Err(ScoreMethodError), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_policy_method_parses_back_to_itself(name in "[a-z0-9-]{1,64}", version in 1u32..) {
            prop_assume!(name != "manual");
            let m = ScoreMethod::policy(&name, version).expect("method");
            prop_assert_eq!(ScoreMethod::parse(m.as_str()), Ok(m));
        }
    }
}
