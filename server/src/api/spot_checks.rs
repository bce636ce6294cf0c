//! Weekly spot checks (质量抽查): the draw of orders to check, kept whole so
//! anyone can re-check it, and the checks recorded.

use crate::api::{require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::SampledOrder;
use axum::extract::Path;
use lawcircle_core::authz::Action;
use lawcircle_core::orders::spot_check::{self, DrawRecord, SpotCheck, SpotCheckOutcome, Week};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// A week's list (spot checks, draws), a page at a time.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekPageQuery {
    /// ISO year and week, e.g. `2025-W10`; default: this week.
    pub week: Option<String>,
    /// A street code (district admins; station staff always get their
    /// own street).
    pub street: Option<String>,
    /// At most this many (1–500, default 100): the list is a page with a
    /// `next_cursor`. Without `limit` or `cursor`: the first 500.
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
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
            if state.store.area_level(a).await?
                != Some(lawcircle_core::catalogue::area::AreaLevel::Street)
            {
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

/// The answer to a draw: the new draw and the week's sample in scope (the
/// first 500 by order id).
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
    responses((status = 200, body = DrawResponse), refusal::Invalid, refusal::Forbidden))]
pub async fn draw_spot_checks(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<ApiJson<DrawResponse>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let now = state.clock.now();
    let week = parse_week(&q.week, now)?;
    // Only the week's resolved orders, through the resolution-time index.
    let resolved = state
        .store
        .orders_resolved_in(week, street.as_deref())
        .await?;
    let mut population = spot_check::populations(
        resolved
            .iter()
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
    // The week's first page at the maximum (the rest: `GET
    // /api/v1/spot-checks` with its cursor).
    let checks = state
        .store
        .spot_checks_page(
            &week.to_string(),
            street.as_deref(),
            None,
            crate::api::pagination::MAX_LIMIT,
        )
        .await?;
    Ok(ApiJson(DrawResponse {
        draw: draw_view(draw),
        checks,
    }))
}

/// The first 500 draws (an array, as before), or, with `limit` or
/// `cursor`, one page of them (`{items, next_cursor}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DrawList {
    All(Vec<DrawView>),
    Page(crate::api::pagination::CursorPage<DrawView>),
}

/// The draws of a week in the caller's scope, each re-checked, oldest
/// first; paged by an opaque cursor.
#[utoipa::path(get, path = "/api/v1/spot-checks/draws", tag = "warnings", security(("bearer" = [])),
    params(WeekPageQuery),
    responses((status = 200, body = DrawList), refusal::Invalid, refusal::Forbidden))]
pub async fn spot_check_draws(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<WeekPageQuery>,
) -> Result<ApiJson<DrawList>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let week = parse_week(&q.week, state.clock.now())?;
    let want = crate::api::pagination::want_cursor::<(i64, String)>(q.cursor.as_deref(), q.limit)?;
    let rows = state
        .store
        .spot_check_draws_page(
            &week.to_string(),
            street.as_deref(),
            want.after.as_ref().map(|(at, id)| (*at, id.as_str())),
            want.fetch(),
        )
        .await?;
    let page = crate::api::pagination::CursorPage::from_overfetch(rows, want.limit, |(key, _)| {
        crate::api::pagination::encode_key(key)
    });
    let items = page
        .items
        .into_iter()
        .map(|(_, mut d)| {
            // A district-wide draw shown to one street: its part only.
            if let Some(s) = &street {
                d.population.retain(|p| &p.street_code == s);
                d.samples.retain(|p| &p.street_code == s);
            }
            draw_view(d)
        })
        .collect();
    Ok(ApiJson(if want.paged {
        DrawList::Page(crate::api::pagination::CursorPage {
            items,
            next_cursor: page.next_cursor,
        })
    } else {
        DrawList::All(items)
    }))
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

/// A week's spot checks: per street results and the sampled orders, a
/// page at a time by order id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SpotCheckWeek {
    pub week: String,
    /// The least share each street's sample must reach, percent.
    pub min_percent: u32,
    pub streets: Vec<StreetSpotChecks>,
    /// The sampled orders of this page (the first 500 without `limit` or
    /// `cursor`), by order id.
    pub checks: Vec<SampledOrder>,
    /// Pass as `cursor` for the next page of `checks`; absent on the last
    /// page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The week's spot checks in the caller's scope: the results per street
/// (resolved, sampled and its share, reviewed, outcomes) and each sampled
/// order with its review, a page at a time by order id (the results per
/// street count every sampled order).
#[utoipa::path(get, path = "/api/v1/spot-checks", tag = "warnings", security(("bearer" = [])),
    params(WeekPageQuery),
    responses((status = 200, body = SpotCheckWeek), refusal::Invalid, refusal::Forbidden))]
pub async fn spot_checks(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<WeekPageQuery>,
) -> Result<ApiJson<SpotCheckWeek>, ApiError> {
    let street = spot_check_street(&state, &caller, q.street.as_deref()).await?;
    let week = parse_week(&q.week, state.clock.now())?;
    let want = crate::api::pagination::want_cursor::<String>(q.cursor.as_deref(), q.limit)?;
    let resolved = state
        .store
        .orders_resolved_in(week, street.as_deref())
        .await?;
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
    for o in &resolved {
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
    let rows = state
        .store
        .spot_checks_page(
            &week.to_string(),
            street.as_deref(),
            want.after.as_deref(),
            want.fetch(),
        )
        .await?;
    let page = crate::api::pagination::CursorPage::from_overfetch(rows, want.limit, |c| {
        crate::api::pagination::encode_key(&c.order_id)
    });
    Ok(ApiJson(SpotCheckWeek {
        week: week.to_string(),
        min_percent: SPOT_CHECK_PERCENT,
        streets,
        checks: page.items,
        next_cursor: page.next_cursor,
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
    responses((status = 200, body = Object), refusal::Invalid, refusal::Forbidden,
        refusal::NotFound))]
pub async fn record_spot_check(
    SignedIn { state, caller }: SignedIn,
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
    if !crate::notifications::queue::record_spot_check(&state, &check, street.as_deref(), now)
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

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(spot_checks))
        .routes(routes!(draw_spot_checks))
        .routes(routes!(spot_check_draws))
        .routes(routes!(record_spot_check))
}
