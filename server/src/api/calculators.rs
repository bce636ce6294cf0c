//! Compensation calculators (赔偿计算): a public query service. The rules
//! and the parameter table are the core's; the server only exposes them.

use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use lawcircle_core::compensation::{
    Breakdown, CalcError, CalcRequest, Language, ParamValue, calculate,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn calc_error(e: CalcError) -> ApiError {
    match e {
        CalcError::InvalidInput { field, reason } => ApiError::BadRequest {
            message: format!("{field}: {reason}"),
            field: Some(field),
        },
        missing @ CalcError::MissingParameter { .. } => ApiError::BadRequest {
            field: Some("year".to_string()),
            message: missing.to_string(),
        },
        CalcError::InvalidTable { .. } => ApiError::Internal(e.to_string()),
    }
}

/// An itemised estimate: every line with its formula, the parameters used
/// with year and source, the amount (exact decimal arithmetic, rounded once
/// to the fen), the legal basis, and a disclaimer that it is an estimate,
/// not legal advice. The request is tagged by `type`: `personal_injury`,
/// `traffic_accident`, `work_injury` or `severance`. The explanation is in
/// the `Accept-Language` (its first tag: `en…` English, else Chinese).
#[utoipa::path(post, path = "/api/v1/calculators/compensation", tag = "calculators",
    request_body(content = Object, description = "A CalcRequest, tagged by `type`"),
    responses((status = 200, body = Object, description = "The itemised breakdown"),
        refusal::Invalid))]
pub async fn compensation(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CalcRequest>,
) -> Result<ApiJson<Breakdown>, ApiError> {
    let language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(Language::from_tag)
        .unwrap_or_default();
    calculate(&request, &state.calc_table, language)
        .map(ApiJson)
        .map_err(calc_error)
}

/// The parameter table in use: region × year × indicator, each with its
/// source.
#[utoipa::path(get, path = "/api/v1/calculators/parameters", tag = "calculators",
    responses((status = 200, body = Object, description = "The list of parameters")))]
pub async fn parameters(State(state): State<AppState>) -> ApiJson<Vec<ParamValue>> {
    ApiJson(state.calc_table.iter().cloned().collect())
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(compensation))
        .routes(routes!(parameters))
}
