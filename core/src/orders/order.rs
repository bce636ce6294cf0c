//! Orders (工单): the integrated handling (一体化办理) of a legal need.
//!
//! A need (需求) that cannot be solved on the spot becomes an order. A
//! consultation (咨询) is offered to eligible volunteers, who grab it
//! (抢单); a service (服务) is dispatched by staff (派单). Orders move
//! between the village, street and district levels (跨层级流转) and are
//! rated once they are resolved (一事一评).
//!
//! # States and events
//!
//! ```text
//! Submitted ─open─▶ Open ─grab (consultation)──▶ Claimed ─start──▶ InProgress ─resolve─▶ Resolved ─evaluate─▶ Evaluated
//!                    │   ─assign (service)────▶ Assigned ─accept─▶     │                    │                    │
//!                    │                             │ decline → Open     │                    └──────close────────┴─▶ Closed
//!                    └─escalate─▶ Escalated ─assign─▶ Assigned         ...
//! transfer (staff): from any active state ─▶ Transferred ─open / assign─▶ …
//! cancel: from any state before Resolved ─▶ Cancelled
//! ```
//!
//! The complete table is [`next_state`]; every other (kind, state, event)
//! is refused with [`OrderError::IllegalTransition`]. The server enforces
//! the same table in its conditional updates: [`states_allowing`] names the
//! states an event requires, so that e.g. a grab is
//! `UPDATE orders SET state='claimed', assignee=$1, version=version+1
//! WHERE id=$2 AND state='open'` and exactly one grabber wins.
//!
//! Accepting a dispatched order starts it (`Assigned → InProgress`); a
//! grabbed consultation was accepted by grabbing and is started with
//! `start` (`Claimed → InProgress`).
//!
//! Every applied event is kept as a [`Transition`] (who, when, why): the
//! history survives transfers across levels.
//!
//! # Who may do what
//! Role checks use [`crate::authz`]; the *scope* (own street, district)
//! is narrowed by the server, which knows the staff member's street.
//! * open, close: the system (background jobs) or staff with
//!   [`Action::DispatchOrder`];
//! * grab: a role with [`Action::GrabOrder`], for themself only, never
//!   the requester (who filed or entered it);
//! * assign: staff with [`Action::DispatchOrder`], never to the requester;
//! * accept, decline, start: the assignee only;
//! * resolve: the assignee, or staff with [`Action::DispatchOrder`];
//! * evaluate: the requester, with [`Action::RateOrder`], or the system on
//!   the requester's behalf (a one-time rating link, a staff call-back);
//! * transfer: staff with [`Action::TransferOrder`];
//! * escalate: the system, staff, or the assignee;
//! * cancel: staff, or the requester before work has started.
//!
//! Reasons are required for decline, escalate, cancel and transfer, and a
//! note for resolve.

use crate::authz::{Action, On, OrderFacts, Role, Who, allowed, decide};
use crate::catalogue::area::AreaLevel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The level an order is handled at: village (村/社区), street (街道) or
/// district (区). The same levels as [`crate::catalogue::area`].
pub type Level = AreaLevel;

/// Where an order stands. 11 states: the eight of the main path plus
/// transferred, escalated and cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// 已提交: created from a need, not yet offered.
    Submitted,
    /// 待接单: offered to grabbers (consultation) or waiting for dispatch
    /// (service).
    Open,
    /// 已抢单: a volunteer grabbed the consultation.
    Claimed,
    /// 已派单: staff assigned it; the assignee has not accepted yet.
    Assigned,
    /// 办理中
    InProgress,
    /// 已办结
    Resolved,
    /// 已评价 (一事一评)
    Evaluated,
    /// 已归档
    Closed,
    /// 已转办: moved to another level or area, waiting there.
    Transferred,
    /// 已升级: in the hotline/staff queue (e.g. nobody grabbed it in time).
    Escalated,
    /// 已撤销
    Cancelled,
}

