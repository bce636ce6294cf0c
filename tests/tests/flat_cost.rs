//! Work that does not grow with history, on SQLite and PostgreSQL: the
//! indicators aggregated in the database equal the core's computation
//! over every order and rating of the demo data; the warnings list comes
//! in pages that hold every warning once; the coverage is kept per
//! catalogue version (a second request computes nothing) and recomputed
//! in the background after a catalogue change.

use lawcircle_core::orders::indicators::{self, IndicatorInputs, Targets};
use lawcircle_core::orders::order::Order;
use lawcircle_core::orders::rating::Rating;
use lawcircle_e2e::people::{
    OTHER_STREET, POST_ID, POST_LAT, POST_LNG, STREET, VILLAGE, test_account,
};
use lawcircle_e2e::{
    Client, Server, Storage, backends, cli_create_account, error_code, intake, people,
};
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

const PW: &str = "correct-horse-42";

/// Every stored row's JSON of `table`, decoded.
async fn rows<T: serde::de::DeserializeOwned>(db: &sqlx::AnyPool, sql: &'static str) -> Vec<T> {
    let data: Vec<String> = sqlx::query_scalar(sql).fetch_all(db).await.unwrap();
    data.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

/// The figures the orders and ratings decide, by area code and indicator
/// name: (value, sample).
fn order_figures(report: &Value) -> Vec<(String, String, Value, Value)> {
    let mut out = Vec::new();
    let areas =
        std::iter::once(&report["district"]).chain(report["streets"].as_array().unwrap().iter());
    for area in areas {
        for i in area["indicators"].as_array().unwrap() {
            let name = i["name"].as_str().unwrap();
            if matches!(
                name,
                "satisfaction"
                    | "median_time_to_claim_seconds"
                    | "median_resolution_seconds"
                    | "mean_resolution_seconds"
                    | "overdue_count"
            ) {
                out.push((
                    area["code"].as_str().unwrap().to_string(),
                    name.to_string(),
                    i["value"].clone(),
                    i["sample"].clone(),
                ));
            }
        }
    }
    out
}

/// The order figures of `GET /api/v1/indicators` equal the core's
/// computation over every order and rating in the database.
async fn assert_indicators_equal_the_computation(storage: &Storage, admin: &Client, backend: &str) {
    let r = admin.get("/api/v1/indicators").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body["catalogue_version"].as_u64().is_some(),
        "{:?}",
        r.body
    );
    let now: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(r.body["generated_at"].clone()).unwrap();

    // The previous way: the core over every order and rating.
    let db = storage.database().await;
    let orders: Vec<Order> = rows(&db, "SELECT data FROM orders ORDER BY created_at, id").await;
    let ratings: Vec<Rating> = rows(&db, "SELECT data FROM ratings ORDER BY at").await;
    assert!(
        orders.iter().any(|o| o.time_to_claim_s().is_some())
            && orders.iter().any(|o| o.resolution_time_s().is_some())
            && !ratings.is_empty(),
        "the demo has claimed, resolved and rated orders ({} orders, {} ratings)",
        orders.len(),
        ratings.len()
    );
    let streets: Vec<String> = r.body["streets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    let expected = indicators::compute(
        &IndicatorInputs {
            district_code: r.body["district"]["code"].as_str().unwrap(),
            year: r.body["year"].as_i64().unwrap() as i32,
            now,
            streets: &streets,
            orders: &orders,
            ratings: &ratings,
            coverage: &[],
            volunteer_hours: &[],
            hotline_calls: &[],
        },
        &Targets::longwan_plan(),
    );
    let expected = order_figures(&serde_json::to_value(&expected).unwrap());
    let got = order_figures(&r.body);
    assert_eq!(got.len(), expected.len(), "{backend}");
    for ((code, name, value, sample), (ecode, ename, evalue, esample)) in got.iter().zip(&expected)
    {
        assert_eq!((code, name), (ecode, ename), "{backend}");
        assert_eq!(sample, esample, "{code} {name} on {backend}");
        match (value.as_f64(), evalue.as_f64()) {
            // Sums of milliseconds in the database, of seconds in
            // the core: equal up to rounding.
            (Some(v), Some(e)) => assert!(
                (v - e).abs() <= 1e-9 * e.abs().max(1.0),
                "{code} {name}: {v} from the database, {e} computed, on {backend}"
            ),
            _ => assert_eq!(value, evalue, "{code} {name} on {backend}"),
        }
    }
}

#[tokio::test]
async fn indicators_from_the_database_equal_the_computation_over_every_order() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        // The whole demo: accounts and a few days of orders and ratings.
        let server = Server::start_demo(&storage, &[], &[]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        assert_indicators_equal_the_computation(&storage, &admin, backend.name()).await;
        server.stop();
    }
}

