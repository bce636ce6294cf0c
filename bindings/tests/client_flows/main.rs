//! The phone-side flows through the FFI surface, against the real server
//! binary. The Kotlin (android/lawcircle-core) and Swift (ios/) suites run
//! the same flows through the generated bindings.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lawcircle_e2e::{Server, Storage};

/// Embedded SQLite in `dir`.
fn sqlite(dir: &std::path::Path) -> Storage {
    Storage {
        data_dir: dir.to_path_buf(),
        database_url: None,
    }
}
use lawcircle_e2e::people::{People, seed_people};
use lawcircle_ffi::{
    AttachmentInput, ClientConfig, Connectivity, ConnectivityListener, Credentials, Datum,
    DeviceTime, FenceVerdict, FixSource, GpsFix, LawCircleClient, LawCircleError, NearbyQuery,
    NeedForm, OrderListener, OrderSummary, OutboxChange, OutboxListener, OutboxState, Point,
    PunchKind, walk_estimate,
};
use lawcircle_ffi::{
    Channel, FacilityKind, NeedCategory, NeedStepKind, OrderState, Role, ServiceProduct, Urgency,
};
use lawcircle_ffi::{HttpTransport, RustTransport};

/// reqwest behind the foreign transport trait, as a shell's would be.
fn transport() -> Arc<dyn HttpTransport> {
    let reqwest = lawcircle_client::http::reqwest::ReqwestTransport::new().unwrap();
    Arc::new(RustTransport(Arc::new(reqwest)))
}

fn open(server_url: &str, dir: &std::path::Path) -> Arc<LawCircleClient> {
    LawCircleClient::open(
        ClientConfig {
            database_path: dir
                .join("phone/lawcircle.sqlite")
                .to_string_lossy()
                .into_owned(),
            server_url: server_url.to_string(),
            credentials: Credentials {
                user_id: "resident-1".to_string(),
                secret: "s3cret".to_string(),
            },
        },
        transport(),
    )
    .unwrap()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Connectivity>>);

impl ConnectivityListener for Recorder {
    fn on_change(&self, connectivity: Connectivity) {
        self.0.lock().unwrap().push(connectivity);
    }
}

impl Recorder {
    fn wait_for(&self, n: usize) -> Vec<Connectivity> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let seen = self.0.lock().unwrap().clone();
            if seen.len() >= n || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[tokio::test]
async fn health_of_the_demo_server_through_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&sqlite(dir.path()), &["--demo"]);
    let client = open(&server.base_url, dir.path());
    assert!(dir.path().join("phone").is_dir());
    let health = client.server_health().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, "sqlite");
    assert!(health.catalogue_version > 0);
    server.stop();
}

#[tokio::test]
async fn a_demo_facility_is_within_the_circle_of_its_amap_pin() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&sqlite(dir.path()), &["--demo"]);
    let body: serde_json::Value = lawcircle_e2e::http_get(server.url("/api/v1/facilities"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = &body["features"][0]["geometry"]["coordinates"];
    let facility = Point {
        lat: c[1].as_f64().unwrap(),
        lng: c[0].as_f64().unwrap(),
        datum: Datum::Wgs84,
    };
    // The same numbers read as an Amap (GCJ-02) pin are 300-600 m off.
    let misread = Point {
        datum: Datum::Gcj02,
        ..facility
    };
    let w = walk_estimate(facility, misread).unwrap();
    assert!((200.0..700.0).contains(&w.distance_m), "{w:?}");
    assert!(w.within_circle);
    server.stop();
}

#[test]
fn connectivity_goes_online_then_offline_and_a_cancelled_watch_hears_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&sqlite(dir.path()), &["--demo"]);
    let client = open(&server.base_url, dir.path());
    let kept = Arc::new(Recorder::default());
    let cancelled = Arc::new(Recorder::default());
    let kept_handle = client.watch_connectivity(kept.clone(), 100).unwrap();
    let cancelled_handle = client.watch_connectivity(cancelled.clone(), 100).unwrap();
    assert!(matches!(kept.wait_for(1)[0], Connectivity::Online { .. }));
    assert!(matches!(
        cancelled.wait_for(1)[0],
        Connectivity::Online { .. }
    ));
    cancelled_handle.cancel();
    assert!(cancelled_handle.is_cancelled());
    server.stop();
    let seen = kept.wait_for(2);
    assert!(matches!(seen[1], Connectivity::Offline { .. }), "{seen:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(cancelled.0.lock().unwrap().len(), 1);
    kept_handle.cancel();
}

