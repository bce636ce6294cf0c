//! Personal data and durability, end to end on every backend:
//! server-made request ids in the audit log, reasons of a few words,
//! audited reads of need details and attachments, a person's data
//! exported and erased on request and by retention, consent sent by
//! Open311 clients, commits that reach the disk, and backup/restore.

use lawcircle_e2e::intake::need_draft;
use lawcircle_e2e::{
    Backend, Client, Reply, Server, Storage, backends, cli_create_account, run_cli,
};
use lawcircle_server::store::Store;
use serde_json::{Value, json};
use std::time::Duration;

const PW: &str = "correct horse battery";
/// 核实申请材料 ("check the application's documents"), URL-encoded.
const REASON: &str = "%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99";

/// A demo server with an admin, a lawyer, two residents and two station
/// staff (of the need's street and of another).
async fn setup(backend: &Backend, dir: &std::path::Path, args: &[&str]) -> Server {
    let storage = Storage::new(backend, dir).await;
    let mut all = vec!["--demo"];
    all.extend_from_slice(args);
    let server = Server::start(&storage, &all);
    for (user, role, street) in [
        ("admin", "district_admin", None),
        ("lawyer", "lawyer", None),
        ("resident", "resident", None),
        ("resident2", "resident", None),
        ("staff1", "station_staff", Some("330303001")),
        ("staff2", "station_staff", Some("330303002")),
    ] {
        cli_create_account(&storage, user, role, street, PW);
    }
    server
}

/// Uploads a small PNG (distinct per `tag`) and returns its receipt.
async fn upload(c: &Client, tag: &str) -> (Vec<u8>, String) {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(format!(" photo {tag}").as_bytes());
    let sha = lawcircle_core::content::sha256_hex(&png);
    let r = c
        .send(
            c.http
                .put(format!("{}/api/v1/attachments/{sha}", c.base))
                .header("content-type", "image/png")
                .body(png.clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    (png, sha)
}

/// Files a need (with the attachment, when given) and returns its id and
/// order id.
async fn file_need(c: &Client, tag: &str, attachment: Option<(&[u8], &str)>) -> (i64, String) {
    let mut d = need_draft(tag);
    if let Some((bytes, sha)) = attachment {
        d.attachments.push(lawcircle_core::need::AttachmentRef {
            sha256: sha.to_string(),
            media_type: "image/png".into(),
            size: bytes.len() as u64,
        });
    }
    let r = c
        .send(
            c.http
                .post(format!("{}/api/v1/needs", c.base))
                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                .json(&d),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (
        r.body["id"].as_i64().unwrap(),
        r.body["order_id"].as_str().unwrap().to_string(),
    )
}

async fn audit(admin: &Client, subject_type: &str, subject_id: &str) -> Vec<Value> {
    let r = admin
        .get(&format!(
            "/api/v1/audit?subject_type={subject_type}&subject_id={}&limit=200",
            subject_id.replace(' ', "%20")
        ))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn is_reason_error(r: &Reply) -> bool {
    r.status == 400 && r.body["error"]["field"] == "reason"
}

// ---------------------------------------------------------------------
// Request ids and reasons
// ---------------------------------------------------------------------

#[tokio::test]
async fn the_audit_log_keeps_the_servers_request_id_not_the_callers() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let staff = Client::login(&server, "staff1", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let (id, _) = file_need(&lawyer, "request ids", None).await;
        let path = format!(
            "{}/api/v1/needs/{id}/contact?reason=call%20back%20the%20requester",
            staff.base
        );
        let forged = "forged-by-the-caller";
        let r = staff
            .send(staff.http.get(&path).header("x-request-id", forged))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let answered = r.headers["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(
            answered, forged,
            "{name}: the answer carries the server's id"
        );
        // A caller id that is not printable ASCII is dropped, and so is a
        // header of the internal name sent from outside.
        let r = staff
            .send(
                staff
                    .http
                    .get(&path)
                    .header("x-request-id", "a b\tc")
                    .header("x-lawcircle-client-request-id", "smuggled"),
            )
            .await;
        assert_eq!(r.status, 200);
        let entries = audit(&admin, "need", &id.to_string()).await;
        assert_eq!(entries.len(), 2, "{name}: {entries:?}");
        let first = &entries[0];
        assert_eq!(first["request_id"], answered.as_str(), "{name}");
        assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered}");
        assert_eq!(first["client_request_id"], forged, "{name}");
        assert_eq!(first["reason"], "call back the requester");
        assert!(entries[1].get("client_request_id").is_none(), "{entries:?}");
        assert_ne!(entries[1]["request_id"], first["request_id"]);
        assert!(!entries.iter().any(|e| e.to_string().contains("smuggled")));
    }
}

#[tokio::test]
async fn every_audit_reason_has_a_few_words() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path(), &[]).await;
    let lawyer = Client::login(&server, "lawyer", PW).await;
    let staff = Client::login(&server, "staff1", PW).await;
    let admin = Client::login(&server, "admin", PW).await;
    let (png, sha) = upload(&lawyer, "reasons").await;
    let (id, _) = file_need(&lawyer, "reasons", Some((&png, &sha))).await;
    let lawyer_id = lawyer.get("/api/v1/me").await.body["id"].as_i64().unwrap();
    let reads = [
        format!("/api/v1/needs/{id}?reason="),
        format!("/api/v1/needs/{id}/contact?reason="),
        format!("/api/v1/attachments/{sha}?reason="),
        format!("/api/v1/accounts/{lawyer_id}/contact?reason="),
        "/api/v1/punches/review-queue?reason=".to_string(),
    ];
    // Two characters, one word, a single repeated letter: refused.
    for short in ["ok", "%E6%A0%B8%E5%AE%9E", "checking", "aaaa%20aaaaaa"] {
        for path in &reads {
            let r = admin.get(&format!("{path}{short}")).await;
            assert!(
                is_reason_error(&r),
                "{path}{short}: {} {:?}",
                r.status,
                r.body
            );
        }
        let r = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"account_id": lawyer_id, "reason": short}),
            )
            .await;
        assert!(is_reason_error(&r), "export {short}: {:?}", r.body);
    }
    for path in &reads {
        for good in [REASON, "call%20back%20the%20requester"] {
            let r = admin.get(&format!("{path}{good}")).await;
            assert_eq!(r.status, 200, "{path}{good}: {:?}", r.body);
        }
    }
    // Station staff are held to the same rule.
    let r = staff
        .get(&format!("/api/v1/needs/{id}/contact?reason=ok"))
        .await;
    assert!(is_reason_error(&r), "{:?}", r.body);
}

