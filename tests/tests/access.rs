//! Access control and sessions end to end, on SQLite and PostgreSQL: the
//! holes found by probing the platform from outside, each with the probe
//! that found it.
//!
//! * station staff give orders only to volunteers of their street or on
//!   loan to it, so no other volunteer reaches the requester's contact;
//! * nobody grabs or is given an order they requested or entered;
//! * a punch's street is its duty post's; unknown posts and streets are
//!   refused; only an active volunteer record clocks in;
//! * the live event stream ends with the session (logout, expiry, a
//!   disabled account);
//! * logins: attempts counted atomically (20 at once, at most 5 checked),
//!   per username and address with back-off (an outsider cannot lock the
//!   district admin out), unknown usernames answered like known ones;
//!   password change, reset by staff, disable and enable;
//! * `/metrics` only for staff or the scrape token, and computed once per
//!   change rather than per scrape.

use chrono::Utc;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::{Punch, PunchKind};
use lawcircle_e2e::people::{OTHER_STREET, PW, STREET, VILLAGE, test_account};
use lawcircle_e2e::{
    Backend, Client, Reply, Server, Storage, backends, cli_create_account, people,
};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const METRICS_TOKEN: &str = "scrape-token-0123456789abcdef0123456789";

struct World {
    server: Server,
    admin: Client,
    staff: Client,
    staff2: Client,
    resident: Client,
    _dir: tempfile::TempDir,
}

async fn world(backend: &Backend) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let server = Server::start(
        &storage,
        &[
            "--demo",
            "--test-clock",
            "--session-recheck-secs",
            "1",
            "--metrics-token",
            METRICS_TOKEN,
            // Back-offs long enough that no assertion depends on timing.
            "--login-backoff-secs",
            "600",
        ],
    );
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    test_account(&admin, "staff", "station_staff", STREET).await;
    test_account(&admin, "staff2", "station_staff", OTHER_STREET).await;
    test_account(&admin, "resident", "resident", STREET).await;
    World {
        staff: Client::login(&server, "staff", PW).await,
        staff2: Client::login(&server, "staff2", PW).await,
        resident: Client::login(&server, "resident", PW).await,
        admin,
        server,
        _dir: dir,
    }
}

/// A volunteer of `street` approved into the pool by `staff`, on duty
/// around the clock: (client, account id, volunteer id).
async fn volunteer(w: &World, staff: &Client, name: &str, street: &str) -> (Client, i64, String) {
    let id = test_account(&w.admin, name, "resident", street).await;
    let c = Client::login(&w.server, name, PW).await;
    let vid = people::join_pool(&c, staff, name, street, &["neighbour", "general"], "24/7")
        .await
        .unwrap();
    (c, id, vid)
}

/// Clocks a volunteer of [`STREET`] in at its post: offers and grabs need
/// an open clock-in.
async fn on_duty(c: &Client, account_id: i64) {
    lawcircle_e2e::people::clock_in(c, &account_id.to_string(), "LW-P0011", 27.93, 120.815)
        .await
        .expect("clock in");
}

