//! The first hour of a new user, end to end with the real server binary:
//! `serve --demo` prints demo accounts for every role and each finds its
//! work (on SQLite and PostgreSQL); a second start on the same data makes
//! new passwords and no second copy of the activity; without the demo
//! people none of it exists; a SQLite URL to a new file works and a bad
//! one names the path and the reason; a piped log has no colour codes and
//! the JSON log is one object per line.

use lawcircle_e2e::{Backend, Client, Reply, Server, Storage, backends, run_cli};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// One account of the printed credentials block.
#[derive(Debug, Clone)]
struct Printed {
    role: String,
    password: String,
}

/// Reads the credentials block `serve --demo` printed before its address:
/// username → role and password.
fn credentials(banner: &str) -> BTreeMap<String, Printed> {
    let mut lines = banner
        .lines()
        .skip_while(|l| !l.starts_with("== LawCircle demo accounts"));
    assert!(lines.next().is_some(), "no credentials block in {banner:?}");
    let mut out = BTreeMap::new();
    for line in lines.take_while(|l| !l.starts_with("== end of demo accounts")) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 4 || cols[0] == "role" || !cols[1].starts_with("demo-") {
            continue;
        }
        out.insert(
            cols[1].to_string(),
            Printed {
                role: cols[0].to_string(),
                password: cols[2].to_string(),
            },
        );
    }
    out
}

async fn sign_in(server: &Server, username: &str, password: &str) -> Reply {
    Client::new(server)
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": username, "password": password}),
        )
        .await
}

fn items(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .or_else(|| r.body.as_array())
        .cloned()
        .unwrap_or_else(|| panic!("no list in {:?}", r.body))
}

