//! Closed vocabularies: enums whose wire and storage words are stated once.

/// Why a word is not one of a vocabulary's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {expected}")]
pub struct UnknownTerm {
    expected: &'static str,
}

impl UnknownTerm {
    /// The error for a vocabulary of `expected` words (space-separated).
    pub(crate) fn new(expected: &'static str) -> Self {
        Self { expected }
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every term, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and storage word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The term for a word.
            ///
            /// # Errors
            /// [`UnknownTerm`](crate::sustainability::footprint::UnknownTerm) listing the words.
            pub fn parse(
                word: &str,
            ) -> Result<Self, $crate::sustainability::vocabulary::UnknownTerm> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::sustainability::vocabulary::UnknownTerm::new(
                        concat!($($word, " "),+),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;
