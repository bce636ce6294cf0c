//! Notifications end to end, on SQLite and PostgreSQL: two volunteers on
//! duty, one with the app streaming and one reachable only by UnifiedPush,
//! are both offered a new consultation; the first grab wins and the other
//! volunteer's offer is withdrawn. The push service's refusals (passing
//! 503, a refused 400, an expired subscription's 410) and the queue's
//! reaction (retry, dead letter, device removed). The server killed with
//! `kill -9` while delivering 1,000 notifications loses none and the
//! phone, deduplicating by id, shows none twice.
//!
//! The push service is the local fake (`lawcircle_e2e::fake_push`): it
//! checks VAPID and decrypts every message with the subscription's keys.
//!
//! iPhones: a volunteer reachable only by APNs is offered an order and its
//! withdrawal; Apple's documented refusals (BadDeviceToken, Unregistered,
//! ExpiredProviderToken, 429, 503, PayloadTooLarge) and the queue's
//! reaction, against the local fake APNs (`lawcircle_e2e::fake_apns`:
//! HTTP/2 over TLS, provider tokens verified with the test key).
//!
//! SMS codes go through the same queue to the fake SMS provider: a
//! passing fault retried, a refusal dead-lettered with the provider's code
//! and the number masked for staff, a code given up when it expires; the
//! per-number limit holds under concurrent requests (on PostgreSQL across
//! two server instances). `/health` shows each channel's state.

use lawcircle_e2e::fake_apns::{FakeApns, Seen};
use lawcircle_e2e::fake_push::{FakePush, Subscription};
use lawcircle_e2e::people::{PW, STREET, VILLAGE};
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, people};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DESCRIPTION: &str = "邻居装修噪音纠纷，希望调解";
const PHONE: &str = "13812345678";

fn need() -> Value {
    json!({
        "requester": {"name": "李四", "phone": PHONE},
        "category": "consultation",
        "description": DESCRIPTION,
        "urgency": "normal",
        "location": {"address": "永中街道示例社区", "area_code": VILLAGE},
        "channel": "online",
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}
    })
}

async fn submit(c: &Client) -> String {
    submit_for(c, PHONE).await
}

/// Files a consultation for the person with this mobile.
async fn submit_for(c: &Client, phone: &str) -> String {
    let mut need = need();
    need["requester"]["phone"] = json!(phone);
    c.submit_need(&need).await
}

async fn volunteer(server: &Server, admin: &Client, staff: &Client, name: &str) -> (Client, i64) {
    let id = people::create_account(admin, name, "resident", STREET, PW)
        .await
        .unwrap();
    let c = Client::login(server, name, PW).await;
    people::join_pool(&c, staff, name, STREET, &["邻里纠纷", "综合"], "24/7")
        .await
        .unwrap();
    people::clock_in(&c, &id.to_string(), "LW-P0011", 27.93, 120.815)
        .await
        .unwrap();
    (c, id)
}