#[test]
fn bad_configuration_is_an_invalid_input_naming_the_field() {
    let err = LawCircleClient::open(
        ClientConfig {
            database_path: "/tmp/x.sqlite".to_string(),
            server_url: "lawcircle.example".to_string(),
            credentials: Credentials {
                user_id: "u".to_string(),
                secret: String::new(),
            },
        },
        transport(),
    )
    .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "server_url"));
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) on loopback: nothing listens there.
    let client = open("http://127.0.0.1:9", dir.path());
    let err = client.server_health().await.unwrap_err();
    assert!(matches!(err, LawCircleError::Network { .. }), "{err:?}");
}

// ---- the user flows (the Kotlin and Swift suites run the same) -----------

fn phone(
    server_url: &str,
    dir: &std::path::Path,
    who: &str,
    password: &str,
) -> Arc<LawCircleClient> {
    LawCircleClient::open(
        ClientConfig {
            database_path: dir
                .join(format!("{who}/lawcircle.sqlite"))
                .to_string_lossy()
                .into_owned(),
            server_url: server_url.to_string(),
            credentials: Credentials {
                user_id: who.to_string(),
                secret: password.to_string(),
            },
        },
        transport(),
    )
    .unwrap()
}

/// A server with the demo data and the flows' people.
async fn world(dir: &std::path::Path) -> (Server, People) {
    let storage = sqlite(dir);
    // Push endpoints on loopback (where nothing listens) are let in for
    // tests only.
    let server = Server::start(&storage, &["--demo", "--push-allow-plain-http"]);
    let people = seed_people(&server.base_url, &storage).await.unwrap();
    (server, people)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A monotonic clock for the fixes (the phone's "since boot").
fn elapsed_ms() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 10_000_000
}

fn fix(lat: f64, lng: f64) -> GpsFix {
    GpsFix {
        lat,
        lng,
        datum: Datum::Wgs84,
        accuracy_m: 8.0,
        source: FixSource::Gps,
        is_mock: false,
        wall_time_ms: now_ms(),
        elapsed_ms: elapsed_ms(),
        speed_mps: None,
    }
}

fn device_now() -> DeviceTime {
    DeviceTime {
        wall_ms: now_ms(),
        elapsed_ms: elapsed_ms(),
    }
}

fn need_form(category: NeedCategory, area_code: &str) -> NeedForm {
    NeedForm {
        requester_name: "李四".to_string(),
        requester_phone: "13812345678".to_string(),
        requester_id_number: None,
        enterprise_name: None,
        enterprise_credit_code: None,
        category,
        description: "邻居装修噪音纠纷，希望咨询如何处理".to_string(),
        urgency: Urgency::Normal,
        address: "永中街道示例社区".to_string(),
        area_code: area_code.to_string(),
        point: None,
        channel: Channel::Online,
        post_id: None,
        consent_given: true,
        consent_notice_version: "v1".to_string(),
        attachments: vec![],
        application: None,
    }
}

/// The demo duty post's centre, where the flows' people stand.
fn at_post(people: &People) -> Point {
    Point {
        lat: people.post_lat,
        lng: people.post_lng,
        datum: Datum::Wgs84,
    }
}

/// The `k` nearest to `point` among `kinds` offering `products`.
fn query(point: Point, k: u32, kinds: &[FacilityKind], products: &[ServiceProduct]) -> NearbyQuery {
    NearbyQuery {
        point,
        k,
        kinds: kinds.to_vec(),
        products: products.to_vec(),
        open_at_ms: None,
        max_distance_m: None,
        at_ms: None,
    }
}

#[tokio::test]
async fn find_the_nearest_service_point_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    let status = client.refresh_catalogue().await.unwrap();
    assert!(status.facilities > 100, "{status:?}");
    assert!(status.duty_posts > 0);
    let here = at_post(&people);
    let online = client
        .nearest(query(here, 5, &[], &[ServiceProduct::Mediation]))
        .unwrap();
    assert_eq!(online.len(), 5);
    assert!(
        online
            .iter()
            .all(|p| p.products.contains(&ServiceProduct::Mediation))
    );
    assert!(online.windows(2).all(|w| w[0].walking_m <= w[1].walking_m));
    assert!(online.iter().all(|p| p.walking_estimated));
    server.stop();
    // Offline, and from a new client on the same phone database.
    let again = phone("http://127.0.0.1:9", dir.path(), "resident", "x");
    let offline = again
        .nearest(query(here, 5, &[], &[ServiceProduct::Mediation]))
        .unwrap();
    assert_eq!(offline, online);
    let coverage = again.coverage_at(here).unwrap();
    assert_eq!(coverage.total, 8);
    assert!(coverage.covered >= 1, "{coverage:?}");
    // A nonsense bound is an error naming the field.
    let err = again
        .nearest(NearbyQuery {
            max_distance_m: Some(-1.0),
            ..query(here, 1, &[], &[])
        })
        .unwrap_err();
    assert!(
        matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "max_distance_m")
    );
}

