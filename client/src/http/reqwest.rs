//! A [`Transport`] over reqwest, for Rust tests and tools (the phone
//! library leaves the `reqwest` feature off and gets its transport from
//! the platform). TLS through rustls with the ring provider.

use std::sync::Arc;
use std::time::Duration;

use super::{Method, Request, Response, StreamSink, Transport, TransportError};

/// Installs rustls' ring provider as the process default (once; later
/// calls are no-ops).
pub fn install_crypto_provider() {
    // Err only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// reqwest with pooled connections; cheap to clone.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: ::reqwest::Client,
}

impl ReqwestTransport {
    /// Connect timeout 10 s; idle pooled connections dropped after 30 s, so
    /// after hours offline the next call opens fresh connections instead
    /// of writing into dead ones.
    pub fn new() -> Result<Self, TransportError> {
        install_crypto_provider();
        let client = ::reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(30))
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("lawcircle-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Transport(chain(&e)))?;
        Ok(ReqwestTransport { client })
    }

    /// Over a client configured elsewhere (e.g. trusting a test CA).
    pub fn with_client(client: ::reqwest::Client) -> Self {
        ReqwestTransport { client }
    }

    fn build(&self, request: Request, whole: bool) -> ::reqwest::RequestBuilder {
        let method = match request.method {
            Method::Get => ::reqwest::Method::GET,
            Method::Post => ::reqwest::Method::POST,
            Method::Put => ::reqwest::Method::PUT,
            Method::Patch => ::reqwest::Method::PATCH,
            Method::Delete => ::reqwest::Method::DELETE,
        };
        let mut b = self.client.request(method, &request.url);
        for (n, v) in &request.headers {
            b = b.header(n, v);
        }
        if whole {
            b = b.timeout(request.timeout);
        }
        b.body(request.body)
    }
}

/// reqwest's Display is terse; the source chain says why.
fn chain(e: &dyn std::error::Error) -> String {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

fn error(e: ::reqwest::Error, timeout: Duration) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout(timeout)
    } else if e.is_builder() {
        TransportError::Transport(chain(&e))
    } else {
        TransportError::Network(chain(&e))
    }
}

fn headers(h: &::reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let timeout = request.timeout;
        let resp = self
            .build(request, true)
            .send()
            .await
            .map_err(|e| error(e, timeout))?;
        let status = resp.status().as_u16();
        let headers = headers(resp.headers());
        let body = resp.bytes().await.map_err(|e| error(e, timeout))?.to_vec();
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    async fn stream(
        &self,
        request: Request,
        sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError> {
        let timeout = request.timeout;
        let mut resp = self
            .build(request, false)
            .send()
            .await
            .map_err(|e| error(e, timeout))?;
        sink.head(resp.status().as_u16(), headers(resp.headers()));
        while let Some(chunk) = resp.chunk().await.map_err(|e| error(e, timeout))? {
            if !sink.chunk(chunk.to_vec()) {
                break;
            }
        }
        Ok(())
    }
}
