//! The volunteer or lawyer holding an order: its detail with the need and
//! its attachments (audited reads), their duty hours and star level. On
//! SQLite and, when configured, PostgreSQL.

use super::*;
use lawcircle_e2e::{Backend, Storage, backends};

/// A server on `backend` with the demo catalogue and the flows' people.
async fn world_on(backend: &Backend, dir: &std::path::Path) -> (Server, People) {
    let storage = Storage::new(backend, dir).await;
    let server = Server::start(&storage, &["--demo"]);
    let people = seed_people(&server.base_url, &storage).await.unwrap();
    (server, people)
}

/// A PDF the requester attaches.
const PDF: &[u8] = b"%PDF-1.4\n% a tenancy contract, scanned\n";

/// The resident files a mediation need at the village, with a place and
/// [`PDF`] attached, over HTTP as their phone's outbox does: its order id
/// and the attachment's id.
async fn file_mediation(server: &Server, people: &People) -> (String, String) {
    let resident =
        lawcircle_e2e::Client::login(server, "resident", &people.resident.password).await;
    let sha = lawcircle_core::content::sha256_hex(PDF);
    let r = resident
        .http
        .put(server.url(&format!("/api/v1/attachments/{sha}")))
        .bearer_auth(resident.token.as_deref().unwrap())
        .header("content-type", "application/pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    let now = chrono::Utc::now().to_rfc3339();
    let order = resident
        .submit_need(&serde_json::json!({
            "requester": {"name": "李四", "phone": "13812345678"},
            "category": "mediation",
            "description": "邻居装修噪音纠纷，希望调解",
            "urgency": "high",
            "location": {"address": "永中街道示例社区3幢", "area_code": people.village_code,
                         "point": {"lat": people.post_lat, "lng": people.post_lng, "datum": "wgs84"}},
            "channel": "online",
            "entered": {"at": now},
            "consent": {"given": true, "at": now, "notice_version": "v1"},
            "attachments": [{"sha256": sha, "media_type": "application/pdf", "size": PDF.len()}],
        }))
        .await;
    (order, sha)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_reads_the_order_detail_and_downloads_its_attachment_audited() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (server, people) = world_on(&backend, dir.path()).await;
        let (order_id, sha) = file_mediation(&server, &people).await;
        let volunteer = phone(
            &server.base_url,
            dir.path(),
            "volunteer",
            &people.volunteer.password,
        );
        // Nothing to do with it yet: as if it did not exist.
        let err = volunteer.order_detail(order_id.clone()).await.unwrap_err();
        assert!(
            matches!(err, LawCircleError::Server { status: 404, .. }),
            "{}: {err:?}",
            backend.name()
        );
        // Dispatched to the volunteer, not accepted: the need stays closed.
        let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
        let o = staff.get(&format!("/api/v1/orders/{order_id}")).await.body;
        staff
            .order_events(
                &order_id,
                &o["version"],
                &[serde_json::json!({"event": "assign",
                    "assignee": people.volunteer.id.to_string()})],
            )
            .await;
        let err = volunteer.order_detail(order_id.clone()).await.unwrap_err();
        assert!(
            matches!(err, LawCircleError::Server { status: 403, .. }),
            "{}: {err:?}",
            backend.name()
        );
        let err = volunteer
            .download_attachment(
                order_id.clone(),
                sha.clone(),
                dir.path().join("early.pdf").to_string_lossy().into_owned(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, LawCircleError::Server { status: 404, .. }),
            "{err:?}"
        );
        assert!(!dir.path().join("early.pdf").exists());
        assert!(!dir.path().join("early.pdf.part").exists());
        // Accepted: the holder reads it.
        volunteer.accept_order(order_id.clone()).await.unwrap();
        let detail = volunteer.order_detail(order_id.clone()).await.unwrap();
        assert_eq!(detail.order.id, order_id);
        assert_eq!(detail.order.state, OrderState::InProgress);
        assert_eq!(detail.category, NeedCategory::Mediation);
        assert_eq!(detail.urgency, Urgency::High);
        assert_eq!(detail.description, "邻居装修噪音纠纷，希望调解");
        assert_eq!(detail.address, "永中街道示例社区3幢");
        assert_eq!(detail.area_code, people.village_code);
        assert!(
            detail.area_name.as_deref().is_some_and(|n| !n.is_empty()),
            "{detail:?}"
        );
        let place = detail.place.unwrap();
        assert_eq!(place.datum, Datum::Wgs84);
        assert!((place.lat - people.post_lat).abs() < 1e-9);
        assert!((place.lng - people.post_lng).abs() < 1e-9);
        assert_eq!(detail.attachments.len(), 1);
        let a = &detail.attachments[0];
        assert_eq!(
            (a.id.as_str(), a.content_type.as_str(), a.size_bytes),
            (sha.as_str(), "application/pdf", PDF.len() as u64)
        );
        // The file, streamed to disk.
        let dest = dir.path().join("contract.pdf");
        let size = volunteer
            .download_attachment(
                order_id.clone(),
                a.id.clone(),
                dest.to_string_lossy().into_owned(),
            )
            .await
            .unwrap();
        assert_eq!(size, PDF.len() as u64);
        assert_eq!(std::fs::read(&dest).unwrap(), PDF);
        // Bad input names its field.
        let err = volunteer
            .download_attachment(
                order_id.clone(),
                "../../etc/passwd".to_string(),
                dest.to_string_lossy().into_owned(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "attachment_id")
        );
        let err = volunteer
            .download_attachment(
                order_id.clone(),
                a.id.clone(),
                dir.path().to_string_lossy().into_owned(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "dest_path")
        );
        let err = volunteer
            .order_detail("x/..".to_string())
            .await
            .unwrap_err();
        assert!(
            matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "order_id")
        );
        // Both reads are in the audit log, with the purpose.
        let admin = lawcircle_e2e::Client::login(&server, "admin", &people.admin.password).await;
        let need_id = detail.need_id;
        let audit = admin
            .get(&format!(
                "/api/v1/audit?subject_type=need&subject_id={need_id}"
            ))
            .await
            .body;
        let reads: Vec<&serde_json::Value> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["actor_id"] == people.volunteer.id)
            .collect();
        assert_eq!(reads.len(), 1, "{}: {audit}", backend.name());
        assert_eq!(reads[0]["action"], "read_need_detail");
        assert_eq!(reads[0]["reason"], "handling the order");
        let audit = admin
            .get(&format!(
                "/api/v1/audit?subject_type=attachment&subject_id={sha}%20(need%20{need_id})"
            ))
            .await
            .body;
        assert!(
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["actor_id"] == people.volunteer.id
                    && e["action"] == "read_attachment"
                    && e["reason"] == format!("handling the order {order_id}")),
            "{}: {audit}",
            backend.name()
        );
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_volunteer_reads_their_duty_hours_and_star_level() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (server, people) = world_on(&backend, dir.path()).await;
        let volunteer = phone(
            &server.base_url,
            dir.path(),
            "volunteer",
            &people.volunteer.password,
        );
        // Clocked in (by the people's seeding), not out: nothing counts yet.
        let before = volunteer.my_duty_hours().await.unwrap();
        assert_eq!(before.total_hours, 0.0, "{}: {before:?}", backend.name());
        assert_eq!(before.stars, 0);
        assert!(before.recent.is_empty());
        assert_eq!(before.star_thresholds_hours.len(), 5);
        assert_eq!(
            before.hours_to_next_star,
            Some(before.star_thresholds_hours[0])
        );
        let over_http =
            lawcircle_e2e::Client::login(&server, "volunteer", &people.volunteer.password).await;
        lawcircle_e2e::people::clock_out(
            &over_http,
            &people.volunteer.id.to_string(),
            &people.post_id,
            people.post_lat,
            people.post_lng,
        )
        .await
        .unwrap();
        // Outside the post's shift, so staff review both punches.
        let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
        let queue = staff
            .get("/api/v1/punches/review-queue?pending=true")
            .await
            .body;
        for p in queue.as_array().unwrap() {
            let id = p["id"].as_str().or(p["punch"]["id"].as_str()).unwrap();
            let r = staff
                .post(
                    &format!("/api/v1/punches/{id}/review"),
                    &serde_json::json!({"decision": "accept", "reason": "在岗值守已核实"}),
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        let after = volunteer.my_duty_hours().await.unwrap();
        assert_eq!(after.recent.len(), 1, "{}: {after:?}", backend.name());
        let s = &after.recent[0];
        assert_eq!(s.post_id, people.post_id);
        assert!(s.end_ms >= s.start_ms, "{s:?}");
        assert!((s.hours - (s.end_ms - s.start_ms) as f64 / 3_600_000.0).abs() < 1e-6);
        assert!((after.total_hours - s.hours).abs() < 1e-9);
        assert!((after.month_hours - s.hours).abs() < 1e-9);
        assert_eq!(after.stars, 0);
        assert!(
            (after.hours_to_next_star.unwrap() + after.total_hours
                - after.star_thresholds_hours[0])
                .abs()
                < 1e-9
        );
        assert_eq!(after.month.len(), 7, "{after:?}");
        // A resident does not clock in: refused.
        let resident = phone(
            &server.base_url,
            dir.path(),
            "resident",
            &people.resident.password,
        );
        let err = resident.my_duty_hours().await.unwrap_err();
        assert!(
            matches!(err, LawCircleError::Server { status: 403, .. }),
            "{err:?}"
        );
        server.stop();
    }
}

