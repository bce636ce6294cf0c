//! The synthetic district of the benchmarks at scale (`scripts/gen-district`
//! and the `seed-district` bin), at a small size: the same seed gives the
//! same rows, on SQLite and on PostgreSQL alike, and the server reads what
//! was loaded (a resident's needs, an intact punch chain, the indicators).

use lawcircle_e2e::{Client, Server, Storage, backends, repo_root, run_cli};
use serde_json::Value;
use sqlx::any::install_default_drivers;
use sqlx::{Connection, Row};
use std::path::Path;
use std::process::Command;

const UNTIL: &str = "2026-12-01T00:00:00Z";

/// The tables the seeder writes, each with its columns in a fixed order
/// and its sort key. The password hash is left out: one hash with a
/// random salt, made at each run.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "accounts",
        "id, username, display_name, role, street_code, disabled, created_at",
        "id",
    ),
    (
        "volunteers",
        "id, account_id, home_street, state, version, data, updated_at",
        "id",
    ),
    (
        "needs",
        "id, client_key, entered_by, entered_by_role, street_code, area_code, category, urgency, channel, status, data, created_at, requester_account",
        "id",
    ),
    (
        "orders",
        "id, need_id, kind, state, level, street_code, requester_id, assignee, category, deadline, version, data, updated_at",
        "id",
    ),
    ("ratings", "order_id, score, data, at, channel", "order_id"),
    (
        "rating_requests",
        "order_id, channel, street_code, created_at, expires_at, sms_status",
        "order_id",
    ),
    (
        "warnings",
        "dedup_key, rule_id, street_code, state, level, version, data",
        "dedup_key",
    ),
    (
        "call_backs",
        "order_id, by_account, at, outcome, note",
        "order_id",
    ),
    (
        "punches",
        "id, volunteer_id, seq, post_id, street_code, device_verdict, server_verdict, data, hash, received_at",
        "id",
    ),
];

fn database_url(storage: &Storage) -> String {
    storage
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/lawcircle.sqlite", storage.data_dir.display()))
}

/// Every row of the seeded tables, as text.
async fn dump(storage: &Storage) -> Vec<String> {
    install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&database_url(storage))
        .await
        .expect("connect");
    let mut out = Vec::new();
    for (table, cols, key) in TABLES {
        let n = cols.split(',').count();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM {table} ORDER BY {key}"
        )))
        .fetch_all(&mut conn)
        .await
        .expect("dump a table");
        assert!(!rows.is_empty(), "the seeder wrote no {table}");
        for r in rows {
            let cells: Vec<String> = (0..n)
                .map(|i| match r.try_get::<Option<i64>, _>(i) {
                    Ok(v) => format!("{v:?}"),
                    Err(_) => format!("{:?}", r.try_get::<Option<String>, _>(i).expect("text")),
                })
                .collect();
            out.push(format!("{table}|{}", cells.join("|")));
        }
    }
    out
}

/// Imports the generated catalogue and loads the history into `storage`;
/// returns the seeder's summary.
fn seed(storage: &Storage, csv: &Path) -> Value {
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(storage.args());
    for (flag, file) in [
        ("--areas", "areas.csv"),
        ("--facilities", "facilities.csv"),
        ("--duty-posts", "duty_posts.csv"),
    ] {
        args.push(flag.into());
        args.push(csv.join(file).display().to_string());
    }
    let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "import: {out:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_seed-district"))
        .args(storage.args())
        .args([
            "--seed",
            "7",
            "--volunteers",
            "60",
            "--residents",
            "200",
            "--orders",
            "2000",
            "--punches-per-volunteer",
            "6",
            "--days",
            "60",
            "--until",
            UNTIL,
        ])
        .output()
        .expect("run seed-district");
    assert!(out.status.success(), "seed-district: {out:?}");
    serde_json::from_slice(&out.stdout).expect("the seeder's summary")
}

#[tokio::test]
async fn the_synthetic_district_is_deterministic_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    let generated = Command::new("python3")
        .arg(repo_root().join("scripts/gen-district"))
        .args(["--out", &csv.display().to_string()])
        .args(["--seed", "7", "--facilities", "500", "--villages", "30"])
        .output()
        .expect("run scripts/gen-district (python3)");
    assert!(generated.status.success(), "gen-district: {generated:?}");

    let mut first_dump: Option<Vec<String>> = None;
    for (i, backend) in backends().iter().enumerate() {
        let a = Storage::new(backend, &dir.path().join(format!("a{i}"))).await;
        let b = Storage::new(backend, &dir.path().join(format!("b{i}"))).await;
        let summary = seed(&a, &csv);
        assert_eq!(
            summary,
            seed(&b, &csv),
            "{}: the summaries differ",
            backend.name()
        );
        assert_eq!(summary["orders"], 2000);
        assert!(summary["ratings"].as_u64().unwrap() > 500, "{summary}");
        assert!(summary["punches"].as_u64().unwrap() > 100, "{summary}");
        let rows = dump(&a).await;
        assert_eq!(
            rows,
            dump(&b).await,
            "{}: same seed, other rows",
            backend.name()
        );
        // The same rows whatever the backend.
        match &first_dump {
            None => first_dump = Some(rows),
            Some(first) => assert_eq!(first, &rows, "SQLite and PostgreSQL differ"),
        }

        // The server reads it: a resident's own needs, an intact punch
        // chain, the district's indicators over the history.
        let server = Server::start(&a, &[]);
        let password = summary["password"].as_str().unwrap();
        let resident = Client::login(&server, "sd-resident-000001", password).await;
        let r = resident.get("/api/v1/needs?limit=100").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let mine = r.body["items"].as_array().unwrap();
        assert!(
            !mine.is_empty(),
            "the first resident filed nothing: {:?}",
            r.body
        );
        let admin = Client::login(&server, "sd-admin", password).await;
        let volunteer = a_punching_volunteer(&a).await;
        let chain = admin
            .get(&format!("/api/v1/punches/chains/{volunteer}"))
            .await;
        assert_eq!(chain.status, 200, "{:?}", chain.body);
        assert_eq!(chain.body["intact"], true, "{:?}", chain.body);
        assert!(chain.body["punches"].as_u64().unwrap() >= 2);
        let indicators = admin.get("/api/v1/indicators").await;
        assert_eq!(indicators.status, 200, "{:?}", indicators.body);
        server.stop();
    }
}

async fn a_punching_volunteer(storage: &Storage) -> String {
    let mut conn = sqlx::AnyConnection::connect(&database_url(storage))
        .await
        .expect("connect");
    sqlx::query_scalar("SELECT volunteer_id FROM punches ORDER BY id LIMIT 1")
        .fetch_one(&mut conn)
        .await
        .expect("a punch")
}
