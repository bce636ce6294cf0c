//! The platform server's conventions end to end, on SQLite and PostgreSQL:
//! accounts and tokens, the role × action table cell by cell, masking and
//! audit of personal data, malformed requests, the OpenAPI document, and no
//! personal data in the logs.

use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, error_code};
use serde_json::{Value, json};

const PW: &str = "correct-horse-42";
const STREET_A: &str = "330303001";
const STREET_B: &str = "330303002";
const VILLAGE_A: &str = "330303001001";
const VILLAGE_B: &str = "330303002001";

/// A server with the demo data, an admin bootstrapped by the CLI, and one
/// account of every role (staff and volunteers in street A and B).
struct World {
    server: Server,
    admin: Client,
    staff_a: Client,
    staff_b: Client,
    volunteer_a: Client,
    volunteer_a_id: i64,
    lawyer_a: Client,
    resident_a: Client,
    resident_a_id: i64,
    anonymous: Client,
    _dir: tempfile::TempDir,
}

async fn create(admin: &Client, username: &str, role: &str, street: &str, phone: &str) -> i64 {
    let r = admin
        .post(
            "/api/v1/accounts",
            &json!({"username": username, "display_name": format!("{username} 测试"), "role": role,
                    "street_code": street, "phone": phone, "id_number": "11010519491231002X",
                    "password": PW}),
        )
        .await;
    assert_eq!(r.status, 201, "create {username}: {:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

async fn world(backend: &Backend, extra: &[&str]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    // The demo data gives the streets that accounts refer to.
    let mut args = vec!["--demo"];
    args.extend_from_slice(extra);
    let server = Server::start(&storage, &args);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    create(&admin, "staff-a", "station_staff", STREET_A, "13800000001").await;
    create(&admin, "staff-b", "station_staff", STREET_B, "13800000002").await;
    let volunteer_a_id = create(&admin, "vol-a", "volunteer", STREET_A, "13912345678").await;
    create(&admin, "lawyer-a", "lawyer", STREET_A, "13700000004").await;
    let resident_a_id = create(&admin, "res-a", "resident", STREET_A, "13600000005").await;
    World {
        staff_a: Client::login(&server, "staff-a", PW).await,
        staff_b: Client::login(&server, "staff-b", PW).await,
        volunteer_a: Client::login(&server, "vol-a", PW).await,
        lawyer_a: Client::login(&server, "lawyer-a", PW).await,
        resident_a: Client::login(&server, "res-a", PW).await,
        anonymous: Client::new(&server),
        volunteer_a_id,
        resident_a_id,
        admin,
        server,
        _dir: dir,
    }
}

fn facility(id: &str, area: &str) -> Value {
    json!({"id": id, "kind": "mediation_organization", "name": format!("{id} 调解室"),
           "lat": 27.93, "lng": 120.82, "opening_hours": "Mo-Fr 09:00-17:00", "area_code": area})
}

#[tokio::test]
async fn role_by_action_matrix_cell_by_cell() {
    for backend in backends() {
        let w = world(&backend, &[]).await;
        let vol = w.volunteer_a_id;
        let contact =
            format!("/api/v1/accounts/{vol}/contact?reason=call%20back%20the%20volunteer");
        // (who, request, expected status) for every role and endpoint.
        let clients: [(&str, &Client); 7] = [
            ("anonymous", &w.anonymous),
            ("resident", &w.resident_a),
            ("volunteer", &w.volunteer_a),
            ("lawyer", &w.lawyer_a),
            ("staff_a", &w.staff_a),
            ("staff_b", &w.staff_b),
            ("admin", &w.admin),
        ];
        // GET /api/v1/accounts
        let expect = [401, 403, 403, 403, 200, 200, 200];
        for ((who, c), want) in clients.iter().zip(expect) {
            let r = c.get("/api/v1/accounts").await;
            assert_eq!(r.status, want, "{} list accounts as {who}", backend.name());
        }
        // GET a volunteer's full contact (audited).
        let expect = [401, 403, 200, 403, 200, 404, 200];
        for ((who, c), want) in clients.iter().zip(expect) {
            let r = c.get(&contact).await;
            assert_eq!(
                r.status,
                want,
                "{} contact as {who}: {:?}",
                backend.name(),
                r.body
            );
        }
        // GET /api/v1/audit
        let expect = [401, 403, 403, 403, 403, 403, 200];
        for ((who, c), want) in clients.iter().zip(expect) {
            assert_eq!(c.get("/api/v1/audit").await.status, want, "audit as {who}");
        }
        // POST a facility in street A.
        let expect = [401, 403, 403, 403, 201, 403, 201];
        for (i, ((who, c), want)) in clients.iter().zip(expect).enumerate() {
            let r = c
                .post(
                    "/api/v1/facilities",
                    &facility(&format!("T-{i}"), VILLAGE_A),
                )
                .await;
            assert_eq!(
                r.status,
                want,
                "{} create facility as {who}: {:?}",
                backend.name(),
                r.body
            );
        }
        // POST an import file.
        let csv = format!(
            "id,kind,name,lat,lng,opening_hours,area_code\nIMP-1,law_firm,导入律所,27.9,120.8,24/7,{VILLAGE_B}\n"
        );
        let expect = [401, 403, 403, 403, 403, 403, 200];
        for ((who, c), want) in clients.iter().zip(expect) {
            let r = c
                .post_raw(
                    "/api/v1/imports/facilities?format=csv",
                    "text/csv",
                    csv.clone().into_bytes(),
                )
                .await;
            assert_eq!(
                r.status,
                want,
                "{} import as {who}: {:?}",
                backend.name(),
                r.body
            );
        }
        // POST an account: staff only within their street and only
        // resident/volunteer/lawyer roles.
        let new_vol = |n: &str, street: &str, role: &str| json!({"username": n, "display_name": n, "role": role, "street_code": street, "password": PW});
        let expect = [401, 403, 403, 403, 201, 403, 201];
        for (i, ((who, c), want)) in clients.iter().zip(expect).enumerate() {
            let r = c
                .post(
                    "/api/v1/accounts",
                    &new_vol(&format!("new-{i}"), STREET_A, "volunteer"),
                )
                .await;
            assert_eq!(r.status, want, "create account as {who}: {:?}", r.body);
        }
        let r = w
            .staff_a
            .post(
                "/api/v1/accounts",
                &new_vol("sneaky", STREET_A, "district_admin"),
            )
            .await;
        assert_eq!(r.status, 403);
        // Staff see only their own street.
        let r = w.staff_b.get("/api/v1/accounts?limit=500").await;
        let items = r.body["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|a| a["street_code"] == STREET_B),
            "{items:?}"
        );
        // Staff edit only facilities of their street.
        let r = w
            .staff_b
            .put("/api/v1/facilities/T-4", &facility("T-4", VILLAGE_A))
            .await;
        assert_eq!(r.status, 403);
        let r = w
            .staff_a
            .put("/api/v1/facilities/T-4", &facility("T-4", VILLAGE_B))
            .await;
        assert_eq!(r.status, 403, "moving a facility out of one's street");
        // Revoking someone else's tokens: only admins.
        let r = w
            .resident_a
            .post(&format!("/api/v1/accounts/{vol}/revoke-tokens"), &json!({}))
            .await;
        assert_eq!(r.status, 403);
        w.server.stop();
    }
}

#[tokio::test]
async fn lists_mask_personal_data_and_full_reads_are_audited() {
    for backend in backends() {
        let w = world(&backend, &[]).await;
        let vol = w.volunteer_a_id;
        let r = w.staff_a.get("/api/v1/accounts").await;
        let me = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == vol)
            .cloned()
            .unwrap();
        assert_eq!(me["phone"], "139****5678");
        assert_eq!(me["id_number"], "110***********002X");
        // The full number needs a reason, and the read is audited.
        let r = w
            .staff_a
            .get(&format!("/api/v1/accounts/{vol}/contact"))
            .await;
        assert_eq!(r.status, 400);
        let r = w
            .staff_a
            .get(&format!("/api/v1/accounts/{vol}/contact?reason=回访核实"))
            .await;
        assert_eq!(r.body["phone"], "13912345678");
        let r = w
            .admin
            .get(&format!(
                "/api/v1/audit?subject_type=account&subject_id={vol}"
            ))
            .await;
        let entries = r.body["items"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["reason"], "回访核实");
        assert_eq!(entries[0]["actor_role"], "station_staff");
        assert_eq!(entries[0]["fields"], "phone,id_number");
        // One's own account is shown in full.
        let r = w.volunteer_a.get("/api/v1/me").await;
        assert_eq!(r.body["phone"], "13912345678");
        // Pagination walks every account exactly once.
        let mut seen = Vec::new();
        let mut after = 0;
        loop {
            let r = w
                .admin
                .get(&format!("/api/v1/accounts?limit=2&after={after}"))
                .await;
            for a in r.body["items"].as_array().unwrap() {
                seen.push(a["id"].as_i64().unwrap());
            }
            match r.body["next_after"].as_i64() {
                Some(n) => after = n,
                None => break,
            }
        }
        let mut dedup = seen.clone();
        dedup.dedup();
        assert_eq!(seen, dedup);
        assert!(seen.len() >= 6);
        assert!(seen.contains(&w.resident_a_id));
        w.server.stop();
    }
}

#[tokio::test]
async fn tokens_expire_and_can_be_revoked_and_logins_are_throttled() {
    for backend in backends() {
        // A first back-off long enough that the 429 below does not depend
        // on how fast the requests are.
        let w = world(&backend, &["--test-clock", "--login-backoff-secs", "600"]).await;
        assert_eq!(w.resident_a.get("/api/v1/me").await.status, 200);
        // Logout revokes the token.
        let second = Client::login(&w.server, "res-a", PW).await;
        assert_eq!(
            second.post("/api/v1/auth/logout", &json!({})).await.status,
            204
        );
        let r = second.get("/api/v1/me").await;
        assert_eq!((r.status, error_code(&r).as_str()), (401, "unauthorized"));
        assert_eq!(w.resident_a.get("/api/v1/me").await.status, 200);
        // An admin revokes all of an account's tokens.
        let r = w
            .admin
            .post(
                &format!("/api/v1/accounts/{}/revoke-tokens", w.resident_a_id),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body["revoked"].as_u64().unwrap() >= 1);
        assert_eq!(w.resident_a.get("/api/v1/me").await.status, 401);
        // Tokens expire (12 h by default).
        let fresh = Client::login(&w.server, "res-a", PW).await;
        assert_eq!(fresh.get("/api/v1/me").await.status, 200);
        let r = w
            .anonymous
            .post("/api/v1/test/clock", &json!({"seconds": 13 * 3600}))
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(fresh.get("/api/v1/me").await.status, 401);
        // Five wrong passwords put the username (from this address) into
        // back-off, even for the right one.
        for _ in 0..5 {
            let r = w
                .anonymous
                .post(
                    "/api/v1/auth/login",
                    &json!({"username": "vol-a", "password": "wrong-password"}),
                )
                .await;
            assert_eq!(r.status, 401);
        }
        let r = w
            .anonymous
            .post(
                "/api/v1/auth/login",
                &json!({"username": "vol-a", "password": PW}),
            )
            .await;
        assert_eq!(r.status, 429);
        assert_eq!(error_code(&r), "too_many_requests");
        assert!(r.headers.contains_key("retry-after"));
        // The back-off (10 min) passes.
        w.anonymous
            .post("/api/v1/test/clock", &json!({"seconds": 16 * 60}))
            .await;
        let r = w
            .anonymous
            .post(
                "/api/v1/auth/login",
                &json!({"username": "vol-a", "password": PW}),
            )
            .await;
        assert_eq!(r.status, 200);
        w.server.stop();
    }
}

#[tokio::test]
async fn malformed_requests_get_4xx_in_the_stable_shape_never_5xx() {
    let w = world(&Backend::Sqlite, &[]).await;
    let url = |p: &str| w.server.url(p);
    // A new connection per request: after refusing an oversized body the
    // server closes the connection, and a pooled one could be reused just
    // as it closes.
    lawcircle_client::sync::install_crypto_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let token = w.admin.token.clone().unwrap();
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "truncated JSON",
            http.post(url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body(r#"{"username": "adm"#),
            400,
            "invalid_json",
        ),
        (
            "wrong type",
            http.post(url("/api/v1/auth/login"))
                .json(&json!({"username": 42, "password": "x"})),
            400,
            "invalid_json",
        ),
        (
            "unknown field",
            http.post(url("/api/v1/auth/login"))
                .json(&json!({"username": "a", "password": "b", "admin": true})),
            400,
            "invalid_json",
        ),
        (
            "huge number",
            http.post(url("/api/v1/accounts"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"username":"x","display_name":"x","role":"resident","password":"xxxxxxxxxxxx","street_code":1e999999}"#),
            400,
            "invalid_json",
        ),
        (
            "invalid UTF-8",
            http.post(url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body(b"{\"username\": \"\xff\xfe\", \"password\": \"x\"}".to_vec()),
            400,
            "invalid_json",
        ),
        (
            "NUL in a JSON string",
            http.post(url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body(r#"{"username": "a\u0000b", "password": "x"}"#),
            400,
            "invalid_json",
        ),
        (
            "NUL in the path",
            http.get(url("/api/v1/volunteers/V1%00")).bearer_auth(&token),
            400,
            "bad_request",
        ),
        (
            "missing content type",
            http.post(url("/api/v1/auth/login")).body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            "method not allowed",
            http.delete(url("/api/v1/facilities")),
            405,
            "method_not_allowed",
        ),
        (
            "bad path parameter",
            http.get(url("/api/v1/accounts/not-a-number")).bearer_auth(&token),
            400,
            "bad_request",
        ),
        (
            "integer overflow in the path",
            http.get(url("/api/v1/accounts/99999999999999999999999")).bearer_auth(&token),
            400,
            "bad_request",
        ),
        (
            "bad limit",
            http.get(url("/api/v1/accounts?limit=0")).bearer_auth(&token),
            400,
            "bad_request",
        ),
        (
            "garbage bearer token",
            http.get(url("/api/v1/me")).header("authorization", "Bearer lct_not-a-real-token"),
            401,
            "unauthorized",
        ),
        (
            "bad role",
            http.post(url("/api/v1/accounts"))
                .bearer_auth(&token)
                .json(&json!({"username":"x1x","display_name":"x","role":"root","password":"xxxxxxxxxxxx"})),
            400,
            "invalid_json",
        ),
        (
            "invalid phone",
            http.post(url("/api/v1/accounts"))
                .bearer_auth(&token)
                .json(&json!({"username":"x2x","display_name":"x","role":"resident","phone":"12345","password":"xxxxxxxxxxxx"})),
            400,
            "bad_request",
        ),
        (
            "invalid ID check digit",
            http.post(url("/api/v1/accounts"))
                .bearer_auth(&token)
                .json(&json!({"username":"x3x","display_name":"x","role":"resident","id_number":"110105194912310021","password":"xxxxxxxxxxxx"})),
            400,
            "bad_request",
        ),
        (
            "swapped coordinates",
            http.post(url("/api/v1/facilities"))
                .bearer_auth(&token)
                .json(&json!({"id":"BAD","kind":"law_firm","name":"x","lat":120.8,"lng":27.9,"opening_hours":"24/7","area_code":VILLAGE_A})),
            400,
            "bad_request",
        ),
    ];
    for (what, req, status, code) in cases {
        let resp = req.send().await.unwrap();
        let got = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "{what}: {body}");
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        assert!(body["error"]["message"].is_string(), "{what}: {body}");
    }
    // An oversized body is refused from its declared length, before any of
    // it is read. Sent on a raw socket with the headers alone: a client
    // still writing 2 MiB can see the connection closed under it (a broken
    // pipe), which says nothing about the answer.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let base = url("");
        let authority = base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let mut socket = tokio::net::TcpStream::connect(&authority).await.unwrap();
        let head = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nhost: {authority}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n",
            2 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        socket.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"payload_too_large\""), "{answer}");
    }
    // Field names come back where they help a form.
    let r = w
        .admin
        .post(
            "/api/v1/facilities",
            &json!({"id":"BAD2","kind":"law_firm","name":"x","lat":120.8,"lng":27.9,"opening_hours":"24/7","area_code":VILLAGE_A}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "lat");
    let r = w
        .admin
        .post(
            "/api/v1/accounts",
            &json!({"username":"x4x","display_name":"x","role":"resident","phone":"12345","password":"xxxxxxxxxxxx"}),
        )
        .await;
    assert_eq!(r.body["error"]["field"], "phone");
    // An import with a bad row is refused whole with every problem listed.
    let r = w
        .admin
        .post_raw(
            "/api/v1/imports/facilities?format=csv&file_name=bad.csv",
            "text/csv",
            b"id,kind,name,lat,lng,opening_hours,area_code\nA1,law_firm,x,27.9,120.8,24/7,330303001\nA2,casino,y,27.9,120.8,24/7,330303001\n".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(error_code(&r), "import_refused");
    let problems = r.body["error"]["details"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["field"], "kind");
    assert_eq!(problems[0]["location"]["index"], 3);
    w.server.stop();
}

#[tokio::test]
async fn openapi_document_is_served_and_complete() {
    let w = world(&Backend::Sqlite, &[]).await;
    let r = w.anonymous.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/health",
        "/api/v1/auth/login",
        "/api/v1/accounts",
        "/api/v1/accounts/{id}/contact",
        "/api/v1/facilities",
        "/api/v1/imports/{kind}",
        "/api/v1/audit",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(r.body["components"]["securitySchemes"]["bearer"].is_object());
    w.server.stop();
}

#[tokio::test]
async fn no_personal_data_or_secrets_in_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start_with_log(&storage, &["--demo"], "debug");
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    let id = create(&admin, "vol-x", "volunteer", STREET_A, "13987654321").await;
    let r = admin
        .get(&format!(
            "/api/v1/accounts/{id}/contact?reason=核实身份信息"
        ))
        .await;
    assert_eq!(r.status, 200);
    let log = server.log();
    assert!(log.contains("/api/v1/accounts"), "requests are logged");
    for secret in [
        "13987654321",
        "11010519491231002X",
        PW,
        admin.token.as_deref().unwrap(),
        "核实",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
    server.stop();
}