#[tokio::test]
async fn nearby_places_say_their_hours_and_whether_they_are_open_then() {
    let dir = tempfile::tempdir().unwrap();
    let client = open("http://127.0.0.1:9", dir.path());
    let csv = lawcircle_e2e::repo_root().join("data/longwan/facilities.csv");
    client
        .install_catalogue_file(csv.to_string_lossy().into_owned())
        .await
        .unwrap();
    let here = Point {
        lat: 27.9675,
        lng: 120.7455,
        datum: Datum::Wgs84,
    };
    // Tuesday 2025-03-04 10:00 and Sunday 2025-03-02 03:00, China time.
    let tuesday_10 = 1_741_053_600_000;
    let sunday_03 = 1_740_855_600_000;
    let at = |at_ms: i64, open_only: bool| NearbyQuery {
        open_at_ms: open_only.then_some(at_ms),
        at_ms: Some(at_ms),
        ..query(here, 40, &[], &[])
    };
    for t in [tuesday_10, sunday_03] {
        let all = client.nearest(at(t, false)).unwrap();
        assert_eq!(all.len(), 40);
        assert!(all.iter().all(|p| !p.opening_hours.is_empty()), "{all:?}");
        // The flag agrees with the core's open-at filter.
        let open: Vec<String> = client
            .nearest(at(t, true))
            .unwrap()
            .into_iter()
            .map(|p| p.facility_id)
            .collect();
        for p in &all {
            if p.open_now {
                assert!(open.contains(&p.facility_id), "{p:?}");
            }
            if p.opening_hours == "24/7" {
                assert!(p.open_now, "{p:?}");
            }
        }
        assert!(
            client
                .nearest(at(t, true))
                .unwrap()
                .iter()
                .all(|p| p.open_now)
        );
    }
    let weekday = client.nearest(at(tuesday_10, false)).unwrap();
    let night = client.nearest(at(sunday_03, false)).unwrap();
    let open_count = |v: &[lawcircle_ffi::NearbyPlace]| v.iter().filter(|p| p.open_now).count();
    assert!(
        open_count(&weekday) > open_count(&night),
        "{} open on Tuesday morning, {} on Sunday night",
        open_count(&weekday),
        open_count(&night)
    );
    assert!(weekday.iter().any(|p| p.phone.is_some()));
    assert!(weekday.iter().all(|p| !p.address.is_empty()));
    let err = client.nearest(at(i64::MAX, false)).unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "at_ms"));
}

