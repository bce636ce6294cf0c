//! Punches (签到打卡): synced from the volunteers' phones (`POST /punches`,
//! idempotent by the `Idempotency-Key` header) and re-checked against the
//! duty post's fence and the server's clock; for station staff, the ones
//! flagged for review, supervisor rulings with a reason, the tamper-evidence
//! check of a volunteer's chain, and duty-hour totals.

use crate::api::idempotency::IdempotencyKey;
use crate::api::{authorize, require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::PUNCH_ENDPOINT;
use axum::extract::Path;
use axum::response::Response;
use lawcircle_core::authz::{Action, On};
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::needs::MAX_CLOCK_SKEW;
use lawcircle_core::volunteers::clock_in::ClockInPolicy;
use lawcircle_core::volunteers::duty_hours::{HourTotals, pair_sessions};
use lawcircle_core::volunteers::pool::{Actor, VolunteerState};
use lawcircle_core::volunteers::punch::{
    Punch, PunchStatus, PunchWarning, ReviewDecision, verify_chain,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn reviewer(caller: &Caller) -> Result<Actor, ApiError> {
    let id = caller.account.id.to_string();
    match caller.account.role {
        lawcircle_core::authz::Role::DistrictAdmin => Ok(Actor::DistrictAdmin { id }),
        lawcircle_core::authz::Role::StationStaff => Ok(Actor::StationStaff {
            id,
            street_code: caller.account.street_code.clone().unwrap_or_default(),
        }),
        _ => Err(ApiError::forbidden()),
    }
}

/// A punch with where it stands and why it was flagged.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PunchView {
    #[schema(value_type = Object)]
    pub punch: Punch,
    #[schema(value_type = String)]
    pub status: PunchStatus,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<PunchWarning>,
    /// The exact GPS fix was left out: ask with a `reason` to see it
    /// (audited). The device's and the server's verdicts and distances
    /// stay.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fix_withheld: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PunchQuery {
    /// Only this volunteer's punches.
    pub volunteer: Option<String>,
    /// Only punches waiting for review.
    pub pending: Option<bool>,
    /// Why the exact GPS fixes are needed (a few words): with it the
    /// fixes are shown and each read is audited; without it they are
    /// withheld.
    pub reason: Option<String>,
    /// At most this many punches (1–500, default 100): the answer is a
    /// page (`{items, next_cursor}`). Without `limit` or `cursor`: the
    /// first 500 as a plain array (older clients).
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
}

/// The first 500 punches (an array, as before), or, with `limit` or
/// `cursor`, one page of them (`{items, next_cursor}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PunchList {
    All(Vec<PunchView>),
    Page(crate::api::pagination::CursorPage<PunchView>),
}

