//! Orders (工单) on a volunteer's or lawyer's phone: the consultations
//! offered to them (抢单), grabbing one, taking or giving back a dispatched
//! one (派单), starting and resolving it; and for the resident, rating the
//! service (评价). A listener is told of new offers and of orders assigned
//! to the user as they happen, over the server's event stream.

use std::sync::Arc;
use std::time::Duration;

use lawcircle_api::events::OrderChange;
use lawcircle_api::orders::{
    EventRequest, OrderList, OrderView, Position, RatingRequest, RequesterContact as WireContact,
};
use lawcircle_core::orders::order::OrderEvent;

use crate::client::{Inner, LawCircleClient, ListenerHandle, Registration, decode, ms};
use crate::runtime::{run, runtime};
use crate::{LawCircleError, Point};
use lawcircle_core::needs::NeedCategory;
use lawcircle_core::orders::order::{OrderKind, OrderState};

/// An order as the phone lists it (no personal data: the requester's
/// contact is read separately, audited, by those who may).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderSummary {
    pub id: String,
    pub kind: OrderKind,
    /// The need's category.
    pub category: NeedCategory,
    pub urgent: bool,
    pub state: OrderState,
    pub area_code: String,
    pub street_code: String,
    /// The account id of whoever holds it.
    pub assignee: Option<String>,
    pub created_at_ms: i64,
    pub deadline_ms: Option<i64>,
    /// Bumped by every change (used to detect concurrent changes).
    pub version: u64,
    /// Whether the user may read the requester's contact details.
    pub may_see_contact: bool,
}

/// The requester's contact, read by whoever holds the order (audited on
/// the server with the reason given).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RequesterContact {
    pub order_id: String,
    pub name: String,
    /// A mainland mobile number, to call.
    pub phone: String,
    pub id_number: Option<String>,
}

impl TryFrom<OrderView> for OrderSummary {
    type Error = LawCircleError;

    fn try_from(v: OrderView) -> Result<Self, LawCircleError> {
        let o = v.order;
        // The core's order keeps the need's category as its code.
        let category: NeedCategory = decode(serde_json::Value::String(o.category.clone()))?;
        Ok(OrderSummary {
            id: o.id,
            kind: o.kind,
            category,
            urgent: o.urgent,
            state: o.state,
            area_code: o.area_code,
            street_code: o.street_code,
            assignee: o.assignee,
            created_at_ms: ms(o.created_at),
            deadline_ms: o.deadline.map(ms),
            version: o.version,
            may_see_contact: v.may_see_contact,
        })
    }
}

fn summaries(views: Vec<OrderView>) -> Result<Vec<OrderSummary>, LawCircleError> {
    views.into_iter().map(OrderSummary::try_from).collect()
}

impl From<WireContact> for RequesterContact {
    fn from(c: WireContact) -> Self {
        RequesterContact {
            order_id: c.order_id,
            name: c.name,
            phone: c.phone,
            id_number: c.id_number,
        }
    }
}

/// `text` for a URL query value: unreserved characters as they are,
/// every other byte (UTF-8) as `%XX`.
pub(crate) fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Told of order offers and assignments. Implemented by the shell; called
/// on a library thread: hop to the UI thread.
#[uniffi::export(with_foreign)]
pub trait OrderListener: Send + Sync {
    /// The consultations offered to the user now (on connecting and after
    /// every change); an empty list clears the screen.
    fn on_offers(&self, offers: Vec<OrderSummary>);
    /// An order was assigned to the user (dispatched by staff).
    fn on_assigned(&self, order: OrderSummary);
    /// The event stream dropped (offline); it reconnects by itself.
    fn on_disconnected(&self, reason: String);
}

fn position_query(p: Point) -> Result<String, LawCircleError> {
    let p: lawcircle_core::geo::coord::GeoPoint = p.try_into()?;
    Ok(format!(
        "lat={}&lng={}&datum={}",
        p.lat,
        p.lng,
        p.datum.as_str()
    ))
}

fn position_body(p: Point) -> Result<Position, LawCircleError> {
    let p: lawcircle_core::geo::coord::GeoPoint = p.try_into()?;
    Ok(Position {
        lat: Some(p.lat),
        lng: Some(p.lng),
        datum: Some(p.datum.as_str().to_string()),
    })
}

