//! The phone's own share of a drain: N queued needs pushed through a
//! transport that answers every request at once (no network, no server),
//! so what is timed is the outbox's bookkeeping — claiming, recording each
//! outcome, the events — and the sync's scheduling. Baseline in the same
//! run: the same N needs enqueued (`enqueue_many`, 500 per transaction).
//!
//! Run: `cargo bench -p lawcircle-client --bench drain [-- N]` (default
//! 10,000).

use async_trait::async_trait;
use lawcircle_client::http::{Request, Response, StreamSink, Transport, TransportError};
use lawcircle_client::outbox::{ItemKind, NewItem, Outbox};
use lawcircle_client::sync::{SyncClient, SyncConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Answers 201 with a small body, as the server does for a need.
struct Instant201;

#[async_trait]
impl Transport for Instant201 {
    async fn send(&self, _request: Request) -> Result<Response, TransportError> {
        Ok(Response {
            status: 201,
            headers: vec![],
            body: br#"{"need_id":"N1","order_id":"O1"}"#.to_vec(),
        })
    }

    async fn stream(
        &self,
        _request: Request,
        _sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError> {
        Err(TransportError::Transport("not used".into()))
    }
}

fn fill(outbox: &Outbox, n: usize) -> Duration {
    let payload = vec![b'x'; 600];
    let t = Instant::now();
    for chunk in 0..n.div_ceil(500) {
        let items = (0..500.min(n - chunk * 500))
            .map(|i| NewItem {
                kind: ItemKind::Need,
                entity: format!("{chunk}-{i}"),
                payload: payload.clone(),
                media_type: None,
                parents: vec![],
            })
            .collect();
        outbox.enqueue_many(items).unwrap_or_else(|e| panic!("{e}"));
    }
    t.elapsed()
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    println!("\n| {n} needs | seconds | µs per need | ratio to enqueueing |\n|---|---:|---:|---:|");
    let mut base = None;
    for parallelism in [1, 8] {
        let outbox = Arc::new(
            Outbox::open(&dir.path().join(format!("p{parallelism}.sqlite")))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let enqueue = fill(&outbox, n);
        let base = *base.get_or_insert(enqueue);
        if parallelism == 1 {
            println!(
                "| baseline: enqueue_many, 500 per transaction | {:.3} | {:.1} | 1× |",
                base.as_secs_f64(),
                base.as_secs_f64() * 1e6 / n as f64
            );
        }
        let mut config = SyncConfig::new("http://127.0.0.1:1");
        config.parallelism = parallelism;
        let sync = SyncClient::new(outbox.clone(), config, Arc::new(Instant201));
        let t = Instant::now();
        let report = rt
            .block_on(sync.push_until_idle(Duration::from_secs(600)))
            .unwrap_or_else(|e| panic!("{e}"));
        let took = t.elapsed();
        assert_eq!(report.sent, n as u64);
        println!(
            "| drain through an instant transport, parallelism {parallelism} | {:.3} | {:.1} | {:.2}× |",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64,
            took.as_secs_f64() / base.as_secs_f64()
        );
    }
}
