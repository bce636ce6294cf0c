//! The phone's outbox (发件箱): everything entered offline waits here, in
//! the phone's SQLite file, until the server has confirmed it.
//!
//! Modelled on the "send queue" of the Matrix Rust SDK:
//! * the idempotency key (a UUID v7) is made at [`Outbox::enqueue`] and sent
//!   with every attempt, so a retry after a lost response never creates a
//!   second record on the server;
//! * an item leaves the queue only when the server confirmed it
//!   ([`Outcome::Sent`]); a crash while sending leaves it `Sending`, and
//!   [`Outbox::open`] puts it back to `NotSent`: the queue resumes by itself;
//! * states: `NotSent → Sending → Sent`, or `Failed` (transient: network,
//!   timeout, 408, 429, 5xx; retried after [`BackoffPolicy::delay`],
//!   honouring `Retry-After`), or `Wedged` (permanent: another 4xx; kept
//!   until the user edits and retries, or discards it). A wedged item does
//!   not hold up items of other entities;
//! * an item may depend on parents (an attachment upload before the need
//!   that refers to it) and waits until they are sent; items of one entity
//!   are sent in the order they were enqueued;
//! * every change of state is an [`OutboxEvent`] for the shell's
//!   [`OutboxListener`].
//!
//! # Durability
//! WAL journal. Enqueueing commits with `synchronous = FULL` (the user was
//! told "saved": it must survive a power cut); state changes commit with
//! `synchronous = NORMAL` (safe against the app being killed; a state
//! change lost in a power cut only means one more, idempotent, attempt).
//! The schema is versioned with `PRAGMA user_version`.

mod backoff;
mod drafts;
mod files;
mod item;

pub use backoff::{BackoffPolicy, parse_retry_after};
pub use drafts::StoredDraft;
pub use files::{AttachmentFiles, FileProblem};
pub use item::{
    Counts, Item, ItemKind, ItemState, NewItem, OutboxError, OutboxEvent, OutboxListener, Outcome,
};

use chrono::{DateTime, Utc};
use lawcircle_core::needs::{AttachmentRef, NeedDraft, check_attachment};
use lawcircle_core::validation::FieldError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    entity          TEXT NOT NULL,
    payload         BLOB NOT NULL,
    media_type      TEXT,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_status     INTEGER,
    result          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX outbox_by_entity ON outbox (entity, seq);
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);
CREATE TABLE outbox_deps (
    child_key  TEXT NOT NULL,
    parent_key TEXT NOT NULL,
    PRIMARY KEY (child_key, parent_key)
);
CREATE INDEX outbox_deps_by_parent ON outbox_deps (parent_key);
",
    "
-- Version 2: the items waiting to be sent, in enqueue order, so a claim
-- reads the first few instead of sorting every pending item (the query
-- repeats the index's condition word for word, which SQLite needs to use
-- a partial index).
DROP INDEX outbox_by_state;
CREATE INDEX outbox_waiting ON outbox (seq) WHERE state IN ('not_sent', 'failed');
",
    "
-- Version 3: need drafts (草稿) kept until submitted or discarded, and the
-- attachment copies each refers to (so a copy is kept while a draft needs
-- it). An attachment item with an empty payload is sent from its copy.
CREATE TABLE need_drafts (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE need_draft_files (
    draft_id TEXT NOT NULL REFERENCES need_drafts (id) ON DELETE CASCADE,
    sha256   TEXT NOT NULL,
    PRIMARY KEY (draft_id, sha256)
);
CREATE INDEX need_draft_files_by_sha ON need_draft_files (sha256);
",
];

/// Copies nothing refers to (checked by a validation, never submitted)
/// are kept this long, then swept when the outbox opens.
const UNREFERENCED_COPY_TTL: Duration = Duration::from_secs(24 * 3600);

