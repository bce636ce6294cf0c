//! Live order events for the staff console's board (server-sent events,
//! `GET /api/v1/events`), each with an id a client resumes after with
//! `Last-Event-ID`.
//!
//! * Embedded SQLite (one instance): changes stay in the process. Ids come
//!   from a counter that starts at the process's start time in
//!   microseconds, so a new process's ids are above an old one's; the last
//!   [`RECENT`] events are kept for resumption, and a resume point older
//!   than that (or from an earlier process) gets a `resync` event.
//! * PostgreSQL (several instances): each change is written to
//!   `live_events` (ids from the database, made visible in order under one
//!   advisory lock) and announced with `NOTIFY`; every instance tails the
//!   table by id and hands each event to its own subscribers, so a
//!   subscriber on any instance gets every event once, and resumes on any
//!   instance. The same connection carries the wake-ups of notification
//!   streams queued on other instances.

use crate::store::StoreError;
use lawcircle_core::orders::order::Order;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc};

/// What changed: what the stream sends (the wire contract's payload)
/// and what access decisions need, which is never sent.
#[derive(Debug, Clone)]
pub struct OrderChange {
    pub wire: lawcircle_api::events::OrderChange,
    pub requester_id: String,
    pub entered_by: Option<String>,
}

impl OrderChange {
    /// What access decisions need to know of the changed order.
    pub fn facts(&self) -> lawcircle_core::authz::OrderFacts<'_> {
        lawcircle_core::authz::OrderFacts {
            requester_id: &self.requester_id,
            entered_by: self.entered_by.as_deref(),
            assignee: self.wire.assignee.as_deref(),
            street_code: &self.wire.street_code,
            held: false,
            open: self.wire.state == lawcircle_core::orders::order::OrderState::Open,
        }
    }
}

/// A change as `live_events` keeps it: with the fields access decisions
/// need, which are never sent.
#[derive(Serialize, Deserialize)]
struct StoredChange {
    change: lawcircle_api::events::OrderChange,
    requester_id: String,
    entered_by: Option<String>,
}

/// One event of the stream: its id (the SSE id) and the change.
#[derive(Debug)]
pub struct LiveEvent {
    pub id: i64,
    pub change: OrderChange,
}

/// Events kept in memory for resumption on SQLite.
pub const RECENT: usize = 4096;
/// The most events a resuming client is sent from `live_events`; more
/// missed than that gets a `resync` (reload) instead.
pub const MAX_REPLAY: i64 = 5000;
/// How long `live_events` rows are kept (resumption older than this gets
/// a `resync`).
pub const LIVE_EVENTS_KEPT: chrono::Duration = chrono::Duration::days(1);

/// The channel that announces new `live_events` rows (payload: the highest
/// id written).
const LIVE_CHANNEL: &str = "lawcircle_live";
/// The channel that wakes notification streams and delivery workers of
/// other instances (payload: the sender's instance, `:`, account ids).
const WAKE_CHANNEL: &str = "lawcircle_wake";
/// The transaction-level advisory lock writers of `live_events` take, so
/// ids become visible in order (an arbitrary constant: "LCLIVE").
const LIVE_LOCK: i64 = 0x4C43_4C49_5645;
/// `NOTIFY` payloads must stay under 8000 bytes.
const MAX_PAYLOAD: usize = 7000;
/// How often an instance reads `live_events` without being woken (a lost
/// `NOTIFY` while its listening connection was re-established).
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// What a resuming subscriber missed.
#[derive(Debug)]
pub enum Missed {
    /// These events, oldest first (possibly none).
    Events(Vec<Arc<LiveEvent>>),
    /// More than can be replayed, or from before what is kept: reload.
    TooOld,
}

/// The publish side.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    /// Bumped on every change of orders, ratings or hotline records seen
    /// by this instance: what derived data (the indicators) is cached
    /// against.
    generation: Arc<AtomicU64>,
    mode: Arc<Mode>,
}

#[derive(Debug)]
enum Mode {
    /// One instance: ids from a counter, the recent events in memory.
    Local(Mutex<Recent>),
    /// Several instances on PostgreSQL.
    Shared(Shared),
}