pub(crate) fn order_path(id: &str) -> Result<String, LawCircleError> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(LawCircleError::invalid("order_id", "is not an order id"));
    }
    Ok(format!("/api/v1/orders/{id}"))
}

impl Inner {
    async fn offers(&self, query: &str) -> Result<Vec<OrderSummary>, LawCircleError> {
        summaries(decode(
            self.get(&format!("/api/v1/orders/offers?{query}")).await?,
        )?)
    }

    async fn order(&self, id: &str) -> Result<OrderSummary, LawCircleError> {
        self.order_answer(self.get(&order_path(id)?).await?)
    }

    /// An answer that is one order.
    fn order_answer(&self, v: serde_json::Value) -> Result<OrderSummary, LawCircleError> {
        OrderSummary::try_from(decode::<OrderView>(v)?)
    }

    /// Posts an event with the version just read (a change in between is
    /// a `Conflict` the shell shows as "changed meanwhile").
    async fn event(&self, id: &str, event: OrderEvent) -> Result<OrderSummary, LawCircleError> {
        let current = self.order(id).await?;
        let answer = self
            .post(
                &format!("{}/events", order_path(id)?),
                &EventRequest {
                    event,
                    version: current.version,
                },
            )
            .await?;
        self.order_answer(answer)
    }

    /// One connection to the event stream: tells the listener the offers
    /// on connecting and after every order change, and every assignment
    /// to `me`. Returns when the stream ends.
    async fn stream_orders(
        &self,
        query: &str,
        me: &str,
        listener: &Arc<dyn OrderListener>,
    ) -> Result<(), LawCircleError> {
        let token = match self.token_or_sign_in().await? {
            Some(t) => t,
            None => return Err(LawCircleError::internal("no session")),
        };
        let mut resp = self.open_stream("/api/v1/events", &token).await?;
        let mut last_offers = self.offers(query).await?;
        listener.on_offers(last_offers.clone());
        let mut events = lawcircle_client::sync::EventStreamReader::default();
        while let Some(chunk) = resp.chunk().await? {
            for data in events.push(&chunk) {
                let Ok(change) = serde_json::from_str::<OrderChange>(&data) else {
                    continue;
                };
                if change.assignee.as_deref() == Some(me) && change.state == OrderState::Assigned {
                    listener.on_assigned(self.order(&change.order_id).await?);
                }
                let offers = self.offers(query).await?;
                if offers != last_offers {
                    listener.on_offers(offers.clone());
                    last_offers = offers;
                }
            }
        }
        Ok(())
    }
}

/// First wait before reconnecting the event stream, doubled up to the max.
const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(30);

#[uniffi::export]
impl LawCircleClient {
    /// The consultations offered to the signed-in volunteer or lawyer at
    /// `position` (their specialty, street, duty and walking radius).
    pub async fn order_offers(&self, position: Point) -> Result<Vec<OrderSummary>, LawCircleError> {
        let inner = self.inner.clone();
        let query = position_query(position)?;
        run(async move { inner.offers(&query).await }).await
    }

