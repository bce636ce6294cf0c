//! Dispatch: the open orders offered to a volunteer (`GET /orders/offers`)
//! and the volunteers suggested for an order (`GET /orders/{id}/suggestions`),
//! ranked by the core's dispatch rules.

use crate::api::orders::{OrderView, load, view};
use crate::api::require;
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{OrderFilter, RatingSum, StoredVolunteer, TakerInputs, open_clock_ins_since};
use axum::extract::Path;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::{Action, Role};
use lawcircle_core::geo::coord::{Datum, GeoPoint};
use lawcircle_core::orders::dispatch::{self, Candidate, OfferRequest, ScoringWeights, Suggestion};
use lawcircle_core::orders::order::{Order, OrderKind, OrderState};
use lawcircle_core::volunteers::duty_hours::ms_to_hours;
use lawcircle_core::volunteers::pool::{StarLevels, VolunteerState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the phone says it is. Kept for older phones; it decides nothing:
/// eligibility measures from the duty post of the caller's open clock-in.
pub use lawcircle_api::orders::Position;

/// The point of a [`Position`], if it gives one.
pub(crate) fn position_point(pos: &Position) -> Result<Option<GeoPoint>, ApiError> {
    match (pos.lat, pos.lng) {
        (Some(lat), Some(lng)) => {
            let datum: Datum = pos.datum.as_deref().unwrap_or("wgs84").parse().map_err(
                |e: lawcircle_core::geo::coord::CoordError| {
                    ApiError::bad_field("datum", e.to_string())
                },
            )?;
            GeoPoint::new(lat, lng, datum)
                .map(Some)
                .map_err(|e| ApiError::bad_field("lat", e.to_string()))
        }
        (None, None) => Ok(None),
        _ => Err(ApiError::bad_field("lng", "give lat and lng together")),
    }
}

/// The volunteer or lawyer record, among an account's, that may take
/// orders now.
pub(crate) fn active_record(records: Vec<StoredVolunteer>) -> Option<StoredVolunteer> {
    records
        .into_iter()
        .find(|v| v.volunteer.state == VolunteerState::Active)
}

/// A candidate with what eligibility needs (specialties, streets, the open
/// clock-in); distance, load, rating and stars are filled by the caller.
fn base_candidate(
    v: &StoredVolunteer,
    role: Role,
    now: DateTime<Utc>,
    on_duty: Option<dispatch::OnDuty>,
) -> Candidate {
    let vol = &v.volunteer;
    Candidate {
        id: v.account_id.to_string(),
        role,
        specialties: vol.profile.specialties.clone(),
        home_street_code: vol.profile.home_street_code.clone(),
        lent_to_street_codes: vol
            .loan_at(now)
            .map(|l| vec![l.to_street_code.clone()])
            .unwrap_or_default(),
        on_duty,
        distance: None,
        current_load: 0,
        mean_rating: None,
        stars: 0,
    }
}

/// Where the need of each order is: the place kept with the order, else
/// its area's centroid (orders made before the place was kept).
async fn need_places(
    state: &AppState,
    orders: &[Order],
) -> Result<Vec<Option<GeoPoint>>, ApiError> {
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        out.push(match o.place {
            Some(p) => Some(p),
            None => state.store.area_centroid(&o.area_code).await?,
        });
    }
    Ok(out)
}

fn offer_request(order: &Order, max_distance_m: f64) -> OfferRequest {
    OfferRequest::new(
        &order.category,
        order.specialty.as_deref(),
        order.street_code.clone(),
        max_distance_m,
    )
}

/// For each order, whether the caller (whose active volunteer or lawyer
/// record is `v`, and `taker` their recent punches and posts, read once
/// by the handler) is offered it: eligibility from their open clock-in
/// and the distance from its place to each order's (`places`, in the
/// orders' order).
pub(crate) fn offered_to(
    state: &AppState,
    caller: &Caller,
    v: &StoredVolunteer,
    taker: &TakerInputs,
    orders: &[Order],
    places: &[Option<GeoPoint>],
) -> Vec<Result<(), Vec<dispatch::Ineligible>>> {
    let now = state.clock.now();
    let me = caller.account.id.to_string();
    let duty = dispatch::on_duty(&taker.punches, &taker.posts, &me, now);
    let place = duty.as_ref().and_then(|d| d.place);
    let mut c = base_candidate(v, caller.account.role, now, duty);
    let known: Vec<(usize, GeoPoint)> = places
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    let mut measures = vec![None; orders.len()];
    if let Some(from) = place {
        let targets: Vec<GeoPoint> = known.iter().map(|(_, p)| *p).collect();
        let m = dispatch::distances_from(
            state.spatial.network(),
            from,
            &targets,
            state.offer_radius_m,
        );
        for ((i, _), m) in known.iter().zip(m) {
            measures[*i] = Some(m);
        }
    }
    orders
        .iter()
        .zip(measures)
        .map(|(o, m)| {
            c.distance = m;
            let why = dispatch::ineligibility(&c, &offer_request(o, state.offer_radius_m));
            if why.is_empty() { Ok(()) } else { Err(why) }
        })
        .collect()
}

/// The open consultations offered to the caller (a volunteer or lawyer):
/// matching specialty, their street (or where they are lent), an open
/// clock-in at a duty post, and within the walking radius (1.2 km by
/// default) from that post to the need. The phone's `lat`/`lng` are
/// accepted for older phones but decide nothing: where a volunteer is
/// comes from their clock-in.
#[utoipa::path(get, path = "/api/v1/orders/offers", tag = "orders", security(("bearer" = [])),
    params(Position),
    responses((status = 200, body = Vec<OrderView>), refusal::Forbidden))]
