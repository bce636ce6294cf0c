//! A stand-in for the phone in the kill -9 tests: opens the outbox at a
//! path, enqueues the needs `PREFIX-0 … PREFIX-(N-1)` that are not in it
//! yet (every third with a photo), and syncs until nothing is pending.
//! The test kills it at random points and runs it again to finish.
//!
//! ```text
//! outbox-client --db PATH --server URL --token TOKEN --count N --prefix P
//! outbox-client --db PATH --hold-transaction
//! ```
//!
//! `--hold-transaction` commits 5 items, then opens a transaction that
//! writes 1,000 more, prints `in-transaction` and sleeps inside it, so the
//! test can kill it mid-transaction.

use chrono::Utc;
use lawcircle_client::http::reqwest::ReqwestTransport;
use lawcircle_client::outbox::{BackoffPolicy, Outbox};
use lawcircle_client::sync::{SyncClient, SyncConfig};
use lawcircle_e2e::cli_arg;
use lawcircle_e2e::intake::need_draft;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = PathBuf::from(cli_arg(&args, "--db").expect("--db"));
    let policy = BackoffPolicy {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(300),
        max_retry_after: Duration::from_secs(2),
    };
    let outbox = Arc::new(Outbox::open_with(&db, policy).expect("open outbox"));
    if args.iter().any(|a| a == "--hold-transaction") {
        hold_transaction(&outbox, &db);
        return;
    }
    let count: usize = cli_arg(&args, "--count")
        .expect("--count")
        .parse()
        .expect("N");
    let prefix = cli_arg(&args, "--prefix").expect("--prefix");
    for i in 0..count {
        let entity = format!("{prefix}-{i}");
        if outbox.has_entity(&entity).expect("look up entity") {
            continue;
        }
        let draft = need_draft(&entity);
        let files = if i % 3 == 0 {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend_from_slice(entity.as_bytes());
            vec![(png, Some("image/png".to_string()))]
        } else {
            vec![]
        };
        outbox
            .enqueue_need(&entity, &draft, &files, Utc::now())
            .expect("enqueue");
    }
    println!("enqueued");
    let mut config = SyncConfig::new(cli_arg(&args, "--server").expect("--server"));
    if let Some(p) = cli_arg(&args, "--parallelism") {
        config.parallelism = p.parse().expect("parallelism");
    }
    config.request_timeout = Duration::from_secs(10);
    let transport = ReqwestTransport::new().expect("transport");
    let client = SyncClient::new(outbox.clone(), config, Arc::new(transport));
    client.set_token(cli_arg(&args, "--token"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt
        .block_on(client.push_until_idle(Duration::from_secs(120)))
        .expect("push");
    let counts = outbox.counts().expect("counts");
    println!(
        "done attempts={} sent={} wedged={}",
        report.attempts, counts.sent, counts.wedged
    );
}

fn hold_transaction(outbox: &Outbox, db: &std::path::Path) {
    for i in 0..5 {
        let e = format!("kept-{i}");
        outbox
            .enqueue_need(&e, &need_draft(&e), &[], Utc::now())
            .expect("enqueue");
    }
    let mut conn = rusqlite::Connection::open(db).expect("open");
    let tx = conn.transaction().expect("begin");
    for i in 0..1000 {
        tx.execute(
            "INSERT INTO outbox (key, kind, entity, payload, state, created_at, updated_at)
             VALUES (?1, 'need', ?2, ?3, 'not_sent', 0, 0)",
            rusqlite::params![format!("torn-{i}"), format!("torn-{i}"), vec![7u8; 4096]],
        )
        .expect("insert");
    }
    println!("in-transaction");
    let _ = std::io::stdout().flush();
    std::thread::sleep(Duration::from_secs(60));
    drop(tx);
}