    /// The orders the user may see (their own, or those they hold), in the
    /// order filed: read a page (500) at a time, since the server answers
    /// no list longer than that.
    pub async fn my_orders(&self) -> Result<Vec<OrderSummary>, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let mut items = Vec::new();
            let mut path = "/api/v1/orders?limit=500".to_string();
            loop {
                let next = match decode::<OrderList>(inner.get(&path).await?)? {
                    OrderList::Page(page) => {
                        items.extend(page.items);
                        page.next_after
                    }
                    // A server from before pages: everything at once.
                    OrderList::All(all) => {
                        items.extend(all);
                        None
                    }
                };
                match next {
                    Some(after) => path = format!("/api/v1/orders?limit=500&after={after}"),
                    None => break,
                }
            }
            summaries(items)
        })
        .await
    }

    pub async fn order(&self, order_id: String) -> Result<OrderSummary, LawCircleError> {
        let inner = self.inner.clone();
        run(async move { inner.order(&order_id).await }).await
    }

    /// Grabs an offered consultation (抢单): the first eligible volunteer
    /// wins; everyone else gets `Conflict` (taken).
    pub async fn grab_order(
        &self,
        order_id: String,
        position: Point,
    ) -> Result<OrderSummary, LawCircleError> {
        let inner = self.inner.clone();
        let body = position_body(position)?;
        run(async move {
            let answer = inner
                .post(&format!("{}/grab", order_path(&order_id)?), &body)
                .await?;
            inner.order_answer(answer)
        })
        .await
    }

    /// The requester's name and phone, for the volunteer or lawyer who holds
    /// the order (the grab's winner, an assignee who accepted), the
    /// requester and staff in scope. The server audits every read with
    /// `reason` (a few words: why the contact is needed); anyone else is
    /// refused.
    pub async fn requester_contact(
        &self,
        order_id: String,
        reason: String,
    ) -> Result<RequesterContact, LawCircleError> {
        if reason.trim().is_empty() {
            return Err(LawCircleError::invalid(
                "reason",
                "say why you need the contact (it is audited)",
            ));
        }
        let inner = self.inner.clone();
        let path = format!(
            "{}/contact?reason={}",
            order_path(&order_id)?,
            query_value(reason.trim())
        );
        run(async move { Ok(decode::<WireContact>(inner.get(&path).await?)?.into()) }).await
    }

    /// Takes an order staff dispatched to the user.
    pub async fn accept_order(&self, order_id: String) -> Result<OrderSummary, LawCircleError> {
        let inner = self.inner.clone();
        run(async move { inner.event(&order_id, OrderEvent::Accept).await }).await
    }

    /// Gives a dispatched order back, with why.
    pub async fn decline_order(
        &self,
        order_id: String,
        reason: String,
    ) -> Result<OrderSummary, LawCircleError> {
        if reason.trim().is_empty() {
            return Err(LawCircleError::invalid("reason", "say why"));
        }
        let inner = self.inner.clone();
        run(async move { inner.event(&order_id, OrderEvent::Decline { reason }).await }).await
    }

    /// Starts a grabbed consultation.
    pub async fn start_order(&self, order_id: String) -> Result<OrderSummary, LawCircleError> {
        let inner = self.inner.clone();
        run(async move { inner.event(&order_id, OrderEvent::Start).await }).await
    }

    /// Resolves an order (办结) with what was done.
    pub async fn resolve_order(
        &self,
        order_id: String,
        note: String,
    ) -> Result<OrderSummary, LawCircleError> {
        if note.trim().is_empty() {
            return Err(LawCircleError::invalid("note", "say what was done"));
        }
        let inner = self.inner.clone();
        run(async move { inner.event(&order_id, OrderEvent::Resolve { note }).await }).await
    }

    /// The requester rates a resolved order, once (1–5 stars; a low score
    /// makes staff call back). Rating twice is a `Conflict`.
    pub async fn rate_order(
        &self,
        order_id: String,
        score: u8,
        comment: Option<String>,
    ) -> Result<OrderSummary, LawCircleError> {
        if !(1..=5).contains(&score) {
            return Err(LawCircleError::invalid("score", "must be 1 to 5"));
        }
        let inner = self.inner.clone();
        run(async move {
            let answer = inner
                .post(
                    &format!("{}/rating", order_path(&order_id)?),
                    &RatingRequest { score, comment },
                )
                .await?;
            inner.order_answer(answer)
        })
        .await
    }

    /// Tells `listener` the offers at `position` and every assignment to
    /// the user, live, until the handle is cancelled; reconnects with
    /// back-off when the connection drops.
    pub fn watch_orders(
        &self,
        position: Point,
        listener: Arc<dyn OrderListener>,
    ) -> Result<Arc<ListenerHandle>, LawCircleError> {
        let query = position_query(position)?;
        let inner = self.inner.clone();
        let task = runtime()?.spawn(async move {
            let mut wait = RECONNECT_MIN;
            loop {
                let outcome = match inner.session_account().await {
                    Ok(me) => {
                        inner
                            .stream_orders(&query, &me.id.to_string(), &listener)
                            .await
                    }
                    Err(e) => Err(e),
                };
                let reason = match outcome {
                    Ok(()) => {
                        wait = RECONNECT_MIN;
                        "the server closed the event stream".to_string()
                    }
                    Err(e) => e.to_string(),
                };
                listener.on_disconnected(reason);
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RECONNECT_MAX);
            }
        });
        Ok(ListenerHandle::new(Registration::Task(task.abort_handle())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_encoded_for_the_query() {
        assert_eq!(query_value("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(query_value("联系"), "%E8%81%94%E7%B3%BB");
        assert_eq!(query_value("A-z_0.9~"), "A-z_0.9~");
    }
}