#[tokio::test]
async fn warnings_come_in_pages_holding_each_warning_once() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start_demo(&storage, &[], &[]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        let all = admin.get("/api/v1/warnings").await;
        assert_eq!(all.status, 200, "{:?}", all.body);
        let every: Vec<String> = all
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect();
        assert!(every.len() >= 2, "the demo raises warnings: {every:?}");
        for limit in [1usize, 2, 500] {
            let mut paged = Vec::new();
            let mut path = format!("/api/v1/warnings?limit={limit}");
            loop {
                let r = admin.get(&path).await;
                assert_eq!(r.status, 200, "{:?}", r.body);
                let items = r.body["items"].as_array().unwrap();
                assert!(items.len() <= limit, "{limit}: {}", items.len());
                paged.extend(items.iter().map(|w| w["id"].as_str().unwrap().to_string()));
                match r.body["next_after"].as_i64() {
                    Some(after) => path = format!("/api/v1/warnings?limit={limit}&after={after}"),
                    None => break,
                }
            }
            let unique: BTreeSet<&String> = paged.iter().collect();
            assert_eq!(unique.len(), paged.len(), "each once: {paged:?}");
            assert_eq!(paged, every, "limit {limit} on {}", backend.name());
        }
        for (bad, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("after=-1", "after"),
        ] {
            let r = admin.get(&format!("/api/v1/warnings?{bad}")).await;
            assert_eq!(r.status, 400, "{bad}: {:?}", r.body);
            error_code(&r);
            assert_eq!(r.body["error"]["field"], field, "{:?}", r.body);
        }
        server.stop();
    }
}