#[tokio::test]
async fn clock_in_inside_and_outside_the_fence() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let client = phone(
        &server.base_url,
        dir.path(),
        "volunteer",
        &people.volunteer.password,
    );
    let me = client.sign_in().await.unwrap();
    assert_eq!(me.id, people.volunteer.id);
    client.refresh_catalogue().await.unwrap();
    let here = at_post(&people);
    let posts = client.duty_posts(Some(here)).unwrap();
    assert_eq!(posts[0].id, people.post_id, "{:?}", &posts[..2]);
    // An hour ago at the post: inside.
    let hour_ago = |mut f: GpsFix| {
        f.wall_time_ms -= 3_600_000;
        f.elapsed_ms -= 3_600_000;
        f
    };
    let then = DeviceTime {
        wall_ms: now_ms() - 3_600_000,
        elapsed_ms: elapsed_ms() - 3_600_000,
    };
    let inside = client
        .clock_in(
            people.post_id.clone(),
            PunchKind::In,
            Some(hour_ago(fix(people.post_lat, people.post_lng))),
            then,
        )
        .await
        .unwrap();
    assert_eq!(inside.check.verdict, FenceVerdict::Inside, "{inside:?}");
    // Now, 1 km north: outside, still recorded (flagged for staff).
    let outside = client
        .clock_in(
            people.post_id.clone(),
            PunchKind::Out,
            Some(fix(people.post_lat + 0.009, people.post_lng)),
            device_now(),
        )
        .await
        .unwrap();
    assert_eq!(outside.check.verdict, FenceVerdict::Outside, "{outside:?}");
    assert!(outside.check.reasons.contains(&"outside_fence".to_string()));
    assert_eq!(client.outbox_counts().unwrap().pending, 2);
    let report = client.sync(30_000, None).await.unwrap();
    assert_eq!(
        (report.sent, report.pending, report.wedged),
        (2, 0, 0),
        "{report:?} {:?}",
        client.outbox_entries().unwrap()
    );
    // The server re-checked with the same rules and agrees.
    let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
    let queue = staff.get("/api/v1/punches/review-queue").await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    let punches = queue.body.as_array().unwrap();
    let find = |id: &str| {
        punches
            .iter()
            .find(|p| p["punch"]["id"] == id)
            .unwrap_or_else(|| panic!("punch {id} on the server: {punches:?}"))
    };
    for (receipt, verdict) in [(&inside, "inside"), (&outside, "outside")] {
        let p = &find(&receipt.punch_id)["punch"];
        assert_eq!(p["device_decision"]["verdict"], verdict);
        assert_eq!(p["server_decision"]["verdict"], verdict, "{p:?}");
    }
    let not_inside = |id: &str| {
        find(id)["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["type"] == "not_inside")
    };
    assert!(
        not_inside(&outside.punch_id),
        "the outside punch is flagged"
    );
    assert!(!not_inside(&inside.punch_id));
    // An unknown post is refused before anything is queued.
    let err = client
        .clock_in("LW-NOPE".to_string(), PunchKind::In, None, device_now())
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "post_id"));
    assert_eq!(client.outbox_counts().unwrap().pending, 0);
    server.stop();
}

