//! Lists a page at a time, on SQLite and PostgreSQL, by the one rule every
//! list follows: with `limit` or a cursor one page `{items, next_…}` read
//! through an index from where the previous page ended; without them the
//! first page at the maximum (500) as a plain array; a bad `limit` or
//! cursor is a 400 naming the field.
//!
//! Walked here with rows arriving between pages: the punch review queue
//! (all, and only those waiting for review) and the cap of the plain
//! array. Spot checks and their draws are walked in
//! `dispatch/spot_checks.rs`.

use chrono::Utc;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::PunchKind;
use lawcircle_e2e::people::{
    self, OTHER_STREET, POST_ID, POST_LAT, POST_LNG, PW, STREET, test_account,
};
use lawcircle_e2e::{Client, Server, Storage, backends, cli_create_account};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The key the review queue is ordered by: (volunteer, seq).
fn key(p: &Value) -> (String, u64) {
    (
        p["punch"]["volunteer_id"].as_str().unwrap().to_string(),
        p["punch"]["seq"].as_u64().unwrap(),
    )
}

fn punch_id(p: &Value) -> String {
    p["punch"]["id"].as_str().unwrap().to_string()
}

/// A volunteer of [`STREET`], signed in, approved into the pool: the
/// client and account id.
async fn volunteer(
    server: &Server,
    admin: &Client,
    staff: &Client,
    name: &str,
) -> (Client, String) {
    let id = test_account(admin, name, "volunteer", STREET).await;
    let c = Client::login(server, name, PW).await;
    people::join_pool(&c, staff, name, STREET, &["综合"], "24/7")
        .await
        .unwrap();
    (c, id.to_string())
}

/// Posts punch number `i` of `vol` (account `me`): in at the post on even
/// numbers, out a kilometre away (flagged: waits for review) on odd ones.
/// Its id.
async fn post_punch(vol: &Client, me: &str, i: u32) -> String {
    let at = DeviceInstant {
        wall: Utc::now() - chrono::Duration::seconds(600) + chrono::Duration::seconds(i.into()),
        elapsed_ms: 5_000_000 + u64::from(i) * 1000,
    };
    let (kind, lat) = if i.is_multiple_of(2) {
        (PunchKind::In, POST_LAT)
    } else {
        (PunchKind::Out, POST_LAT + 0.009)
    };
    let p = people::punch_on(
        me,
        &serde_json::from_value(json!({
            "id": POST_ID, "name": POST_ID, "street_code": STREET, "retired": false,
            "kind": {"type": "station", "fence": {"type": "circle",
                     "center": {"lat": POST_LAT, "lng": POST_LNG, "datum": "wgs84"}, "radius_m": 100.0}},
            "shifts": {"weekly": "24/7", "exceptions": []}
        }))
        .unwrap(),
        kind,
        at,
        (lat, POST_LNG),
        false,
    );
    let r = vol.post_punch(&p).await;
    assert!(r.status == 200 || r.status == 201, "{:?}", r.body);
    p.id
}

/// Walks every page of `path` (which already has a query) with `limit`,
/// calling `between` after each page but the last: the items, in the order read.
async fn walk<F, Fut>(c: &Client, path: &str, limit: usize, mut between: F) -> Vec<Value>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut out = Vec::new();
    let mut url = format!("{path}&limit={limit}");
    loop {
        let r = c.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{:?}", r.body);
        out.extend(items.iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(next) => url = format!("{path}&limit={limit}&cursor={next}"),
            None => return out,
        }
        between().await;
    }
}

/// Every row of `before` appears exactly once in `seen`, `seen` is in
/// strictly increasing key order (so nothing twice), and everything in it
/// exists in `after`.
fn each_once_in_order(before: &[Value], seen: &[Value], after: &[Value], what: &str) {
    let keys: Vec<(String, u64)> = seen.iter().map(key).collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "{what}: out of order or repeated: {keys:?}"
    );
    let seen_ids: Vec<String> = seen.iter().map(punch_id).collect();
    for p in before {
        let id = punch_id(p);
        assert_eq!(
            seen_ids.iter().filter(|s| **s == id).count(),
            1,
            "{what}: {id} not exactly once in {seen_ids:?}"
        );
    }
    let all: BTreeSet<String> = after.iter().map(punch_id).collect();
    assert!(seen_ids.iter().all(|s| all.contains(s)), "{what}");
}