#[tokio::test]
async fn the_village_at_a_fix_and_the_picker_list_work_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    // Before any refresh the phone knows no village.
    assert_eq!(client.villages(None, None).unwrap(), vec![]);
    client.refresh_catalogue().await.unwrap();
    server.stop();
    // Offline, from a new client on the same phone database.
    let client = phone("http://127.0.0.1:9", dir.path(), "resident", "x");
    let all = client.villages(None, None).unwrap();
    assert!(all.len() > 10, "{all:?}");
    assert!(all.iter().all(|v| v.code.len() == 12
        && v.code.starts_with(&v.street_code)
        && v.street_name.ends_with("街道")));
    let street = all[0].street_code.clone();
    let of_street = client.villages(Some(street.clone()), None).unwrap();
    assert!(!of_street.is_empty() && of_street.len() < all.len());
    assert!(of_street.iter().all(|v| v.street_code == street));
    let pick = &of_street[of_street.len() / 2];
    let fragment: String = pick.name.chars().take(2).collect();
    let found = client
        .villages(Some(street.clone()), Some(format!(" {fragment} ")))
        .unwrap();
    assert!(found.contains(pick), "{found:?}");
    assert!(found.iter().all(|v| v.name.contains(&fragment)));
    assert_eq!(
        client.villages(None, Some(pick.code.clone())).unwrap(),
        vec![pick.clone()]
    );
    // Standing at each village's seat finds that village, in any datum.
    for v in &all {
        let at = client.village_at(v.centroid).unwrap();
        assert_eq!(at.as_ref(), Some(v));
        let amap = lawcircle_ffi::convert_point(v.centroid, Datum::Gcj02).unwrap();
        assert_eq!(client.village_at(amap).unwrap().as_ref(), Some(v));
    }
    // Far from the district: none.
    let beijing = Point {
        lat: 39.9,
        lng: 116.4,
        datum: Datum::Wgs84,
    };
    assert_eq!(client.village_at(beijing).unwrap(), None);
    let err = client.villages(Some("3303".to_string()), None).unwrap_err();
    assert!(
        matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "street_code")
    );
    let err = client
        .village_at(Point {
            lat: 120.0,
            lng: 27.9,
            datum: Datum::Wgs84,
        })
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { .. }));
}

