//! The concurrent drain against a fake server that keeps idempotency
//! records as the real one does: calls fail before or after the server
//! committed, the server goes away mid-drain, and still every entry is
//! recorded exactly once, in causal order.

use super::*;
use crate::http::{Response, StreamSink};
use crate::outbox::{BackoffPolicy, ItemState, NewItem};
use lawcircle_core::needs::{
    Channel, Consent, EnteredBy, NeedCategory, NeedDraft, NeedLocation, Requester, Urgency,
};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// What the fake server keeps: one record per idempotency key, with the
/// body it was made from and the answer given, and the order of commits.
#[derive(Default)]
struct Records {
    by_key: HashMap<String, (Vec<u8>, String)>,
    order: Vec<String>,
    /// Requests answered from an existing record (a retry after a lost
    /// answer).
    replays: usize,
}

/// How the fake behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every call answers.
    Healthy,
    /// Calls fail at random: before the commit (connection refused), with
    /// a 503, or after the commit with the answer lost.
    Flaky,
    /// After `n` commits the server "dies": every later call commits and
    /// then never answers (the process was killed after its commit).
    DiesAfter(usize),
}

struct FakeServer {
    mode: Mutex<Mode>,
    /// Whether it has the batch path (`false`: an older server, 404).
    batch: bool,
    /// Calls to the batch path.
    batch_calls: AtomicUsize,
    rng: Mutex<fastrand::Rng>,
    records: Mutex<Records>,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    hanging: AtomicUsize,
    all_hanging: Notify,
    parallelism: usize,
}

impl FakeServer {
    fn new(mode: Mode, parallelism: usize) -> Arc<Self> {
        Self::with_batch(mode, parallelism, false)
    }

    fn with_batch(mode: Mode, parallelism: usize, batch: bool) -> Arc<Self> {
        Arc::new(FakeServer {
            mode: Mutex::new(mode),
            batch,
            batch_calls: AtomicUsize::new(0),
            rng: Mutex::new(fastrand::Rng::with_seed(20261206)),
            records: Mutex::new(Records::default()),
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            hanging: AtomicUsize::new(0),
            all_hanging: Notify::new(),
            parallelism,
        })
    }

    /// Commits (or replays) the request; `Err` when the same key came
    /// with other content (the real server's 422).
    fn commit(&self, key: &str, body: &[u8]) -> Result<String, String> {
        commit(&mut self.records.lock().unwrap(), key, body)
    }
}

/// A receipt as the real server's: what the phone keeps as an entry's
/// result.
fn receipt(id: usize) -> String {
    serde_json::to_string(&lawcircle_api::needs::NeedReceipt {
        id: id as i64,
        order_id: format!("O{id}"),
        status: "submitted".into(),
        order_state: lawcircle_core::orders::order::OrderState::Open,
        street_code: None,
        received_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        service_code: None,
        service_version: None,
        legal_aid: None,
        tracking_code: None,
    })
    .unwrap()
}

/// The content a key is recorded with: the JSON value, however it was
/// spelled (the real server hashes the parsed need the same way).
fn content(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => serde_json::to_vec(&v).unwrap(),
        Err(_) => body.to_vec(),
    }
}

fn commit(r: &mut Records, key: &str, body: &[u8]) -> Result<String, String> {
    let body = content(body);
    let body = body.as_slice();
    if let Some((stored, answer)) = r.by_key.get(key) {
        if stored.as_slice() != body {
            return Err(format!("key {key} reused with other content"));
        }
        let answer = answer.clone();
        r.replays += 1;
        return Ok(answer);
    }
    let answer = receipt(r.order.len() + 1);
    r.by_key
        .insert(key.to_string(), (body.to_vec(), answer.clone()));
    r.order.push(key.to_string());
    Ok(answer)
}

fn conflict(e: &str) -> Result<Response, TransportError> {
    answer(
        422,
        format!(r#"{{"error":{{"code":"conflict","message":"{e}","field":null}}}}"#),
    )
}

fn answer(status: u16, body: String) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        headers: vec![],
        body: body.into_bytes(),
    })
}

