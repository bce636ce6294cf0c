//! Several server instances on one database behave as one.
//!
//! On PostgreSQL (skipped, saying so, when `LAWCIRCLE_TEST_POSTGRES_URL`
//! is unset): two server processes on one database, a district admin's
//! live order stream open on each. Orders filed through either instance
//! reach both streams, each event exactly once (counted by id); a stream
//! closed and resumed with `Last-Event-ID` on the other instance gets
//! everything it missed and nothing twice; a volunteer's notification
//! stream on one instance hears of an offer made through the other, and
//! resumes there; a grab storm across both
//! instances has one winner per order; the background job runs on one
//! instance only, and when that instance is killed with `kill -9` the
//! other takes it over within the lease (seen in `/health` and in an
//! escalation only the survivor can make). The fan-out latency across
//! instances is printed next to the same-instance latency of the same run
//! (`LAWCIRCLE_FANOUT_EVENTS` orders, 100 by default; docs/benchmarks.md
//! has a run with 1,000).
//!
//! On every backend: a stream resumed with `Last-Event-ID` on one
//! instance gets what it missed, and a resume point from before what the
//! server keeps gets `event: resync`.

use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, people};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PW: &str = "correct-horse-42";
const STREET: &str = "330303001";
const VILLAGE: &str = "330303001001";
/// The lease of the background job in these tests, seconds.
const LEASE_SECS: u64 = 2;

/// One server-sent event as received.
#[derive(Debug, Clone)]
struct Got {
    kind: String,
    id: Option<i64>,
    data: Value,
    at: Instant,
}

