//! Orders end to end, on SQLite and PostgreSQL: a need becomes an order;
//! 200 concurrent grabs from separate HTTP clients give exactly one winner
//! (also with two server processes on one PostgreSQL); dispatch with
//! suggestions, accept, transfer keeping history; one rating per order and
//! a low rating raising a warning that needs a call-back; unclaimed orders
//! escalate after the window on a controllable clock, and warnings are not
//! duplicated across two instances; indicators and /metrics.

use lawcircle_e2e::people::{PW, STREET, VILLAGE, test_account};
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, people};
use serde_json::{Value, json};
use std::time::Duration;

/// A volunteer approved into the pool and clocked in at the street's duty
/// post (LW-P0011), a walk from the demo village.
async fn volunteer(server: &Server, admin: &Client, staff: &Client, name: &str) -> (Client, i64) {
    let id = test_account(admin, name, "resident", STREET).await;
    let c = Client::login(server, name, PW).await;
    people::join_pool(
        &c,
        staff,
        name,
        STREET,
        &["劳动争议", "邻里纠纷", "综合"],
        "24/7",
    )
    .await
    .unwrap();
    lawcircle_e2e::people::clock_in(&c, &id.to_string(), "LW-P0011", 27.93, 120.815)
        .await
        .unwrap();
    (c, id)
}

struct World {
    server: Server,
    storage: Storage,
    admin: Client,
    staff: Client,
    resident: Client,
    _dir: tempfile::TempDir,
}

async fn world(backend: &Backend, extra: &[&str]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let mut args = vec!["--demo", "--jobs-interval-ms", "200"];
    args.extend_from_slice(extra);
    let server = Server::start(&storage, &args);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    test_account(&admin, "staff", "station_staff", STREET).await;
    test_account(&admin, "resident", "resident", STREET).await;
    World {
        staff: Client::login(&server, "staff", PW).await,
        resident: Client::login(&server, "resident", PW).await,
        admin,
        server,
        storage,
        _dir: dir,
    }
}

/// Near the demo village's centroid, so the volunteer is within a walk.
fn here() -> Value {
    let text =
        std::fs::read_to_string(lawcircle_e2e::repo_root().join("data/longwan/areas.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    json!({"lat": f[4].parse::<f64>().unwrap(), "lng": f[5].parse::<f64>().unwrap()})
}

async fn concurrent_grabs(grabbers: &[Client], order: &str, n: usize) -> (usize, usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        // A separate HTTP client (its own connection pool) per request.
        let mut c = grabbers[i % grabbers.len()].clone();
        c.http = lawcircle_e2e::http_client();
        let path = format!("/api/v1/orders/{order}/grab");
        tasks.push(tokio::spawn(
            async move { c.post(&path, &here()).await.status },
        ));
    }
    let (mut ok, mut conflict) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            409 => conflict += 1,
            other => panic!("grab answered {other}"),
        }
    }
    (ok, conflict)
}

