//! The phone's sync client (同步): pushes the [`Outbox`] to the server and
//! pulls what changed (the facility catalogue since a version, the user's
//! needs with their status).
//!
//! * Every attempt carries the item's `Idempotency-Key`; the server answers
//!   a replay with the original result, so a lost response followed by a
//!   retry never makes a second record.
//! * Answers are classified: 2xx → sent; network errors, timeouts, 408,
//!   429 and 5xx → transient (retried with backoff, honouring
//!   `Retry-After`); 401 → transient (the token must be renewed; nothing is
//!   lost); any other 4xx → wedged.
//! * Parallelism: [`SyncConfig::parallelism`] workers, each claiming
//!   [`SyncConfig::claim_batch`] items at a time and recording their
//!   outcomes in one SQLite transaction. Per-entity order and parent
//!   dependencies hold because the outbox only hands out items whose
//!   predecessors are confirmed.
//! * Needs go as batches (`POST /api/v1/needs/batch`, up to
//!   [`SyncConfig::need_batch`] in queue order, one server transaction for
//!   the lot), each entry with its own idempotency key and its own
//!   outcome: created or replayed → sent; conflict or invalid → wedged. A
//!   batch that fails as a whole (network, 5xx, 429, 401) leaves every
//!   entry failed, to be retried as it would be alone. A server without
//!   the batch path (404, 405) gets one request per need from then on.
//! * HTTP goes through a [`Transport`] given by the embedder (the
//!   platform's stack on a phone, reqwest in tests); the whole-request
//!   timeout is set and enforced here.

pub mod events;

pub use events::EventStreamReader;

use crate::http::{self, ErrorBody, Method, Request, Transport, TransportError};
use crate::outbox::{Item, ItemKind, Outbox, OutboxError, Outcome};
use chrono::Utc;
use lawcircle_api::catalogue::FacilityCollection;
use lawcircle_api::needs::NeedSummary;
use lawcircle_api::needs::{
    NEED_BATCH_MAX, NeedBatch, NeedBatchEntry, NeedBatchResult, NeedBatchResults,
};
use lawcircle_api::page::Page;
use lawcircle_api::session::{LoginRequest, LoginResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

#[cfg(feature = "reqwest")]
pub use crate::http::reqwest::install_crypto_provider;

/// The path of the batch intake of needs.
pub const NEED_BATCH_PATH: &str = "/api/v1/needs/batch";
/// A batch's body stays under this many bytes (the server takes 1 MiB):
/// needs with long texts go in smaller batches.
const BATCH_BODY_BUDGET: usize = 512 * 1024;

const BATCH_UNKNOWN: u8 = 0;
const BATCH_TAKEN: u8 = 1;
const BATCH_REFUSED: u8 = 2;

/// The header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// How the client talks to the server.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// E.g. `https://lawcircle.example.cn`, without a trailing slash.
    pub base_url: String,
    /// Concurrent requests while pushing (8: enough to hide a phone
    /// network's latency, few enough not to flood a small district server).
    pub parallelism: usize,
    /// Items each worker claims at once (8).
    pub claim_batch: usize,
    /// Needs sent in one batch request, at most
    /// [`NEED_BATCH_MAX`] (100); a worker claims this many items at once
    /// while the server takes batches. 1 sends every need alone.
    pub need_batch: usize,
    /// The whole request, body included (60 s: a 10 MB photo on a slow
    /// uplink).
    pub request_timeout: Duration,
}

impl SyncConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        SyncConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            parallelism: 8,
            claim_batch: 8,
            need_batch: 50,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// What can stop a sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot reach the server: {0}")]
    Http(#[from] TransportError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("the server answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the push did not finish within {0:?}; it resumes with the next one")]
    Timeout(Duration),
    #[error("a sync worker stopped: {0}")]
    Worker(String),
}

/// What one push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushReport {
    pub attempts: u64,
    pub sent: u64,
    pub failed: u64,
    pub wedged: u64,
}

impl PushReport {
    fn add(&mut self, o: &PushReport) {
        self.attempts += o.attempts;
        self.sent += o.sent;
        self.failed += o.failed;
        self.wedged += o.wedged;
    }
}

/// A pulled resource, or "unchanged" when the server answered 304.
#[derive(Debug, Clone, PartialEq)]
pub enum Pulled {
    NotModified,
    Fresh {
        etag: Option<String>,
        body: Page<NeedSummary>,
    },
}

/// The facilities changed since a catalogue version.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityDelta {
    /// The catalogue version to ask from next time.
    pub version: u64,
    /// GeoJSON features (retired ones included, to be dropped).
    pub features: Vec<Value>,
}

