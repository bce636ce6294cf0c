//! What the outbox holds and tells: items, their kinds and states, the
//! outcome of an attempt, the events a shell listens to, and the errors.

use lawcircle_core::needs::NeedErrors;
use lawcircle_core::validation::FieldError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What an outbox item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A [`NeedDraft`](lawcircle_core::needs::NeedDraft) as JSON, for `POST /api/v1/needs`.
    Need,
    /// The bytes of a photo or document, for
    /// `PUT /api/v1/attachments/{sha256}`; the entity is the sha256.
    Attachment,
    /// A [`lawcircle_core::volunteers::punch::Punch`] as JSON, for `POST /api/v1/punches`.
    Punch,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Need => "need",
            ItemKind::Attachment => "attachment",
            ItemKind::Punch => "punch",
        }
    }

    pub(super) fn parse(s: &str) -> Result<Self, OutboxError> {
        match s {
            "need" => Ok(ItemKind::Need),
            "attachment" => Ok(ItemKind::Attachment),
            "punch" => Ok(ItemKind::Punch),
            other => Err(OutboxError::Corrupt(format!("unknown kind {other:?}"))),
        }
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Waiting for its turn (待发送).
    NotSent,
    /// An attempt is in flight (发送中).
    Sending,
    /// Confirmed by the server (已送达); the payload is dropped.
    Sent,
    /// The last attempt failed transiently; retried at `next_attempt_at`.
    Failed,
    /// Refused by the server (4xx); waits for the user (需处理).
    Wedged,
    /// Removed by the user; only ever seen in events.
    Discarded,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::NotSent => "not_sent",
            ItemState::Sending => "sending",
            ItemState::Sent => "sent",
            ItemState::Failed => "failed",
            ItemState::Wedged => "wedged",
            ItemState::Discarded => "discarded",
        }
    }

    pub(super) fn parse(s: &str) -> Result<Self, OutboxError> {
        Ok(match s {
            "not_sent" => ItemState::NotSent,
            "sending" => ItemState::Sending,
            "sent" => ItemState::Sent,
            "failed" => ItemState::Failed,
            "wedged" => ItemState::Wedged,
            other => return Err(OutboxError::Corrupt(format!("unknown state {other:?}"))),
        })
    }
}

/// What went wrong in the outbox.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Invalid(#[from] NeedErrors),
    #[error("{0}")]
    Attachment(FieldError),
    #[error("no outbox item {0}")]
    NotFound(String),
    #[error("outbox item {key} is {state:?}; only items not yet confirmed can be changed")]
    NotEditable { key: String, state: ItemState },
    #[error("outbox database is corrupt: {0}")]
    Corrupt(String),
    #[error("the outbox lock was poisoned by a panic")]
    Poisoned,
    #[error("cannot encode the item: {0}")]
    Encode(#[from] serde_json::Error),
}

/// An item to enqueue.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub kind: ItemKind,
    /// Items of one entity are sent in enqueue order.
    pub entity: String,
    pub payload: Vec<u8>,
    /// The content type of an attachment.
    pub media_type: Option<String>,
    /// Keys of items that must be sent first.
    pub parents: Vec<String>,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The idempotency key, made at enqueue (UUID v7).
    pub key: String,
    /// Enqueue order.
    pub seq: i64,
    pub kind: ItemKind,
    pub entity: String,
    pub payload: Vec<u8>,
    pub media_type: Option<String>,
    pub state: ItemState,
    pub attempts: u32,
    /// Milliseconds since the epoch.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub last_status: Option<u16>,
    /// The server's answer once sent (JSON).
    pub result: Option<String>,
}

/// A change of state, for the shell (e.g. a badge "3 waiting, 1 needs
/// attention").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEvent {
    pub key: String,
    pub kind: ItemKind,
    pub entity: String,
    /// `None` when the item was just enqueued.
    pub from: Option<ItemState>,
    pub to: ItemState,
    pub attempts: u32,
    /// Why it failed or was wedged.
    pub error: Option<String>,
    /// For `Failed`: the wait before the next attempt.
    pub retry_in_ms: Option<u64>,
}

/// Receives outbox events (a UniFFI callback interface on the phone).
pub trait OutboxListener: Send + Sync {
    fn on_event(&self, event: &OutboxEvent);
}

/// What happened to one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server confirmed the item; `result` is its answer.
    Sent { result: String },
    /// Retry later (network, timeout, 408, 429, 5xx).
    Transient {
        error: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    /// The server refused the item (another 4xx).
    Permanent { error: String, status: u16 },
}

/// Counts per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub not_sent: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub wedged: u64,
}

impl Counts {
    /// Items still to be delivered automatically (not wedged).
    pub fn pending(&self) -> u64 {
        self.not_sent + self.sending + self.failed
    }
}
