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
        let before = chrono::Utc::now().timestamp_millis();
        let indicators = admin.get("/api/v1/indicators").await;
        let after = chrono::Utc::now().timestamp_millis();
        assert_eq!(indicators.status, 200, "{:?}", indicators.body);
        // The rating figures (counted in the database) equal the ones
        // worked out here from every row, order histories decoded, at the
        // server's time (between `before` and `after`; a request or link
        // expiring in that window would change them, hence both ends).
        let got = &indicators.body["ratings"];
        assert!(got["district"]["resolved"].as_u64().unwrap() > 500, "{got}");
        let (at_before, at_after) = (
            ratings_from_scratch(&a, before).await,
            ratings_from_scratch(&a, after).await,
        );
        assert!(
            *got == at_before || *got == at_after,
            "{}: the rating figures {got} differ from a count over every row {at_before}",
            backend.name()
        );
        lawcircle_e2e::assert_rating_verdicts_match_the_orders(&a).await;
        // The duty hours, kept per volunteer and filled at the first start
        // for the rows loaded directly, equal a pairing of every punch.
        let hours = admin.get("/api/v1/duty-hours").await;
        assert_eq!(hours.status, 200, "{:?}", hours.body);
        let db = a.database().await;
        let punches: Vec<lawcircle_core::volunteers::punch::Punch> =
            sqlx::query_scalar::<_, String>("SELECT data FROM punches ORDER BY volunteer_id, seq")
                .fetch_all(&db)
                .await
                .unwrap()
                .iter()
                .map(|d| serde_json::from_str(d).unwrap())
                .collect();
        let (sessions, _) = lawcircle_core::volunteers::duty_hours::pair_sessions(&punches, 16.0);
        let expected = lawcircle_core::volunteers::duty_hours::HourTotals::compute(&sessions, &[]);
        assert!(!expected.by_volunteer.is_empty());
        assert_eq!(
            hours.body["by_volunteer"],
            serde_json::to_value(&expected.by_volunteer).unwrap(),
            "{}",
            backend.name()
        );
        server.stop();
    }
}

/// Every row of `sql`, each column as text (numbers written out, NULL as
/// an empty string).
async fn text(conn: &mut sqlx::AnyConnection, sql: &'static str) -> Vec<Vec<String>> {
    sqlx::query(sql)
        .fetch_all(conn)
        .await
        .expect(sql)
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .ok()
                        .flatten()
                        .or_else(|| {
                            r.try_get::<Option<i64>, _>(i)
                                .ok()
                                .flatten()
                                .map(|v| v.to_string())
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// The rating figures of the indicators (`ratings`: district and streets,
/// resolved, rated by channel, unrated by reason) worked out from every
/// row at `now` (milliseconds): the orders that reached `resolved` in
/// their history, each with its rating's channel or, unrated, the reason
/// by the rules of the ratings report (the last call-back refused or not
/// reached; no request; an app request awaiting or expired; a call-back
/// awaited; a link never delivered, still valid, or expired).
async fn ratings_from_scratch(storage: &Storage, now: i64) -> Value {
    use std::collections::{BTreeMap, HashMap};
    install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&database_url(storage))
        .await
        .expect("connect");
    let orders = text(&mut conn, "SELECT id, street_code, data FROM orders").await;
    let channels: HashMap<String, String> =
        text(&mut conn, "SELECT order_id, channel FROM ratings")
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let requests: HashMap<String, Vec<String>> = text(
        &mut conn,
        "SELECT order_id, channel, expires_at, sms_status FROM rating_requests",
    )
    .await
    .into_iter()
    .map(|r| (r[0].clone(), r))
    .collect();
    let mut links: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for r in text(
        &mut conn,
        "SELECT order_id, via, expires_at FROM rating_links",
    )
    .await
    {
        links
            .entry(r[0].clone())
            .or_default()
            .push((r[1].clone(), r[2].parse().unwrap()));
    }
    let mut last_call_back: HashMap<String, String> = HashMap::new();
    for r in text(
        &mut conn,
        "SELECT order_id, outcome FROM call_backs ORDER BY at, id",
    )
    .await
    {
        last_call_back.insert(r[0].clone(), r[1].clone());
    }
    #[derive(Default)]
    struct Figures {
        resolved: u64,
        rated: u64,
        unrated: u64,
        by_channel: BTreeMap<String, u64>,
        unrated_by_reason: BTreeMap<String, u64>,
    }
    let mut district = Figures::default();
    let mut streets: BTreeMap<String, Figures> = BTreeMap::new();
    for o in &orders {
        let data: Value = serde_json::from_str(&o[2]).unwrap();
        let resolved = data["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["to"] == "resolved");
        if !resolved {
            continue;
        }
        let id = &o[0];
        let verdict = match channels.get(id) {
            Some(c) => Ok(c.clone()),
            None => Err(match last_call_back.get(id).map(String::as_str) {
                Some("refused") => "declined",
                Some("not_reached") => "not_reached",
                _ => match requests.get(id) {
                    None => "no_request",
                    Some(q) => {
                        let expires: i64 = q[2].parse().unwrap();
                        let mine = links.get(id).map(Vec::as_slice).unwrap_or(&[]);
                        match q[1].as_str() {
                            "app" if now < expires => "awaiting",
                            "app" => "app_expired",
                            "call_back" => "awaiting_call_back",
                            _ => {
                                let delivered = q[3] == "sent"
                                    || q[3] == "not_sent"
                                    || mine.iter().any(|(via, _)| via == "qr");
                                if !delivered {
                                    "no_contact"
                                } else if mine.iter().any(|(_, exp)| now < *exp) {
                                    "awaiting"
                                } else {
                                    "link_expired"
                                }
                            }
                        }
                    }
                },
            }),
        };
        for f in [&mut district, streets.entry(o[1].clone()).or_default()] {
            f.resolved += 1;
            match &verdict {
                Ok(c) => {
                    f.rated += 1;
                    *f.by_channel.entry(c.clone()).or_default() += 1;
                }
                Err(r) => {
                    f.unrated += 1;
                    *f.unrated_by_reason.entry(r.to_string()).or_default() += 1;
                }
            }
        }
    }
    let json = |f: &Figures| {
        serde_json::json!({
            "resolved": f.resolved, "rated": f.rated, "unrated": f.unrated,
            "by_channel": f.by_channel, "unrated_by_reason": f.unrated_by_reason,
        })
    };
    serde_json::json!({
        "district": json(&district),
        "streets": streets.iter().map(|(k, f)| (k.clone(), json(f))).collect::<BTreeMap<_, _>>(),
    })
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
