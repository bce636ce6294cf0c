//! The audit log of reads of personal data, for district admins.

use crate::api::pagination::{Page, PageQuery};
use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::AuditEntry;
use crate::usecases::audit::CLIENT_REQUEST_ID;
use lawcircle_core::authz::Action;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
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

/// Takes the `x-request-id` a caller sent out of the request, so that the
/// request-id layer behind it always makes a fresh UUID: the audit log's
/// `request_id` is the server's, never the caller's choice. A well-formed
/// caller id (1–100 printable ASCII characters) is passed on under
/// [`CLIENT_REQUEST_ID`] and kept as `client_request_id`, labelled as the
/// caller's; anything else is dropped. A header of that internal name
/// sent from outside is dropped too.
pub async fn server_request_ids(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let headers = req.headers_mut();
    headers.remove(CLIENT_REQUEST_ID);
    let sent = headers.remove("x-request-id");
    if let Some(v) = sent
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 100 && v.bytes().all(|b| b.is_ascii_graphic()))
        .and_then(|v| axum::http::HeaderValue::from_str(v).ok())
    {
        headers.insert(CLIENT_REQUEST_ID, v);
    }
    next.run(req).await
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}