pub async fn offers(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(pos): ApiQuery<Position>,
) -> Result<ApiJson<Vec<OrderView>>, ApiError> {
    require(&caller, Action::GrabOrder)?;
    position_point(&pos)?;
    let now = state.clock.now();
    let taker = state
        .store
        .taker_inputs(caller.account.id, open_clock_ins_since(now))
        .await?;
    let Some(v) = active_record(taker.volunteers.clone()) else {
        return Ok(ApiJson(vec![]));
    };
    // Only orders in the caller's street or where they are lent now can
    // be offered (see `dispatch::ineligibility`): read just the open
    // consultations there, through the state index.
    let mut streets = vec![v.volunteer.profile.home_street_code.clone()];
    if let Some(loan) = v.volunteer.loan_at(now) {
        streets.push(loan.to_street_code.clone());
    }
    let open: Vec<Order> = state
        .store
        .orders(&OrderFilter {
            states: vec![OrderState::Open],
            kind: Some(OrderKind::Consultation),
            streets,
            ..OrderFilter::default()
        })
        .await?;
    let places = need_places(&state, &open).await?;
    let verdicts = offered_to(&state, &caller, &v, &taker, &open, &places);
    Ok(ApiJson(
        open.into_iter()
            .zip(verdicts)
            .filter(|(_, v)| v.is_ok())
            // At most the largest page of a list (the open consultations
            // of one or two streets: a few).
            .take(crate::api::pagination::MAX_LIMIT as usize)
            .map(|(o, _)| view(o, &caller))
            .collect(),
    ))
}

/// Ranked candidates for dispatching an order (派单推荐): the best 500 of
/// the active volunteers and lawyers, best first, with the score, each factor's points and the reason
/// in words, their open clock-in and real distance to the need, and why
/// they would not be offered it as a grab (see `lawcircle_core::orders::dispatch`).
#[utoipa::path(get, path = "/api/v1/orders/{id}/suggestions", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), refusal::Forbidden, refusal::NotFound))]
pub async fn suggestions(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<ApiJson<Vec<Suggestion>>, ApiError> {
    require(&caller, Action::DispatchOrder)?;
    let order = load(&state, &caller, &id).await?;
    let now = state.clock.now();
    let vols = state
        .store
        .volunteers(None, Some(VolunteerState::Active))
        .await?;
    // Each input in one query that reads neither the order, rating nor
    // punch history: active orders by assignee, the kept rating sums and
    // duty time, the accounts' roles, the punches of open clock-ins.
    let loads = state.store.active_loads().await?;
    let ratings = state.store.assignee_ratings().await?;
    let duty_ms = state.store.duty_millis_by_volunteer().await?;
    let account_ids: Vec<i64> = vols.iter().map(|v| v.account_id).collect();
    let roles = state.store.account_roles(&account_ids).await?;
    let (punches, posts) = state.store.duty_inputs(None, now).await?;
    let levels = StarLevels::default();
    let mut candidates = Vec::with_capacity(vols.len());
    for v in &vols {
        let me = v.account_id.to_string();
        let role = roles.get(&v.account_id).copied().unwrap_or(Role::Volunteer);
        let mut duty = dispatch::on_duty(&punches, &posts, &me, now);
        if duty.as_ref().is_some_and(|d| d.place.is_none()) {
            // No place from the post nor a recent fix: an older fix of
            // theirs may still place them (their own punches, a few).
            let mine = state.store.punches(Some(&me), None).await?;
            let ids: Vec<&str> = mine.iter().map(|p| p.post_id.as_str()).collect();
            let their_posts = state.store.duty_posts_with_ids(&ids).await?;
            duty = dispatch::on_duty(&mine, &their_posts, &me, now);
        }
        let mut c = base_candidate(v, role, now, duty);
        c.current_load = loads.get(&me).copied().unwrap_or(0);
        c.mean_rating = ratings.get(&me).and_then(RatingSum::mean);
        c.stars = levels.stars_for(ms_to_hours(duty_ms.get(&me).copied().unwrap_or(0)));
        candidates.push(c);
    }
    if let Some(place) = need_places(&state, std::slice::from_ref(&order))
        .await?
        .pop()
        .flatten()
    {
        let located: Vec<(usize, GeoPoint)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.on_duty.as_ref().and_then(|d| d.place).map(|p| (i, p)))
            .collect();
        let targets: Vec<GeoPoint> = located.iter().map(|(_, p)| *p).collect();
        let measures = dispatch::distances_from(
            state.spatial.network(),
            place,
            &targets,
            dispatch::SUGGESTION_SEARCH_LIMIT_M,
        );
        for ((i, _), m) in located.into_iter().zip(measures) {
            candidates[i].distance = Some(m);
        }
    }
    let mut ranked = dispatch::suggest(
        &candidates,
        &offer_request(&order, state.offer_radius_m),
        &ScoringWeights::default(),
    );
    // A ranking, not a list to walk: its best part, at most the largest
    // page of every list.
    ranked.truncate(crate::api::pagination::MAX_LIMIT as usize);
    Ok(ApiJson(ranked))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(offers))
        .routes(routes!(suggestions))
}