#[tokio::test]
async fn the_review_queue_comes_in_pages_while_punches_arrive() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        test_account(&admin, "staff", "station_staff", STREET).await;
        test_account(&admin, "staff2", "station_staff", OTHER_STREET).await;
        let staff = Client::login(&server, "staff", PW).await;
        let staff2 = Client::login(&server, "staff2", PW).await;
        let (v1, id1) = volunteer(&server, &admin, &staff, "vol1").await;
        let (v2, id2) = volunteer(&server, &admin, &staff, "vol2").await;
        // The later volunteer (by id) gets the punches that arrive while
        // the pages are read: they land after the cursor and must show.
        let ((early, early_id), (late, late_id)) = if id1 < id2 {
            ((v1, id1), (v2, id2))
        } else {
            ((v2, id2), (v1, id1))
        };
        for i in 0..5 {
            post_punch(&early, &early_id, i).await;
            post_punch(&late, &late_id, i).await;
        }
        let before = staff.get("/api/v1/punches/review-queue").await.body;
        let before = before.as_array().unwrap().clone();
        assert_eq!(before.len(), 10, "{name}");

        // All punches, three a page, two arriving after every page.
        let next = std::cell::Cell::new(5_u32);
        let mut arrived = Vec::new();
        let seen = walk(
            &staff,
            "/api/v1/punches/review-queue?pending=false",
            3,
            || {
                let i = next.get();
                next.set(i + 2);
                let late = &late;
                let late_id = &late_id;
                async move {
                    post_punch(late, late_id, i).await;
                    post_punch(late, late_id, i + 1).await;
                }
            },
        )
        .await;
        for i in 5..next.get() {
            arrived.push(i);
        }
        let after = staff.get("/api/v1/punches/review-queue").await.body;
        let after = after.as_array().unwrap().clone();
        each_once_in_order(&before, &seen, &after, name);
        // Everything that arrived after the cursor was read too: the
        // walk ends only on the last page.
        assert_eq!(seen.len(), after.len(), "{name}: {} arrived", arrived.len());
        assert_eq!(
            seen.iter().map(punch_id).collect::<Vec<_>>(),
            after.iter().map(punch_id).collect::<Vec<_>>(),
            "{name}"
        );

        // Only those waiting for review, two a page: the flagged ones
        // (every out a kilometre away), in the same order.
        let pending = walk(
            &staff,
            "/api/v1/punches/review-queue?pending=true",
            2,
            || async {},
        )
        .await;
        let expected: Vec<String> = after
            .iter()
            .filter(|p| p["status"] == "pending_review")
            .map(punch_id)
            .collect();
        assert!(!expected.is_empty(), "{name}");
        assert_eq!(
            pending.iter().map(punch_id).collect::<Vec<_>>(),
            expected,
            "{name}"
        );
        // A ruling takes a punch off the pending pages (its stored status
        // changes with it).
        let ruled = &expected[0];
        let r = staff
            .post(
                &format!("/api/v1/punches/{ruled}/review"),
                &json!({"decision": "reject", "reason": "不在岗点"}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let pending = walk(
            &staff,
            "/api/v1/punches/review-queue?pending=true",
            2,
            || async {},
        )
        .await;
        assert_eq!(pending.len(), expected.len() - 1, "{name}");
        assert!(pending.iter().all(|p| punch_id(p) != *ruled), "{name}");
        // One volunteer's pages hold only theirs.
        let theirs = walk(
            &staff,
            &format!("/api/v1/punches/review-queue?volunteer={early_id}"),
            4,
            || async {},
        )
        .await;
        assert_eq!(theirs.len(), 5, "{name}");
        assert!(theirs.iter().all(|p| key(p).0 == early_id), "{name}");
        // Another street's staff page through none of them.
        let r = staff2.get("/api/v1/punches/review-queue?limit=5").await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(r.body["items"], json!([]), "{name}");
        assert!(r.body.get("next_cursor").is_none(), "{name}");

        // Bad limits and cursors are refused, naming the field.
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=-3", "limit"),
            ("cursor=not-a-cursor!", "cursor"),
            // base64 of "not json": a cursor this list never gave out.
            ("cursor=bm90IGpzb24", "cursor"),
            // A cursor of another list (the volunteers', an id's bytes).
            ("cursor=VjE", "cursor"),
        ] {
            let r = staff
                .get(&format!("/api/v1/punches/review-queue?{query}"))
                .await;
            assert_eq!(r.status, 400, "{name}: {query}: {:?}", r.body);
            assert_eq!(r.body["error"]["code"], "bad_request", "{name}: {query}");
            assert_eq!(r.body["error"]["field"], field, "{name}: {query}");
        }
    }
}