#[derive(Debug)]
struct Recent {
    /// The id of the last event (starts at the process's start time in
    /// microseconds: ids at or below it are an earlier process's).
    last: i64,
    first_of_process: i64,
    events: VecDeque<Arc<LiveEvent>>,
}

#[derive(Debug)]
struct Shared {
    /// Changes to write to `live_events`, in order.
    outbox: mpsc::UnboundedSender<OrderChange>,
    pool: sqlx::PgPool,
    /// The highest id handed to this instance's subscribers.
    seen: AtomicI64,
}

impl Default for EventBus {
    fn default() -> Self {
        let start = chrono::Utc::now().timestamp_micros();
        EventBus {
            tx: broadcast::channel(1024).0,
            generation: Arc::default(),
            mode: Arc::new(Mode::Local(Mutex::new(Recent {
                last: start,
                first_of_process: start + 1,
                events: VecDeque::new(),
            }))),
        }
    }
}

impl EventBus {
    /// The bus of an instance that shares its database with others
    /// (PostgreSQL): starts the writer of this instance's changes and the
    /// reader of everyone's, which also relays notification wake-ups
    /// between instances for `notifications`.
    pub async fn shared(
        pool: sqlx::PgPool,
        instance: &str,
        notifications: &crate::notifications::Notifications,
    ) -> Result<EventBus, StoreError> {
        let seen: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM live_events")
            .fetch_one(&pool)
            .await?;
        let (outbox, changes) = mpsc::unbounded_channel();
        let bus = EventBus {
            tx: broadcast::channel(1024).0,
            generation: Arc::default(),
            mode: Arc::new(Mode::Shared(Shared {
                outbox,
                pool: pool.clone(),
                seen: AtomicI64::new(seen),
            })),
        };
        let (wakes_tx, wakes) = mpsc::unbounded_channel();
        notifications.relay_to(wakes_tx);
        tokio::spawn(write_changes(
            pool.clone(),
            changes,
            wakes,
            instance.to_string(),
        ));
        tokio::spawn(
            bus.clone()
                .tail(pool, instance.to_string(), notifications.clone()),
        );
        Ok(bus)
    }