/// Commits the entries of a batch in one go, as the real server's one
/// transaction: an entry whose need says `"bad": true` is invalid, a key
/// reused with other content a conflict; the answer lists every entry's
/// result in order.
fn commit_batch(r: &mut Records, body: &[u8]) -> String {
    let batch: NeedBatch = serde_json::from_slice(body).unwrap();
    let error = |code: &str, message: String| lawcircle_api::error::ErrorDetail {
        code: code.into(),
        message,
        field: None,
        details: None,
    };
    let results = batch
        .needs
        .into_iter()
        .map(|entry| {
            let idempotency_key = entry.idempotency_key;
            if entry.need.get("bad") == Some(&Value::Bool(true)) {
                return NeedBatchResult::Invalid {
                    idempotency_key,
                    status: 400,
                    error: error("bad_request", "a bad need".into()),
                };
            }
            let replays = r.replays;
            match commit(
                r,
                &idempotency_key,
                &serde_json::to_vec(&entry.need).unwrap(),
            ) {
                Ok(answer) => {
                    let receipt = serde_json::from_str(&answer).unwrap();
                    if r.replays > replays {
                        NeedBatchResult::Replayed {
                            idempotency_key,
                            receipt,
                        }
                    } else {
                        NeedBatchResult::Created {
                            idempotency_key,
                            receipt,
                        }
                    }
                }
                Err(e) => NeedBatchResult::Conflict {
                    idempotency_key,
                    error: error("conflict", e),
                },
            }
        })
        .collect();
    serde_json::to_string(&NeedBatchResults { results }).unwrap()
}

impl FakeServer {
    /// The batch path: 404 on an older server; else committed in one go,
    /// failing as the mode says (before the commit, with a 503, after the
    /// commit with the answer lost, or committed and never answered).
    async fn send_batch(&self, request: Request) -> Result<Response, TransportError> {
        self.batch_calls.fetch_add(1, Ordering::SeqCst);
        if !self.batch {
            return answer(
                404,
                r#"{"error":{"code":"not_found","message":"Not Found"}}"#.into(),
            );
        }
        let mode = *self.mode.lock().unwrap();
        let fate = self.rng.lock().unwrap().u8(0..10);
        match mode {
            Mode::Flaky if fate == 0 => Err(TransportError::Network("connection refused".into())),
            Mode::Flaky if fate == 1 => answer(
                503,
                r#"{"error":{"code":"unavailable","message":"restarting"}}"#.into(),
            ),
            Mode::Flaky if fate == 2 => {
                commit_batch(&mut self.records.lock().unwrap(), &request.body);
                Err(TransportError::Network("connection reset".into()))
            }
            Mode::DiesAfter(n) => {
                let (dead, body) = {
                    let mut r = self.records.lock().unwrap();
                    let dead = r.order.len() >= n;
                    (dead, commit_batch(&mut r, &request.body))
                };
                if dead {
                    self.in_flight.fetch_sub(1, Ordering::SeqCst);
                    if self.hanging.fetch_add(1, Ordering::SeqCst) + 1 == self.parallelism {
                        self.all_hanging.notify_one();
                    }
                    return std::future::pending().await;
                }
                answer(200, body)
            }
            _ => answer(
                200,
                commit_batch(&mut self.records.lock().unwrap(), &request.body),
            ),
        }
    }
}

#[async_trait::async_trait]
impl Transport for FakeServer {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if request.url.ends_with(NEED_BATCH_PATH) {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::task::yield_now().await;
            let result = self.send_batch(request).await;
            tokio::task::yield_now().await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return result;
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        // Let the other workers run: requests overlap as on a network.
        tokio::task::yield_now().await;
        let key = request
            .headers
            .iter()
            .find(|(n, _)| n == IDEMPOTENCY_KEY)
            .map(|(_, v)| v.clone())
            .unwrap();
        let mode = *self.mode.lock().unwrap();
        let fate = self.rng.lock().unwrap().u8(0..10);
        let result = match mode {
            Mode::Flaky if fate == 0 => Err(TransportError::Network("connection refused".into())),
            Mode::Flaky if fate == 1 => answer(
                503,
                r#"{"error":{"code":"unavailable","message":"restarting","field":null}}"#.into(),
            ),
            Mode::Flaky if fate == 2 => {
                // Committed, then the connection broke before the answer.
                self.commit(&key, &request.body).unwrap();
                Err(TransportError::Network("connection reset".into()))
            }
            Mode::DiesAfter(n) => {
                let dead = {
                    let mut r = self.records.lock().unwrap();
                    let dead = r.order.len() >= n;
                    commit(&mut r, &key, &request.body).map(|body| (dead, body))
                };
                match dead {
                    Ok((false, body)) => answer(201, body),
                    Ok((true, _)) => {
                        self.in_flight.fetch_sub(1, Ordering::SeqCst);
                        if self.hanging.fetch_add(1, Ordering::SeqCst) + 1 == self.parallelism {
                            self.all_hanging.notify_one();
                        }
                        return std::future::pending().await;
                    }
                    Err(e) => conflict(&e),
                }
            }
            _ => match self.commit(&key, &request.body) {
                Ok(body) => answer(201, body),
                Err(e) => conflict(&e),
            },
        };
        tokio::task::yield_now().await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }

