//! Keyset pagination. Every list of the API follows one rule:
//!
//! * with `limit` or the list's cursor parameter (`after` for lists keyed
//!   by a number, `cursor` for the others) the answer is one page,
//!   `{items, next_after}` or `{items, next_cursor}`, of at most `limit`
//!   items (1–500, default 100) in key order; the next page is asked for
//!   with the `next_…` value, absent on the last page;
//! * without them (clients from before pages) the answer is the first page
//!   at the maximum (500 items) as a plain array.
//!
//! So no list answers more than 500 items, and every page is read through
//! an index from where the previous one ended (never `OFFSET`).

use serde::{Deserialize, Serialize};

/// A page of items of a list keyed by a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// A page from one item more than the limit was asked for.
    pub fn from_overfetch(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Self {
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(0));
        let next_after = if more { items.last().map(id) } else { None };
        Page { items, next_after }
    }
}

/// A page of items of a list keyed by text or by several columns: the
/// cursor is opaque (pass it back as it is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> CursorPage<T> {
    /// A page from one item more than the limit was asked for; `cursor`
    /// makes the cursor of the page's last item.
    pub fn from_overfetch(mut items: Vec<T>, limit: i64, cursor: impl Fn(&T) -> String) -> Self {
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more { items.last().map(cursor) } else { None };
        CursorPage { items, next_cursor }
    }
}