    /// Notes a change that is not an order's (a rating, hotline records).
    pub fn touch(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The count of changes seen so far.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Publishes a change; nobody listening is fine.
    pub fn publish(&self, order: &Order) {
        self.publish_from(order, None);
    }

    /// Publishes a change of an order that was in `previous_street` before
    /// it (told as `from_street_code` when the street changed).
    pub fn publish_from(&self, order: &Order, previous_street: Option<&str>) {
        self.touch();
        let change = OrderChange {
            wire: lawcircle_api::events::OrderChange {
                order_id: order.id.clone(),
                state: order.state,
                version: order.version,
                street_code: order.street_code.clone(),
                from_street_code: previous_street
                    .filter(|s| *s != order.street_code)
                    .map(str::to_string),
                assignee: order.assignee.clone(),
            },
            requester_id: order.requester_id.clone(),
            entered_by: order.entered_by.clone(),
        };
        match &*self.mode {
            Mode::Local(recent) => {
                // One lock orders ids, the kept events and the sends alike.
                let Ok(mut recent) = recent.lock() else {
                    return;
                };
                recent.last += 1;
                let event = Arc::new(LiveEvent {
                    id: recent.last,
                    change,
                });
                if recent.events.len() == RECENT {
                    recent.events.pop_front();
                }
                recent.events.push_back(event.clone());
                let _ = self.tx.send(event);
            }
            // Subscribers, here too, get it from the table (one order for
            // every instance).
            Mode::Shared(shared) => {
                let _ = shared.outbox.send(change);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.tx.subscribe()
    }

    /// The id of the latest event this instance's subscribers were given.
    pub fn latest(&self) -> i64 {
        match &*self.mode {
            Mode::Local(recent) => recent.lock().map_or(0, |r| r.last),
            Mode::Shared(shared) => shared.seen.load(Ordering::SeqCst),
        }
    }

    /// The events after `after`, for a subscriber that resumes (or fell
    /// behind).
    pub async fn since(&self, after: i64) -> Result<Missed, StoreError> {
        match &*self.mode {
            Mode::Local(recent) => {
                let Ok(recent) = recent.lock() else {
                    return Ok(Missed::TooOld);
                };
                if after >= recent.last {
                    return Ok(Missed::Events(Vec::new()));
                }
                let oldest = recent.events.front().map_or(recent.last + 1, |e| e.id);
                if after < recent.first_of_process - 1 || after < oldest - 1 {
                    return Ok(Missed::TooOld);
                }
                Ok(Missed::Events(
                    recent
                        .events
                        .iter()
                        .filter(|e| e.id > after)
                        .cloned()
                        .collect(),
                ))
            }
            Mode::Shared(shared) => {
                let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM live_events")
                    .fetch_one(&shared.pool)
                    .await?;
                if oldest.is_some_and(|o| after < o - 1) {
                    return Ok(Missed::TooOld);
                }
                let rows = read_after(&shared.pool, after, MAX_REPLAY + 1).await?;
                if rows.len() as i64 > MAX_REPLAY {
                    return Ok(Missed::TooOld);
                }
                Ok(Missed::Events(rows.into_iter().map(Arc::new).collect()))
            }
        }
    }

    /// Removes `live_events` rows older than [`LIVE_EVENTS_KEPT`] (the
    /// background job's leader does it); how many.
    pub async fn prune(&self) -> Result<u64, StoreError> {
        let Mode::Shared(shared) = &*self.mode else {
            return Ok(0);
        };
        let before = crate::store::millis(chrono::Utc::now() - LIVE_EVENTS_KEPT);
        Ok(sqlx::query("DELETE FROM live_events WHERE created_at < $1")
            .bind(before)
            .execute(&shared.pool)
            .await?
            .rows_affected())
    }

    /// Reads `live_events` after what this instance has seen, whenever
    /// another instance (or this one) announces new rows, and at least
    /// every [`POLL`]; hands each event to the subscribers here. Relays
    /// notification wake-ups of other instances to `notifications`.
    async fn tail(
        self,
        pool: sqlx::PgPool,
        instance: String,
        notifications: crate::notifications::Notifications,
    ) {
        let Mode::Shared(shared) = &*self.mode else {
            return;
        };
        let (signals_tx, mut signals) = mpsc::unbounded_channel();
        tokio::spawn(listen(pool.clone(), signals_tx));
        loop {
            let signal = tokio::time::timeout(POLL, signals.recv()).await;
            let mut read = true;
            match signal {
                Ok(None) => return,
                Ok(Some(Signal::Live(upto))) => {
                    read = upto > shared.seen.load(Ordering::SeqCst);
                }
                Ok(Some(Signal::Wake(payload))) => {
                    read = false;
                    if let Some((from, accounts)) = payload.split_once(':')
                        && from != instance
                    {
                        let ids: Vec<i64> =
                            accounts.split(',').filter_map(|a| a.parse().ok()).collect();
                        notifications.wake_here(&ids);
                    }
                }
                Ok(Some(Signal::Reconnected)) | Err(_) => {}
            }
            if !read {
                continue;
            }
            loop {
                let after = shared.seen.load(Ordering::SeqCst);
                let rows = match read_after(&pool, after, 1000).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the live events; retrying");
                        break;
                    }
                };
                let more = rows.len() == 1000;
                for event in rows {
                    self.touch();
                    shared.seen.store(event.id, Ordering::SeqCst);
                    let _ = self.tx.send(Arc::new(event));
                }
                if !more {
                    break;
                }
            }
        }
    }
}

/// What the listening connection heard.
enum Signal {
    /// New `live_events` rows, up to this id.
    Live(i64),
    /// A notification wake-up (the raw payload).
    Wake(String),
    /// The connection was lost and made again: something may be missed.
    Reconnected,
}

/// Listens on a dedicated connection (own task: the listener is not
/// cancelled mid-message), re-established when lost.
async fn listen(pool: sqlx::PgPool, signals: mpsc::UnboundedSender<Signal>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other instances' events; retrying");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([LIVE_CHANNEL, WAKE_CHANNEL]).await {
            tracing::warn!(error = %e, "cannot listen for other instances' events; retrying");
            tokio::time::sleep(POLL).await;
            continue;
        }
        let _ = signals.send(Signal::Reconnected);
        loop {
            let signal = match listener.try_recv().await {
                Ok(Some(n)) if n.channel() == LIVE_CHANNEL => {
                    Signal::Live(n.payload().parse().unwrap_or(i64::MAX))
                }
                Ok(Some(n)) => Signal::Wake(n.payload().to_string()),
                Ok(None) => Signal::Reconnected,
                Err(e) => {
                    tracing::warn!(error = %e, "the listening connection failed; reconnecting");
                    tokio::time::sleep(POLL).await;
                    break;
                }
            };
            if signals.send(signal).is_err() {
                return;
            }
        }
    }
}

