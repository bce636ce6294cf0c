//! Early warnings (异常预警督办): the open ones in the caller's reach, and
//! staff acting on them (acknowledge, escalate, call back, resolve).

use crate::api::{authorize, require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::extract::Path;
use lawcircle_core::authz::{Action, On};
use lawcircle_core::orders::order::{Actor, OrderState};
use lawcircle_core::orders::rating::CallBack;
use lawcircle_core::orders::warning::Warning;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn actor(caller: &Caller) -> Actor {
    Actor::user(caller.account.id.to_string(), caller.account.role)
}

/// The first 500 warnings in the caller's reach (an array, as before), or,
/// with `limit` or `after`, one page of them by id (`{items, next_after}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum WarningList {
    All(Vec<WarningView>),
    Page(crate::api::pagination::Page<WarningView>),
}

/// The warnings in the caller's reach, oldest first. With `limit` (1–500,
/// default 100) or `after` (the previous page's `next_after`) one page of
/// them; without, the first 500 as a plain array.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", security(("bearer" = [])),
    params(crate::api::pagination::PageQuery),
    responses((status = 200, body = WarningList), refusal::Invalid, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<crate::api::pagination::PageQuery>,
) -> Result<ApiJson<WarningList>, ApiError> {
    let scope = require(&caller, Action::HandleWarning)?;
    let street = scoped_street(&caller, scope)?;
    let view = |(_, version, warning): (i64, i64, Warning)| WarningView { version, warning };
    let want = crate::api::pagination::want_after(q.after, q.limit)?;
    let rows = state
        .store
        .warnings_page(street.as_deref(), want.after.unwrap_or(0), want.fetch())
        .await?;
    let page = crate::api::pagination::Page::from_overfetch(rows, want.limit, |(id, _, _)| *id);
    let items = page.items.into_iter().map(view).collect();
    Ok(ApiJson(if want.paged {
        WarningList::Page(crate::api::pagination::Page {
            items,
            next_after: page.next_after,
        })
    } else {
        WarningList::All(items)
    }))
}

/// The street a warning belongs to (the one its row is filed under).
fn warning_street(w: &Warning) -> Option<&str> {
    match &w.subject {
        lawcircle_core::orders::warning::Subject::Order { street_code, .. } => {
            street_code.as_deref()
        }
        lawcircle_core::orders::warning::Subject::Punch { street_code, .. }
        | lawcircle_core::orders::warning::Subject::Volunteer { street_code, .. } => {
            Some(street_code)
        }
    }
}

/// A warning and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningView {
    pub version: i64,
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub warning: Warning,
}

/// acknowledge (签收), escalate (上报), call_back (回访, for low ratings;
/// `reached` says whether the requester was reached), resolve (办结, note
/// required).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningActionRequest {
    pub action: String,
    pub note: Option<String>,
    pub reached: Option<bool>,
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/actions", tag = "warnings", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WarningActionRequest,
    responses((status = 200, body = WarningView), refusal::Invalid,
        refusal::Forbidden, refusal::NotFound, refusal::Conflict))]
pub async fn act(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<WarningActionRequest>,
) -> Result<ApiJson<WarningView>, ApiError> {
    require(&caller, Action::HandleWarning)?;
    let (version, warning) = state
        .store
        .warning(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("warning {id}")))?;
    authorize(
        &caller,
        Action::HandleWarning,
        &On::Record(warning_street(&warning)),
        || format!("warning {id}"),
    )?;
    if version != req.version {
        return Err(ApiError::Conflict(format!(
            "warning {id} is at version {version}, not {}: reload",
            req.version
        )));
    }
    let now = state.clock.now();
    let mut changed = warning.clone();
    let note = req.note.as_deref();
    let result = match req.action.as_str() {
        "acknowledge" => changed.acknowledge(actor(&caller), now, note),
        "escalate" => changed.escalate(now, actor(&caller)).map(|_| ()),
        "call_back" => changed.record_call_back(
            actor(&caller),
            CallBack {
                by: caller.account.id.to_string(),
                at: now,
                reached: req.reached.unwrap_or(false),
                note: note.unwrap_or_default().to_string(),
            },
        ),
        "resolve" => changed.resolve(actor(&caller), now, note.unwrap_or_default()),
        other => {
            return Err(ApiError::bad_field(
                "action",
                format!("{other:?}: expected acknowledge, escalate, call_back or resolve"),
            ));
        }
    };
    result.map_err(|e| ApiError::Conflict(e.to_string()))?;
    if !state
        .store
        .update_warning(id, version, &changed, now)
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "warning {id} changed meanwhile: reload"
        )));
    }
    Ok(ApiJson(WarningView {
        version: version + 1,
        warning: changed,
    }))
}

/// Orders still to be dealt with, for the board: not final.
pub fn active_states() -> Vec<OrderState> {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .collect()
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(act))
}
