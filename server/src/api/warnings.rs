//! Early warnings (异常预警督办), spot checks (质量抽查), indicators (数据指标
//! 晾晒) with Prometheus `/metrics`, and the hotline call import.

use crate::api::{authorize, require, scoped_street};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{OrderFilter, SampledOrder};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use lawcircle_core::authz::{Action, On};
use lawcircle_core::evaluation::CallBack;
use lawcircle_core::indicators::{self, IndicatorInputs, IndicatorReport, StreetCoverage, Targets};
use lawcircle_core::order::{Actor, OrderState};
use lawcircle_core::spot_check::{
    self, DrawRecord, SpotCheck, SpotCheckOutcome, Week, resolved_in_week,
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

/// The street a warning belongs to (the one its row is filed under).
fn warning_street(w: &Warning) -> Option<&str> {
    match &w.subject {
        lawcircle_core::warning::Subject::Order { street_code, .. } => street_code.as_deref(),
        lawcircle_core::warning::Subject::Punch { street_code, .. }
        | lawcircle_core::warning::Subject::Volunteer { street_code, .. } => Some(street_code),
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
    responses((status = 200, body = WarningView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
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

/// At least this share of each street's resolved orders is sampled.
const SPOT_CHECK_PERCENT: u32 = spot_check::MIN_PERCENT;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    /// ISO year and week, e.g. `2025-W10`; default: this week.
    pub week: Option<String>,
    /// A street code (district admins; station staff always get their
    /// own street).
    pub street: Option<String>,
}

fn parse_week(raw: &Option<String>, now: chrono::DateTime<chrono::Utc>) -> Result<Week, ApiError> {
    match raw {
        None => Ok(Week::of(now)),
        Some(s) => {
            let (y, w) = s
                .split_once("-W")
                .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
                .ok_or_else(|| ApiError::bad_field("week", "expected YYYY-Www, e.g. 2025-W10"))?;
            if !(1..=53).contains(&w) || !(2000..=9999).contains(&y) {
                return Err(ApiError::bad_field(
                    "week",
                    "a year from 2000 to 9999 and a week from 1 to 53",
                ));
            }
            Ok(Week { year: y, week: w })
        }
    }
}

/// The street a spot-check request is about: station staff their own
/// (another street asked for is refused), district admins the one asked
/// for (checked) or every street.
async fn spot_check_street(
    state: &AppState,
    caller: &Caller,
    asked: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let scope = require(caller, Action::HandleWarning)?;
    let own = scoped_street(caller, scope)?;
    match (own, asked) {
        (Some(own), Some(a)) if a != own => Err(ApiError::Forbidden(format!(
            "station staff draw and review the spot checks of their own street ({own}) only"
        ))),
        (Some(own), _) => Ok(Some(own)),
        (None, Some(a)) => {
            if state.store.area_level(a).await? != Some(lawcircle_core::area::AreaLevel::Street) {
                return Err(ApiError::bad_field(
                    "street",
                    format!("{a:?} is not a known street"),
                ));
            }
            Ok(Some(a.to_string()))
        }
        (None, None) => Ok(None),
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| ApiError::Internal(format!("the OS random source failed: {e}")))?;
    Ok(buf)
}

/// A stored draw and whether its selection is what its seed and
/// population give.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DrawView {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub draw: DrawRecord,
    /// Recomputed from the stored seed and population just now.
    pub reproduces: bool,
}

fn draw_view(draw: DrawRecord) -> DrawView {
    DrawView {
        reproduces: draw.reproduces(),
        draw,
    }
}

/// The answer to a draw: the new draw and the week's sample in scope.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DrawResponse {
    pub draw: DrawView,
    pub checks: Vec<SampledOrder>,
}

/// Draws a week's spot checks (抽查): at least 5% of each street's orders
/// first resolved that week (one at least where a street has any), with a
/// fresh seed from the OS random source. Station staff draw their own
/// street; district admins every street or `street`. The draw is stored
/// whole (seed, population, selection, who, when): `GET
/// /api/v1/spot-checks/draws` re-checks it. Drawing again draws anew
/// (orders already sampled keep their first draw).
#[utoipa::path(post, path = "/api/v1/spot-checks/draw", tag = "warnings", security(("bearer" = [])),
    params(WeekQuery),
    responses((status = 200, body = DrawResponse), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn draw_spot_checks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<ApiJson<DrawResponse>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let now = state.clock.now();
    let week = parse_week(&q.week, now)?;
    let orders = state
        .store
        .orders(&OrderFilter {
            street: street.clone(),
            ..OrderFilter::default()
        })
        .await?;
    let resolved: std::collections::HashSet<String> =
        resolved_in_week(&orders, week).into_iter().collect();
    let mut population = spot_check::populations(
        orders
            .iter()
            .filter(|o| resolved.contains(&o.id))
            .map(|o| (o.street_code.clone(), o.id.clone())),
    );
    if let Some(s) = &street
        && population.is_empty()
    {
        population.push(spot_check::StreetPopulation {
            street_code: s.clone(),
            order_ids: Vec::new(),
        });
    }
    let seed = random_bytes::<{ spot_check::SEED_BYTES }>()?;
    let id = format!("D{}", hex::encode(random_bytes::<12>()?));
    let draw = DrawRecord::make(
        id,
        week,
        street.clone(),
        SPOT_CHECK_PERCENT,
        &seed,
        caller.account.id.to_string(),
        now,
        population,
    )
    .map_err(|e| ApiError::BadRequest {
        field: None,
        message: e.to_string(),
    })?;
    state.store.insert_spot_check_draw(&draw).await?;
    let checks = state
        .store
        .spot_checks(&week.to_string(), street.as_deref())
        .await?;
    Ok(ApiJson(DrawResponse {
        draw: draw_view(draw),
        checks,
    }))
}

/// The draws of a week in the caller's scope, each re-checked.
#[utoipa::path(get, path = "/api/v1/spot-checks/draws", tag = "warnings", security(("bearer" = [])),
    params(WeekQuery),
    responses((status = 200, body = Vec<DrawView>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn spot_check_draws(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<ApiJson<Vec<DrawView>>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let week = parse_week(&q.week, state.clock.now())?;
    let draws = state
        .store
        .spot_check_draws(&week.to_string(), street.as_deref())
        .await?;
    Ok(ApiJson(
        draws
            .into_iter()
            .map(|mut d| {
                // A district-wide draw shown to one street: its part only.
                if let Some(s) = &street {
                    d.population.retain(|p| &p.street_code == s);
                    d.samples.retain(|p| &p.street_code == s);
                }
                draw_view(d)
            })
            .collect(),
    ))
}

/// One street's spot checks of a week.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreetSpotChecks {
    pub street_code: String,
    /// Orders the street resolved in the week (now).
    pub resolved: usize,
    pub sampled: usize,
    /// `sampled / resolved`, percent (0 when nothing was resolved).
    pub sampled_percent: f64,
    pub reviewed: usize,
    pub satisfactory: usize,
    pub needs_improvement: usize,
    pub unsatisfactory: usize,
}

/// A week's spot checks: per street results and every sampled order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SpotCheckWeek {
    pub week: String,
    /// The least share each street's sample must reach, percent.
    pub min_percent: u32,
    pub streets: Vec<StreetSpotChecks>,
    pub checks: Vec<SampledOrder>,
}

/// The week's spot checks in the caller's scope: the results per street
/// (resolved, sampled and its share, reviewed, outcomes) and each sampled
/// order with its review.
#[utoipa::path(get, path = "/api/v1/spot-checks", tag = "warnings", security(("bearer" = [])),
    params(WeekQuery),
    responses((status = 200, body = SpotCheckWeek), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn spot_checks(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<ApiJson<SpotCheckWeek>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let week = parse_week(&q.week, state.clock.now())?;
    let orders = state
        .store
        .orders(&OrderFilter {
            street: street.clone(),
            ..OrderFilter::default()
        })
        .await?;
    let resolved: std::collections::HashSet<String> =
        resolved_in_week(&orders, week).into_iter().collect();
    let mut per: std::collections::BTreeMap<String, StreetSpotChecks> = Default::default();
    let blank = |s: &str| StreetSpotChecks {
        street_code: s.to_string(),
        resolved: 0,
        sampled: 0,
        sampled_percent: 0.0,
        reviewed: 0,
        satisfactory: 0,
        needs_improvement: 0,
        unsatisfactory: 0,
    };
    if let Some(s) = &street {
        per.insert(s.clone(), blank(s));
    }
    for o in orders.iter().filter(|o| resolved.contains(&o.id)) {
        per.entry(o.street_code.clone())
            .or_insert_with(|| blank(&o.street_code))
            .resolved += 1;
    }
    let checks = state
        .store
        .spot_checks(&week.to_string(), street.as_deref())
        .await?;
    for c in &checks {
        let Some(s) = &c.street_code else { continue };
        let row = per.entry(s.clone()).or_insert_with(|| blank(s));
        row.sampled += 1;
        if let Some(r) = &c.review {
            row.reviewed += 1;
            match r.outcome {
                SpotCheckOutcome::Satisfactory => row.satisfactory += 1,
                SpotCheckOutcome::NeedsImprovement => row.needs_improvement += 1,
                SpotCheckOutcome::Unsatisfactory => row.unsatisfactory += 1,
            }
        }
    }
    let streets = per
        .into_values()
        .map(|mut r| {
            r.sampled_percent = if r.resolved == 0 {
                0.0
            } else {
                (r.sampled as f64 * 1000.0 / r.resolved as f64).round() / 10.0
            };
            r
        })
        .collect();
    Ok(ApiJson(SpotCheckWeek {
        week: week.to_string(),
        min_percent: SPOT_CHECK_PERCENT,
        streets,
        checks,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpotCheckRequest {
    /// satisfactory, needs_improvement or unsatisfactory.
    #[schema(value_type = String)]
    pub outcome: SpotCheckOutcome,
    /// Required unless satisfactory.
    pub note: Option<String>,
    /// The week the order was sampled in, e.g. `2025-W10`.
    pub week: String,
}

/// Records the review (verdict and note) of a sampled order: station staff
/// for their own street's orders only, district admins any.
#[utoipa::path(post, path = "/api/v1/spot-checks/{order_id}", tag = "warnings", security(("bearer" = [])),
    params(("order_id" = String, Path)), request_body = SpotCheckRequest,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn record_spot_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(order_id): Path<String>,
    ApiJson(req): ApiJson<SpotCheckRequest>,
) -> Result<ApiJson<SpotCheck>, ApiError> {
    let street = spot_check_street(&state, &caller, None).await?;
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
    if !state
        .store
        .record_spot_check(&check, street.as_deref())
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "order {order_id} was not sampled in {week}{}",
            street
                .map(|s| format!(" in street {s}"))
                .unwrap_or_default()
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

/// How long computed indicators are served before they are computed again
/// even without a change seen on this instance (changes made through
/// other instances, deadlines passing), in the server's clock.
pub const INDICATOR_TTL: chrono::Duration = chrono::Duration::seconds(30);

/// The indicators and the coverage they include, computed on demand and
/// kept: the coverage per catalogue version (it depends on nothing else;
/// the walking network is fixed for the process), the indicators until an
/// order, rating or hotline record changes on this instance
/// ([`crate::events::EventBus::generation`]), the catalogue changes, or
/// [`INDICATOR_TTL`] passes. One computation at a time: concurrent
/// callers wait for it and share the result. On demand rather than in the
/// background, so an idle server computes nothing.
#[derive(Debug, Default)]
pub struct IndicatorCache {
    coverage: tokio::sync::Mutex<Option<(u64, std::sync::Arc<Vec<StreetCoverage>>)>>,
    report: tokio::sync::Mutex<Option<CachedReport>>,
    /// Times the coverage was computed (exported in `/metrics`).
    pub coverage_computations: std::sync::atomic::AtomicU64,
    /// Times the indicators were computed (exported in `/metrics`).
    pub report_computations: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct CachedReport {
    year: i32,
    catalogue_version: u64,
    generation: u64,
    computed_at: chrono::DateTime<chrono::Utc>,
    report: std::sync::Arc<IndicatorReport>,
}

/// The coverage per street for the current catalogue.
async fn street_coverage(
    state: &AppState,
    catalogue_version: u64,
) -> Result<std::sync::Arc<Vec<StreetCoverage>>, ApiError> {
    let mut slot = state.indicator_cache.coverage.lock().await;
    if let Some((version, cov)) = slot.as_ref()
        && *version == catalogue_version
    {
        return Ok(cov.clone());
    }
    let areas = state.store.areas().await?;
    let facilities = state
        .store
        .facilities(&crate::store::FacilityFilter::default())
        .await?;
    let spatial = state.spatial.clone();
    let coverage = tokio::task::spawn_blocking(move || {
        lawcircle_core::coverage::compute(
            &areas,
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
    state
        .indicator_cache
        .coverage_computations
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let street_cov: std::sync::Arc<Vec<StreetCoverage>> = std::sync::Arc::new(
        coverage
            .streets
            .iter()
            .filter_map(|s| {
                Some(StreetCoverage {
                    street_code: s.code.clone()?,
                    covered_villages: s.villages_covered as u32,
                    total_villages: s.villages as u32,
                })
            })
            .collect(),
    );
    *slot = Some((catalogue_version, street_cov.clone()));
    Ok(street_cov)
}

async fn report(
    state: &AppState,
    year: Option<i32>,
) -> Result<std::sync::Arc<IndicatorReport>, ApiError> {
    let now = state.clock.now();
    let year = year.unwrap_or_else(|| now.year());
    let mut slot = state.indicator_cache.report.lock().await;
    // Read before computing: a change landing meanwhile makes the next
    // call compute again.
    let generation = state.events.generation();
    let catalogue_version = state.store.catalogue_version().await?;
    if let Some(c) = slot.as_ref()
        && c.year == year
        && c.catalogue_version == catalogue_version
        && c.generation == generation
        && now >= c.computed_at
        && now - c.computed_at < INDICATOR_TTL
    {
        return Ok(c.report.clone());
    }
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let ratings = state.store.ratings().await?;
    let calls = state.store.hotline_calls().await?;
    let areas = state.store.areas().await?;
    let street_cov = street_coverage(state, catalogue_version).await?;
    let streets: Vec<String> = areas
        .iter()
        .filter(|a| a.level == lawcircle_core::area::AreaLevel::Street)
        .map(|a| a.code.clone())
        .collect();
    let district = areas
        .iter()
        .find(|a| a.level == lawcircle_core::area::AreaLevel::District)
        .map_or_else(|| "district".to_string(), |a| a.code.clone());
    let report = std::sync::Arc::new(indicators::compute(
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
    ));
    state
        .indicator_cache
        .report_computations
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    *slot = Some(CachedReport {
        year,
        catalogue_version,
        generation,
        computed_at: now,
        report: report.clone(),
    });
    Ok(report)
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
    let report = (*report(&state, q.year).await?).clone();
    let ratings = crate::api::ratings::rating_report(&state, state.clock.now()).await?;
    Ok(ApiJson(IndicatorsAnswer { report, ratings }))
}

/// Compares two strings in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The same indicators in the Prometheus text format (aggregates only, no
/// personal data), plus how often they were computed. Not public: a staff
/// account's token, or the scrape token configured with `metrics_token`.
#[utoipa::path(get, path = "/metrics", tag = "warnings", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let token = crate::auth::bearer_token(&headers)?;
    let scraper = state
        .metrics_token_hash
        .as_deref()
        .is_some_and(|h| same_secret(h, &crate::auth::token_hash(token)));
    if !scraper {
        let caller = crate::auth::caller_from_headers(&state, &headers).await?;
        require(&caller, Action::ReadMetrics)?;
    }
    let report = report(&state, None).await?;
    let cache = &state.indicator_cache;
    let mut text = indicators::to_prometheus(&report);
    text.push_str(&format!(
        "# HELP lawcircle_indicator_computations_total Times the indicators were computed; other scrapes were served from the cache.\n\
         # TYPE lawcircle_indicator_computations_total counter\n\
         lawcircle_indicator_computations_total {}\n\
         # HELP lawcircle_coverage_computations_total Times the coverage was computed (once per catalogue version).\n\
         # TYPE lawcircle_coverage_computations_total counter\n\
         lawcircle_coverage_computations_total {}\n",
        cache
            .report_computations
            .load(std::sync::atomic::Ordering::Relaxed),
        cache
            .coverage_computations
            .load(std::sync::atomic::Ordering::Relaxed),
    ));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
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
    state.events.touch();
    Ok(ApiJson(serde_json::json!({ "imported": n })))
}

/// Orders still to be dealt with, for the board: not final.
pub fn active_states() -> Vec<OrderState> {
    OrderState::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .collect()
}