    async fn stream(
        &self,
        _request: Request,
        _sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError> {
        Err(TransportError::Transport("no stream here".into()))
    }
}

fn policy() -> BackoffPolicy {
    BackoffPolicy {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(2),
        max_retry_after: Duration::from_secs(1),
    }
}

fn draft(n: usize) -> NeedDraft {
    let now = Utc::now();
    NeedDraft {
        requester: Requester {
            name: "王五".into(),
            phone: "13812341234".into(),
            id_number: None,
            enterprise: None,
        },
        category: NeedCategory::Consultation,
        specialty: None,
        description: format!("need #{n}"),
        urgency: Urgency::Normal,
        location: NeedLocation {
            point: None,
            address: "状元街道".into(),
            area_code: "330303006".into(),
        },
        channel: Channel::OnSite,
        entered: EnteredBy {
            at: now,
            point: None,
            post_id: None,
        },
        consent: Consent {
            given: true,
            at: now,
            notice_version: "v1".into(),
        },
        attachments: vec![],
        application: None,
    }
}

/// Fills the outbox: `entities` entities of three steps each (sent in
/// step order), and `with_photo` needs that each wait for their own
/// photo's upload. Returns how many items were queued.
fn fill(outbox: &Outbox, entities: usize, with_photo: usize) -> usize {
    for step in 0..3 {
        let items = (0..entities)
            .map(|e| NewItem {
                kind: ItemKind::Need,
                entity: format!("e{e}"),
                payload: format!(r#"{{"entity":"e{e}","step":{step}}}"#).into_bytes(),
                media_type: None,
                parents: vec![],
            })
            .collect();
        outbox.enqueue_many(items).unwrap();
    }
    for n in 0..with_photo {
        let png = [
            b"\x89PNG\r\n\x1a\n".as_slice(),
            format!("photo {n}").as_bytes(),
        ]
        .concat();
        outbox
            .enqueue_need(
                &format!("p{n}"),
                &draft(n),
                &[(png, Some("image/png".into()))],
                Utc::now(),
            )
            .unwrap();
    }
    entities * 3 + with_photo * 2
}

fn client(outbox: Arc<Outbox>, server: Arc<FakeServer>, parallelism: usize) -> SyncClient {
    let mut config = SyncConfig::new("http://127.0.0.1:1");
    config.parallelism = parallelism;
    config.claim_batch = 4;
    SyncClient::new(outbox, config, server)
}

/// Every queued item is a record on the server exactly once, made from
/// the item's own payload; the outbox holds each as sent with the
/// server's answer; items of one entity were committed in enqueue order
/// and every need after its photo.
fn assert_delivered_once_in_order(outbox: &Outbox, server: &FakeServer, queued: usize) {
    let records = server.records.lock().unwrap();
    assert_eq!(records.order.len(), queued, "records on the server");
    assert_eq!(records.by_key.len(), queued);
    let position: HashMap<&str, usize> = records
        .order
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let keys = outbox.keys().unwrap();
    assert_eq!(keys.len(), queued);
    let mut last_step: HashMap<String, (i64, usize)> = HashMap::new();
    let mut photo_at: HashMap<String, usize> = HashMap::new();
    for (key, kind, state) in &keys {
        assert_eq!(*state, ItemState::Sent, "{key}");
        let item = outbox.item(key).unwrap();
        let (_, answer) = &records.by_key[key.as_str()];
        assert_eq!(item.result.as_deref(), Some(answer.as_str()), "{key}");
        let at = position[key.as_str()];
        match kind {
            ItemKind::Attachment => {
                photo_at.insert(item.entity.clone(), at);
            }
            ItemKind::Need if item.entity.starts_with('e') => {
                let body: Value = serde_json::from_slice(&records.by_key[key.as_str()].0).unwrap();
                let step = body["step"].as_i64().unwrap();
                if let Some((prev, prev_at)) = last_step.get(&item.entity) {
                    assert_eq!(step, prev + 1, "{}", item.entity);
                    assert!(
                        *prev_at < at,
                        "{} step {step} before step {prev}",
                        item.entity
                    );
                }
                last_step.insert(item.entity.clone(), (step, at));
            }
            ItemKind::Need => {
                let body: NeedDraft =
                    serde_json::from_slice(&records.by_key[key.as_str()].0).unwrap();
                for a in &body.attachments {
                    assert!(photo_at[&a.sha256] < at, "{} before its photo", item.entity);
                }
            }
            ItemKind::Punch => unreachable!(),
        }
    }
    assert!(last_step.values().all(|(step, _)| *step == 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_drain_through_failing_calls_delivers_each_entry_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::open_with(&dir.path().join("outbox.sqlite"), policy()).unwrap());
    let queued = fill(&outbox, 60, 20);
    let server = FakeServer::new(Mode::Flaky, 8);
    let report = client(outbox.clone(), server.clone(), 8)
        .push_until_idle(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(report.sent, queued as u64);
    assert!(report.failed > 0, "some calls failed and were retried");
    assert_eq!(report.wedged, 0);
    assert_eq!(outbox.counts().unwrap().pending(), 0);
    // Answers were lost after the commit, and the retries were answered
    // from the record, not made again.
    assert!(server.records.lock().unwrap().replays > 0);
    let most = server.max_in_flight.load(Ordering::SeqCst);
    assert!(most > 1 && most <= 8, "{most} requests at once");
    assert_delivered_once_in_order(&outbox, &server, queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_cut_off_while_requests_are_in_flight_resumes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let queued = {
        let outbox = Outbox::open_with(&path, policy()).unwrap();
        fill(&outbox, 50, 10)
    };
    let server = FakeServer::new(Mode::DiesAfter(40), 8);
    let sent_before = {
        // The app is killed while 8 requests the server committed wait
        // for their answers.
        let outbox = Arc::new(Outbox::open_with(&path, policy()).unwrap());
        let sync = client(outbox.clone(), server.clone(), 8);
        let drain = tokio::spawn(async move { sync.push().await });
        server.all_hanging.notified().await;
        drain.abort();
        assert!(drain.await.unwrap_err().is_cancelled());
        assert!(outbox.counts().unwrap().sending > 0);
        outbox.counts().unwrap().sent
    };
    // 40 answered, then one committed and never answered per worker.
    assert_eq!(server.records.lock().unwrap().order.len(), 48);
    // The next start: the items left in flight are queued again, with
    // their keys, and the server answers them from its records.
    *server.mode.lock().unwrap() = Mode::Healthy;
    let outbox = Arc::new(Outbox::open_with(&path, policy()).unwrap());
    assert_eq!(outbox.counts().unwrap().sending, 0);
    let report = client(outbox.clone(), server.clone(), 8)
        .push_until_idle(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(report.sent, queued as u64 - sent_before);
    // Every record the phone had not confirmed was answered again from
    // the server's record, none made twice.
    assert_eq!(
        server.records.lock().unwrap().replays as u64,
        48 - sent_before
    );
    assert_delivered_once_in_order(&outbox, &server, queued);
}

fn batch_client(outbox: Arc<Outbox>, server: Arc<FakeServer>, parallelism: usize) -> SyncClient {
    let mut config = SyncConfig::new("http://127.0.0.1:1");
    config.parallelism = parallelism;
    config.claim_batch = 4;
    config.need_batch = 10;
    SyncClient::new(outbox, config, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_server_without_the_batch_path_gets_one_request_per_need() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::open_with(&dir.path().join("outbox.sqlite"), policy()).unwrap());
    let queued = fill(&outbox, 30, 5);
    let server = FakeServer::new(Mode::Healthy, 4);
    let report = batch_client(outbox.clone(), server.clone(), 4)
        .push_until_idle(Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(report.sent, queued as u64);
    // Each worker tried the batch path at most once before the 404 told
    // it the server has none.
    let tried = server.batch_calls.load(Ordering::SeqCst);
    assert!((1..=4).contains(&tried), "{tried} batch calls");
    assert_delivered_once_in_order(&outbox, &server, queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batched_drain_through_failing_calls_delivers_each_entry_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::open_with(&dir.path().join("outbox.sqlite"), policy()).unwrap());
    let queued = fill(&outbox, 60, 20);
    let server = FakeServer::with_batch(Mode::Flaky, 8, true);
    let report = batch_client(outbox.clone(), server.clone(), 8)
        .push_until_idle(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(report.sent, queued as u64);
    assert!(report.failed > 0, "some batches failed and were retried");
    assert_eq!(report.wedged, 0);
    assert_eq!(outbox.counts().unwrap().pending(), 0);
    // Far fewer calls than items: the needs went in batches.
    let calls = server.calls.load(Ordering::SeqCst);
    assert!(server.batch_calls.load(Ordering::SeqCst) > 0);
    assert!(calls < queued, "{calls} calls for {queued} items");
    // Batches were committed and their answers lost; the retries were
    // answered from the records.
    assert!(server.records.lock().unwrap().replays > 0);
    assert_delivered_once_in_order(&outbox, &server, queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_entry_of_a_batch_is_wedged_alone_and_the_others_are_sent() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Arc::new(Outbox::open_with(&dir.path().join("outbox.sqlite"), policy()).unwrap());
    let item = |payload: &str| NewItem {
        kind: ItemKind::Need,
        entity: uuid::Uuid::now_v7().to_string(),
        payload: payload.as_bytes().to_vec(),
        media_type: None,
        parents: vec![],
    };
    let keys = outbox
        .enqueue_many(vec![
            item(r#"{"n":1}"#),
            item(r#"{"n":2,"bad":true}"#),
            item(r#"{"n":3}"#),
            item(r#"{"n":4}"#),
            item(r#"{"n":5}"#),
        ])
        .unwrap();
    let server = FakeServer::with_batch(Mode::Healthy, 1, true);
    // The fourth key was used before for other content.
    commit(
        &mut server.records.lock().unwrap(),
        &keys[3],
        br#"{"n":"other"}"#,
    )
    .unwrap();
    let mut config = SyncConfig::new("http://127.0.0.1:1");
    config.parallelism = 1;
    let report = SyncClient::new(outbox.clone(), config, server.clone())
        .push_until_idle(Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(server.batch_calls.load(Ordering::SeqCst), 1, "one batch");
    assert_eq!((report.sent, report.wedged), (3, 2));
    let states: Vec<(ItemState, Option<u16>)> = keys
        .iter()
        .map(|k| {
            let it = outbox.item(k).unwrap();
            (it.state, it.last_status)
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (ItemState::Sent, None),
            (ItemState::Wedged, Some(400)),
            (ItemState::Sent, None),
            (ItemState::Wedged, Some(409)),
            (ItemState::Sent, None),
        ]
    );
    // The sent ones carry their own receipts, in queue order.
    let records = server.records.lock().unwrap();
    for k in [&keys[0], &keys[2], &keys[4]] {
        assert_eq!(
            outbox.item(k).unwrap().result.as_deref(),
            Some(records.by_key[k.as_str()].1.as_str())
        );
    }
    assert_eq!(
        records.order,
        vec![
            keys[3].clone(),
            keys[0].clone(),
            keys[2].clone(),
            keys[4].clone()
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_cut_off_while_batches_are_in_flight_resumes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let queued = {
        let outbox = Outbox::open_with(&path, policy()).unwrap();
        fill(&outbox, 50, 10)
    };
    let server = FakeServer::with_batch(Mode::DiesAfter(40), 4, true);
    let sent_before = {
        // The app is killed while the batches the server committed wait
        // for their answers.
        let outbox = Arc::new(Outbox::open_with(&path, policy()).unwrap());
        let sync = batch_client(outbox.clone(), server.clone(), 4);
        let drain = tokio::spawn(async move { sync.push().await });
        server.all_hanging.notified().await;
        drain.abort();
        assert!(drain.await.unwrap_err().is_cancelled());
        assert!(outbox.counts().unwrap().sending > 0);
        outbox.counts().unwrap().sent
    };
    let committed = server.records.lock().unwrap().order.len() as u64;
    assert!(committed > sent_before, "batches committed, never answered");
    *server.mode.lock().unwrap() = Mode::Healthy;
    let outbox = Arc::new(Outbox::open_with(&path, policy()).unwrap());
    assert_eq!(outbox.counts().unwrap().sending, 0);
    let report = batch_client(outbox.clone(), server.clone(), 4)
        .push_until_idle(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(report.sent, queued as u64 - sent_before);
    // Every entry committed but not confirmed was answered again from the
    // record with its original receipt, none made twice.
    assert_eq!(
        server.records.lock().unwrap().replays as u64,
        committed - sent_before
    );
    assert_delivered_once_in_order(&outbox, &server, queued);
}