/// Writes this instance's changes to `live_events` in order, a batch per
/// transaction, and announces them; sends notification wake-ups.
async fn write_changes(
    pool: sqlx::PgPool,
    mut changes: mpsc::UnboundedReceiver<OrderChange>,
    mut wakes: mpsc::UnboundedReceiver<Vec<i64>>,
    instance: String,
) {
    loop {
        tokio::select! {
            first = changes.recv() => {
                let Some(first) = first else { return };
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match changes.try_recv() {
                        Ok(c) => batch.push(c),
                        Err(_) => break,
                    }
                }
                for attempt in 1..=5u64 {
                    match write_batch(&pool, &batch).await {
                        Ok(()) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, attempt, "cannot write live events; retrying");
                            tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                        }
                    }
                }
            }
            accounts = wakes.recv() => {
                let Some(accounts) = accounts else { return };
                for payload in wake_payloads(&instance, &accounts) {
                    if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(WAKE_CHANNEL)
                        .bind(&payload)
                        .execute(&pool)
                        .await
                    {
                        tracing::warn!(error = %e, "cannot wake other instances' streams");
                    }
                }
            }
        }
    }
}

/// `instance:1,2,3` payloads under the `NOTIFY` limit.
fn wake_payloads(instance: &str, accounts: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = format!("{instance}:");
    let empty = current.len();
    for a in accounts {
        let a = a.to_string();
        if current.len() + a.len() + 1 > MAX_PAYLOAD && current.len() > empty {
            out.push(std::mem::replace(&mut current, format!("{instance}:")));
        }
        if current.len() > empty {
            current.push(',');
        }
        current.push_str(&a);
    }
    if current.len() > empty {
        out.push(current);
    }
    out
}

