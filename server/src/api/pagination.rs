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

/// A cursor for lists keyed by text (volunteer ids): the last key of a
/// page, base64url-encoded so clients pass it back as it is and do not
/// read meaning into it.
pub fn encode_cursor(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// The key a cursor of [`encode_cursor`] holds; anything else is a bad
/// `cursor` field.
pub fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    use base64::Engine;
    let bad = || ApiError::bad_field("cursor", "not a cursor this server gave out");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    let key = String::from_utf8(bytes).map_err(|_| bad())?;
    if key.is_empty() {
        return Err(bad());
    }
    Ok(key)
}

/// The limit of a page (1–500, default 100), else a bad `limit` field.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    PageQuery { after: None, limit }.limit()
}
