//! Liveness and, on test servers only, the adjustable clock.

use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use lawcircle_api::system::{ChannelHealth, Health};

/// The state of every notification channel, for `/health`.
fn channels(state: &AppState) -> Vec<ChannelHealth> {
    let n = &state.notifications;
    let plain = |channel: &str, configured: bool| ChannelHealth {
        channel: channel.to_string(),
        configured,
        last: n.last_outcome(channel),
        provider_token: None,
        provider_token_issued_at: None,
    };
    let mut apns = plain("apns", false);
    if let Some(channel) = n.apns() {
        let (token, issued) = channel.token_state(state.clock.now().timestamp());
        apns.configured = true;
        apns.provider_token = Some(token.to_string());
        apns.provider_token_issued_at = issued.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    }
    vec![
        // Every account's messages are on its stream: always there.
        plain("stream", true),
        plain("unifiedpush", n.unifiedpush().is_some()),
        apns,
        plain("sms", state.sms.is_configured()),
    ]
}

#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "The server and its database answer", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    state.store.ping().await?;
    Ok(ApiJson(Health {
        status: "ok".to_string(),
        database: state.store.backend().as_str().to_string(),
        catalogue_version: state.store.catalogue_version().await?,
        version: env!("CARGO_PKG_VERSION").to_string(),
        sms: state.sms.provider().to_string(),
        instance: state.leadership.instance().to_string(),
        jobs_leader: state.leadership.leader().await?,
        notifications: channels(&state),
    }))
}

/// Moves a test server's clock forward.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    pub seconds: i64,
}

/// `POST /api/v1/test/clock`: only mounted with `serve --test-clock`.
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AdvanceClock>,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    if !(0..=366 * 24 * 3600).contains(&body.seconds) {
        return Err(ApiError::bad_field("seconds", "between 0 and one year"));
    }
    state.clock.advance(chrono::Duration::seconds(body.seconds));
    Ok(ApiJson(serde_json::json!({ "now": state.clock.now() })))
}

/// Live order changes as server-sent events (`event: order`), limited to
/// what the caller may see: staff their street, district admins all,
/// volunteers their own orders and new offers' existence. Each event's id
/// is its position in the stream, the same on every instance: a client
/// that reconnects (to any instance) with `Last-Event-ID` gets what it
/// missed, or `event: resync` when that is more than is kept (reload
/// from the API). The stream ends when the caller's session does: the
/// token revoked (logout, revocation, a password change or reset),
/// expired, or the account disabled — checked before every event, at once
/// for ends made on this instance, and every `session_recheck` otherwise.
#[utoipa::path(get, path = "/api/v1/events", tag = "orders", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received")),
    responses((status = 200, description = "text/event-stream of order changes"),
        refusal::Invalid,
        refusal::Unauthenticated))]
pub async fn events(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    headers: axum::http::HeaderMap,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{KeepAlive, Sse};
    let resume = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::bad_field("Last-Event-ID", "an event id (a whole number)"))
        })
        .transpose()?;
    // Subscribed before the missed events are read: nothing falls between.
    let changes = state.events.subscribe();
    let mut watch = Watch {
        changes,
        ends: state.sessions.subscribe(),
        last: state.events.latest(),
        pending: std::collections::VecDeque::new(),
        resync: false,
        state,
        caller,
    };
    if let Some(after) = resume {
        watch.last = after;
        watch.catch_up().await?;
    }
    let stream = futures_util::stream::unfold(watch, |mut w| async move {
        let event = w.next().await?;
        Some((Ok(event), w))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One open event stream.
struct Watch {
    changes: tokio::sync::broadcast::Receiver<std::sync::Arc<crate::events::LiveEvent>>,
    ends: tokio::sync::broadcast::Receiver<crate::events::SessionEnd>,
    state: AppState,
    caller: crate::auth::Caller,
    /// The id of the last event sent or passed over (events at or below
    /// it are not sent again).
    last: i64,
    /// Events read back (a resumption, or after falling behind).
    pending: std::collections::VecDeque<std::sync::Arc<crate::events::LiveEvent>>,
    /// A `resync` is owed: more was missed than can be replayed.
    resync: bool,
}

impl Watch {
    /// Whether the caller's token is still live (not revoked or expired,
    /// the account not disabled); a database error ends the stream too
    /// (the console reconnects and is checked again).
    async fn live(&self) -> bool {
        crate::auth::caller_from_token_hash(&self.state, self.caller.token_hash.clone())
            .await
            .is_ok()
    }

    /// Reads back the events after `last`, or owes a `resync` when they
    /// are more than can be replayed.
    async fn catch_up(&mut self) -> Result<(), crate::store::StoreError> {
        match self.state.events.since(self.last).await? {
            crate::events::Missed::Events(events) => self.pending.extend(events),
            crate::events::Missed::TooOld => {
                self.resync = true;
                self.last = self.state.events.latest();
            }
        }
        Ok(())
    }

    /// The change as an event, if the caller may see it.
    fn visible(&self, event: &crate::events::LiveEvent) -> Option<axum::response::sse::Event> {
        use axum::response::sse::Event;
        use lawcircle_core::authz::{Action, On, decide};
        let change = &event.change;
        let who = crate::api::who(&self.caller);
        // The street a transfer took it from is told too (its board drops
        // the order).
        let facts = change.facts();
        let left =
            change
                .wire
                .from_street_code
                .as_deref()
                .map(|from| lawcircle_core::authz::OrderFacts {
                    street_code: from,
                    ..facts
                });
        (decide(&who, Action::ReadNeeds, &On::LiveOrder(facts)).is_ok()
            || left.is_some_and(|f| decide(&who, Action::ReadNeeds, &On::LiveOrder(f)).is_ok()))
        .then(|| {
            Event::default()
                .id(event.id.to_string())
                .event("order")
                .json_data(&change.wire)
                .unwrap_or_else(|_| Event::default().event("order"))
        })
    }

    /// The next event to send, or `None` to end the stream.
    async fn next(&mut self) -> Option<axum::response::sse::Event> {
        use crate::events::SessionEnd;
        use axum::response::sse::Event;
        use tokio::sync::broadcast::error::RecvError;
        loop {
            if self.resync {
                self.resync = false;
                self.pending.clear();
                if !self.live().await {
                    return None;
                }
                return Some(
                    Event::default()
                        .event("resync")
                        .data("missed events: reload"),
                );
            }
            if let Some(event) = self.pending.pop_front() {
                if event.id <= self.last {
                    continue;
                }
                self.last = event.id;
                if let Some(sse) = self.visible(&event) {
                    if !self.live().await {
                        return None;
                    }
                    return Some(sse);
                }
                continue;
            }
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(event) => self.pending.push_back(event),
                    // Fell behind: read back from where it was.
                    Err(RecvError::Lagged(_)) => {
                        if self.catch_up().await.is_err() {
                            return None;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                end = self.ends.recv() => match end {
                    Ok(SessionEnd::Account(id)) if id == self.caller.account.id => return None,
                    Ok(SessionEnd::Token(hash)) if hash == self.caller.token_hash => return None,
                    Ok(SessionEnd::OtherTokens(id, keep))
                        if id == self.caller.account.id && keep != self.caller.token_hash =>
                    {
                        return None;
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        if !self.live().await {
                            return None;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                () = tokio::time::sleep(self.state.session_recheck) => {
                    if !self.live().await {
                        return None;
                    }
                }
            }
        }
    }
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(events))
}
