//! Recording a full read of personal data in the audit log: who, what, when,
//! why and the request id.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::NewAuditEntry;
use lawcircle_core::privacy::check_audit_reason;

fn header_text(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A full read of personal data, as the audit log records it.
pub struct PersonalDataRead<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: String,
    /// The fields shown in full, e.g. `phone,id_number`.
    pub fields: &'a str,
}

/// Writes the audit entry of a full read of personal data: who (account
/// and role), what, when, why, and the request id.
pub async fn record_read(
    state: &AppState,
    caller: &Caller,
    headers: &axum::http::HeaderMap,
    read: PersonalDataRead<'_>,
    reason: &str,
) -> Result<(), ApiError> {
    state
        .store
        .append_audit(NewAuditEntry {
            at: state.clock.now(),
            actor_id: caller.account.id,
            actor_role: caller.account.role.as_str().to_string(),
            action: read.action.to_string(),
            subject_type: read.subject_type.to_string(),
            subject_id: read.subject_id,
            fields: read.fields.to_string(),
            reason: reason.to_string(),
            request_id: header_text(headers, "x-request-id"),
            client_request_id: header_text(headers, CLIENT_REQUEST_ID),
        })
        .await?;
    Ok(())
}

/// The reason given for reading or handling personal data, as the audit
/// log records it: the one rule of [`check_audit_reason`] (a few words:
/// at least 4 Chinese characters, or 2 words and 10 letters), trimmed.
pub fn read_reason(raw: &str) -> Result<&str, ApiError> {
    check_audit_reason(raw).map_err(|e| ApiError::bad_field("reason", e.to_string()))
}

/// The internal header carrying the caller's own `x-request-id` past the
/// layer that replaces it (see [`server_request_ids`](crate::api::audit::server_request_ids)).
pub const CLIENT_REQUEST_ID: &str = "x-lawcircle-client-request-id";
