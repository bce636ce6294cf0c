//! The audit log of reads of personal data, for district admins.

use crate::api::pagination::{Page, PageQuery};
use crate::api::require;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{AuditEntry, NewAuditEntry};
use axum::extract::State;
use lawcircle_core::authz::Action;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// With `subject_id`: only entries about this record, e.g. `account`.
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<ApiJson<Page<AuditEntry>>, ApiError> {
    require(&caller, Action::ReadAuditLog)?;
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    let limit = page.limit()?;
    let subject = match (&q.subject_type, &q.subject_id) {
        (Some(t), Some(id)) => Some((t.as_str(), id.as_str())),
        (None, None) => None,
        _ => {
            return Err(ApiError::bad_field(
                "subject_id",
                "give subject_type and subject_id together",
            ));
        }
    };
    let entries = state
        .store
        .audit_entries(subject, page.after(), limit + 1)
        .await?;
    Ok(ApiJson(Page::from_overfetch(
        entries,
        limit,
        |e: &AuditEntry| e.id,
    )))
}

/// The reason given for reading personal data in full: 2 to 500
/// characters, trimmed.
pub fn read_reason(raw: &str) -> Result<&str, ApiError> {
    let reason = raw.trim();
    if reason.chars().count() < 2 || reason.len() > 500 {
        return Err(ApiError::bad_field(
            "reason",
            "say in 2 to 500 characters why the full contact details are needed",
        ));
    }
    Ok(reason)
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
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
        .await?;
    Ok(())
}
