//! A fault-injecting HTTP/1.1 proxy for the sync tests: it sits between
//! the client and the real server on loopback and, per request, forwards
//! it untouched or injects one fault:
//! * drop the connection before forwarding (the server never sees it);
//! * answer 500, or 503 with `Retry-After`, itself;
//! * delay, then forward;
//! * forward, let the server commit, read its answer and cut the
//!   connection instead of passing it on (the lost response).
//!
//! It understands just enough HTTP/1.1 for that: a head, then a body of
//! `Content-Length` bytes or chunked.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    DropRequest,
    Status500,
    Status503RetryAfter,
    Delay,
    CutAfterCommit,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::DropRequest,
        Fault::Status500,
        Fault::Status503RetryAfter,
        Fault::Delay,
        Fault::CutAfterCommit,
    ];
}

/// How often and how to fail.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Probability of a fault per request (0–1).
    pub rate: f64,
    /// Faults picked uniformly when one happens.
    pub faults: Vec<Fault>,
    /// The `Retry-After` seconds of injected 503s.
    pub retry_after_secs: u64,
    /// The delay of [`Fault::Delay`].
    pub delay: Duration,
    /// Only inject into writes (not GET), so pulls and login pass.
    pub only_writes: bool,
    pub seed: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            faults: Fault::ALL.to_vec(),
            retry_after_secs: 1,
            delay: Duration::from_millis(300),
            only_writes: true,
            seed: 5,
        }
    }
}

struct State {
    upstream: SocketAddr,
    config: Mutex<FaultConfig>,
    rng: Mutex<fastrand::Rng>,
    script: Mutex<VecDeque<Option<Fault>>>,
    injected: Mutex<HashMap<Fault, u64>>,
    requests: AtomicU64,
}

/// A running proxy.
pub struct FaultProxy {
    pub base_url: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream_base` (`http://127.0.0.1:port`).
    pub async fn start(upstream_base: &str, config: FaultConfig) -> FaultProxy {
        let upstream: SocketAddr = upstream_base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let state = Arc::new(State {
            upstream,
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            config: Mutex::new(config),
            script: Mutex::new(VecDeque::new()),
            injected: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        });
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(conn, st).await;
                });
            }
        });
        FaultProxy {
            base_url: format!("http://{addr}"),
            state,
            task,
        }
    }

    /// Forces the decisions for the next requests (`None`: pass through),
    /// before the random ones.
    pub fn script(&self, next: impl IntoIterator<Item = Option<Fault>>) {
        self.state.script.lock().unwrap().extend(next);
    }

    pub fn set_rate(&self, rate: f64) {
        self.state.config.lock().unwrap().rate = rate;
    }

    /// How many faults of each kind were injected.
    pub fn injected(&self) -> HashMap<Fault, u64> {
        self.state.injected.lock().unwrap().clone()
    }

    pub fn injected_total(&self) -> u64 {
        self.injected().values().sum()
    }

    /// Requests seen.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn find(buf: &[u8], pat: &[u8]) -> Option<usize> {
    buf.windows(pat.len()).position(|w| w == pat)
}

/// Reads one HTTP message (head and body) from `s`, using `buf` for bytes
/// read ahead. `None` at a clean end of stream.
async fn read_message(
    s: &mut TcpStream,
    buf: &mut Vec<u8>,
    no_body: bool,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    let status_no_body = head.starts_with("http/1.1 304")
        || head.starts_with("http/1.1 204")
        || head.starts_with("http/1.1 1");
    let total = if no_body || status_no_body {
        head_end
    } else if let Some(len) = header("content-length:") {
        head_end + len.parse::<usize>().unwrap_or(0)
    } else if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        loop {
            if let Some(i) = find(&buf[head_end..], b"0\r\n\r\n") {
                let at = head_end + i;
                if at == head_end || buf[at - 2..at] == *b"\r\n" {
                    break at + 5;
                }
            }
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    } else {
        head_end
    };
    while buf.len() < total {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let msg: Vec<u8> = buf.drain(..total).collect();
    Ok(Some(msg))
}

fn decide(st: &State, method_is_get: bool) -> Option<Fault> {
    if let Some(forced) = st.script.lock().unwrap().pop_front() {
        return forced;
    }
    let cfg = st.config.lock().unwrap();
    if cfg.only_writes && method_is_get {
        return None;
    }
    let mut rng = st.rng.lock().unwrap();
    if cfg.faults.is_empty() || rng.f64() >= cfg.rate {
        return None;
    }
    Some(cfg.faults[rng.usize(..cfg.faults.len())])
}

async fn serve(mut client: TcpStream, st: Arc<State>) -> std::io::Result<()> {
    let mut cbuf = Vec::new();
    let mut ubuf = Vec::new();
    let mut upstream: Option<TcpStream> = None;
    loop {
        let Some(request) = read_message(&mut client, &mut cbuf, false).await? else {
            return Ok(());
        };
        st.requests.fetch_add(1, Ordering::Relaxed);
        let is_get = request.starts_with(b"GET ") || request.starts_with(b"HEAD ");
        let fault = decide(&st, is_get);
        if let Some(f) = fault {
            *st.injected.lock().unwrap().entry(f).or_default() += 1;
        }
        let (retry_after, delay) = {
            let c = st.config.lock().unwrap();
            (c.retry_after_secs, c.delay)
        };
        match fault {
            Some(Fault::DropRequest) => return Ok(()),
            Some(Fault::Status500) | Some(Fault::Status503RetryAfter) => {
                let (line, extra) = if fault == Some(Fault::Status500) {
                    ("500 Internal Server Error", String::new())
                } else {
                    (
                        "503 Service Unavailable",
                        format!("Retry-After: {retry_after}\r\n"),
                    )
                };
                let body = r#"{"error":{"code":"internal","message":"injected fault"}}"#;
                let resp = format!(
                    "HTTP/1.1 {line}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                client.write_all(resp.as_bytes()).await?;
                client.flush().await?;
                return Ok(());
            }
            Some(Fault::Delay) => tokio::time::sleep(delay).await,
            _ => {}
        }
        if upstream.is_none() {
            upstream = Some(TcpStream::connect(st.upstream).await?);
        }
        let Some(up) = upstream.as_mut() else {
            return Ok(());
        };
        up.write_all(&request).await?;
        let Some(response) = read_message(up, &mut ubuf, false).await? else {
            return Ok(());
        };
        if fault == Some(Fault::CutAfterCommit) {
            // The server has answered (so committed); the client never
            // hears of it.
            return Ok(());
        }
        client.write_all(&response).await?;
        client.flush().await?;
    }
}
