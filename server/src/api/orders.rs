//! Orders (工单): every accepted need becomes one. Consultations are offered
//! to eligible volunteers and grabbed (抢单) — exactly one winner, decided by
//! a conditional update in the database; service orders are dispatched
//! (派单) by staff from ranked suggestions, accepted or declined, transferred
//! across village, street and district; the requester rates each (一事一评).
//! The state machine is the core's; the server scopes callers and makes the
//! writes safe under concurrency.

use crate::api::require;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::OrderFilter;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use lawcircle_core::area::AreaLevel;
use lawcircle_core::authz::{Action, Role, Scope};
use lawcircle_core::coord::{Datum, GeoPoint};
use lawcircle_core::dispatch::{self, Candidate, OfferRequest, ScoringWeights, Suggestion};
use lawcircle_core::evaluation;
use lawcircle_core::order::{
    Actor, NewOrder, Order, OrderError, OrderEvent, OrderKind, OrderState,
};
use lawcircle_core::volunteer::VolunteerState;
use lawcircle_core::warning::Subject;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The grab window before an unclaimed consultation escalates (30 s, as
/// practised elsewhere); configurable with `serve --grab-window-secs`.
pub const DEFAULT_GRAB_WINDOW_SECS: u64 = lawcircle_core::order::DEFAULT_GRAB_WINDOW_S;

pub(crate) fn order_error(e: OrderError) -> ApiError {
    match e {
        OrderError::NotPermitted { .. } => ApiError::Forbidden(e.to_string()),
        OrderError::IllegalTransition { .. } => ApiError::Conflict(e.to_string()),
        OrderError::ReasonRequired { .. } => ApiError::bad_field("reason", e.to_string()),
        other => ApiError::BadRequest {
            field: None,
            message: other.to_string(),
        },
    }
}

fn actor(caller: &Caller) -> Actor {
    Actor::user(caller.account.id.to_string(), caller.account.role)
}

/// The order an accepted need becomes, opened at once: consultations go to
/// the grab pool, other categories to the dispatch queue of the street.
/// Returns a maker called with the need's id inside the intake's
/// transaction, so a need never exists without its order.
pub fn order_for_need(
    state: &AppState,
    requester_account: Option<i64>,
    entered_by: i64,
    category: &str,
    urgent: bool,
    street_code: &str,
    now: DateTime<Utc>,
) -> impl FnOnce(i64) -> Order + use<> {
    let kind = if category == "consultation" {
        OrderKind::Consultation
    } else {
        OrderKind::Service
    };
    let deadline = state.deadlines.deadline(now, urgent, &state.calendar);
    let category = category.to_string();
    let street_code = street_code.to_string();
    move |need_id| {
        let mut order = Order::new(
            NewOrder {
                id: format!("O{need_id}"),
                need_id: need_id.to_string(),
                requester_id: requester_account.map(|a| a.to_string()).unwrap_or_default(),
                kind,
                category,
                urgent,
                level: AreaLevel::Street,
                area_code: street_code.clone(),
                street_code,
            },
            now,
            deadline,
        );
        order.entered_by = Some(entered_by.to_string());
        // Open from Submitted is always legal for the system actor; were it
        // not, the order would stay submitted and staff would see it.
        let _ = order.apply(OrderEvent::Open, Actor::system("intake"), now);
        order
    }
}

/// An order as lists show it: no personal data (that is in the need, read
/// through the audited contact endpoint).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub order: Order,
    /// Whether the caller may read the requester's full contact details.
    pub may_see_contact: bool,
}

fn view(order: Order, caller: &Caller) -> OrderView {
    let may = order.may_see_contact(&actor(caller));
    OrderView {
        order,
        may_see_contact: may,
    }
}