/// The punches in the caller's street (all for district admins) in chain
/// order (by volunteer, then sequence), of one volunteer or only those
/// waiting for review if asked; paged by an opaque cursor.
#[utoipa::path(get, path = "/api/v1/punches/review-queue", tag = "volunteers", security(("bearer" = [])),
    params(PunchQuery),
    responses((status = 200, body = PunchList), refusal::Invalid, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<PunchQuery>,
    headers: axum::http::HeaderMap,
) -> Result<ApiJson<PunchList>, ApiError> {
    let scope = require(&caller, Action::ReviewPunch)?;
    let street = scoped_street(&caller, scope)?;
    let reason = q
        .reason
        .as_deref()
        .map(crate::usecases::audit::read_reason)
        .transpose()?;
    let want = crate::api::pagination::want_cursor::<(String, i64)>(q.cursor.as_deref(), q.limit)?;
    let filter = crate::store::PunchFilter {
        volunteer: q.volunteer.clone(),
        street,
        status: q
            .pending
            .unwrap_or(false)
            .then_some(PunchStatus::PendingReview),
    };
    let rows = state
        .store
        .punches_page(
            &filter,
            want.after.as_ref().map(|(v, seq)| (v.as_str(), *seq)),
            want.fetch(),
        )
        .await?;
    let page = crate::api::pagination::CursorPage::from_overfetch(rows, want.limit, |p| {
        crate::api::pagination::encode_key(&(
            &p.volunteer_id,
            i64::try_from(p.seq).unwrap_or(i64::MAX),
        ))
    });
    let mut views: Vec<PunchView> = page
        .items
        .into_iter()
        .map(|p| PunchView {
            status: p.status(),
            warnings: p.warnings(),
            punch: p,
            fix_withheld: false,
        })
        .collect();
    for v in &mut views {
        if v.punch.fix.is_none() {
            continue;
        }
        match reason {
            // Each exact fix shown is one audited read.
            Some(reason) => {
                crate::usecases::audit::record_read(
                    &state,
                    &caller,
                    &headers,
                    crate::usecases::audit::PersonalDataRead {
                        action: "read_punch_fix",
                        subject_type: "punch",
                        subject_id: v.punch.id.clone(),
                        fields: "fix",
                    },
                    reason,
                )
                .await?
            }
            None => {
                v.punch.fix = None;
                v.fix_withheld = true;
            }
        }
    }
    Ok(ApiJson(if want.paged {
        PunchList::Page(crate::api::pagination::CursorPage {
            items: views,
            next_cursor: page.next_cursor,
        })
    } else {
        PunchList::All(views)
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `accept` or `reject`.
    #[schema(value_type = String)]
    pub decision: ReviewDecision,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/punches/{id}/review", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReviewRequest,
    responses((status = 200, body = PunchView), refusal::Invalid,
        refusal::Forbidden, refusal::NotFound))]
pub async fn review(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> Result<ApiJson<PunchView>, ApiError> {
    require(&caller, Action::ReviewPunch)?;
    let mut punch = state
        .store
        .punch(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("punch {id}")))?;
    authorize(
        &caller,
        Action::ReviewPunch,
        &On::Record(Some(&punch.street_code)),
        || format!("punch {id}"),
    )?;
    punch
        .review(
            reviewer(&caller)?,
            state.clock.now(),
            req.decision,
            &req.reason,
        )
        .map_err(|e| ApiError::bad_field("reason", e.to_string()))?;
    state.store.update_punch_data(&punch).await?;
    // The ruling's answer shows no exact fix (the queue shows it, audited).
    let fix_withheld = punch.fix.take().is_some();
    Ok(ApiJson(PunchView {
        status: punch.status(),
        warnings: punch.warnings(),
        punch,
        fix_withheld,
    }))
}

/// The outcome of a chain check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    pub volunteer_id: String,
    pub punches: usize,
    pub intact: bool,
    /// The first broken link, when not intact.
    #[schema(value_type = Option<Object>)]
    pub first_break: Option<lawcircle_core::volunteers::punch::ChainBreak>,
}

#[utoipa::path(get, path = "/api/v1/punches/chains/{volunteer_id}", tag = "volunteers",
    security(("bearer" = [])), params(("volunteer_id" = String, Path)),
    responses((status = 200, body = ChainReport), refusal::Forbidden))]
pub async fn verify(
    SignedIn { state, caller }: SignedIn,
    Path(volunteer_id): Path<String>,
) -> Result<ApiJson<ChainReport>, ApiError> {
    require(&caller, Action::ReviewPunch)?;
    let chain = state.store.punches(Some(&volunteer_id), None).await?;
    let streets: Vec<&str> = chain.iter().map(|p| p.street_code.as_str()).collect();
    authorize(&caller, Action::ReviewPunch, &On::AnyOf(&streets), || {
        format!("volunteer {volunteer_id}")
    })?;
    let result = verify_chain(&chain);
    Ok(ApiJson(ChainReport {
        volunteer_id,
        punches: chain.len(),
        intact: result.is_ok(),
        first_break: result.err(),
    }))
}

