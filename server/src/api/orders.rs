//! Orders (工单): every accepted need becomes one. Consultations are offered
//! to eligible volunteers and grabbed (抢单) — exactly one winner, decided by
//! a conditional update in the database; service orders are dispatched
//! (派单) by staff from ranked suggestions, accepted or declined, transferred
//! across village, street and district; the requester rates each (一事一评).
//! The state machine is the core's; the server scopes callers and makes the
//! writes safe under concurrency.

use crate::api::dispatch::{Position, active_record, offered_to};
use crate::api::{ContactQuery, authorize, require, scoped_street, who};
use crate::auth::{BearerTokenHash, Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{OrderFilter, StoredVolunteer, open_clock_ins_since};
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use lawcircle_core::authz::{Action, On, Scope, Taker, decide};
use lawcircle_core::orders::order::{Actor, Order, OrderError, OrderEvent, OrderKind, OrderState};
use lawcircle_core::orders::warning::Subject;
use lawcircle_core::volunteers::pool::VolunteerState;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The grab window before an unclaimed consultation escalates (30 s, as
/// practised elsewhere); configurable with `serve --grab-window-secs`.
pub const DEFAULT_GRAB_WINDOW_SECS: u64 = lawcircle_core::orders::order::DEFAULT_GRAB_WINDOW_S;

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

pub use lawcircle_api::orders::{EventRequest, OrderList, OrderView, RequesterContact};

pub(crate) fn view(mut order: Order, caller: &Caller) -> OrderView {
    let may = decide(
        &who(caller),
        Action::ReadNeedContact,
        &On::Order(order.facts()),
    )
    .is_ok();
    // The need's exact place can be someone's home: only those who may see
    // the requester's contact see it; others (volunteers offered the
    // order) see its area.
    if !may {
        order.place = None;
    }
    OrderView {
        order,
        may_see_contact: may,
    }
}

/// Whether `caller` may see `order` at all.
fn visible(caller: &Caller, order: &Order) -> bool {
    decide(&who(caller), Action::ReadNeeds, &On::Order(order.facts())).is_ok()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    /// Comma-separated states, e.g. `open,escalated`.
    pub state: Option<String>,
    /// A street (district admins; staff always see their own).
    pub street: Option<String>,
    /// A page (`{items, next_after}`) of the orders filed after this
    /// cursor (the previous page's `next_after`). Without `limit` or
    /// `after`: the first 500 orders as a plain array (older clients).
    pub after: Option<i64>,
    /// At most this many orders (1–500, default 100): the answer is a
    /// page.
    pub limit: Option<i64>,
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
    responses((status = 200, body = OrderList), refusal::Invalid, refusal::Unauthenticated))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> Result<ApiJson<OrderList>, ApiError> {
    let scope = require(&caller, Action::ReadNeeds)?;
    let mut filter = OrderFilter {
        states: parse_states(&q.state)?,
        ..OrderFilter::default()
    };
    match scope {
        Scope::District => filter.street = q.street.clone(),
        Scope::Street => filter.street = scoped_street(&caller, scope)?,
        _ => {}
    }
    let want = crate::api::pagination::want_after(q.after, q.limit)?;
    let involving = (scope == Scope::Own).then_some(caller.account.id);
    let rows = state
        .store
        .orders_page(&filter, involving, want.after.unwrap_or(0), want.fetch())
        .await?;
    let page = crate::api::pagination::Page::from_overfetch(rows, want.limit, |(c, _)| *c);
    let items = page
        .items
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| visible(&caller, o))
        .map(|o| view(o, &caller))
        .collect();
    Ok(ApiJson(if want.paged {
        OrderList::Page(crate::api::pagination::Page {
            items,
            next_after: page.next_after,
        })
    } else {
        OrderList::All(items)
    }))
}

pub(crate) async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Order, ApiError> {
    load_for(state, caller, id, Action::ReadNeeds).await
}

/// The order `id` if the caller may do `action` on it; missing, or outside
/// the caller's reach (answered the same, 404).
pub(crate) async fn load_for(
    state: &AppState,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<Order, ApiError> {
    let order = state
        .store
        .order(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    authorize(caller, action, &On::Order(order.facts()), || {
        format!("order {id}")
    })?;
    Ok(order)
}

/// Someone an order would go to, as the access decision sees them: their
/// active volunteer record (home street, where they are lent right now).
struct TakerRecord {
    account_id: String,
    active: bool,
    home_street_code: String,
    lent_to_street_code: Option<String>,
}

impl TakerRecord {
    async fn load(state: &AppState, account_id: i64) -> Result<Self, ApiError> {
        let active = state
            .store
            .volunteers_of_account(account_id)
            .await?
            .into_iter()
            .find(|v| v.volunteer.state == VolunteerState::Active);
        Ok(Self::of(account_id, active.as_ref(), state.clock.now()))
    }

    /// The record of `account_id` whose active volunteer record (if any)
    /// is `active`, at `now`.
    fn of(account_id: i64, active: Option<&StoredVolunteer>, now: DateTime<Utc>) -> Self {
        TakerRecord {
            account_id: account_id.to_string(),
            active: active.is_some(),
            home_street_code: active
                .as_ref()
                .map(|v| v.volunteer.profile.home_street_code.clone())
                .unwrap_or_default(),
            lent_to_street_code: active
                .as_ref()
                .and_then(|v| v.volunteer.loan_at(now))
                .map(|l| l.to_street_code.clone()),
        }
    }

    fn taker(&self) -> Taker<'_> {
        Taker {
            account_id: &self.account_id,
            active: self.active,
            home_street_code: &self.home_street_code,
            lent_to_street_code: self.lent_to_street_code.as_deref(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrderView), refusal::NotFound))]
pub async fn get_one(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<ApiJson<OrderView>, ApiError> {
    let order = load(&state, &caller, &id).await?;
    Ok(ApiJson(view(order, &caller)))
}

/// Grabbing (抢单): the first eligible volunteer wins; everyone else gets
/// 409. Decided by `UPDATE … WHERE version = v AND state = 'open'`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/grab", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Position,
    responses((status = 200, body = OrderView),
        (status = 403, description = "Not eligible", body = crate::error::ErrorBody),
        refusal::NotFound,
        (status = 409, description = "Someone else was first, or the order is no longer open", body = crate::error::ErrorBody)))]
pub async fn grab(
    State(state): State<AppState>,
    BearerTokenHash(token_hash): BearerTokenHash,
    Path(id): Path<String>,
    body: Result<ApiJson<Position>, ApiError>,
) -> Result<ApiJson<OrderView>, ApiError> {
    let now = state.clock.now();
    // The caller's token, the order, the caller's records, recent punches
    // and their posts, in one read: a grab storm is mostly these reads.
    // The body is judged after the token, as on every signed-in endpoint.
    let (record, inputs) = state
        .store
        .grab_inputs(&id, &token_hash, now, open_clock_ins_since(now))
        .await?
        .unzip();
    let caller = Caller::of_live_token(token_hash, record)?;
    let inputs = inputs.unwrap_or_default();
    require(&caller, Action::GrabOrder)?;
    let ApiJson(pos) = body?;
    crate::api::dispatch::position_point(&pos)?;
    let order = inputs
        .order
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    if order.state != OrderState::Open || order.kind != OrderKind::Consultation {
        return Err(ApiError::Conflict(format!(
            "order {id} is not open for grabbing"
        )));
    }
    // Nobody takes an order they requested or entered themselves. The
    // volunteer record is read once, for this and for the offer below.
    let active = active_record(inputs.taker.volunteers.clone());
    let me = TakerRecord::of(caller.account.id, active.as_ref(), now);
    authorize(
        &caller,
        Action::GrabOrder,
        &On::Taking {
            order: order.facts(),
            taker: me.taker(),
        },
        || format!("order {id}"),
    )?;
    let Some(active) = active else {
        return Err(ApiError::Forbidden(
            "only active volunteers and lawyers may grab orders".into(),
        ));
    };
    let verdict = offered_to(
        &state,
        &caller,
        &active,
        &inputs.taker,
        std::slice::from_ref(&order),
        &[order.place.or(inputs.area_centroid)],
    )
    .pop()
    .unwrap_or(Err(Vec::new()));
    if let Err(why) = verdict {
        let why: Vec<&str> = why.iter().map(|w| w.describe()).collect();
        return Err(ApiError::Forbidden(format!(
            "not offered to you: {}",
            why.join("; ")
        )));
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
    // Written by the group-commit writer with the grabs arriving
    // meanwhile; answered once the batch is committed.
    let stored = state
        .order_commits
        .commit(
            &state.store,
            &state.notifications,
            crate::notifications::queue::OrderChangeCommit {
                before: order.clone(),
                changed: changed.clone(),
                now,
            },
        )
        .await?;
    if !stored {
        return Err(ApiError::Conflict(format!(
            "order {} was taken by someone else",
            order.id
        )));
    }
    state
        .events
        .publish_from(&changed, Some(order.street_code.as_str()));
    Ok(ApiJson(view(changed, &caller)))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/events", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EventRequest,
    responses((status = 200, body = OrderView),
        refusal::Invalid, refusal::Forbidden, refusal::NotFound,
        (status = 409, description = "Illegal transition or a newer change", body = crate::error::ErrorBody)))]
pub async fn event(
    SignedIn { state, caller }: SignedIn,
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
        let candidate = match assignee.trim().parse::<i64>() {
            Ok(aid) => Some(TakerRecord::load(&state, aid).await?),
            Err(_) => None,
        };
        let Some(candidate) = candidate.filter(|c| c.active) else {
            return Err(ApiError::bad_field(
                "assignee",
                "not an active volunteer or lawyer account",
            ));
        };
        // Staff give orders to volunteers of their street or on loan to
        // it, and never to whoever requested or entered the order.
        authorize(
            &caller,
            Action::DispatchOrder,
            &On::Taking {
                order: order.facts(),
                taker: candidate.taker(),
            },
            || format!("order {id}"),
        )?;
    }
    // A transfer to a street or one of its villages moves the order into
    // that street: its queue, lists, board, events and indicators. A
    // transfer to the district keeps the street it came from (district
    // staff see every street).
    let mut to_street = None;
    if let OrderEvent::Transfer {
        to_level, to_area, ..
    } = &req.event
    {
        let to_area = to_area.trim();
        if state.store.area_level(to_area).await? != Some(*to_level) {
            return Err(ApiError::bad_field(
                "to_area",
                format!("{to_area:?} is not a known {}", to_level.as_str()),
            ));
        }
        to_street = state.store.street_of_area(to_area).await?;
    }
    let now = state.clock.now();
    let mut changed = order.clone();
    changed
        .apply(req.event, actor(&caller), now)
        .map_err(order_error)?;
    if let Some(street) = to_street {
        changed.street_code = street;
    }
    commit(&state, &order, &changed, now, "changed meanwhile: reload").await?;
    if changed.street_code != order.street_code {
        state
            .store
            .move_order_warnings(&order.id, &order.street_code, &changed.street_code, now)
            .await?;
    }
    if changed.state == OrderState::Resolved && order.state != OrderState::Resolved {
        // The requester is asked for a rating; the resolution stands
        // whatever happens to the request (the indicators show a missing
        // one as `no_request`).
        if let Err(e) = crate::usecases::rating::request_rating(&state, &changed).await {
            tracing::error!(order = %changed.id, error = %e, "cannot request the rating");
        }
    }
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
    // The messages the change causes are queued in its transaction.
    if !crate::notifications::queue::commit_order_change(state, order, changed, now).await? {
        return Err(ApiError::Conflict(format!("order {} {conflict}", order.id)));
    }
    state
        .events
        .publish_from(changed, Some(order.street_code.as_str()));
    Ok(())
}

