//! Early warnings (异常预警督办), spot checks (质量抽查), indicators (数据指标
//! 晾晒) with Prometheus `/metrics`, and the hotline call import.

use crate::api::{require, scoped_street};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::OrderFilter;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use lawcircle_core::authz::Action;
use lawcircle_core::evaluation::CallBack;
use lawcircle_core::indicators::{self, IndicatorInputs, IndicatorReport, StreetCoverage, Targets};
use lawcircle_core::order::{Actor, OrderState};
use lawcircle_core::spot_check::{
    SpotCheck, SpotCheckOutcome, Week, resolved_in_week, weekly_sample,
};
use lawcircle_core::warning::Warning;
use serde::{Deserialize, Serialize};

fn actor(caller: &Caller) -> Actor {
    Actor::user(caller.account.id.to_string(), caller.account.role)
}

#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<WarningView>>, ApiError> {
    let scope = require(&caller, Action::HandleWarning)?;
    let street = scoped_street(&caller, scope)?;
    let list = state.store.warnings(street.as_deref()).await?;
    Ok(ApiJson(
        list.into_iter()
            .map(|(_, version, warning)| WarningView { version, warning })
            .collect(),
    ))
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
    responses((status = 200, body = WarningView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<WarningActionRequest>,
) -> Result<ApiJson<WarningView>, ApiError> {
    let scope = require(&caller, Action::HandleWarning)?;
    let street = scoped_street(&caller, scope)?;
    let (version, warning) = state
        .store
        .warning(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("warning {id}")))?;
    if let Some(s) = &street
        && !state
            .store
            .warnings(Some(s))
            .await?
            .iter()
            .any(|(wid, _, _)| *wid == id)
    {
        return Err(ApiError::NotFound(format!("warning {id}")));
    }
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

/// Seed of the spot-check draw: fixed per deployment so a week's sample is
/// reproducible for auditors.
const SPOT_CHECK_SEED: &str = "lawcircle-spot-check";
/// At least this share of the week's resolved orders is sampled.
const SPOT_CHECK_PERCENT: u32 = 5;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    /// ISO year and week, e.g. `2025-W10`; default: this week.
    pub week: Option<String>,
}

fn parse_week(raw: &Option<String>, now: chrono::DateTime<chrono::Utc>) -> Result<Week, ApiError> {
    match raw {
        None => Ok(Week::of(now)),
        Some(s) => {
            let (y, w) = s
                .split_once("-W")
                .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
                .ok_or_else(|| ApiError::bad_field("week", "expected YYYY-Www, e.g. 2025-W10"))?;
            if !(1..=53).contains(&w) {
                return Err(ApiError::bad_field("week", "week 1 to 53"));
            }
            Ok(Week { year: y, week: w })
        }
    }
}

