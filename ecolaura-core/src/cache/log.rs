//! The recent history of catalog changes, against which cached values are
//! checked.
//!
//! Every applied batch of changes gets the next sequence number. A cached
//! value remembers the number up to which it is known to be true; it is
//! still true if no change after that number affects it. The history is
//! bounded by bytes: a value last checked before the oldest change kept can
//! no longer be vouched for and counts as untrue (it is loaded afresh).

use std::collections::VecDeque;

use crate::catalog::{CatalogChange, ReadScope};

struct Batch {
    seq: u64,
    changes: Box<[CatalogChange]>,
    bytes: usize,
}

/// A bounded log of change batches, numbered from 1.
pub(super) struct ChangeLog {
    batches: VecDeque<Batch>,
    /// The number of the newest batch (0: none yet).
    last: u64,
    /// Batches up to and including this number are forgotten.
    floor: u64,
    bytes: usize,
    budget: usize,
}

impl ChangeLog {
    /// An empty log that keeps at most `budget` bytes of changes.
    pub(super) fn new(budget: usize) -> Self {
        Self {
            batches: VecDeque::new(),
            last: 0,
            floor: 0,
            bytes: 0,
            budget,
        }
    }

    /// Record a batch; returns its number. `Everything` forgets the whole
    /// history: nothing known true before it can be vouched for.
    pub(super) fn push(&mut self, changes: &[CatalogChange]) -> u64 {
        self.last += 1;
        if changes.contains(&CatalogChange::Everything) {
            self.forget_all();
            return self.last;
        }
        let bytes = std::mem::size_of::<Batch>()
            + changes
                .iter()
                .map(CatalogChange::approx_bytes)
                .sum::<usize>();
        self.batches.push_back(Batch {
            seq: self.last,
            changes: changes.into(),
            bytes,
        });
        self.bytes += bytes;
        while self.bytes > self.budget {
            match self.batches.pop_front() {
                Some(oldest) => {
                    self.bytes -= oldest.bytes;
                    self.floor = oldest.seq;
                }
                None => break,
            }
        }
        self.last
    }

    fn forget_all(&mut self) {
        self.batches.clear();
        self.bytes = 0;
        self.floor = self.last;
    }

    /// For a value of `scope` known true as of batch `since`: `Some(n)`, the
    /// newest batch it is known true as of now, or `None` when a change
    /// since affects it or the log no longer reaches back to `since`.
    pub(super) fn still_true(&self, since: u64, scope: &ReadScope) -> Option<u64> {
        if since >= self.last {
            return Some(self.last);
        }
        if since < self.floor {
            return None;
        }
        let first_new = self.batches.partition_point(|b| b.seq <= since);
        let affected = self
            .batches
            .range(first_new..)
            .any(|b| b.changes.iter().any(|c| c.affects(scope)));
        (!affected).then_some(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProductId, Stock};

    fn taken(id: ProductId) -> CatalogChange {
        CatalogChange::stock_taken(id, Stock::new(1).unwrap())
    }

    #[test]
    fn a_value_is_true_until_a_change_that_affects_it() {
        let (mine, other) = (ProductId::new(), ProductId::new());
        let scope = ReadScope::Product(mine);
        let mut log = ChangeLog::new(1 << 20);
        assert_eq!(log.still_true(0, &scope), Some(0));
        let first = log.push(&[taken(other)]);
        assert_eq!(log.still_true(0, &scope), Some(first));
        let second = log.push(&[taken(mine)]);
        assert_eq!(log.still_true(0, &scope), None);
        assert_eq!(log.still_true(first, &scope), None);
        assert_eq!(log.still_true(second, &scope), Some(second));
    }

    #[test]
    fn history_past_the_budget_is_forgotten_and_cannot_vouch() {
        let scope = ReadScope::Product(ProductId::new());
        let mut log = ChangeLog::new(4 * (std::mem::size_of::<Batch>() + 64));
        for _ in 0..100 {
            log.push(&[taken(ProductId::new())]);
        }
        assert!(log.batches.len() < 100 && !log.batches.is_empty());
        assert!(log.bytes <= log.budget);
        assert_eq!(log.still_true(0, &scope), None, "too old to vouch for");
        assert_eq!(log.still_true(log.last - 1, &scope), Some(log.last));
    }

    #[test]
    fn everything_forgets_the_history() {
        let scope = ReadScope::Categories;
        let mut log = ChangeLog::new(1 << 20);
        let before = log.push(&[taken(ProductId::new())]);
        let all = log.push(&[CatalogChange::Everything]);
        assert_eq!(log.still_true(before, &scope), None);
        assert_eq!(log.still_true(all, &scope), Some(all));
    }
}
