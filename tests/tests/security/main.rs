//! Personal data and durability, end to end on every backend:
//! server-made request ids in the audit log, reasons of a few words,
//! audited reads of need details and attachments, a person's data
//! exported and erased on request and by retention, consent sent by
//! Open311 clients, commits that reach the disk, and backup/restore.

use lawcircle_e2e::intake::need_draft;
use lawcircle_e2e::{Backend, Client, Reply, Server, Storage, backends, run_cli};
use lawcircle_server::store::Store;
use serde_json::{Value, json};
use std::time::Duration;

const PW: &str = "correct horse battery";
/// 核实申请材料 ("check the application's documents"), URL-encoded.
const REASON: &str = "%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99";

/// A demo server with an admin, a lawyer, two residents and two station
/// staff (of the need's street and of another).
async fn setup(backend: &Backend, dir: &std::path::Path, args: &[&str]) -> Server {
    let accounts = [
        ("admin", "district_admin", None),
        ("lawyer", "lawyer", None),
        ("resident", "resident", None),
        ("resident2", "resident", None),
        ("staff1", "station_staff", Some("330303001")),
        ("staff2", "station_staff", Some("330303002")),
    ];
    lawcircle_e2e::demo_server_with(backend, dir, args, &accounts, PW).await
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
        d.attachments.push(lawcircle_core::needs::AttachmentRef {
            sha256: sha.to_string(),
            media_type: "image/png".into(),
            size: bytes.len() as u64,
        });
    }
    let filed = c.file_need(&d).await;
    (
        filed["id"].as_i64().unwrap(),
        filed["order_id"].as_str().unwrap().to_string(),
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

mod pipl;