/// The outbox: one SQLite file, safe to share between threads.
pub struct Outbox {
    conn: Mutex<Connection>,
    files: AttachmentFiles,
    listener: RwLock<Option<Arc<dyn OutboxListener>>>,
    policy: BackoffPolicy,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A new idempotency key: UUID v7, time-ordered.
pub fn new_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

const ITEM_COLUMNS: &str = "key, seq, kind, entity, payload, media_type, state, attempts, next_attempt_at, last_error, last_status, result";

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Item, String, String)> {
    let kind: String = r.get(2)?;
    let state: String = r.get(6)?;
    Ok((
        Item {
            key: r.get(0)?,
            seq: r.get(1)?,
            kind: ItemKind::Need,
            entity: r.get(3)?,
            payload: r.get(4)?,
            media_type: r.get(5)?,
            state: ItemState::NotSent,
            attempts: r.get(7)?,
            next_attempt_at: r.get(8)?,
            last_error: r.get(9)?,
            last_status: r.get(10)?,
            result: r.get(11)?,
        },
        kind,
        state,
    ))
}

fn finish_item((mut item, kind, state): (Item, String, String)) -> Result<Item, OutboxError> {
    item.kind = ItemKind::parse(&kind)?;
    item.state = ItemState::parse(&state)?;
    Ok(item)
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path`, migrates its schema
    /// and puts items left `Sending` by a crash back to `NotSent`.
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        Self::open_with(path, BackoffPolicy::default())
    }

    /// As [`Outbox::open`], with another backoff (tests use short ones).
    pub fn open_with(path: &Path, policy: BackoffPolicy) -> Result<Self, OutboxError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        conn.execute(
            "UPDATE outbox SET state = 'not_sent', updated_at = ?1 WHERE state = 'sending'",
            params![now_ms()],
        )?;
        let outbox = Outbox {
            conn: Mutex::new(conn),
            files: AttachmentFiles::beside(path),
            listener: RwLock::new(None),
            policy,
        };
        outbox.sweep_files(UNREFERENCED_COPY_TTL)?;
        Ok(outbox)
    }

    /// The outbox's own copies of attachments.
    pub fn files(&self) -> &AttachmentFiles {
        &self.files
    }

    /// Removes the copies nothing refers to (no unsent upload, no draft)
    /// that are older than `age`, and temporaries a crash left. Returns
    /// how many copies.
    pub fn sweep_files(&self, age: Duration) -> Result<usize, OutboxError> {
        self.files.remove_stale_temporaries(age);
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        let conn = self.lock()?;
        for (sha256, at) in self.files.list() {
            let old = now.duration_since(at).is_ok_and(|d| d > age);
            if old && !copy_referenced(&conn, &sha256)? {
                // Best effort: a copy left now is swept next time.
                if self.files.remove(&sha256).is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Removes the copies of `hashes` nothing refers to any more.
    fn release_copies(&self, conn: &Connection, hashes: &[String]) -> Result<(), OutboxError> {
        for sha256 in hashes {
            if !copy_referenced(conn, sha256)? {
                // Best effort: a copy left now is swept later.
                let _ = self.files.remove(sha256);
            }
        }
        Ok(())
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, OutboxError> {
        Ok(self
            .lock()?
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    pub fn policy(&self) -> BackoffPolicy {
        self.policy
    }

    /// Sets the listener that receives every [`OutboxEvent`].
    pub fn set_listener(&self, listener: Option<Arc<dyn OutboxListener>>) {
        if let Ok(mut l) = self.listener.write() {
            *l = listener;
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, OutboxError> {
        self.conn.lock().map_err(|_| OutboxError::Poisoned)
    }

    fn emit(&self, events: &[OutboxEvent]) {
        let listener = self.listener.read().ok().and_then(|l| l.clone());
        if let Some(l) = listener {
            for e in events {
                l.on_event(e);
            }
        }
    }

    /// Enqueues items in one durable transaction; returns their keys.
    pub fn enqueue_many(&self, items: Vec<NewItem>) -> Result<Vec<String>, OutboxError> {
        self.enqueue_with_keys(items, Vec::new(), None)
    }

    /// Enqueues one item; returns its idempotency key.
    pub fn enqueue(&self, item: NewItem) -> Result<String, OutboxError> {
        self.enqueue_many(vec![item])?
            .pop()
            .ok_or_else(|| OutboxError::Corrupt("enqueue returned no key".into()))
    }

    /// Validates a need on the phone (with the phone's clock), checks its
    /// attachments by content, and enqueues the uploads first and the need
    /// after them, all in one transaction. `entity` is the phone's own id
    /// of the need (later edits of the same need queue behind it). An
    /// attachment already waiting in the outbox is not queued twice.
    /// Returns the need's idempotency key.
    pub fn enqueue_need(
        &self,
        entity: &str,
        draft: &NeedDraft,
        files: &[(Vec<u8>, Option<String>)],
        now: DateTime<Utc>,
    ) -> Result<String, OutboxError> {
        let mut draft = draft.clone();
        let mut items = Vec::new();
        let mut parents = Vec::new();
        for (i, (bytes, claimed)) in files.iter().enumerate() {
            let r = check_attachment(bytes, claimed.as_deref()).map_err(|e| {
                OutboxError::Attachment(FieldError::new(format!("attachments[{i}]"), e.reason))
            })?;
            match self.pending_key_for(ItemKind::Attachment, &r.sha256)? {
                Some(key) => parents.push(key),
                None => items.push(NewItem {
                    kind: ItemKind::Attachment,
                    entity: r.sha256.clone(),
                    payload: bytes.clone(),
                    media_type: Some(r.media_type.clone()),
                    parents: vec![],
                }),
            }
            if !draft.attachments.iter().any(|a| a.sha256 == r.sha256) {
                draft.attachments.push(r);
            }
        }
        let draft = draft.validate(now)?;
        let n_uploads = items.len();
        items.push(NewItem {
            kind: ItemKind::Need,
            entity: entity.to_string(),
            payload: serde_json::to_vec(&draft)?,
            media_type: None,
            parents,
        });
        // The need depends on the uploads enqueued with it: their keys are
        // made inside enqueue_many, so link them by entity afterwards.
        let keys = self.enqueue_linked(items, n_uploads)?;
        keys.last()
            .cloned()
            .ok_or_else(|| OutboxError::Corrupt("enqueue returned no key".into()))
    }

    /// As [`Outbox::enqueue_need`], for attachments already copied into
    /// [`Outbox::files`] (by [`AttachmentFiles::import`]): nothing is read
    /// or hashed again, the uploads are sent from the copies. With
    /// `from_draft`, that draft is deleted in the same transaction.
    pub fn enqueue_need_files(
        &self,
        entity: &str,
        draft: &NeedDraft,
        attachments: &[AttachmentRef],
        from_draft: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, OutboxError> {
        let mut draft = draft.clone();
        let mut items = Vec::new();
        let mut parents = Vec::new();
        for (i, r) in attachments.iter().enumerate() {
            if !self.files.contains(&r.sha256) {
                return Err(OutboxError::Attachment(FieldError::new(
                    format!("attachments[{i}]"),
                    "the phone's copy of the file is gone: attach it again",
                )));
            }
            match self.pending_key_for(ItemKind::Attachment, &r.sha256)? {
                Some(key) => parents.push(key),
                None if items.iter().any(|it: &NewItem| it.entity == r.sha256) => {}
                None => items.push(NewItem {
                    kind: ItemKind::Attachment,
                    entity: r.sha256.clone(),
                    payload: Vec::new(),
                    media_type: Some(r.media_type.clone()),
                    parents: vec![],
                }),
            }
            if !draft.attachments.iter().any(|a| a.sha256 == r.sha256) {
                draft.attachments.push(r.clone());
            }
        }
        let draft = draft.validate(now)?;
        let n_uploads = items.len();
        items.push(NewItem {
            kind: ItemKind::Need,
            entity: entity.to_string(),
            payload: serde_json::to_vec(&draft)?,
            media_type: None,
            parents,
        });
        let keys: Vec<String> = (0..n_uploads).map(|_| new_key()).collect();
        if let Some(last) = items.last_mut() {
            last.parents.extend(keys.iter().cloned());
        }
        let keys = self.enqueue_with_keys(items, keys, from_draft)?;
        keys.last()
            .cloned()
            .ok_or_else(|| OutboxError::Corrupt("enqueue returned no key".into()))
    }

    /// Enqueues `items` where the last one depends on the first `n_parents`.
    fn enqueue_linked(
        &self,
        mut items: Vec<NewItem>,
        n_parents: usize,
    ) -> Result<Vec<String>, OutboxError> {
        // Make the keys here so the dependency rows can name them.
        let keys: Vec<String> = (0..n_parents).map(|_| new_key()).collect();
        if let Some(last) = items.last_mut() {
            last.parents.extend(keys.iter().cloned());
        }
        self.enqueue_with_keys(items, keys, None)
    }

    /// Like [`Outbox::enqueue_many`], using `preset` keys for the first
    /// items.
    /// With `consume_draft`, that draft is deleted in the same
    /// transaction (it must exist).
    fn enqueue_with_keys(
        &self,
        items: Vec<NewItem>,
        preset: Vec<String>,
        consume_draft: Option<&str>,
    ) -> Result<Vec<String>, OutboxError> {
        let mut events = Vec::with_capacity(items.len());
        let mut keys = Vec::with_capacity(items.len());
        let mut preset = preset.into_iter();
        {
            let mut conn = self.lock()?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            let result = (|| -> Result<(), OutboxError> {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if let Some(id) = consume_draft {
                    // Its copies are now the uploads' (queued below).
                    if tx.execute("DELETE FROM need_drafts WHERE id = ?1", params![id])? == 0 {
                        return Err(OutboxError::NotFound(format!("draft {id}")));
                    }
                }
                let now = now_ms();
                for item in items {
                    let key = preset.next().unwrap_or_else(new_key);
                    tx.execute(
                        "INSERT INTO outbox (key, kind, entity, payload, media_type, state, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'not_sent', ?6, ?6)",
                        params![key, item.kind.as_str(), item.entity, item.payload, item.media_type, now],
                    )?;
                    for p in &item.parents {
                        tx.execute(
                            "INSERT OR IGNORE INTO outbox_deps (child_key, parent_key) VALUES (?1, ?2)",
                            params![key, p],
                        )?;
                    }
                    events.push(OutboxEvent {
                        key: key.clone(),
                        kind: item.kind,
                        entity: item.entity,
                        from: None,
                        to: ItemState::NotSent,
                        attempts: 0,
                        error: None,
                        retry_in_ms: None,
                    });
                    keys.push(key);
                }
                tx.commit()?;
                Ok(())
            })();
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            result?;
        }
        self.emit(&events);
        Ok(keys)
    }

    /// Enqueues a punch made on the phone. Punches of one volunteer go in
    /// order (their server-side hash chain depends on it).
    pub fn enqueue_punch(
        &self,
        punch: &lawcircle_core::volunteers::punch::Punch,
    ) -> Result<String, OutboxError> {
        self.enqueue(NewItem {
            kind: ItemKind::Punch,
            entity: format!("punches:{}", punch.volunteer_id),
            payload: serde_json::to_vec(punch)?,
            media_type: None,
            parents: vec![],
        })
    }

    /// Whether any item (sent or not) belongs to `entity`.
    pub fn has_entity(&self, entity: &str) -> Result<bool, OutboxError> {
        Ok(self
            .lock()?
            .query_row(
                "SELECT 1 FROM outbox WHERE entity = ?1 LIMIT 1",
                params![entity],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The key of an item of `kind` for `entity` that is not sent yet.
    fn pending_key_for(&self, kind: ItemKind, entity: &str) -> Result<Option<String>, OutboxError> {
        Ok(self
            .lock()?
            .query_row(
                "SELECT key FROM outbox WHERE kind = ?1 AND entity = ?2 AND state != 'sent' ORDER BY seq LIMIT 1",
                params![kind.as_str(), entity],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Takes up to `limit` items that may be sent now and marks them
    /// `Sending`: due (`next_attempt_at` passed), every parent sent, and no
    /// earlier unsent item of the same entity.
    pub fn claim(&self, limit: usize) -> Result<Vec<Item>, OutboxError> {
        let now = now_ms();
        let mut items = Vec::new();
        {
            let mut conn = self.lock()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut q = tx.prepare_cached(&format!(
                    "SELECT {ITEM_COLUMNS} FROM outbox o
                     WHERE o.state IN ('not_sent', 'failed') AND o.next_attempt_at <= ?1
                       AND NOT EXISTS (SELECT 1 FROM outbox e
                                       WHERE e.entity = o.entity AND e.seq < o.seq AND e.state != 'sent')
                       AND NOT EXISTS (SELECT 1 FROM outbox_deps d JOIN outbox p ON p.key = d.parent_key
                                       WHERE d.child_key = o.key AND p.state != 'sent')
                     ORDER BY o.seq LIMIT ?2"
                ))?;
                let rows = q.query_map(params![now, limit as i64], item_from_row)?;
                for r in rows {
                    items.push(finish_item(r?)?);
                }
                let mut upd = tx.prepare_cached(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?2 WHERE key = ?1",
                )?;
                for it in &items {
                    upd.execute(params![it.key, now])?;
                }
            }
            tx.commit()?;
        }
        let events: Vec<OutboxEvent> = items
            .iter_mut()
            .map(|it| {
                let from = it.state;
                it.state = ItemState::Sending;
                it.attempts += 1;
                OutboxEvent {
                    key: it.key.clone(),
                    kind: it.kind,
                    entity: it.entity.clone(),
                    from: Some(from),
                    to: ItemState::Sending,
                    attempts: it.attempts,
                    error: None,
                    retry_in_ms: None,
                }
            })
            .collect();
        self.emit(&events);
        Ok(items)
    }

    /// Records the outcomes of attempts, in one transaction.
    pub fn record(&self, outcomes: &[(String, Outcome)]) -> Result<(), OutboxError> {
        let now = now_ms();
        let mut events = Vec::with_capacity(outcomes.len());
        let mut uploaded = Vec::new();
        {
            let mut conn = self.lock()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (key, outcome) in outcomes {
                let row: Option<(String, String, String, u32)> = tx
                    .query_row(
                        "SELECT kind, entity, state, attempts FROM outbox WHERE key = ?1",
                        params![key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                // Discarded meanwhile: nothing to record.
                let Some((kind, entity, state, attempts)) = row else {
                    continue;
                };
                let from = ItemState::parse(&state)?;
                let mut event = OutboxEvent {
                    key: key.clone(),
                    kind: ItemKind::parse(&kind)?,
                    entity,
                    from: Some(from),
                    to: from,
                    attempts,
                    error: None,
                    retry_in_ms: None,
                };
                match outcome {
                    Outcome::Sent { result } => {
                        tx.execute(
                            "UPDATE outbox SET state = 'sent', payload = x'', result = ?2, last_error = NULL,
                                    last_status = NULL, updated_at = ?3 WHERE key = ?1",
                            params![key, result, now],
                        )?;
                        event.to = ItemState::Sent;
                        if event.kind == ItemKind::Attachment {
                            uploaded.push(event.entity.clone());
                        }
                    }
                    Outcome::Transient {
                        error,
                        status,
                        retry_after,
                    } => {
                        let delay = self.policy.delay(attempts.max(1), *retry_after);
                        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                        tx.execute(
                            "UPDATE outbox SET state = 'failed', next_attempt_at = ?2, last_error = ?3,
                                    last_status = ?4, updated_at = ?5 WHERE key = ?1",
                            params![
                                key,
                                now.saturating_add(i64::try_from(delay_ms).unwrap_or(i64::MAX)),
                                error,
                                status,
                                now
                            ],
                        )?;
                        event.to = ItemState::Failed;
                        event.error = Some(error.clone());
                        event.retry_in_ms = Some(delay_ms);
                    }
                    Outcome::Permanent { error, status } => {
                        tx.execute(
                            "UPDATE outbox SET state = 'wedged', last_error = ?2, last_status = ?3, updated_at = ?4
                             WHERE key = ?1",
                            params![key, error, status, now],
                        )?;
                        event.to = ItemState::Wedged;
                        event.error = Some(error.clone());
                    }
                }
                events.push(event);
            }
            tx.commit()?;
            self.release_copies(&conn, &uploaded)?;
        }
        self.emit(&events);
        Ok(())
    }

    /// One item by key.
    pub fn item(&self, key: &str) -> Result<Item, OutboxError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE key = ?1"),
                params![key],
                item_from_row,
            )
            .optional()?
            .ok_or_else(|| OutboxError::NotFound(key.to_string()))?;
        finish_item(row)
    }

    /// Every item still in the outbox (not yet sent), in order.
    pub fn pending_items(&self) -> Result<Vec<Item>, OutboxError> {
        let conn = self.lock()?;
        let mut q = conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS} FROM outbox WHERE state != 'sent' ORDER BY seq"
        ))?;
        let rows = q.query_map([], item_from_row)?;
        rows.map(|r| finish_item(r?)).collect()
    }

    /// The keys of every item, in order (sent ones included until pruned).
    pub fn keys(&self) -> Result<Vec<(String, ItemKind, ItemState)>, OutboxError> {
        let conn = self.lock()?;
        let mut q = conn.prepare("SELECT key, kind, state FROM outbox ORDER BY seq")?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|r| {
            let (k, kind, state) = r?;
            Ok((k, ItemKind::parse(&kind)?, ItemState::parse(&state)?))
        })
        .collect()
    }

    pub fn counts(&self) -> Result<Counts, OutboxError> {
        let conn = self.lock()?;
        let mut q = conn.prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")?;
        let mut c = Counts::default();
        let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for r in rows {
            let (state, n) = r?;
            let n = u64::try_from(n).unwrap_or(0);
            match ItemState::parse(&state)? {
                ItemState::NotSent => c.not_sent = n,
                ItemState::Sending => c.sending = n,
                ItemState::Sent => c.sent = n,
                ItemState::Failed => c.failed = n,
                ItemState::Wedged | ItemState::Discarded => c.wedged += n,
            }
        }
        Ok(c)
    }

    /// When the earliest failed item is due (ms since the epoch), if any.
    pub fn next_due_at(&self) -> Result<Option<i64>, OutboxError> {
        Ok(self.lock()?.query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN ('not_sent', 'failed')",
            [],
            |r| r.get(0),
        )?)
    }

    fn change_state(
        &self,
        key: &str,
        payload: Option<Vec<u8>>,
        to: ItemState,
    ) -> Result<(), OutboxError> {
        let item = self.item(key)?;
        if matches!(item.state, ItemState::Sent | ItemState::Sending) {
            return Err(OutboxError::NotEditable {
                key: key.to_string(),
                state: item.state,
            });
        }
        let mut events = vec![];
        {
            let mut conn = self.lock()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if to == ItemState::Discarded {
                tx.execute("DELETE FROM outbox WHERE key = ?1", params![key])?;
                tx.execute("DELETE FROM outbox_deps WHERE child_key = ?1", params![key])?;
                // Children can never be sent now: they wait for the user.
                let mut q = tx.prepare(
                    "SELECT o.key, o.kind, o.entity, o.state, o.attempts FROM outbox_deps d
                     JOIN outbox o ON o.key = d.child_key WHERE d.parent_key = ?1 AND o.state IN ('not_sent', 'failed')",
                )?;
                let children: Vec<(String, String, String, String, u32)> = q
                    .query_map(params![key], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<Result<_, _>>()?;
                drop(q);
                for (ck, kind, entity, state, attempts) in children {
                    let error = format!("an item it depends on ({key}) was discarded");
                    tx.execute(
                        "UPDATE outbox SET state = 'wedged', last_error = ?2 WHERE key = ?1",
                        params![ck, error],
                    )?;
                    events.push(OutboxEvent {
                        key: ck,
                        kind: ItemKind::parse(&kind)?,
                        entity,
                        from: Some(ItemState::parse(&state)?),
                        to: ItemState::Wedged,
                        attempts,
                        error: Some(error),
                        retry_in_ms: None,
                    });
                }
            } else {
                if let Some(p) = &payload {
                    tx.execute(
                        "UPDATE outbox SET payload = ?2 WHERE key = ?1",
                        params![key, p],
                    )?;
                }
                tx.execute(
                    "UPDATE outbox SET state = 'not_sent', attempts = 0, next_attempt_at = 0,
                            last_error = NULL, last_status = NULL, updated_at = ?2 WHERE key = ?1",
                    params![key, now_ms()],
                )?;
            }
            tx.commit()?;
            if to == ItemState::Discarded && item.kind == ItemKind::Attachment {
                self.release_copies(&conn, std::slice::from_ref(&item.entity))?;
            }
        }
        events.insert(
            0,
            OutboxEvent {
                key: key.to_string(),
                kind: item.kind,
                entity: item.entity,
                from: Some(item.state),
                to,
                attempts: 0,
                error: None,
                retry_in_ms: None,
            },
        );
        self.emit(&events);
        Ok(())
    }

    /// Puts items claimed for an attempt that was abandoned (the app
    /// cancelled the sync while they were in flight) back to `NotSent`, so
    /// the next sync sends them again (with the same idempotency key).
    /// Returns how many.
    pub fn release_sending(&self) -> Result<usize, OutboxError> {
        let mut events = Vec::new();
        {
            let mut conn = self.lock()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut q = tx.prepare(
                    "SELECT key, kind, entity, attempts FROM outbox WHERE state = 'sending' ORDER BY seq",
                )?;
                let rows: Vec<(String, String, String, u32)> = q
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()?;
                for (key, kind, entity, attempts) in rows {
                    events.push(OutboxEvent {
                        key,
                        kind: ItemKind::parse(&kind)?,
                        entity,
                        from: Some(ItemState::Sending),
                        to: ItemState::NotSent,
                        attempts,
                        error: None,
                        retry_in_ms: None,
                    });
                }
            }
            tx.execute(
                "UPDATE outbox SET state = 'not_sent', updated_at = ?1 WHERE state = 'sending'",
                params![now_ms()],
            )?;
            tx.commit()?;
        }
        self.emit(&events);
        Ok(events.len())
    }

    /// Sends a wedged or failed item again now, unchanged.
    pub fn retry(&self, key: &str) -> Result<(), OutboxError> {
        self.change_state(key, None, ItemState::NotSent)
    }

    /// Replaces the need of a not-yet-sent item after the user edited it
    /// (validated again) and queues it for sending. The idempotency key is
    /// kept: the server stores nothing for a refused request.
    pub fn edit_need(
        &self,
        key: &str,
        draft: &NeedDraft,
        now: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let draft = draft.validate(now)?;
        self.change_state(key, Some(serde_json::to_vec(&draft)?), ItemState::NotSent)
    }

    /// Removes a not-yet-sent item; items depending on it are wedged.
    pub fn discard(&self, key: &str) -> Result<(), OutboxError> {
        self.change_state(key, None, ItemState::Discarded)
    }

    /// Forgets sent items confirmed before `before` (ms since the epoch).
    pub fn prune_sent(&self, before: i64) -> Result<usize, OutboxError> {
        Ok(self.lock()?.execute(
            "DELETE FROM outbox WHERE state = 'sent' AND updated_at < ?1",
            params![before],
        )?)
    }
}

/// Whether an attachment copy is still needed: an upload of it not yet
/// confirmed, or a draft that refers to it.
fn copy_referenced(conn: &Connection, sha256: &str) -> Result<bool, OutboxError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM outbox WHERE kind = 'attachment' AND entity = ?1 AND state != 'sent'
             UNION ALL SELECT 1 FROM need_draft_files WHERE sha256 = ?1 LIMIT 1",
            params![sha256],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn migrate(conn: &mut Connection) -> Result<(), OutboxError> {
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated since we looked.
        let now: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now as usize > i {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