/// An open order stream collecting its events.
struct Stream {
    got: Arc<Mutex<Vec<Got>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stream {
    /// Opens `GET /api/v1/events` as `c`, resuming after `last` if given.
    async fn open(c: &Client, last: Option<i64>) -> Stream {
        let mut req = c
            .http
            .get(format!("{}/api/v1/events", c.base))
            .bearer_auth(c.token.as_deref().unwrap());
        if let Some(last) = last {
            req = req.header("Last-Event-ID", last.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let sink = got.clone();
        let task = tokio::spawn(async move {
            let mut resp = resp;
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                let at = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    let (mut kind, mut id, mut data) = (String::new(), None, String::new());
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            kind = v.trim().to_string();
                        } else if let Some(v) = line.strip_prefix("id:") {
                            id = v.trim().parse().ok();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    if kind.is_empty() {
                        continue; // a keep-alive comment
                    }
                    let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                    sink.lock().unwrap().push(Got { kind, id, data, at });
                }
            }
        });
        Stream { got, task }
    }

    fn events(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// The order events' ids, as received (with repeats, if any).
    fn ids(&self) -> Vec<i64> {
        self.events()
            .iter()
            .filter(|g| g.kind == "order")
            .map(|g| g.id.expect("every order event has an id"))
            .collect()
    }

    /// When the first event about `order` in state `state` arrived.
    fn arrival(&self, order: &str, state: &str) -> Option<Instant> {
        self.events()
            .iter()
            .find(|g| g.data["order_id"] == order && g.data["state"] == state)
            .map(|g| g.at)
    }

    fn close(self) {
        self.task.abort();
    }
}

/// An open notification stream (`/api/v1/notifications/stream`).
struct Messages {
    /// (stream position, order id) of each offer received.
    got: Arc<Mutex<Vec<(i64, String)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Messages {
    async fn open(c: &Client, last: Option<i64>) -> Messages {
        let mut req = c
            .http
            .get(format!("{}/api/v1/notifications/stream", c.base))
            .bearer_auth(c.token.as_deref().unwrap());
        if let Some(last) = last {
            req = req.header("Last-Event-ID", last.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let got: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
        let sink = got.clone();
        let task = tokio::spawn(async move {
            let mut resp = resp;
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    let (mut id, mut data) = (None, String::new());
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("id:") {
                            id = v.trim().parse::<i64>().ok();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                    if let (Some(id), Some(order)) = (id, data["order_id"].as_str())
                        && data["event"] == "offer"
                    {
                        sink.lock().unwrap().push((id, order.to_string()));
                    }
                }
            }
        });
        Messages { got, task }
    }

    /// The stream position of the offer of `order`, once received.
    fn seq_of(&self, order: &str) -> Option<i64> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .find(|(_, o)| o == order)
            .map(|(seq, _)| *seq)
    }

    fn close(self) {
        self.task.abort();
    }
}

async fn wait_until<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A client of the same account on another instance.
fn on(c: &Client, server: &Server) -> Client {
    let mut c = c.clone();
    c.base = server.base_url.clone();
    c
}

async fn file(c: &Client, category: &str) -> String {
    c.submit_need(&lawcircle_e2e::intake::need_json(category, VILLAGE))
        .await
}

/// Near the demo village's centroid, so the volunteer is within a walk.
fn here() -> Value {
    let text =
        std::fs::read_to_string(lawcircle_e2e::repo_root().join("data/longwan/areas.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(VILLAGE)).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    json!({"lat": f[4].parse::<f64>().unwrap(), "lng": f[5].parse::<f64>().unwrap()})
}

/// A volunteer approved into the pool and clocked in near the village.
async fn volunteer(server: &Server, admin: &Client, staff: &Client, name: &str) -> Client {
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
    c
}

/// p-th percentile (0–100) of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `/health` of a server.
async fn health(server: &Server) -> Value {
    lawcircle_e2e::http_get(server.url("/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_behave_as_one() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        eprintln!(
            "skipped: two instances need PostgreSQL and LAWCIRCLE_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&backend, dir.path()).await;
    let lease = LEASE_SECS.to_string();
    let common = [
        "--jobs-interval-ms",
        "200",
        "--grab-window-secs",
        "3600",
        "--test-clock",
        "--leader-lease-secs",
        &lease,
        // Streams poll the database only hourly: what reaches them sooner
        // was woken across instances.
        "--session-recheck-secs",
        "3600",
    ];
    let mut args_a = vec!["--demo", "--instance-id", "inst-a"];
    args_a.extend_from_slice(&common);
    let a = Server::start(&storage, &args_a);
    let mut args_b = vec!["--instance-id", "inst-b"];
    args_b.extend_from_slice(&common);
    let b = Server::start(&storage, &args_b);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin_a = Client::login(&a, "admin", PW).await;
    people::create_account(&admin_a, "staff", "station_staff", STREET, PW)
        .await
        .unwrap();
    people::create_account(&admin_a, "resident", "resident", STREET, PW)
        .await
        .unwrap();
    let admin_b = Client::login(&b, "admin", PW).await;
    let staff = Client::login(&a, "staff", PW).await;
    let resident_a = Client::login(&a, "resident", PW).await;
    let resident_b = on(&resident_a, &b);

    // 1. Orders filed through either instance reach a stream on each,
    // every event once.
    let on_a = Stream::open(&admin_a, None).await;
    let on_b = Stream::open(&admin_b, None).await;
    let n: usize = std::env::var("LAWCIRCLE_FANOUT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    // (order, filed through A, when its creation was answered)
    let mut filed = Vec::with_capacity(n);
    for i in 0..n {
        let through_a = i % 2 == 0;
        let order = file(
            if through_a { &resident_a } else { &resident_b },
            "consultation",
        )
        .await;
        filed.push((order.clone(), through_a, Instant::now()));
        // One at a time: latency, not queueing, is measured.
        wait_until("the order on both streams", async || {
            (on_a.arrival(&order, "open").is_some() && on_b.arrival(&order, "open").is_some())
                .then_some(())
        })
        .await;
    }
    for s in [&on_a, &on_b] {
        let ids = s.ids();
        let unique: BTreeSet<i64> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "an event came twice: {ids:?}");
        for (order, _, _) in &filed {
            let count = s
                .events()
                .iter()
                .filter(|g| g.data["order_id"] == order.as_str())
                .count();
            assert_eq!(count, 1, "order {order} was told {count} times");
        }
    }
    assert_eq!(
        on_a.ids().into_iter().collect::<BTreeSet<_>>(),
        on_b.ids().into_iter().collect::<BTreeSet<_>>(),
        "both streams see the same events"
    );
    // Latency from the creation's answer to the event's arrival, on the
    // instance that made it and on the other (ms; slightly negative when
    // the event overtook the HTTP answer).
    let (mut same, mut cross) = (Vec::new(), Vec::new());
    for (order, through_a, answered) in &filed {
        let ms = |at: Instant| {
            if at >= *answered {
                at.duration_since(*answered).as_secs_f64() * 1e3
            } else {
                -(answered.duration_since(at).as_secs_f64() * 1e3)
            }
        };
        let ta = ms(on_a.arrival(order, "open").unwrap());
        let tb = ms(on_b.arrival(order, "open").unwrap());
        let (s, c) = if *through_a { (ta, tb) } else { (tb, ta) };
        same.push(s);
        cross.push(c);
    }
    same.sort_by(f64::total_cmp);
    cross.sort_by(f64::total_cmp);
    let (s50, s99, c50, c99) = (
        percentile(&same, 50.0),
        percentile(&same, 99.0),
        percentile(&cross, 50.0),
        percentile(&cross, 99.0),
    );
    println!(
        "fan-out over {n} orders: same instance p50 {s50:.2} ms p99 {s99:.2} ms; \
         other instance p50 {c50:.2} ms p99 {c99:.2} ms; ratio p50 {:.2} p99 {:.2}",
        c50 / s50.max(0.001),
        c99 / s99.max(0.001)
    );

    // 2. The stream on A closes; more orders are filed through both; a
    // stream resumed on B with the last id A's stream got gets exactly the
    // events it missed.
    let last = *on_a.ids().iter().max().unwrap();
    on_a.close();
    let mut missed = Vec::new();
    for i in 0..10 {
        let c = if i % 2 == 0 { &resident_a } else { &resident_b };
        missed.push(file(c, "consultation").await);
    }
    wait_until("the missed orders on B's stream", async || {
        missed
            .iter()
            .all(|o| on_b.arrival(o, "open").is_some())
            .then_some(())
    })
    .await;
    let resumed = Stream::open(&admin_b, Some(last)).await;
    let expected: BTreeSet<i64> = on_b.ids().into_iter().filter(|id| *id > last).collect();
    wait_until("the resumed stream to catch up", async || {
        let got: BTreeSet<i64> = resumed.ids().into_iter().collect();
        expected.is_subset(&got).then_some(())
    })
    .await;
    let ids = resumed.ids();
    assert!(ids.iter().all(|id| *id > last), "sent again: {ids:?}");
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "twice: {ids:?}"
    );
    for o in &missed {
        assert!(resumed.arrival(o, "open").is_some(), "lost {o}");
    }
    resumed.close();

    // 3. A grab storm across both instances: one winner per order, and
    // both streams hear of the claim once.
    let mut grabbers = Vec::new();
    for i in 0..4 {
        let c = volunteer(&a, &admin_a, &staff, &format!("vol{i}")).await;
        grabbers.push(if i % 2 == 1 { on(&c, &b) } else { c });
    }
    // A volunteer's notification stream on B hears of an offer made
    // through A (woken across instances, not by the hourly poll), and
    // resumes on A after its last message.
    let vol_on_b = on(&grabbers[0], &b);
    let messages = Messages::open(&vol_on_b, None).await;
    // First an offer made through B itself: once the stream has sent it
    // (and a moment after), it waits for news, so what comes next reaches
    // it only by a wake-up.
    let local = file(&resident_b, "consultation").await;
    wait_until("the offer on B's own notification stream", async || {
        messages.seq_of(&local)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let offered = file(&resident_a, "consultation").await;
    let seq = wait_until("the offer on B's notification stream", async || {
        messages.seq_of(&offered)
    })
    .await;
    messages.close();
    let offered_later = file(&resident_b, "consultation").await;
    let resumed = Messages::open(&on(&grabbers[0], &a), Some(seq)).await;
    wait_until("the later offer on A's resumed stream", async || {
        resumed.seq_of(&offered_later)
    })
    .await;
    assert!(
        resumed.seq_of(&offered).is_none(),
        "the message before Last-Event-ID was sent again"
    );
    resumed.close();
    for _ in 0..3 {
        let order = file(&resident_a, "consultation").await;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let mut c = grabbers[i % grabbers.len()].clone();
            c.http = lawcircle_e2e::http_client();
            let path = format!("/api/v1/orders/{order}/grab");
            tasks.push(tokio::spawn(
                async move { c.post(&path, &here()).await.status },
            ));
        }
        let mut by_status = BTreeMap::new();
        for t in tasks {
            *by_status.entry(t.await.unwrap()).or_insert(0) += 1;
        }
        assert_eq!(
            by_status,
            BTreeMap::from([(200, 1), (409, 99)]),
            "one winner for {order}"
        );
        wait_until("the claim on B's stream", async || {
            on_b.arrival(&order, "claimed").map(|_| ())
        })
        .await;
        let claims = on_b
            .events()
            .iter()
            .filter(|g| g.data["order_id"] == order.as_str() && g.data["state"] == "claimed")
            .count();
        assert_eq!(claims, 1, "the claim of {order} told {claims} times");
    }
    let ids = on_b.ids();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "twice: {ids:?}"
    );

    // 4. The background job runs on one instance; killed, the other takes
    // over within the lease.
    let (ha, hb) = (health(&a).await, health(&b).await);
    assert_eq!(ha["instance"], "inst-a");
    assert_eq!(hb["instance"], "inst-b");
    assert_eq!(ha["jobs_leader"], hb["jobs_leader"], "{ha} {hb}");
    let a_leads = match ha["jobs_leader"].as_str() {
        Some("inst-a") => true,
        Some("inst-b") => false,
        other => panic!("no leader: {other:?}"),
    };
    let (leader, follower) = if a_leads { (a, b) } else { (b, a) };
    let follower_resident = on(&resident_a, &follower);
    let follower_admin = on(&admin_a, &follower);
    // A consultation past its grab window by the follower's clock only:
    // the leader's clock is not moved, so only the follower could escalate
    // it, and it does not while it does not lead.
    let late = file(&follower_resident, "consultation").await;
    let r = follower_admin
        .post("/api/v1/test/clock", &json!({"seconds": 3601}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = follower_admin.get(&format!("/api/v1/orders/{late}")).await;
    assert_eq!(
        r.body["state"], "open",
        "the follower ran the job: {:?}",
        r.body
    );
    let follower_name = if a_leads { "inst-b" } else { "inst-a" };
    let killed = Instant::now();
    drop(leader); // SIGKILL: no orderly release of the lease
    let took_over = wait_until("the follower to lead", async || {
        (health(&follower).await["jobs_leader"] == follower_name).then(Instant::now)
    })
    .await;
    let escalated = wait_until("the escalation by the new leader", async || {
        let r = follower_admin.get(&format!("/api/v1/orders/{late}")).await;
        (r.body["state"] == "escalated").then(Instant::now)
    })
    .await;
    println!(
        "leader killed: the other instance led after {:.2} s and escalated after {:.2} s \
         (lease {LEASE_SECS} s, renewed every third)",
        took_over.duration_since(killed).as_secs_f64(),
        escalated.duration_since(killed).as_secs_f64()
    );
    on_b.close();
    follower.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resumes_after_its_last_event_id() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo", "--grab-window-secs", "3600"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        people::create_account(&admin, "resident", "resident", STREET, PW)
            .await
            .unwrap();
        let resident = Client::login(&server, "resident", PW).await;
        let live = Stream::open(&admin, None).await;
        let first = file(&resident, "consultation").await;
        let last = wait_until("the first order", async || {
            live.events()
                .iter()
                .find(|g| g.data["order_id"] == first.as_str())
                .and_then(|g| g.id)
        })
        .await;
        let mut later = Vec::new();
        for _ in 0..3 {
            later.push(file(&resident, "consultation").await);
        }
        let resumed = Stream::open(&admin, Some(last)).await;
        wait_until("the missed orders", async || {
            later
                .iter()
                .all(|o| resumed.arrival(o, "open").is_some())
                .then_some(())
        })
        .await;
        assert!(
            resumed.arrival(&first, "open").is_none(),
            "{}: the last event received was sent again",
            backend.name()
        );
        // On SQLite ids start above the process's start time: a position
        // from before it (an earlier process) gets a reload. On PostgreSQL
        // ids are the database's and position 1 is still kept: the stream
        // resumes from there.
        let stale = Stream::open(&admin, Some(1)).await;
        if backend == Backend::Sqlite {
            wait_until("a resync", async || {
                stale
                    .events()
                    .first()
                    .map(|g| assert_eq!(g.kind, "resync", "{g:?}"))
            })
            .await;
        } else {
            wait_until("the orders after position 1", async || {
                later
                    .iter()
                    .all(|o| stale.arrival(o, "open").is_some())
                    .then_some(())
            })
            .await;
            assert!(stale.events().iter().all(|g| g.kind == "order"));
        }
        // A position that is not a number is refused.
        let r = admin
            .send(
                admin
                    .http
                    .get(format!("{}/api/v1/events", admin.base))
                    .header("Last-Event-ID", "yesterday"),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        for s in [live, resumed, stale] {
            s.close();
        }
        server.stop();
    }
}