#[tokio::test]
async fn two_hundred_concurrent_grabs_have_exactly_one_winner() {
    for backend in backends() {
        let w = world(&backend, &["--grab-window-secs", "3600"]).await;
        let (mut grabbers, mut ids) = (Vec::new(), Vec::new());
        for i in 0..5 {
            let (c, id) = volunteer(&w.server, &w.admin, &w.staff, &format!("vol{i}")).await;
            grabbers.push(c);
            ids.push(id);
        }
        let order = submit(&w.resident, "consultation").await;
        // The volunteers are offered it.
        let r = grabbers[0]
            .get(&format!(
                "/api/v1/orders/offers?lat={}&lng={}",
                here()["lat"],
                here()["lng"]
            ))
            .await;
        assert!(
            r.body
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == order.as_str()),
            "{:?}",
            r.body
        );
        let (ok, conflict) = concurrent_grabs(&grabbers, &order, 200).await;
        assert_eq!((ok, conflict), (1, 199), "{}", backend.name());
        let r = w.staff.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(r.body["state"], "claimed");
        // Only the winner (and the requester, and staff) see the contact.
        let winner = r.body["assignee"].as_str().unwrap().to_string();
        let contact = format!("/api/v1/orders/{order}/contact?reason=回电约时间");
        let mut winners = 0;
        for (g, id) in grabbers.iter().zip(&ids) {
            let r = g.get(&contact).await;
            if id.to_string() == winner {
                assert_eq!(r.status, 200, "{:?}", r.body);
                assert_eq!(r.body["phone"], "13812345678");
                winners += 1;
            } else {
                assert_eq!(r.status, 403, "a losing grabber: {:?}", r.body);
            }
        }
        assert_eq!(winners, 1);
        assert_eq!(w.staff.get(&contact).await.status, 200);
        assert_eq!(w.resident.get(&contact).await.status, 200);
        let audit = w
            .admin
            .get(&format!(
                "/api/v1/audit?subject_type=order&subject_id={order}"
            ))
            .await;
        assert_eq!(
            audit.body["items"].as_array().unwrap().len(),
            3,
            "{:?}",
            audit.body
        );
        w.server.stop();
    }
}

