//! Live order events for the staff console's board (server-sent events):
//! every committed change of an order is published on this instance. With
//! several instances each console sees the changes of the instance it is
//! connected to, and refreshes from the API on reconnect.

use lawcircle_core::order::Order;
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
}

/// The publish side.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<OrderChange>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventBus { tx }
    }
}

impl EventBus {
    /// Publishes a change; nobody listening is fine.
    pub fn publish(&self, order: &Order) {
        self.publish_from(order, None);
    }

    /// Publishes a change of an order that was in `previous_street` before
    /// it (told as `from_street_code` when the street changed).
    pub fn publish_from(&self, order: &Order, previous_street: Option<&str>) {
        let _ = self.tx.send(OrderChange {
            order_id: order.id.clone(),
            state: order.state.as_str().to_string(),
            version: order.version,
            street_code: order.street_code.clone(),
            from_street_code: previous_street
                .filter(|s| *s != order.street_code)
                .map(str::to_string),
            assignee: order.assignee.clone(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OrderChange> {
        self.tx.subscribe()
    }
}
