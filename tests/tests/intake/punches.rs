//! Punches through the outbox, and a queue that recovers after the server was unreachable.

use super::*;

// ---------------------------------------------------------------------
// Punches through the outbox
// ---------------------------------------------------------------------

#[tokio::test]
async fn punches_are_reevaluated_chained_and_idempotent() {
    use lawcircle_core::catalogue::duty_post::DutyPost;
    use lawcircle_core::volunteers::clock_in::DeviceInstant;
    use lawcircle_core::volunteers::punch::PunchKind;
    use lawcircle_e2e::people;

    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path()).await;
    let vol = Client::login(&server, "vol", PW).await;
    let me = vol.get("/api/v1/me").await.body["id"].as_i64().unwrap();
    // Only an active volunteer record clocks in: apply and be approved.
    let r = vol
        .post(
            "/api/v1/volunteers",
            &json!({"name": "王志愿", "phone": "13912345678", "profession": "lawyer",
                    "service_directions": ["lawyer"], "specialties": ["综合"],
                    "home_street_code": "330303001", "availability": "24/7"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let vid = r.body["id"].as_str().unwrap().to_string();
    let staff1 = Client::login(&server, "staff1", PW).await;
    let r = staff1
        .post(
            &format!("/api/v1/volunteers/{vid}/actions"),
            &json!({"action": {"action": "approve"}, "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let db_url = format!(
        "sqlite://{}?mode=ro",
        server.storage.data_dir.join("lawcircle.sqlite").display()
    );
    let pool = sqlx::SqlitePool::connect(&db_url).await.unwrap();
    let (data,): (String,) = sqlx::query_as("SELECT data FROM duty_posts WHERE id = 'LW-P0011'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let post: DutyPost = serde_json::from_str(&data).unwrap();

    let outbox =
        Arc::new(Outbox::open_with(&dir.path().join("phone.sqlite"), fast_policy()).unwrap());
    let now = Utc::now();
    let mut keys = vec![];
    for (i, kind) in [PunchKind::In, PunchKind::Out].into_iter().enumerate() {
        let at = DeviceInstant {
            wall: now + chrono::Duration::seconds(i as i64),
            elapsed_ms: 1_000_000 + i as u64 * 1000,
        };
        let p = people::punch_on(&me.to_string(), &post, kind, at, (27.93, 120.815), true);
        keys.push(outbox.enqueue_punch(&p).unwrap());
    }
    let proxy = FaultProxy::start(&server.base_url, FaultConfig::default()).await;
    proxy.script([Some(Fault::CutAfterCommit)]);
    let client = sync_client(&outbox, &proxy.base_url, &token(&vol), 2);
    client
        .push_until_idle(Duration::from_secs(20))
        .await
        .unwrap();
    let receipts: Vec<Value> = keys
        .iter()
        .map(|k| serde_json::from_str(&outbox.item(k).unwrap().result.unwrap()).unwrap())
        .collect();
    assert_eq!(receipts[0]["seq"], 0);
    assert_eq!(receipts[1]["seq"], 1);
    assert_eq!(receipts[0]["device_verdict"], "inside");
    assert!(receipts[0]["server_verdict"].is_string());
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM punches")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

// ---------------------------------------------------------------------
// Unreachable for a while, then back
// ---------------------------------------------------------------------

#[tokio::test]
async fn the_queue_recovers_after_the_server_was_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path()).await;
    let lawyer = Client::login(&server, "lawyer", PW).await;
    let proxy = FaultProxy::start(
        &server.base_url,
        FaultConfig {
            rate: 1.0,
            faults: vec![Fault::DropRequest],
            ..FaultConfig::default()
        },
    )
    .await;
    let outbox =
        Arc::new(Outbox::open_with(&dir.path().join("phone.sqlite"), fast_policy()).unwrap());
    for i in 0..5 {
        let tag = format!("offline-{i}");
        outbox
            .enqueue_need(&tag, &need_draft(&tag), &[], Utc::now())
            .unwrap();
    }
    let client = sync_client(&outbox, &proxy.base_url, &token(&lawyer), 2);
    // Every attempt fails: the push gives up, nothing is lost, the backoff
    // stays bounded by the policy's maximum.
    let err = client
        .push_until_idle(Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(matches!(err, lawcircle_client::sync::SyncError::Timeout(_)));
    let pending = outbox.pending_items().unwrap();
    assert_eq!(pending.len(), 5);
    assert!(
        pending
            .iter()
            .all(|i| i.state == ItemState::Failed && i.attempts >= 3)
    );
    // The network is back: the same client (its pooled connections dead)
    // delivers everything.
    proxy.set_rate(0.0);
    client
        .push_until_idle(Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(outbox.counts().unwrap().sent, 5);
}
