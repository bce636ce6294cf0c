//! The order a new need becomes.

use crate::state::AppState;
use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::orders::order::{Actor, NewOrder, Order, OrderEvent, OrderKind};

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
