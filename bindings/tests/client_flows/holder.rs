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