#[tokio::test]
async fn two_server_processes_on_one_postgres_still_have_one_winner() {
    let Some(Backend::Postgres(_)) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        // backends() fails when PostgreSQL is required but missing.
        return;
    };
    let backend = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
        .unwrap();
    let w = world(&backend, &["--grab-window-secs", "3600", "--test-clock"]).await;
    let second = Server::start(
        &w.storage,
        &[
            "--jobs-interval-ms",
            "200",
            "--grab-window-secs",
            "3600",
            "--test-clock",
        ],
    );
    let mut grabbers = Vec::new();
    for i in 0..4 {
        let (mut c, _) = volunteer(&w.server, &w.admin, &w.staff, &format!("pv{i}")).await;
        if i % 2 == 1 {
            c.base = second.base_url.clone();
        }
        grabbers.push(c);
    }
    for _ in 0..3 {
        let order = submit(&w.resident, "consultation").await;
        let (ok, conflict) = concurrent_grabs(&grabbers, &order, 200).await;
        assert_eq!((ok, conflict), (1, 199));
    }
    // Both instances run the warning job: an overdue order raises exactly
    // one warning, not one per instance.
    let late = submit(&w.resident, "mediation").await;
    let other = Client::new(&second);
    for c in [&w.admin, &other] {
        let r = c
            .post("/api/v1/test/clock", &json!({"seconds": 10 * 24 * 3600}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let admin = Client::login(&w.server, "admin", PW).await;
    let warnings = admin.get("/api/v1/warnings").await.body;
    let overdue = warnings
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule_id"] == "overdue" && x["subject"]["order_id"] == late.as_str())
        .count();
    assert_eq!(overdue, 1, "{warnings:?}");
    second.stop();
    w.server.stop();
}

#[tokio::test]
async fn dispatch_transfer_rating_warnings_and_indicators() {
    for backend in backends() {
        let w = world(&backend, &["--test-clock", "--grab-window-secs", "30"]).await;
        let (vol, vol_id) = volunteer(&w.server, &w.admin, &w.staff, "disp").await;

        // A service order: staff dispatch from the ranked suggestions.
        let order = submit(&w.resident, "mediation").await;
        let r = w
            .staff
            .get(&format!("/api/v1/orders/{order}/suggestions"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let first = &r.body.as_array().unwrap()[0];
        assert_eq!(first["candidate_id"], vol_id.to_string());
        let o = w.staff.get(&format!("/api/v1/orders/{order}")).await.body;
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "assign", "assignee": vol_id.to_string()}, "version": o["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // Illegal: the resident cannot accept; a stale version is refused.
        let v = r.body["version"].clone();
        let r2 = w
            .resident
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "accept"}, "version": v}),
            )
            .await;
        assert!(r2.status == 403 || r2.status == 404, "{:?}", r2.body);
        let r2 = vol
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "accept"}, "version": 0}),
            )
            .await;
        assert_eq!(r2.status, 409);
        // The assignee declines with a reason; staff transfer to the district.
        let r = vol
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "decline", "reason": "利益冲突"}, "version": v}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "transfer", "to_level": "district", "to_area": "330303", "reason": "需区级协调"},
                        "version": r.body["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let history = r.body["history"].as_array().unwrap();
        assert!(history.len() >= 4, "the whole history is kept: {history:?}");

        // A consultation: grabbed, resolved, rated once; a low rating
        // raises a warning that needs a call-back before it can be resolved.
        let c_order = submit(&w.resident, "consultation").await;
        let r = vol
            .post(&format!("/api/v1/orders/{c_order}/grab"), &here())
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        vol.order_events(
            &c_order,
            &r.body["version"],
            &[
                json!({"event": "start"}),
                json!({"event": "resolve", "note": "已解答"}),
            ],
        )
        .await;
        let r = w
            .resident
            .post(
                &format!("/api/v1/orders/{c_order}/rating"),
                &json!({"score": 2, "comment": "回复太慢"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = w
            .resident
            .post(
                &format!("/api/v1/orders/{c_order}/rating"),
                &json!({"score": 5}),
            )
            .await;
        assert_eq!(r.status, 409, "one rating per order");
        let warnings = w.staff.get("/api/v1/warnings").await.body;
        let low = warnings
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["requires_call_back"] == true)
            .cloned()
            .unwrap_or_else(|| panic!("no low-rating warning in {warnings:?}"));
        let id = low["id"].as_str().unwrap().to_string();
        let r = w
            .staff
            .post(
                &format!("/api/v1/warnings/{id}/actions"),
                &json!({"action": "resolve", "note": "已处理", "version": low["version"]}),
            )
            .await;
        assert_eq!(r.status, 409, "a call-back first: {:?}", r.body);
        let r = w
            .staff
            .post(&format!("/api/v1/warnings/{id}/actions"),
                  &json!({"action": "call_back", "note": "已回访，当事人接受解释", "reached": true, "version": low["version"]}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = w
            .staff
            .post(
                &format!("/api/v1/warnings/{id}/actions"),
                &json!({"action": "resolve", "note": "已处理", "version": r.body["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // The order's call-backs show the one made on its warning (read
        // through the warnings about that order), and another order's
        // show none of it.
        let r = w
            .staff
            .get(&format!("/api/v1/orders/{c_order}/call-backs"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let entries = r.body.as_array().unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["source"], "warning");
        assert_eq!(entries[0]["warning_id"], id.as_str());
        assert_eq!(entries[0]["outcome"], "reached");
        let r = w
            .admin
            .get(&format!("/api/v1/orders/{order}/call-backs"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body, json!([]), "another order's");

        // An unclaimed consultation escalates after the window (moved clock).
        let late = submit(&w.resident, "consultation").await;
        w.admin
            .post("/api/v1/test/clock", &json!({"seconds": 31}))
            .await;
        let mut state = Value::Null;
        for _ in 0..50 {
            state = w.staff.get(&format!("/api/v1/orders/{late}")).await.body["state"].clone();
            if state == "escalated" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(state, "escalated");

        // Indicators and metrics.
        let r = w.admin.get("/api/v1/indicators").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // `/metrics` is for staff (or a configured scrape token), not public.
        let anonymous = lawcircle_e2e::http_get(w.server.url("/metrics"))
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let metrics = w
            .admin
            .http
            .get(w.server.url("/metrics"))
            .bearer_auth(w.admin.token.as_ref().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(metrics.contains("# TYPE"), "{metrics}");
        w.server.stop();
    }
}

/// Files a consultation need of `category` in the test village and returns
/// its order's id.
async fn submit(c: &Client, category: &str) -> String {
    c.submit_need(&lawcircle_e2e::intake::need_json(category, VILLAGE))
        .await
}
