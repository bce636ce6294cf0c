//! The quality indicators of the plan (coverage, response, resolution,
//! satisfaction) as JSON for the console and as Prometheus text at
//! `/metrics`, cached for a short while.

use crate::api::ratings::report::{RatingReport, rating_report};
use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::usecases::circle::over_catalogue;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use lawcircle_core::authz::Action;
use lawcircle_core::catalogue::facility::ServiceProduct;
use lawcircle_core::circle::coverage::{CoverageReport, CoverageStandard};
use lawcircle_core::orders::indicators::{
    self, AggregatedInputs, IndicatorReport, StreetCoverage, Targets,
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

/// The indicators and the coverage they include, kept: the coverage per
/// catalogue version (it depends on nothing else: the walking network is
/// loaded once per process), the indicators until an order, rating or
/// hotline record changes on this instance
/// ([`crate::events::EventBus::generation`]), the catalogue changes, or
/// [`INDICATOR_TTL`] passes. The background refresher ([`spawn_refresh`])
/// recomputes the coverage when the catalogue version moves, so requests
/// are answered from the cache; a request finding nothing for the
/// current version computes it once (concurrent callers wait and share).
#[derive(Debug, Default)]
pub struct IndicatorCache {
    /// Coverage reports by catalogue version and required products (the
    /// default standard, and the few product sets asked for), newest last.
    reports: tokio::sync::Mutex<Vec<CachedCoverage>>,
    coverage: tokio::sync::Mutex<Option<(u64, std::sync::Arc<Vec<StreetCoverage>>)>>,
    report: tokio::sync::Mutex<Option<CachedReport>>,
    /// The rating figures (by channel, why unrated), kept like the
    /// indicators: until a change on this instance or [`INDICATOR_TTL`].
    ratings: tokio::sync::Mutex<Option<CachedRatings>>,
    /// Times the coverage was computed (exported in `/metrics`).
    pub coverage_computations: std::sync::atomic::AtomicU64,
    /// Times the indicators were computed (exported in `/metrics`).
    pub report_computations: std::sync::atomic::AtomicU64,
}

/// How many coverage reports are kept (other product sets than the
/// default are computed on request and kept among these).
const KEPT_REPORTS: usize = 16;

#[derive(Debug)]
struct CachedCoverage {
    catalogue_version: u64,
    products: Option<Vec<ServiceProduct>>,
    report: std::sync::Arc<CoverageReport>,
}

#[derive(Debug)]
struct CachedReport {
    year: i32,
    catalogue_version: u64,
    generation: u64,
    computed_at: chrono::DateTime<chrono::Utc>,
    report: std::sync::Arc<IndicatorReport>,
}

#[derive(Debug)]
struct CachedRatings {
    generation: u64,
    computed_at: chrono::DateTime<chrono::Utc>,
    report: std::sync::Arc<RatingReport>,
}

/// The rating figures, from the cache while no order, rating, rating
/// request, link, call-back or SMS status changed on this instance and
/// [`INDICATOR_TTL`] has not passed (which bounds how late a request
/// expiring, or a change through another instance, shows), else counted
/// again ([`crate::api::ratings::report::rating_report`]: one grouped
/// query over the resolved orders).
async fn rating_figures(state: &AppState) -> Result<std::sync::Arc<RatingReport>, ApiError> {
    let now = state.clock.now();
    let mut slot = state.indicator_cache.ratings.lock().await;
    let generation = state.events.generation();
    if let Some(c) = slot.as_ref()
        && c.generation == generation
        && now >= c.computed_at
        && now - c.computed_at < INDICATOR_TTL
    {
        return Ok(c.report.clone());
    }
    let report = std::sync::Arc::new(rating_report(state, now).await?);
    *slot = Some(CachedRatings {
        generation,
        computed_at: now,
        report: report.clone(),
    });
    Ok(report)
}

/// The coverage report for `catalogue_version` and the required
/// `products` (`None`: the standard's eight), from the cache or computed
/// and kept. Kept only when the catalogue did not change while it was
/// computed (else it would be filed under a version it does not match).
pub async fn coverage_for(
    state: &AppState,
    catalogue_version: u64,
    products: Option<Vec<ServiceProduct>>,
) -> Result<std::sync::Arc<CoverageReport>, ApiError> {
    let cache = &state.indicator_cache;
    let mut kept = cache.reports.lock().await;
    if let Some(c) = kept
        .iter()
        .find(|c| c.catalogue_version == catalogue_version && c.products == products)
    {
        return Ok(c.report.clone());
    }
    let mut standard = CoverageStandard::default();
    if let Some(p) = &products {
        standard.required_products = p.clone();
    }
    let report = std::sync::Arc::new(
        over_catalogue(state, move |areas, facilities, network| {
            lawcircle_core::circle::coverage::compute(areas, facilities, network, &standard)
        })
        .await?,
    );
    cache
        .coverage_computations
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if state.store.catalogue_version().await? == catalogue_version {
        kept.retain(|c| c.catalogue_version == catalogue_version);
        if kept.len() >= KEPT_REPORTS {
            kept.remove(0);
        }
        kept.push(CachedCoverage {
            catalogue_version,
            products,
            report: report.clone(),
        });
    }
    Ok(report)
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
    let coverage = coverage_for(state, catalogue_version, None).await?;
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

/// Recomputes the coverage and the indicators in the background when the
/// catalogue version moves (checked every `every`: one small query), so
/// requests and scrapes find them ready. Runs on every instance (each
/// keeps its own cache) until the process ends.
pub fn spawn_refresh(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seen: Option<u64> = None;
        loop {
            tick.tick().await;
            let version = match state.store.catalogue_version().await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the catalogue version");
                    continue;
                }
            };
            if seen == Some(version) {
                continue;
            }
            match report(&state, None).await {
                Ok(_) => seen = Some(version),
                Err(e) => tracing::warn!(error = ?e, "cannot compute the coverage and indicators"),
            }
        }
    });
}

