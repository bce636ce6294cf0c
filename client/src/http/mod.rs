//! HTTP through the platform (the design of mozilla/application-services'
//! `viaduct`): the library builds requests and reads responses, and a
//! [`Transport`] given by whoever embeds it moves the bytes. On a phone
//! that is the platform's HTTP stack (OkHttp on Android, `URLSession` on
//! iOS), which knows the phone's trust store, user and enterprise CAs,
//! Network Security Config and proxies; in Rust tests and tools it is
//! reqwest ([`reqwest`] module, behind the `reqwest` feature, never
//! enabled by the phone library).
//!
//! What stays here, the same on every platform: timeouts (also enforced
//! around the transport, so a transport that ignores them cannot hang a
//! call), retries with backoff and `Retry-After` ([`send_with_retries`]),
//! server URL checks ([`check_server_url`]), the API's error body
//! ([`ErrorBody`]) and the event stream's framing (`sync::events`).

#[cfg(feature = "reqwest")]
pub mod reqwest;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use crate::outbox::{BackoffPolicy, parse_retry_after};

/// The methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether repeating the request cannot change more than doing it once
    /// (RFC 9110 §9.2.2): only these are retried without an idempotency key.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// One request: everything a transport needs, nothing it must decide.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// Absolute, `https://` (or `http://` to loopback).
    pub url: String,
    /// In order; names as written (HTTP names are case-insensitive).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// For the whole exchange, body included; for a stream, the longest
    /// silence between two chunks.
    pub timeout: Duration,
}

// Headers carry the bearer token: never printed.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>, timeout: Duration) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn bearer(self, token: Option<&str>) -> Self {
        match token {
            Some(t) => self.header("Authorization", format!("Bearer {t}")),
            None => self,
        }
    }

    /// A JSON body (a type of the wire contract, or any JSON) with its
    /// content type.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.body = serde_json::to_vec(body).unwrap_or_default();
        self.header("Content-Type", "application/json")
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Worth another attempt: the server is overloaded, restarting or asks
    /// to wait (408, 429, 502, 503, 504).
    pub fn is_transient(&self) -> bool {
        matches!(self.status, 408 | 429 | 502 | 503 | 504)
    }

    /// The `Retry-After` delay, if the server sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("Retry-After")
            .and_then(|v| parse_retry_after(v, Utc::now()))
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why no response came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Offline, refused, reset, DNS, TLS: the request may not have reached
    /// the server (or its answer was lost).
    #[error("{0}")]
    Network(String),
    /// No answer within the request's timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The transport itself is unusable (a bug or a bad request it cannot
    /// express, e.g. a header it refuses).
    #[error("the HTTP transport failed: {0}")]
    Transport(String),
}

/// Receives a streamed response: its head once, then its body in chunks.
pub trait StreamSink: Send + Sync {
    fn head(&self, status: u16, headers: Vec<(String, String)>);
    /// A piece of the body; `false` means nobody reads any more and the
    /// transport should stop.
    fn chunk(&self, chunk: Vec<u8>) -> bool;
}

/// Moves requests and responses; implemented by the platform.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Sends `request` and reads the whole response. A status ≥ 400 is a
    /// response, not an error.
    async fn send(&self, request: Request) -> Result<Response, TransportError>;

    /// Sends `request` and hands its response to `sink` as it arrives,
    /// returning when the body ends (`Ok`) or fails. Dropping the future
    /// cancels the exchange.
    async fn stream(
        &self,
        request: Request,
        sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError>;
}

/// Extra time given to the transport beyond the request's own timeout
/// before the call is abandoned here (the transport should have given up).
const TIMEOUT_GRACE: Duration = Duration::from_secs(2);

/// One attempt, bounded by the request's timeout whatever the transport
/// does.
pub async fn send(transport: &dyn Transport, request: Request) -> Result<Response, TransportError> {
    let limit = request.timeout;
    match tokio::time::timeout(limit + TIMEOUT_GRACE, transport.send(request)).await {
        Ok(r) => r,
        Err(_) => Err(TransportError::Timeout(limit)),
    }
}

/// How many times [`send_with_retries`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1: no retry).
    pub attempts: u32,
    pub backoff: BackoffPolicy,
    /// The longest wait between two attempts, `Retry-After` included: an
    /// interactive call does not park for an hour (the outbox does that).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            backoff: BackoffPolicy::default(),
            max_wait: Duration::from_secs(10),
        }
    }
}

