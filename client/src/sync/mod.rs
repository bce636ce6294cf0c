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
//! * HTTP goes through a [`Transport`] given by the embedder (the
//!   platform's stack on a phone, reqwest in tests); the whole-request
//!   timeout is set and enforced here.

pub mod events;

pub use events::EventStreamReader;

use crate::http::{self, ApiError, Method, Request, Transport, TransportError};
use crate::outbox::{Item, ItemKind, Outbox, OutboxError, Outcome};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

#[cfg(feature = "reqwest")]
pub use crate::http::reqwest::install_crypto_provider;

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
    Fresh { etag: Option<String>, body: Value },
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
        .json(&serde_json::json!({"username": username, "password": password}));
        let resp = http::send(self.inner.transport.as_ref(), req).await?;
        if !resp.is_success() {
            return Err(SyncError::Status {
                status: resp.status,
                message: ApiError::describe(&resp.body),
            });
        }
        let token = serde_json::from_slice::<Value>(&resp.body)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string));
        self.set_token(token);
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
        let message = ApiError::describe(&resp.body);
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
        let batch = self.inner.config.claim_batch.max(1);
        loop {
            let items = self.inner.outbox.claim(batch)?;
            if items.is_empty() {
                return Ok(report);
            }
            let mut outcomes = Vec::with_capacity(items.len());
            for item in &items {
                let outcome = self.send(item).await;
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
                message: ApiError::describe(&resp.body),
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
            let v: Value = serde_json::from_slice(&body).map_err(|e| SyncError::Status {
                status: 200,
                message: format!("not GeoJSON: {e}"),
            })?;
            if let Some(fs) = v["features"].as_array() {
                features.extend(fs.iter().cloned());
            }
            let version = v["version"].as_u64().unwrap_or(0);
            match v["next_since_version"].as_u64() {
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
            message: format!("not JSON: {e}"),
        })?;
        Ok(Pulled::Fresh { etag, body })
    }
}
