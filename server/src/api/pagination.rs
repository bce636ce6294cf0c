//! Keyset pagination, one rule for every list (see [`lawcircle_api::page`]):
//! with `limit` or the list's cursor (`after` for lists keyed by a number,
//! `cursor` for the others) one page `{items, next_after|next_cursor}`;
//! without them the first page at the maximum as a plain array (what
//! clients from before pages read). No list answers more than
//! [`MAX_LIMIT`] items.

use crate::error::ApiError;
pub use lawcircle_api::{CursorPage, Page};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page of every list, and the size of the one page a request
/// without paging parameters gets.
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

/// The page of a list keyed by text or by several columns a client asks
/// for.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
    /// At most this many items (1–500, default 100): the answer is a page.
    pub limit: Option<i64>,
}

/// A checked request for part of a list: where to start, how many to
/// answer, and in which form.
#[derive(Debug, Clone, PartialEq)]
pub struct Want<K> {
    /// The key of the last item of the previous page (`None`: from the
    /// start).
    pub after: Option<K>,
    /// How many items to answer.
    pub limit: i64,
    /// A page object (`true`) or, without paging parameters, the legacy
    /// plain array of the first [`MAX_LIMIT`] items.
    pub paged: bool,
}

impl<K> Want<K> {
    /// How many rows to read: one more than the page, to know whether
    /// another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The first `limit` of `rows` (read with [`Want::fetch`]).
    pub fn cut<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        rows.truncate(usize::try_from(self.limit).unwrap_or(0));
        rows
    }
}

fn checked_limit(limit: Option<i64>, paged: bool) -> Result<i64, ApiError> {
    match limit {
        None if paged => Ok(DEFAULT_LIMIT),
        None => Ok(MAX_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_field(
            "limit",
            format!("{n} is not between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A request of a list keyed by a number: `after` (zero or more) and
/// `limit`.
pub fn want_after(after: Option<i64>, limit: Option<i64>) -> Result<Want<i64>, ApiError> {
    let paged = after.is_some() || limit.is_some();
    if let Some(n) = after.filter(|n| *n < 0) {
        return Err(ApiError::bad_field(
            "after",
            format!("{n} is not a position (zero or more)"),
        ));
    }
    Ok(Want {
        after,
        limit: checked_limit(limit, paged)?,
        paged,
    })
}

/// A request of a list keyed by a value of type `K` (a text, a tuple of
/// columns) behind an opaque `cursor`; a cursor this list did not give out
/// is a bad `cursor` field.
pub fn want_cursor<K: DeserializeOwned + serde::Serialize>(
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Want<K>, ApiError> {
    want_cursor_with(cursor, limit, decode_key)
}

/// [`want_cursor`] with the list's own reading of its cursors.
pub fn want_cursor_with<K>(
    cursor: Option<&str>,
    limit: Option<i64>,
    decode: impl Fn(&str) -> Result<K, ApiError>,
) -> Result<Want<K>, ApiError> {
    let paged = cursor.is_some() || limit.is_some();
    Ok(Want {
        after: cursor.map(decode).transpose()?,
        limit: checked_limit(limit, paged)?,
        paged,
    })
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
    let bad = || bad_cursor();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    let key = String::from_utf8(bytes).map_err(|_| bad())?;
    // No key of ours is empty or holds NUL (which PostgreSQL refuses in
    // text).
    if key.is_empty() || key.contains('\0') {
        return Err(bad());
    }
    Ok(key)
}

fn bad_cursor() -> ApiError {
    ApiError::bad_field("cursor", "not a cursor this server gave out")
}

/// The cursor of a key of several columns (JSON inside [`encode_cursor`]).
pub fn encode_key<K: serde::Serialize>(key: &K) -> String {
    encode_cursor(&serde_json::to_string(key).unwrap_or_default())
}

/// The key a cursor of [`encode_key`] holds, else a bad `cursor` field.
pub fn decode_key<K: DeserializeOwned + serde::Serialize>(cursor: &str) -> Result<K, ApiError> {
    let key: K = serde_json::from_str(&decode_cursor(cursor)?).map_err(|_| bad_cursor())?;
    // A NUL written as `\u0000` inside the JSON: no key of ours holds one.
    let clean = serde_json::to_string(&key).is_ok_and(|k| !k.contains("\\u0000"));
    if !clean {
        return Err(bad_cursor());
    }
    Ok(key)
}

/// The limit of a page (1–500, default 100), else a bad `limit` field.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    PageQuery { after: None, limit }.limit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_paging_parameters_the_first_page_is_the_largest() {
        let w = want_after(None, None).unwrap();
        assert_eq!((w.after, w.limit, w.paged), (None, MAX_LIMIT, false));
        let w = want_after(Some(3), None).unwrap();
        assert_eq!((w.after, w.limit, w.paged), (Some(3), DEFAULT_LIMIT, true));
    }

    #[test]
    fn bad_limits_after_and_cursors_name_their_field() {
        for (after, limit, field) in [
            (None, Some(0), "limit"),
            (None, Some(MAX_LIMIT + 1), "limit"),
            (Some(-1), None, "after"),
        ] {
            match want_after(after, limit) {
                Err(ApiError::BadRequest { field: Some(f), .. }) => assert_eq!(f, field),
                other => panic!("{after:?} {limit:?}: {other:?}"),
            }
        }
        // "AA": a NUL byte; "WyJcdTAwMDAiLDFd": `["\u0000",1]`.
        for c in ["", "!!", "bm90IGpzb24", "AA", "WyJcdTAwMDAiLDFd"] {
            match want_cursor::<(String, i64)>(Some(c), None) {
                Err(ApiError::BadRequest { field: Some(f), .. }) => assert_eq!(f, "cursor"),
                other => panic!("{c:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_key_cursor_round_trips() {
        let key = ("V1".to_string(), 7_i64);
        let w = want_cursor::<(String, i64)>(Some(&encode_key(&key)), Some(2)).unwrap();
        assert_eq!(w.after, Some(key));
        assert_eq!(w.cut(vec![1, 2, 3]), vec![1, 2]);
    }
}