/// Whether `caller` may see `order` at all.
fn visible(caller: &Caller, order: &Order) -> bool {
    let me = caller.account.id.to_string();
    match lawcircle_core::authz::scope(caller.account.role, Action::ReadNeeds) {
        Scope::District => true,
        Scope::Street => caller.account.street_code.as_deref() == Some(order.street_code.as_str()),
        Scope::Own => {
            order.requester_id == me
                || order.assignee.as_deref() == Some(me.as_str())
                || order.entered_by.as_deref() == Some(me.as_str())
        }
        Scope::None => false,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    /// Comma-separated states, e.g. `open,escalated`.
    pub state: Option<String>,
    /// A street (district admins; staff always see their own).
    pub street: Option<String>,
}

fn parse_states(raw: &Option<String>) -> Result<Vec<OrderState>, ApiError> {
    raw.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<OrderState>()
                .map_err(|_| ApiError::bad_field("state", format!("{s:?} is not an order state")))
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])),
    params(OrderQuery),
    responses((status = 200, body = Vec<OrderView>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> Result<ApiJson<Vec<OrderView>>, ApiError> {
    let scope = require(&caller, Action::ReadNeeds)?;
    let me = caller.account.id.to_string();
    let mut filter = OrderFilter {
        states: parse_states(&q.state)?,
        ..OrderFilter::default()
    };
    match scope {
        Scope::District => filter.street = q.street.clone(),
        Scope::Street => filter.street = caller.account.street_code.clone(),
        _ => {}
    }
    let orders = state.store.orders(&filter).await?;
    let out = orders
        .into_iter()
        .filter(|o| {
            scope != Scope::Own
                || o.requester_id == me
                || o.assignee.as_deref() == Some(me.as_str())
                || o.entered_by.as_deref() == Some(me.as_str())
        })
        .map(|o| view(o, &caller))
        .collect();
    Ok(ApiJson(out))
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Order, ApiError> {
    let order = state
        .store
        .order(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    if visible(caller, &order) {
        Ok(order)
    } else {
        Err(ApiError::NotFound(format!("order {id}")))
    }
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<OrderView>, ApiError> {
    let order = load(&state, &caller, &id).await?;
    Ok(ApiJson(view(order, &caller)))
}

/// Where the caller is (the phone's fix), for eligibility by distance.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// `wgs84` (default) or `gcj02`/`bd09`.
    pub datum: Option<String>,
}

impl Position {
    fn point(&self) -> Result<Option<GeoPoint>, ApiError> {
        match (self.lat, self.lng) {
            (Some(lat), Some(lng)) => {
                let datum: Datum = self.datum.as_deref().unwrap_or("wgs84").parse().map_err(
                    |e: lawcircle_core::coord::CoordError| {
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
}

/// The caller as a dispatch candidate for `order`: their active volunteer
/// record (specialties, home street, loans), on duty when their weekly
/// availability covers now, the distance from `position` to the order's
/// area, their current load and mean rating.
/// What every candidate is measured against at one moment.
struct DispatchContext {
    now: DateTime<Utc>,
    orders: Vec<Order>,
    ratings: Vec<evaluation::Rating>,
    centroids: HashMap<String, GeoPoint>,
}

impl DispatchContext {
    /// What eligibility alone needs (grabbing): the order's area centroid,
    /// no load or ratings (they rank suggestions, they do not decide
    /// eligibility), so a grab reads a handful of rows whatever the size
    /// of the order book.
    async fn for_grab(state: &AppState, order: &Order) -> Result<Self, ApiError> {
        let mut centroids = HashMap::new();
        if let Some(c) = state.store.area_centroid(&order.area_code).await? {
            centroids.insert(order.area_code.clone(), c);
        }
        Ok(DispatchContext {
            now: state.clock.now(),
            orders: Vec::new(),
            ratings: Vec::new(),
            centroids,
        })
    }

    async fn load(state: &AppState, orders: OrderFilter) -> Result<Self, ApiError> {
        Ok(DispatchContext {
            now: state.clock.now(),
            orders: state.store.orders(&orders).await?,
            ratings: state.store.ratings().await?,
            centroids: centroids(state).await?,
        })
    }
}

async fn candidate(
    state: &AppState,
    account_id: i64,
    role: Role,
    order: &Order,
    position: Option<GeoPoint>,
    ctx: &DispatchContext,
) -> Result<Option<Candidate>, ApiError> {
    let (now, orders, ratings, centroids) = (ctx.now, &ctx.orders, &ctx.ratings, &ctx.centroids);
    let vols = state.store.volunteers_of_account(account_id).await?;
    let Some(v) = vols
        .into_iter()
        .find(|v| v.volunteer.state == VolunteerState::Active)
    else {
        return Ok(None);
    };
    let vol = v.volunteer;
    let local = (now + chrono::Duration::hours(8)).naive_utc();
    let me = account_id.to_string();
    let held: Vec<&Order> = orders
        .iter()
        .filter(|o| {
            o.assignee.as_deref() == Some(me.as_str())
                && matches!(
                    o.state,
                    OrderState::Claimed | OrderState::Assigned | OrderState::InProgress
                )
        })
        .collect();
    let held_ids: Vec<&str> = orders
        .iter()
        .filter(|o| o.assignee.as_deref() == Some(me.as_str()))
        .map(|o| o.id.as_str())
        .collect();
    let scores: Vec<f64> = ratings
        .iter()
        .filter(|r| held_ids.contains(&r.order_id.as_str()))
        .map(|r| f64::from(r.score))
        .collect();
    let distance_m = match (position, centroids.get(&order.area_code)) {
        (Some(p), Some(c)) => Some(p.distance_m(*c)),
        _ => None,
    };
    Ok(Some(Candidate {
        id: me,
        role,
        specialties: vol.profile.specialties.clone(),
        home_street_code: vol.profile.home_street_code.clone(),
        lent_to_street_codes: vol
            .loan_at(now)
            .map(|l| vec![l.to_street_code.clone()])
            .unwrap_or_default(),
        on_duty: vol.profile.availability.is_open_at(local),
        distance_m,
        current_load: held.len() as u32,
        mean_rating: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
    }))
}

async fn centroids(state: &AppState) -> Result<HashMap<String, GeoPoint>, ApiError> {
    Ok(state
        .store
        .areas()
        .await?
        .into_iter()
        .map(|a| (a.code, a.centroid))
        .collect())
}

fn offer_request(order: &Order, max_distance_m: f64) -> OfferRequest {
    OfferRequest {
        categories: vec![order.category.clone()],
        street_code: order.street_code.clone(),
        max_distance_m,
    }
}

/// The open consultations offered to the caller (a volunteer or lawyer):
/// matching specialty, their street (or where they are lent), on duty, and
/// within the walking radius of where they are.
#[utoipa::path(get, path = "/api/v1/orders/offers", tag = "orders", security(("bearer" = [])),
    params(Position),
    responses((status = 200, body = Vec<OrderView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn offers(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(pos): ApiQuery<Position>,
) -> Result<ApiJson<Vec<OrderView>>, ApiError> {
    require(&caller, Action::GrabOrder)?;
    let position = pos.point()?;
    let open = state
        .store
        .orders(&OrderFilter {
            states: vec![OrderState::Open],
            ..OrderFilter::default()
        })
        .await?;
    let ctx = DispatchContext::load(&state, OrderFilter::default()).await?;
    let mut out = Vec::new();
    for o in open
        .into_iter()
        .filter(|o| o.kind == OrderKind::Consultation)
    {
        let Some(c) = candidate(
            &state,
            caller.account.id,
            caller.account.role,
            &o,
            position,
            &ctx,
        )
        .await?
        else {
            return Ok(ApiJson(vec![]));
        };
        if dispatch::ineligibility(&c, &offer_request(&o, state.offer_radius_m)).is_empty() {
            out.push(view(o, &caller));
        }
    }
    Ok(ApiJson(out))
}

/// Grabbing (抢单): the first eligible volunteer wins; everyone else gets
/// 409. Decided by `UPDATE … WHERE version = v AND state = 'open'`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/grab", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Position,
    responses((status = 200, body = OrderView),
        (status = 403, description = "Not eligible", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Someone else was first, or the order is no longer open", body = crate::error::ErrorBody)))]
pub async fn grab(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(pos): ApiJson<Position>,
) -> Result<ApiJson<OrderView>, ApiError> {
    require(&caller, Action::GrabOrder)?;
    let position = pos.point()?;
    let now = state.clock.now();
    let order = state
        .store
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    if order.state != OrderState::Open || order.kind != OrderKind::Consultation {
        return Err(ApiError::Conflict(format!(
            "order {id} is not open for grabbing"
        )));
    }
    let ctx = DispatchContext::for_grab(&state, &order).await?;
    let c = candidate(
        &state,
        caller.account.id,
        caller.account.role,
        &order,
        position,
        &ctx,
    )
    .await?
    .ok_or_else(|| ApiError::Forbidden("only active volunteers may grab orders".into()))?;
    let why = dispatch::ineligibility(&c, &offer_request(&order, state.offer_radius_m));
    if !why.is_empty() {
        return Err(ApiError::Forbidden(format!("not offered to you: {why:?}")));
    }
    let mut changed = order.clone();
    changed
        .apply(
            OrderEvent::Grab {
                volunteer: caller.account.id.to_string(),
            },
            actor(&caller),
            now,
        )
        .map_err(order_error)?;
    commit(&state, &order, &changed, now, "was taken by someone else").await?;
    Ok(ApiJson(view(changed, &caller)))
}

/// An event on an order: assign, accept, decline, start, resolve, close,
/// transfer, escalate or cancel (grabbing and rating have their own
/// endpoints), with the version the caller saw.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[schema(value_type = Object)]
    pub event: OrderEvent,
    pub version: u64,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/events", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EventRequest,
    responses((status = 200, body = OrderView),
        (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Illegal transition or a newer change", body = crate::error::ErrorBody)))]
pub async fn event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EventRequest>,
) -> Result<ApiJson<OrderView>, ApiError> {
    if matches!(req.event, OrderEvent::Grab { .. } | OrderEvent::Evaluate) {
        return Err(ApiError::bad_field(
            "event",
            "grab and evaluate have their own endpoints (/grab, /rating)",
        ));
    }
    let order = load(&state, &caller, &id).await?;
    if order.version != req.version {
        return Err(ApiError::Conflict(format!(
            "order {id} is at version {}, not {}: reload and try again",
            order.version, req.version
        )));
    }
    if let OrderEvent::Assign { assignee } = &req.event {
        let ok = match assignee.parse::<i64>() {
            Ok(aid) => state
                .store
                .volunteers_of_account(aid)
                .await?
                .iter()
                .any(|v| v.volunteer.state == VolunteerState::Active),
            Err(_) => false,
        };
        if !ok {
            return Err(ApiError::bad_field(
                "assignee",
                "not an active volunteer or lawyer account",
            ));
        }
    }
    if let OrderEvent::Transfer {
        to_level, to_area, ..
    } = &req.event
        && state.store.area_level(to_area).await? != Some(*to_level)
    {
        return Err(ApiError::bad_field(
            "to_area",
            format!("{to_area:?} is not a known {}", to_level.as_str()),
        ));
    }
    let now = state.clock.now();
    let mut changed = order.clone();
    changed
        .apply(req.event, actor(&caller), now)
        .map_err(order_error)?;
    // A transfer to another street moves the order into that street's queue.
    if changed.level == AreaLevel::Street {
        changed.street_code = changed.area_code.clone();
    }
    commit(&state, &order, &changed, now, "changed meanwhile: reload").await?;
    if changed.state == OrderState::Resolved && order.state != OrderState::Resolved {
        // The requester is asked for a rating; the resolution stands
        // whatever happens to the request (the indicators show a missing
        // one as `no_request`).
        if let Err(e) = crate::api::ratings::request_rating(&state, &changed).await {
            tracing::error!(order = %changed.id, error = %e, "cannot request the rating");
        }
    }
    Ok(ApiJson(view(changed, &caller)))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/suggestions", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<Vec<Suggestion>>, ApiError> {
    require(&caller, Action::DispatchOrder)?;
    let order = load(&state, &caller, &id).await?;
    let vols = state
        .store
        .volunteers(None, Some(VolunteerState::Active))
        .await?;
    let ctx = DispatchContext::load(&state, OrderFilter::default()).await?;
    let mut candidates = Vec::new();
    for v in vols {
        let home = ctx
            .centroids
            .get(&v.volunteer.profile.home_street_code)
            .copied();
        let role = state
            .store
            .account(v.account_id)
            .await?
            .map_or(Role::Volunteer, |a| a.role);
        if let Some(c) = candidate(&state, v.account_id, role, &order, home, &ctx).await? {
            candidates.push(c);
        }
    }
    Ok(ApiJson(dispatch::suggest(
        &candidates,
        std::slice::from_ref(&order.category),
        &ScoringWeights::default(),
    )))
}

/// One rating per order (一事一评), by the requester in the app (never by
/// whoever entered the need for them or holds the order).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1–5.
    pub score: u8,
    pub comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/rating", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RatingRequest,
    responses((status = 200, body = OrderView),
        (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Already rated or not resolved", body = crate::error::ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RatingRequest>,
) -> Result<ApiJson<OrderView>, ApiError> {
    require(&caller, Action::RateOrder)?;
    let order = load(&state, &caller, &id).await?;
    let changed = crate::api::ratings::rate_in_app(
        &state,
        &caller,
        &order,
        req.score,
        req.comment.as_deref(),
    )
    .await?;
    Ok(ApiJson(view(changed, &caller)))
}

/// Stores `changed` if the order is still as `order` was loaded (same
/// version and state), else 409 with `conflict`; then tells the live board.
async fn commit(
    state: &AppState,
    order: &Order,
    changed: &Order,
    now: DateTime<Utc>,
    conflict: &str,
) -> Result<(), ApiError> {
    if !state
        .store
        .update_order(order.version, order.state, changed, now)
        .await?
    {
        return Err(ApiError::Conflict(format!("order {} {conflict}", order.id)));
    }
    state.events.publish(changed);
    Ok(())
}

/// The subject of an order warning.
pub fn order_subject(order: &Order) -> Subject {
    Subject::Order {
        order_id: order.id.clone(),
        street_code: Some(order.street_code.clone()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Why the full contact is needed; recorded in the audit log.
    pub reason: String,
}

/// The requester's full contact details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequesterContact {
    pub order_id: String,
    pub name: String,
    pub phone: String,
    pub id_number: Option<String>,
}

/// The requester's contact for whoever holds the order (the grab winner, an
/// assignee who accepted), the requester and staff in scope; every read is
/// audited. Other volunteers — including those who lost the grab — get 403.
#[utoipa::path(get, path = "/api/v1/orders/{id}/contact", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path), ContactQuery),
    responses((status = 200, body = RequesterContact), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: axum::http::HeaderMap,
) -> Result<ApiJson<RequesterContact>, ApiError> {
    let reason = crate::api::audit::read_reason(&q.reason)?;
    let order = state
        .store
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    // Staff beyond their street see nothing of it.
    if lawcircle_core::authz::scope(caller.account.role, Action::ReadNeedContact) == Scope::Street
        && caller.account.street_code.as_deref() != Some(order.street_code.as_str())
    {
        return Err(ApiError::NotFound(format!("order {id}")));
    }
    let need_id: i64 = order
        .need_id
        .parse()
        .map_err(|_| ApiError::Internal(format!("order {id} has no numeric need id")))?;
    let need = state
        .store
        .need(need_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("the need of order {id}")))?;
    if !order.may_see_contact(&actor(&caller)) {
        return Err(ApiError::Forbidden(
            "only the requester, staff and the volunteer holding the order see the contact".into(),
        ));
    }
    crate::api::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::api::audit::PersonalDataRead {
            action: "read_need_contact",
            subject_type: "order",
            subject_id: order.id.clone(),
            fields: "requester_name,phone,id_number",
        },
        reason,
    )
    .await?;
    Ok(ApiJson(RequesterContact {
        order_id: order.id,
        name: need.need.requester.name,
        phone: need.need.requester.phone,
        id_number: need.need.requester.id_number,
    }))
}