#[tokio::test]
async fn serve_demo_prints_an_account_per_role_and_each_finds_its_work() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start_demo(&storage, &[], &[("LAWCIRCLE_LOG", "info")]);
        let printed = credentials(&server.banner);
        let roles: BTreeSet<&str> = printed.values().map(|p| p.role.as_str()).collect();
        assert_eq!(
            roles,
            BTreeSet::from([
                "district_admin",
                "station_staff",
                "volunteer",
                "lawyer",
                "resident"
            ]),
            "{}",
            server.banner
        );
        assert_eq!(printed.len(), 6, "two volunteers: {}", server.banner);
        let passwords: BTreeSet<&str> = printed.values().map(|p| p.password.as_str()).collect();
        assert_eq!(passwords.len(), 6, "each account its own password");
        for p in passwords.iter() {
            assert!(p.len() >= 20, "{p}");
            // Printed once on standard output, never through the log.
            assert!(!server.log().contains(p), "a password reached the log");
        }
        assert!(server.banner.contains("/console/"), "{}", server.banner);
        assert!(
            !server.banner.contains("stopped before its end"),
            "the whole story was made: {}",
            server.banner
        );

        let mut c = BTreeMap::new();
        for (username, p) in &printed {
            let r = sign_in(&server, username, &p.password).await;
            assert_eq!(r.status, 200, "{username}: {:?}", r.body);
            let mut client = Client::new(&server);
            client.token = Some(r.body["token"].as_str().unwrap().to_string());
            c.insert(username.as_str(), client);
        }

        // The resident: their own needs, and an answered order to rate.
        let mine = items(&c["demo-resident"].get("/api/v1/needs").await);
        assert!(mine.len() >= 5, "{mine:?}");
        let orders = items(&c["demo-resident"].get("/api/v1/orders").await);
        assert!(
            orders.iter().any(|o| o["state"] == "resolved"),
            "{orders:?}"
        );

        // The volunteers: orders they hold (grabbed or dispatched).
        for v in ["demo-volunteer", "demo-volunteer2"] {
            let held = items(&c[v].get("/api/v1/orders").await);
            assert!(!held.is_empty(), "{v} holds nothing");
        }
        // The lawyer: the needs they entered on site, and their dispatched order.
        let entered = items(&c["demo-lawyer"].get("/api/v1/needs").await);
        assert!(
            entered.iter().any(|n| n["channel"] == "on_site"),
            "{entered:?}"
        );
        let held = items(&c["demo-lawyer"].get("/api/v1/orders").await);
        assert!(held.iter().any(|o| o["state"] == "in_progress"), "{held:?}");

        // The station: its street's orders in every state the API reaches
        // (an order is opened as it is filed, so none stays submitted),
        // warnings, a flagged punch, volunteers in the pool.
        let board = items(&c["demo-staff"].get("/api/v1/orders").await);
        let states: BTreeSet<&str> = board.iter().filter_map(|o| o["state"].as_str()).collect();
        for s in [
            "open",
            "claimed",
            "assigned",
            "in_progress",
            "resolved",
            "evaluated",
            "closed",
            "transferred",
            "escalated",
            "cancelled",
        ] {
            assert!(states.contains(s), "no {s} order in {states:?}");
        }
        let needs = items(&c["demo-staff"].get("/api/v1/needs").await);
        let channels: BTreeSet<&str> = needs.iter().filter_map(|n| n["channel"].as_str()).collect();
        assert_eq!(
            channels,
            BTreeSet::from(["hotline12348", "on_site", "online"])
        );
        let warnings = items(&c["demo-staff"].get("/api/v1/warnings").await);
        let rules: BTreeSet<&str> = warnings
            .iter()
            .filter_map(|w| w["rule_id"].as_str())
            .collect();
        for r in ["low_rating", "overdue"] {
            assert!(rules.contains(r), "no {r} warning in {rules:?}");
        }
        assert!(
            warnings.iter().any(|w| w["state"] == "acknowledged"),
            "the station signed for one: {warnings:?}"
        );
        let queue = items(
            &c["demo-staff"]
                .get("/api/v1/punches/review-queue?pending=true")
                .await,
        );
        assert!(!queue.is_empty(), "no punch to review");
        let pool = items(&c["demo-staff"].get("/api/v1/volunteers?state=active").await);
        assert!(pool.len() >= 3, "{pool:?}");
        let applied = items(
            &c["demo-staff"]
                .get("/api/v1/volunteers?state=applied")
                .await,
        );
        assert!(!applied.is_empty(), "an application to review");

        // The admin: accounts, the audit of personal-data reads, indicators.
        let accounts = items(&c["demo-admin"].get("/api/v1/accounts").await);
        assert!(accounts.len() >= 6, "{accounts:?}");
        let audit = items(&c["demo-admin"].get("/api/v1/audit").await);
        assert!(audit.len() >= 2, "{audit:?}");
        let ind = c["demo-admin"].get("/api/v1/indicators").await;
        assert_eq!(ind.status, 200, "{:?}", ind.body);
        assert!(
            ind.body
                .to_string()
                .contains(lawcircle_server::demo::STREET)
        );

        // Everything is marked illustrative.
        let detail = c["demo-resident"]
            .get(&format!("/api/v1/needs/{}", mine[0]["id"]))
            .await;
        assert!(
            detail.body["description"]
                .as_str()
                .unwrap()
                .contains("示例"),
            "{:?}",
            detail.body
        );
        for a in &accounts {
            if a["username"].as_str().unwrap().starts_with("demo-") {
                assert!(a["display_name"].as_str().unwrap().contains("示例"));
            }
        }
        let needs_before = items(&c["demo-admin"].get("/api/v1/needs?limit=200").await).len();
        server.stop();

        // Again on the same data: new passwords, the old ones refused, the
        // activity not made twice.
        let again = Server::start_demo(&storage, &[], &[]);
        let second = credentials(&again.banner);
        assert_eq!(second.len(), 6);
        assert!(again.banner.contains("earlier --demo"), "{}", again.banner);
        for (username, p) in &printed {
            assert_ne!(second[username].password, p.password);
            let old = sign_in(&again, username, &p.password).await;
            assert_eq!(old.status, 401, "{username}: the old password still works");
        }
        let admin = Client::login(&again, "demo-admin", &second["demo-admin"].password).await;
        let needs_after = items(&admin.get("/api/v1/needs?limit=200").await).len();
        assert_eq!(needs_after, needs_before, "{}", backend.name());
        again.stop();
    }
}

