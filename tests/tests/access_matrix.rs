//! The role × operation matrix, generated from the OpenAPI document: every
//! operation of `/api/v1/openapi.json`, tried by every kind of caller over
//! real HTTP against the real server, on SQLite and PostgreSQL, answers
//! the status its row in [`MATRIX`] says.
//!
//! An operation of the document without a row fails the test (the message
//! names it and shows the line to add); so does a row for an operation the
//! document no longer has. Adding an endpoint is adding one line.
//!
//! The callers (columns, in this order): anonymous; the resident who
//! requested the fixture order; the volunteer holding it; a lawyer; station
//! staff of the order's street; the district admin; station staff of
//! another street; another resident; another active volunteer of the
//! street who does not hold the order.
//!
//! URLs and bodies name fixtures in angle brackets, made once
//! ([`Fixtures`]) or, for `<fresh_…>`, anew for every cell:
//! `<order>` a consultation requested by the resident and held by the
//! volunteer, `<need>` its need, `<vid>` and `<vol_account>` the
//! volunteer's record and account, `<punch>` a punch of theirs, `<spare>`
//! a resident of the street nobody signs in as, `<facility_a>` a facility
//! of the street, `<pdf_sha>` the sha256 of [`PDF`], `<unique>` a fresh
//! name, `<fresh_consultation>` a new open consultation of the resident.

use chrono::Utc;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::{Punch, PunchKind};
use lawcircle_e2e::people::{OTHER_STREET, PW, STREET, VILLAGE, test_account};
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account, people};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The attachment every permitted caller uploads.
const PDF: &[u8] = b"%PDF-1.4\n% access matrix probe\n";

/// The callers, in the order of the columns.
const CALLERS: [&str; 9] = [
    "anonymous",
    "resident",
    "volunteer",
    "lawyer",
    "staff",
    "admin",
    "staff_other_street",
    "other_resident",
    "other_volunteer",
];