/// `lawcircle_coverage_computations_total` of `/metrics`.
async fn coverage_computations(admin: &Client) -> u64 {
    let resp = admin
        .http
        .get(format!("{}/metrics", admin.base))
        .bearer_auth(admin.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("lawcircle_coverage_computations_total "))
        .unwrap_or_else(|| panic!("no coverage counter in {text}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn coverage_is_kept_per_catalogue_version_and_recomputed_after_a_change() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        let first = admin.get("/api/v1/coverage").await;
        assert_eq!(first.status, 200, "{:?}", first.body);
        let version = first.body["catalogue_version"].as_u64().unwrap();
        assert!(first.body["district"].is_object(), "{:?}", first.body);
        // Asked again for the same version: served from the cache.
        let before = coverage_computations(&admin).await;
        for _ in 0..3 {
            let again = admin.get("/api/v1/coverage").await;
            assert_eq!(again.body, first.body);
        }
        assert_eq!(coverage_computations(&admin).await, before);

        // A catalogue change: the background refresher computes the new
        // version's coverage without a request asking for it.
        let facility = json!({"id": "FLAT-1", "kind": "mediation_organization",
            "name": "平价调解室", "lat": 27.93, "lng": 120.82,
            "opening_hours": "Mo-Fr 09:00-17:00", "area_code": "330303001001"});
        let r = admin.post("/api/v1/facilities", &facility).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let mut computed = before;
        for _ in 0..100 {
            computed = coverage_computations(&admin).await;
            if computed > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(computed > before, "no recomputation after the change");
        let after = admin.get("/api/v1/coverage").await;
        let new_version = after.body["catalogue_version"].as_u64().unwrap();
        assert!(new_version > version, "{version} → {new_version}");
        let ind = admin.get("/api/v1/indicators").await;
        assert_eq!(ind.body["catalogue_version"].as_u64(), Some(new_version));
        // And that answer came from what the background computed.
        assert_eq!(coverage_computations(&admin).await, computed);
        server.stop();
    }
}

/// Whether the warning's history has an escalation by the job.
fn escalated_by_the_job(w: &Value) -> bool {
    w["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["action"]["action"] == "escalate" && h["actor"]["id"] == "warning-escalation")
}

#[tokio::test]
async fn open_warnings_go_up_when_their_time_comes_and_handled_ones_do_not() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        // The demo's activity runs the job a day and more after raising
        // its warnings: the open one went up, the acknowledged one not.
        let server = Server::start_demo(
            &storage,
            &["--test-clock", "--jobs-interval-ms", "200"],
            &[],
        );
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        let list = admin.get("/api/v1/warnings").await.body;
        let list = list.as_array().unwrap().clone();
        let open: Vec<&Value> = list.iter().filter(|w| w["state"] == "open").collect();
        let handled: Vec<&Value> = list.iter().filter(|w| w["state"] != "open").collect();
        assert!(!open.is_empty() && !handled.is_empty(), "{list:?}");
        assert!(open.iter().all(|w| escalated_by_the_job(w)), "{open:?}");
        // Three days on, the job still leaves handled warnings where
        // they are (their escalation time is never).
        let r = admin
            .post("/api/v1/test/clock", &json!({"seconds": 3 * 24 * 3600}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        // (The session ended with the three days: sign in again.)
        let admin = Client::login(&server, "admin", PW).await;
        let later = admin.get("/api/v1/warnings").await.body;
        for h in handled {
            let now = later
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["id"] == h["id"])
                .unwrap();
            assert_eq!(now["level"], h["level"], "{}", backend.name());
            assert!(!escalated_by_the_job(now), "{now:?}");
        }
        server.stop();
    }
}

/// The indicator counters, as stored (`stored`) or recomputed from every
/// order and rating: (street, counter) → (count, sum of milliseconds),
/// counters at zero left out.
async fn counters(db: &sqlx::AnyPool, stored: bool) -> BTreeMap<(String, String), (i64, i64)> {
    let sql = if stored {
        // The verdicts' counters are checked with the verdicts.
        "SELECT street_code, name, n, sum_ms FROM indicator_counters WHERE name NOT LIKE 'verdict:%'"
    } else {
        "SELECT street_code, 'orders', COUNT(*), CAST(0 AS BIGINT) FROM orders GROUP BY street_code
         UNION ALL
         SELECT street_code, 'claim', COUNT(claim_ms), CAST(COALESCE(SUM(claim_ms), 0) AS BIGINT)
         FROM orders WHERE claim_ms IS NOT NULL GROUP BY street_code
         UNION ALL
         SELECT street_code, 'resolution', COUNT(resolution_ms),
                CAST(COALESCE(SUM(resolution_ms), 0) AS BIGINT)
         FROM orders WHERE resolution_ms IS NOT NULL GROUP BY street_code
         UNION ALL
         SELECT o.street_code, 'rating_' || CAST(r.score AS TEXT), COUNT(*), CAST(0 AS BIGINT)
         FROM ratings r JOIN orders o ON o.id = r.order_id GROUP BY o.street_code, r.score"
    };
    let mut out = BTreeMap::new();
    for r in sqlx::query(sql).fetch_all(db).await.unwrap() {
        let (n, sum): (i64, i64) = (r.get(2), r.get(3));
        if n != 0 || sum != 0 {
            out.insert((r.get::<String, _>(0), r.get::<String, _>(1)), (n, sum));
        }
    }
    out
}

/// Near the demo village's centroid, where the volunteer may grab.
fn near_the_village() -> Value {
    let text =
        std::fs::read_to_string(lawcircle_e2e::repo_root().join("data/longwan/areas.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    json!({"lat": f[4].parse::<f64>().unwrap(), "lng": f[5].parse::<f64>().unwrap()})
}

#[tokio::test]
async fn indicator_counters_follow_a_random_mix_of_changes_exactly() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        test_account(&admin, "staff", "station_staff", STREET).await;
        test_account(&admin, "resident", "resident", STREET).await;
        let vol_id = test_account(&admin, "vol", "resident", STREET).await;
        let staff = Client::login(&server, "staff", PW).await;
        let resident = Client::login(&server, "resident", PW).await;
        let vol = Client::login(&server, "vol", PW).await;
        people::join_pool(
            &vol,
            &staff,
            "vol",
            STREET,
            &["劳动争议", "邻里纠纷", "综合"],
            "24/7",
        )
        .await
        .unwrap();
        people::clock_in(&vol, &vol_id.to_string(), POST_ID, POST_LAT, POST_LNG)
            .await
            .unwrap();
        // Read once, so a cached report must be refreshed by the changes.
        assert_eq!(admin.get("/api/v1/indicators").await.status, 200);

        let mut rng = fastrand::Rng::with_seed(22);
        let mut orders: Vec<String> = Vec::new();
        let mut done: BTreeMap<&str, usize> = BTreeMap::new();
        for _ in 0..90 {
            if orders.is_empty() || rng.u8(0..5) == 0 {
                let category = if rng.bool() {
                    "consultation"
                } else {
                    "mediation"
                };
                orders.push(
                    resident
                        .submit_need(&intake::need_json(category, VILLAGE))
                        .await,
                );
                *done.entry("intake").or_default() += 1;
                continue;
            }
            let id = orders[rng.usize(..orders.len())].clone();
            let o = admin.get(&format!("/api/v1/orders/{id}")).await.body;
            let version = o["version"].clone();
            let state = o["state"].as_str().unwrap().to_string();
            let events = format!("/api/v1/orders/{id}/events");
            let event = |e: Value| json!({"event": e, "version": version});
            let roll = rng.u8(0..10);
            let (what, r) = match state.as_str() {
                "open" | "claimed" | "assigned" | "in_progress" | "escalated" | "transferred"
                    if roll == 0 =>
                {
                    let e = event(json!({"event": "cancel", "reason": "当事人撤回"}));
                    ("cancel", staff.post(&events, &e).await)
                }
                "open" | "claimed" | "assigned" | "in_progress" if roll == 1 => {
                    let e = event(json!({"event": "transfer", "to_level": "street",
                                         "to_area": OTHER_STREET, "reason": "属地办理"}));
                    ("transfer", admin.post(&events, &e).await)
                }
                "open" if o["kind"] == "consultation" => (
                    "grab",
                    vol.post(&format!("/api/v1/orders/{id}/grab"), &near_the_village())
                        .await,
                ),
                "open" | "escalated" | "transferred" => {
                    let e = event(json!({"event": "assign", "assignee": vol_id.to_string()}));
                    ("assign", admin.post(&events, &e).await)
                }
                "assigned" => (
                    "accept",
                    vol.post(&events, &event(json!({"event": "accept"}))).await,
                ),
                "claimed" => (
                    "start",
                    vol.post(&events, &event(json!({"event": "start"}))).await,
                ),
                "in_progress" => {
                    let e = event(json!({"event": "resolve", "note": "已办结"}));
                    ("resolve", vol.post(&events, &e).await)
                }
                "resolved" if roll < 7 => {
                    let score = rng.u8(1..=5);
                    let path = format!("/api/v1/orders/{id}/rating");
                    (
                        "rating",
                        resident.post(&path, &json!({"score": score})).await,
                    )
                }
                "resolved" | "evaluated" => (
                    "archive",
                    admin.post(&events, &event(json!({"event": "close"}))).await,
                ),
                _ => continue,
            };
            assert!(r.status < 500, "{what} {id}: {} {:?}", r.status, r.body);
            if r.status == 200 {
                *done.entry(what).or_default() += 1;
            }
        }
        for what in [
            "intake", "grab", "assign", "accept", "start", "resolve", "rating", "archive",
            "cancel", "transfer",
        ] {
            assert!(
                done.get(what).copied().unwrap_or(0) > 0,
                "the mix did {what} at least once on {}: {done:?}",
                backend.name()
            );
        }

        let db = storage.database().await;
        let recomputed = counters(&db, false).await;
        assert_eq!(counters(&db, true).await, recomputed, "{}", backend.name());
        assert!(recomputed.keys().any(|(s, _)| s == OTHER_STREET));
        assert_buckets_hold_the_timed_orders(&db, backend.name()).await;
        lawcircle_e2e::assert_rating_verdicts_match_the_orders(&storage).await;
        assert_indicators_equal_the_computation(&storage, &admin, backend.name()).await;
        server.stop();

        // Emptied (a database from before the histograms and verdicts),
        // they are rebuilt from the orders when the server starts.
        for sql in [
            "DELETE FROM timing_buckets",
            "DELETE FROM rating_verdicts",
            "DELETE FROM indicator_counters WHERE name LIKE 'verdict:%'",
        ] {
            sqlx::query(sql).execute(&db).await.unwrap();
        }
        let server = Server::start(&storage, &["--demo"]);
        let admin = Client::login(&server, "admin", PW).await;
        assert_buckets_hold_the_timed_orders(&db, backend.name()).await;
        lawcircle_e2e::assert_rating_verdicts_match_the_orders(&storage).await;
        assert_indicators_equal_the_computation(&storage, &admin, backend.name()).await;
        server.stop();
    }
}

/// The timing histograms hold each street's timed orders: per street and
/// timing, as many as the orders have that time (empty ones left out).
async fn assert_buckets_hold_the_timed_orders(db: &sqlx::AnyPool, backend: &str) {
    let mut held = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT street_code, timing, CAST(SUM(n) AS BIGINT) FROM timing_buckets
         WHERE n <> 0 GROUP BY street_code, timing",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for r in rows {
        held.insert(
            (r.get::<String, _>(0), r.get::<String, _>(1)),
            r.get::<i64, _>(2),
        );
    }
    let timed: BTreeMap<(String, String), i64> = counters(db, false)
        .await
        .into_iter()
        .filter(|((_, name), _)| name == "claim" || name == "resolution")
        .map(|(k, (n, _))| (k, n))
        .collect();
    assert!(!timed.is_empty());
    assert_eq!(held, timed, "{backend}");
}
