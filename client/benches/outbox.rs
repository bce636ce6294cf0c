//! Outbox enqueue benchmark.
//!
//! Criterion measures enqueueing one need (validation, JSON, the durable
//! `synchronous = FULL` commit) and, as the baseline, a bare SQLite insert
//! of the same bytes into a table of one BLOB column, same file settings
//! (WAL, FULL), one transaction per row. Then a one-pass table prints the
//! ratios, with a 100-item batch (`enqueue_many`) as well.
//!
//! Run: `cargo bench -p lawcircle-core --features client --bench outbox`.

use chrono::Utc;
use criterion::Criterion;
use lawcircle_client::outbox::{ItemKind, NewItem, Outbox};
use lawcircle_core::needs::{
    Channel, Consent, EnteredBy, NeedCategory, NeedDraft, NeedLocation, Requester, Urgency,
};
use rusqlite::Connection;
use std::time::{Duration, Instant};

fn draft() -> NeedDraft {
    let now = Utc::now();
    NeedDraft {
        requester: Requester {
            name: "李四".into(),
            phone: "13905771234".into(),
            id_number: Some("11010519491231002X".into()),
            enterprise: None,
        },
        category: NeedCategory::Mediation,
        specialty: None,
        description: "邻里纠纷：楼上漏水，多次协商未果，希望人民调解。".repeat(4),
        urgency: Urgency::Normal,
        location: NeedLocation {
            point: None,
            address: "永中街道示例社区 3 幢".into(),
            area_code: "330303001001".into(),
        },
        channel: Channel::OnSite,
        entered: EnteredBy {
            at: now,
            point: None,
            post_id: None,
        },
        consent: Consent {
            given: true,
            at: now,
            notice_version: "2024-03".into(),
        },
        attachments: vec![],
        application: None,
    }
}

fn bare(path: &std::path::Path) -> Connection {
    let c = Connection::open(path).unwrap_or_else(|e| panic!("open: {e}"));
    let _ = c.pragma_update(None, "journal_mode", "WAL");
    let _ = c.pragma_update(None, "synchronous", "FULL");
    let _ =
        c.execute_batch("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
    c
}

fn bare_insert(c: &mut Connection, bytes: &[u8]) {
    let tx = c.transaction().unwrap_or_else(|e| panic!("{e}"));
    let _ = tx.execute("INSERT INTO t (b) VALUES (?1)", [bytes]);
    let _ = tx.commit();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = draft();
    let bytes = serde_json::to_vec(&d).unwrap_or_default();
    let mut conn = bare(&dir.path().join("bare.sqlite"));
    let outbox = Outbox::open(&dir.path().join("outbox.sqlite")).unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("outbox");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("baseline: bare SQLite insert (WAL, FULL)", |b| {
        b.iter(|| bare_insert(&mut conn, &bytes))
    });
    let mut n = 0u64;
    g.bench_function("enqueue_need (validate + JSON + insert)", |b| {
        b.iter(|| {
            n += 1;
            outbox
                .enqueue_need(&format!("e{n}"), &d, &[], Utc::now())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.finish();

    // One pass of ratios in the same run.
    const N: usize = 300;
    let t = Instant::now();
    for _ in 0..N {
        bare_insert(&mut conn, &bytes);
    }
    let base = t.elapsed();
    let t = Instant::now();
    for i in 0..N {
        let _ = outbox.enqueue_need(&format!("r{i}"), &d, &[], Utc::now());
    }
    let one = t.elapsed();
    let t = Instant::now();
    for b in 0..(N / 100) {
        let items = (0..100)
            .map(|i| NewItem {
                kind: ItemKind::Need,
                entity: format!("b{b}-{i}"),
                payload: bytes.clone(),
                media_type: None,
                parents: vec![],
            })
            .collect();
        let _ = outbox.enqueue_many(items);
    }
    let batch = t.elapsed();
    let rate = |d: Duration| N as f64 / d.as_secs_f64();
    println!("\n| case | items/s | ratio to bare insert |\n|---|---|---|");
    println!(
        "| baseline: bare SQLite insert, 1 per transaction | {:.0} | 1× |",
        rate(base)
    );
    println!(
        "| enqueue_need, 1 per transaction | {:.0} | {:.2}× the time |",
        rate(one),
        one.as_secs_f64() / base.as_secs_f64()
    );
    println!(
        "| enqueue_many, 100 per transaction | {:.0} | {:.3}× the time |",
        rate(batch),
        batch.as_secs_f64() / base.as_secs_f64()
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
