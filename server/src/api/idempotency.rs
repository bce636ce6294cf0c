//! Writes made idempotent by the `Idempotency-Key` header: a replay (same
//! key, same content, same caller) gets the original answer with
//! `Idempotent-Replayed: true`; the same key with other content or from
//! another caller is a 409. Refused requests are not recorded, so a
//! corrected retry with the same key goes through.
//!
//! A handler takes the key as the [`IdempotencyKey`] extractor (a missing
//! or malformed key is a 400 naming the header), binds it to its request
//! with [`IdempotencyKey::bind`], answers a replay with
//! [`IdempotentWrite::replayed`] before doing anything, and turns the
//! store's outcome into the answer with [`IdempotentWrite::answer`].

use crate::error::ApiError;
use crate::store::{IdempotentOutcome, Store, StoredReply};
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use lawcircle_core::content::sha256_hex;
use serde::Serialize;

/// The request header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer replayed from the idempotency record.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// The idempotency key of a write: 1–100 characters of `A-Za-z0-9-_`,
/// from the `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks a key as sent (surrounding spaces ignored).
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let key = raw.map(str::trim).unwrap_or("");
        if key.is_empty() {
            return Err(ApiError::bad_field(
                "Idempotency-Key",
                "this write needs an Idempotency-Key header (a UUID made when the item was queued)",
            ));
        }
        if key.len() > 100
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ApiError::bad_field(
                "Idempotency-Key",
                "1 to 100 characters: letters, digits, '-' or '_'",
            ));
        }
        Ok(Self(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Binds the key to its request: the endpoint its answer is recorded
    /// under, the account writing, and the content, hashed as sha256 of
    /// the parsed body re-encoded (field order fixed by the type), so
    /// whitespace or key order do not make a retry a different request.
    pub fn bind<T: Serialize>(
        self,
        endpoint: &'static str,
        account: i64,
        content: &T,
    ) -> Result<IdempotentWrite, ApiError> {
        let hash = serde_json::to_vec(content)
            .map(|b| sha256_hex(&b))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(IdempotentWrite {
            key: self,
            endpoint,
            account,
            hash,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let raw = parts
            .headers
            .get(IDEMPOTENCY_KEY)
            .map(|v| v.to_str().unwrap_or(""));
        Self::parse(raw)
    }
}

/// A write bound to its idempotency key, caller and content.
#[derive(Debug)]
pub struct IdempotentWrite {
    key: IdempotencyKey,
    endpoint: &'static str,
    account: i64,
    hash: String,
}

impl IdempotentWrite {
    pub fn key(&self) -> &str {
        self.key.as_str()
    }

    /// The hash of the content, stored with the key.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The earlier answer when the key was used before (replayed, or a
    /// conflict), `None` for a new write. Asked before validating again:
    /// the original answer stands even if the clock or the catalogue moved
    /// since.
    pub async fn replayed(&self, store: &Store) -> Result<Option<Response>, ApiError> {
        match store.stored_reply(self.endpoint, self.key()).await? {
            Some(reply) => self.replay(&reply).map(Some),
            None => Ok(None),
        }
    }

    /// The answer to the write as the store settled it: the answer stored
    /// now, or, when a concurrent twin finished first, its answer replayed.
    pub fn answer(&self, outcome: IdempotentOutcome) -> Result<Response, ApiError> {
        match outcome {
            IdempotentOutcome::Done { status, response } => {
                Ok(stored_response(status, response, false))
            }
            IdempotentOutcome::Existing(reply) => self.replay(&reply),
        }
    }

    /// The original answer for the same caller and content, else a
    /// conflict.
    fn replay(&self, reply: &StoredReply) -> Result<Response, ApiError> {
        let (status, body) = self.replayed_answer(reply)?;
        Ok(stored_response(status, body, true))
    }

    /// The stored status and body when `reply` answers this same caller
    /// and content (a replay), else the conflict: the decision of
    /// [`IdempotentWrite::replayed`] without the HTTP answer, for one
    /// entry of a batch.
    pub fn replayed_answer(&self, reply: &StoredReply) -> Result<(u16, String), ApiError> {
        if reply.account_id == self.account && reply.request_hash == self.hash && reply.status != 0
        {
            Ok((reply.status, reply.response.clone()))
        } else {
            Err(ApiError::Conflict(format!(
                "Idempotency-Key {} was already used for a different request; \
                 a retry must send exactly the same content (make a new key for a new record)",
                self.key()
            )))
        }
    }
}

/// The JSON answer stored with an idempotency key, as sent.
fn stored_response(status: u16, body: String, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        resp.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_a_hundred_safe_characters() {
        assert_eq!(
            IdempotencyKey::parse(Some(" 0190-ab_C ")).unwrap().as_str(),
            "0190-ab_C"
        );
        for bad in [None, Some(""), Some("  "), Some("a b"), Some("ключ")] {
            let e = IdempotencyKey::parse(bad).unwrap_err();
            assert!(
                matches!(&e, ApiError::BadRequest { field: Some(f), .. } if f == "Idempotency-Key"),
                "{bad:?}: {e:?}"
            );
        }
        assert!(IdempotencyKey::parse(Some(&"k".repeat(100))).is_ok());
        assert!(IdempotencyKey::parse(Some(&"k".repeat(101))).is_err());
    }

    #[test]
    fn the_hash_ignores_how_the_content_was_spelled() {
        let a: serde_json::Value = serde_json::from_str(r#"{"a": 1, "b": [2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{ "b":[2],"a":1 }"#).unwrap();
        let key = || IdempotencyKey::parse(Some("k1")).unwrap();
        let wa = key().bind("POST /x", 1, &a).unwrap();
        let wb = key().bind("POST /x", 1, &b).unwrap();
        assert_eq!(wa.hash(), wb.hash());
        let other = key()
            .bind("POST /x", 1, &serde_json::json!({"a": 2}))
            .unwrap();
        assert_ne!(wa.hash(), other.hash());
    }
}
