//! Notification throughput and the cost they add to a grab, on embedded
//! SQLite and (when `LAWCIRCLE_TEST_POSTGRES_URL` is set) PostgreSQL: the
//! real server binary on loopback, the UnifiedPush fake (checking VAPID
//! and decrypting every message) as the push service.
//!
//! 1. Staff file `BASE` consultations while nobody is on duty: orders
//!    whose grab writes no message (no offers, no requester account).
//! 2. `VOLUNTEERS` volunteers clock in, each with a push device; staff file
//!    `FILED` consultations while the push service holds every request:
//!    each queues one offer per volunteer in its intake transaction
//!    (queued per second = messages / filing time).
//! 3. The push service lets go: delivered per second = deliveries / the
//!    time until the last arrives.
//! 4. The same with APNs: each volunteer's push device becomes an APNs
//!    device token (the fake APNs: HTTP/2 over TLS, every provider token
//!    verified); `FILED` more consultations while APNs holds every
//!    request, then delivered per second, and its ratio to UnifiedPush.
//! 5. Grabs, one at a time, alternating: an order of step 1 (nothing to
//!    write but the order) and one of step 2 (withdraws the other
//!    volunteers' offers and queues their withdrawals, with a delivery
//!    per device): the mean of each and their ratio.
//!
//! `cargo build -p lawcircle-server && cargo run -p lawcircle-e2e --bin notify-bench`
//! (add `--release` to both for release figures).

use lawcircle_e2e::fake_apns::FakeApns;
use lawcircle_e2e::fake_push::FakePush;
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, people};
use serde_json::json;
use std::time::{Duration, Instant};

const PW: &str = "correct-horse-42";
const STREET: &str = "330303001";
const BASE: usize = 40;
const FILED: usize = 100;
const VOLUNTEERS: usize = 20;

fn need() -> serde_json::Value {
    json!({
        "requester": {"name": "李四", "phone": "13812345678"},
        "category": "consultation",
        "description": "邻居装修噪音纠纷，希望调解",
        "urgency": "normal",
        "location": {"address": "永中街道示例社区", "area_code": "330303001001"},
        "channel": "online",
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}
    })
}

async fn file(c: &Client) -> String {
    c.submit_need(&need()).await
}

async fn run(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let push = FakePush::start().await;
    let apns = FakeApns::start().await;
    let mut args: Vec<String> = [
        "--demo",
        "--push-allow-plain-http",
        "--grab-window-secs",
        "86400",
    ]
    .map(String::from)
    .to_vec();
    args.extend(apns.server_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(&storage, &args);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    people::create_account(&admin, "staff", "station_staff", STREET, PW)
        .await
        .unwrap();
    let staff = Client::login(&server, "staff", PW).await;

    let mut plain = Vec::new();
    for _ in 0..BASE {
        plain.push(file(&staff).await);
    }

    let mut vols = Vec::new();
    let mut subs = Vec::new();
    let mut devices = Vec::new();
    for i in 0..VOLUNTEERS {
        let name = format!("vol{i}");
        let id = people::create_account(&admin, &name, "resident", STREET, PW)
            .await
            .unwrap();
        let c = Client::login(&server, &name, PW).await;
        people::join_pool(&c, &staff, &name, STREET, &["综合"], "24/7")
            .await
            .unwrap();
        people::clock_in(&c, &id.to_string(), "LW-P0011", 27.93, 120.815)
            .await
            .unwrap();
        let sub = push.subscribe();
        let r = c
            .post(
                "/api/v1/devices",
                &json!({"kind": "unifiedpush", "address": sub.endpoint,
                        "p256dh": sub.p256dh, "auth": sub.auth}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        devices.push(r.body["id"].as_i64().unwrap());
        vols.push(c);
        subs.push(sub);
    }

    push.pause(true);
    let started = Instant::now();
    let mut offered = Vec::new();
    for _ in 0..FILED {
        offered.push(file(&staff).await);
    }
    let filing = started.elapsed();
    let queued = FILED * VOLUNTEERS;
    push.pause(false);
    let started = Instant::now();
    loop {
        let got: usize = subs.iter().map(|s| push.received(s).len()).sum();
        if got >= queued {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {got} delivered"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let delivering = started.elapsed();

    // APNs: the same volunteers, each with an iPhone instead.
    let mut tokens = Vec::new();
    for (c, device) in vols.iter().zip(&devices) {
        let r = c
            .send(c.http.delete(format!("{}/api/v1/devices/{device}", c.base)))
            .await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        let token = apns.device();
        let r = c
            .post(
                "/api/v1/devices",
                &json!({"kind": "apns", "address": token}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        tokens.push(token);
    }
    apns.pause(true);
    for _ in 0..FILED {
        file(&staff).await;
    }
    apns.pause(false);
    let started = Instant::now();
    loop {
        let got: usize = tokens.iter().map(|t| apns.received(t).len()).sum();
        if got >= queued {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {got} delivered by APNs"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let apns_delivering = started.elapsed();

    let (mut t_plain, mut t_offered) = (Duration::ZERO, Duration::ZERO);
    let n = BASE.min(FILED);
    for i in 0..n {
        let v = &vols[i % vols.len()];
        let t = Instant::now();
        let r = v
            .post(&format!("/api/v1/orders/{}/grab", plain[i]), &json!({}))
            .await;
        t_plain += t.elapsed();
        assert_eq!(r.status, 200, "{:?}", r.body);
        let t = Instant::now();
        let r = v
            .post(&format!("/api/v1/orders/{}/grab", offered[i]), &json!({}))
            .await;
        t_offered += t.elapsed();
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let mean = |d: Duration| d.as_secs_f64() * 1000.0 / n as f64;
    println!(
        "| {} | {queued} offers in {FILED} intakes: {:.2} s, **{:.0} queued/s** ({:.1} ms per intake) | {:.2} s, **{:.0} delivered/s** | {:.1} ms | {:.1} ms | **{:.2}×** |",
        backend.name(),
        filing.as_secs_f64(),
        queued as f64 / filing.as_secs_f64(),
        filing.as_secs_f64() * 1000.0 / FILED as f64,
        delivering.as_secs_f64(),
        queued as f64 / delivering.as_secs_f64(),
        mean(t_plain),
        mean(t_offered),
        mean(t_offered) / mean(t_plain),
    );
    let up_rate = queued as f64 / delivering.as_secs_f64();
    let apns_rate = queued as f64 / apns_delivering.as_secs_f64();
    println!(
        "APNs [{}]: {queued} offers delivered in {:.2} s, **{apns_rate:.0} delivered/s**, \
         {:.2}× UnifiedPush's {up_rate:.0}/s in the same run ({} provider token(s) used)",
        backend.name(),
        apns_delivering.as_secs_f64(),
        apns_rate / up_rate,
        apns.provider_tokens().len(),
    );
    server.stop();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "| backend | queue ({VOLUNTEERS} volunteers on duty, each with a push device) | delivery | grab, no messages | grab withdrawing {} offers | ratio |",
        VOLUNTEERS - 1
    );
    println!("|---|---|---|---|---|---|");
    for backend in backends() {
        run(&backend).await;
    }
}
