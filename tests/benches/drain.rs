//! Draining 10,000 queued needs into a local server.
//!
//! Needs the release server binary: `cargo build --release -p
//! lawcircle-server`, then `cargo bench -p lawcircle-e2e --bench drain`.
//!
//! * Baseline, same run: N sequential `GET /health` round-trips.
//! * Criterion: draining 1,000 needs with the default parallelism (10
//!   samples).
//! * One pass: 2,000 needs at parallelism 1, 4, 8, 16 (to choose), then
//!   10,000 needs at the default (8) against 10,000 /health round-trips.

use chrono::Utc;
use criterion::Criterion;
use lawcircle_client::http::reqwest::ReqwestTransport;
use lawcircle_client::outbox::{ItemKind, NewItem, Outbox};
use lawcircle_client::sync::{SyncClient, SyncConfig};
use lawcircle_e2e::intake::need_draft;
use lawcircle_e2e::{Backend, Client, Server, Storage, cli_create_account};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PW: &str = "correct horse battery";

fn fill(outbox: &Outbox, n: usize, tag: &str) {
    let payload = serde_json::to_vec(&need_draft(tag)).unwrap_or_default();
    for chunk in 0..n.div_ceil(500) {
        let items = (0..500.min(n - chunk * 500))
            .map(|i| NewItem {
                kind: ItemKind::Need,
                entity: format!("{tag}-{chunk}-{i}"),
                payload: payload.clone(),
                media_type: None,
                parents: vec![],
            })
            .collect();
        outbox.enqueue_many(items).unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn drain(
    base: &str,
    token: &str,
    dir: &std::path::Path,
    n: usize,
    parallelism: usize,
) -> Duration {
    let path = dir.join(format!("ob-{}.sqlite", uuid::Uuid::now_v7()));
    let outbox = Arc::new(Outbox::open(&path).unwrap_or_else(|e| panic!("{e}")));
    fill(&outbox, n, "drain");
    let mut cfg = SyncConfig::new(base);
    cfg.parallelism = parallelism;
    let transport = ReqwestTransport::new().unwrap_or_else(|e| panic!("{e}"));
    let client = SyncClient::new(outbox.clone(), cfg, Arc::new(transport));
    client.set_token(Some(token.to_string()));
    let t = Instant::now();
    client
        .push_until_idle(Duration::from_secs(600))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let took = t.elapsed();
    assert_eq!(outbox.counts().map(|c| c.sent).unwrap_or(0), n as u64);
    took
}

async fn health_round_trips(base: &str, n: usize) -> Duration {
    let http = lawcircle_e2e::http_client();
    let t = Instant::now();
    for _ in 0..n {
        let r = http.get(format!("{base}/health")).send().await;
        let _ = r.map(|r| r.status());
    }
    t.elapsed()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let storage = rt.block_on(Storage::new(&Backend::Sqlite, dir.path()));
    cli_create_account(&storage, "lawyer", "lawyer", None, PW);
    let server = Server::start(&storage, &["--demo"]);
    let client = rt.block_on(Client::login(&server, "lawyer", PW));
    let token = client.token.clone().unwrap_or_default();
    let base = server.base_url.clone();
    let _ = Utc::now();

    let mut g = c.benchmark_group("drain");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("baseline: 1,000 sequential /health", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| rt.block_on(health_round_trips(&base, 1000)))
                .sum()
        })
    });
    g.bench_function("drain 1,000 needs, parallelism 8", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| rt.block_on(drain(&base, &token, dir.path(), 1000, 8)))
                .sum()
        })
    });
    g.finish();

    println!("\n| case | time | items/s |\n|---|---|---|");
    for p in [1, 4, 8, 16] {
        let t = rt.block_on(drain(&base, &token, dir.path(), 2000, p));
        println!(
            "| drain 2,000 needs, parallelism {p} | {:.2} s | {:.0} |",
            t.as_secs_f64(),
            2000.0 / t.as_secs_f64()
        );
    }
    let base_t = rt.block_on(health_round_trips(&base, 10_000));
    let t = rt.block_on(drain(&base, &token, dir.path(), 10_000, 8));
    println!(
        "| baseline: 10,000 sequential /health | {:.2} s | {:.0} |",
        base_t.as_secs_f64(),
        10_000.0 / base_t.as_secs_f64()
    );
    println!(
        "| drain 10,000 needs, parallelism 8 | {:.2} s | {:.0} | ratio {:.2}× the /health baseline",
        t.as_secs_f64(),
        10_000.0 / t.as_secs_f64(),
        t.as_secs_f64() / base_t.as_secs_f64()
    );
    server.stop();
    c.final_summary();
}
