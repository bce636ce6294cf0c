//! The API's one error shape:
//! `{"error": {"code": "…", "message": "…", "field": "…", "details": …}}`
//! with a stable machine `code` clients can switch on. `field` is present
//! when the error concerns one input; `details` carries structured extras
//! (every invalid field of a form, the rows of a refused import).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON error body, as documented in the OpenAPI document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable machine code: bad_request, invalid_json, unauthorized,
    /// forbidden, not_found, method_not_allowed, conflict, gone,
    /// payload_too_large, unsupported_media_type, too_many_requests,
    /// import_refused, unavailable, internal.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<Object>))]
    pub details: Option<Value>,
}

impl ErrorBody {
    /// The error of a response body, when it has the API's shape: the one
    /// place a client reads it.
    pub fn parse(body: &[u8]) -> Option<ErrorDetail> {
        serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .map(|b| b.error)
    }

    /// What to show of a failed response: the API's message (prefixed by
    /// its field), else the start of the body.
    pub fn describe(body: &[u8]) -> String {
        match ErrorBody::parse(body) {
            Some(ErrorDetail {
                message,
                field: Some(f),
                ..
            }) => format!("{f}: {message}"),
            Some(e) => e.message,
            None => String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_and_described() {
        let body =
            br#"{"error":{"code":"bad_request","message":"must not be empty","field":"title"}}"#;
        assert_eq!(ErrorBody::describe(body), "title: must not be empty");
        assert_eq!(ErrorBody::parse(body).unwrap().code, "bad_request");
        assert_eq!(ErrorBody::describe(b"upstream down"), "upstream down");
        assert!(ErrorBody::parse(b"{\"error\":1}").is_none());
    }
}
