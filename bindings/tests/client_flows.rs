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
use lawcircle_ffi::{
    ClientConfig, Connectivity, ConnectivityListener, Credentials, Datum, LawCircleClient,
    LawCircleError, Point, walk_estimate,
};

fn open(server_url: &str, dir: &std::path::Path) -> Arc<LawCircleClient> {
    LawCircleClient::open(ClientConfig {
        database_path: dir
            .join("phone/lawcircle.sqlite")
            .to_string_lossy()
            .into_owned(),
        server_url: server_url.to_string(),
        credentials: Credentials {
            user_id: "resident-1".to_string(),
            secret: "s3cret".to_string(),
        },
    })
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
    let err = LawCircleClient::open(ClientConfig {
        database_path: "/tmp/x.sqlite".to_string(),
        server_url: "lawcircle.example".to_string(),
        credentials: Credentials {
            user_id: "u".to_string(),
            secret: String::new(),
        },
    })
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