#[tokio::test]
async fn without_paging_parameters_a_list_answers_at_most_the_maximum() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        test_account(&admin, "staff", "station_staff", STREET).await;
        let staff = Client::login(&server, "staff", PW).await;
        let (vol, me) = volunteer(&server, &admin, &staff, "vol").await;
        let mut ids = Vec::new();
        for i in 0..502 {
            ids.push(post_punch(&vol, &me, i).await);
        }
        // The plain array older clients read: the first 500, in order.
        let r = staff.get("/api/v1/punches/review-queue").await;
        assert_eq!(r.status, 200, "{name}");
        let old: Vec<String> = r.body.as_array().unwrap().iter().map(punch_id).collect();
        assert_eq!(old, ids[..500].to_vec(), "{name}");
        // The largest page is as large, and says where the rest is.
        let r = staff.get("/api/v1/punches/review-queue?limit=500").await;
        let page: Vec<String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(punch_id)
            .collect();
        assert_eq!(page, old, "{name}");
        let next = r.body["next_cursor"].as_str().unwrap();
        let r = staff
            .get(&format!("/api/v1/punches/review-queue?cursor={next}"))
            .await;
        let rest: Vec<String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(punch_id)
            .collect();
        assert_eq!(rest, ids[500..].to_vec(), "{name}");
        assert!(r.body.get("next_cursor").is_none(), "{name}");
    }
}

/// A dead letter as another instance's delivery worker leaves it: of an
/// account's message (`account: Some`) or of a message to a number, given
/// up at `at` (milliseconds). Its notification id.
async fn dead_letter(db: &sqlx::AnyPool, account: Option<i64>, n: u32, at: i64) -> String {
    let id = format!("dl-{n}");
    match account {
        Some(a) => {
            sqlx::query(
                "INSERT INTO notifications (id, account_id, event, order_id, data, created_at)
                 VALUES ($1, $2, 'order_offered', NULL, '{}', $3)",
            )
            .bind(&id)
            .bind(a)
            .bind(at)
            .execute(db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO notification_deliveries
                   (notification_id, channel, state, attempts, next_attempt_at, last_error, created_at, updated_at)
                 VALUES ($1, 'unifiedpush', 'dead', 1, $2, 'HTTP 400', $3, $4)",
            )
            .bind(&id)
            .bind(at)
            .bind(at)
            .bind(at)
            .execute(db)
            .await
            .unwrap();
        }
        None => {
            sqlx::query(
                "INSERT INTO phone_notifications
                   (message_id, event, phone_hash, phone_masked, street_code, state, attempts,
                    next_attempt_at, expires_at, last_error, created_at, updated_at)
                 VALUES ($1, 'rating_link', 'h', '138****5678', $2, 'dead', 3, $3, $4, 'SMS refused', $5, $6)",
            )
            .bind(&id)
            .bind(STREET)
            .bind(at)
            .bind(at)
            .bind(at)
            .bind(at)
            .execute(db)
            .await
            .unwrap();
        }
    }
    id
}

