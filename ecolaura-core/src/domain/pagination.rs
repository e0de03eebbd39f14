//! Pagination: a validated page request and a page of results.

use serde::{Deserialize, Serialize};

/// Why a page request is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageRequestError {
    /// `page` below 1.
    #[error("page must be >= 1")]
    Page,
    /// `page_size` outside `1..=100`.
    #[error("page_size must be between 1 and 100")]
    PageSize,
}

/// Which page to return: `page >= 1`, `page_size` in `1..=100`. Never clamped.
///
/// ```
/// use ecolaura_core::domain::PageRequest;
/// let p = PageRequest::new(3, 20).unwrap();
/// assert_eq!(p.offset(), 40);
/// assert!(PageRequest::new(1, 101).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    page: u32,
    page_size: u32,
}

impl PageRequest {
    /// The default page size.
    pub const DEFAULT_PAGE_SIZE: u32 = 20;
    /// The largest page size.
    pub const MAX_PAGE_SIZE: u32 = 100;

    /// A page request.
    pub fn new(page: u32, page_size: u32) -> Result<Self, PageRequestError> {
        if page < 1 {
            return Err(PageRequestError::Page);
        }
        if !(1..=Self::MAX_PAGE_SIZE).contains(&page_size) {
            return Err(PageRequestError::PageSize);
        }
        Ok(Self { page, page_size })
    }

    /// The 1-based page number.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// Items per page.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// Items to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }

    /// Items to take.
    pub fn limit(&self) -> u64 {
        u64::from(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: Self::DEFAULT_PAGE_SIZE,
        }
    }
}

/// One page of results and the total count across all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items matching the query, across all pages.
    pub count: u64,
    /// The items of this page, in order.
    pub items: Vec<T>,
    /// The request this page answers.
    #[serde(skip, default)]
    pub request: PageRequest,
}

impl<T> Page<T> {
    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.request.offset() + (self.items.len() as u64) < self.count && !self.items.is_empty()
    }

    /// Whether a page precedes this one.
    pub fn has_previous(&self) -> bool {
        self.request.page() > 1
    }

    /// Roughly how many bytes this page takes in memory, given each item's.
    pub fn approx_bytes(&self, item: impl Fn(&T) -> usize) -> usize {
        std::mem::size_of::<Self>()
            + (self.items.capacity() - self.items.len()) * std::mem::size_of::<T>()
            + self.items.iter().map(item).sum::<usize>()
    }

    /// Apply `f` to every item.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            items: self.items.into_iter().map(f).collect(),
            request: self.request,
        }
    }

    /// Cut one page out of a full, ordered list (for in-memory stores).
    pub fn slice(all: Vec<T>, request: PageRequest) -> Page<T> {
        let count = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.page_size() as usize)
            .collect();
        Page {
            count,
            items,
            request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_the_last_is_empty_with_no_next() {
        let p = Page::slice(
            (0..45).collect::<Vec<_>>(),
            PageRequest::new(4, 20).unwrap(),
        );
        assert_eq!(p.count, 45);
        assert!(p.items.is_empty());
        assert!(!p.has_next());
        assert!(p.has_previous());
        let p3 = Page::slice(
            (0..45).collect::<Vec<_>>(),
            PageRequest::new(3, 20).unwrap(),
        );
        assert_eq!(p3.items, (40..45).collect::<Vec<_>>());
        assert!(!p3.has_next());
        let p2 = Page::slice(
            (0..45).collect::<Vec<_>>(),
            PageRequest::new(2, 20).unwrap(),
        );
        assert!(p2.has_next());
    }

    #[test]
    fn bounds_are_enforced_not_clamped() {
        assert_eq!(PageRequest::new(0, 20), Err(PageRequestError::Page));
        assert_eq!(PageRequest::new(1, 0), Err(PageRequestError::PageSize));
        assert!(PageRequest::new(1, 100).is_ok());
    }
}
