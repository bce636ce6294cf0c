//! Recording a full read of personal data in the audit log: who, what, when,
//! why and the request id.

use crate::api::audit::CLIENT_REQUEST_ID;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::NewAuditEntry;

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