/// Duty-hour totals and each volunteer's star level (星级) from them.
#[derive(Debug, Serialize)]
pub struct DutyHoursView {
    #[serde(flatten)]
    pub totals: HourTotals,
    /// Volunteer account → stars (0 to 5) by their total hours.
    pub stars: std::collections::BTreeMap<String, u8>,
    /// The hours each star needs, lowest first.
    pub star_thresholds_h: Vec<f64>,
}

/// The star level of every volunteer in `totals`, by the default table.
fn with_stars(totals: HourTotals) -> DutyHoursView {
    let levels = lawcircle_core::volunteers::pool::StarLevels::default();
    let stars = totals
        .by_volunteer
        .keys()
        .map(|id| (id.clone(), totals.stars(id, &levels)))
        .collect();
    DutyHoursView {
        totals,
        stars,
        star_thresholds_h: levels.thresholds_h,
    }
}

/// Duty-hour totals per volunteer, post, street and month, from accepted
/// punches paired into sessions (at most 16 h each; each volunteer's
/// punches paired together, a street admin seeing the sessions served in
/// their street), with each volunteer's star level.
#[utoipa::path(get, path = "/api/v1/duty-hours", tag = "volunteers", security(("bearer" = [])),
    responses((status = 200, body = Object), refusal::Forbidden))]
pub async fn duty_hours(
    SignedIn { state, caller }: SignedIn,
) -> Result<ApiJson<DutyHoursView>, ApiError> {
    let scope = require(&caller, Action::ReviewPunch)?;
    let street = scoped_street(&caller, scope)?;
    // Kept per volunteer with every write of their punches: the rows of
    // the street (or all), not every punch.
    let duty = state.store.duty_millis(street.as_deref()).await?;
    Ok(ApiJson(with_stars(HourTotals::from_duty(
        duty.iter().map(|(k, ms)| (k, *ms)),
        &[],
    ))))
}

pub use lawcircle_api::punches::{DutySessionView, MyDutyHours, PunchReceipt};

/// How many sessions `MyDutyHours::recent` lists.
pub const RECENT_SESSIONS: usize = 10;

/// The caller's own duty hours (accepted punches paired into sessions of
/// at most 16 h, as the staff totals count them) and their star level.
#[utoipa::path(get, path = "/api/v1/duty-hours/mine", tag = "volunteers", security(("bearer" = [])),
    responses((status = 200, body = MyDutyHours), refusal::Unauthenticated, refusal::Forbidden))]