struct Inner {
    transport: Arc<dyn Transport>,
    config: SyncConfig,
    outbox: Arc<Outbox>,
    token: RwLock<Option<String>>,
    /// Whether the server takes batches of needs: [`BATCH_UNKNOWN`] until
    /// its first answer to one, then [`BATCH_TAKEN`], or
    /// [`BATCH_REFUSED`] after a 404 or 405 (an older server: needs go
    /// one per request).
    batch: AtomicU8,
}

/// The sync client; cheap to clone.
#[derive(Clone)]
pub struct SyncClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

impl SyncClient {
    pub fn new(outbox: Arc<Outbox>, config: SyncConfig, transport: Arc<dyn Transport>) -> Self {
        SyncClient {
            inner: Arc::new(Inner {
                transport,
                config,
                outbox,
                token: RwLock::new(None),
                batch: AtomicU8::new(BATCH_UNKNOWN),
            }),
        }
    }

    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.inner.outbox
    }

    /// Sets (or clears) the bearer token sent with every request.
    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.inner.token.write() {
            *t = token;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.config.base_url, path)
    }

    fn request(&self, method: Method, path: &str) -> Request {
        let token = self.inner.token.read().ok().and_then(|t| t.clone());
        Request::new(method, self.url(path), self.inner.config.request_timeout)
            .bearer(token.as_deref())
    }

    /// Logs in and keeps the token.
    pub async fn login(&self, username: &str, password: &str) -> Result<(), SyncError> {
        let req = Request::new(
            Method::Post,
            self.url("/api/v1/auth/login"),
            self.inner.config.request_timeout,
        )
        .json(&LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
        });
        let resp = http::send(self.inner.transport.as_ref(), req).await?;
        if !resp.is_success() {
            return Err(SyncError::Status {
                status: resp.status,
                message: ErrorBody::describe(&resp.body),
            });
        }
        let session: LoginResponse =
            serde_json::from_slice(&resp.body).map_err(|e| SyncError::Status {
                status: resp.status,
                message: format!("not a session: {e}"),
            })?;
        self.set_token(Some(session.token));
        Ok(())
    }

    /// One attempt at one item.
    pub async fn send(&self, item: &Item) -> Outcome {
        let req = match item.kind {
            ItemKind::Need => self
                .request(Method::Post, "/api/v1/needs")
                .header("Content-Type", "application/json"),
            ItemKind::Punch => self
                .request(Method::Post, "/api/v1/punches")
                .header("Content-Type", "application/json"),
            ItemKind::Attachment => self
                .request(Method::Put, &format!("/api/v1/attachments/{}", item.entity))
                .header(
                    "Content-Type",
                    item.media_type
                        .as_deref()
                        .unwrap_or("application/octet-stream"),
                ),
        };
        // An attachment given as a file waits as the outbox's own copy.
        let body = if item.kind == ItemKind::Attachment && item.payload.is_empty() {
            match self.inner.outbox.files().read(&item.entity) {
                Ok(bytes) => bytes,
                Err(e) => {
                    return Outcome::Permanent {
                        error: format!("the outbox's copy of the file cannot be read: {e}"),
                        status: 0,
                    };
                }
            }
        } else {
            item.payload.clone()
        };
        let req = req.header(IDEMPOTENCY_KEY, item.key.as_str()).body(body);
        // A cut answer is a network error too: the server may have
        // committed, and the retry is answered from its idempotency record.
        let resp = match http::send(self.inner.transport.as_ref(), req).await {
            Ok(r) => r,
            Err(e) => {
                return Outcome::Transient {
                    error: format!("request failed: {e}"),
                    status: None,
                    retry_after: None,
                };
            }
        };
        if resp.is_success() {
            return Outcome::Sent {
                result: String::from_utf8_lossy(&resp.body).into_owned(),
            };
        }
        failed(&resp)
    }

    /// Sends `items` (needs, in queue order) as batches, each entry's
    /// outcome its own; in the order of `items`. Falls back to one
    /// request per need when the server has no batch path.
    pub async fn send_needs(&self, items: &[&Item]) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(items.len());
        let size = self.inner.config.need_batch.clamp(1, NEED_BATCH_MAX);
        let mut rest = items;
        while !rest.is_empty() {
            if size == 1 || self.inner.batch.load(Ordering::Relaxed) == BATCH_REFUSED {
                for item in rest {
                    outcomes.push(self.send(item).await);
                }
                break;
            }
            // As many as fit the count and the body budget (at least one).
            let mut bytes = 0;
            let mut n = 0;
            while n < rest.len().min(size) {
                bytes += rest[n].payload.len() + rest[n].key.len() + 40;
                if n > 0 && bytes > BATCH_BODY_BUDGET {
                    break;
                }
                n += 1;
            }
            let (chunk, tail) = rest.split_at(n);
            outcomes.extend(self.send_batch(chunk).await);
            rest = tail;
        }
        outcomes
    }

    /// One attempt at one batch of needs.
    async fn send_batch(&self, items: &[&Item]) -> Vec<Outcome> {
        let mut needs = Vec::with_capacity(items.len());
        for item in items {
            match serde_json::from_slice::<Value>(&item.payload) {
                Ok(need) => needs.push(NeedBatchEntry {
                    idempotency_key: item.key.clone(),
                    need,
                }),
                // Not JSON: sent alone, the server's answer says why.
                Err(_) => return self.send_each(items).await,
            }
        }
        let req = self
            .request(Method::Post, NEED_BATCH_PATH)
            .json(&NeedBatch { needs });
        let all = |outcome: Outcome| vec![outcome; items.len()];
        let resp = match http::send(self.inner.transport.as_ref(), req).await {
            Ok(r) => r,
            // Sent or not, committed or not: every entry is retried with
            // its key, and the server answers those it stored from its
            // records.
            Err(e) => {
                return all(Outcome::Transient {
                    error: format!("request failed: {e}"),
                    status: None,
                    retry_after: None,
                });
            }
        };
        if matches!(resp.status, 404 | 405) {
            self.inner.batch.store(BATCH_REFUSED, Ordering::Relaxed);
            return self.send_each(items).await;
        }
        if !resp.is_success() {
            return match failed(&resp) {
                transient @ Outcome::Transient { .. } => all(transient),
                // The batch as a whole refused (too large, say): each
                // need alone gets its own verdict.
                _ => self.send_each(items).await,
            };
        }
        let results = match serde_json::from_slice::<NeedBatchResults>(&resp.body) {
            Ok(r) if r.results.len() == items.len() => {
                self.inner.batch.store(BATCH_TAKEN, Ordering::Relaxed);
                r.results
            }
            other => {
                let error = match other {
                    Ok(r) => format!(
                        "the server answered {} results for {} needs",
                        r.results.len(),
                        items.len()
                    ),
                    Err(e) => format!("not a batch answer: {e}"),
                };
                return all(Outcome::Transient {
                    error,
                    status: Some(resp.status),
                    retry_after: None,
                });
            }
        };
        items
            .iter()
            .zip(results)
            .map(|(item, result)| entry_outcome(item, result))
            .collect()
    }

    async fn send_each(&self, items: &[&Item]) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            outcomes.push(self.send(item).await);
        }
        outcomes
    }

    /// Sends everything that is due now, with the configured parallelism,
    /// until nothing more is due. Items that failed wait in the outbox for
    /// their next attempt.
    pub async fn push(&self) -> Result<PushReport, SyncError> {
        let workers = self.inner.config.parallelism.max(1);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..workers {
            let me = self.clone();
            set.spawn(async move { me.worker().await });
        }
        let mut report = PushReport::default();
        while let Some(done) = set.join_next().await {
            let r = done.map_err(|e| SyncError::Worker(e.to_string()))??;
            report.add(&r);
        }
        Ok(report)
    }

    async fn worker(&self) -> Result<PushReport, SyncError> {
        let mut report = PushReport::default();
        loop {
            // Once the server took a batch, a claim fills one; until then
            // (and with an older server) claims stay small.
            let batch = if self.inner.batch.load(Ordering::Relaxed) == BATCH_TAKEN {
                self.inner
                    .config
                    .claim_batch
                    .max(self.inner.config.need_batch.min(NEED_BATCH_MAX))
            } else {
                self.inner.config.claim_batch
            }
            .max(1);
            let items = self.inner.outbox.claim(batch)?;
            if items.is_empty() {
                return Ok(report);
            }
            // The needs as batches, in queue order; the rest one by one.
            let needs: Vec<&Item> = items.iter().filter(|i| i.kind == ItemKind::Need).collect();
            let mut need_outcomes = self.send_needs(&needs).await.into_iter();
            let mut outcomes = Vec::with_capacity(items.len());
            for item in &items {
                let outcome = if item.kind == ItemKind::Need {
                    need_outcomes.next().unwrap_or_else(|| Outcome::Transient {
                        error: "no outcome for this need".into(),
                        status: None,
                        retry_after: None,
                    })
                } else {
                    self.send(item).await
                };
                report.attempts += 1;
                match &outcome {
                    Outcome::Sent { .. } => report.sent += 1,
                    Outcome::Transient { .. } => report.failed += 1,
                    Outcome::Permanent { .. } => report.wedged += 1,
                }
                outcomes.push((item.key.clone(), outcome));
            }
            self.inner.outbox.record(&outcomes)?;
        }
    }

    /// Pushes until nothing is left to deliver automatically (wedged items
    /// wait for the user), sleeping until the next failed item is due.
    /// Gives up after `max_wait`; the next call resumes.
    pub async fn push_until_idle(&self, max_wait: Duration) -> Result<PushReport, SyncError> {
        let deadline = Instant::now() + max_wait;
        let mut report = PushReport::default();
        loop {
            report.add(&self.push().await?);
            if self.inner.outbox.counts()?.pending() == 0 {
                return Ok(report);
            }
            let now = Utc::now().timestamp_millis();
            let due = self.inner.outbox.next_due_at()?.unwrap_or(now);
            let wait = Duration::from_millis(u64::try_from(due - now).unwrap_or(0))
                .max(Duration::from_millis(5));
            if Instant::now() + wait > deadline {
                return Err(SyncError::Timeout(max_wait));
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn get(
        &self,
        path: &str,
        etag: Option<&str>,
    ) -> Result<(u16, Option<String>, Vec<u8>), SyncError> {
        let mut req = self.request(Method::Get, path);
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        let resp = http::send_with_retries(
            self.inner.transport.as_ref(),
            req,
            &http::RetryPolicy::default(),
        )
        .await?;
        let etag = resp.header("ETag").map(str::to_string);
        if !(resp.is_success() || resp.status == 304) {
            return Err(SyncError::Status {
                status: resp.status,
                message: ErrorBody::describe(&resp.body),
            });
        }
        Ok((resp.status, etag, resp.body))
    }

    /// The facilities changed after catalogue version `since` (all when
    /// `None`), following the server's pages.
    pub async fn pull_facilities(&self, since: Option<u64>) -> Result<FacilityDelta, SyncError> {
        let mut features = Vec::new();
        let mut cursor = since;
        loop {
            let path = match cursor {
                Some(v) => format!("/api/v1/facilities?since_version={v}&limit=1000"),
                None => "/api/v1/facilities?limit=1000".to_string(),
            };
            let (_, _, body) = self.get(&path, None).await?;
            let page: FacilityCollection =
                serde_json::from_slice(&body).map_err(|e| SyncError::Status {
                    status: 200,
                    message: format!("not the catalogue's GeoJSON: {e}"),
                })?;
            features.extend(page.features);
            let version = page.version;
            match page.next_since_version {
                Some(next) if Some(next) != cursor => cursor = Some(next),
                _ => return Ok(FacilityDelta { version, features }),
            }
        }
    }

    /// The caller's needs with their status; `etag` from the last pull
    /// makes an unchanged list cost a 304 without a body.
    pub async fn pull_needs(&self, etag: Option<&str>) -> Result<Pulled, SyncError> {
        let (status, etag, body) = self.get("/api/v1/needs?limit=500", etag).await?;
        if status == 304 {
            return Ok(Pulled::NotModified);
        }
        let body = serde_json::from_slice(&body).map_err(|e| SyncError::Status {
            status,
            message: format!("not a page of needs: {e}"),
        })?;
        Ok(Pulled::Fresh { etag, body })
    }
}

/// The outcome of a failed answer: transient (5xx, 408, 429, 401:
/// retried with backoff and `Retry-After`) or permanent (another 4xx).
fn failed(resp: &http::Response) -> Outcome {
    let message = ErrorBody::describe(&resp.body);
    let transient = resp.status >= 500 || matches!(resp.status, 408 | 429 | 401);
    if transient {
        Outcome::Transient {
            error: message,
            status: Some(resp.status),
            retry_after: resp.retry_after(),
        }
    } else {
        Outcome::Permanent {
            error: message,
            status: resp.status,
        }
    }
}

/// The outcome of one entry of a batch answer, as the single request's
/// answer would have been: created or replayed → sent with its receipt
/// (a replay is the original receipt); conflict (409) and invalid (400,
/// 403) → wedged. An answer for another key is not this entry's: it is
/// retried.
fn entry_outcome(item: &Item, result: NeedBatchResult) -> Outcome {
    if result.idempotency_key() != item.key {
        return Outcome::Transient {
            error: format!(
                "the server answered key {} for {}",
                result.idempotency_key(),
                item.key
            ),
            status: None,
            retry_after: None,
        };
    }
    let describe = |e: &lawcircle_api::error::ErrorDetail| match &e.field {
        Some(f) => format!("{f}: {}", e.message),
        None => e.message.clone(),
    };
    match result {
        NeedBatchResult::Created { receipt, .. } | NeedBatchResult::Replayed { receipt, .. } => {
            match serde_json::to_string(&receipt) {
                Ok(result) => Outcome::Sent { result },
                Err(e) => Outcome::Transient {
                    error: format!("the receipt does not encode: {e}"),
                    status: None,
                    retry_after: None,
                },
            }
        }
        NeedBatchResult::Conflict { error, .. } => Outcome::Permanent {
            error: describe(&error),
            status: 409,
        },
        NeedBatchResult::Invalid { status, error, .. } => Outcome::Permanent {
            error: describe(&error),
            status,
        },
    }
}

#[cfg(test)]
mod tests;