async fn register(c: &Client, sub: &Subscription) -> i64 {
    let r = c
        .post(
            "/api/v1/devices",
            &json!({"kind": "unifiedpush", "address": sub.endpoint,
                    "p256dh": sub.p256dh, "auth": sub.auth}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

struct World {
    server: Server,
    storage: Storage,
    admin: Client,
    staff: Client,
    resident: Client,
    _dir: tempfile::TempDir,
}

fn args(extra: &[String]) -> Vec<String> {
    let mut a: Vec<String> = ["--demo", "--push-allow-plain-http", "--test-clock"]
        .map(String::from)
        .to_vec();
    a.extend_from_slice(extra);
    a
}

fn start(storage: &Storage, extra: &[String]) -> Server {
    let a = args(extra);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    Server::start(storage, &refs)
}

async fn world(backend: &Backend, extra: &[String]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let server = start(&storage, extra);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    for (name, role) in [("staff", "station_staff"), ("resident", "resident")] {
        people::create_account(&admin, name, role, STREET, PW)
            .await
            .unwrap();
    }
    World {
        staff: Client::login(&server, "staff", PW).await,
        resident: Client::login(&server, "resident", PW).await,
        admin,
        server,
        storage,
        _dir: dir,
    }
}

/// Server-sent events received on a stream: (event, id, data).
type Events = Arc<Mutex<Vec<(String, String, Value)>>>;

/// Opens the caller's notification stream and collects its events.
async fn open_stream(c: &Client) -> Events {
    let events: Events = Arc::default();
    let resp = c
        .http
        .get(format!("{}/api/v1/notifications/stream", c.base))
        .bearer_auth(c.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let sink = events.clone();
    tokio::spawn(async move {
        let mut resp = resp;
        let mut buf = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if let Ok(v) = serde_json::from_str(&data) {
                    sink.lock().unwrap().push((event, id, v));
                }
            }
        }
    });
    events
}

async fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn private(message: &Value) -> bool {
    let text = message.to_string();
    text.contains(DESCRIPTION) || text.contains(PHONE) || text.contains("李四")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_and_a_push_volunteer_are_offered_and_the_loser_is_withdrawn() {
    for backend in backends() {
        let push = FakePush::start().await;
        let w = world(&backend, &[]).await;
        let (streamer, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-stream").await;
        let (pushed, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-push").await;
        let sub = push.subscribe();
        register(&pushed, &sub).await;
        let stream = open_stream(&streamer).await;

        let filed = Instant::now();
        let order = submit(&w.resident).await;
        let on_stream = wait_until("the offer on the stream", || {
            stream
                .lock()
                .unwrap()
                .iter()
                .find(|(e, _, m)| e == "notification" && m["order_id"] == order.as_str())
                .map(|(_, _, m)| m.clone())
        })
        .await;
        let stream_ms = filed.elapsed().as_millis();
        let by_push = wait_until("the offer by push", || {
            push.received(&sub)
                .into_iter()
                .find(|m| m["event"] == "offer" && m["order_id"] == order.as_str())
        })
        .await;
        let push_ms = filed.elapsed().as_millis();
        eprintln!(
            "[{}] offer reached the streaming volunteer after {stream_ms} ms, the push-only one after {push_ms} ms",
            backend.name()
        );
        assert_eq!(on_stream["event"], "offer");
        assert!(
            !private(&on_stream) && !private(&by_push),
            "{on_stream} {by_push}"
        );

        // The streaming volunteer grabs first; the other is too late.
        let r = streamer
            .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = pushed
            .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 409, "{:?}", r.body);

        let offer_id = by_push["id"].as_str().unwrap().to_string();
        let withdrawal = wait_until("the withdrawal by push", || {
            push.received(&sub)
                .into_iter()
                .find(|m| m["event"] == "withdrawn" && m["withdraws"] == offer_id.as_str())
        })
        .await;
        assert_eq!(withdrawal["order_id"], order.as_str());
        // The loser's list shows the offer withdrawn; the winner is not
        // told to withdraw their own offer.
        let list = pushed.get("/api/v1/notifications").await;
        assert_eq!(list.status, 200);
        let offer = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == offer_id.as_str())
            .cloned();
        assert_eq!(offer.map(|o| o["withdrawn"].clone()), Some(json!(true)));
        // The requester hears that it was taken, and nothing private.
        let mine = wait_until_list(&w.resident, "taken").await;
        assert_eq!(mine["order_id"], order.as_str());
        let streamed = stream.lock().unwrap().clone();
        assert!(
            !streamed.iter().any(|(e, _, _)| e == "withdraw"),
            "the winner got a withdrawal: {streamed:?}"
        );
        // Resuming after the last id gives nothing again; from 0, the offer.
        let last_id: i64 = streamed.last().unwrap().1.parse().unwrap();
        let again = streamer
            .send(
                streamer
                    .http
                    .get(format!("{}/api/v1/notifications", streamer.base))
                    .header("Last-Event-ID", last_id.to_string()),
            )
            .await;
        assert_eq!(again.body, json!([]));
        let bad = streamer
            .send(
                streamer
                    .http
                    .get(format!("{}/api/v1/notifications", streamer.base))
                    .header("Last-Event-ID", "yesterday"),
            )
            .await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body["error"]["field"], "Last-Event-ID");
        drop(w.server);
    }
}

/// A batch of consultations filed at once: every order of it is offered
/// to each volunteer on duty (on the stream and by push), each offer once,
/// and a replayed batch offers nothing again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_order_of_a_batch_is_offered_to_every_volunteer_on_duty() {
    for backend in backends() {
        let push = FakePush::start().await;
        let w = world(&backend, &[]).await;
        let (streamer, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-stream").await;
        let (pushed, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-push").await;
        let sub = push.subscribe();
        register(&pushed, &sub).await;
        let stream = open_stream(&streamer).await;

        let entries: Vec<Value> = (0..3)
            .map(|_| json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "need": need()}))
            .collect();
        let batch = json!({ "needs": entries });
        let r = w.resident.post("/api/v1/needs/batch", &batch).await;
        assert_eq!(r.status, 200, "{}: {:?}", backend.name(), r.body);
        let orders: BTreeSet<String> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert_eq!(e["outcome"], "created", "{e}");
                e["receipt"]["order_id"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(orders.len(), 3);
        let offered = |messages: Vec<Value>| -> Vec<String> {
            let mut ids: Vec<String> = messages
                .into_iter()
                .filter(|m| m["event"] == "offer")
                .map(|m| m["order_id"].as_str().unwrap_or_default().to_string())
                .collect();
            ids.sort();
            ids
        };
        let expected: Vec<String> = orders.iter().cloned().collect();
        wait_until("every offer on the stream", || {
            let got = offered(
                stream
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(e, _, _)| e == "notification")
                    .map(|(_, _, m)| m.clone())
                    .collect(),
            );
            (got == expected).then_some(())
        })
        .await;
        wait_until("every offer by push", || {
            (offered(push.received(&sub)) == expected).then_some(())
        })
        .await;

        // The same batch again: replayed, nothing new offered.
        let again = w.resident.post("/api/v1/needs/batch", &batch).await;
        assert_eq!(again.status, 200);
        assert!(
            again.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["outcome"] == "replayed"),
            "{:?}",
            again.body
        );
        for c in [&streamer, &pushed] {
            let list = c.get("/api/v1/notifications").await;
            assert_eq!(list.status, 200);
            assert_eq!(
                offered(list.body.as_array().unwrap().clone()),
                expected,
                "{}",
                backend.name()
            );
        }
        drop(w.server);
    }
}

