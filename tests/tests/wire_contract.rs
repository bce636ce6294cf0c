//! The wire contract, end to end, on SQLite and PostgreSQL: the real
//! server is driven through the phone's flows (health, sign-in and out,
//! SMS codes, registration, needs, clock-in, offers, grab, dispatch with
//! decline and accept, start, resolve, the audited contact read, rating
//! link and rating, push devices, the catalogue delta, the duty posts,
//! service forms, the event stream and error answers), and every answer
//! the phone reads is decoded into its `lawcircle-api` type and encoded
//! again: the JSON must come back equal. A field the server adds, renames or drops without the
//! contract following fails here, naming the field.

use lawcircle_api::ErrorBody;
use lawcircle_api::Page;
use lawcircle_api::catalogue::{
    DutyPostCollection, DutyPostFeature, DutyPostGeometry, FacilityCollection,
};
use lawcircle_api::events::OrderChange;
use lawcircle_api::needs::{
    NeedBatchResult, NeedBatchResults, NeedDetail, NeedReceipt, NeedStepKind, NeedSummary,
};
use lawcircle_api::orders::{IssuedRatingLink, OrderList, OrderView, RequesterContact};
use lawcircle_api::punches::{MyDutyHours, PunchReceipt};
use lawcircle_api::push::{PushKey, Registered};
use lawcircle_api::residents::CodeSent;
use lawcircle_api::session::{AccountView, LoginResponse};
use lawcircle_api::system::Health;
use lawcircle_core::applications::ServiceDefinition;
use lawcircle_core::orders::order::OrderState;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::PunchKind;
use lawcircle_e2e::fake_push::FakePush;
use lawcircle_e2e::fake_sms::{CODE_TEMPLATE, FakeSms};
use lawcircle_e2e::people::{POST_ID, POST_LAT, POST_LNG, PW, STREET, VILLAGE, test_account};
use lawcircle_e2e::{Backend, Client, Reply, Server, Storage, backends, cli_create_account};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Reads `body` as `T` (a failure names the field's path) and writes it
/// again: the JSON must be what the server sent, nothing dropped, renamed
/// or defaulted.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, body: &Value) -> T {
    let text = body.to_string();
    let mut de = serde_json::Deserializer::from_str(&text);
    let value: T = serde_path_to_error::deserialize(&mut de).unwrap_or_else(|e| {
        panic!(
            "{what}: the answer does not read as the contract at `{}`: {}\n{body:#}",
            e.path(),
            e.inner()
        )
    });
    let again = serde_json::to_value(&value).unwrap();
    if &again != body {
        panic!(
            "{what}: the contract does not give back what the server sent ({})\nserver: {body:#}\ncontract: {again:#}",
            differences(body, &again, "$").join("; ")
        );
    }
    value
}

/// Where two JSON values differ, by path.
fn differences(server: &Value, contract: &Value, at: &str) -> Vec<String> {
    match (server, contract) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Vec::new();
            for (k, v) in a {
                match b.get(k) {
                    None => out.push(format!("{at}.{k} dropped")),
                    Some(w) => out.extend(differences(v, w, &format!("{at}.{k}"))),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{at}.{k} added"));
            }
            out
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .flat_map(|(i, (v, w))| differences(v, w, &format!("{at}[{i}]")))
            .collect(),
        (a, b) if a == b => Vec::new(),
        (a, b) => vec![format!("{at}: {a} became {b}")],
    }
}

/// An answer with `status`, read as `T` and back.
fn answer<T: DeserializeOwned + Serialize>(what: &str, r: &Reply, status: u16) -> T {
    assert_eq!(r.status, status, "{what}: {:#}", r.body);
    round_trip(what, &r.body)
}

/// An error answer with `status`, read as the one error body and back.
fn refused(what: &str, r: &Reply, status: u16) -> ErrorBody {
    answer(what, r, status)
}

