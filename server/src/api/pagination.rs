//! Keyset pagination: `?after=<id>&limit=<n>`, answered with the items and
//! the cursor of the next page.

use crate::error::ApiError;
pub use lawcircle_api::Page;
use serde::Deserialize;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 500;

/// The page a client asks for.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Return items after this id (the previous page's `next_after`).
    pub after: Option<i64>,
    /// At most this many items (1–500, default 100).
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn after(&self) -> i64 {
        self.after.unwrap_or(0)
    }

    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(n) => Err(ApiError::bad_field(
                "limit",
                format!("{n} is not between 1 and {MAX_LIMIT}"),
            )),
        }
    }
}
