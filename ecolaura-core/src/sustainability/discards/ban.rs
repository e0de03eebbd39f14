//! The ban on destroying unsold apparel and footwear: Regulation (EU)
//! 2024/1781 (ESPR) art. 25(1) and Annex VII, applying to large enterprises
//! from 19 July 2026, with the derogations of art. 25(5) as Delegated
//! Regulation (EU) 2026/296 lays them down.

use super::{Derogation, DiscardDestination};

/// The name a refusal carries.
pub const DESTRUCTION_BAN_RULE: &str = "espr-art-25-destruction-ban";

/// Why a discard was refused: it destroys products of a category under the
/// ban and names no derogation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Destroying unsold products of this category is banned (Regulation (EU) 2024/1781, \
     art. 25): send them to reuse, donation or remanufacture, or name a derogation of \
     Delegated Regulation (EU) 2026/296 as `derogation`; `{destination}` is destruction."
)]
pub struct DestructionBanned {
    /// The destination that destroys them.
    pub destination: DiscardDestination,
}

impl DestructionBanned {
    /// The rule's name ([`DESTRUCTION_BAN_RULE`]).
    pub fn rule(&self) -> &'static str {
        DESTRUCTION_BAN_RULE
    }
}

/// Whether units of a category (`category_banned`: its
/// `destruction_banned` flag) may go to `destination` with `derogation`.
///
/// Destruction ([`DiscardDestination::is_destruction`]) of a banned
/// category needs a derogation; anything else is allowed, and a derogation
/// named where none is needed is kept as given.
///
/// # Errors
/// [`DestructionBanned`] when the ban forbids it.
pub fn destruction_ban(
    category_banned: bool,
    destination: DiscardDestination,
    derogation: Option<Derogation>,
) -> Result<(), DestructionBanned> {
    if category_banned && destination.is_destruction() && derogation.is_none() {
        Err(DestructionBanned { destination })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_derogation() -> impl Iterator<Item = Option<Derogation>> {
        std::iter::once(None).chain(Derogation::ALL.iter().copied().map(Some))
    }

    #[test]
    fn a_category_without_the_ban_may_send_units_anywhere() {
        for &destination in DiscardDestination::ALL {
            for derogation in every_derogation() {
                assert_eq!(destruction_ban(false, destination, derogation), Ok(()));
            }
        }
    }

    #[test]
    fn a_banned_category_may_prepare_for_reuse_without_a_derogation() {
        for destination in [
            DiscardDestination::Reuse,
            DiscardDestination::Donation,
            DiscardDestination::Remanufacture,
        ] {
            for derogation in every_derogation() {
                assert_eq!(destruction_ban(true, destination, derogation), Ok(()));
            }
        }
    }

    #[test]
    fn a_banned_category_destroys_only_under_a_derogation() {
        for &destination in DiscardDestination::ALL
            .iter()
            .filter(|d| d.is_destruction())
        {
            let refused = destruction_ban(true, destination, None).unwrap_err();
            assert_eq!(refused.rule(), "espr-art-25-destruction-ban");
            assert!(refused.to_string().contains(destination.as_str()));
            for &derogation in Derogation::ALL {
                assert_eq!(destruction_ban(true, destination, Some(derogation)), Ok(()));
            }
        }
    }

    #[test]
    fn the_regulation_lists_ten_derogations() {
        assert_eq!(Derogation::ALL.len(), 10);
    }
}