impl OrderState {
    pub const ALL: [OrderState; 11] = [
        OrderState::Submitted,
        OrderState::Open,
        OrderState::Claimed,
        OrderState::Assigned,
        OrderState::InProgress,
        OrderState::Resolved,
        OrderState::Evaluated,
        OrderState::Closed,
        OrderState::Transferred,
        OrderState::Escalated,
        OrderState::Cancelled,
    ];

    /// The name stored in the database (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Submitted => "submitted",
            OrderState::Open => "open",
            OrderState::Claimed => "claimed",
            OrderState::Assigned => "assigned",
            OrderState::InProgress => "in_progress",
            OrderState::Resolved => "resolved",
            OrderState::Evaluated => "evaluated",
            OrderState::Closed => "closed",
            OrderState::Transferred => "transferred",
            OrderState::Escalated => "escalated",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// Closed and cancelled orders never change again.
    pub fn is_final(self) -> bool {
        matches!(self, OrderState::Closed | OrderState::Cancelled)
    }

    /// Still waiting for someone to finish it (counts for deadlines and
    /// overdue warnings): everything before resolved, except cancelled.
    pub fn is_active(self) -> bool {
        !matches!(
            self,
            OrderState::Resolved
                | OrderState::Evaluated
                | OrderState::Closed
                | OrderState::Cancelled
        )
    }
}

impl std::fmt::Display for OrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OrderState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrderState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown order state {s:?}"))
    }
}

/// What kind of order: decides grabbing or dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// 法律咨询: offered to volunteers, first to grab wins (抢单).
    Consultation,
    /// 法律服务 (调解, 法律援助, 公证…): dispatched by staff (派单).
    Service,
}

impl OrderKind {
    pub const ALL: [OrderKind; 2] = [OrderKind::Consultation, OrderKind::Service];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Consultation => "consultation",
            OrderKind::Service => "service",
        }
    }
}

/// What someone does to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum OrderEvent {
    /// Offer it (consultation) or queue it for dispatch (service).
    Open,
    /// 抢单: the volunteer takes the consultation.
    Grab { volunteer: String },
    /// 派单: staff give it to a volunteer or lawyer.
    Assign { assignee: String },
    /// The assignee takes the dispatched order (and starts it).
    Accept,
    /// The assignee gives it back.
    Decline { reason: String },
    /// The grabber starts the consultation.
    Start,
    /// 办结, with what was done.
    Resolve { note: String },
    /// The requester rated it (the rating itself is in
    /// [`crate::orders::rating`]).
    Evaluate,
    /// 归档
    Close,
    /// 转办 to another level or area.
    Transfer {
        to_level: Level,
        to_area: String,
        reason: String,
    },
    /// 升级 to the hotline/staff queue.
    Escalate { reason: String },
    /// 撤销
    Cancel { reason: String },
}

/// The kind of an [`OrderEvent`] without its data: used in errors and in
/// the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Open,
    Grab,
    Assign,
    Accept,
    Decline,
    Start,
    Resolve,
    Evaluate,
    Close,
    Transfer,
    Escalate,
    Cancel,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        EventKind::Open,
        EventKind::Grab,
        EventKind::Assign,
        EventKind::Accept,
        EventKind::Decline,
        EventKind::Start,
        EventKind::Resolve,
        EventKind::Evaluate,
        EventKind::Close,
        EventKind::Transfer,
        EventKind::Escalate,
        EventKind::Cancel,
    ];
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl OrderEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            OrderEvent::Open => EventKind::Open,
            OrderEvent::Grab { .. } => EventKind::Grab,
            OrderEvent::Assign { .. } => EventKind::Assign,
            OrderEvent::Accept => EventKind::Accept,
            OrderEvent::Decline { .. } => EventKind::Decline,
            OrderEvent::Start => EventKind::Start,
            OrderEvent::Resolve { .. } => EventKind::Resolve,
            OrderEvent::Evaluate => EventKind::Evaluate,
            OrderEvent::Close => EventKind::Close,
            OrderEvent::Transfer { .. } => EventKind::Transfer,
            OrderEvent::Escalate { .. } => EventKind::Escalate,
            OrderEvent::Cancel { .. } => EventKind::Cancel,
        }
    }

    /// The reason or note the event carries, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            OrderEvent::Decline { reason }
            | OrderEvent::Transfer { reason, .. }
            | OrderEvent::Escalate { reason }
            | OrderEvent::Cancel { reason } => Some(reason),
            OrderEvent::Resolve { note } => Some(note),
            _ => None,
        }
    }
}

