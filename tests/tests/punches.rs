//! Punches for station staff: the review queue of flagged punches, a
//! supervisor's ruling with a reason, the chain check, duty hours, and the
//! erasure of exact locations after the retention period (on a moved
//! clock) that keeps the chain verifiable.

use chrono::Utc;
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::{Punch, PunchKind};
use lawcircle_e2e::people::{self, PW};
use lawcircle_e2e::{Backend, Client, Server, Storage, cli_create_account};
use serde_json::{Value, json};
use std::time::Duration;

fn punch(post: &DutyPost, me: &str, kind: PunchKind, secs: i64, lat: f64) -> Punch {
    let at = DeviceInstant {
        wall: Utc::now() - chrono::Duration::seconds(90 - secs),
        elapsed_ms: 5_000_000 + secs as u64 * 1000,
    };
    people::punch_on(me, post, kind, at, (lat, 120.815), false)
}

#[tokio::test]
async fn review_queue_chain_hours_and_location_retention() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start(
        &storage,
        &[
            "--demo",
            "--test-clock",
            "--jobs-interval-ms",
            "200",
            "--punch-location-retention-days",
            "30",
        ],
    );
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    for (u, role) in [("staff", "station_staff"), ("vol", "volunteer")] {
        let r = admin
            .post(
                "/api/v1/accounts",
                &json!({"username": u, "display_name": u, "role": role,
                                              "street_code": "330303001", "password": PW}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let staff = Client::login(&server, "staff", PW).await;
    let vol = Client::login(&server, "vol", PW).await;
    let me = vol.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap()
        .to_string();
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
    let r = staff
        .post(
            &format!("/api/v1/volunteers/{vid}/actions"),
            &json!({"action": {"action": "approve"}, "version": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let posts = lawcircle_e2e::http_get(server.url("/api/v1/duty-posts"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        posts["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["id"] == "LW-P0011")
    );
    // The post as the core knows it (a 100 m circle at 27.93, 120.815).
    let post: DutyPost = serde_json::from_value(json!({
        "id": "LW-P0011", "name": "永中站", "street_code": "330303001", "retired": false,
        "kind": {"type": "station", "fence": {"type": "circle",
                 "center": {"lat": 27.93, "lng": 120.815, "datum": "wgs84"}, "radius_m": 100.0}},
        "shifts": {"weekly": "24/7", "exceptions": []}
    }))
    .unwrap();
    // In at the post, out 1 km away: the second is flagged.
    for (i, (kind, lat)) in [(PunchKind::In, 27.93), (PunchKind::Out, 27.939)]
        .into_iter()
        .enumerate()
    {
        let p = punch(&post, &me, kind, i as i64 * 60, lat);
        let r = vol.post_punch(&p).await;
        assert!(r.status == 200 || r.status == 201, "{:?}", r.body);
    }
    let queue = staff.get("/api/v1/punches/review-queue?pending=true").await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    let pending = queue.body.as_array().unwrap().clone();
    // Without a reason the exact fixes are withheld...
    assert!(
        pending
            .iter()
            .all(|p| p["punch"]["fix"].is_null() && p["fix_withheld"] == true),
        "{pending:?}"
    );
    // ...a reason of a few words shows them, and each is an audited read.
    let r = staff
        .get("/api/v1/punches/review-queue?pending=true&reason=%E5%AE%9E")
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body["error"]["field"], "reason");
    let exact = staff
        .get("/api/v1/punches/review-queue?pending=true&reason=%E6%A0%B8%E5%AE%9E%E6%89%93%E5%8D%A1%E4%BD%8D%E7%BD%AE")
        .await;
    assert_eq!(exact.status, 200, "{:?}", exact.body);
    for p in exact.body.as_array().unwrap() {
        assert!(p["punch"]["fix"]["lat"].is_f64(), "{p:?}");
        assert!(p.get("fix_withheld").is_none());
        let id = p["punch"]["id"].as_str().unwrap();
        let log = admin
            .get(&format!("/api/v1/audit?subject_type=punch&subject_id={id}"))
            .await;
        let items = log.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{:?}", log.body);
        assert_eq!(items[0]["action"], "read_punch_fix");
        assert_eq!(items[0]["reason"], "核实打卡位置");
    }
    // The punch 1 km away is flagged as outside the fence (the other one may
    // be flagged too when the test runs outside the demo post's shifts).
    let outside = pending
        .iter()
        .find(|p| p["punch"]["kind"] == "out")
        .unwrap_or_else(|| panic!("{pending:?}"));
    assert!(
        outside["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["type"] == "not_inside")
    );
    let id = outside["punch"]["id"].as_str().unwrap().to_string();
    // A ruling needs a reason; a volunteer cannot rule.
    let r = staff
        .post(
            &format!("/api/v1/punches/{id}/review"),
            &json!({"decision": "accept", "reason": " "}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = vol
        .post(
            &format!("/api/v1/punches/{id}/review"),
            &json!({"decision": "accept", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
    for p in &pending {
        let pid = p["punch"]["id"].as_str().unwrap();
        let r = staff
            .post(
                &format!("/api/v1/punches/{pid}/review"),
                &json!({"decision": "accept", "reason": "已电话核实"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "accepted");
    }
    assert!(
        staff
            .get("/api/v1/punches/review-queue?pending=true")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Both punches count now: one session of about a minute.
    let hours = staff.get("/api/v1/duty-hours").await;
    assert_eq!(hours.status, 200, "{:?}", hours.body);
    assert!(
        hours.body["by_volunteer"][&me].is_object(),
        "{:?}",
        hours.body
    );
    // The chain is intact.
    let chain = staff.get(&format!("/api/v1/punches/chains/{me}")).await;
    assert_eq!(
        (
            chain.body["punches"].as_u64(),
            chain.body["intact"].as_bool()
        ),
        (Some(2), Some(true)),
        "{:?}",
        chain.body
    );
    // 31 days later the exact locations are gone and the chain still holds.
    admin
        .post("/api/v1/test/clock", &json!({"seconds": 31 * 24 * 3600}))
        .await;
    // A month on, the old tokens have expired.
    let staff = Client::login(&server, "staff", PW).await;
    let mut erased = false;
    for _ in 0..50 {
        // With a reason the exact fixes would be shown (audited): none is left.
        let all = staff
            .get("/api/v1/punches/review-queue?reason=%E6%A0%B8%E5%AE%9E%E6%89%93%E5%8D%A1%E4%BD%8D%E7%BD%AE")
            .await
            .body;
        if all
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["punch"]["fix"].is_null() && p["punch"]["location_erased_at"].is_string())
        {
            erased = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(erased, "locations were not erased");
    let chain = staff.get(&format!("/api/v1/punches/chains/{me}")).await;
    assert_eq!(chain.body["intact"], true, "{:?}", chain.body);
    server.stop();
}