/// How a request is sent.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// A JSON body (fixtures in angle brackets are filled in).
    Json(&'static str),
    /// `text/csv`.
    Csv(&'static str),
    /// `application/x-www-form-urlencoded`.
    Form(&'static str),
    /// [`PDF`] as `application/pdf`.
    Pdf,
    /// A punch made by the caller at the street's duty post.
    Punch,
    /// A long-lived stream: only the status is read.
    Stream,
    /// Sent with a session opened for this request alone (logging out).
    FreshSession,
}

/// One operation: as the document names it, the URL tried, the body, and
/// the status each caller gets.
struct Row {
    op: &'static str,
    url: &'static str,
    body: Body,
    expect: [u16; 9],
}

const fn row(op: &'static str, url: &'static str, body: Body, expect: [u16; 9]) -> Row {
    Row {
        op,
        url,
        body,
        expect,
    }
}

use Body::{Csv, Form, FreshSession, Json, None as NoBody, Pdf, Punch as PunchBody, Stream};

const ALL_200: [u16; 9] = [200; 9];
const SIGNED_IN_200: [u16; 9] = [401, 200, 200, 200, 200, 200, 200, 200, 200];
/// Staff (either street) and the district admin.
const STAFF_200: [u16; 9] = [401, 403, 403, 403, 200, 200, 200, 403, 403];
const ADMIN_ONLY: [u16; 9] = [401, 403, 403, 403, 403, 200, 403, 403, 403];
/// Staff of the street and the admin; staff of another street see nothing.
const STREET_STAFF_200: [u16; 9] = [401, 403, 403, 403, 200, 200, 404, 403, 403];

const NEED: &str = r#"{"requester": {"name": "李四", "phone": "13812345678"}, "category": "mediation",
  "description": "邻居装修噪音纠纷，希望调解", "urgency": "normal",
  "location": {"address": "永中街道示例社区", "area_code": "330303001001"}, "channel": "online",
  "entered": {"at": "2025-03-03T02:00:00Z"},
  "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}}"#;

/// A batch of one need, its key fixed: the first caller's entry is
/// created, later callers' entries are conflicts (another account's key).
const NEED_BATCH: &str = r#"{"needs": [{"idempotency_key": "matrix-batch-1", "need": {"requester": {"name": "李四", "phone": "13812345678"}, "category": "mediation",
  "description": "邻居装修噪音纠纷，希望调解", "urgency": "normal",
  "location": {"address": "永中街道示例社区", "area_code": "330303001001"}, "channel": "online",
  "entered": {"at": "2025-03-03T02:00:00Z"},
  "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}}}]}"#;

/// Every operation of the document, one line each.
//   op, url, body, [anonymous, resident, volunteer, lawyer, staff, admin,
//                   staff_other_street, other_resident, other_volunteer]
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    row("GET /health", "/health", NoBody, ALL_200),
    row("GET /metrics", "/metrics", NoBody, STAFF_200),
    row("POST /api/v1/auth/login", "/api/v1/auth/login", Json(r#"{"username": "matrix-login", "password": "correct-horse-42"}"#), ALL_200),
    row("POST /api/v1/auth/logout", "/api/v1/auth/logout", FreshSession, [401, 204, 204, 204, 204, 204, 204, 204, 204]),
    row("GET /api/v1/me", "/api/v1/me", NoBody, SIGNED_IN_200),
    // No SMS provider on this server: codes cannot be sent, to anyone.
    row("POST /api/v1/auth/sms-codes", "/api/v1/auth/sms-codes", Json(r#"{"phone": "13700000001", "purpose": "register"}"#), [503; 9]),
    row("POST /api/v1/auth/register", "/api/v1/auth/register", Json(r#"{"phone": "13700000001", "code": "000000", "display_name": "m", "password": "correct-horse-42"}"#), [400; 9]),
    row("POST /api/v1/auth/code-login", "/api/v1/auth/code-login", Json(r#"{"phone": "13700000001", "code": "000000"}"#), [400; 9]),
    // Anyone may file without an account, five an hour from one client
    // address (every caller here is 127.0.0.1, in column order).
    row("POST /api/v1/public/needs", "/api/v1/public/needs", Json(NEED), [201, 201, 201, 201, 201, 429, 429, 429, 429]),
    row("GET /api/v1/tracking/{code}", "/api/v1/tracking/LCMATRIXNONE", NoBody, [404; 9]),
    row("POST /api/v1/me/password", "/api/v1/me/password", Json(r#"{"old_password": "correct-horse-42", "new_password": "correct-horse-42"}"#), [401, 204, 204, 204, 204, 204, 204, 204, 204]),
    row("GET /api/v1/accounts", "/api/v1/accounts", NoBody, STAFF_200),
    row("POST /api/v1/accounts", "/api/v1/accounts", Json(r#"{"username": "m-<unique>", "display_name": "m", "role": "resident", "street_code": "330303001", "password": "correct-horse-42"}"#), [401, 403, 403, 403, 201, 201, 403, 403, 403]),
    row("GET /api/v1/accounts/{id}", "/api/v1/accounts/<spare>", NoBody, STREET_STAFF_200),
    row("GET /api/v1/accounts/{id}/contact", "/api/v1/accounts/<spare>/contact?reason=matrix+probe", NoBody, STREET_STAFF_200),
    row("POST /api/v1/accounts/{id}/disable", "/api/v1/accounts/<spare>/disable", NoBody, STREET_STAFF_200),
    row("POST /api/v1/accounts/{id}/enable", "/api/v1/accounts/<spare>/enable", NoBody, STREET_STAFF_200),
    row("POST /api/v1/accounts/{id}/password-reset", "/api/v1/accounts/<spare>/password-reset", NoBody, STREET_STAFF_200),
    row("POST /api/v1/accounts/{id}/revoke-tokens", "/api/v1/accounts/<spare>/revoke-tokens", NoBody, ADMIN_ONLY),
    row("GET /api/v1/audit", "/api/v1/audit", NoBody, ADMIN_ONLY),
    row("GET /api/v1/areas", "/api/v1/areas", NoBody, ALL_200),
    row("GET /api/v1/walking-network", "/api/v1/walking-network", NoBody, [404; 9]),
    row("GET /api/v1/duty-posts", "/api/v1/duty-posts", NoBody, ALL_200),
    row("PUT /api/v1/attachments/{sha256}", "/api/v1/attachments/<pdf_sha>", Pdf, SIGNED_IN_200),
    // The probe's PDF belongs to no need: nobody may read it.
    row("GET /api/v1/attachments/{sha256}", "/api/v1/attachments/<pdf_sha>?reason=matrix+probe", NoBody, [401, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST /api/v1/personal-data/export", "/api/v1/personal-data/export", Json(r#"{"phone": "13812345678", "reason": "matrix probe of the export"}"#), ADMIN_ONLY),
    row("POST /api/v1/personal-data/erase", "/api/v1/personal-data/erase", Json(r#"{"phone": "13987654321", "reason": "matrix probe of the erasure"}"#), ADMIN_ONLY),
    row("POST /api/v1/calculators/compensation", "/api/v1/calculators/compensation", Json(r#"{"type": "severance", "region": "330000", "year": 2021, "monthly_wage": "8000", "months_of_service": 30, "termination": "lawful"}"#), ALL_200),
    row("GET /api/v1/calculators/parameters", "/api/v1/calculators/parameters", NoBody, ALL_200),
    row("GET /api/v1/coverage", "/api/v1/coverage", NoBody, ALL_200),
    row("GET /api/v1/siting", "/api/v1/siting?product=legal_aid&k=2", NoBody, STAFF_200),
    row("GET /api/v1/nearby", "/api/v1/nearby?lat=27.93&lng=120.815", NoBody, ALL_200),
    row("GET /api/v1/network", "/api/v1/network", NoBody, ALL_200),
    row("GET /api/v1/facilities", "/api/v1/facilities", NoBody, ALL_200),
    row("POST /api/v1/facilities", "/api/v1/facilities", Json(r#"{"id": "M-<unique>", "kind": "mediation_organization", "name": "矩阵调解室", "lat": 27.93, "lng": 120.82, "opening_hours": "Mo-Fr 09:00-17:00", "area_code": "330303001001"}"#), [401, 403, 403, 403, 201, 201, 403, 403, 403]),
    row("PUT /api/v1/facilities/{id}", "/api/v1/facilities/<facility_a>", Json(r#"{"id": "<facility_a>", "kind": "mediation_organization", "name": "矩阵调解室（改）", "lat": 27.93, "lng": 120.82, "opening_hours": "Mo-Fr 09:00-17:00", "area_code": "330303001001"}"#), [401, 403, 403, 403, 200, 200, 403, 403, 403]),
    row("GET /api/v1/facilities/{id}/isochrone", "/api/v1/facilities/<facility_a>/isochrone", NoBody, [409; 9]),
    row("POST /api/v1/facilities/{id}/retire", "/api/v1/facilities/<facility_a>/retire", NoBody, [401, 403, 403, 403, 200, 200, 403, 403, 403]),
    row("POST /api/v1/imports/{kind}", "/api/v1/imports/facilities?format=csv", Csv("id,kind,name,lat,lng,opening_hours,area_code\nM-IMP-1,law_firm,矩阵律所,27.93,120.81,24/7,330303001001\n"), ADMIN_ONLY),
    row("POST /api/v1/imports-hotline", "/api/v1/imports-hotline", Csv("call_id,started_at,answered,rating,street_code\nm1,2025-03-03 09:00:00,1,5,330303001\n"), ADMIN_ONLY),
    row("GET /api/v1/indicators", "/api/v1/indicators", NoBody, STAFF_200),
    row("GET /api/v1/events", "/api/v1/events", Stream, SIGNED_IN_200),
    // Each person's own messages, devices and settings; dead letters for staff.
    row("GET /api/v1/notifications", "/api/v1/notifications", NoBody, SIGNED_IN_200),
    row("GET /api/v1/notifications/stream", "/api/v1/notifications/stream", Stream, SIGNED_IN_200),
    row("GET /api/v1/notifications/dead-letters", "/api/v1/notifications/dead-letters", NoBody, STAFF_200),
    row("GET /api/v1/push/vapid-key", "/api/v1/push/vapid-key", NoBody, ALL_200),
    row("GET /api/v1/devices", "/api/v1/devices", NoBody, SIGNED_IN_200),
    // A loopback endpoint where nothing listens: no traffic leaves the machine.
    row("POST /api/v1/devices", "/api/v1/devices", Json(r#"{"kind": "unifiedpush", "address": "https://127.0.0.1:9/push/<unique>", "p256dh": "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}"#), [401, 201, 201, 201, 201, 201, 201, 201, 201]),
    row("DELETE /api/v1/devices/{id}", "/api/v1/devices/999999", NoBody, [401, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET /api/v1/me/notification-settings", "/api/v1/me/notification-settings", NoBody, SIGNED_IN_200),
    row("PUT /api/v1/me/notification-settings", "/api/v1/me/notification-settings", Json(r#"{"push": true, "quiet_start": 1320, "quiet_end": 420}"#), SIGNED_IN_200),
    row("GET /api/v1/needs", "/api/v1/needs", NoBody, SIGNED_IN_200),
    row("POST /api/v1/needs", "/api/v1/needs", Json(NEED), [401, 201, 201, 201, 201, 201, 403, 201, 201]),
    // Each entry's refusal is in the 200's results (staff of another
    // street: that entry's 403), never the batch's.
    row("POST /api/v1/needs/batch", "/api/v1/needs/batch", Json(NEED_BATCH), [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET /api/v1/exports/needs", "/api/v1/exports/needs", NoBody, STAFF_200),
    row("GET /api/v1/exports/orders", "/api/v1/exports/orders?reason=matrix+probe+export", NoBody, STAFF_200),
    row("GET /api/v1/needs/{id}", "/api/v1/needs/<need>?reason=matrix+probe", NoBody, [401, 200, 200, 404, 200, 200, 404, 404, 404]),
    row("GET /api/v1/needs/{id}/contact", "/api/v1/needs/<need>/contact?reason=matrix+probe", NoBody, [401, 200, 404, 404, 200, 200, 404, 404, 404]),
    row("GET /api/v1/orders", "/api/v1/orders", NoBody, SIGNED_IN_200),
    row("GET /api/v1/orders/offers", "/api/v1/orders/offers", NoBody, [401, 403, 200, 200, 403, 403, 403, 403, 200]),
    row("GET /api/v1/orders/{id}", "/api/v1/orders/<order>", NoBody, [401, 200, 200, 404, 200, 200, 404, 404, 404]),
    row("GET /api/v1/orders/{id}/contact", "/api/v1/orders/<order>/contact?reason=matrix+probe", NoBody, [401, 200, 200, 403, 200, 200, 404, 403, 403]),
    row("POST /api/v1/orders/{id}/events", "/api/v1/orders/<order>/events", Json(r#"{"event": {"event": "start"}, "version": 0}"#), [401, 409, 409, 404, 409, 409, 404, 404, 404]),
    row("POST /api/v1/orders/{id}/grab", "/api/v1/orders/<fresh_consultation>/grab", Json(r#"{"lat": 27.93, "lng": 120.815}"#), [401, 403, 200, 403, 403, 403, 403, 403, 200]),
    row("POST /api/v1/orders/{id}/rating", "/api/v1/orders/<order>/rating", Json(r#"{"score": 5}"#), [401, 409, 403, 403, 403, 403, 403, 404, 403]),
    // The order is held but not resolved: its holder is told so.
    row("POST /api/v1/orders/{id}/rating-link", "/api/v1/orders/<order>/rating-link", NoBody, [401, 403, 409, 403, 403, 403, 403, 403, 403]),
    row("POST /api/v1/orders/{id}/call-backs", "/api/v1/orders/<order>/call-backs", Json(r#"{"outcome": "not_reached", "note": "matrix probe call"}"#), [401, 403, 403, 403, 201, 201, 404, 403, 403]),
    row("GET /api/v1/orders/{id}/call-backs", "/api/v1/orders/<order>/call-backs", NoBody, STREET_STAFF_200),
    row("GET /api/v1/orders/{id}/suggestions", "/api/v1/orders/<order>/suggestions", NoBody, STREET_STAFF_200),
    row("POST /api/v1/punches", "/api/v1/punches", PunchBody, [401, 403, 201, 403, 403, 403, 403, 403, 201]),
    row("GET /api/v1/punches/review-queue", "/api/v1/punches/review-queue", NoBody, STAFF_200),
    row("POST /api/v1/punches/{id}/review", "/api/v1/punches/<punch>/review", Json(r#"{"decision": "accept", "reason": "matrix probe ruling"}"#), STREET_STAFF_200),
    row("GET /api/v1/punches/chains/{volunteer_id}", "/api/v1/punches/chains/<vol_account>", NoBody, STREET_STAFF_200),
    row("GET /api/v1/duty-hours", "/api/v1/duty-hours", NoBody, STAFF_200),
    row("GET /api/v1/duty-hours/mine", "/api/v1/duty-hours/mine", NoBody, [401, 403, 200, 200, 403, 403, 403, 403, 200]),
    row("GET /api/v1/services", "/api/v1/services", NoBody, ALL_200),
    row("POST /api/v1/services", "/api/v1/services", Json("{}"), [401, 403, 403, 403, 403, 400, 403, 403, 403]),
    row("GET /api/v1/services/{code}", "/api/v1/services/mediation", NoBody, ALL_200),
    row("GET /api/v1/services/{code}/versions", "/api/v1/services/mediation/versions", NoBody, STAFF_200),
    row("GET /api/v1/open311-keys", "/api/v1/open311-keys", NoBody, ADMIN_ONLY),
    row("POST /api/v1/open311-keys", "/api/v1/open311-keys", Json(r#"{"name": "m-<unique>"}"#), [401, 403, 403, 403, 403, 201, 403, 403, 403]),
    row("POST /api/v1/open311-keys/{id}/revoke", "/api/v1/open311-keys/999999/revoke", NoBody, [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    row("POST /api/v1/spot-checks/draw", "/api/v1/spot-checks/draw", NoBody, STAFF_200),
    row("GET /api/v1/spot-checks", "/api/v1/spot-checks", NoBody, STAFF_200),
    row("GET /api/v1/spot-checks/draws", "/api/v1/spot-checks/draws", NoBody, STAFF_200),
    row("GET /api/v1/specialties", "/api/v1/specialties", NoBody, ALL_200),
    row("PUT /api/v1/volunteers/{id}/specialties", "/api/v1/volunteers/<vid>/specialties", Json(r#"{"specialties": ["neighbour"], "version": 0}"#), [401, 403, 409, 403, 409, 409, 404, 403, 403]),
    row("POST /api/v1/spot-checks/{order_id}", "/api/v1/spot-checks/<order>", Json(r#"{"outcome": "satisfactory", "week": "2025-W10"}"#), [401, 403, 403, 403, 404, 404, 404, 403, 403]),
    row("GET /api/v1/volunteers", "/api/v1/volunteers", NoBody, STAFF_200),
    row("POST /api/v1/volunteers", "/api/v1/volunteers", Json(r#"{"name": "矩阵", "phone": "13912345678", "profession": "lawyer", "service_directions": ["lawyer"], "specialties": ["综合"], "home_street_code": "330303001", "availability": "24/7"}"#), [401, 201, 409, 201, 403, 403, 403, 201, 409]),
    row("GET /api/v1/volunteers/teams", "/api/v1/volunteers/teams", NoBody, STAFF_200),
    row("GET /api/v1/volunteers/{id}", "/api/v1/volunteers/<vid>", NoBody, [401, 403, 200, 403, 200, 200, 404, 403, 403]),
    row("POST /api/v1/volunteers/{id}/actions", "/api/v1/volunteers/<vid>/actions", Json(r#"{"action": {"action": "suspend"}, "reason": "matrix probe", "version": 0}"#), [401, 403, 409, 403, 409, 409, 404, 403, 403]),
    row("POST /api/v1/volunteers/{id}/loans", "/api/v1/volunteers/<vid>/loans", Json(r#"{"to_street_code": "330303002", "from": "2030-01-01T00:00:00Z", "until": "2030-01-02T00:00:00Z", "reason": "matrix probe", "version": 0}"#), [401, 403, 403, 403, 403, 409, 403, 403, 403]),
    row("POST /api/v1/volunteers/{id}/loans/return", "/api/v1/volunteers/<vid>/loans/return", Json(r#"{"reason": "matrix probe", "version": 0}"#), [401, 403, 403, 403, 403, 409, 403, 403, 403]),
    row("GET /api/v1/warnings", "/api/v1/warnings", NoBody, STAFF_200),
    row("POST /api/v1/warnings/{id}/actions", "/api/v1/warnings/999999/actions", Json(r#"{"action": "acknowledge", "version": 1}"#), [401, 403, 403, 403, 404, 404, 404, 403, 403]),
    row("GET /open311/v2/services.{format}", "/open311/v2/services.json", NoBody, ALL_200),
    row("GET /open311/v2/services/{service_code}.{format}", "/open311/v2/services/mediation.json", NoBody, ALL_200),
    row("GET /open311/v2/requests.{format}", "/open311/v2/requests.json", NoBody, ALL_200),
    row("POST /open311/v2/requests.{format}", "/open311/v2/requests.json", Form("service_code=mediation&description=matrix"), [403; 9]),
    row("GET /open311/v2/requests/{service_request_id}.{format}", "/open311/v2/requests/<order>.json", NoBody, [404; 9]),
    row("GET /open311/v2/tokens/{token}.{format}", "/open311/v2/tokens/matrix-none.json", NoBody, [404; 9]),
];

/// The records the rows act on, made once.
struct Fixtures {
    values: BTreeMap<&'static str, String>,
    ids: [Option<i64>; 9],
    usernames: [Option<&'static str>; 9],
}

async fn join_pool(server: &Server, staff: &Client, name: &str) -> (Client, String) {
    let c = Client::login(server, name, PW).await;
    let vid = people::join_pool(&c, staff, name, STREET, &["neighbour", "general"], "24/7")
        .await
        .unwrap();
    // On duty at the street's post: offers and grabs need an open clock-in.
    let me = c.get("/api/v1/me").await;
    let id = me.body["id"].as_i64().unwrap().to_string();
    lawcircle_e2e::people::clock_in(&c, &id, "LW-P0011", 27.93, 120.815)
        .await
        .expect("clock in");
    (c, vid)
}

async fn submit(c: &Client, category: &str) -> (String, i64) {
    let mut need: Value = serde_json::from_str(NEED).unwrap();
    need["category"] = json!(category);
    let filed = c.file_need(&need).await;
    (
        filed["order_id"].as_str().unwrap().to_string(),
        filed["id"].as_i64().unwrap(),
    )
}

/// A clock-in by `account` at the street's post (LW-P0011), 10 s ago.
fn punch_by(account: i64) -> Punch {
    let at = DeviceInstant {
        wall: Utc::now() - chrono::Duration::seconds(10),
        elapsed_ms: 9_000_000,
    };
    people::punch_at(
        &account.to_string(),
        "LW-P0011",
        27.93,
        120.815,
        PunchKind::In,
        at,
    )
    .unwrap()
}

/// The server, its callers (index = column) and the fixtures.
async fn world(backend: &Backend, dir: &std::path::Path) -> (Server, Vec<Client>, Fixtures) {
    let storage = Storage::new(backend, dir).await;
    // The devices row registers a push endpoint on loopback (nothing
    // listens there): only the test flag lets such an address in.
    let server = Server::start(&storage, &["--demo", "--push-allow-plain-http"]);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    let admin_id = admin.get("/api/v1/me").await.body["id"].as_i64();
    let mut ids = [None; 9];
    ids[5] = admin_id;
    for (i, name, role, street) in [
        (1, "resident", "resident", STREET),
        (2, "volunteer", "resident", STREET),
        (3, "lawyer", "lawyer", STREET),
        (4, "staff", "station_staff", STREET),
        (6, "staff-other", "station_staff", OTHER_STREET),
        (7, "other-resident", "resident", STREET),
        (8, "other-volunteer", "resident", STREET),
    ] {
        ids[i] = Some(test_account(&admin, name, role, street).await);
    }
    let spare = test_account(&admin, "spare", "resident", STREET).await;
    test_account(&admin, "matrix-login", "resident", STREET).await;
    let usernames = [
        None,
        Some("resident"),
        Some("volunteer"),
        Some("lawyer"),
        Some("staff"),
        Some("admin"),
        Some("staff-other"),
        Some("other-resident"),
        Some("other-volunteer"),
    ];
    let staff = Client::login(&server, "staff", PW).await;
    let (volunteer, vid) = join_pool(&server, &staff, "volunteer").await;
    join_pool(&server, &staff, "other-volunteer").await;
    let mut callers = vec![Client::new(&server)];
    for name in usernames.iter().skip(1).flatten() {
        callers.push(Client::login(&server, name, PW).await);
    }
    // The order: requested by the resident, grabbed by the volunteer.
    let (order, need) = submit(&callers[1], "consultation").await;
    let r = volunteer
        .post(
            &format!("/api/v1/orders/{order}/grab"),
            &json!({"lat": 27.93, "lng": 120.815}),
        )
        .await;
    assert_eq!(r.status, 200, "grab the fixture order: {:?}", r.body);
    let vol_account = ids[2].unwrap();
    let r = volunteer.post_punch(&punch_by(vol_account)).await;
    assert_eq!(r.status, 201, "the fixture punch: {:?}", r.body);
    let punch = r.body["id"].as_str().unwrap().to_string();
    let r = admin
        .post(
            "/api/v1/facilities",
            &json!({"id": "M-FAC-A", "kind": "mediation_organization", "name": "矩阵调解室",
                    "lat": 27.93, "lng": 120.82, "opening_hours": "Mo-Fr 09:00-17:00",
                    "area_code": VILLAGE}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let values = BTreeMap::from([
        ("order", order),
        ("need", need.to_string()),
        ("vid", vid),
        ("vol_account", vol_account.to_string()),
        ("punch", punch),
        ("spare", spare.to_string()),
        ("facility_a", "M-FAC-A".to_string()),
        ("pdf_sha", lawcircle_core::content::sha256_hex(PDF)),
    ]);
    (
        server,
        callers,
        Fixtures {
            values,
            ids,
            usernames,
        },
    )
}

/// Fills in the fixtures named in `template`.
async fn fill(template: &str, fx: &Fixtures, callers: &[Client]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        out.push_str(&rest[..start]);
        let value = match name {
            "unique" => uuid::Uuid::now_v7().simple().to_string()[20..].to_string(),
            "fresh_consultation" => submit(&callers[1], "consultation").await.0,
            other => fx
                .values
                .get(other)
                .unwrap_or_else(|| panic!("no fixture <{other}> (in {template})"))
                .clone(),
        };
        out.push_str(&value);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Sends `row`'s request as caller `who`; the status.
async fn try_cell(
    row: &Row,
    who: usize,
    server: &Server,
    callers: &[Client],
    fx: &Fixtures,
) -> u16 {
    let (method, _) = row.op.split_once(' ').unwrap();
    let url = format!("{}{}", server.base_url, fill(row.url, fx, callers).await);
    let mut caller = callers[who].clone();
    if matches!(row.body, FreshSession)
        && let Some(name) = fx.usernames[who]
    {
        caller = Client::login(server, name, PW).await;
    }
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = caller
        .http
        .request(method, &url)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
    req = match row.body {
        NoBody | Stream => req,
        FreshSession => req.json(&json!({})),
        Json(t) => {
            let text = fill(t, fx, callers).await;
            req.header("content-type", "application/json").body(text)
        }
        Csv(t) => req.header("content-type", "text/csv").body(t),
        Form(t) => req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(t),
        Pdf => req.header("content-type", "application/pdf").body(PDF),
        PunchBody => req.json(&punch_by(fx.ids[who].unwrap_or(0))),
    };
    if let Some(t) = &caller.token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    if !matches!(row.body, Stream) {
        let _ = resp.bytes().await;
    }
    status
}

/// The operations of the OpenAPI document, as `METHOD /path`.
async fn documented_operations(server: &Server) -> BTreeSet<String> {
    let doc: Value = lawcircle_e2e::http_get(server.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_operation_by_every_kind_of_caller() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (server, callers, fx) = world(&backend, dir.path()).await;
        // The document and the table list the same operations.
        let documented = documented_operations(&server).await;
        let rows: BTreeSet<String> = MATRIX.iter().map(|r| r.op.to_string()).collect();
        assert_eq!(rows.len(), MATRIX.len(), "an operation has two rows");
        let missing: Vec<String> = documented
            .difference(&rows)
            .map(|op| {
                format!(
                    "  operation `{op}` of /api/v1/openapi.json has no row in MATRIX \
                     (tests/tests/access_matrix.rs); add one line:\n    \
                     row(\"{op}\", \"<url with fixtures>\", NoBody, [anonymous, resident, volunteer, lawyer, staff, admin, staff_other_street, other_resident, other_volunteer]),"
                )
            })
            .collect();
        assert!(missing.is_empty(), "\n{}", missing.join("\n"));
        let stale: Vec<&String> = rows.difference(&documented).collect();
        assert!(
            stale.is_empty(),
            "rows for operations the document does not have: {stale:?}"
        );
        // Every cell; all mismatches reported at once.
        let mut wrong = Vec::new();
        for row in MATRIX {
            for (who, want) in row.expect.iter().enumerate() {
                let got = try_cell(row, who, &server, &callers, &fx).await;
                if got != *want {
                    wrong.push(format!(
                        "  {:<55} as {:<18} expected {want}, got {got}",
                        row.op, CALLERS[who]
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{}: {} cell(s) of the matrix differ:\n{}",
            backend.name(),
            wrong.len(),
            wrong.join("\n")
        );
        server.stop();
    }
}