/// The order events of the live stream as the phone receives them.
struct Events {
    got: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Events {
    async fn open(c: &Client) -> Events {
        let resp = c
            .http
            .get(format!("{}/api/v1/events", c.base))
            .bearer_auth(c.token.as_deref().unwrap())
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let got: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = got.clone();
        let task = tokio::spawn(async move {
            let mut resp = resp;
            let mut reader = lawcircle_client::sync::EventStreamReader::default();
            while let Ok(Some(chunk)) = resp.chunk().await {
                sink.lock().unwrap().extend(reader.push(&chunk));
            }
        });
        Events { got, task }
    }

    /// Waits (bounded) until an event's data contains every one of
    /// `needles`; returns every event so far.
    async fn wait_for(&self, needles: &[&str]) -> Vec<String> {
        for _ in 0..800 {
            let got = self.got.lock().unwrap().clone();
            if got.iter().any(|d| needles.iter().all(|n| d.contains(n))) {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("no event with {needles:?}: {:?}", self.got.lock().unwrap());
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn here() -> (f64, f64) {
    let text =
        std::fs::read_to_string(lawcircle_e2e::repo_root().join("data/longwan/areas.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    (f[4].parse().unwrap(), f[5].parse().unwrap())
}

/// A volunteer in the pool, clocked in at the street's duty post; the
/// punch's receipt read through the contract.
async fn volunteer(admin: &Client, staff: &Client, server: &Server, name: &str) -> (Client, i64) {
    let id = test_account(admin, name, "resident", STREET).await;
    let c = Client::login(server, name, PW).await;
    lawcircle_e2e::people::join_pool(
        &c,
        staff,
        name,
        STREET,
        &["劳动争议", "邻里纠纷", "综合"],
        "24/7",
    )
    .await
    .unwrap();
    let punch = lawcircle_e2e::people::punch_at(
        &id.to_string(),
        POST_ID,
        POST_LAT,
        POST_LNG,
        PunchKind::In,
        {
            let now = chrono::Utc::now();
            DeviceInstant {
                wall: now,
                elapsed_ms: u64::try_from(now.timestamp_millis()).unwrap(),
            }
        },
    )
    .unwrap();
    let receipt: PunchReceipt = answer("POST /api/v1/punches", &c.post_punch(&punch).await, 201);
    assert_eq!(receipt.id, punch.id);
    (c, id)
}

async fn phone_flows(backend: &Backend) {
    let sms = FakeSms::start().await;
    let push = FakePush::start().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let mut args: Vec<String> = [
        "--demo",
        "--test-clock",
        "--push-allow-plain-http",
        "--grab-window-secs",
        "3600",
    ]
    .map(String::from)
    .to_vec();
    args.extend(sms.server_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(&storage, &refs);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    test_account(&admin, "staff", "station_staff", STREET).await;
    test_account(&admin, "resident", "resident", STREET).await;
    let staff = Client::login(&server, "staff", PW).await;
    let anonymous = Client::new(&server);

    // Health, sign-in, who am I, sign-out.
    let health: Health = answer("GET /health", &anonymous.get("/health").await, 200);
    assert_eq!(health.status, "ok");
    let login = json!({"username": "resident", "password": PW});
    let session: LoginResponse = answer(
        "POST /api/v1/auth/login",
        &anonymous.post("/api/v1/auth/login", &login).await,
        200,
    );
    let mut resident = Client::new(&server);
    resident.token = Some(session.token.clone());
    let me: AccountView = answer("GET /api/v1/me", &resident.get("/api/v1/me").await, 200);
    assert_eq!(me, session.account);
    let bad = json!({"username": "resident", "password": "wrong password"});
    refused(
        "a wrong password",
        &anonymous.post("/api/v1/auth/login", &bad).await,
        401,
    );
    refused("no session", &anonymous.get("/api/v1/me").await, 401);
    let other: LoginResponse = answer(
        "POST /api/v1/auth/login",
        &anonymous.post("/api/v1/auth/login", &login).await,
        200,
    );
    let mut leaving = Client::new(&server);
    leaving.token = Some(other.token);
    assert_eq!(
        leaving
            .post("/api/v1/auth/logout", &json!(null))
            .await
            .status,
        204
    );

    // A resident by SMS code: register, then sign in with a code.
    let phone = "13700001234";
    let code_for = |purpose: &'static str| {
        let (anonymous, sms) = (&anonymous, &sms);
        async move {
            let codes = |sms: &FakeSms| {
                sms.delivered()
                    .into_iter()
                    .filter(|d| d.phone == phone && d.template == CODE_TEMPLATE)
                    .count()
            };
            let before = codes(sms);
            let sent: CodeSent = answer(
                "POST /api/v1/auth/sms-codes",
                &anonymous
                    .post(
                        "/api/v1/auth/sms-codes",
                        &json!({"phone": phone, "purpose": purpose}),
                    )
                    .await,
                202,
            );
            assert!(sent.resend_after_secs > 0);
            // The text goes out after the answer: wait for this one.
            for _ in 0..400 {
                if codes(sms) > before {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            sms.wait_for(phone, CODE_TEMPLATE).await["code"].clone()
        }
    };
    let code = code_for("register").await;
    let registered: LoginResponse = answer(
        "POST /api/v1/auth/register",
        &anonymous
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": code, "display_name": "陈女士", "password": "a long passphrase"}),
            )
            .await,
        201,
    );
    assert_eq!(registered.account.username, phone);
    refused(
        "a wrong code",
        &anonymous
            .post(
                "/api/v1/auth/code-login",
                &json!({"phone": phone, "code": "000000"}),
            )
            .await,
        400,
    );
    // The catalogue delta, in pages, and the service forms.
    let all: FacilityCollection = answer(
        "GET /api/v1/facilities",
        &anonymous.get("/api/v1/facilities?limit=1000").await,
        200,
    );
    assert!(!all.features.is_empty());
    let first: FacilityCollection = answer(
        "GET /api/v1/facilities (a page)",
        &anonymous.get("/api/v1/facilities?limit=1").await,
        200,
    );
    assert!(first.next_since_version.is_some());
    let since = format!("/api/v1/facilities?since_version={}", all.version);
    let none: FacilityCollection = answer(
        "GET /api/v1/facilities (no change)",
        &anonymous.get(&since).await,
        200,
    );
    assert!(none.features.is_empty());
    // The duty posts the clock-in screen works from (the demo's circle
    // fences, polygon fences and hotline desk), read as the phone reads
    // them; the bytes are those of the sorted JSON map the server wrote
    // before the contract had a type for them.
    let posts: DutyPostCollection = answer(
        "GET /api/v1/duty-posts",
        &anonymous.get("/api/v1/duty-posts").await,
        200,
    );
    let geometry = |f: &DutyPostFeature| match &f.geometry {
        Some(DutyPostGeometry::Point { .. }) => "circle",
        Some(DutyPostGeometry::Polygon { .. } | DutyPostGeometry::MultiPolygon { .. }) => "polygon",
        None => "none",
    };
    for kind in ["circle", "polygon", "none"] {
        assert!(
            posts.features.iter().any(|f| geometry(f) == kind),
            "no duty post with a {kind} geometry: {posts:?}"
        );
    }
    let read = posts.to_duty_posts().expect("the duty posts make posts");
    assert!(read.iter().any(|p| p.id == POST_ID), "{read:?}");
    let raw = reqwest::get(server.url("/api/v1/duty-posts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sorted: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(raw, sorted.to_string(), "the duty posts' bytes changed");
    assert_eq!(raw, serde_json::to_string(&posts).unwrap());
    let _: Vec<ServiceDefinition> = answer(
        "GET /api/v1/services",
        &anonymous.get("/api/v1/services").await,
        200,
    );

    // Push devices.
    let key: PushKey = answer(
        "GET /api/v1/push/vapid-key",
        &anonymous.get("/api/v1/push/vapid-key").await,
        200,
    );
    assert!(!key.vapid_public_key.is_empty());
    let sub = push.subscribe();
    let device: Registered = answer(
        "POST /api/v1/devices",
        &resident
            .post(
                "/api/v1/devices",
                &json!({"kind": "unifiedpush", "address": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth}),
            )
            .await,
        201,
    );
    refused(
        "a device of no known kind",
        &resident
            .post("/api/v1/devices", &json!({"kind": "fax", "address": "x"}))
            .await,
        400,
    );
    let gone = resident
        .send(
            resident
                .http
                .delete(format!("{}/api/v1/devices/{}", resident.base, device.id)),
        )
        .await;
    assert_eq!(gone.status, 204);

    // Volunteers on duty, watching the event stream.
    let (vol, vol_id) = volunteer(&admin, &staff, &server, "vol").await;
    let (vol2, _) = volunteer(&admin, &staff, &server, "vol2").await;
    let events = Events::open(&vol).await;

    // A resident's consultation: offered, grabbed (a second grab is a
    // conflict), read, its contact read (audited), started, resolved.
    let need = lawcircle_e2e::intake::need_json("consultation", VILLAGE);
    let receipt: NeedReceipt = answer("POST /api/v1/needs", &resident.post_need(&need).await, 201);
    let order = receipt.order_id.clone();
    let (lat, lng) = here();
    let offers: Vec<OrderView> = answer(
        "GET /api/v1/orders/offers",
        &vol.get(&format!("/api/v1/orders/offers?lat={lat}&lng={lng}"))
            .await,
        200,
    );
    assert!(offers.iter().any(|o| o.order.id == order), "{offers:?}");
    let at = json!({"lat": lat, "lng": lng});
    let grabbed: OrderView = answer(
        "POST /api/v1/orders/{id}/grab",
        &vol.post(&format!("/api/v1/orders/{order}/grab"), &at).await,
        200,
    );
    refused(
        "a grab after the winner's",
        &vol2
            .post(&format!("/api/v1/orders/{order}/grab"), &at)
            .await,
        409,
    );
    let one: OrderView = answer(
        "GET /api/v1/orders/{id}",
        &vol.get(&format!("/api/v1/orders/{order}")).await,
        200,
    );
    assert_eq!(one, grabbed);
    refused(
        "an unknown order",
        &vol.get("/api/v1/orders/no-such-order").await,
        404,
    );
    let contact: RequesterContact = answer(
        "GET /api/v1/orders/{id}/contact",
        &vol.get(&format!(
            "/api/v1/orders/{order}/contact?reason=call+back+the+requester"
        ))
        .await,
        200,
    );
    assert_eq!(contact.order_id, order);
    refused(
        "a contact read without a reason",
        &vol.get(&format!("/api/v1/orders/{order}/contact")).await,
        400,
    );
    let mut version = one.order.version;
    for event in [
        json!({"event": "start"}),
        json!({"event": "resolve", "note": "已解答"}),
    ] {
        let changed: OrderView = answer(
            "POST /api/v1/orders/{id}/events",
            &vol.post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": event, "version": version}),
            )
            .await,
            200,
        );
        version = changed.order.version;
    }
    let _: IssuedRatingLink = answer(
        "POST /api/v1/orders/{id}/rating-link",
        &vol.post(&format!("/api/v1/orders/{order}/rating-link"), &json!({}))
            .await,
        201,
    );

    // The resident follows their needs and rates the order.
    let mine: Page<NeedSummary> = answer(
        "GET /api/v1/needs",
        &resident.get("/api/v1/needs?limit=500").await,
        200,
    );
    let filed = mine.items.iter().find(|n| n.id == receipt.id).unwrap();
    assert!(filed.may_rate);
    let rated: OrderView = answer(
        "POST /api/v1/orders/{id}/rating",
        &resident
            .post(
                &format!("/api/v1/orders/{order}/rating"),
                &json!({"score": 5, "comment": "很好"}),
            )
            .await,
        200,
    );
    assert_eq!(rated.order.id, order);
    refused(
        "a second rating",
        &resident
            .post(
                &format!("/api/v1/orders/{order}/rating"),
                &json!({"score": 4}),
            )
            .await,
        409,
    );

    // Their list now tells the need's history, oldest first: received,
    // offered, grabbed, started, resolved, rated, each with the state it
    // led to and its time; nobody's account, name or note.
    let reply = resident.get("/api/v1/needs?limit=500").await;
    let mine: Page<NeedSummary> = answer("GET /api/v1/needs", &reply, 200);
    let filed = mine.items.iter().find(|n| n.id == receipt.id).unwrap();
    let steps: Vec<(NeedStepKind, OrderState)> =
        filed.history.iter().map(|s| (s.what, s.state)).collect();
    assert_eq!(
        steps,
        [
            (NeedStepKind::Received, OrderState::Submitted),
            (NeedStepKind::Opened, OrderState::Open),
            (NeedStepKind::Grabbed, OrderState::Claimed),
            (NeedStepKind::Started, OrderState::InProgress),
            (NeedStepKind::Resolved, OrderState::Resolved),
            (NeedStepKind::Rated, OrderState::Evaluated),
        ]
    );
    assert_eq!(filed.history[0].at, receipt.received_at);
    assert!(filed.history.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(!filed.may_rate);
    // Each step is its time, state and kind, and nothing else; the note
    // and the rating's comment are nowhere in the need.
    let item = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == receipt.id)
        .unwrap();
    for step in item["history"].as_array().unwrap() {
        let mut keys: Vec<&str> = step
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["at", "state", "what"], "{step}");
    }
    let told = item.to_string();
    assert!(!told.contains("已解答") && !told.contains("很好"), "{told}");
    // The need's detail tells the same history.
    let own: NeedDetail = answer(
        "GET /api/v1/needs/{id} (the requester's own)",
        &resident.get(&format!("/api/v1/needs/{}", receipt.id)).await,
        200,
    );
    assert_eq!(own.summary.history, filed.history);
    // Another resident sees none of it.
    let mut neighbour = Client::new(&server);
    neighbour.token = Some(registered.token.clone());
    let theirs: Page<NeedSummary> = answer(
        "GET /api/v1/needs (another resident)",
        &neighbour.get("/api/v1/needs?limit=500").await,
        200,
    );
    assert!(theirs.items.iter().all(|n| n.id != receipt.id));
    refused(
        "another resident's need",
        &neighbour
            .get(&format!("/api/v1/needs/{}?reason=curious", receipt.id))
            .await,
        404,
    );

    // A service order dispatched by staff: declined, given again, taken.
    let service = resident
        .file_need(&lawcircle_e2e::intake::need_json("mediation", VILLAGE))
        .await;
    let dispatched = service["order_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/orders/{dispatched}/events");
    for (who, event) in [
        (
            &staff,
            json!({"event": "assign", "assignee": vol_id.to_string()}),
        ),
        (&vol, json!({"event": "decline", "reason": "不在本地"})),
        (
            &staff,
            json!({"event": "assign", "assignee": vol_id.to_string()}),
        ),
        (&vol, json!({"event": "accept"})),
    ] {
        let now: OrderView = answer(
            "GET /api/v1/orders/{id}",
            &who.get(&format!("/api/v1/orders/{dispatched}")).await,
            200,
        );
        let _: OrderView = answer(
            "POST /api/v1/orders/{id}/events",
            &who.post(
                &path,
                &json!({"event": event, "version": now.order.version}),
            )
            .await,
            200,
        );
    }
    refused(
        "an event with an old version",
        &vol.post(&path, &json!({"event": {"event": "start"}, "version": 0}))
            .await,
        409,
    );
    refused(
        "an event of no known kind",
        &vol.post(
            &path,
            &json!({"event": {"event": "teleport"}, "version": 1}),
        )
        .await,
        400,
    );

    // The holder's read of the need (audited) and the volunteer's own
    // duty hours.
    let need_id = service["id"].as_i64().unwrap();
    let detail: NeedDetail = answer(
        "GET /api/v1/needs/{id} (the order's holder)",
        &vol.get(&format!(
            "/api/v1/needs/{need_id}?reason=handling%20the%20order"
        ))
        .await,
        200,
    );
    assert_eq!(
        detail.summary.order_id.as_deref(),
        Some(dispatched.as_str())
    );
    let _: MyDutyHours = answer(
        "GET /api/v1/duty-hours/mine",
        &vol.get("/api/v1/duty-hours/mine").await,
        200,
    );

    // The volunteer's orders, as the old array and as a page.
    let all: OrderList = answer("GET /api/v1/orders", &vol.get("/api/v1/orders").await, 200);
    assert!(matches!(all, OrderList::All(_)));
    let page: OrderList = answer(
        "GET /api/v1/orders (a page)",
        &vol.get("/api/v1/orders?limit=1").await,
        200,
    );
    assert!(matches!(page, OrderList::Page(_)));
    assert!(all.into_items().iter().any(|o| o.order.id == dispatched));

    // Signing in with a code, once the next code may be asked for (a
    // minute on the server's clock, moved on).
    let r = admin
        .post("/api/v1/test/clock", &json!({"seconds": 61}))
        .await;
    assert_eq!(r.status, 200, "{:#}", r.body);
    let code = code_for("sign_in").await;
    let _: LoginResponse = answer(
        "POST /api/v1/auth/code-login",
        &anonymous
            .post(
                "/api/v1/auth/code-login",
                &json!({"phone": phone, "code": code}),
            )
            .await,
        200,
    );

    // Every order change the volunteer's stream told, up to the accepted
    // dispatch.
    let told = events.wait_for(&[&dispatched, "in_progress"]).await;
    assert!(told.len() >= 2, "{told:?}");
    for data in told {
        let value: Value = serde_json::from_str(&data).unwrap();
        let _: OrderChange = round_trip("an event of GET /api/v1/events", &value);
    }
    // The batch intake the phone's drain uses: an entry created, one
    // refused, each read through the contract.
    let entries = json!({"needs": [
        {"idempotency_key": uuid::Uuid::now_v7().to_string(),
         "need": lawcircle_e2e::intake::need_json("mediation", VILLAGE)},
        {"idempotency_key": "not a key",
         "need": lawcircle_e2e::intake::need_json("mediation", VILLAGE)},
    ]});
    let batch: NeedBatchResults = answer(
        "POST /api/v1/needs/batch",
        &resident.post("/api/v1/needs/batch", &entries).await,
        200,
    );
    assert!(
        matches!(
            &batch.results[..],
            [
                NeedBatchResult::Created { .. },
                NeedBatchResult::Invalid { status: 400, .. }
            ]
        ),
        "{batch:?}"
    );
    // The open stream would hold the server's graceful shutdown.
    drop(events);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_answer_the_phone_reads_round_trips_through_the_contract() {
    for backend in backends() {
        eprintln!("wire contract on {}", backend.name());
        phone_flows(&backend).await;
    }
}

#[test]
fn a_field_the_contract_does_not_know_is_named() {
    // What the test above catches when the server adds a field the
    // contract lacks, renames one, or sends a value of another type.
    let health = json!({"status": "ok", "database": "sqlite", "catalogue_version": 3,
        "version": "0.1.0", "sms": "not_configured", "instance": "a", "jobs_leader": null,
        "notifications": []});
    let _: Health = round_trip("health", &health);
    let mut added = health.clone();
    added["uptime_s"] = json!(5);
    let e = std::panic::catch_unwind(|| round_trip::<Health>("health", &added)).unwrap_err();
    let text = e.downcast_ref::<String>().unwrap();
    assert!(text.contains("$.uptime_s dropped"), "{text}");
    let mut renamed = health.clone();
    let v = renamed
        .as_object_mut()
        .unwrap()
        .remove("catalogue_version")
        .unwrap();
    renamed["catalog_version"] = v;
    let e = std::panic::catch_unwind(|| round_trip::<Health>("health", &renamed)).unwrap_err();
    let text = e.downcast_ref::<String>().unwrap();
    assert!(text.contains("catalogue_version"), "{text}");
    let mut retyped = health;
    retyped["catalogue_version"] = json!("3");
    let e = std::panic::catch_unwind(|| round_trip::<Health>("health", &retyped)).unwrap_err();
    let text = e.downcast_ref::<String>().unwrap();
    assert!(text.contains("`catalogue_version`"), "{text}");
}
