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
        let _ = self.tx.send(OrderChange {
            order_id: order.id.clone(),
            state: order.state.as_str().to_string(),
            version: order.version,
            street_code: order.street_code.clone(),
            assignee: order.assignee.clone(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OrderChange> {
        self.tx.subscribe()
    }
}
