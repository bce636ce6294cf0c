//! Liveness and, on test servers only, the adjustable clock.

use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// `GET /health`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub catalogue_version: u64,
    pub version: String,
    /// The SMS provider (`aliyun`), or `not_configured`: then no code or
    /// rating link is sent by SMS (registration by code answers 503).
    pub sms: String,
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
/// volunteers their own orders and new offers' existence.
#[utoipa::path(get, path = "/api/v1/events", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream of order changes"),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use lawcircle_core::authz::{Action, Scope, scope};
    let rx = state.events.subscribe();
    let role = caller.account.role;
    let my_street = caller.account.street_code.clone();
    let me = caller.account.id.to_string();
    let stream = futures_util::stream::unfold(rx, move |mut rx| {
        let my_street = my_street.clone();
        let me = me.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(change) => {
                        let visible = match scope(role, Action::ReadNeeds) {
                            Scope::District => true,
                            Scope::Street => {
                                my_street.as_deref() == Some(change.street_code.as_str())
                            }
                            Scope::Own => {
                                change.assignee.as_deref() == Some(me.as_str())
                                    || (change.state == "open"
                                        && scope(role, Action::GrabOrder) != Scope::None)
                            }
                            Scope::None => false,
                        };
                        if visible {
                            let event = Event::default()
                                .event("order")
                                .json_data(&change)
                                .unwrap_or_else(|_| Event::default().event("order"));
                            return Some((Ok(event), rx));
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let event = Event::default()
                            .event("resync")
                            .data("missed events: reload");
                        return Some((Ok(event), rx));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