/// A grid of paths ±1.5 km around `(lat, lng)`, every 150 m or so, saved
/// as a `.lcwn` file at `path`.
fn grid_network(path: &std::path::Path, lat: f64, lng: f64) {
    let n = 21;
    let mut nodes = Vec::new();
    for i in 0..n {
        for j in 0..n {
            nodes.push((
                lat + (i as f64 - 10.0) * 0.00135,
                lng + (j as f64 - 10.0) * 0.00153,
            ));
        }
    }
    let mut edges = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let k = (i * n + j) as u32;
            if j + 1 < n {
                edges.push((k, k + 1));
            }
            if i + 1 < n {
                edges.push((k, k + n as u32));
            }
        }
    }
    lawcircle_core::geo::network::WalkingNetwork::from_edges(&nodes, &edges)
        .unwrap()
        .save(path)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walking_network_is_downloaded_once_and_used_offline_after_a_restart() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let lcwn = dir.path().join("district.lcwn");
        // The demo people's post (see `lawcircle_e2e::people`).
        let probe = Server::start(&storage, &["--demo"]);
        let people = seed_people(&probe.base_url, &storage).await.unwrap();
        // Without a network on the server: said so, nothing kept.
        let resident = phone(
            &probe.base_url,
            dir.path(),
            "resident",
            &people.resident.password,
        );
        let err = resident.refresh_walking_network().await.unwrap_err();
        assert!(
            matches!(err, LawCircleError::Server { status: 404, .. }),
            "{err:?}"
        );
        resident.refresh_catalogue().await.unwrap();
        probe.stop();
        drop(resident);
        grid_network(&lcwn, people.post_lat, people.post_lng);
        let server = Server::start(
            &storage,
            &["--demo", "--walking-network", lcwn.to_str().unwrap()],
        );
        // The endpoint: the file, its version, 304 when unchanged.
        let url = server.url("/api/v1/walking-network");
        let r = lawcircle_e2e::http_get(url.clone()).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let version = r.headers()["x-walking-network-version"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(etag, format!("\"{version}\""));
        assert_eq!(
            r.bytes().await.unwrap().to_vec(),
            std::fs::read(&lcwn).unwrap()
        );
        let again = lawcircle_e2e::Client::new(&server)
            .http
            .get(url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304);
        assert!(again.bytes().await.unwrap().is_empty());
        // The phone downloads it and walks on it.
        let resident = phone(
            &server.base_url,
            dir.path(),
            "resident",
            &people.resident.password,
        );
        let info = resident.refresh_walking_network().await.unwrap();
        assert_eq!(info.nodes, 21 * 21, "{}: {info:?}", backend.name());
        assert_eq!(info.edges, 2 * 21 * 20);
        assert!(resident.offline_status().unwrap().walking_network);
        let kept = dir.path().join("resident/lawcircle.sqlite.walking.lcwn");
        assert_eq!(std::fs::read(&kept).unwrap(), std::fs::read(&lcwn).unwrap());
        let modified = std::fs::metadata(&kept).unwrap().modified().unwrap();
        // Unchanged on the server: not downloaded again.
        assert_eq!(resident.refresh_walking_network().await.unwrap(), info);
        assert_eq!(
            std::fs::metadata(&kept).unwrap().modified().unwrap(),
            modified
        );
        let here = at_post(&people);
        let online = resident.nearest(query(here, 5, &[], &[])).unwrap();
        assert!(
            online
                .iter()
                .any(|p| !p.walking_estimated && p.walking_m.is_some()),
            "{online:?}"
        );
        server.stop();
        drop(resident);
        // A restart without the server: still on foot.
        let offline = phone("http://127.0.0.1:9", dir.path(), "resident", "x");
        assert!(offline.offline_status().unwrap().walking_network);
        let again = offline.nearest(query(here, 5, &[], &[])).unwrap();
        let strip = |v: Vec<lawcircle_ffi::NearbyPlace>| {
            v.into_iter()
                .map(|p| (p.facility_id, p.walking_m, p.walking_estimated))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(again), strip(online));
    }
}
