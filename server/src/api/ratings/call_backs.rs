//! The call-backs (回访) made about an order, whichever way they were
//! recorded: with a rating request, or on an early warning about it.

use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::store::CallBackOutcome;
use axum::extract::Path;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Action;
use lawcircle_core::orders::warning::Warning;
use serde::Serialize;

/// Where a call-back was recorded: with a rating request on the order
/// (`rating`), or on an early warning about it (`warning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallBackSource {
    Rating,
    Warning,
}

/// One call-back made about an order, whichever way it was recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallBackEntry {
    pub source: CallBackSource,
    /// The warning it was recorded on (`source = warning`).
    pub warning_id: Option<String>,
    /// The account of the member of staff who called.
    pub by_account: String,
    pub at: DateTime<Utc>,
    /// `reached`, `not_reached` or `refused`; a call-back on a warning
    /// keeps whether its latest call reached the requester, earlier ones
    /// are `null`.
    pub outcome: Option<CallBackOutcome>,
    /// The rating given on the phone (rating call-backs).
    pub score: Option<u8>,
    pub note: String,
}

/// The call-backs recorded on `warning` (its history's call-back steps),
/// oldest first.
fn warning_call_backs(warning: &Warning) -> Vec<CallBackEntry> {
    use lawcircle_core::orders::warning::WarningAction;
    warning
        .history
        .iter()
        .filter(|step| step.action == WarningAction::CallBack)
        .map(|step| {
            let latest = warning
                .call_back
                .as_ref()
                .filter(|cb| cb.at == step.at && cb.by == step.actor.id);
            CallBackEntry {
                source: CallBackSource::Warning,
                warning_id: Some(warning.id.clone()),
                by_account: step.actor.id.clone(),
                at: step.at,
                outcome: latest.map(|cb| {
                    if cb.reached {
                        CallBackOutcome::Reached
                    } else {
                        CallBackOutcome::NotReached
                    }
                }),
                score: None,
                note: step.note.clone().unwrap_or_default(),
            }
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/call-backs", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<CallBackEntry>, description = "The call-backs about the order (with a rating request or on its warnings), oldest first, at most 500"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn list_call_backs(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<ApiJson<Vec<CallBackEntry>>, ApiError> {
    require(&caller, Action::DispatchOrder)?;
    let order = crate::api::orders::load_for(&state, &caller, &id, Action::DispatchOrder).await?;
    let mut entries: Vec<CallBackEntry> = state
        .store
        .call_backs_of(&order.id)
        .await?
        .into_iter()
        .map(|cb| CallBackEntry {
            source: CallBackSource::Rating,
            warning_id: None,
            by_account: cb.by_account.to_string(),
            at: cb.at,
            outcome: Some(cb.outcome),
            score: cb.score,
            note: cb.note,
        })
        .collect();
    // Every street's: a transferred order's warnings stay where they were raised.
    for warning in state.store.warnings_about_order(&order.id).await? {
        entries.extend(warning_call_backs(&warning));
    }
    entries.sort_by_key(|e| e.at);
    // One order's: a handful; never more than the largest page of a list.
    entries.truncate(crate::api::pagination::MAX_LIMIT as usize);
    Ok(ApiJson(entries))
}