/// Sends `request`, retrying an idempotent one (or one with an
/// `Idempotency-Key`) after a network error or a transient status, with
/// backoff and honouring `Retry-After`. The last response or error is
/// returned.
pub async fn send_with_retries(
    transport: &dyn Transport,
    request: Request,
    policy: &RetryPolicy,
) -> Result<Response, TransportError> {
    let retryable = request.method.is_idempotent()
        || header(&request.headers, crate::sync::IDEMPOTENCY_KEY).is_some();
    let attempts = if retryable { policy.attempts.max(1) } else { 1 };
    let mut attempt = 1;
    loop {
        let result = send(transport, request.clone()).await;
        let retry_after = match &result {
            Ok(r) if r.is_transient() => r.retry_after(),
            Err(TransportError::Network(_) | TransportError::Timeout(_)) => None,
            _ => return result,
        };
        if attempt >= attempts {
            return result;
        }
        let wait = policy.backoff.delay(attempt, retry_after);
        if wait > policy.max_wait {
            return result;
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// The API's error body, `{"error":{"code","message","field"}}`, read
/// in one place: the wire contract's.
pub use lawcircle_api::error::{ErrorBody, ErrorDetail};

/// A streamed response being read: its head, then chunks until the end.
/// Dropping it cancels the exchange.
#[derive(Debug)]
pub struct Streaming {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    chunks: mpsc::UnboundedReceiver<Vec<u8>>,
    task: tokio::task::JoinHandle<Result<(), TransportError>>,
    silence: Duration,
}

impl Streaming {
    /// The next chunk, `None` at the end of the body. A silence longer than
    /// the request's timeout is a [`TransportError::Timeout`].
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        match tokio::time::timeout(self.silence, self.chunks.recv()).await {
            Err(_) => Err(TransportError::Timeout(self.silence)),
            Ok(Some(c)) => Ok(Some(c)),
            // The sender is gone: the transport's call returned.
            Ok(None) => match (&mut self.task).await {
                Ok(r) => r.map(|()| None),
                Err(e) => Err(TransportError::Transport(e.to_string())),
            },
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response's status and headers.
type Head = (u16, Vec<(String, String)>);

struct ChannelSink {
    head: Mutex<Option<oneshot::Sender<Head>>>,
    chunks: mpsc::UnboundedSender<Vec<u8>>,
}

impl StreamSink for ChannelSink {
    fn head(&self, status: u16, headers: Vec<(String, String)>) {
        let sender = match self.head.lock() {
            Ok(mut h) => h.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(s) = sender {
            let _ = s.send((status, headers));
        }
    }

    fn chunk(&self, chunk: Vec<u8>) -> bool {
        self.chunks.send(chunk).is_ok()
    }
}

/// Opens a streamed exchange on the current tokio runtime and waits for
/// its head (bounded by the request's timeout).
pub async fn open_stream(
    transport: Arc<dyn Transport>,
    request: Request,
) -> Result<Streaming, TransportError> {
    let silence = request.timeout;
    let (head_tx, head_rx) = oneshot::channel();
    let (tx, rx) = mpsc::unbounded_channel();
    let sink = Arc::new(ChannelSink {
        head: Mutex::new(Some(head_tx)),
        chunks: tx,
    });
    let mut task = tokio::spawn(async move { transport.stream(request, sink).await });
    match tokio::time::timeout(silence + TIMEOUT_GRACE, head_rx).await {
        Ok(Ok((status, headers))) => Ok(Streaming {
            status,
            headers,
            chunks: rx,
            task,
            silence,
        }),
        // The transport returned without a head: its error says why.
        Ok(Err(_)) => Err(match (&mut task).await {
            Ok(Err(e)) => e,
            Ok(Ok(())) => TransportError::Transport("the stream ended before its head".into()),
            Err(e) => TransportError::Transport(e.to_string()),
        }),
        Err(_) => {
            task.abort();
            Err(TransportError::Timeout(silence))
        }
    }
}

/// Why a server URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("must start with https:// (http:// only to this device: 127.0.0.1, ::1, localhost)")]
    Scheme,
    #[error("http:// is only allowed to this device (127.0.0.1, ::1, localhost); use https://")]
    PlainHttpNotLoopback,
    #[error("has no host")]
    NoHost,
    #[error("must be the server's root, without a query or fragment")]
    QueryOrFragment,
}

/// Checks and normalises a server URL: `https://`, or `http://` only to
/// loopback (127.0.0.0/8, ::1, localhost), where nothing crosses a
/// network; no trailing slash. Other hosts over plain HTTP would send
/// passwords and legal troubles in clear.
pub fn check_server_url(url: &str) -> Result<String, UrlError> {
    let url = url.trim();
    let (plain, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
        (false, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
        (true, rest)
    } else {
        return Err(UrlError::Scheme);
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains(['?', '#']) {
        return Err(UrlError::QueryOrFragment);
    }
    let authority = rest.split('/').next().unwrap_or_default();
    // Userinfo is never used; what follows the last `@` is the host.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() || rest.contains(char::is_whitespace) {
        return Err(UrlError::NoHost);
    }
    if plain && !is_loopback(host) {
        return Err(UrlError::PlainHttpNotLoopback);
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
