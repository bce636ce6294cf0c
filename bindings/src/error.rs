//! The one error type that crosses the FFI: a small enum the shells can
//! switch on, each case with a reason to show. The core's and the HTTP
//! stack's rich errors are mapped into it here and nowhere else.

use lawcircle_core::geo::coord::CoordError;

/// The error every fallible call raises: a kind the shell can switch on and
/// a reason it can show.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum LawCircleError {
    /// An input is invalid; `field` names it for the form.
    #[error("{field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// The server could not be reached (offline, timeout, TLS); retry later.
    #[error("network: {reason}")]
    Network { reason: String },
    /// The server answered with an error (`code` is the API's stable code,
    /// e.g. `bad_request`, `not_found`).
    #[error("server {status} {code}: {reason}")]
    Server {
        status: u16,
        code: String,
        reason: String,
    },
    /// Someone else was first or the record changed meanwhile: the order
    /// was taken by another volunteer, it moved on since it was read, it
    /// was rated already, or an idempotency key was used with other
    /// content. Reload and show `reason`; never retried as is.
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// The server did not accept who the user is (wrong password, expired
    /// or revoked session, unknown number): sign in again.
    #[error("not signed in: {reason}")]
    Unauthenticated { reason: String },
    /// The call was cancelled through its [`crate::CancelToken`].
    #[error("cancelled")]
    Cancelled,
    /// Something inside the library failed (a bug or an exhausted resource).
    #[error("internal: {reason}")]
    Internal { reason: String },
}

impl LawCircleError {
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        LawCircleError::InvalidInput {
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn internal(reason: impl std::fmt::Display) -> Self {
        LawCircleError::Internal {
            reason: reason.to_string(),
        }
    }

    /// The server's refusals the shells act on by kind rather than by
    /// HTTP status: 409 is [`LawCircleError::Conflict`], 401
    /// [`LawCircleError::Unauthenticated`]; everything else unchanged.
    /// Applied to every async call's result, so no shell reads a status.
    pub(crate) fn classified(self) -> Self {
        match self {
            LawCircleError::Server {
                status: 409,
                reason,
                ..
            } => LawCircleError::Conflict { reason },
            LawCircleError::Server {
                status: 401,
                reason,
                ..
            } => LawCircleError::Unauthenticated { reason },
            other => other,
        }
    }
}

impl From<CoordError> for LawCircleError {
    fn from(e: CoordError) -> Self {
        let field = match e {
            CoordError::LongitudeOutOfRange(_) => "lng",
            CoordError::UnknownDatum(_) => "datum",
            CoordError::LatitudeOutOfRange(_) | CoordError::LatLngSwapped { .. } => "lat",
        };
        LawCircleError::InvalidInput {
            field: field.to_string(),
            reason: e.to_string(),
        }
    }
}

impl From<lawcircle_client::outbox::OutboxError> for LawCircleError {
    fn from(e: lawcircle_client::outbox::OutboxError) -> Self {
        use lawcircle_client::outbox::OutboxError as E;
        match e {
            E::Invalid(errors) => match errors.first() {
                Some(first) => LawCircleError::InvalidInput {
                    field: first.field.clone(),
                    reason: errors.to_string(),
                },
                None => LawCircleError::invalid("need", "invalid"),
            },
            E::Attachment(f) => LawCircleError::InvalidInput {
                field: f.field.clone(),
                reason: f.reason.clone(),
            },
            E::NotFound(key) => LawCircleError::invalid("key", format!("no outbox item {key}")),
            e @ E::NotEditable { .. } => LawCircleError::invalid("key", e.to_string()),
            other => LawCircleError::internal(other),
        }
    }
}

impl From<lawcircle_client::sync::SyncError> for LawCircleError {
    fn from(e: lawcircle_client::sync::SyncError) -> Self {
        use lawcircle_client::sync::SyncError as E;
        match e {
            E::Http(e) => e.into(),
            E::Outbox(e) => e.into(),
            E::Status { status, message } => LawCircleError::Server {
                status,
                code: "sync".to_string(),
                reason: message,
            },
            e @ E::Timeout(_) => LawCircleError::Network {
                reason: e.to_string(),
            },
            other => LawCircleError::internal(other),
        }
    }
}

impl From<lawcircle_core::geo::nearest::NearestError> for LawCircleError {
    fn from(e: lawcircle_core::geo::nearest::NearestError) -> Self {
        LawCircleError::invalid("query", e.to_string())
    }
}

impl From<lawcircle_core::geo::network::NetworkError> for LawCircleError {
    fn from(e: lawcircle_core::geo::network::NetworkError) -> Self {
        LawCircleError::invalid("network", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16) -> LawCircleError {
        LawCircleError::Server {
            status,
            code: "x".to_string(),
            reason: "why".to_string(),
        }
    }

    #[test]
    fn conflicts_and_refused_sessions_are_their_own_cases() {
        assert_eq!(
            server(409).classified(),
            LawCircleError::Conflict {
                reason: "why".to_string()
            }
        );
        assert_eq!(
            server(401).classified(),
            LawCircleError::Unauthenticated {
                reason: "why".to_string()
            }
        );
        assert_eq!(server(403).classified(), server(403));
        let invalid = LawCircleError::invalid("f", "bad");
        assert_eq!(invalid.clone().classified(), invalid);
    }
}