/// Draws (idempotently) and lists the week's spot checks: ≥5% of the
/// orders first resolved that week, reproducible from the seed.
#[utoipa::path(post, path = "/api/v1/spot-checks/draw", tag = "warnings", security(("bearer" = [])),
    params(WeekQuery),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn draw_spot_checks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    require(&caller, Action::HandleWarning)?;
    let now = state.clock.now();
    let week = parse_week(&q.week, now)?;
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let resolved = resolved_in_week(&orders, week);
    let sample =
        weekly_sample(&resolved, week, SPOT_CHECK_SEED, SPOT_CHECK_PERCENT).map_err(|e| {
            ApiError::BadRequest {
                field: None,
                message: e.to_string(),
            }
        })?;
    state
        .store
        .add_spot_checks(&week.to_string(), &sample, now)
        .await?;
    let checks = state.store.spot_checks(&week.to_string()).await?;
    Ok(ApiJson(serde_json::json!({
        "week": week.to_string(),
        "resolved": resolved.len(),
        "sampled": checks.iter().map(|(id, review)| serde_json::json!({"order_id": id, "review": review})).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpotCheckRequest {
    /// satisfactory, needs_improvement or unsatisfactory.
    #[schema(value_type = String)]
    pub outcome: SpotCheckOutcome,
    /// Required unless satisfactory.
    pub note: Option<String>,
    pub week: String,
}

#[utoipa::path(post, path = "/api/v1/spot-checks/{order_id}", tag = "warnings", security(("bearer" = [])),
    params(("order_id" = String, Path)), request_body = SpotCheckRequest,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn record_spot_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(order_id): Path<String>,
    ApiJson(req): ApiJson<SpotCheckRequest>,
) -> Result<ApiJson<SpotCheck>, ApiError> {
    require(&caller, Action::HandleWarning)?;
    let now = state.clock.now();
    let week = parse_week(&Some(req.week.clone()), now)?;
    let check = SpotCheck::record(
        &order_id,
        week,
        caller.account.id.to_string(),
        now,
        req.outcome,
        req.note.as_deref(),
    )
    .map_err(|e| ApiError::bad_field("note", e.to_string()))?;
    if !state.store.record_spot_check(&check).await? {
        return Err(ApiError::NotFound(format!(
            "order {order_id} was not sampled"
        )));
    }
    Ok(ApiJson(check))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// The year whose targets apply (default: this year).
    pub year: Option<i32>,
}

async fn report(state: &AppState, year: Option<i32>) -> Result<IndicatorReport, ApiError> {
    let now = state.clock.now();
    let year = year.unwrap_or_else(|| now.year());
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let ratings = state.store.ratings().await?;
    let calls = state.store.hotline_calls().await?;
    let areas = state.store.areas().await?;
    let facilities = state
        .store
        .facilities(&crate::store::FacilityFilter::default())
        .await?;
    let spatial = state.spatial.clone();
    let areas_for_cov = areas.clone();
    let coverage = tokio::task::spawn_blocking(move || {
        lawcircle_core::coverage::compute(
            &areas_for_cov,
            &facilities,
            spatial.network(),
            &lawcircle_core::coverage::CoverageStandard::default(),
        )
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::BadRequest {
        field: None,
        message: e.to_string(),
    })?;
    let street_cov: Vec<StreetCoverage> = coverage
        .streets
        .iter()
        .filter_map(|s| {
            Some(StreetCoverage {
                street_code: s.code.clone()?,
                covered_villages: s.villages_covered as u32,
                total_villages: s.villages as u32,
            })
        })
        .collect();
    let streets: Vec<String> = areas
        .iter()
        .filter(|a| a.level == lawcircle_core::area::AreaLevel::Street)
        .map(|a| a.code.clone())
        .collect();
    let district = areas
        .iter()
        .find(|a| a.level == lawcircle_core::area::AreaLevel::District)
        .map_or_else(|| "district".to_string(), |a| a.code.clone());
    Ok(indicators::compute(
        &IndicatorInputs {
            district_code: &district,
            year,
            now,
            streets: &streets,
            orders: &orders,
            ratings: &ratings,
            coverage: &street_cov,
            volunteer_hours: &[],
            hotline_calls: &calls,
        },
        &Targets::longwan_plan(),
    ))
}

/// The indicators and the ratings behind satisfaction: by channel, and
/// why resolved orders were not rated.
#[derive(Debug, serde::Serialize)]
pub struct IndicatorsAnswer {
    #[serde(flatten)]
    pub report: IndicatorReport,
    pub ratings: crate::api::ratings::RatingReport,
}

/// Indicators per street and for the district, each next to its target;
/// `ratings` counts every channel (app, link, call-back) and the reasons
/// of the resolved orders without a rating.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "warnings", security(("bearer" = [])),
    params(IndicatorQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn indicators_json(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<ApiJson<IndicatorsAnswer>, ApiError> {
    require(&caller, Action::ReadIndicators)?;
    let report = report(&state, q.year).await?;
    let ratings = crate::api::ratings::rating_report(&state, state.clock.now()).await?;
    Ok(ApiJson(IndicatorsAnswer { report, ratings }))
}

/// The same indicators in the Prometheus text format (aggregates only, no
/// personal data).
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let report = report(&state, None).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        indicators::to_prometheus(&report),
    )
        .into_response())
}

/// Imports hotline call records (CSV: call_id, started_at, answered,
/// rating, street_code); any bad row refuses the file, listing every one.
#[utoipa::path(post, path = "/api/v1/imports-hotline", tag = "warnings", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_hotline(
    State(state): State<AppState>,
    caller: Caller,
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
    Ok(ApiJson(serde_json::json!({ "imported": n })))
}

/// Orders still to be dealt with, for the board: not final.
pub fn active_states() -> Vec<OrderState> {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .collect()
}