async fn report(
    state: &AppState,
    year: Option<i32>,
) -> Result<(u64, std::sync::Arc<IndicatorReport>), ApiError> {
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
        return Ok((catalogue_version, c.report.clone()));
    }
    let (district_orders, street_orders) = state.store.order_aggregates(now).await?;
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
    let report = std::sync::Arc::new(indicators::compute_aggregated(
        &AggregatedInputs {
            district_code: &district,
            year,
            now,
            streets: &streets,
            district: &district_orders,
            by_street: &street_orders,
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
    Ok((catalogue_version, report))
}

/// The indicators and the ratings behind satisfaction: by channel, and
/// why resolved orders were not rated.
#[derive(Debug, serde::Serialize)]
pub struct IndicatorsAnswer {
    /// The catalogue version the coverage figures are for.
    pub catalogue_version: u64,
    #[serde(flatten)]
    pub report: IndicatorReport,
    pub ratings: RatingReport,
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
    let (catalogue_version, report) = report(&state, q.year).await?;
    let report = (*report).clone();
    let ratings = (*rating_figures(&state).await?).clone();
    Ok(ApiJson(IndicatorsAnswer {
        catalogue_version,
        report,
        ratings,
    }))
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
    let (catalogue_version, report) = report(&state, None).await?;
    let cache = &state.indicator_cache;
    let mut text = indicators::to_prometheus(&report);
    text.push_str(&format!(
        "# HELP lawcircle_indicator_computations_total Times the indicators were computed; other scrapes were served from the cache.\n\
         # TYPE lawcircle_indicator_computations_total counter\n\
         lawcircle_indicator_computations_total {}\n\
         # HELP lawcircle_coverage_computations_total Times the coverage was computed (once per catalogue version).\n\
         # TYPE lawcircle_coverage_computations_total counter\n\
         lawcircle_coverage_computations_total {}\n\
         # HELP lawcircle_catalogue_version The catalogue version the coverage figures are for.\n\
         # TYPE lawcircle_catalogue_version gauge\n\
         lawcircle_catalogue_version {}\n\
         # HELP lawcircle_job_runs_total Successful runs of the background job on this instance.\n\
         # TYPE lawcircle_job_runs_total counter\n\
         lawcircle_job_runs_total {}\n\
         # HELP lawcircle_job_rows_read_total Stored rows the background job's runs read (it reads what changed or fell due, not whole tables).\n\
         # TYPE lawcircle_job_rows_read_total counter\n\
         lawcircle_job_rows_read_total {}\n\
         # HELP lawcircle_job_last_run_rows_read Stored rows the last run of the background job read.\n\
         # TYPE lawcircle_job_last_run_rows_read gauge\n\
         lawcircle_job_last_run_rows_read {}\n",
        cache
            .report_computations
            .load(std::sync::atomic::Ordering::Relaxed),
        cache
            .coverage_computations
            .load(std::sync::atomic::Ordering::Relaxed),
        catalogue_version,
        state.job_stats.runs(),
        state.job_stats.rows_read(),
        state.job_stats.last_rows_read(),
    ));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators_json))
        .routes(routes!(metrics))
}