async fn order(c: &Client, id: &str) -> Value {
    let r = c.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn assign(staff: &Client, order_id: &str, version: u64, assignee: i64) -> Reply {
    staff
        .post(
            &format!("/api/v1/orders/{order_id}/events"),
            &json!({"event": {"event": "assign", "assignee": assignee.to_string()}, "version": version}),
        )
        .await
}

/// Near the demo village's centroid, so a volunteer is within a walk.
fn here() -> Value {
    let text =
        std::fs::read_to_string(lawcircle_e2e::repo_root().join("data/longwan/areas.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    json!({"lat": f[4].parse::<f64>().unwrap(), "lng": f[5].parse::<f64>().unwrap()})
}

fn message(r: &Reply) -> String {
    r.body["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn staff_assign_only_volunteers_of_their_street_or_on_loan() {
    for backend in backends() {
        let w = world(&backend).await;
        let (other_vol, other_id, other_vid) =
            volunteer(&w, &w.staff2, "vol-other", OTHER_STREET).await;
        let o = submit(&w.resident, "mediation").await;
        let v = order(&w.staff, &o).await["version"].as_u64().unwrap();
        // A volunteer of another street, not on loan: refused, and so they
        // never reach the requester's contact.
        let r = assign(&w.staff, &o, v, other_id).await;
        assert_eq!(r.status, 403, "{}: {:?}", backend.name(), r.body);
        assert!(message(&r).contains("not on loan"), "{:?}", r.body);
        let r = other_vol
            .get(&format!(
                "/api/v1/orders/{o}/contact?reason=calling+back+the+requester"
            ))
            .await;
        assert!(r.status == 403 || r.status == 404, "{:?}", r.body);
        assert!(r.body.get("phone").is_none());
        // Lent to this street by the district: now they may be given it.
        let vv = w
            .admin
            .get(&format!("/api/v1/volunteers/{other_vid}"))
            .await;
        let now = Utc::now();
        let r = w
            .admin
            .post(
                &format!("/api/v1/volunteers/{other_vid}/loans"),
                &json!({"to_street_code": STREET, "from": now - chrono::Duration::hours(1),
                        "until": now + chrono::Duration::days(2), "reason": "支援永中街道",
                        "version": vv.body["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = assign(&w.staff, &o, v, other_id).await;
        assert_eq!(r.status, 200, "{}: {:?}", backend.name(), r.body);
        // The district admin dispatches across streets.
        let o2 = submit(&w.resident, "mediation").await;
        let (_, far_id, _) = volunteer(&w, &w.staff2, "vol-far", OTHER_STREET).await;
        let v2 = order(&w.admin, &o2).await["version"].as_u64().unwrap();
        let r = assign(&w.admin, &o2, v2, far_id).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
}

#[tokio::test]
async fn nobody_grabs_or_is_given_an_order_they_filed() {
    for backend in backends() {
        let w = world(&backend).await;
        let (vol, vol_id, _) = volunteer(&w, &w.staff, "vol-a", STREET).await;
        let (vol2, vol2_id, _) = volunteer(&w, &w.staff, "vol-b", STREET).await;
        on_duty(&vol, vol_id).await;
        on_duty(&vol2, vol2_id).await;
        // A volunteer files a consultation, then tries to grab it.
        let c = submit(&vol, "consultation").await;
        let r = vol.post(&format!("/api/v1/orders/{c}/grab"), &here()).await;
        assert_eq!(r.status, 403, "{}: {:?}", backend.name(), r.body);
        assert!(message(&r).contains("requested or entered"), "{:?}", r.body);
        // Someone else may.
        let r = vol2
            .post(&format!("/api/v1/orders/{c}/grab"), &here())
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // Staff cannot give a volunteer the order the volunteer filed.
        let s = submit(&vol, "mediation").await;
        let v = order(&w.staff, &s).await["version"].as_u64().unwrap();
        let r = assign(&w.staff, &s, v, vol_id).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        assert!(message(&r).contains("requested or entered"), "{:?}", r.body);
    }
}

/// A clock-in by `me` at the street's post (LW-P0011), 30 s ago.
fn punch(me: i64) -> Punch {
    let at = DeviceInstant {
        wall: Utc::now() - chrono::Duration::seconds(30),
        elapsed_ms: 5_000_000,
    };
    people::punch_at(
        &me.to_string(),
        "LW-P0011",
        27.93,
        120.815,
        PunchKind::In,
        at,
    )
    .unwrap()
}

#[tokio::test]
async fn a_punch_takes_its_street_from_the_duty_post() {
    for backend in backends() {
        let w = world(&backend).await;
        // A volunteer account without a volunteer record: no clock-in, so
        // no hours.
        let bare_id = test_account(&w.admin, "bare", "volunteer", STREET).await;
        let bare = Client::login(&w.server, "bare", PW).await;
        let r = bare.post_punch(&punch(bare_id)).await;
        assert_eq!(r.status, 403, "{}: {:?}", backend.name(), r.body);
        assert!(message(&r).contains("volunteer record"), "{:?}", r.body);
        let hours = w.admin.get("/api/v1/duty-hours").await;
        assert!(!hours.body.to_string().contains(&format!("\"{bare_id}\"")));

        let (vol, vol_id, _) = volunteer(&w, &w.staff, "vol-p", STREET).await;
        // Routed into another street's review queue by the body: refused.
        let mut p = punch(vol_id);
        p.street_code = OTHER_STREET.into();
        let r = vol.post_punch(&p).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "street_code", "{:?}", r.body);
        // An unknown street code.
        let mut p = punch(vol_id);
        p.street_code = "999999999".into();
        let r = vol.post_punch(&p).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "street_code", "{:?}", r.body);
        // An unknown post.
        let mut p = punch(vol_id);
        p.post_id = "LW-P9999".into();
        let r = vol.post_punch(&p).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "post_id", "{:?}", r.body);
        // The post's own street: accepted, and only that street sees it.
        let r = vol.post_punch(&punch(vol_id)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let mine = w.staff.get("/api/v1/punches/review-queue").await;
        assert_eq!(mine.body.as_array().unwrap().len(), 1, "{:?}", mine.body);
        let theirs = w.staff2.get("/api/v1/punches/review-queue").await;
        assert_eq!(theirs.body, json!([]), "{:?}", theirs.body);
    }
}

fn quoted(id: &str) -> String {
    format!("\"{id}\"")
}

/// An open event stream: its response, read chunk by chunk.
struct Stream {
    resp: reqwest::Response,
    seen: String,
}

impl Stream {
    async fn open(c: &Client) -> Stream {
        let resp = c
            .http
            .get(format!("{}/api/v1/events", c.base))
            .bearer_auth(c.token.as_ref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        Stream {
            resp,
            seen: String::new(),
        }
    }

    /// Reads until `what` has arrived (true) or the stream ended (false).
    async fn until(&mut self, what: &str) -> bool {
        loop {
            if self.seen.contains(what) {
                return true;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(30), self.resp.chunk())
                .await
                .expect("the event stream neither sent nor ended in 30 s");
            match chunk {
                Ok(Some(bytes)) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(None) | Err(_) => return false,
            }
        }
    }

    /// Reads to the end of the stream and returns what came after `mark`.
    async fn rest(mut self) -> String {
        let mark = self.seen.len();
        loop {
            let chunk = tokio::time::timeout(Duration::from_secs(30), self.resp.chunk())
                .await
                .expect("the event stream was still open 30 s after the session ended");
            match chunk {
                Ok(Some(bytes)) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(None) | Err(_) => return self.seen[mark..].to_string(),
            }
        }
    }
}

#[tokio::test]
async fn the_event_stream_ends_with_the_session() {
    for backend in backends() {
        let w = world(&backend).await;
        // Logout: the stream ends, and the next order change is not sent.
        let session = Client::login(&w.server, "staff", PW).await;
        let mut s = Stream::open(&session).await;
        let first = submit(&w.resident, "mediation").await;
        assert!(
            s.until(&quoted(&first)).await,
            "{}: {}",
            backend.name(),
            s.seen
        );
        let r = session.post("/api/v1/auth/logout", &json!({})).await;
        assert_eq!(r.status, 204);
        let second = submit(&w.resident, "mediation").await;
        let rest = s.rest().await;
        assert!(
            !rest.contains(&quoted(&second)),
            "delivered after logout: {rest}"
        );

        // Disabling the account: every stream of it ends.
        let (_, vol_id, _) = volunteer(&w, &w.staff, "vol-s", STREET).await;
        let vol = Client::login(&w.server, "vol-s", PW).await;
        let mut s = Stream::open(&vol).await;
        let third = submit(&w.resident, "consultation").await;
        assert!(s.until(&quoted(&third)).await, "{}", s.seen);
        let r = w
            .admin
            .post(&format!("/api/v1/accounts/{vol_id}/disable"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["disabled"], true);
        let fourth = submit(&w.resident, "consultation").await;
        let rest = s.rest().await;
        assert!(
            !rest.contains(&quoted(&fourth)),
            "delivered after disabling: {rest}"
        );
        assert_eq!(vol.get("/api/v1/me").await.status, 401);

        // Expiry (the server's clock moved past the token's lifetime).
        let session = Client::login(&w.server, "staff2", PW).await;
        let s = Stream::open(&session).await;
        let r = w
            .admin
            .post("/api/v1/test/clock", &json!({"seconds": 13 * 3600}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        s.rest().await;
        assert_eq!(session.get("/api/v1/me").await.status, 401);
    }
}

/// A client whose connections come from another loopback address.
fn client_from(server: &Server, last_octet: u8) -> Client {
    lawcircle_client::sync::install_crypto_provider();
    Client {
        http: reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last_octet)))
            .build()
            .unwrap(),
        base: server.base_url.clone(),
        token: None,
    }
}

async fn try_login(c: &Client, username: &str, password: &str) -> Reply {
    c.post(
        "/api/v1/auth/login",
        &json!({"username": username, "password": password}),
    )
    .await
}

#[tokio::test]
async fn login_attempts_are_counted_atomically_and_nobody_can_lock_out_the_admin() {
    for backend in backends() {
        let w = world(&backend).await;
        for victim in ["staff", "admin"] {
            // 20 wrong passwords at once from one address: at most 5 are
            // checked (401), the others wait (429 with Retry-After).
            let attacker = client_from(&w.server, 1);
            let mut tasks = Vec::new();
            for i in 0..20 {
                let mut c = attacker.clone();
                c.http = reqwest::Client::new();
                let victim = victim.to_string();
                tasks.push(tokio::spawn(async move {
                    try_login(&c, &victim, &format!("wrong-password-{i}")).await
                }));
            }
            let (mut checked, mut refused) = (0, 0);
            for t in tasks {
                let r = t.await.unwrap();
                match r.status {
                    401 => checked += 1,
                    429 => {
                        refused += 1;
                        assert!(r.headers.get("retry-after").is_some(), "{:?}", r.headers);
                    }
                    other => panic!("{victim}: login answered {other}: {:?}", r.body),
                }
            }
            assert!(
                checked <= 5,
                "{}: {checked} wrong passwords checked",
                backend.name()
            );
            assert_eq!(checked + refused, 20);
            // The attacker's address now waits, even with the right password.
            assert_eq!(try_login(&attacker, victim, PW).await.status, 429);
            // The owner, from elsewhere, signs in at once.
            let owner = client_from(&w.server, 2);
            let r = try_login(&owner, victim, PW).await;
            assert_eq!(r.status, 200, "{} {victim}: {:?}", backend.name(), r.body);
        }
    }
}

#[tokio::test]
async fn unknown_usernames_are_answered_like_known_ones() {
    for backend in backends() {
        let w = world(&backend).await;
        let c = client_from(&w.server, 3);
        for name in ["resident", "nobody-here"] {
            let mut answers = Vec::new();
            for _ in 0..6 {
                let r = try_login(&c, name, "not-the-password").await;
                answers.push((r.status, r.body["error"]["message"].clone()));
            }
            assert_eq!(
                answers.iter().map(|a| a.0).collect::<Vec<_>>(),
                vec![401, 401, 401, 401, 401, 429],
                "{} {name}: {answers:?}",
                backend.name()
            );
            assert_eq!(answers[0].1, "wrong username or password");
        }
    }
}

#[tokio::test]
async fn passwords_change_and_reset_and_accounts_disable() {
    for backend in backends() {
        let w = world(&backend).await;
        let me = w.resident.get("/api/v1/me").await.body["id"]
            .as_i64()
            .unwrap();
        let other_session = Client::login(&w.server, "resident", PW).await;
        let other_stream = Stream::open(&other_session).await;
        // Change: the old password is required; other sessions end (their
        // event streams too).
        let r = w
            .resident
            .post(
                "/api/v1/me/password",
                &json!({"old_password": "not-my-password", "new_password": "a-new-passphrase-1"}),
            )
            .await;
        assert_eq!(r.status, 403, "{}: {:?}", backend.name(), r.body);
        let r = w
            .resident
            .post(
                "/api/v1/me/password",
                &json!({"old_password": PW, "new_password": "short"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "new_password");
        let r = w
            .resident
            .post(
                "/api/v1/me/password",
                &json!({"old_password": PW, "new_password": "a-new-passphrase-1"}),
            )
            .await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        assert_eq!(w.resident.get("/api/v1/me").await.status, 200);
        assert_eq!(other_session.get("/api/v1/me").await.status, 401);
        other_stream.rest().await;
        let fresh = client_from(&w.server, 4);
        assert_eq!(try_login(&fresh, "resident", PW).await.status, 401);
        assert_eq!(
            try_login(&fresh, "resident", "a-new-passphrase-1")
                .await
                .status,
            200
        );

        // Reset by staff of the street: shown once, every session ends.
        let r = w
            .staff
            .post(&format!("/api/v1/accounts/{me}/password-reset"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let new_password = r.body["new_password"].as_str().unwrap().to_string();
        assert!(new_password.len() >= 16);
        assert_eq!(w.resident.get("/api/v1/me").await.status, 401);
        let again = Client::login(&w.server, "resident", &new_password).await;
        assert_eq!(again.get("/api/v1/me").await.status, 200);
        // Staff of another street do not see the account; staff never
        // reset staff or admins; nobody resets or disables themselves.
        let r = w
            .staff2
            .post(&format!("/api/v1/accounts/{me}/password-reset"), &json!({}))
            .await;
        assert_eq!(r.status, 404, "{:?}", r.body);
        let staff2_id = w.staff2.get("/api/v1/me").await.body["id"]
            .as_i64()
            .unwrap();
        let staff_id = w.staff.get("/api/v1/me").await.body["id"].as_i64().unwrap();
        let r = w
            .staff
            .post(&format!("/api/v1/accounts/{staff2_id}/disable"), &json!({}))
            .await;
        assert_eq!(r.status, 404, "{:?}", r.body);
        let r = w
            .staff
            .post(&format!("/api/v1/accounts/{staff_id}/disable"), &json!({}))
            .await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        let admin_id = w.admin.get("/api/v1/me").await.body["id"].as_i64().unwrap();
        let r = w
            .admin
            .post(
                &format!("/api/v1/accounts/{admin_id}/password-reset"),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        let r = again
            .post(&format!("/api/v1/accounts/{me}/disable"), &json!({}))
            .await;
        assert_eq!(r.status, 403, "{:?}", r.body);

        // Disable: no sign-in, no token; enable: back.
        let r = w
            .admin
            .post(&format!("/api/v1/accounts/{me}/disable"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(again.get("/api/v1/me").await.status, 401);
        let r = try_login(&fresh, "resident", &new_password).await;
        assert_eq!(r.status, 401, "{:?}", r.body);
        assert_eq!(r.body["error"]["message"], "wrong username or password");
        let r = w
            .staff
            .post(&format!("/api/v1/accounts/{me}/enable"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["disabled"], false);
        assert_eq!(
            try_login(&fresh, "resident", &new_password).await.status,
            200
        );
    }
}

fn counter(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .trim()
        .parse()
        .unwrap()
}

async fn scrape(w: &World, bearer: Option<&str>) -> (u16, String) {
    let mut req = w.resident.http.get(w.server.url("/metrics"));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_are_for_staff_or_the_scrape_token_and_cached() {
    for backend in backends() {
        let w = world(&backend).await;
        assert_eq!(scrape(&w, None).await.0, 401);
        assert_eq!(scrape(&w, Some("not-the-token")).await.0, 401);
        let resident = w.resident.token.clone().unwrap();
        assert_eq!(scrape(&w, Some(&resident)).await.0, 403);
        let staff = w.staff.token.clone().unwrap();
        let (status, first) = scrape(&w, Some(&staff)).await;
        assert_eq!(status, 200, "{first}");
        assert!(first.contains("# TYPE"), "{first}");
        // Scrapes without a change are served from the cache.
        let (status, text) = scrape(&w, Some(METRICS_TOKEN)).await;
        assert_eq!(status, 200, "{text}");
        let indicators = counter(&text, "lawcircle_indicator_computations_total");
        let coverage = counter(&text, "lawcircle_coverage_computations_total");
        for _ in 0..5 {
            let (_, text) = scrape(&w, Some(METRICS_TOKEN)).await;
            assert_eq!(
                counter(&text, "lawcircle_indicator_computations_total"),
                indicators,
                "{}",
                backend.name()
            );
            assert_eq!(
                counter(&text, "lawcircle_coverage_computations_total"),
                coverage
            );
        }
        // A new order: the indicators again, the coverage not.
        submit(&w.resident, "mediation").await;
        let (_, text) = scrape(&w, Some(METRICS_TOKEN)).await;
        assert_eq!(
            counter(&text, "lawcircle_indicator_computations_total"),
            indicators + 1
        );
        assert_eq!(
            counter(&text, "lawcircle_coverage_computations_total"),
            coverage
        );
        // A catalogue change: the coverage again.
        let r = w
            .admin
            .post("/api/v1/facilities/LW-F0001/retire", &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let (_, text) = scrape(&w, Some(METRICS_TOKEN)).await;
        assert_eq!(
            counter(&text, "lawcircle_coverage_computations_total"),
            coverage + 1
        );
    }
}

/// Files a consultation need of `category` in the test village and returns
/// its order's id.
async fn submit(c: &Client, category: &str) -> String {
    c.submit_need(&lawcircle_e2e::intake::need_json(category, VILLAGE))
        .await
}