/// The role of whoever acts: a user with a platform role, or the system
/// (background jobs such as the grab-window escalation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorRole {
    /// A background job of the server.
    System,
    /// A user; serialised as the bare role name (`"volunteer"`…).
    #[serde(untagged)]
    User(Role),
}

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub role: ActorRole,
}

impl Actor {
    pub fn user(id: impl Into<String>, role: Role) -> Self {
        Actor {
            id: id.into(),
            role: ActorRole::User(role),
        }
    }

    pub fn system(job: impl Into<String>) -> Self {
        Actor {
            id: job.into(),
            role: ActorRole::System,
        }
    }

    fn may(&self, action: Action) -> bool {
        match self.role {
            ActorRole::System => false,
            ActorRole::User(r) => allowed(r, action),
        }
    }

    fn is_system(&self) -> bool {
        self.role == ActorRole::System
    }
}

/// One recorded change of state (audit: who, when, why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: OrderState,
    pub to: OrderState,
    pub event: OrderEvent,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("cannot {event} a {kind:?} order that is {from}")]
    IllegalTransition {
        kind: OrderKind,
        from: OrderState,
        event: EventKind,
    },
    #[error("{actor} may not {event} this order")]
    NotPermitted { actor: String, event: EventKind },
    #[error("{event} needs a reason")]
    ReasonRequired { event: EventKind },
    #[error("{event} needs a non-empty {field}")]
    MissingField {
        event: EventKind,
        field: &'static str,
    },
    #[error("the order is already at {level:?} {area}")]
    SameArea { level: Level, area: String },
    #[error("the change at {at} is earlier than the last recorded one at {last}")]
    TimeGoesBackwards {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
}

/// The transition table: the state `event` leads to from `from` for an
/// order of `kind`, or `None` when it is illegal.
pub fn next_state(kind: OrderKind, from: OrderState, event: EventKind) -> Option<OrderState> {
    use EventKind as E;
    use OrderKind::{Consultation, Service};
    use OrderState::*;
    match (from, event) {
        // Offering / queueing
        (Submitted | Transferred, E::Open) => Some(Open),
        // Grabbing is for consultations only, and only while open.
        (Open, E::Grab) if kind == Consultation => Some(Claimed),
        // Dispatch: services from the queue; anything the staff hold.
        (Open, E::Assign) if kind == Service => Some(Assigned),
        (Escalated | Transferred, E::Assign) => Some(Assigned),
        (Assigned, E::Accept) => Some(InProgress),
        (Claimed | Assigned, E::Decline) => Some(Open),
        (Claimed, E::Start) => Some(InProgress),
        (InProgress, E::Resolve) => Some(Resolved),
        (Resolved, E::Evaluate) => Some(Evaluated),
        (Resolved | Evaluated, E::Close) => Some(Closed),
        (
            Submitted | Open | Claimed | Assigned | InProgress | Escalated | Transferred,
            E::Transfer,
        ) => Some(Transferred),
        (Open | Claimed | Assigned | InProgress | Transferred, E::Escalate) => Some(Escalated),
        (
            Submitted | Open | Claimed | Assigned | InProgress | Escalated | Transferred,
            E::Cancel,
        ) => Some(Cancelled),
        _ => None,
    }
}