#[tokio::test]
async fn without_the_demo_people_there_are_no_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    // The harness's plain start: `--demo` with LAWCIRCLE_DEMO_PEOPLE=false.
    let server = Server::start(&storage, &["--demo"]);
    assert!(
        !server.banner.contains("demo accounts"),
        "{}",
        server.banner
    );
    let r = sign_in(&server, "demo-admin", "anything-at-all").await;
    assert_eq!(r.status, 401);
    server.stop();
    // Without --demo at all, even with the switch on, nothing is made.
    let other = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, other.path()).await;
    let server = Server::launch(
        &storage,
        "127.0.0.1:0",
        &[],
        &[("LAWCIRCLE_LOG", "warn"), ("LAWCIRCLE_DEMO_PEOPLE", "true")],
    );
    assert!(
        !server.banner.contains("demo accounts"),
        "{}",
        server.banner
    );
    let facilities = lawcircle_e2e::http_get(server.url("/api/v1/facilities"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(facilities["features"].as_array().unwrap().len(), 0);
    server.stop();
}

#[tokio::test]
async fn a_sqlite_url_to_a_new_file_works_and_a_bad_one_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let db = data.join("lawcircle.db");
    let storage = Storage {
        data_dir: data.clone(),
        database_url: Some(format!("sqlite://{}", db.display())),
    };
    let server = Server::start(&storage, &["--demo"]);
    let health = Client::new(&server).get("/health").await;
    assert_eq!(health.status, 200, "{:?}", health.body);
    assert_eq!(health.body["database"], "sqlite", "{:?}", health.body);
    assert!(db.is_file());
    server.stop();

    // `sqlite:` without slashes, in a folder that is not the data folder
    // and does not exist: refused, naming the folder.
    let missing = dir.path().join("nowhere/x.db");
    let url = format!("sqlite:{}", missing.display());
    let data_arg = data.display().to_string();
    let out = run_cli(&[
        "serve",
        "--data-dir",
        &data_arg,
        "--database-url",
        &url,
        "--bind",
        "127.0.0.1:0",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("nowhere"), "{err}");
    assert!(err.contains("does not exist"), "{err}");

    // A parent that is a file.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let url = format!("sqlite://{}/x.db", file.display());
    let out = run_cli(&[
        "serve",
        "--data-dir",
        &data_arg,
        "--database-url",
        &url,
        "--bind",
        "127.0.0.1:0",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("a-file") && err.contains("not a folder"),
        "{err}"
    );
}

/// Waits until the server's log holds `needle` (the log is read by a thread).
fn wait_for_log(server: &Server, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = server.log();
        if log.contains(needle) || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_piped_log_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start_with_log(&storage, &["--demo"], "info");
    let log = wait_for_log(&server, "serving");
    assert!(log.contains("serving"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a piped log: {log:?}"
    );
    server.stop();
}

#[tokio::test]
async fn the_json_log_is_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::launch(
        &storage,
        "127.0.0.1:0",
        &["--demo"],
        &[
            ("LAWCIRCLE_LOG", "info"),
            ("LAWCIRCLE_LOG_FORMAT", "json"),
            ("LAWCIRCLE_DEMO_PEOPLE", "false"),
        ],
    );
    let log = wait_for_log(&server, "serving");
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 2, "{log}");
    for line in &lines {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object: {line:?}: {e}"));
        assert!(v.is_object(), "{line}");
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
    }
    assert!(lines.iter().any(|l| l.contains("\"serving\"")), "{log}");
    server.stop();
    // An unknown format is refused at start, saying which are known.
    let out = lawcircle_e2e::run_cli_with_env(
        &["serve", "--bind", "127.0.0.1:0"],
        &[("LAWCIRCLE_LOG_FORMAT", "xml")],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("json"));
}
