//! The quality indicators of the plan (coverage, response, resolution,
//! satisfaction) as JSON for the console and as Prometheus text at
//! `/metrics`, cached for a short while.

use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::OrderFilter;
use crate::usecases::circle::over_catalogue;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use lawcircle_core::authz::Action;
use lawcircle_core::orders::indicators::{
    self, IndicatorInputs, IndicatorReport, StreetCoverage, Targets,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    let coverage = over_catalogue(state, |areas, facilities, network| {
        lawcircle_core::circle::coverage::compute(
            areas,
            facilities,
            network,
            &lawcircle_core::circle::coverage::CoverageStandard::default(),
        )
    })
    .await?;
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
        .filter(|a| a.level == lawcircle_core::catalogue::area::AreaLevel::Street)
        .map(|a| a.code.clone())
        .collect();
    let district = areas
        .iter()
        .find(|a| a.level == lawcircle_core::catalogue::area::AreaLevel::District)
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
    pub ratings: crate::api::ratings::report::RatingReport,
}

/// Indicators per street and for the district, each next to its target;
/// `ratings` counts every channel (app, link, call-back) and the reasons
/// of the resolved orders without a rating.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "warnings", security(("bearer" = [])),
    params(IndicatorQuery),
    responses((status = 200, body = Object), refusal::Forbidden))]
pub async fn indicators_json(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<ApiJson<IndicatorsAnswer>, ApiError> {
    require(&caller, Action::ReadIndicators)?;
    let report = (*report(&state, q.year).await?).clone();
    let ratings = crate::api::ratings::report::rating_report(&state, state.clock.now()).await?;
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
        refusal::Unauthenticated, refusal::Forbidden))]
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

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators_json))
        .routes(routes!(metrics))
}