/// The states from which `event` is legal for an order of `kind`: the
/// `WHERE state IN (…)` of the server's conditional update, so the SQL and
/// the core agree.
pub fn states_allowing(kind: OrderKind, event: EventKind) -> Vec<OrderState> {
    OrderState::ALL
        .into_iter()
        .filter(|&s| next_state(kind, s, event).is_some())
        .collect()
}

/// The precondition and effect of one conditional update: `UPDATE …
/// SET state = to WHERE id = … AND kind = kind AND state IN from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precondition {
    pub kind: OrderKind,
    pub from: Vec<OrderState>,
    pub to: OrderState,
}

/// Fields a new order starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    pub id: String,
    pub need_id: String,
    /// The account of the person with the legal trouble, when they have
    /// one; empty when the requester is only a name and a mobile number.
    pub requester_id: String,
    pub kind: OrderKind,
    /// The need's category code (e.g. `consultation`, `mediation`);
    /// dispatch maps it onto the specialty taxonomy
    /// ([`crate::volunteers::specialty::qualifying`]).
    pub category: String,
    /// 加急: the deadline is hours, not working days.
    #[serde(default)]
    pub urgent: bool,
    pub level: Level,
    /// The code of the area at `level` that handles the order.
    pub area_code: String,
    /// The street the need comes from (for eligibility and indicators).
    pub street_code: String,
}

