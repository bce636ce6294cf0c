//! Notifications that reach people whose app is closed.
//!
//! * [`queue`]: the durable queue. A message to an account is a row of
//!   `notifications`, written in the same database transaction as the
//!   change that causes it (a consultation offered, an order taken,
//!   assigned, accepted, transferred or resolved); each push device it
//!   goes to is a row of `notification_deliveries`. Delivery is at least
//!   once; every message carries an id the phone shows once.
//! * [`rules`]: who gets what, as a table of event × recipient → channels,
//!   and the volunteers a consultation is offered to.
//! * [`channel`]: the one trait every push channel implements;
//!   [`unifiedpush`] is the channel of Android phones without Google
//!   services (RFC 8030 push, RFC 8291 encryption, RFC 8292 VAPID);
//!   [`apns`] is the channel of iPhones (HTTP/2, a provider token signed
//!   with the team's `.p8` key);
//!   [`sms`] texts people without a push device through the SMS provider.
//! * [`phone`]: messages to a mobile number that may have no account
//!   (verification codes, rating links to requesters without one), in
//!   the same queue's worker, retries and dead letters.
//! * [`lease`]: claiming due rows of either queue with a lease, so two
//!   workers (or instances) never deliver the same row at once.
//! * [`worker`]: delivers due deliveries, retries with back-off, removes
//!   devices the service says are gone, dead-letters what cannot go.
//! * [`devices`] and [`settings`]: the devices phones register, each
//!   person's choices (push on or off, quiet hours).
//! * [`api`]: the live stream (server-sent events, resumable with
//!   `Last-Event-ID`), the caller's messages, devices and settings, and
//!   the dead letters for staff.
//!
//! A message says what happened and which order; never a need's
//! description or anyone's contact.

pub mod api;
pub mod apns;
pub mod channel;
pub mod devices;
pub mod lease;
pub mod phone;
pub mod queue;
pub mod resolver;
pub mod rules;
pub mod settings;
pub mod sms;
pub mod unifiedpush;
pub mod worker;

use crate::store::{Store, StoreError};
use std::sync::{Arc, RwLock};
use tokio::sync::{Notify, broadcast};

/// What can go wrong delivering or preparing notifications.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cryptography failed: {0}")]
    Crypto(&'static str),
    #[error("the stored VAPID key cannot be read: {0}")]
    BadKey(String),
}

/// The notification machinery of one server instance: wakes the delivery
/// worker and the open streams after a commit, and holds the channels.
#[derive(Debug, Clone, Default)]
pub struct Notifications {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Wakes the delivery worker (a permit is kept when it is busy).
    work: Notify,
    /// Accounts that have new messages, for their open streams.
    stream: broadcast::Sender<i64>,
    /// The UnifiedPush channel, once its VAPID key is loaded.
    unifiedpush: RwLock<Option<Arc<unifiedpush::UnifiedPush>>>,
    /// The APNs channel, when the server is configured for it.
    apns: RwLock<Option<Arc<apns::Apns>>>,
    /// Whether push endpoints may be plain `http://` (tests on loopback).
    allow_plain_http: std::sync::atomic::AtomicBool,
    /// Where wake-ups go to reach the other instances on PostgreSQL (see
    /// [`crate::events::EventBus::shared`]); unset on SQLite.
    relay: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Vec<i64>>>,
    /// The last delivery outcome of each channel on this instance, for
    /// `/health`.
    outcomes: std::sync::Mutex<std::collections::BTreeMap<&'static str, LastOutcome>>,
}

pub use lawcircle_api::system::LastOutcome;

impl Default for Inner {
    fn default() -> Self {
        Inner {
            work: Notify::new(),
            stream: broadcast::channel(4096).0,
            unifiedpush: RwLock::new(None),
            apns: RwLock::new(None),
            allow_plain_http: std::sync::atomic::AtomicBool::new(false),
            relay: std::sync::OnceLock::new(),
            outcomes: std::sync::Mutex::new(std::collections::BTreeMap::new()),
        }
    }
}

impl Notifications {
    /// Loads (or makes, on first start) the VAPID key every instance
    /// shares, and readies the UnifiedPush channel.
    pub async fn start(
        &self,
        store: &Store,
        vapid_subject: &str,
        allow_plain_http: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), NotifyError> {
        let pkcs8 = unifiedpush::vapid_key(store, now).await?;
        let channel = unifiedpush::UnifiedPush::new(&pkcs8, vapid_subject, !allow_plain_http)?;
        if let Ok(mut slot) = self.inner.unifiedpush.write() {
            *slot = Some(Arc::new(channel));
        }
        self.inner
            .allow_plain_http
            .store(allow_plain_http, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The UnifiedPush channel, when started.
    pub fn unifiedpush(&self) -> Option<Arc<unifiedpush::UnifiedPush>> {
        self.inner.unifiedpush.read().ok().and_then(|s| s.clone())
    }

    /// Sets the APNs channel (none: APNs is not configured, and iPhones
    /// cannot register their tokens).
    pub fn set_apns(&self, channel: Option<apns::Apns>) {
        if let Ok(mut slot) = self.inner.apns.write() {
            *slot = channel.map(Arc::new);
        }
    }

    /// The APNs channel, when configured.
    pub fn apns(&self) -> Option<Arc<apns::Apns>> {
        self.inner.apns.read().ok().and_then(|s| s.clone())
    }

    pub fn allow_plain_http(&self) -> bool {
        self.inner
            .allow_plain_http
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// After a commit that queued messages to `accounts`: wakes the worker
    /// and those accounts' streams.
    pub fn committed(&self, accounts: &[i64]) {
        if accounts.is_empty() {
            return;
        }
        if let Some(relay) = self.inner.relay.get() {
            let _ = relay.send(accounts.to_vec());
        }
        self.wake_here(accounts);
    }

    /// Sends later wake-ups to other instances too (through `relay`).
    pub(crate) fn relay_to(&self, relay: tokio::sync::mpsc::UnboundedSender<Vec<i64>>) {
        let _ = self.inner.relay.set(relay);
    }

    /// Messages to `accounts` were committed (here or on another
    /// instance): wakes this instance's worker and those accounts' streams.
    pub(crate) fn wake_here(&self, accounts: &[i64]) {
        self.inner.work.notify_one();
        for a in accounts {
            let _ = self.inner.stream.send(*a);
        }
    }

    /// Wakes this instance's worker: messages to numbers were committed
    /// (no account's stream has news).
    pub fn wake_worker(&self) {
        self.inner.work.notify_one();
    }

    /// Notes how a delivery over `channel` ended.
    pub(crate) fn note_outcome(
        &self,
        channel: &'static str,
        outcome: &'static str,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        if let Ok(mut map) = self.inner.outcomes.lock() {
            map.insert(
                channel,
                LastOutcome {
                    outcome: outcome.to_string(),
                    at,
                },
            );
        }
    }

    /// The last outcome of `channel` on this instance, if any.
    pub fn last_outcome(&self, channel: &str) -> Option<LastOutcome> {
        self.inner
            .outcomes
            .lock()
            .ok()
            .and_then(|map| map.get(channel).cloned())
    }

    pub(crate) async fn work_arrived(&self) {
        self.inner.work.notified().await;
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.inner.stream.subscribe()
    }
}

/// Random bytes as lowercase hex (message ids).
pub(crate) fn random_hex(n: usize) -> Result<String, NotifyError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|_| NotifyError::Crypto("no random source"))?;
    Ok(hex::encode(buf))
}
