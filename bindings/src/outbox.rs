//! The outbox (待发送) as the shells see it: what is waiting, what failed
//! and why, retry and discard, the sync that delivers it, and a listener
//! told of every change of state. The queue itself is the core's
//! [`lawcircle_client::outbox::Outbox`] (one SQLite file, durable before a
//! call returns, idempotency keys so a retry never makes a second record).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lawcircle_client::outbox::{self, Item, ItemKind, ItemState};

use crate::LawCircleError;
use crate::client::{LawCircleClient, ListenerHandle, Registration};
use crate::runtime::{CancelToken, run_cancellable};

/// The kind of an outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OutboxKind {
    Need,
    Attachment,
    Punch,
}

impl From<ItemKind> for OutboxKind {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::Need => OutboxKind::Need,
            ItemKind::Attachment => OutboxKind::Attachment,
            ItemKind::Punch => OutboxKind::Punch,
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OutboxState {
    /// Waiting for its turn (待发送).
    NotSent,
    /// An attempt is in flight (发送中).
    Sending,
    /// Confirmed by the server (已送达).
    Sent,
    /// The last attempt failed; retried automatically later.
    Failed,
    /// Refused by the server: the user must edit, retry or discard it (需处理).
    Wedged,
    /// Removed by the user (only seen in events).
    Discarded,
}

impl From<ItemState> for OutboxState {
    fn from(s: ItemState) -> Self {
        match s {
            ItemState::NotSent => OutboxState::NotSent,
            ItemState::Sending => OutboxState::Sending,
            ItemState::Sent => OutboxState::Sent,
            ItemState::Failed => OutboxState::Failed,
            ItemState::Wedged => OutboxState::Wedged,
            ItemState::Discarded => OutboxState::Discarded,
        }
    }
}

/// One entry of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboxEntry {
    /// The idempotency key.
    pub key: String,
    pub kind: OutboxKind,
    /// The record it belongs to (the phone's id of a need, a punch id, an
    /// attachment's sha256).
    pub entity: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub last_status: Option<u16>,
    /// When a failed entry is tried again (ms since the epoch).
    pub next_attempt_at_ms: i64,
    /// The server's answer once sent (JSON), e.g. the need's id and order.
    pub result: Option<String>,
}

impl From<Item> for OutboxEntry {
    fn from(i: Item) -> Self {
        OutboxEntry {
            key: i.key,
            kind: i.kind.into(),
            entity: i.entity,
            state: i.state.into(),
            attempts: i.attempts,
            last_error: i.last_error,
            last_status: i.last_status,
            next_attempt_at_ms: i.next_attempt_at,
            result: i.result,
        }
    }
}

/// Entries per state (a badge: "3 waiting, 1 needs attention").
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct OutboxCounts {
    pub not_sent: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub wedged: u64,
    /// Still to be delivered automatically.
    pub pending: u64,
}

/// A change of one entry's state.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboxChange {
    pub key: String,
    pub kind: OutboxKind,
    pub entity: String,
    /// `None` when just enqueued.
    pub from: Option<OutboxState>,
    pub to: OutboxState,
    pub attempts: u32,
    pub error: Option<String>,
    pub retry_in_ms: Option<u64>,
}

/// What one sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub attempts: u64,
    pub sent: u64,
    pub failed: u64,
    pub wedged: u64,
    /// Left to deliver (failed entries wait for their next attempt).
    pub pending: u64,
}

/// Told of every outbox change. Implemented by the shell; called on a
/// library thread (or the caller's, for an enqueue): hop to the UI thread.
#[uniffi::export(with_foreign)]
pub trait OutboxListener: Send + Sync {
    fn on_change(&self, change: OutboxChange);
}

/// The core outbox's one listener, fanned out to every registered shell
/// listener.
#[derive(Default)]
pub(crate) struct OutboxFanout {
    next: AtomicU64,
    listeners: Mutex<Vec<(u64, Arc<dyn OutboxListener>)>>,
}

impl std::fmt::Debug for OutboxFanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxFanout").finish_non_exhaustive()
    }
}

impl OutboxFanout {
    fn add(&self, l: Arc<dyn OutboxListener>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        match self.listeners.lock() {
            Ok(mut v) => v.push((id, l)),
            Err(p) => p.into_inner().push((id, l)),
        }
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        match self.listeners.lock() {
            Ok(mut v) => v.retain(|(i, _)| *i != id),
            Err(p) => p.into_inner().retain(|(i, _)| *i != id),
        }
    }

    pub(crate) fn contains(&self, id: u64) -> bool {
        self.listeners
            .lock()
            .map(|v| v.iter().any(|(i, _)| *i == id))
            .unwrap_or(false)
    }
}