async fn write_batch(pool: &sqlx::PgPool, batch: &[OrderChange]) -> Result<(), StoreError> {
    let now = crate::store::millis(chrono::Utc::now());
    let mut tx = pool.begin().await?;
    // Held to the commit: the next writer's ids are drawn after these
    // are visible, so readers never see a later id before an earlier one.
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LIVE_LOCK)
        .execute(&mut *tx)
        .await?;
    // One statement for the batch: the rows of a multi-row VALUES are
    // inserted, and their ids drawn, in the order listed.
    let insert = format!(
        "INSERT INTO live_events (body, created_at) VALUES {} RETURNING id",
        crate::store::row_placeholders(batch.len(), 2)
    );
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(insert));
    for change in batch {
        let body = crate::store::encode(
            "live_events",
            &change.wire.order_id,
            &StoredChange {
                change: change.wire.clone(),
                requester_id: change.requester_id.clone(),
                entered_by: change.entered_by.clone(),
            },
        )?;
        query = query.bind(body).bind(now);
    }
    let last = query
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .max()
        .unwrap_or_default();
    // Delivered at the commit, to every listening instance (this one too).
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(LIVE_CHANNEL)
        .bind(last.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// `live_events` rows after `after`, oldest first.
async fn read_after(
    pool: &sqlx::PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<LiveEvent>, StoreError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, body FROM live_events WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, body) in rows {
        let stored: StoredChange = crate::store::decode("live_events", &id.to_string(), &body)?;
        let change = OrderChange {
            wire: stored.change,
            requester_id: stored.requester_id,
            entered_by: stored.entered_by,
        };
        out.push(LiveEvent { id, change });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: usize) -> Order {
        use lawcircle_core::catalogue::area::AreaLevel;
        use lawcircle_core::orders::order::{NewOrder, OrderKind};
        Order::new(
            NewOrder {
                id: format!("O{n}"),
                need_id: n.to_string(),
                requester_id: "7".into(),
                kind: OrderKind::Consultation,
                category: "consultation".into(),
                urgent: false,
                level: AreaLevel::Street,
                area_code: "330303001".into(),
                street_code: "330303001".into(),
            },
            chrono::Utc::now(),
            None,
        )
    }

    #[tokio::test]
    async fn in_process_events_resume_within_what_is_kept() {
        let bus = EventBus::default();
        let mut rx = bus.subscribe();
        let start = bus.latest();
        bus.publish(&order(0));
        // Ids follow each other from the process's start.
        assert_eq!(rx.recv().await.unwrap().id, start + 1);
        for n in 1..RECENT + 10 {
            bus.publish(&order(n));
        }
        assert_eq!(bus.latest(), start + (RECENT + 10) as i64);
        // Within what is kept: exactly the events after the point.
        let after = bus.latest() - 5;
        let Missed::Events(events) = bus.since(after).await.unwrap() else {
            panic!("the last five are kept");
        };
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        assert_eq!(ids, (after + 1..=bus.latest()).collect::<Vec<_>>());
        assert_eq!(events[4].change.wire.order_id, format!("O{}", RECENT + 9));
        // Nothing missed.
        let Missed::Events(none) = bus.since(bus.latest()).await.unwrap() else {
            panic!("up to date");
        };
        assert!(none.is_empty());
        // The first ten fell out of what is kept; an earlier process's
        // ids are below this one's.
        assert!(matches!(
            bus.since(start + 5).await.unwrap(),
            Missed::TooOld
        ));
        assert!(matches!(bus.since(1).await.unwrap(), Missed::TooOld));
        let Missed::Events(kept) = bus.since(start + 10).await.unwrap() else {
            panic!("the oldest kept event follows this point");
        };
        assert_eq!(kept.len(), RECENT);
    }

    /// On PostgreSQL, changes published in a burst (written in batches,
    /// one statement each) reach subscribers once each, in the order they
    /// were published, with rising ids, and resume from the table.
    #[tokio::test]
    async fn shared_events_keep_the_order_they_were_published_in() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "live_order").await {
            let Some(url) = store.postgres_url() else {
                continue;
            };
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .connect(url)
                .await
                .unwrap();
            let bus = EventBus::shared(
                pool,
                "test",
                &crate::notifications::Notifications::default(),
            )
            .await
            .unwrap();
            let start = bus.latest();
            let mut rx = bus.subscribe();
            let n = 700;
            for i in 0..n {
                bus.publish(&order(i));
            }
            let mut ids = Vec::new();
            for i in 0..n {
                let event = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(event.change.wire.order_id, format!("O{i}"));
                ids.push(event.id);
            }
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
            assert!(ids[0] > start);
            let Missed::Events(missed) = bus.since(ids[n - 11]).await.unwrap() else {
                panic!("the last ten are in the table");
            };
            let resumed: Vec<i64> = missed.iter().map(|e| e.id).collect();
            assert_eq!(resumed, ids[n - 10..]);
        }
    }

    #[test]
    fn wake_payloads_stay_under_the_notify_limit() {
        let accounts: Vec<i64> = (1_000_000_000..1_000_002_000).collect();
        let payloads = wake_payloads("host-1", &accounts);
        assert!(payloads.len() > 1);
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() <= MAX_PAYLOAD, "{}", p.len());
            let (from, ids) = p.split_once(':').unwrap();
            assert_eq!(from, "host-1");
            back.extend(ids.split(',').map(|a| a.parse::<i64>().unwrap()));
        }
        assert_eq!(back, accounts);
        assert!(wake_payloads("x", &[]).is_empty());
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
