//! Keyset pagination: `?after=<id>&limit=<n>`, answered with the items and
//! the cursor of the next page.

use serde::{Deserialize, Serialize};

/// A page of items.
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