#[tokio::test]
async fn dead_letters_and_devices_come_in_pages() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        let staff_id = test_account(&admin, "staff", "station_staff", STREET).await;
        let db = storage.database().await;
        // Both queues, several given up at the same millisecond (the key
        // orders them: accounts' deliveries first, then by id, downwards).
        let base: i64 = 1_700_000_000_000;
        let mut n = 0;
        for t in 0..5_i64 {
            for account in [Some(staff_id), None, Some(staff_id)] {
                n += 1;
                dead_letter(&db, account, n, base + t * 1000).await;
            }
        }
        let ids = |list: &[Value]| -> Vec<String> {
            list.iter()
                .map(|d| d["notification_id"].as_str().unwrap().to_string())
                .collect()
        };
        let before = admin.get("/api/v1/notifications/dead-letters").await;
        assert_eq!(before.status, 200, "{name}: {:?}", before.body);
        let before = ids(before.body.as_array().unwrap());
        assert_eq!(before.len(), 15, "{name}");
        // Four a page; between pages more are given up, some newer (they
        // come before the cursor: on a later walk) and some older (after
        // it: this walk reads them).
        let mut seen = Vec::new();
        let mut url = "/api/v1/notifications/dead-letters?limit=4".to_string();
        let mut older = Vec::new();
        loop {
            let r = admin.get(&url).await;
            assert_eq!(r.status, 200, "{name}: {url}: {:?}", r.body);
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= 4, "{name}");
            seen.extend(ids(items));
            let Some(next) = r.body["next_cursor"].as_str() else {
                break;
            };
            url = format!("/api/v1/notifications/dead-letters?limit=4&cursor={next}");
            // Each older one older than all before it: below the cursor.
            let oldest = base - 1000 * (older.len() as i64 + 1);
            for (account, at) in [(Some(staff_id), base + 99_000), (None, oldest)] {
                n += 1;
                let id = dead_letter(&db, account, n, at).await;
                if at < base {
                    older.push(id);
                }
            }
        }
        let after = admin.get("/api/v1/notifications/dead-letters").await.body;
        let after = ids(after.as_array().unwrap());
        for id in before.iter().chain(&older) {
            assert_eq!(
                seen.iter().filter(|s| *s == id).count(),
                1,
                "{name}: {id} not once in {seen:?}"
            );
        }
        let positions: Vec<usize> = seen
            .iter()
            .map(|s| after.iter().position(|a| a == s).unwrap())
            .collect();
        assert!(
            positions.windows(2).all(|p| p[0] < p[1]),
            "{name}: {seen:?} not in the order of {after:?}"
        );
        assert_eq!(seen[..15], before[..], "{name}: newest first");
        // Bad limits and cursors.
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("cursor=e30", "cursor"),
        ] {
            let r = admin
                .get(&format!("/api/v1/notifications/dead-letters?{query}"))
                .await;
            assert_eq!(r.status, 400, "{name}: {query}: {:?}", r.body);
            assert_eq!(r.body["error"]["field"], field, "{name}: {query}");
        }

        // The caller's devices by id, two a page, one registered between
        // pages (after the cursor: read too).
        let vol = Client::login(&server, "staff", PW).await;
        let register = |i: u32| {
            let vol = &vol;
            async move {
                let sub = json!({"kind": "unifiedpush",
                    "address": format!("https://push.example.org/up/{i}"),
                    "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                    "auth": "BTBZMqHH6r4Tts7J_aSIgg"});
                let r = vol.post("/api/v1/devices", &sub).await;
                assert_eq!(r.status, 201, "{:?}", r.body);
                r.body["id"].as_i64().unwrap()
            }
        };
        let mut registered = Vec::new();
        for i in 0..5 {
            registered.push(register(i).await);
        }
        let mut seen = Vec::new();
        let mut url = "/api/v1/devices?limit=2".to_string();
        let mut i = 5;
        loop {
            let r = vol.get(&url).await;
            assert_eq!(r.status, 200, "{name}: {:?}", r.body);
            seen.extend(
                r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["id"].as_i64().unwrap()),
            );
            let Some(next) = r.body["next_after"].as_i64() else {
                break;
            };
            url = format!("/api/v1/devices?limit=2&after={next}");
            registered.push(register(i).await);
            i += 1;
        }
        assert_eq!(seen, registered, "{name}: each once, by id");
        let old = vol.get("/api/v1/devices").await.body;
        assert_eq!(old.as_array().unwrap().len(), registered.len(), "{name}");
        for (query, field) in [("limit=501", "limit"), ("after=-1", "after")] {
            let r = vol.get(&format!("/api/v1/devices?{query}")).await;
            assert_eq!(r.status, 400, "{name}: {query}: {:?}", r.body);
            assert_eq!(r.body["error"]["field"], field, "{name}: {query}");
        }
    }
}