impl outbox::OutboxListener for OutboxFanout {
    fn on_event(&self, e: &outbox::OutboxEvent) {
        // Copied out, so a listener may (un)register from its callback.
        let listeners: Vec<_> = match self.listeners.lock() {
            Ok(v) => v.iter().map(|(_, l)| l.clone()).collect(),
            Err(_) => return,
        };
        for l in listeners {
            l.on_change(OutboxChange {
                key: e.key.clone(),
                kind: e.kind.into(),
                entity: e.entity.clone(),
                from: e.from.map(Into::into),
                to: e.to.into(),
                attempts: e.attempts,
                error: e.error.clone(),
                retry_in_ms: e.retry_in_ms,
            });
        }
    }
}

/// The longest a sync may wait for failed entries to come due.
const MAX_SYNC_WAIT_MS: u32 = 10 * 60 * 1000;

#[uniffi::export]
impl LawCircleClient {
    /// Every entry not yet delivered (waiting, failed, refused), and the
    /// delivered ones still kept, in enqueue order.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>, LawCircleError> {
        let outbox = &self.inner.outbox;
        let mut out = Vec::new();
        for (key, _, _) in outbox.keys()? {
            out.push(outbox.item(&key)?.into());
        }
        Ok(out)
    }

    /// One entry.
    pub fn outbox_entry(&self, key: String) -> Result<OutboxEntry, LawCircleError> {
        Ok(self.inner.outbox.item(&key)?.into())
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts, LawCircleError> {
        let c = self.inner.outbox.counts()?;
        Ok(OutboxCounts {
            not_sent: c.not_sent,
            sending: c.sending,
            sent: c.sent,
            failed: c.failed,
            wedged: c.wedged,
            pending: c.pending(),
        })
    }

    /// Sends a failed or refused entry again at the next sync.
    pub fn retry_outbox_entry(&self, key: String) -> Result<(), LawCircleError> {
        Ok(self.inner.outbox.retry(&key)?)
    }

    /// Removes an entry the user gave up on (never one the server already
    /// confirmed).
    pub fn discard_outbox_entry(&self, key: String) -> Result<(), LawCircleError> {
        Ok(self.inner.outbox.discard(&key)?)
    }

    /// Delivers the outbox: signs in if needed, sends what is due, and
    /// waits (up to `max_wait_ms`) for failed entries to come due again.
    /// Refused entries stay for the user. Offline it fails with `Network`
    /// and nothing is lost. Cancelled (the caller's coroutine, or `cancel`)
    /// it stops sending and puts the entries in flight back in the queue.
    #[uniffi::method(default(cancel))]
    pub async fn sync(
        &self,
        max_wait_ms: u32,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<SyncReport, LawCircleError> {
        if max_wait_ms > MAX_SYNC_WAIT_MS {
            return Err(LawCircleError::invalid(
                "max_wait_ms",
                format!("must be at most {MAX_SYNC_WAIT_MS}"),
            ));
        }
        let inner = self.inner.clone();
        run_cancellable(
            async move {
                // Cancelled by the caller (the task is aborted, this future
                // dropped) with entries in flight: they go back to the queue.
                let release = ReleaseOnCancel(Some(inner.outbox.clone()));
                // Offline: say so at once rather than burn attempts (and their
                // back-off) on a network that is not there.
                inner.ping().await?;
                // A live session: signs in, or again when the token expired
                // (the outbox would otherwise retry 401s until the wait ends).
                inner.get("/api/v1/me").await?;
                let wait = Duration::from_millis(u64::from(max_wait_ms));
                let r = match inner.sync.push_until_idle(wait).await {
                    Ok(r) => r,
                    // Something still failing after the wait: report what is
                    // left rather than an error; the next sync resumes.
                    Err(lawcircle_client::sync::SyncError::Timeout(_)) => {
                        lawcircle_client::sync::PushReport::default()
                    }
                    Err(e) => return Err(e.into()),
                };
                release.done();
                Ok(SyncReport {
                    attempts: r.attempts,
                    sent: r.sent,
                    failed: r.failed,
                    wedged: r.wedged,
                    pending: inner.outbox.counts()?.pending(),
                })
            },
            cancel,
        )
        .await
    }

    /// Registers `listener` for every outbox change until the handle is
    /// cancelled.
    pub fn watch_outbox(&self, listener: Arc<dyn OutboxListener>) -> Arc<ListenerHandle> {
        let id = self.inner.fanout.add(listener);
        ListenerHandle::new(Registration::Outbox(Arc::downgrade(&self.inner.fanout), id))
    }
}

/// Puts the outbox's in-flight entries back to the queue when a sync is
/// dropped before it finished (its caller was cancelled).
struct ReleaseOnCancel(Option<Arc<lawcircle_client::outbox::Outbox>>);

impl ReleaseOnCancel {
    fn done(mut self) {
        self.0 = None;
    }
}

impl Drop for ReleaseOnCancel {
    fn drop(&mut self) {
        if let Some(outbox) = self.0.take() {
            // Best effort: a failure here leaves them `Sending` until the
            // outbox is next opened, which releases them too.
            let _ = outbox.release_sending();
        }
    }
}
