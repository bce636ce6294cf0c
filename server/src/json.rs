//! `ApiJson<T>`: a JSON body extractor whose rejections use the API's error
//! shape and name the offending field.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON request body (`Content-Type: application/json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

/// Whether a JSON body carries a NUL character, raw or escaped: databases
/// refuse it in text, so it is refused at the door.
fn contains_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || bytes
            .windows(6)
            .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].eq_ignore_ascii_case(b"0000"))
}

/// The field a serde error is about: serde_path_to_error prefixes the
/// message with the path, e.g. `products[2]: unknown variant …`.
fn field_of(message: &str) -> Option<String> {
    let (path, _) = message.split_once(": ")?;
    let path = path.trim();
    (!path.is_empty() && path != "." && !path.contains(' ')).then(|| path.to_string())
}

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.trim().to_ascii_lowercase();
                ct.starts_with("application/json")
                    || (ct.starts_with("application/") && ct.contains("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "expected Content-Type: application/json".to_string(),
            ));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) => {
                return Err(if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest {
                        field: None,
                        message: e.body_text(),
                    }
                });
            }
        };
        if contains_nul(&bytes) {
            return Err(ApiError::InvalidJson {
                field: None,
                message: "text must not contain the NUL character (U+0000)".to_string(),
            });
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => {
                    let inner = std::error::Error::source(&e)
                        .map(ToString::to_string)
                        .unwrap_or_else(|| e.body_text());
                    ApiError::InvalidJson {
                        field: field_of(&inner),
                        message: inner,
                    }
                }
                JsonRejection::JsonSyntaxError(e) => ApiError::InvalidJson {
                    field: None,
                    message: e.body_text(),
                },
                JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                    "expected Content-Type: application/json".to_string(),
                ),
                JsonRejection::BytesRejection(e) => {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        ApiError::PayloadTooLarge
                    } else {
                        ApiError::BadRequest {
                            field: None,
                            message: e.body_text(),
                        }
                    }
                }
                other => ApiError::BadRequest {
                    field: None,
                    message: other.body_text(),
                },
            }),
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn finds_the_field_in_serde_messages() {
        assert_eq!(
            field_of("role: unknown variant `root`").as_deref(),
            Some("role")
        );
        assert_eq!(
            field_of("products[1]: unknown variant").as_deref(),
            Some("products[1]")
        );
        assert_eq!(field_of("missing field `name` at line 1 column 2"), None);
    }
}

/// Query parameters whose rejection uses the API's error shape and names
/// the offending parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                Err(ApiError::BadRequest {
                    field: field_of(detail),
                    message: text.clone(),
                })
            }
        }
    }
}
