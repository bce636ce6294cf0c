//! Writes made idempotent by the `Idempotency-Key` header: a replay (same
//! key, same content, same caller) gets the original answer with
//! `Idempotent-Replayed: true`; the same key with other content is a 409.
//! Refused requests are not recorded, so a corrected retry with the same
//! key goes through.

use crate::auth::Caller;
use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use lawcircle_core::content::sha256_hex;
use serde::Serialize;

/// The request header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer replayed from the idempotency record.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// The idempotency key of a request: 1–100 characters of `A-Za-z0-9-_`.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
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
    Ok(key.to_string())
}

/// The hash that tells a replay from a different request with the same
/// key: sha256 of the parsed body re-encoded (field order fixed by the
/// type), so whitespace or key order do not matter.
pub(crate) fn request_hash<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_vec(value)
        .map(|b| sha256_hex(&b))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The JSON answer stored with an idempotency key, as sent.
pub(crate) fn stored_response(status: u16, body: String, replayed: bool) -> Response {
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

pub(crate) fn conflict_for_key(key: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Idempotency-Key {key} was already used for a different request; \
         a retry must send exactly the same content (make a new key for a new record)"
    ))
}

/// Answers from a stored record when the key was used before: the
/// original answer for the same caller and content, else a conflict.
pub(crate) fn replay(
    caller: &Caller,
    key: &str,
    hash: &str,
    reply: &crate::store::StoredReply,
) -> Result<Response, ApiError> {
    if reply.account_id == caller.account.id && reply.request_hash == hash && reply.status != 0 {
        Ok(stored_response(reply.status, reply.response.clone(), true))
    } else {
        Err(conflict_for_key(key))
    }
}