/// An order with its audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub need_id: String,
    pub requester_id: String,
    pub kind: OrderKind,
    pub category: String,
    #[serde(default)]
    pub urgent: bool,
    pub state: OrderState,
    pub level: Level,
    pub area_code: String,
    pub street_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it must be resolved (see [`crate::calendar::working_time::DeadlinePolicy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// Optimistic-locking counter, bumped on every transition (the
    /// server's `version = version + 1`).
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub history: Vec<Transition>,
    /// The application type (`ServiceDefinition::code`) when the need is
    /// an online application, so dispatch and the console see the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// The need's subject from the specialty taxonomy
    /// ([`crate::volunteers::specialty`]), when the need named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// Where the need is (the point given with it, else the centroid of
    /// its area), for the distance to volunteers; `None` on orders made
    /// before it was kept (dispatch then uses the area's centroid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<crate::geo::coord::GeoPoint>,
    /// The account that entered the need (a lawyer on site, hotline staff,
    /// an Open311 client, or the requester themselves), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<String>,
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Order {
    /// A new order in state `Submitted`.
    pub fn new(spec: NewOrder, created_at: DateTime<Utc>, deadline: Option<DateTime<Utc>>) -> Self {
        Order {
            id: spec.id,
            need_id: spec.need_id,
            requester_id: spec.requester_id,
            kind: spec.kind,
            category: spec.category,
            urgent: spec.urgent,
            state: OrderState::Submitted,
            level: spec.level,
            area_code: spec.area_code,
            street_code: spec.street_code,
            assignee: None,
            created_at,
            deadline,
            version: 0,
            history: Vec::new(),
            service_code: None,
            specialty: None,
            place: None,
            entered_by: None,
        }
    }

    /// The precondition of a grab: a consultation in state `open`.
    pub fn grab_precondition() -> Precondition {
        Precondition {
            kind: OrderKind::Consultation,
            from: states_allowing(OrderKind::Consultation, EventKind::Grab),
            to: OrderState::Claimed,
        }
    }

    /// The precondition of `event` for an order of `kind`, if it is legal
    /// from some state and leads to one state.
    pub fn precondition(kind: OrderKind, event: EventKind) -> Option<Precondition> {
        let from = states_allowing(kind, event);
        let first = *from.first()?;
        let to = next_state(kind, first, event)?;
        Some(Precondition { kind, from, to })
    }

    fn is_assignee(&self, actor: &Actor) -> bool {
        !actor.is_system() && self.assignee.as_deref() == Some(actor.id.as_str())
    }

    fn is_requester(&self, actor: &Actor) -> bool {
        !actor.is_system() && !self.requester_id.is_empty() && actor.id == self.requester_id
    }

    fn permitted(&self, event: &OrderEvent, actor: &Actor) -> bool {
        let staff = actor.may(Action::DispatchOrder);
        match event {
            OrderEvent::Open | OrderEvent::Close => actor.is_system() || staff,
            // Nobody takes an order they requested or entered.
            OrderEvent::Grab { volunteer } => {
                actor.may(Action::GrabOrder)
                    && *volunteer == actor.id
                    && *volunteer != self.requester_id
            }
            OrderEvent::Assign { assignee } => staff && assignee.trim() != self.requester_id,
            OrderEvent::Accept | OrderEvent::Decline { .. } | OrderEvent::Start => {
                self.is_assignee(actor)
            }
            OrderEvent::Resolve { .. } => self.is_assignee(actor) || staff,
            // The requester in the app, or the system on the requester's
            // behalf (a one-time rating link, a staff call-back).
            OrderEvent::Evaluate => {
                actor.is_system() || (actor.may(Action::RateOrder) && self.is_requester(actor))
            }
            OrderEvent::Transfer { .. } => actor.may(Action::TransferOrder),
            OrderEvent::Escalate { .. } => actor.is_system() || staff || self.is_assignee(actor),
            OrderEvent::Cancel { .. } => {
                staff
                    || (self.is_requester(actor)
                        && matches!(
                            self.state,
                            OrderState::Submitted | OrderState::Open | OrderState::Escalated
                        ))
            }
        }
    }

    /// Applies an event: checks the transition table, the actor's right,
    /// required reasons and time order, then records the transition and
    /// updates state, assignee, level/area and version.
    pub fn apply(
        &mut self,
        event: OrderEvent,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Transition, OrderError> {
        let ek = event.kind();
        let to = next_state(self.kind, self.state, ek).ok_or(OrderError::IllegalTransition {
            kind: self.kind,
            from: self.state,
            event: ek,
        })?;
        if !self.permitted(&event, &actor) {
            return Err(OrderError::NotPermitted {
                actor: actor.id.clone(),
                event: ek,
            });
        }
        let reason = match &event {
            OrderEvent::Resolve { note } => {
                Some(non_empty(note).ok_or(OrderError::MissingField {
                    event: ek,
                    field: "note",
                })?)
            }
            OrderEvent::Decline { reason }
            | OrderEvent::Escalate { reason }
            | OrderEvent::Cancel { reason }
            | OrderEvent::Transfer { reason, .. } => {
                Some(non_empty(reason).ok_or(OrderError::ReasonRequired { event: ek })?)
            }
            _ => None,
        };
        match &event {
            OrderEvent::Assign { assignee } if assignee.trim().is_empty() => {
                return Err(OrderError::MissingField {
                    event: ek,
                    field: "assignee",
                });
            }
            OrderEvent::Transfer {
                to_level, to_area, ..
            } => {
                if to_area.trim().is_empty() {
                    return Err(OrderError::MissingField {
                        event: ek,
                        field: "to_area",
                    });
                }
                if *to_level == self.level && to_area.trim() == self.area_code {
                    return Err(OrderError::SameArea {
                        level: self.level,
                        area: self.area_code.clone(),
                    });
                }
            }
            _ => {}
        }
        let last = self.history.last().map_or(self.created_at, |t| t.at);
        if at < last {
            return Err(OrderError::TimeGoesBackwards { at, last });
        }
        match &event {
            OrderEvent::Grab { volunteer } => self.assignee = Some(volunteer.clone()),
            OrderEvent::Assign { assignee } => self.assignee = Some(assignee.trim().to_string()),
            OrderEvent::Decline { .. } | OrderEvent::Escalate { .. } => self.assignee = None,
            OrderEvent::Transfer {
                to_level, to_area, ..
            } => {
                self.assignee = None;
                self.level = *to_level;
                self.area_code = to_area.trim().to_string();
            }
            _ => {}
        }
        let t = Transition {
            from: self.state,
            to,
            event,
            actor,
            at,
            reason,
        };
        self.state = to;
        self.version += 1;
        self.history.push(t.clone());
        Ok(t)
    }

    /// When the order last became `open` (the start of the grab window).
    pub fn opened_at(&self) -> Option<DateTime<Utc>> {
        self.history
            .iter()
            .rev()
            .find(|t| t.to == OrderState::Open)
            .map(|t| t.at)
    }

    /// Whether an open consultation has waited longer than `window_s`
    /// seconds without a grab: the background job then escalates it to the
    /// hotline/staff queue (default window 30 s, see
    /// [`DEFAULT_GRAB_WINDOW_S`]).
    pub fn grab_window_expired(&self, now: DateTime<Utc>, window_s: u64) -> bool {
        self.kind == OrderKind::Consultation
            && self.state == OrderState::Open
            && self.opened_at().is_some_and(|o| {
                now.signed_duration_since(o).num_milliseconds()
                    >= i64::try_from(window_s.saturating_mul(1000)).unwrap_or(i64::MAX)
            })
    }

    /// First time the order reached `state`.
    pub fn first_reached(&self, state: OrderState) -> Option<DateTime<Utc>> {
        self.history.iter().find(|t| t.to == state).map(|t| t.at)
    }

    /// Time from the first offer to the first claim or assignment, in
    /// seconds (接单时长).
    pub fn time_to_claim_s(&self) -> Option<f64> {
        let opened = self.first_reached(OrderState::Open)?;
        let taken = self
            .history
            .iter()
            .find(|t| matches!(t.to, OrderState::Claimed | OrderState::Assigned))?
            .at;
        Some(seconds_between(opened, taken))
    }

    /// Time from creation to the first resolution, in seconds (办结时长).
    pub fn resolution_time_s(&self) -> Option<f64> {
        let resolved = self.first_reached(OrderState::Resolved)?;
        Some(seconds_between(self.created_at, resolved))
    }

    /// Still active and past its deadline at `now` (超期).
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.state.is_active() && self.deadline.is_some_and(|d| now > d)
    }

    /// What access decisions need to know of this order
    /// ([`crate::authz::decide`]).
    pub fn facts(&self) -> OrderFacts<'_> {
        OrderFacts {
            requester_id: &self.requester_id,
            entered_by: self.entered_by.as_deref(),
            assignee: self.assignee.as_deref(),
            street_code: &self.street_code,
            held: self.assignee.is_some()
                && matches!(
                    self.state,
                    OrderState::Claimed
                        | OrderState::InProgress
                        | OrderState::Resolved
                        | OrderState::Evaluated
                ),
            open: self.state == OrderState::Open,
        }
    }

    /// Whether `viewer` may see the requester's full contact details: the
    /// requester, staff with [`Action::ReadNeedContact`] (their street is
    /// checked by the server, which knows it), and the assignee once they
    /// hold the order (the grab winner, or a dispatched assignee who
    /// accepted). Other grabbers see masked details only. Decided by
    /// [`crate::authz::decide`].
    pub fn may_see_contact(&self, viewer: &Actor) -> bool {
        let ActorRole::User(role) = viewer.role else {
            return false;
        };
        let who = Who {
            id: &viewer.id,
            role,
            street_code: Some(&self.street_code),
        };
        decide(&who, Action::ReadNeedContact, &On::Order(self.facts())).is_ok()
    }
}

/// The grab window practised elsewhere (Hebei: 30 s, then the 12348
/// hotline).
pub const DEFAULT_GRAB_WINDOW_S: u64 = 30;

pub(crate) fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    b.signed_duration_since(a).num_milliseconds() as f64 / 1000.0
}

#[cfg(test)]
pub(crate) mod tests;