/// The subject of an order warning.
pub fn order_subject(order: &Order) -> Subject {
    Subject::Order {
        order_id: order.id.clone(),
        street_code: Some(order.street_code.clone()),
    }
}

/// The requester's contact for whoever holds the order (the grab winner, an
/// assignee who accepted), the requester and staff in scope; every read is
/// audited. Other volunteers — including those who lost the grab — get 403.
#[utoipa::path(get, path = "/api/v1/orders/{id}/contact", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path), ContactQuery),
    responses((status = 200, body = RequesterContact), refusal::Invalid,
        refusal::Forbidden, refusal::NotFound))]
pub async fn contact(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: axum::http::HeaderMap,
) -> Result<ApiJson<RequesterContact>, ApiError> {
    let reason = crate::usecases::audit::read_reason(&q.reason)?;
    // Staff beyond their street and callers who neither requested nor
    // hold it see nothing of it; a volunteer who does not hold it (a
    // grab's loser, an assignee who has not accepted) is refused.
    let order = load_for(&state, &caller, &id, Action::ReadNeedContact).await?;
    let need_id: i64 = order
        .need_id
        .parse()
        .map_err(|_| ApiError::Internal(format!("order {id} has no numeric need id")))?;
    let need = state
        .store
        .need(need_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("the need of order {id}")))?;
    crate::usecases::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::usecases::audit::PersonalDataRead {
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

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(grab))
        .routes(routes!(contact))
        .routes(routes!(event))
}
