//! The API's one error shape:
//! `{"error": {"code": "…", "message": "…", "field": "…", "details": …}}`
//! with a stable machine `code` clients can switch on. `field` is present
//! when the error concerns one input; `details` carries structured extras
//! (the rows of a refused import).

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
pub use lawcircle_api::error::{ErrorBody, ErrorDetail};
use serde_json::Value;

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or a value is invalid.
    #[error("{message}")]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// Several inputs are invalid; `field` and `message` of the answer are
    /// the first, `details.fields` lists them all (a form shows each next
    /// to its input).
    #[error("{}", .0.first().map(|e| e.reason.as_str()).unwrap_or("invalid input"))]
    Fields(Vec<lawcircle_core::validation::FieldError>),
    /// The body is not valid JSON or not the expected shape.
    #[error("{message}")]
    InvalidJson {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The record existed but its content was erased (retention or a
    /// request under PIPL).
    #[error("{0}")]
    Gone(String),
    #[error("the request body is larger than allowed")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// A whole file was refused; `details` lists every bad row.
    #[error("{message}")]
    ImportRefused { message: String, details: Value },
    /// A service the request needs is not configured or not reachable
    /// (e.g. no SMS provider): 503, the message names what is missing.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side; the detail is logged, not returned.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden("your role may not do this".to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::InvalidJson { .. } | ApiError::Fields(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ImportRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } | ApiError::Fields(_) => "bad_request",
            ApiError::InvalidJson { .. } => "invalid_json",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone(_) => "gone",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::ImportRefused { .. } => "import_refused",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl ApiError {
    /// The error as the body's `error` object: code, message, the field
    /// concerned and structured details. Also one entry's error in a
    /// batch answer.
    pub fn into_detail(self) -> ErrorDetail {
        let code = self.code().to_string();
        let message = self.to_string();
        let (field, details) = match self {
            ApiError::BadRequest { field, .. } | ApiError::InvalidJson { field, .. } => {
                (field, None)
            }
            ApiError::ImportRefused { details, .. } => (None, Some(details)),
            ApiError::Fields(fields) => (
                fields.first().map(|f| f.field.clone()),
                Some(serde_json::json!({ "fields": fields })),
            ),
            _ => (None, None),
        };
        ErrorDetail {
            code,
            message,
            field,
            details,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Conflict(what) => {
                ApiError::Conflict(format!("{what} already exists"))
            }
            crate::store::StoreError::Catalogue(c) => ApiError::BadRequest {
                field: None,
                message: c.to_string(),
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let body = ErrorBody {
            error: self.into_detail(),
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Gives error responses produced outside our handlers (axum's 405, the
/// body-limit layer's 413, …) the same JSON shape.
pub async fn normalize_errors(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Open311's XML errors and the public rating page's HTML answers
        // keep their own format.
        .is_some_and(|v| {
            v.starts_with("application/json")
                || v.starts_with("text/xml")
                || v.starts_with("text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status
        .canonical_reason()
        .unwrap_or("request failed")
        .to_string();
    let mut out = (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                field: None,
                details: None,
            },
        }),
    )
        .into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// The refusals a handler documents next to its success, written once:
/// `responses((status = 200, body = X), refusal::Unauthenticated,
/// refusal::Forbidden, refusal::NotFound)` in its `#[utoipa::path]`. Each
/// is one status answered with [`ErrorBody`] and what that status means
/// anywhere in the API; a handler whose status means something narrower
/// writes that case as a tuple with its own description instead.
pub mod refusal {
    use super::ErrorBody;
    use std::collections::BTreeMap;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

    /// One status with the [`ErrorBody`] shape and its description.
    fn error_response(status: u16, description: &str) -> BTreeMap<String, RefOr<Response>> {
        let body = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(
                <ErrorBody as utoipa::ToSchema>::name(),
            )))
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build();
        BTreeMap::from([(status.to_string(), RefOr::T(response))])
    }

    macro_rules! refusal {
        ($(#[doc = $doc:literal])* $name:ident, $status:literal) => {
            $(#[doc = $doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    error_response($status, concat!($($doc),*).trim())
                }
            }
        };
    }

    refusal!(
        /// The request is malformed or a value is invalid (`field` names the input).
        Invalid,
        400
    );
    refusal!(
        /// No valid bearer token: missing, expired or revoked.
        Unauthenticated,
        401
    );
    refusal!(
        /// The caller's role or scope may not do this (the message says why).
        Forbidden,
        403
    );
    refusal!(
        /// No such record, or one outside the caller's reach (not disclosed).
        NotFound,
        404
    );
    refusal!(
        /// The request conflicts with the data as it stands (the message says how).
        Conflict,
        409
    );
    refusal!(
        /// The request body is larger than allowed.
        TooLarge,
        413
    );
    refusal!(
        /// A whole file was refused and nothing imported: `details` lists every bad row.
        ImportRefused,
        422
    );
    refusal!(
        /// Too many attempts: wait the Retry-After seconds.
        TooManyRequests,
        429
    );
}
