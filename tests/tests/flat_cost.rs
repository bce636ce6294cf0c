//! Work that does not grow with history, on SQLite and PostgreSQL: the
//! indicators aggregated in the database equal the core's computation
//! over every order and rating of the demo data; the warnings list comes
//! in pages that hold every warning once; the coverage is kept per
//! catalogue version (a second request computes nothing) and recomputed
//! in the background after a catalogue change.

use lawcircle_core::orders::indicators::{self, IndicatorInputs, Targets};
use lawcircle_core::orders::order::Order;
use lawcircle_core::orders::rating::Rating;
use lawcircle_e2e::{Client, Server, Storage, backends, cli_create_account, error_code};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PW: &str = "correct-horse-42";

/// The database of `storage` (sqlx `any`, as the server reads it).
async fn database(storage: &Storage) -> sqlx::AnyPool {
    let url = storage.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            storage.data_dir.join("lawcircle.sqlite").display()
        )
    });
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&url).await.unwrap()
}

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

#[tokio::test]
async fn indicators_from_the_database_equal_the_computation_over_every_order() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        // The whole demo: accounts and a few days of orders and ratings.
        let server = Server::start_demo(&storage, &[], &[]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
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
        let db = database(&storage).await;
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
        assert_eq!(got.len(), expected.len(), "{}", backend.name());
        for ((code, name, value, sample), (ecode, ename, evalue, esample)) in
            got.iter().zip(&expected)
        {
            assert_eq!((code, name), (ecode, ename), "{}", backend.name());
            assert_eq!(sample, esample, "{code} {name} on {}", backend.name());
            match (value.as_f64(), evalue.as_f64()) {
                // Sums of milliseconds in the database, of seconds in
                // the core: equal up to rounding.
                (Some(v), Some(e)) => assert!(
                    (v - e).abs() <= 1e-9 * e.abs().max(1.0),
                    "{code} {name}: {v} from the database, {e} computed, on {}",
                    backend.name()
                ),
                _ => assert_eq!(value, evalue, "{code} {name} on {}", backend.name()),
            }
        }
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
