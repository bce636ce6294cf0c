//! The HTTP side of notifications: the caller's live stream and messages,
//! their push devices and settings, the server's VAPID key, and the dead
//! letters for staff.

use super::devices::{self, Device, NewDevice};
use super::queue::{self, DeadLetter, StreamItem};
use super::settings::Settings;
use crate::api::{require, scoped_street};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use lawcircle_core::authz::Action;
use serde::{Deserialize, Serialize};

use crate::notifications::devices::DeviceCheck;
pub use lawcircle_api::push::{PushKey, Registered};

/// A person's own messages, devices and settings go with their own
/// sessions: whoever may end their own sessions may manage them (every
/// role, each for themself).
const OWN: Action = Action::RevokeTokens;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AfterQuery {
    /// Messages after this stream position (0: from the start).
    pub after: Option<i64>,
}

/// Where a stream resumes: `Last-Event-ID` (what browsers and the phone's
/// SSE client send on reconnect), else `?after=`, else the start.
fn resume_point(headers: &HeaderMap, after: Option<i64>) -> Result<i64, ApiError> {
    let from_header = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::bad_field("Last-Event-ID", "a stream position (a whole number)")
                })
        })
        .transpose()?;
    let after = match after {
        Some(n) if n < 0 => return Err(ApiError::bad_field("after", "zero or more")),
        other => other,
    };
    Ok(from_header.or(after).unwrap_or(0))
}

/// The caller's messages after a position, oldest first (at most 500): what
/// a phone reads when it opens, and what the stream sends.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(AfterQuery),
    responses((status = 200, body = Vec<StreamItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> Result<ApiJson<Vec<StreamItem>>, ApiError> {
    require(&caller, OWN)?;
    let after = resume_point(&headers, q.after)?;
    Ok(ApiJson(
        queue::since(&state, caller.account.id, after, 500).await?,
    ))
}

/// The caller's messages as server-sent events: `event: notification`, or
/// `event: withdraw` for a message withdrawing an earlier one; each
/// event's id is its stream position, so a client that reconnects with
/// `Last-Event-ID` gets exactly what it missed. Ends with the session.
#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "notifications", security(("bearer" = [])),
    params(AfterQuery, ("Last-Event-ID" = Option<String>, Header, description = "The last position received")),
    responses((status = 200, description = "text/event-stream of the caller's messages"),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AfterQuery>,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{KeepAlive, Sse};
    require(&caller, OWN)?;
    let after = resume_point(&headers, q.after)?;
    let watch = Watch {
        wake: state.notifications.subscribe(),
        ends: state.sessions.subscribe(),
        state,
        caller,
        after,
        pending: std::collections::VecDeque::new(),
    };
    let stream = futures_util::stream::unfold(watch, |mut w| async move {
        let event = w.next().await?;
        Some((Ok(event), w))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One open notification stream.
struct Watch {
    wake: tokio::sync::broadcast::Receiver<i64>,
    ends: tokio::sync::broadcast::Receiver<crate::events::SessionEnd>,
    state: AppState,
    caller: Caller,
    after: i64,
    pending: std::collections::VecDeque<StreamItem>,
}

impl Watch {
    async fn live(&self) -> bool {
        crate::auth::caller_from_token_hash(&self.state, self.caller.token_hash.clone())
            .await
            .is_ok()
    }

    fn event(item: &StreamItem) -> axum::response::sse::Event {
        use axum::response::sse::Event;
        let kind = if item.message.event == "withdrawn" {
            "withdraw"
        } else {
            "notification"
        };
        Event::default()
            .id(item.seq.to_string())
            .event(kind)
            .json_data(&item.message)
            .unwrap_or_else(|_| Event::default().event(kind))
    }

    /// The next event, or `None` to end the stream (the session ended, or
    /// the database failed: the phone reconnects and resumes).
    async fn next(&mut self) -> Option<axum::response::sse::Event> {
        use crate::events::SessionEnd;
        use tokio::sync::broadcast::error::RecvError;
        let me = self.caller.account.id;
        loop {
            if let Some(item) = self.pending.pop_front() {
                self.after = item.seq;
                return Some(Self::event(&item));
            }
            if !self.live().await {
                return None;
            }
            match queue::since(&self.state, me, self.after, 100).await {
                Ok(items) if !items.is_empty() => {
                    self.pending.extend(items);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "notification stream cannot read the queue");
                    return None;
                }
            }
            // Wait for news for this account, the session's end, or the
            // poll (messages queued by other instances, expiry).
            loop {
                tokio::select! {
                    woke = self.wake.recv() => match woke {
                        Ok(a) if a == me => break,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return None,
                    },
                    end = self.ends.recv() => match end {
                        Ok(SessionEnd::Account(id)) if id == me => return None,
                        Ok(SessionEnd::Token(hash)) if hash == self.caller.token_hash => return None,
                        Ok(SessionEnd::OtherTokens(id, keep))
                            if id == me && keep != self.caller.token_hash => return None,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return None,
                    },
                    () = tokio::time::sleep(self.state.session_recheck) => break,
                }
            }
        }
    }
}

#[utoipa::path(get, path = "/api/v1/push/vapid-key", tag = "notifications",
    responses((status = 200, body = PushKey),
        (status = 503, body = crate::error::ErrorBody, description = "Push is not started on this server")))]
pub async fn vapid_key(State(state): State<AppState>) -> Result<ApiJson<PushKey>, ApiError> {
    let channel = state
        .notifications
        .unifiedpush()
        .ok_or_else(|| ApiError::Unavailable("push is not started on this server".into()))?;
    Ok(ApiJson(PushKey {
        vapid_public_key: channel.public_key().to_string(),
    }))
}

/// Registers the caller's push device (after sign-in, and whenever the
/// distributor gives a new endpoint or iOS a new device token). The same
/// endpoint or token registered again moves to the caller (with its new
/// keys). A token of kind `apns` is refused when the server is not
/// configured for APNs.
#[utoipa::path(post, path = "/api/v1/devices", tag = "notifications", security(("bearer" = [])),
    request_body = NewDevice,
    responses((status = 201, body = Registered), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(d): ApiJson<NewDevice>,
) -> Result<(StatusCode, ApiJson<Registered>), ApiError> {
    require(&caller, OWN)?;
    d.check(
        state.notifications.allow_plain_http(),
        state.notifications.apns().is_some(),
    )
    .map_err(|(field, why)| ApiError::bad_field(field, why))?;
    let d = d.normalized();
    let id = devices::register(&state.store, caller.account.id, &d, state.clock.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(Registered { id })))
}

/// The caller's first 500 devices in use (an array, as before), or, with
/// `limit` or `after`, one page of them by id (`{items, next_after}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DeviceList {
    All(Vec<Device>),
    Page(crate::api::pagination::Page<Device>),
}