#[derive(Default)]
struct Changes(Mutex<Vec<OutboxChange>>);

impl OutboxListener for Changes {
    fn on_change(&self, change: OutboxChange) {
        self.0.lock().unwrap().push(change);
    }
}

#[tokio::test]
async fn submit_a_need_offline_then_sync() {
    let dir = tempfile::tempdir().unwrap();
    let storage = sqlite(dir.path());
    let (server, people) = world(dir.path()).await;
    let addr = server.base_url.trim_start_matches("http://").to_string();
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    client.sign_in().await.unwrap();
    server.stop();
    let changes = Arc::new(Changes::default());
    let handle = client.watch_outbox(changes.clone());
    // A bad form is refused field by field and nothing is queued.
    let mut bad = need_form(NeedCategory::Consultation, &people.village_code);
    bad.requester_phone = "12345".to_string();
    let problems = client.validate_need(bad.clone()).unwrap();
    assert!(
        problems.iter().any(|p| p.field == "requester.phone"),
        "{problems:?}"
    );
    assert!(client.submit_need(bad).await.is_err());
    // Offline: queued with a photo, durable.
    let mut form = need_form(NeedCategory::Consultation, &people.village_code);
    let photo = dir.path().join("cache-photo.png");
    std::fs::write(&photo, TINY_PNG).unwrap();
    form.attachments = vec![AttachmentInput {
        path: photo.to_string_lossy().into_owned(),
        display_name: None,
    }];
    let key = client.submit_need(form).await.unwrap();
    // The app's cache file may go: the library sends its own copy.
    std::fs::remove_file(&photo).unwrap();
    let err = client.sync(0, None).await.unwrap_err();
    assert!(matches!(err, LawCircleError::Network { .. }), "{err:?}");
    let entry = client.outbox_entry(key.clone()).unwrap();
    assert_ne!(entry.state, OutboxState::Sent);
    assert_eq!(client.outbox_counts().unwrap().pending, 2, "need + photo");
    // Back online on the same address: delivered once.
    let server = Server::start_on(&storage, &addr, &["--demo"], "warn");
    let report = client.sync(30_000, None).await.unwrap();
    assert_eq!(report.pending, 0, "{report:?}");
    assert_eq!(
        client.outbox_entry(key.clone()).unwrap().state,
        OutboxState::Sent
    );
    let again = client.sync(5_000, None).await.unwrap();
    assert_eq!(again.sent, 0, "nothing is sent twice");
    let mine = client.my_needs().await.unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].client_key, key);
    assert_eq!(mine[0].order_state, Some(OrderState::Open));
    let seen = changes.0.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|c| c.key == key && c.to == OutboxState::Sent),
        "{seen:?}"
    );
    handle.cancel();
    assert!(handle.is_cancelled());
    server.stop();
}

mod attachments;
mod between_people;
mod cancel;
mod credentials;
mod holder;

/// A 1×1 PNG's first bytes (the server types files by their content).
const TINY_PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_keeps_no_session_and_refuses_to_strand_unsent_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    let account = client.sign_in().await.unwrap();
    assert_eq!(client.account(), Some(account.clone()));
    // Nothing waiting: signed out at once, the account forgotten.
    client.sign_out(false).await.unwrap();
    assert_eq!(client.account(), None);
    // A need queued while the server is away would go out under the next
    // user's session: refused, naming the outbox, and nothing is lost.
    assert_eq!(client.sign_in().await.unwrap(), account);
    server.stop();
    let key = client
        .submit_need(need_form(NeedCategory::Consultation, &people.village_code))
        .await
        .unwrap();
    match client.sign_out(false).await.unwrap_err() {
        LawCircleError::InvalidInput { field, reason } => {
            assert_eq!(field, "outbox");
            assert!(reason.starts_with("1 entries"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.account(), Some(account));
    assert_eq!(client.outbox_counts().unwrap().pending, 1);
    // Discarding on purpose, offline: the token is forgotten here.
    client.sign_out(true).await.unwrap();
    assert_eq!(client.account(), None);
    assert_eq!(client.outbox_counts().unwrap().pending, 0);
    assert!(
        client.outbox_entry(key).is_err(),
        "discarded entries are deleted"
    );
}