async fn wait_until_list(c: &Client, event: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = c.get("/api/v1/notifications").await;
        if let Some(m) = r
            .body
            .as_array()
            .and_then(|a| a.iter().find(|m| m["event"] == event))
        {
            assert!(!private(m), "{m}");
            return m.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {event} message in {:?}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Moves the test server's clock forward (retries and leases come due).
async fn advance(c: &Client, seconds: i64) {
    let r = c
        .post("/api/v1/test/clock", &json!({"seconds": seconds}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_push_service_refusals_and_the_queue_reaction() {
    for backend in backends() {
        let push = FakePush::start().await;
        let w = world(&backend, &[]).await;
        let (vol, _) = volunteer(&w.server, &w.admin, &w.staff, "vol").await;
        let sub = push.subscribe();
        let device = register(&vol, &sub).await;

        // The fake refuses what the service would: no TTL, no VAPID.
        let raw = lawcircle_e2e::http_client();
        let r = raw
            .post(&sub.endpoint)
            .header("Content-Encoding", "aes128gcm")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let r = raw
            .post(&sub.endpoint)
            .header("TTL", "60")
            .header("Content-Encoding", "aes128gcm")
            .header("Authorization", "vapid t=a.b.c, k=AAAA")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);

        // A passing 503: retried after the back-off, then delivered.
        push.fail_next(&[503]);
        let first = submit(&w.resident).await;
        wait_until("the 503", || push.answers().contains(&503).then_some(())).await;
        advance(&w.admin, 5).await;
        wait_until("the retried offer", || {
            push.received(&sub)
                .into_iter()
                .find(|m| m["order_id"] == first.as_str())
        })
        .await;

        // A refusal (400): dead-lettered with the reason, not retried.
        push.fail_next(&[400]);
        let second = submit(&w.resident).await;
        let dead = wait_until_dead(&w.staff, &second).await;
        assert!(dead["reason"].as_str().unwrap().contains("400"), "{dead}");
        assert_eq!(dead["attempts"], 1);

        // The subscription expired (410): the device is removed, the
        // message dead-lettered saying so, and nothing more goes to it.
        push.expire(&sub);
        let third = submit(&w.resident).await;
        let dead = wait_until_dead(&w.staff, &third).await;
        assert!(dead["reason"].as_str().unwrap().contains("410"), "{dead}");
        let devices = vol.get("/api/v1/devices").await;
        assert_eq!(devices.body, json!([]), "device {device} still registered");
        let before = push.answers().len();
        let fourth = submit(&w.resident).await;
        // The stream still has it; push got nothing more.
        wait_until_list_order(&vol, &fourth).await;
        assert_eq!(push.answers().len(), before);

        // A volunteer cannot read the dead letters; bad input is a 400.
        assert_eq!(
            vol.get("/api/v1/notifications/dead-letters").await.status,
            403
        );
        let r = w
            .staff
            .get("/api/v1/notifications/dead-letters?limit=0")
            .await;
        assert_eq!(r.status, 400);
        let r = vol
            .post("/api/v1/devices", &json!({"kind": "unifiedpush", "address": "ftp://x", "p256dh": sub.p256dh, "auth": sub.auth}))
            .await;
        assert_eq!(
            (r.status, r.body["error"]["field"].clone()),
            (400, json!("address"))
        );
        // This server has no APNs: an iPhone's token is refused, saying so.
        let r = vol
            .post(
                "/api/v1/devices",
                &json!({"kind": "apns", "address": "ab".repeat(32)}),
            )
            .await;
        assert_eq!(
            (r.status, r.body["error"]["field"].clone()),
            (400, json!("kind"))
        );
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("APNs"),
            "{:?}",
            r.body
        );
        drop(w.server);
    }
}

async fn wait_until_dead(staff: &Client, order: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = staff.get("/api/v1/notifications/dead-letters").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        if let Some(d) = r
            .body
            .as_array()
            .and_then(|a| a.iter().find(|d| d["order_id"] == order))
        {
            return d.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no dead letter for {order}: {:?}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_until_list_order(c: &Client, order: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = c.get("/api/v1/notifications").await;
        if r.body
            .as_array()
            .is_some_and(|a| a.iter().any(|m| m["order_id"] == order))
        {
            return;
        }
        assert!(Instant::now() < deadline, "no message about {order}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every message id of the caller's queue, paging through it.
async fn all_ids(c: &Client) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = 0;
    loop {
        let r = c.get(&format!("/api/v1/notifications?after={after}")).await;
        let page = r.body.as_array().unwrap().clone();
        if page.is_empty() {
            return out;
        }
        for m in &page {
            out.insert(m["id"].as_str().unwrap().to_string());
            after = m["seq"].as_i64().unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_minus_nine_while_delivering_a_thousand_loses_none_and_shows_none_twice() {
    const N: usize = 1000;
    for backend in backends() {
        let push = FakePush::start().await;
        let extra = ["--grab-window-secs", "86400"].map(String::from);
        let w = world(&backend, &extra).await;
        let (vol, _) = volunteer(&w.server, &w.admin, &w.staff, "vol").await;
        let sub = push.subscribe();
        register(&vol, &sub).await;
        // Hold the push service while the consultations are filed, so
        // the deliveries are queued when it lets them through.
        push.pause(true);
        let mut tasks = Vec::new();
        for i in 0..4 {
            let c = w.resident.clone();
            tasks.push(tokio::spawn(async move {
                for _ in (i..N).step_by(4) {
                    submit(&c).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        push.pause(false);
        let at_kill = wait_until("a third delivered", || {
            let n = push.received(&sub).len();
            (n >= N / 3).then_some(n)
        })
        .await;
        let server = w.server;
        drop(server); // SIGKILL, as kill -9
        let server = start(&w.storage, &extra);
        let admin = Client::login(&server, "admin", PW).await;
        // Claims the killed server held come due after their lease.
        advance(&admin, 120).await;
        let deadline = Instant::now() + Duration::from_secs(120);
        let shown = loop {
            // The phone shows each id once.
            let got = push.received(&sub);
            let shown: BTreeSet<String> = got
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect();
            if shown.len() >= N {
                break shown;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {N} arrived",
                shown.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let got = push.received(&sub);
        let mut times: BTreeMap<String, usize> = BTreeMap::new();
        for m in &got {
            *times
                .entry(m["id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        let repeated = times.values().filter(|n| **n > 1).count();
        eprintln!(
            "[{}] killed after {at_kill} of {N} pushes; {} pushes in all, {} ids, {repeated} delivered more than once (shown once)",
            backend.name(),
            got.len(),
            shown.len()
        );
        let vol = Client::login(&server, "vol", PW).await;
        let queued = all_ids(&vol).await;
        assert_eq!(queued.len(), N, "the queue has every offer");
        assert_eq!(
            shown, queued,
            "every queued message reached the phone, nothing else"
        );
        drop(server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_without_a_push_device_is_texted_and_provider_errors_retry_or_dead_letter() {
    use lawcircle_e2e::fake_sms::{FakeSms, NOTICE_TEMPLATE};
    for backend in backends() {
        let sms = FakeSms::start().await;
        let w = world(&backend, &sms.server_args()).await;
        let (vol, _) = volunteer(&w.server, &w.admin, &w.staff, "vol").await;
        // A resident registered with an SMS code: a verified mobile.
        let anon = Client::new(&w.server);
        let phone = "13700005555";
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": phone, "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        let code = sms
            .wait_for(phone, lawcircle_e2e::fake_sms::CODE_TEMPLATE)
            .await["code"]
            .clone();
        let r = anon
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": code, "display_name": "陈女士", "password": "a long passphrase"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let mut resident = Client::new(&w.server);
        resident.token = r.body["token"].as_str().map(str::to_string);

        // Taken: texted with the order and a few words, nothing private.
        let order = submit_for(&resident, phone).await;
        let r = vol
            .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let v = r.body["version"].clone();
        let params = sms.wait_for(phone, NOTICE_TEMPLATE).await;
        assert_eq!(
            params.get("order").map(String::as_str),
            Some(order.as_str())
        );
        assert!(!private(&json!(params)), "{params:?}");

        // Resolved while the provider fails for now: retried by the queue
        // after its back-off, then delivered.
        sms.fail_next(&["isp.SYSTEM_ERROR"; 3]);
        let r = vol
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "start"}, "version": v}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let v = r.body["version"].clone();
        let r = vol
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "resolve", "note": "已解答"}, "version": v}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        wait_until("three passing failures", || {
            (sms.answers()
                .iter()
                .filter(|a| *a == "isp.SYSTEM_ERROR")
                .count()
                == 3)
                .then_some(())
        })
        .await;
        advance(&w.admin, 10).await;
        wait_until("the resolution by SMS", || {
            sms.delivered()
                .iter()
                .filter(|d| d.phone == phone && d.template == NOTICE_TEMPLATE)
                .nth(1)
                .map(|d| d.params.clone())
        })
        .await;

        // A refusal (an illegal number): dead-lettered with the code.
        sms.fail_next(&["isv.MOBILE_NUMBER_ILLEGAL"]);
        let second = submit_for(&resident, phone).await;
        let r = vol
            .post(&format!("/api/v1/orders/{second}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let dead = wait_until_dead(&w.staff, &second).await;
        assert_eq!(dead["channel"], "sms");
        assert!(
            dead["reason"]
                .as_str()
                .unwrap()
                .contains("isv.MOBILE_NUMBER_ILLEGAL"),
            "{dead}"
        );
        drop(w.server);
    }
}

/// Registers an iPhone's APNs device token.
async fn register_apns(c: &Client, token: &str) -> i64 {
    let r = c
        .post(
            "/api/v1/devices",
            &json!({"kind": "apns", "address": token}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

/// What the fake APNs got for `token` about `order`, once it has.
async fn apns_received(apns: &FakeApns, token: &str, order: &str, event: &str) -> Seen {
    wait_until(&format!("the {event} of {order} by APNs"), || {
        apns.received(token).into_iter().find(|s| {
            s.payload["lawcircle"]["order_id"] == order && s.payload["lawcircle"]["event"] == event
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iphone_volunteer_reachable_only_by_apns_is_offered_and_the_offer_withdrawn() {
    for backend in backends() {
        let apns = FakeApns::start().await;
        let w = world(&backend, &apns.server_args()).await;
        let (iphone, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-ios").await;
        let (other, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-other").await;
        let token = apns.device();
        // iOS gives bytes; an app may send them in either case: one device.
        let device = register_apns(&iphone, &token.to_uppercase()).await;
        assert_eq!(register_apns(&iphone, &token).await, device);
        let devices = iphone.get("/api/v1/devices").await;
        assert_eq!(
            devices.body,
            json!([{"id": device, "kind": "apns", "address": token}])
        );
        // A token that is not 64 hex digits is refused, saying why.
        for bad in ["abc", &"zz".repeat(32)] {
            let r = iphone
                .post("/api/v1/devices", &json!({"kind": "apns", "address": bad}))
                .await;
            assert_eq!(
                (r.status, r.body["error"]["field"].clone()),
                (400, json!("address"))
            );
        }

        // /health: APNs configured, no provider token signed yet.
        let apns_health = |h: &Value| {
            h["notifications"]
                .as_array()
                .and_then(|a| a.iter().find(|c| c["channel"] == "apns").cloned())
                .unwrap_or(Value::Null)
        };
        let h = apns_health(&w.admin.get("/health").await.body);
        assert_eq!(h["configured"], true, "{h}");
        assert_eq!(h["provider_token"], "not_issued", "{h}");
        assert_eq!(h["last"], Value::Null, "{h}");

        let order = submit(&w.resident).await;
        let offer = apns_received(&apns, &token, &order, "offer").await;
        let message = &offer.payload["lawcircle"];
        let id = message["id"].as_str().unwrap();
        // Headers as Apple documents them: the message id as apns-id and
        // collapse id (the phone shows it once), at once, a day to live.
        assert_eq!(offer.push_type, "alert");
        assert_eq!(offer.priority.as_deref(), Some("10"));
        assert_eq!(
            offer.apns_id.replace('-', ""),
            id.strip_prefix("n-").unwrap()
        );
        assert_eq!(offer.collapse_id.as_deref(), Some(id));
        let created = chrono::DateTime::parse_from_rfc3339(message["created_at"].as_str().unwrap())
            .unwrap()
            .timestamp();
        assert_eq!(offer.expiration, Some(created + 24 * 3600));
        assert_eq!(offer.payload["aps"]["alert"]["title"], message["title"]);
        assert!(!private(&offer.payload), "{}", offer.payload);

        // The other volunteer grabs it: the iPhone's offer is replaced on
        // the lock screen by its withdrawal (same collapse id).
        let r = other
            .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let withdrawn = apns_received(&apns, &token, &order, "withdrawn").await;
        assert_eq!(withdrawn.payload["lawcircle"]["withdraws"], id);
        assert_eq!(withdrawn.collapse_id.as_deref(), Some(id));
        assert!(!private(&withdrawn.payload), "{}", withdrawn.payload);
        // One provider token served both (Apple refuses renewals more
        // often than every 20 minutes).
        assert_eq!(apns.provider_tokens().len(), 1);
        // /health: the token is valid and was issued, the last delivery
        // went; the token itself is not shown.
        let body = w.admin.get("/health").await.body;
        let h = apns_health(&body);
        assert_eq!(h["provider_token"], "valid", "{h}");
        assert!(h["provider_token_issued_at"].is_string(), "{h}");
        assert_eq!(h["last"]["outcome"], "delivered", "{h}");
        for jwt in apns.provider_tokens() {
            assert!(!body.to_string().contains(&jwt), "{body}");
        }

        // Unregistered by the phone (sign-out): nothing more goes to it.
        let r = iphone
            .send(
                iphone
                    .http
                    .delete(format!("{}/api/v1/devices/{device}", iphone.base)),
            )
            .await;
        assert_eq!(r.status, 204);
        let before = apns.answers().len();
        let next = submit(&w.resident).await;
        wait_until_list_order(&iphone, &next).await;
        assert_eq!(apns.answers().len(), before);
        drop(w.server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apns_refusals_remove_tokens_renew_the_provider_token_retry_or_dead_letter() {
    for backend in backends() {
        let apns = FakeApns::start().await;
        let w = world(&backend, &apns.server_args()).await;
        let (vol, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-ios").await;

        // A token APNs never issued: 400 BadDeviceToken, the device is
        // removed with the reason.
        let unknown = "0123456789abcdef".repeat(4);
        register_apns(&vol, &unknown).await;
        let first = submit(&w.resident).await;
        let dead = wait_until_dead(&w.staff, &first).await;
        assert!(
            dead["reason"].as_str().unwrap().contains("BadDeviceToken"),
            "{dead}"
        );
        assert_eq!(vol.get("/api/v1/devices").await.body, json!([]));

        // The app was removed from the phone: 410 Unregistered with the
        // time; the device is removed.
        let gone = apns.device();
        register_apns(&vol, &gone).await;
        apns.unregister(&gone);
        let second = submit(&w.resident).await;
        let dead = wait_until_dead(&w.staff, &second).await;
        let reason = dead["reason"].as_str().unwrap();
        assert!(reason.contains("410 Unregistered"), "{dead}");
        assert!(reason.contains("invalid since"), "{dead}");
        assert_eq!(vol.get("/api/v1/devices").await.body, json!([]));

        // 403 ExpiredProviderToken: a new provider token, the same
        // delivery sent again at once and accepted.
        let token = apns.device();
        register_apns(&vol, &token).await;
        let tokens_before = apns.provider_tokens().len();
        apns.script(&token, &[(403, "ExpiredProviderToken")]);
        let third = submit(&w.resident).await;
        apns_received(&apns, &token, &third, "offer").await;
        assert!(
            apns.answers()
                .contains(&(403, "ExpiredProviderToken".to_string()))
        );
        let tokens = apns.provider_tokens();
        assert_eq!(tokens.len(), tokens_before + 1, "{tokens:?}");

        // 429 and 503: retried with the queue's back-off, then delivered.
        apns.script(
            &token,
            &[(429, "TooManyRequests"), (503, "ServiceUnavailable")],
        );
        let fourth = submit(&w.resident).await;
        wait_until("the 429", || {
            apns.answers()
                .contains(&(429, "TooManyRequests".into()))
                .then_some(())
        })
        .await;
        advance(&w.admin, 5).await;
        wait_until("the 503", || {
            apns.answers()
                .contains(&(503, "ServiceUnavailable".into()))
                .then_some(())
        })
        .await;
        advance(&w.admin, 10).await;
        apns_received(&apns, &token, &fourth, "offer").await;

        // 413 PayloadTooLarge: dead-lettered with Apple's reason, shown
        // to staff, not retried; the device stays.
        apns.script(&token, &[(413, "PayloadTooLarge")]);
        let fifth = submit(&w.resident).await;
        let dead = wait_until_dead(&w.staff, &fifth).await;
        assert!(
            dead["reason"].as_str().unwrap().contains("PayloadTooLarge"),
            "{dead}"
        );
        assert_eq!(dead["attempts"], 1);
        assert_eq!(
            vol.get("/api/v1/devices")
                .await
                .body
                .as_array()
                .unwrap()
                .len(),
            1
        );
        for seen in apns.received(&token) {
            assert!(!private(&seen.payload), "{}", seen.payload);
        }
        drop(w.server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_an_account_deletes_its_push_devices_and_withdraws_what_waits_for_it() {
    for backend in backends() {
        let push = FakePush::start().await;
        let apns = FakeApns::start().await;
        let w = world(&backend, &apns.server_args()).await;
        let (erased, erased_id) = volunteer(&w.server, &w.admin, &w.staff, "vol-erased").await;
        let (other, _) = volunteer(&w.server, &w.admin, &w.staff, "vol-other").await;
        let sub = push.subscribe();
        register(&erased, &sub).await;
        let token = apns.device();
        register_apns(&erased, &token).await;
        let other_token = apns.device();
        register_apns(&other, &other_token).await;

        // Both services are down for the first try: the offer waits for
        // its retry.
        push.fail_next(&[503]);
        apns.script(&token, &[(503, "ServiceUnavailable")]);
        let order = submit(&w.resident).await;
        wait_until("the push 503", || {
            push.answers().contains(&503).then_some(())
        })
        .await;
        wait_until("the APNs 503", || {
            apns.answers()
                .contains(&(503, "ServiceUnavailable".into()))
                .then_some(())
        })
        .await;
        apns_received(&apns, &other_token, &order, "offer").await;

        let r = w
            .admin
            .post(
                "/api/v1/personal-data/erase",
                &json!({"account_id": erased_id, "reason": "当事人申请删除个人信息"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["account_anonymised"], true);

        // The retries come due; a later offer to the other volunteer is
        // delivered after them; nothing reached the erased volunteer.
        advance(&w.admin, 60).await;
        let later = submit(&w.resident).await;
        apns_received(&apns, &other_token, &later, "offer").await;
        assert_eq!(push.received(&sub), Vec::<Value>::new());
        assert!(apns.received(&token).is_empty());

        // Their endpoint and token are gone from the database, and what
        // waited for them is withdrawn.
        let url = w.storage.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                w.storage.data_dir.join("lawcircle.sqlite").display()
            )
        });
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&url).await.unwrap();
        let devices: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM push_devices WHERE account_id = $1")
                .bind(erased_id)
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(devices, 0);
        let addresses: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_devices WHERE address = $1 OR address = $2",
        )
        .bind(&sub.endpoint)
        .bind(&token)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(addresses, 0);
        let states: Vec<String> = sqlx::query_scalar(
            "SELECT d.state FROM notification_deliveries d
             JOIN notifications n ON n.id = d.notification_id
             WHERE n.account_id = $1 ORDER BY d.id",
        )
        .bind(erased_id)
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(states, ["withdrawn", "withdrawn"], "{states:?}");
        db.close().await;
        drop(w.server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_reaches_the_staff_of_its_street_through_the_queue() {
    for backend in backends() {
        let w = world(&backend, &[]).await;
        // A consultation nobody finishes: past its deadline the job raises
        // an overdue warning for the street, and its staff are told.
        let order = submit(&w.resident).await;
        advance(&w.staff, 60 * 86_400).await;
        // Two months on, the sessions have expired: sign in again.
        let staff = Client::login(&w.server, "staff", PW).await;
        let resident = Client::login(&w.server, "resident", PW).await;
        let m = wait_until_list(&staff, "warning").await;
        assert!(m["order_id"].is_null(), "a warning is not an order: {m}");
        let warnings = staff.get("/api/v1/warnings").await;
        assert_eq!(warnings.status, 200);
        assert!(
            warnings.body.to_string().contains(&order),
            "the warning about {order} is in the staff's list: {}",
            warnings.body
        );
        // The resident who filed it hears nothing of the warning.
        let mine = resident.get("/api/v1/notifications").await;
        assert!(
            !mine.body.to_string().contains("\"warning\""),
            "{}",
            mine.body
        );
        drop(w.server);
    }
}

/// Asks for an SMS code for `phone`.
async fn ask_code(c: &Client, phone: &str, purpose: &str) -> lawcircle_e2e::Reply {
    c.post(
        "/api/v1/auth/sms-codes",
        &json!({"phone": phone, "purpose": purpose}),
    )
    .await
}

/// One channel's entry of `/health`.
fn channel_health(health: &Value, channel: &str) -> Value {
    health["notifications"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["channel"] == channel).cloned())
        .unwrap_or_else(|| panic!("no {channel} in {health}"))
}

/// Waits for the dead letter of a code to the number shown as `masked`.
async fn wait_until_dead_code(admin: &Client, masked: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = admin.get("/api/v1/notifications/dead-letters").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        if let Some(d) = r.body.as_array().and_then(|a| {
            a.iter()
                .find(|d| d["event"] == "sms_code" && d["phone"] == masked)
        }) {
            return d.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no dead letter for a code to {masked}: {:?}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_codes_go_through_the_queue_retried_dead_lettered_masked_and_expired() {
    use lawcircle_e2e::fake_sms::{CODE_TEMPLATE, FakeSms};
    for backend in backends() {
        let sms = FakeSms::start().await;
        let w = world(&backend, &sms.server_args()).await;
        let anon = Client::new(&w.server);

        // /health lists every channel; nothing delivered by SMS yet, and
        // this server has no APNs key.
        let h = w.admin.get("/health").await.body;
        assert_eq!(channel_health(&h, "stream")["configured"], true, "{h}");
        assert_eq!(channel_health(&h, "unifiedpush")["configured"], true, "{h}");
        assert_eq!(channel_health(&h, "apns")["configured"], false, "{h}");
        assert_eq!(channel_health(&h, "sms")["configured"], true, "{h}");
        assert_eq!(channel_health(&h, "sms")["last"], Value::Null, "{h}");

        // A passing fault of the provider: the queue tries again after
        // its back-off, and the code arrives.
        let phone = "13700007001";
        sms.fail_next_for(CODE_TEMPLATE, &["isp.SYSTEM_ERROR"]);
        let r = ask_code(&anon, phone, "register").await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        wait_until("the passing fault", || {
            sms.answers_for(CODE_TEMPLATE)
                .contains(&"isp.SYSTEM_ERROR".to_string())
                .then_some(())
        })
        .await;
        advance(&w.admin, 5).await;
        let params = sms.wait_for(phone, CODE_TEMPLATE).await;
        // The text carries the code and nothing else.
        assert_eq!(params.keys().collect::<Vec<_>>(), ["code"], "{params:?}");
        assert_eq!(
            sms.answers_for(CODE_TEMPLATE),
            ["isp.SYSTEM_ERROR", "OK"],
            "one failure, one retry"
        );
        let r = anon
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": params["code"], "display_name": "陈女士"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let h = w.admin.get("/health").await.body;
        assert_eq!(channel_health(&h, "sms")["last"]["outcome"], "delivered");

        // A refusal: dead-lettered at once with the provider's code, for
        // staff to see with the number masked (a code is about no street:
        // the district's admins see it, a street's staff do not).
        let refused = "13700007002";
        sms.fail_next_for(CODE_TEMPLATE, &["isv.MOBILE_NUMBER_ILLEGAL"]);
        let r = ask_code(&anon, refused, "register").await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        let dead = wait_until_dead_code(&w.admin, "137****7002").await;
        assert_eq!(dead["channel"], "sms", "{dead}");
        assert_eq!(dead["account_id"], Value::Null, "{dead}");
        assert_eq!(dead["attempts"], 1, "{dead}");
        assert!(
            dead["notification_id"].as_str().unwrap().starts_with("s-"),
            "{dead}"
        );
        assert!(
            dead["reason"]
                .as_str()
                .unwrap()
                .contains("isv.MOBILE_NUMBER_ILLEGAL"),
            "{dead}"
        );
        let all = w.admin.get("/api/v1/notifications/dead-letters").await.body;
        assert!(!all.to_string().contains(refused), "{all}");
        let street = w.staff.get("/api/v1/notifications/dead-letters").await.body;
        assert!(
            street
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["event"] != "sms_code"),
            "{street}"
        );
        let h = w.admin.get("/health").await.body;
        assert_eq!(channel_health(&h, "sms")["last"]["outcome"], "dead");

        // A code the provider keeps failing is given up when it expires
        // (five minutes), never sent after its time.
        let late = "13700007003";
        let before = sms.answers_for(CODE_TEMPLATE).len();
        sms.fail_next_for(CODE_TEMPLATE, &["isp.SYSTEM_ERROR"; 8]);
        let r = ask_code(&anon, late, "register").await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        wait_until("the first attempt", || {
            (sms.answers_for(CODE_TEMPLATE).len() > before).then_some(())
        })
        .await;
        advance(&w.admin, 6 * 60).await;
        let dead = wait_until_dead_code(&w.admin, "137****7003").await;
        assert!(dead["reason"].as_str().unwrap().contains("expir"), "{dead}");
        assert!(sms.delivered().iter().all(|d| d.phone != late));
        drop(w.server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_number_code_limit_holds_under_concurrent_requests_and_across_instances() {
    use lawcircle_e2e::fake_sms::{CODE_TEMPLATE, FakeSms};
    for backend in backends() {
        let sms = FakeSms::start().await;
        let w = world(&backend, &sms.server_args()).await;
        // On PostgreSQL a second instance on the same database takes half
        // the requests.
        let second = matches!(backend, Backend::Postgres(_)).then(|| {
            let mut a: Vec<String> = ["--push-allow-plain-http", "--instance-id", "second"]
                .map(String::from)
                .to_vec();
            a.extend(sms.server_args());
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            Server::start(&w.storage, &refs)
        });
        let phone = "13700008001";
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..16 {
            let c = match (&second, i % 2) {
                (Some(s), 1) => Client::new(s),
                _ => Client::new(&w.server),
            };
            tasks.spawn(async move { ask_code(&c, phone, "register").await });
        }
        let mut statuses = Vec::new();
        while let Some(r) = tasks.join_next().await {
            let r = r.unwrap();
            if r.status != 202 {
                assert_eq!(lawcircle_e2e::error_code(&r), "too_many_requests");
            }
            statuses.push(r.status);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 202).count(),
            1,
            "one code a minute per number ({}): {statuses:?}",
            backend.name()
        );
        assert_eq!(statuses.len(), 16);
        // The one accepted code arrives, once.
        sms.wait_for(phone, CODE_TEMPLATE).await;
        assert_eq!(
            sms.delivered().iter().filter(|d| d.phone == phone).count(),
            1
        );
        drop(second);
        drop(w.server);
    }
}