// ---------------------------------------------------------------------
// Audited reads of need details and attachments
// ---------------------------------------------------------------------

#[tokio::test]
async fn need_details_and_attachments_are_read_with_a_reason_and_audited() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let staff1 = Client::login(&server, "staff1", PW).await;
        let staff2 = Client::login(&server, "staff2", PW).await;
        let resident = Client::login(&server, "resident", PW).await;
        let resident2 = Client::login(&server, "resident2", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let (png, sha) = upload(&lawyer, name).await;
        let (id, _) = file_need(&lawyer, "a neighbour's noise", Some((&png, &sha))).await;

        // Need details: no reason, no read; with one, an audit entry.
        let r = staff1.get(&format!("/api/v1/needs/{id}")).await;
        assert!(is_reason_error(&r), "{name}: {:?}", r.body);
        assert!(audit(&admin, "need", &id.to_string()).await.is_empty());
        let r = staff1
            .get(&format!("/api/v1/needs/{id}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(r.body["description"], "a neighbour's noise");
        assert_eq!(r.body["requester_phone"], "139****1234", "still masked");
        let entries = audit(&admin, "need", &id.to_string()).await;
        assert_eq!(entries.len(), 1, "{name}: {entries:?}");
        assert_eq!(entries[0]["action"], "read_need_detail");
        assert_eq!(entries[0]["reason"], "核实申请材料");
        assert_eq!(entries[0]["actor_role"], "station_staff");
        // Lists stay masked and carry no description, without a reason.
        let list = staff1.get("/api/v1/needs").await;
        assert_eq!(list.status, 200);
        assert!(list.body["items"][0].get("description").is_none());

        // The attachment: only through a need the caller may see.
        let url = format!("/api/v1/attachments/{sha}");
        let r = staff1.get(&url).await;
        assert!(is_reason_error(&r), "{name}: {:?}", r.body);
        for other in [&staff2, &resident2] {
            let r = other.get(&format!("{url}?reason={REASON}")).await;
            assert_eq!(r.status, 404, "{name}: {:?}", r.body);
        }
        assert_eq!(
            staff1
                .get(&format!(
                    "/api/v1/attachments/{}?reason={REASON}",
                    "0".repeat(64)
                ))
                .await
                .status,
            404
        );
        let resp = staff1
            .http
            .get(format!("{}{url}?reason={REASON}", staff1.base))
            .bearer_auth(staff1.token.as_deref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let h = resp.headers().clone();
        assert_eq!(h["content-type"], "image/png");
        assert_eq!(
            h["content-disposition"].to_str().unwrap(),
            format!("attachment; filename=\"{sha}.png\"")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("sandbox"),
            "{csp}"
        );
        assert_eq!(resp.bytes().await.unwrap().to_vec(), png);
        let entries = audit(&admin, "attachment", &format!("{sha} (need {id})")).await;
        assert_eq!(entries.len(), 1, "{name}: {entries:?}");
        assert_eq!(entries[0]["action"], "read_attachment");

        // A resident reads their own need and its photo without a reason:
        // it is their own data, and nothing is logged.
        let (own_png, own_sha) = upload(&resident, "own").await;
        let (own, _) = file_need(&resident, "my own trouble", Some((&own_png, &own_sha))).await;
        let r = resident.get(&format!("/api/v1/needs/{own}")).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(r.body["description"], "my own trouble");
        let r = resident
            .get(&format!("/api/v1/attachments/{own_sha}"))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert!(audit(&admin, "need", &own.to_string()).await.is_empty());
        // Another resident cannot, reason or not.
        let r = resident2
            .get(&format!("/api/v1/needs/{own}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 404);
        server.stop();
    }
}

// ---------------------------------------------------------------------
// PIPL: export and erasure on request, retention, consent
// ---------------------------------------------------------------------

#[tokio::test]
async fn a_persons_data_is_exported_and_erased_on_request() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let resident = Client::login(&server, "resident", PW).await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let staff = Client::login(&server, "staff1", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let me = resident.get("/api/v1/me").await.body["id"]
            .as_i64()
            .unwrap();
        let (png, sha) = upload(&resident, "export").await;
        let (own, order) = file_need(
            &resident,
            "wage arrears at the shoe factory",
            Some((&png, &sha)),
        )
        .await;
        // Filed for the same person (same phone) by a lawyer on site.
        let (by_lawyer, _) = file_need(&lawyer, "filed on site for them", None).await;
        let (unrelated, _) = {
            let mut d = need_draft("someone else");
            d.requester.phone = "13700001111".into();
            let r = lawyer
                .send(
                    lawyer
                        .http
                        .post(format!("{}/api/v1/needs", lawyer.base))
                        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                        .json(&d),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            (r.body["id"].as_i64().unwrap(), ())
        };
        // The person names their account and their phone number (needs
        // filed for them by others carry only the number).
        let request = json!({"account_id": me, "phone": "139 0577 1234", "reason": "当事人书面申请查阅个人信息"});

        // Only district admins, with a reason.
        for c in [&staff, &resident, &lawyer] {
            let r = c.post("/api/v1/personal-data/export", &request).await;
            assert_eq!(r.status, 403, "{name}: {:?}", r.body);
            let r = c.post("/api/v1/personal-data/erase", &request).await;
            assert_eq!(r.status, 403, "{name}: {:?}", r.body);
        }
        let r = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"reason": "当事人书面申请查阅"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);

        // The export: account, needs in full (by account and by phone),
        // order, attachment links, and who read what.
        let r = admin.post("/api/v1/personal-data/export", &request).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let e = &r.body;
        assert_eq!(e["account"]["id"], me);
        let needs: Vec<i64> = e["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert!(
            needs.contains(&own) && needs.contains(&by_lawyer),
            "{name}: {needs:?}"
        );
        assert!(!needs.contains(&unrelated));
        let mine = e["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == own)
            .unwrap();
        assert_eq!(
            mine["need"]["description"],
            "wage arrears at the shoe factory"
        );
        assert_eq!(mine["need"]["requester"]["phone"], "13905771234");
        assert_eq!(mine["need"]["consent"]["notice_version"], "2024-03");
        assert_eq!(mine["order"]["id"], order.as_str());
        assert_eq!(
            e["attachments"][0]["url"],
            format!("/api/v1/attachments/{sha}")
        );
        let exported = audit(&admin, "need", &own.to_string()).await;
        assert!(
            exported
                .iter()
                .any(|x| x["action"] == "export_personal_data"
                    && x["reason"] == "当事人书面申请查阅个人信息"),
            "{name}: {exported:?}"
        );
        assert_eq!(
            audit(&admin, "account", &me.to_string()).await[0]["action"],
            "export_personal_data"
        );
        // By phone alone (someone without an account): only its mask is
        // written to the log.
        let r = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"phone": "13700001111", "reason": "当事人来电申请查阅"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["needs"].as_array().unwrap().len(), 1);
        assert_eq!(audit(&admin, "phone", "137****1111").await.len(), 1);
        let all = admin.get("/api/v1/audit?limit=200").await.body.to_string();
        assert!(!all.contains("13700001111"));

        // Erasure: personal data removed, statistics kept, files erased,
        // the account anonymised and signed out.
        let r = admin
            .post(
                "/api/v1/personal-data/erase",
                &json!({"account_id": me, "phone": "13905771234", "reason": "当事人申请删除个人信息"}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let mut done: Vec<i64> = r.body["needs_anonymised"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        done.sort();
        assert_eq!(done, vec![own, by_lawyer], "{name}");
        assert_eq!(r.body["account_anonymised"], true);
        assert!(r.body["kept"].as_str().unwrap().contains("category"));
        let d = admin
            .get(&format!("/api/v1/needs/{own}?reason={REASON}"))
            .await;
        assert_eq!(d.status, 200);
        assert_eq!(d.body["description"], "");
        assert_eq!(d.body["address"], "");
        assert_eq!(d.body["requester_name"], "");
        assert!(d.body["location"].get("point").is_none(), "{:?}", d.body);
        assert!(d.body["anonymised_at"].is_string());
        assert_eq!(d.body["category"], "mediation", "kept for statistics");
        assert_eq!(d.body["street_code"], "330303001");
        assert_eq!(d.body["order_id"], order.as_str());
        let c = admin
            .get(&format!("/api/v1/needs/{own}/contact?reason={REASON}"))
            .await;
        assert_eq!(c.body["phone"], "");
        assert_eq!(c.body["id_number"], Value::Null);
        let r = admin
            .get(&format!("/api/v1/attachments/{sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 410, "{name}: {:?}", r.body);
        let o = admin.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(o.status, 200, "the order stays: {:?}", o.body);
        assert_eq!(resident.get("/api/v1/me").await.status, 401);
        let login = Client::new(&server)
            .post(
                "/api/v1/auth/login",
                &json!({"username": "resident", "password": PW}),
            )
            .await;
        assert_eq!(login.status, 401, "{:?}", login.body);
        let acc = admin.get(&format!("/api/v1/accounts/{me}")).await;
        assert_eq!(acc.body["phone"], Value::Null);
        assert_eq!(acc.body["disabled"], true);
        // The other person's need is untouched.
        let other = admin
            .get(&format!("/api/v1/needs/{unrelated}?reason={REASON}"))
            .await;
        assert_eq!(other.body["description"], "someone else");
        server.stop();
    }
}

#[tokio::test]
async fn personal_data_past_its_retention_period_is_removed_in_the_background() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(
            &backend,
            dir.path(),
            &[
                "--test-clock",
                "--jobs-interval-ms",
                "100",
                "--need-retention-days",
                "30",
                "--attachment-retention-days",
                "10",
                "--audit-retention-days",
                "60",
            ],
        )
        .await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let (png, sha) = upload(&lawyer, "retention").await;
        let (done_id, done_order) =
            file_need(&lawyer, "case that is over", Some((&png, &sha))).await;
        let (active_png, active_sha) = upload(&lawyer, "retention active").await;
        let (active_id, _) =
            file_need(&lawyer, "case still open", Some((&active_png, &active_sha))).await;
        let o = admin.get(&format!("/api/v1/orders/{done_order}")).await;
        let r = admin
            .post(
                &format!("/api/v1/orders/{done_order}/events"),
                &json!({"event": {"event": "cancel", "reason": "申请人已撤回申请"}, "version": o.body["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let r = admin
            .get(&format!("/api/v1/needs/{done_id}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 200);
        let first_read = audit(&admin, "need", &done_id.to_string()).await[0]["id"].clone();

        // 40 days on: the finished case is anonymised, its file and the
        // old file erased; the open case keeps its data and its file.
        admin
            .post("/api/v1/test/clock", &json!({"seconds": 40 * 24 * 3600}))
            .await;
        let admin = Client::login(&server, "admin", PW).await;
        let mut removed = false;
        for _ in 0..100 {
            let d = admin
                .get(&format!("/api/v1/needs/{done_id}?reason={REASON}"))
                .await;
            if d.body["anonymised_at"].is_string() {
                assert_eq!(d.body["description"], "");
                assert_eq!(d.body["category"], "mediation");
                removed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(removed, "{name}: the finished case was not anonymised");
        let r = admin
            .get(&format!("/api/v1/attachments/{sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 410, "{name}: {:?}", r.body);
        let d = admin
            .get(&format!("/api/v1/needs/{active_id}?reason={REASON}"))
            .await;
        assert_eq!(d.body["description"], "case still open", "{name}");
        assert!(d.body.get("anonymised_at").is_none());
        let r = admin
            .get(&format!("/api/v1/attachments/{active_sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 200, "{name}: a file of an open case stays");
        // The audit entries written 40 days ago are kept (60 days)...
        assert!(!audit(&admin, "need", &done_id.to_string()).await.is_empty());
        // ...and are gone after 70.
        admin
            .post("/api/v1/test/clock", &json!({"seconds": 30 * 24 * 3600}))
            .await;
        let admin = Client::login(&server, "admin", PW).await;
        let mut gone = false;
        for _ in 0..100 {
            let entries = audit(&admin, "need", &done_id.to_string()).await;
            // The read of day 0 is past 60 days; those of day 40 are not.
            if !entries.iter().any(|e| e["id"] == first_read) {
                assert!(!entries.is_empty(), "{name}: newer entries stay");
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(gone, "{name}: old audit entries were not deleted");
        server.stop();
    }
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn open311_clients_send_the_requesters_consent() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let admin = Client::login(&server, "admin", PW).await;
        let public = Client::new(&server);
        let issued = admin
            .post("/api/v1/open311-keys", &json!({"name": "浙里办测试"}))
            .await;
        assert_eq!(issued.status, 201, "{:?}", issued.body);
        let key = issued.body["key"].as_str().unwrap().to_string();
        let base: Vec<(&str, &str)> = vec![
            ("api_key", &key),
            ("service_code", "mediation"),
            ("lat", "27.931853"),
            ("long", "120.82023"),
            ("first_name", "四"),
            ("last_name", "李"),
            ("phone", "13812345678"),
            ("attribute[dispute_type]", "neighbour"),
            ("attribute[other_party]", "王五"),
            ("attribute[facts]", "楼上装修噪音持续三个月，协商未果。"),
            ("attribute[claim]", "停止夜间施工"),
        ];
        let post = |pairs: Vec<(&str, &str)>| {
            let body = form_encode(&pairs);
            let c = public.clone();
            async move {
                c.send(
                    c.http
                        .post(format!("{}/open311/v2/requests.json", c.base))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body),
                )
                .await
            }
        };
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut p = base.clone();
            p.extend_from_slice(extra);
            p
        };
        for (extra, says) in [
            (vec![], "consent was not provided"),
            (
                vec![("consent", "false"), ("consent_notice_version", "2025-01")],
                "consent must be true",
            ),
            (vec![("consent", "true")], "consent_notice_version"),
            (
                vec![
                    ("consent", "true"),
                    ("consent_notice_version", "2025-01"),
                    ("consent_at", "yesterday"),
                ],
                "consent_at",
            ),
        ] {
            let r = post(with(&extra)).await;
            assert_eq!(r.status, 400, "{name} {extra:?}: {:?}", r.body);
            let d = r.body[0]["description"].as_str().unwrap();
            assert!(d.contains(says), "{name}: {d}");
        }
        let r = post(with(&[
            ("consent", "true"),
            ("consent_notice_version", "zlb-privacy-2025-01"),
            ("consent_at", "2025-03-03T10:00:00+08:00"),
        ]))
        .await;
        assert_eq!(r.status, 201, "{name}: {:?}", r.body);
        let e = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"phone": "13812345678", "reason": "核对同意记录"}),
            )
            .await;
        assert_eq!(e.status, 200, "{:?}", e.body);
        let consent = &e.body["needs"][0]["need"]["consent"];
        assert_eq!(consent["given"], true);
        assert_eq!(consent["notice_version"], "zlb-privacy-2025-01");
        assert_eq!(consent["at"], "2025-03-03T02:00:00Z");
        server.stop();
    }
}

// ---------------------------------------------------------------------
// Durability, backup and restore
// ---------------------------------------------------------------------

#[tokio::test]
async fn every_connection_commits_to_disk_before_answering() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("d.sqlite"))
        .await
        .unwrap();
    let settings = store.durability().await.unwrap();
    assert!(
        settings.contains(&("synchronous".into(), "2".into())),
        "SQLite must run synchronous = FULL (2): {settings:?}"
    );
    assert!(settings.contains(&("journal_mode".into(), "wal".into())));
    store.close().await;
    for backend in backends() {
        let Backend::Postgres(admin_url) = backend else {
            continue;
        };
        // Even a database whose default turns it off gets it on.
        let url = lawcircle_e2e::fresh_postgres_database(&admin_url).await;
        let db = url.rsplit('/').next().unwrap().to_string();
        {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {db} SET synchronous_commit = off"
            )))
            .execute(&mut c)
            .await
            .unwrap();
        }
        let store = Store::open(&url).await.unwrap();
        let settings = store.durability().await.unwrap();
        assert!(
            settings.contains(&("synchronous_commit".into(), "on".into())),
            "{settings:?}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_every_need_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path(), &[]).await;
    let lawyer = Client::login(&server, "lawyer", PW).await;
    let admin = Client::login(&server, "admin", PW).await;
    // A steady stream of needs while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let lawyer = lawyer.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut filed = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || i < 10 {
                filed.push(
                    file_need(&lawyer, &format!("backup storm {i}"), None)
                        .await
                        .0,
                );
                i += 1;
            }
            filed
        })
    };
    while admin.get("/api/v1/needs?limit=5").await.body["items"]
        .as_array()
        .unwrap()
        .len()
        < 5
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: i64 = {
        let r = admin.get("/api/v1/needs?limit=500").await;
        r.body["items"].as_array().unwrap().len() as i64
    };
    let backup = dir.path().join("backup.sqlite");
    let data_dir = dir.path().display().to_string();
    let out = tokio::task::spawn_blocking({
        let backup = backup.clone();
        move || {
            run_cli(&[
                "backup",
                "--data-dir",
                &data_dir,
                "--out",
                &backup.display().to_string(),
            ])
        }
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("integrity ok"), "{said}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let filed = writer.await.unwrap();
    // The same file again is refused (a backup never overwrites).
    let again = run_cli(&[
        "backup",
        "--data-dir",
        &dir.path().display().to_string(),
        "--out",
        &backup.display().to_string(),
    ]);
    assert!(!again.status.success());
    server.stop();

    // Restore into a new place and serve it.
    let restored = tempfile::tempdir().unwrap();
    let rdir = restored.path().display().to_string();
    let garbage = restored.path().join("garbage.sqlite");
    std::fs::write(&garbage, b"not a database at all, just text").unwrap();
    let r = run_cli(&[
        "restore",
        "--data-dir",
        &rdir,
        "--from",
        &garbage.display().to_string(),
    ]);
    assert!(
        !r.status.success(),
        "a file that is not a database is refused"
    );
    assert!(!restored.path().join("lawcircle.sqlite").exists());
    let from = backup.display().to_string();
    let r = run_cli(&["restore", "--data-dir", &rdir, "--from", &from]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r = run_cli(&["restore", "--data-dir", &rdir, "--from", &from]);
    assert!(!r.status.success(), "an existing database needs --force");
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    let r = run_cli(&["restore", "--data-dir", &rdir, "--from", &from, "--force"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let storage = Storage {
        data_dir: restored.path().to_path_buf(),
        database_url: None,
    };
    let server = Server::start(&storage, &[]);
    let admin = Client::login(&server, "admin", PW).await;
    let r = admin.get("/api/v1/needs?limit=500").await;
    let ids: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() as i64 >= before, "{} < {before}", ids.len());
    assert!(ids.len() <= filed.len());
    // A consistent cut: the restored needs are the first ones filed, none
    // missing in between.
    assert_eq!(ids, filed[..ids.len()].to_vec());
    server.stop();
}

#[tokio::test]
async fn postgres_backups_are_left_to_pg_dump() {
    for backend in backends() {
        let Backend::Postgres(admin_url) = backend else {
            continue;
        };
        let url = lawcircle_e2e::fresh_postgres_database(&admin_url).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.sqlite").display().to_string();
        let r = run_cli(&["backup", "--database-url", &url, "--out", &out]);
        assert!(!r.status.success());
        assert!(String::from_utf8_lossy(&r.stderr).contains("pg_dump"));
    }
}
