//! Cache on second offer: a key is kept only when it was offered before.
//!
//! A client that asks for a new query every time (distinct filters, page
//! numbers, orderings) would otherwise fill the cache to its bound with
//! values nobody reads again, and push out the ones that are read. The
//! doorkeeper of TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly
//! Efficient Cache Admission Policy", ACM TOS 2017) and the "cache on second
//! hit" rule of content delivery networks (Maggs and Sitaraman,
//! "Algorithmic Nuggets in Content Delivery", SIGCOMM CCR 2015) answer this
//! the same way: remember that a key was offered, keep it the next time.
//!
//! The memory is a fixed table of key fingerprints allocated once, so a
//! flood of new keys costs nothing beyond it: it only overwrites older
//! fingerprints, which makes those keys wait for one more offer.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// Remembers which keys were offered recently, in a fixed table.
pub(super) struct Doorkeeper {
    slots: Box<[AtomicU64]>,
    /// Seeded per process, so that clients cannot aim at one slot.
    hasher: RandomState,
}

impl Doorkeeper {
    /// A doorkeeper remembering up to `slots` keys (at least one).
    pub(super) fn new(slots: usize) -> Self {
        Self {
            slots: (0..slots.max(1)).map(|_| AtomicU64::new(0)).collect(),
            hasher: RandomState::new(),
        }
    }

    /// Whether `key` was offered before (and is still remembered); if not,
    /// it is remembered now.
    pub(super) fn offered_before(&self, key: &str) -> bool {
        // Never 0, which marks an empty slot.
        let fingerprint = self.hasher.hash_one(key) | 1;
        let len = u64::try_from(self.slots.len()).unwrap_or(u64::MAX);
        let index = usize::try_from(fingerprint % len).unwrap_or(0);
        let Some(slot) = self.slots.get(index) else {
            return true;
        };
        slot.swap(fingerprint, Ordering::AcqRel) == fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_admitted_on_its_second_offer() {
        let d = Doorkeeper::new(1024);
        assert!(!d.offered_before("a"));
        assert!(d.offered_before("a"));
        assert!(d.offered_before("a"));
        assert!(!d.offered_before("b"));
    }

    #[test]
    fn a_flood_of_new_keys_admits_none_and_forgets_older_ones() {
        let d = Doorkeeper::new(16);
        assert!(!d.offered_before("honest"));
        let admitted = (0..10_000)
            .filter(|i| d.offered_before(&format!("query {i}")))
            .count();
        assert_eq!(admitted, 0);
        // Overwritten by the flood: the honest key waits for one more offer.
        assert!(!d.offered_before("honest"));
        assert!(d.offered_before("honest"));
    }
}