/// The caller's devices in use, by id. With `limit` (1–500, default 100)
/// or `after` (the previous page's `next_after`) one page of them; without,
/// the first 500 as a plain array.
#[utoipa::path(get, path = "/api/v1/devices", tag = "notifications", security(("bearer" = [])),
    params(crate::api::pagination::PageQuery),
    responses((status = 200, body = DeviceList), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_devices(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<crate::api::pagination::PageQuery>,
) -> Result<ApiJson<DeviceList>, ApiError> {
    require(&caller, OWN)?;
    let want = crate::api::pagination::want_after(q.after, q.limit)?;
    let rows = devices::of_account(
        &state.store,
        caller.account.id,
        want.after.unwrap_or(0),
        want.fetch(),
    )
    .await?;
    let page = crate::api::pagination::Page::from_overfetch(rows, want.limit, |d| d.id);
    Ok(ApiJson(if want.paged {
        DeviceList::Page(page)
    } else {
        DeviceList::All(page.items)
    }))
}

/// Unregisters one of the caller's devices (sign-out, push turned off):
/// nothing more goes to it.
#[utoipa::path(delete, path = "/api/v1/devices/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn unregister(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require(&caller, OWN)?;
    if devices::remove(
        &state.store,
        id,
        Some(caller.account.id),
        "unregistered by the phone",
        state.clock.now(),
    )
    .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("device {id}")))
    }
}

/// The caller's notification settings.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Settings), (status = 401, body = crate::error::ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Settings>, ApiError> {
    require(&caller, OWN)?;
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(crate::store::StoreError::from)?;
    Ok(ApiJson(
        Settings::load_on(&mut conn, caller.account.id).await?,
    ))
}

/// Sets the caller's notification settings: push on or off, quiet hours
/// (duty offers still come while they are clocked in).
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    request_body = Settings,
    responses((status = 200, body = Settings), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(s): ApiJson<Settings>,
) -> Result<ApiJson<Settings>, ApiError> {
    require(&caller, OWN)?;
    if let Some((field, why)) = s.invalid() {
        return Err(ApiError::bad_field(field, why));
    }
    s.save(&state.store, caller.account.id, state.clock.now())
        .await?;
    Ok(ApiJson(s))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadLetterQuery {
    /// At most this many, newest first (1–500, default 100): the answer is
    /// a page (`{items, next_cursor}`). Without `limit` or `cursor`: the
    /// newest 500 as a plain array.
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
}

/// The newest 500 dead letters (an array, as before), or, with `limit` or
/// `cursor`, one page of them (`{items, next_cursor}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DeadLetterList {
    All(Vec<DeadLetter>),
    Page(crate::api::pagination::CursorPage<DeadLetter>),
}

/// Deliveries given up on, with the reason, newest first: staff of a
/// street see those to its people, district admins all.
#[utoipa::path(get, path = "/api/v1/notifications/dead-letters", tag = "notifications", security(("bearer" = [])),
    params(DeadLetterQuery),
    responses((status = 200, body = DeadLetterList), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn dead_letters(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DeadLetterQuery>,
) -> Result<ApiJson<DeadLetterList>, ApiError> {
    let scope = require(&caller, Action::HandleWarning)?;
    let street = scoped_street(&caller, scope)?;
    let want =
        crate::api::pagination::want_cursor::<queue::DeadLetterKey>(q.cursor.as_deref(), q.limit)?;
    let rows = queue::dead_letters(&state, street.as_deref(), want.after, want.fetch()).await?;
    let page = crate::api::pagination::CursorPage::from_overfetch(rows, want.limit, |(key, _)| {
        crate::api::pagination::encode_key(key)
    });
    let items = page.items.into_iter().map(|(_, d)| d).collect();
    Ok(ApiJson(if want.paged {
        DeadLetterList::Page(crate::api::pagination::CursorPage {
            items,
            next_cursor: page.next_cursor,
        })
    } else {
        DeadLetterList::All(items)
    }))
}

/// The notification routes: messages, the stream, devices, settings and
/// dead letters.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(stream))
        .routes(routes!(dead_letters))
        .routes(routes!(vapid_key))
        .routes(routes!(list_devices, register))
        .routes(routes!(unregister))
        .routes(routes!(get_settings, put_settings))
}
