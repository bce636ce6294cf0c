//! A small HTTP load generator for the server benchmarks: N concurrent
//! clients on loopback for a fixed time, printing requests/s and latency
//! percentiles as one JSON line.
//!
//! ```text
//! loadgen --url http://127.0.0.1:8080/health --concurrency 100 --seconds 10
//! loadgen --url …/api/v1/facilities/{id} --method PUT --token T --body '{"n": {n}}'
//! ```
//! `{n}` in the URL or body is replaced by a per-request counter (from
//! `--start`, at most `--max`), so writes change something every time.
//! `--timeout S` (default 30): a request slower than that counts as an
//! error.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    method: reqwest::Method,
    body: Option<String>,
    token: Option<String>,
    concurrency: usize,
    seconds: u64,
    /// First value of `{n}`.
    start: u64,
    /// Stop once `{n}` would pass this (each value is used once).
    max: Option<u64>,
    /// Seconds before a request counts as failed.
    timeout: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        method: reqwest::Method::GET,
        body: None,
        token: None,
        concurrency: 100,
        seconds: 10,
        start: 0,
        max: None,
        timeout: 30,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = value()?,
            "--method" => a.method = value()?.parse().map_err(|e| format!("bad method: {e}"))?,
            "--body" => a.body = Some(value()?),
            "--token" => a.token = Some(value()?),
            "--concurrency" => a.concurrency = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seconds" => a.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--start" => a.start = value()?.parse().map_err(|e| format!("{e}"))?,
            "--max" => a.max = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--timeout" => a.timeout = value()?.parse().map_err(|e| format!("{e}"))?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.url.is_empty() {
        return Err("--url is required".into());
    }
    Ok(a)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    // The workspace builds reqwest without a built-in TLS provider.
    lawcircle_client::sync::install_crypto_provider();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(args.timeout))
        .build()
        .expect("http client");
    let counter = Arc::new(AtomicU64::new(args.start));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, args, counter, errors) = (
            client.clone(),
            args.clone(),
            counter.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if args.max.is_some_and(|m| n > m) {
                    break;
                }
                let n = n.to_string();
                let mut req = client.request(args.method.clone(), args.url.replace("{n}", &n));
                if let Some(t) = &args.token {
                    req = req.bearer_auth(t);
                }
                if let Some(b) = &args.body {
                    req = req
                        .header("content-type", "application/json")
                        .body(b.replace("{n}", &n));
                }
                let t0 = Instant::now();
                match req.send().await {
                    Ok(resp) => {
                        let ok = resp.status().is_success();
                        let _ = resp.bytes().await;
                        if !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.push(t0.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{{\"requests\": {}, \"errors\": {}, \"seconds\": {:.2}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}}}",
        all.len(),
        errors.load(Ordering::Relaxed),
        elapsed,
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99)
    );
}
