//! The background job's cost follows what changed or fell due, not what
//! the database holds, on SQLite and PostgreSQL: open consultations
//! waiting within their grab window are not read on every run (only when
//! their window runs out, once), and a restart reads on from where the
//! last run stopped (the read mark is kept in the database) while still
//! raising what arrived while the server was down, once. The rows each
//! run reads are counted in `/metrics` (`lawcircle_job_*`).

use lawcircle_core::orders::rating::LOW_RATING_MAX_SCORE;
use lawcircle_e2e::people::{STREET, VILLAGE, test_account};
use lawcircle_e2e::{Client, Server, Storage, backends, cli_create_account, intake};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PW: &str = "correct-horse-42";

/// The job's figures of `/metrics`: (runs, rows read in all, rows read by
/// the last run).
async fn job_figures(admin: &Client) -> (u64, u64, u64) {
    let resp = admin
        .http
        .get(format!("{}/metrics", admin.base))
        .bearer_auth(admin.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    let figure = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .trim()
            .parse()
            .unwrap()
    };
    (
        figure("lawcircle_job_runs_total"),
        figure("lawcircle_job_rows_read_total"),
        figure("lawcircle_job_last_run_rows_read"),
    )
}

/// Waits until the job has run `n` more times than `after` runs (the
/// figures then).
async fn runs_after(admin: &Client, after: u64, n: u64) -> (u64, u64, u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let f = job_figures(admin).await;
        if f.0 >= after + n {
            return f;
        }
        assert!(Instant::now() < deadline, "the job did not run: {f:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn open_consultations_are_read_when_their_window_runs_out_not_on_every_run() {
    const WAITING: usize = 30;
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(
            &storage,
            &[
                "--demo",
                "--test-clock",
                "--jobs-interval-ms",
                "200",
                "--grab-window-secs",
                "3600",
            ],
        );
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        test_account(&admin, "resident", "resident", STREET).await;
        let resident = Client::login(&server, "resident", PW).await;
        let before = runs_after(&admin, 0, 2).await;

        let mut orders = Vec::new();
        for _ in 0..WAITING {
            orders.push(
                resident
                    .submit_need(&intake::need_json("consultation", VILLAGE))
                    .await,
            );
        }
        // Runs while they wait within their window read none of them (a
        // run reading every open order would read all of them each time).
        let waiting = runs_after(&admin, before.0, 3).await;
        assert!(
            waiting.2 <= before.2,
            "{}: a run read {} rows with {WAITING} consultations waiting (before: {})",
            backend.name(),
            waiting.2,
            before.2
        );

        // The window runs out: one run reads them and escalates them all.
        let r = admin
            .post("/api/v1/test/clock", &json!({"seconds": 3601}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let admin = Client::login(&server, "admin", PW).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        for id in &orders {
            loop {
                let o = admin.get(&format!("/api/v1/orders/{id}")).await.body;
                if o["state"] == "escalated" {
                    break;
                }
                assert!(Instant::now() < deadline, "{}: {o:?}", backend.name());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        // The run that escalated them counts its rows when it ends, a
        // moment after its changes are visible.
        let escalated = loop {
            let f = job_figures(&admin).await;
            if f.1 >= waiting.1 + WAITING as u64 || Instant::now() >= deadline {
                break f;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(
            escalated.1 >= waiting.1 + WAITING as u64,
            "{}: {escalated:?} after {waiting:?}",
            backend.name()
        );
        // Escalated, they are not read again.
        let after = runs_after(&admin, escalated.0, 3).await;
        assert!(
            after.2 <= before.2,
            "{}: a run read {} rows after the escalation (before: {})",
            backend.name(),
            after.2,
            before.2
        );
        server.stop();
    }
}

/// The stored warnings' dedup keys.
async fn warning_keys(db: &sqlx::AnyPool) -> Vec<String> {
    sqlx::query_scalar("SELECT dedup_key FROM warnings ORDER BY dedup_key")
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_restart_reads_on_from_the_last_run_and_raises_what_arrived_while_down_once() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        // The demo's history (days of orders, ratings and punches), and
        // the job run over it.
        let server = Server::start_demo(&storage, &["--jobs-interval-ms", "200"], &[]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        runs_after(&admin, 0, 2).await;
        server.stop();

        let db = storage.database().await;
        // The history a day older, as a server restarted a day later finds
        // it (within the read margin before the last run, rows are read
        // again on purpose: they may have committed late).
        let day = 24 * 3600 * 1000i64;
        for sql in [
            "UPDATE ratings SET at = at - $1",
            "UPDATE punches SET received_at = received_at - $1",
            "UPDATE orders SET updated_at = updated_at - $1",
        ] {
            sqlx::query(sql).bind(day).execute(&db).await.unwrap();
        }
        let before = warning_keys(&db).await;
        let low: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ratings WHERE score <= $1")
            .bind(i64::from(LOW_RATING_MAX_SCORE))
            .fetch_one(&db)
            .await
            .unwrap();
        let punches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM punches")
            .fetch_one(&db)
            .await
            .unwrap();
        // What reading the history again would read: every low rating
        // with its order, and every punch.
        let history = 2 * low + punches;
        assert!(low > 0 && punches > 0, "{low} {punches}");

        // While the server is down a low rating arrives (as another
        // instance on the same database, or a restored backup, writes
        // it): on an order nobody rated yet.
        let (order, requester): (String, String) = {
            use sqlx::Row;
            let row = sqlx::query(
                "SELECT id, requester_id FROM orders
                 WHERE id NOT IN (SELECT order_id FROM ratings) ORDER BY id LIMIT 1",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            (row.get(0), row.get(1))
        };
        let at = chrono::Utc::now();
        let rating = json!({"order_id": order, "score": 1, "rated_by": requester, "at": at});
        sqlx::query("INSERT INTO ratings (order_id, score, data, at) VALUES ($1, $2, $3, $4)")
            .bind(&order)
            .bind(1i64)
            .bind(rating.to_string())
            .bind(at.timestamp_millis())
            .execute(&db)
            .await
            .unwrap();

        // A run a second (the first at start): the figures below are of
        // the first run or two.
        let server = Server::start(&storage, &["--jobs-interval-ms", "1000"]);
        let admin = Client::login(&server, "admin", PW).await;
        let first = runs_after(&admin, 0, 1).await;
        // The runs after the restart read the new rating and its order
        // (and what arrived within the read margin before the last run),
        // not the history: all of them together read less than it.
        assert!(
            first.2 >= 2 && first.1 < history as u64,
            "{}: the runs after the restart read {first:?} (runs, rows, rows of the last); \
             the history is {history} rows",
            backend.name()
        );
        let raised = format!("low_rating|order:{order}|rating");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if warning_keys(&db).await.contains(&raised) {
                break;
            }
            assert!(Instant::now() < deadline, "{}: no {raised}", backend.name());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // A few runs on, everything is raised once: the warnings before
        // and the new one.
        let now = job_figures(&admin).await;
        runs_after(&admin, now.0, 3).await;
        let mut expected = before.clone();
        expected.push(raised);
        expected.sort();
        assert_eq!(warning_keys(&db).await, expected, "{}", backend.name());
        let list: Value = admin.get("/api/v1/warnings").await.body;
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(expected.len()),
            "{}",
            backend.name()
        );
        db.close().await;
        server.stop();
    }
}
