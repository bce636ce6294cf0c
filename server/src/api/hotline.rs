//! Call records of the 12348 hotline imported from its export file.

use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::body::Bytes;
use lawcircle_core::authz::Action;
use lawcircle_core::orders::indicators;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Imports hotline call records (CSV: call_id, started_at, answered,
/// rating, street_code); any bad row refuses the file, listing every one.
#[utoipa::path(post, path = "/api/v1/imports-hotline", tag = "warnings", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Object), refusal::Forbidden, refusal::ImportRefused))]
pub async fn import_hotline(
    SignedIn { state, caller }: SignedIn,
    body: Bytes,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    require(&caller, Action::ImportCatalogue)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest {
        field: None,
        message: "the file is not UTF-8".into(),
    })?;
    let calls = indicators::parse_hotline_csv(text).map_err(|e| match e {
        indicators::HotlineCsvError::BadRows(rows) => ApiError::ImportRefused {
            message: format!("{} bad row(s); nothing was imported", rows.len()),
            details: serde_json::json!({ "problems": rows }),
        },
        other => ApiError::BadRequest {
            field: None,
            message: other.to_string(),
        },
    })?;
    let n = state.store.upsert_hotline_calls(&calls).await?;
    state.events.touch();
    Ok(ApiJson(serde_json::json!({ "imported": n })))
}

/// The hotline import, under the upload body limit the router sets.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_hotline))
}
