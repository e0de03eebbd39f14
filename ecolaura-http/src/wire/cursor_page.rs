//! Keyset pages of API v2: `{results, next_cursor, previous_cursor}`, and
//! `count` when asked for.

use ecolaura_core::domain::{CursorKey, Direction, KeysetPage};
use poem_openapi::Object;
use serde::Serialize;

use super::{OrderDto, ProductDto};

/// Seals a page's positions into the cursors of one list.
pub(crate) struct Cursors<'a> {
    /// The host's cursor key.
    pub key: &'a CursorKey,
    /// The list the cursors are bound to.
    pub scope: &'a str,
}

impl Cursors<'_> {
    fn seal<P: Serialize>(&self, at: Option<(Direction, P)>) -> Option<String> {
        at.map(|(direction, position)| self.key.seal(self.scope, direction, &position))
    }
}

macro_rules! cursor_page_type {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, " read from a cursor.")]
        #[derive(Debug, Clone, PartialEq, Object)]
        #[oai(example)]
        pub(crate) struct $name {
            #[doc = concat!("The ", $what, " on this page, in the list's order.")]
            pub results: Vec<$item>,
            /// Pass as `cursor` (with the same filters and ordering) for the
            /// page after this one; null on the last page.
            #[oai(nullable)]
            pub next_cursor: Option<String>,
            /// Pass as `cursor` (with the same filters and ordering) for the
            /// page before this one; null on the first page.
            #[oai(nullable)]
            pub previous_cursor: Option<String>,
            /// How many match over all pages; only with `with_count=true`.
            #[oai(skip_serializing_if_is_none)]
            pub count: Option<u64>,
        }

        impl $name {
            pub(crate) fn sample() -> Self {
                Self {
                    results: vec![<$item>::sample()],
                    next_cursor: Some("eyJkIjoiYSIsInAiOnsiayI6eyJjIjoiMjAyNi0wMS0wMVQwMDowMDowMFoifSwiaSI6IjAxOTQ".to_owned()),
                    previous_cursor: None,
                    count: Some(41),
                }
            }

            /// The page, its items rendered by `render` and its positions
            /// sealed by `cursors`.
            pub(crate) fn new<T, P: Serialize>(
                page: KeysetPage<T, P>,
                cursors: &Cursors<'_>,
                render: impl FnMut(T) -> $item,
            ) -> Self {
                Self {
                    next_cursor: cursors.seal(page.next),
                    previous_cursor: cursors.seal(page.previous),
                    count: page.count,
                    results: page.items.into_iter().map(render).collect(),
                }
            }
        }
    };
}

cursor_page_type!(ProductCursorPage, ProductDto, "products");
cursor_page_type!(OrderCursorPage, OrderDto, "orders");
