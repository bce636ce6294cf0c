//! HTTP through the platform: the shell gives [`LawCircleClient::open`] an
//! [`HttpTransport`] (OkHttp on Android, `URLSession` on iOS) and this
//! library sends every request through it. The shell only moves bytes:
//! URLs, headers, bearer tokens, timeouts, retries with backoff and
//! `Retry-After`, renewal after a refused token, JSON and the API's error
//! body are all decided here, the same on both platforms. The platform's
//! stack brings what a Rust one would miss: the phone's trust store (user
//! and enterprise CAs, Android's Network Security Config), proxies, and
//! HTTP/2 without shipping a TLS library.
//!
//! [`LawCircleClient::open`]: crate::LawCircleClient::open

use std::sync::Arc;
use std::time::Duration;

use lawcircle_client::http::{Method, Request, Response, StreamSink, Transport, TransportError};

use crate::LawCircleError;

/// The methods the library sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// One header line.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

// Header values carry the bearer token: names only.
impl std::fmt::Debug for HttpHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHeader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What the transport sends, exactly as given: it adds nothing but what its
/// stack must (Host, Content-Length, its User-Agent).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    pub method: HttpMethod,
    /// Absolute; `https://`, or `http://` only to loopback.
    pub url: String,
    pub headers: Vec<HttpHeader>,
    /// Empty when the request has no body.
    pub body: Vec<u8>,
    /// For `send`: the whole exchange, body included. For `stream`: the
    /// connection and the head; then the longest silence between chunks.
    /// The library enforces it as well.
    pub timeout_ms: u64,
}

/// A whole response, whatever its status: a 4xx or 5xx is a response, not
/// an error (this library reads it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// Why the transport has no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HttpError {
    /// Offline, refused, reset, DNS, TLS (an untrusted certificate
    /// included): the request may not have reached the server.
    #[error("network: {reason}")]
    Network { reason: String },
    /// The request's timeout passed without an answer.
    #[error("timeout: {reason}")]
    Timeout { reason: String },
    /// The transport could not make the request (a bug on either side).
    #[error("transport: {reason}")]
    Transport { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpError::Transport { reason: e.reason }
    }
}

/// Where the transport delivers a streamed response (the live event
/// stream): the head once, then the body's chunks as they arrive.
#[derive(uniffi::Object)]
pub struct HttpStreamReceiver {
    sink: Arc<dyn StreamSink>,
}

impl std::fmt::Debug for HttpStreamReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpStreamReceiver").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl HttpStreamReceiver {
    /// The status and headers, before any chunk.
    pub fn on_head(&self, status: u16, headers: Vec<HttpHeader>) {
        self.sink.head(status, from_headers(headers));
    }

    /// A piece of the body. `false`: nobody reads any more; stop reading
    /// and return from `stream`.
    pub fn on_chunk(&self, chunk: Vec<u8>) -> bool {
        self.sink.chunk(chunk)
    }
}

/// The platform's HTTP stack, implemented by the shell.
///
/// Both methods are cancelled from Rust (the coroutine or task is
/// cancelled when the library drops the call): cancel the underlying
/// request then. Never throw for an HTTP status; throw [`HttpError`] only
/// when there is no response.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and returns the whole response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;

    /// Sends `request`, gives `receiver` the head and then every chunk of
    /// the body as it arrives, and returns when the body ends (or throws
    /// when it breaks).
    async fn stream(
        &self,
        request: HttpRequest,
        receiver: Arc<HttpStreamReceiver>,
    ) -> Result<(), HttpError>;
}

fn to_headers(headers: Vec<(String, String)>) -> Vec<HttpHeader> {
    headers
        .into_iter()
        .map(|(name, value)| HttpHeader { name, value })
        .collect()
}

fn from_headers(headers: Vec<HttpHeader>) -> Vec<(String, String)> {
    headers.into_iter().map(|h| (h.name, h.value)).collect()
}

fn timeout_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl From<Request> for HttpRequest {
    fn from(r: Request) -> Self {
        HttpRequest {
            method: match r.method {
                Method::Get => HttpMethod::Get,
                Method::Post => HttpMethod::Post,
                Method::Put => HttpMethod::Put,
                Method::Patch => HttpMethod::Patch,
                Method::Delete => HttpMethod::Delete,
            },
            url: r.url,
            headers: to_headers(r.headers),
            body: r.body,
            timeout_ms: timeout_ms(r.timeout),
        }
    }
}

impl From<HttpRequest> for Request {
    fn from(r: HttpRequest) -> Self {
        Request {
            method: match r.method {
                HttpMethod::Get => Method::Get,
                HttpMethod::Post => Method::Post,
                HttpMethod::Put => Method::Put,
                HttpMethod::Patch => Method::Patch,
                HttpMethod::Delete => Method::Delete,
            },
            url: r.url,
            headers: from_headers(r.headers),
            body: r.body,
            timeout: Duration::from_millis(r.timeout_ms),
        }
    }
}

impl From<HttpError> for TransportError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Network { reason } => TransportError::Network(reason),
            // The library's own clock says how long it waited.
            HttpError::Timeout { reason } => TransportError::Network(format!("timeout: {reason}")),
            HttpError::Transport { reason } => TransportError::Transport(reason),
        }
    }
}

impl From<TransportError> for HttpError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Network(reason) => HttpError::Network { reason },
            e @ TransportError::Timeout(_) => HttpError::Timeout {
                reason: e.to_string(),
            },
            TransportError::Transport(reason) => HttpError::Transport { reason },
        }
    }
}

impl From<TransportError> for LawCircleError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Transport(reason) => LawCircleError::Internal { reason },
            e => LawCircleError::Network {
                reason: e.to_string(),
            },
        }
    }
}

/// The shell's transport as the client crate's [`Transport`].
pub(crate) struct ForeignTransport(pub(crate) Arc<dyn HttpTransport>);

#[async_trait::async_trait]
impl Transport for ForeignTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let r = self.0.send(request.into()).await?;
        Ok(Response {
            status: r.status,
            headers: from_headers(r.headers),
            body: r.body,
        })
    }

    async fn stream(
        &self,
        request: Request,
        sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError> {
        let receiver = Arc::new(HttpStreamReceiver { sink });
        Ok(self.0.stream(request.into(), receiver).await?)
    }
}

/// A Rust [`Transport`] (e.g. the client crate's reqwest one) as an
/// [`HttpTransport`], for Rust tests and tools that drive the library as
/// a shell would. Not exported to the shells.
pub struct RustTransport(pub Arc<dyn Transport>);

impl std::fmt::Debug for RustTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustTransport").finish_non_exhaustive()
    }
}

struct ReceiverSink(Arc<HttpStreamReceiver>);

impl StreamSink for ReceiverSink {
    fn head(&self, status: u16, headers: Vec<(String, String)>) {
        self.0.on_head(status, to_headers(headers));
    }

    fn chunk(&self, chunk: Vec<u8>) -> bool {
        self.0.on_chunk(chunk)
    }
}

#[async_trait::async_trait]
impl HttpTransport for RustTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let r = self.0.send(request.into()).await?;
        Ok(HttpResponse {
            status: r.status,
            headers: to_headers(r.headers),
            body: r.body,
        })
    }

    async fn stream(
        &self,
        request: HttpRequest,
        receiver: Arc<HttpStreamReceiver>,
    ) -> Result<(), HttpError> {
        Ok(self
            .0
            .stream(request.into(), Arc::new(ReceiverSink(receiver)))
            .await?)
    }
}
