//! Keyset pagination: a page that starts from a position in a list's order
//! instead of an offset, so that page 50,000 costs what page 1 costs and a
//! walk never repeats or skips an item when others are written meanwhile.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Which way a page reads from its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// The items after the position, in the list's order.
    #[serde(rename = "a")]
    After,
    /// The items before the position, read nearest first.
    #[serde(rename = "b")]
    Before,
}

/// A `limit` outside `1..=100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and 100")]
pub struct LimitError;

/// How many items a keyset page holds: `1..=100` from [`Limit::new`],
/// never clamped; the library's own walks use [`Limit::BATCH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit(u32);

impl Limit {
    /// The default page size.
    pub const DEFAULT: Limit = Limit(20);
    /// The largest page size.
    pub const MAX: u32 = 100;
    /// The batch of a walk of a whole list inside the library (the
    /// catalog export), which no client asks for: larger than a page, so
    /// that a walk of a million products takes a thousand statements, not
    /// ten thousand (on SQLite, 15.5 s against 23.6 s for the export).
    pub const BATCH: Limit = Limit(1000);

    /// A limit.
    ///
    /// # Errors
    /// [`LimitError`] outside `1..=100`.
    pub fn new(limit: u32) -> Result<Self, LimitError> {
        (1..=Self::MAX)
            .contains(&limit)
            .then_some(Self(limit))
            .ok_or(LimitError)
    }

    /// The number of items.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Where a keyset page starts: from the start of the list, or after or
/// before a position (excluded) that an earlier page handed out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Seek<P> {
    /// `None` for the first page.
    pub from: Option<(Direction, P)>,
    /// How many items the page shows.
    pub limit: Limit,
}

impl<P> Seek<P> {
    /// The first page.
    pub fn first(limit: Limit) -> Self {
        Self { from: None, limit }
    }

    /// How many items a store returns: one more than the page shows, so
    /// that the page knows whether the list goes on.
    pub fn fetch(&self) -> u64 {
        u64::from(self.limit.get()) + 1
    }

    /// The way the store reads: [`Direction::Before`] reads the list
    /// backwards from the position.
    pub fn direction(&self) -> Direction {
        self.from.as_ref().map_or(Direction::After, |(d, _)| *d)
    }

    /// What a store returns for this seek, picked from the whole list
    /// `sorted` in its order (for in-memory stores): the items after the
    /// position in order, or those before it nearest first, at most
    /// [`Seek::fetch`]. `place` says whether an item comes before
    /// (`Less`) or after (`Greater`) a position.
    pub fn pick<T>(&self, sorted: Vec<T>, place: impl Fn(&T, &P) -> Ordering) -> Vec<T> {
        let take = usize::try_from(self.fetch()).unwrap_or(usize::MAX);
        match &self.from {
            None => sorted.into_iter().take(take).collect(),
            Some((Direction::After, at)) => sorted
                .into_iter()
                .filter(|item| place(item, at) == Ordering::Greater)
                .take(take)
                .collect(),
            Some((Direction::Before, at)) => sorted
                .into_iter()
                .rev()
                .filter(|item| place(item, at) == Ordering::Less)
                .take(take)
                .collect(),
        }
    }
}

/// One keyset page: the items in the list's order, and where the next and
/// previous pages start (`None` at either end of the list).
#[derive(Debug, Clone, PartialEq)]
pub struct KeysetPage<T, P> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// The page after this one.
    pub next: Option<(Direction, P)>,
    /// The page before this one.
    pub previous: Option<(Direction, P)>,
    /// How many items the whole list holds, when asked for.
    pub count: Option<u64>,
}

impl<T, P> KeysetPage<T, P> {
    /// The page that `fetched` makes: the items a store returned for
    /// `seek` (at most [`Seek::fetch`], in the order it read them), each
    /// placed by `position`.
    ///
    /// A page read forwards has a next page when the store found one item
    /// more than it shows, and a previous page when it did not start at
    /// the start; a page read backwards, the other way round. An empty page
    /// has neither: nothing places it.
    pub fn assemble(seek: &Seek<P>, mut fetched: Vec<T>, position: impl Fn(&T) -> P) -> Self {
        let shown = seek.limit.get() as usize;
        let more = fetched.len() > shown;
        fetched.truncate(shown);
        let backwards = seek.direction() == Direction::Before;
        if backwards {
            fetched.reverse();
        }
        let (more_before, more_after) = match backwards {
            true => (more, seek.from.is_some()),
            false => (seek.from.is_some(), more),
        };
        let next = fetched
            .last()
            .filter(|_| more_after)
            .map(|last| (Direction::After, position(last)));
        let previous = fetched
            .first()
            .filter(|_| more_before)
            .map(|first| (Direction::Before, position(first)));
        Self {
            items: fetched,
            next,
            previous,
            count: None,
        }
    }

    /// Apply `f` to every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> KeysetPage<U, P> {
        KeysetPage {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            previous: self.previous,
            count: self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seek(from: Option<(Direction, u32)>, limit: u32) -> Seek<u32> {
        Seek {
            from,
            limit: Limit::new(limit).unwrap(),
        }
    }

    #[test]
    fn limits_are_enforced_not_clamped() {
        assert_eq!(Limit::new(0), Err(LimitError));
        assert_eq!(Limit::new(101), Err(LimitError));
        assert_eq!(Limit::new(100).map(Limit::get), Ok(100));
        assert_eq!(Limit::default().get(), 20);
    }

    #[test]
    fn the_first_page_has_a_next_page_only_when_more_was_found() {
        let page = KeysetPage::assemble(&seek(None, 3), vec![1, 2, 3, 4], |i| *i);
        assert_eq!(page.items, vec![1, 2, 3]);
        assert_eq!(page.next, Some((Direction::After, 3)));
        assert_eq!(page.previous, None);
        let last = KeysetPage::assemble(&seek(None, 3), vec![1, 2], |i| *i);
        assert_eq!((last.next, last.previous), (None, None));
    }

    #[test]
    fn a_page_after_a_position_leads_back_before_its_first_item() {
        let from = Some((Direction::After, 3));
        let page = KeysetPage::assemble(&seek(from, 3), vec![4, 5], |i| *i);
        assert_eq!(page.items, vec![4, 5]);
        assert_eq!(page.next, None);
        assert_eq!(page.previous, Some((Direction::Before, 4)));
    }

    #[test]
    fn a_page_read_backwards_is_shown_in_order() {
        let from = Some((Direction::Before, 7));
        let page = KeysetPage::assemble(&seek(from, 3), vec![6, 5, 4, 3], |i| *i);
        assert_eq!(page.items, vec![4, 5, 6]);
        assert_eq!(page.previous, Some((Direction::Before, 4)));
        assert_eq!(page.next, Some((Direction::After, 6)));
        let start =
            KeysetPage::assemble(&seek(Some((Direction::Before, 3)), 3), vec![2, 1], |i| *i);
        assert_eq!(start.items, vec![1, 2]);
        assert_eq!(start.previous, None);
        assert_eq!(start.next, Some((Direction::After, 2)));
    }

    #[test]
    fn an_empty_page_leads_nowhere() {
        let page = KeysetPage::assemble(
            &seek(Some((Direction::After, 9)), 3),
            Vec::new(),
            |i: &u32| *i,
        );
        assert!(page.items.is_empty());
        assert_eq!((page.next, page.previous), (None, None));
    }
}
