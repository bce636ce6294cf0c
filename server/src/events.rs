//! Live order events for the staff console's board (server-sent events):
//! every committed change of an order is published on this instance. With
//! several instances each console sees the changes of the instance it is
//! connected to, and refreshes from the API on reconnect.

use lawcircle_core::orders::order::Order;
use serde::Serialize;
use tokio::sync::broadcast;

/// What changed.
#[derive(Debug, Clone, Serialize)]
pub struct OrderChange {
    pub order_id: String,
    pub state: String,
    pub version: u64,
    pub street_code: String,
    /// The street the order left, when this change transferred it to
    /// another: that street's staff are told too, so their board drops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_street_code: Option<String>,
    pub assignee: Option<String>,
    /// For access decisions only; never sent.
    #[serde(skip)]
    pub requester_id: String,
    /// For access decisions only; never sent.
    #[serde(skip)]
    pub entered_by: Option<String>,
}

impl OrderChange {
    /// What access decisions need to know of the changed order.
    pub fn facts(&self) -> lawcircle_core::authz::OrderFacts<'_> {
        lawcircle_core::authz::OrderFacts {
            requester_id: &self.requester_id,
            entered_by: self.entered_by.as_deref(),
            assignee: self.assignee.as_deref(),
            street_code: &self.street_code,
            held: false,
            open: self.state == "open",
        }
    }
}

/// The publish side.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<OrderChange>,
    /// Bumped on every change of orders, ratings or hotline records on
    /// this instance: what derived data (the indicators) is cached against.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventBus {
            tx,
            generation: std::sync::Arc::default(),
        }
    }
}

impl EventBus {
    /// Notes a change that is not an order's (a rating, hotline records).
    pub fn touch(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The count of changes seen so far.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Publishes a change; nobody listening is fine.
    pub fn publish(&self, order: &Order) {
        self.publish_from(order, None);
    }

    /// Publishes a change of an order that was in `previous_street` before
    /// it (told as `from_street_code` when the street changed).
    pub fn publish_from(&self, order: &Order, previous_street: Option<&str>) {
        self.touch();
        let _ = self.tx.send(OrderChange {
            order_id: order.id.clone(),
            state: order.state.as_str().to_string(),
            version: order.version,
            street_code: order.street_code.clone(),
            from_street_code: previous_street
                .filter(|s| *s != order.street_code)
                .map(str::to_string),
            assignee: order.assignee.clone(),
            requester_id: order.requester_id.clone(),
            entered_by: order.entered_by.clone(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OrderChange> {
        self.tx.subscribe()
    }
}

/// A session that ended: every token of an account (revoked, disabled), one
/// token (logout), or all but one (a password change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    Account(i64),
    Token(String),
    /// Every token of the account but this one (a password change).
    OtherTokens(i64, String),
}

/// Tells this instance's open event streams that sessions ended, so they
/// close at once; streams also re-check their token periodically, which
/// covers revocations made through other instances and expiry.
#[derive(Debug, Clone)]
pub struct SessionBus {
    tx: broadcast::Sender<SessionEnd>,
}

impl Default for SessionBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        SessionBus { tx }
    }
}

impl SessionBus {
    pub fn end(&self, what: SessionEnd) {
        let _ = self.tx.send(what);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SessionEnd> {
        self.tx.subscribe()
    }
}