pub async fn my_duty_hours(
    SignedIn { state, caller }: SignedIn,
) -> Result<ApiJson<MyDutyHours>, ApiError> {
    require(&caller, Action::ClockIn)?;
    let me = caller.account.id.to_string();
    let punches = state.store.punches(Some(&me), None).await?;
    let (mut sessions, _issues) = pair_sessions(&punches, 16.0);
    let totals = HourTotals::compute(&sessions, &[]);
    let levels = lawcircle_core::volunteers::pool::StarLevels::default();
    let total_h = totals.volunteer_total(&me);
    let now = state
        .clock
        .now()
        .with_timezone(&lawcircle_core::calendar::china_time());
    let month = format!(
        "{:04}-{:02}",
        chrono::Datelike::year(&now),
        chrono::Datelike::month(&now)
    );
    let month_h = totals
        .by_volunteer_month
        .get(&me)
        .and_then(|m| m.get(&month))
        .map_or(0.0, |h| h.total());
    sessions.sort_by_key(|s| std::cmp::Reverse(s.start));
    Ok(ApiJson(MyDutyHours {
        total_h,
        month,
        month_h,
        stars: levels.stars_for(total_h),
        hours_to_next_star: levels.hours_to_next(total_h),
        star_thresholds_h: levels.thresholds_h.clone(),
        recent: sessions
            .into_iter()
            .take(RECENT_SESSIONS)
            .map(|s| DutySessionView {
                hours: s.hours(),
                post_id: s.post_id,
                start: s.start,
                end: s.end,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/punches", tag = "needs", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header)),
    request_body(content = Object, description = "A Punch of lawcircle-core, as made on the phone"),
    responses((status = 201, body = PunchReceipt),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::Conflict))]
pub async fn create_punch(
    SignedIn { state, caller }: SignedIn,
    key: IdempotencyKey,
    ApiJson(mut punch): ApiJson<Punch>,
) -> Result<Response, ApiError> {
    require(&caller, Action::ClockIn)?;
    // What the phone decided is hashed; server-side fields are ignored.
    punch.received_at = None;
    punch.server_time_at_punch = None;
    punch.server_decision = None;
    punch.reviews.clear();
    punch.seq = 0;
    punch.prev_hash.clear();
    punch.hash.clear();
    let write = key.bind(PUNCH_ENDPOINT, caller.account.id, &punch)?;
    if let Some(replayed) = write.replayed(&state.store).await? {
        return Ok(replayed);
    }
    if punch.volunteer_id != caller.id {
        return Err(ApiError::bad_field(
            "volunteer_id",
            "a punch is synced by the volunteer who made it",
        ));
    }
    // Only an active volunteer record clocks in (and so accrues hours).
    let active = state
        .store
        .volunteers_of_account(caller.account.id)
        .await?
        .iter()
        .any(|v| v.volunteer.state == VolunteerState::Active);
    if !active {
        return Err(ApiError::Forbidden(
            "only an active volunteer may clock in: this account has no active volunteer record"
                .into(),
        ));
    }
    let now = state.clock.now();
    if punch.at.wall > now + MAX_CLOCK_SKEW {
        return Err(ApiError::bad_field(
            "at.wall",
            format!("{} is in the future", punch.at.wall),
        ));
    }
    let post = state
        .store
        .duty_posts_with_ids(&[punch.post_id.as_str()])
        .await?
        .into_iter()
        .find(|p| p.id == punch.post_id)
        .ok_or_else(|| ApiError::bad_field("post_id", "no such duty post"))?;
    // The street is the duty post's, never the phone's say: a punch cannot
    // be routed into another street's review queue or hour totals.
    if state.store.area_level(&post.street_code).await? != Some(AreaLevel::Street) {
        return Err(ApiError::bad_field(
            "post_id",
            format!(
                "duty post {} belongs to {:?}, which is not a known street",
                post.id, post.street_code
            ),
        ));
    }
    if punch.street_code != post.street_code {
        return Err(ApiError::bad_field(
            "street_code",
            format!(
                "duty post {} belongs to street {}, not {:?}",
                post.id, post.street_code, punch.street_code
            ),
        ));
    }
    let previous = state.store.last_punch(&punch.volunteer_id).await?;
    let previous_fix = previous.as_ref().and_then(|p| p.fix.clone());
    // Offline punches carry only the device's clocks; online ones were made
    // moments ago.
    let server_time = (!punch.offline).then_some(now);
    punch.reevaluate_on_server(
        &post,
        previous_fix.as_ref(),
        server_time,
        now,
        &ClockInPolicy::default(),
    );
    let outcome = state
        .store
        .append_punch(
            write.key(),
            write.hash(),
            caller.account.id,
            punch,
            now,
            |p| {
                let receipt = PunchReceipt {
                    id: p.id.clone(),
                    seq: p.seq,
                    hash: p.hash.clone(),
                    device_verdict: p.device_decision.verdict,
                    server_verdict: p.server_decision.as_ref().map(|d| d.verdict),
                    status: p.status(),
                    warnings: p.warnings(),
                };
                (
                    201,
                    serde_json::to_string(&receipt).unwrap_or_else(|_| "{}".into()),
                )
            },
        )
        .await?;
    write.answer(outcome)
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_punch))
        .routes(routes!(list))
        .routes(routes!(review))
        .routes(routes!(verify))
        .routes(routes!(duty_hours))
        .routes(routes!(my_duty_hours))
}
