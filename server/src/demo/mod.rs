//! The illustrative Longwan demo data set (`data/longwan`), built into the
//! binary so `serve --demo` works from any folder. Not the official
//! registry: see data/longwan/README.md.
//!
//! With `serve --demo` the server also makes demo accounts for every role
//! ([`seed_people`]) with passwords made at start-up and printed once on
//! standard output, and a few days of illustrative activity in 蒲州街道,
//! made through the server's own API so it follows the rules as they are.
//! Every name, phone number and description of it is invented and marked
//! 示例 (illustrative).

use crate::api::accounts::{CreateAccountRequest, create_account};
use crate::auth::{AuthError, hash_password, random_key};
use crate::importer::{ImportOutcome, import_bytes};
use crate::state::{AppState, Clock};
use crate::store::{Store, StoreError};
use axum::http::{Method, header};
use chrono::{DateTime, Datelike, Offset, TimeZone, Utc};
use lawcircle_core::authz::Role;
use lawcircle_core::clockin::{ClockInPolicy, DeviceInstant, Fix, Provider};
use lawcircle_core::coord::Datum;
use lawcircle_core::duty_post::DutyPost;
use lawcircle_core::import::{Format, ImportError, RecordKind};
use lawcircle_core::punch::{Punch, PunchKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use tower::ServiceExt;

/// The demo files in load order: areas first, so references resolve.
pub const FILES: [(&str, Format, RecordKind, &str); 4] = [
    (
        "data/longwan/areas.csv",
        Format::Csv,
        RecordKind::Areas,
        include_str!("../../../data/longwan/areas.csv"),
    ),
    (
        "data/longwan/facilities.csv",
        Format::Csv,
        RecordKind::Facilities,
        include_str!("../../../data/longwan/facilities.csv"),
    ),
    (
        "data/longwan/duty_posts.csv",
        Format::Csv,
        RecordKind::DutyPosts,
        include_str!("../../../data/longwan/duty_posts.csv"),
    ),
    (
        "data/longwan/duty_post_fences.geojson",
        Format::GeoJson,
        RecordKind::DutyPosts,
        include_str!("../../../data/longwan/duty_post_fences.geojson"),
    ),
];

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Loads the demo data; loading it again changes nothing (stable ids).
pub async fn load(store: &Store) -> Result<Vec<ImportOutcome>, DemoError> {
    let mut outcomes = Vec::new();
    for (name, format, kind, text) in FILES {
        let outcome = import_bytes(
            store,
            name,
            text.as_bytes(),
            format,
            kind,
            false,
            &mut lawcircle_core::import::NoPhotos,
        )
        .await
        .map_err(|e| match e {
            crate::importer::ImportFailure::File(e) => DemoError::Import(e),
            crate::importer::ImportFailure::Store(e) => DemoError::Store(e),
        })?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

// ---------------------------------------------------------------------------
// Demo people and a few days of activity (`serve --demo`)
// ---------------------------------------------------------------------------

/// The street the demo people work in: 蒲州街道 (its station post
/// [`POST`], and [`VILLAGE`], the community nearest to it).
pub const STREET: &str = "330303002";
/// 蒲州示例5社区, where the demo needs come from.
pub const VILLAGE: &str = "330303002005";
/// The station duty post of 蒲州街道 (a 100 m circle).
pub const POST: &str = "LW-P0021";
/// The district (transfers to the district level go here).
pub const DISTRICT: &str = "330303";
/// The first line of the credentials block on standard output.
pub const CREDENTIALS_HEADER: &str =
    "== LawCircle demo accounts (illustrative; new passwords at every start, shown only here) ==";
/// The last line of the credentials block (followed by the console's address).
pub const CREDENTIALS_FOOTER: &str = "== end of demo accounts ==";

/// Where the needs come from: an address in 蒲州示例5社区 about 450 m
/// from the station post, within the 15-minute walk that decides who is
/// offered a need (straight line × the detour factor without a network).
const HERE: (f64, f64) = (27.9715, 120.7465);
/// Where the volunteers stand when they grab: near the station, within a
/// 15-minute walk of the street's point (orders are handled by street).
const STATION: (f64, f64) = (27.9675, 120.7455);

/// One demo account, as made or reset by [`seed_people`].
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub display_name: &'static str,
    pub street_code: Option<&'static str>,
    pub phone: &'static str,
    /// Made at this start with the system's CSPRNG; never stored in clear.
    pub password: String,
}

/// The demo accounts in the order they are printed.
const ACCOUNTS: [(Role, &str, &str, Option<&str>, &str); 6] = [
    (
        Role::DistrictAdmin,
        "demo-admin",
        "区司法局管理员（示例）",
        None,
        "13800000001",
    ),
    (
        Role::StationStaff,
        "demo-staff",
        "蒲州街道工作站（示例）",
        Some(STREET),
        "13800000002",
    ),
    (
        Role::Volunteer,
        "demo-volunteer",
        "志愿者王芳（示例）",
        Some(STREET),
        "13800000003",
    ),
    (
        Role::Volunteer,
        "demo-volunteer2",
        "志愿者陈亮（示例）",
        Some(STREET),
        "13800000004",
    ),
    (
        Role::Lawyer,
        "demo-lawyer",
        "驻站律师周敏（示例）",
        Some(STREET),
        "13800000005",
    ),
    (
        Role::Resident,
        "demo-resident",
        "居民林晓（示例）",
        Some(STREET),
        "13800000006",
    ),
];

/// What [`seed_people`] did.
#[derive(Debug, Clone)]
pub struct DemoPeople {
    pub accounts: Vec<DemoAccount>,
    /// Accounts made at this start.
    pub created: usize,
    /// Accounts that existed (an earlier `serve --demo` on this data) and
    /// got new passwords.
    pub reset: usize,
    /// Needs filed at this start; 0 when the activity was there already.
    pub needs_filed: usize,
    /// Why the activity stopped before its end, if it did.
    pub activity_error: Option<String>,
}

impl DemoPeople {
    /// The block `serve --demo` prints on standard output (never to the
    /// log): a header, one line per account — role, username, password,
    /// name, separated by spaces — and a footer. Tests parse it; people
    /// read it.
    pub fn credentials_block(&self, console_url: &str) -> String {
        let mut out = String::new();
        out.push_str(CREDENTIALS_HEADER);
        out.push('\n');
        out.push_str(&format!(
            "{:<16}{:<18}{:<26}{}\n",
            "role", "username", "password", "name"
        ));
        for a in &self.accounts {
            out.push_str(&format!(
                "{:<16}{:<18}{:<26}{}\n",
                a.role.as_str(),
                a.username,
                a.password,
                a.display_name
            ));
        }
        if let Some(e) = &self.activity_error {
            out.push_str(&format!(
                "The demo activity stopped before its end (the accounts work): {e}\n"
            ));
        }
        if self.reset > 0 {
            out.push_str(
                "These accounts were made by an earlier --demo on this data: \
                 their passwords are new, their activity is kept as it was.\n",
            );
        }
        out.push_str(&format!(
            "Console: {console_url} (sign in as demo-admin or demo-staff). \
             The other roles use the API or the phone apps.\n"
        ));
        out.push_str(CREDENTIALS_FOOTER);
        out.push('\n');
        out
    }
}

/// Why the demo people or their activity could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoPeopleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(
        "the account {username:?} exists but is not the demo's {role} account; \
         rename it or use another data folder"
    )]
    NotDemo { username: String, role: String },
    #[error("cannot create the demo account {username:?}: {message}")]
    Account { username: String, message: String },
    #[error("demo activity, {step}: the server answered {status}: {body}")]
    Step {
        step: String,
        status: u16,
        body: String,
    },
}

/// A password from the system's CSPRNG: 4 groups of 5 characters from an
/// alphabet of 53 without look-alikes (0/O, 1/l/I), about 114 bits.
pub fn demo_password() -> Result<String, DemoPeopleError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPRSTUVWXYZ23456789";
    let n = ALPHABET.len();
    // Rejection sampling: only bytes below the largest multiple of n.
    let limit = 256 - 256 % n;
    let mut out = String::new();
    let mut chosen = 0;
    while chosen < 20 {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
        for b in buf {
            if (b as usize) < limit && chosen < 20 {
                if chosen > 0 && chosen % 5 == 0 {
                    out.push('-');
                }
                out.push(ALPHABET[b as usize % n] as char);
                chosen += 1;
            }
        }
    }
    Ok(out)
}

/// Makes the demo accounts (or gives the existing ones new passwords) and,
/// on a data set without them yet, a few days of illustrative activity —
/// all through the server's own API (the router, in process), so the demo
/// follows the rules as they change. Call after [`load`] and the
/// application types are stored, before the server listens.
pub async fn seed_people(base: &AppState) -> Result<DemoPeople, DemoPeopleError> {
    // The accounts are made at 08:00 of the first demo day, before their
    // activity (on the seeding's own clock; the server's is untouched).
    let real_now = Utc::now();
    let start = first_day(real_now);
    let mut seeding = base.clone();
    seeding.clock = Clock::adjustable();
    seeding
        .clock
        .advance(local_time(start, 0, 8, 0) - seeding.clock.now());
    let base = &seeding;
    let mut accounts = Vec::new();
    let (mut created, mut reset) = (0, 0);
    for (role, username, display_name, street_code, phone) in ACCOUNTS {
        let password = demo_password()?;
        match base.store.account_for_login(username).await? {
            Some((existing, _)) => {
                if existing.role != role || !existing.display_name.contains("示例") {
                    return Err(DemoPeopleError::NotDemo {
                        username: username.to_string(),
                        role: role.as_str().to_string(),
                    });
                }
                let hash = hash_password(&password)?;
                base.store.set_password_hash(existing.id, &hash).await?;
                // Sessions opened with the old password end too.
                base.store.revoke_all_tokens(existing.id, real_now).await?;
                base.store.clear_login_throttle(username).await?;
                reset += 1;
            }
            None => {
                create_account(
                    base,
                    None,
                    CreateAccountRequest {
                        username: username.to_string(),
                        display_name: display_name.to_string(),
                        role,
                        street_code: street_code.map(str::to_string),
                        phone: Some(phone.to_string()),
                        id_number: None,
                        password: password.clone(),
                    },
                )
                .await
                .map_err(|e| DemoPeopleError::Account {
                    username: username.to_string(),
                    message: e.to_string(),
                })?;
                created += 1;
            }
        }
        accounts.push(DemoAccount {
            role,
            username,
            display_name,
            street_code,
            phone,
            password,
        });
    }
    // The accounts are what a visitor needs most: when the activity
    // cannot be made (a rule changed under it), the server still starts
    // and says where the story stopped.
    let (needs_filed, activity_error) = match Activity::run(base, &accounts, start, real_now).await
    {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e.to_string())),
    };
    Ok(DemoPeople {
        accounts,
        created,
        reset,
        needs_filed,
        activity_error,
    })
}

/// The in-process API client of the seeding: the server's own router on a
/// clock of its own, set back a few days and moved forward step by step,
/// so the activity has a history (times, deadlines, warnings) of its own.
struct Activity {
    state: AppState,
    app: axum::Router,
    tokens: HashMap<&'static str, String>,
    ids: HashMap<&'static str, i64>,
    needs_filed: usize,
}

impl Activity {
    async fn run(
        base: &AppState,
        accounts: &[DemoAccount],
        start: DateTime<Utc>,
        real_now: DateTime<Utc>,
    ) -> Result<usize, DemoPeopleError> {
        let mut state = base.clone();
        // Tokens of the seeding must outlive its few simulated days.
        state.login.token_ttl = chrono::Duration::days(30);
        let app = crate::api::router(state.clone());
        let mut act = Activity {
            state,
            app,
            tokens: HashMap::new(),
            ids: HashMap::new(),
            needs_filed: 0,
        };
        act.set_time(local_time(start, 0, 8, 5));
        for a in accounts {
            let r = act
                .call(
                    "sign in",
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"username": a.username, "password": a.password})),
                    &[],
                )
                .await?;
            let token = r["token"].as_str().unwrap_or_default().to_string();
            let id = r["account"]["id"].as_i64().unwrap_or_default();
            act.tokens.insert(a.username, token);
            act.ids.insert(a.username, id);
        }
        let mine = act
            .call(
                "list the resident's needs",
                Method::GET,
                "/api/v1/needs",
                Some("demo-resident"),
                None,
                &[],
            )
            .await?;
        let already = mine["items"].as_array().is_some_and(|a| !a.is_empty());
        let told = if already {
            Ok(())
        } else {
            act.story(start, real_now).await
        };
        act.sign_out().await;
        told.map(|()| act.needs_filed)
    }

    /// Sets the seeding clock to `t`.
    fn set_time(&self, t: DateTime<Utc>) {
        self.state.clock.advance(t - self.state.clock.now());
    }

    /// One request through the router; any answer but 2xx stops the seeding.
    async fn call(
        &self,
        step: &str,
        method: Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, String)],
    ) -> Result<Value, DemoPeopleError> {
        let fail = |status: u16, body: String| DemoPeopleError::Step {
            step: step.to_string(),
            status,
            body,
        };
        let mut req = axum::http::Request::builder().method(method).uri(path);
        if let Some(token) = who.and_then(|w| self.tokens.get(w)) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = match body {
            Some(Value::String(text)) => req
                .header(header::CONTENT_TYPE, "text/csv")
                .body(axum::body::Body::from(text)),
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(v.to_string())),
            None => req.body(axum::body::Body::empty()),
        }
        .map_err(|e| fail(0, e.to_string()))?;
        let resp = self
            .app
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| fail(0, e.to_string()))?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 4 * 1024 * 1024)
            .await
            .map_err(|e| fail(status.as_u16(), e.to_string()))?;
        if !status.is_success() {
            return Err(fail(
                status.as_u16(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn post(
        &self,
        step: &str,
        who: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, DemoPeopleError> {
        self.call(step, Method::POST, path, Some(who), Some(body), &[])
            .await
    }

    async fn get(&self, step: &str, who: &str, path: &str) -> Result<Value, DemoPeopleError> {
        self.call(step, Method::GET, path, Some(who), None, &[])
            .await
    }

    fn id(&self, username: &str) -> i64 {
        self.ids.get(username).copied().unwrap_or_default()
    }

    /// Files a need as `who` and returns its order's id.
    async fn need(
        &mut self,
        who: &str,
        channel: &str,
        category: &str,
        urgent: bool,
        requester: (&str, &str),
        description: &str,
    ) -> Result<String, DemoPeopleError> {
        let now = self.state.clock.now() - chrono::Duration::minutes(2);
        let mut entered = json!({"at": now});
        if channel == "on_site" {
            entered["post_id"] = json!(POST);
        }
        let body = json!({
            "requester": {"name": requester.0, "phone": requester.1},
            "category": category,
            "description": format!("【示例 demo】{description}"),
            "urgency": if urgent { "urgent" } else { "normal" },
            "location": {"address": "蒲州示例5社区（示例地址）", "area_code": VILLAGE,
                         "point": {"lat": HERE.0, "lng": HERE.1, "datum": "wgs84"}},
            "channel": channel,
            "entered": entered,
            "consent": {"given": true, "at": now, "notice_version": "demo"},
            "attachments": [],
        });
        let key = random_key("demo-need-")?;
        let r = self
            .call(
                &format!("file a {category} need as {who}"),
                Method::POST,
                "/api/v1/needs",
                Some(who),
                Some(body),
                &[("idempotency-key", key)],
            )
            .await?;
        self.needs_filed += 1;
        Ok(r["order_id"].as_str().unwrap_or_default().to_string())
    }

    async fn version(&self, order: &str) -> Result<Value, DemoPeopleError> {
        let r = self
            .get(
                "read an order",
                "demo-admin",
                &format!("/api/v1/orders/{order}"),
            )
            .await?;
        Ok(r["version"].clone())
    }

    /// Applies order events in turn, each by its actor.
    async fn events(&self, order: &str, steps: &[(&str, Value)]) -> Result<(), DemoPeopleError> {
        for (who, event) in steps {
            let version = self.version(order).await?;
            self.post(
                &format!("order {order}: {event} by {who}"),
                who,
                &format!("/api/v1/orders/{order}/events"),
                json!({"event": event, "version": version}),
            )
            .await?;
        }
        Ok(())
    }

    async fn grab(&self, who: &str, order: &str) -> Result<(), DemoPeopleError> {
        self.post(
            &format!("{who} grabs {order}"),
            who,
            &format!("/api/v1/orders/{order}/grab"),
            json!({"lat": STATION.0, "lng": STATION.1}),
        )
        .await
        .map(|_| ())
    }

    async fn rate(&self, order: &str, score: u8, comment: &str) -> Result<(), DemoPeopleError> {
        self.post(
            &format!("rate {order}"),
            "demo-resident",
            &format!("/api/v1/orders/{order}/rating"),
            json!({"score": score, "comment": comment}),
        )
        .await
        .map(|_| ())
    }

    /// A volunteer application, approved by the station staff.
    async fn volunteer(
        &self,
        who: &str,
        name: &str,
        phone: &str,
        profession: &str,
        directions: Value,
        specialties: Value,
    ) -> Result<(), DemoPeopleError> {
        let r = self
            .post(
                &format!("{who} applies to volunteer"),
                who,
                "/api/v1/volunteers",
                json!({"name": name, "phone": phone, "profession": profession,
                       "service_directions": directions, "specialties": specialties,
                       "home_street_code": STREET, "availability": "24/7"}),
            )
            .await?;
        let id = r["id"].as_str().unwrap_or_default().to_string();
        self.post(
            &format!("approve {who}"),
            "demo-staff",
            &format!("/api/v1/volunteers/{id}/actions"),
            json!({"action": {"action": "approve"}, "version": r["version"]}),
        )
        .await
        .map(|_| ())
    }

    /// A clock-in punch made on the phone at `at` (now on the seeding
    /// clock), `offset_m` metres north of the post.
    async fn punch(
        &self,
        who: &str,
        post: &DutyPost,
        kind: PunchKind,
        offset_m: f64,
        elapsed_ms: u64,
    ) -> Result<(), DemoPeopleError> {
        let now = self.state.clock.now();
        let (lat, lng) = match &post.kind {
            lawcircle_core::duty_post::DutyPostKind::Station {
                fence: lawcircle_core::duty_post::Fence::Circle { center, .. },
            } => (center.lat, center.lng),
            _ => (HERE.0, HERE.1),
        };
        let at = DeviceInstant {
            wall: now,
            elapsed_ms,
        };
        let fix = Fix {
            lat: lat + offset_m / 111_320.0,
            lng,
            datum: Datum::Wgs84,
            accuracy_m: 8.0,
            provider: Provider::Gps,
            is_mock: false,
            wall_time: now,
            elapsed_ms,
            speed_mps: None,
        };
        let id = random_key("demo-punch-")?;
        let punch = Punch::on_device(
            id.clone(),
            self.id(who).to_string(),
            post,
            kind,
            at,
            Some(fix),
            None,
            false,
            None,
            &ClockInPolicy::default(),
        );
        let body = serde_json::to_value(&punch).map_err(|e| DemoPeopleError::Step {
            step: "encode a punch".into(),
            status: 0,
            body: e.to_string(),
        })?;
        self.call(
            &format!("{who} clocks in"),
            Method::POST,
            "/api/v1/punches",
            Some(who),
            Some(body),
            &[("idempotency-key", id)],
        )
        .await
        .map(|_| ())
    }

    /// Runs the background job once at the seeding clock's time (grab
    /// windows, warnings), as the server would have.
    async fn job(&self) -> Result<(), DemoPeopleError> {
        crate::jobs::run_once(
            &self.state,
            &crate::jobs::rules_for(self.state.grab_window_secs),
        )
        .await?;
        Ok(())
    }

    /// The days of activity: every channel, orders in every state an order
    /// reaches through the API, punches (one flagged), ratings (one low),
    /// warnings, audited reads and hotline call records.
    async fn story(
        &mut self,
        start: DateTime<Utc>,
        real_now: DateTime<Utc>,
    ) -> Result<(), DemoPeopleError> {
        let at = |days: i64, h: u32, m: u32| local_time(start, days, h, m);
        let resident = ("林晓", "13800000006");
        let post = self
            .state
            .store
            .duty_posts()
            .await?
            .into_iter()
            .find(|p| p.id == POST)
            .ok_or_else(|| DemoPeopleError::Step {
                step: format!("find the duty post {POST}"),
                status: 404,
                body: "the demo data has no such post".into(),
            })?;

        // Day 1: the volunteers and the lawyer join the pool and clock in
        // (one 1 km away from the post: flagged for the staff's review).
        self.set_time(at(0, 9, 0));
        self.volunteer(
            "demo-volunteer",
            "王芳（示例）",
            "13800000003",
            "mediator",
            json!(["mediation", "grassroots_legal_service"]),
            json!(["neighbour", "marriage_family"]),
        )
        .await?;
        self.volunteer(
            "demo-volunteer2",
            "陈亮（示例）",
            "13800000004",
            "law_student",
            json!(["legal_education"]),
            json!(["labour", "consumer"]),
        )
        .await?;
        self.volunteer(
            "demo-lawyer",
            "周敏（示例）",
            "13800000005",
            "lawyer",
            json!(["lawyer", "legal_aid"]),
            json!(["labour", "personal_injury", "marriage_family"]),
        )
        .await?;
        // The resident applies too, still waiting for the station's review.
        self.post(
            "the resident applies to volunteer",
            "demo-resident",
            "/api/v1/volunteers",
            json!({"name": "林晓（示例）", "phone": "13800000006", "profession": "other",
                   "service_directions": ["legal_education"], "specialties": ["general"],
                   "home_street_code": STREET, "availability": "Sa-Su 09:00-12:00"}),
        )
        .await?;
        self.set_time(at(0, 9, 10));
        self.punch("demo-volunteer", &post, PunchKind::In, 10.0, 3_600_000)
            .await?;
        self.punch("demo-lawyer", &post, PunchKind::In, -20.0, 7_200_000)
            .await?;
        self.set_time(at(0, 9, 20));
        self.punch("demo-volunteer2", &post, PunchKind::In, 1_000.0, 5_400_000)
            .await?;

        // A consultation online: grabbed, answered, rated 5, archived.
        self.set_time(at(0, 10, 0));
        let closed = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "租房押金被房东扣留，想了解如何要回",
            )
            .await?;
        self.set_time(at(0, 10, 0) + chrono::Duration::seconds(12));
        self.grab("demo-volunteer", &closed).await?;
        self.set_time(at(0, 10, 40));
        self.events(
            &closed,
            &[
                ("demo-volunteer", json!({"event": "start"})),
                (
                    "demo-volunteer",
                    json!({"event": "resolve", "note": "已电话解答：押金返还的条件和证据（示例）"}),
                ),
            ],
        )
        .await?;
        self.set_time(at(0, 11, 55));
        self.punch("demo-volunteer", &post, PunchKind::Out, 5.0, 13_500_000)
            .await?;
        self.set_time(at(0, 15, 0));
        self.rate(&closed, 5, "解答清楚，很有帮助（示例）").await?;
        self.events(&closed, &[("demo-staff", json!({"event": "close"}))])
            .await?;

        // Day 2. On site at the station: staff enter a legal aid need and
        // dispatch it to the lawyer on duty (in progress; nobody is given a
        // need they entered themselves); staff read the requester's phone
        // to arrange a meeting (audited).
        self.set_time(at(1, 10, 0));
        let in_progress = self
            .need(
                "demo-staff",
                "on_site",
                "legal_aid",
                false,
                ("赵建国", "13800000011"),
                "工伤后单位拒绝支付医疗费，申请法律援助",
            )
            .await?;
        let lawyer = self.id("demo-lawyer").to_string();
        self.events(
            &in_progress,
            &[
                ("demo-staff", json!({"event": "assign", "assignee": lawyer})),
                ("demo-lawyer", json!({"event": "accept"})),
            ],
        )
        .await?;
        self.get(
            "read a requester's contact",
            "demo-staff",
            &format!(
                "/api/v1/orders/{in_progress}/contact?reason={}",
                query_value("回电约定面谈时间（示例）")
            ),
        )
        .await?;

        // Mediation online, dispatched to the volunteer and accepted.
        self.set_time(at(1, 14, 0));
        let low = self
            .need(
                "demo-resident",
                "online",
                "mediation",
                false,
                resident,
                "楼上邻居装修噪音持续到深夜，希望调解",
            )
            .await?;
        let vol = self.id("demo-volunteer").to_string();
        self.events(
            &low,
            &[
                ("demo-staff", json!({"event": "assign", "assignee": vol})),
                ("demo-volunteer", json!({"event": "accept"})),
            ],
        )
        .await?;

        // The 12348 hotline: an urgent consultation nobody grabbed within
        // the window escalates to the staff queue (and becomes overdue).
        self.set_time(at(1, 16, 30));
        let escalated = self
            .need(
                "demo-staff",
                "hotline12348",
                "consultation",
                true,
                ("黄海", "13800000012"),
                "来电：被拖欠三个月工资，询问如何维权",
            )
            .await?;
        let window = i64::try_from(self.state.grab_window_secs).unwrap_or(30);
        self.set_time(at(1, 16, 30) + chrono::Duration::seconds(window + 5));
        self.job().await?;

        // Day 3. A notarization entered at the station, dispatched, not
        // accepted yet (assigned).
        self.set_time(at(2, 9, 40));
        let assigned = self
            .need(
                "demo-staff",
                "on_site",
                "notarization",
                false,
                ("吴敏", "13800000013"),
                "办理继承公证需要准备哪些材料",
            )
            .await?;
        let vol2 = self.id("demo-volunteer2").to_string();
        self.events(
            &assigned,
            &[("demo-staff", json!({"event": "assign", "assignee": vol2}))],
        )
        .await?;

        // The lawyer, as a village's legal adviser, enters a need that could
        // not be solved on the spot; it waits for the station (open).
        self.set_time(at(2, 10, 0));
        self.need(
            "demo-lawyer",
            "on_site",
            "mediation",
            false,
            ("郑秀英", "13800000014"),
            "村民宅基地边界争议，现场未能调解，需街道调解委员会介入",
        )
        .await?;

        // A dispute over several estates: transferred to the district.
        self.set_time(at(2, 10, 30));
        let transferred = self
            .need(
                "demo-resident",
                "online",
                "arbitration",
                false,
                resident,
                "与物业公司就公共收益分配产生争议，涉及多个小区",
            )
            .await?;
        self.events(
            &transferred,
            &[(
                "demo-staff",
                json!({"event": "transfer", "to_level": "district", "to_area": DISTRICT,
                       "reason": "涉及多个街道，需区级协调（示例）"}),
            )],
        )
        .await?;

        // The mediation is resolved; the resident rates it 2, a low rating:
        // a warning that needs a call-back.
        self.set_time(at(2, 11, 0));
        self.events(
            &low,
            &[(
                "demo-volunteer",
                json!({"event": "resolve", "note": "组织双方调解，约定施工时间（示例）"}),
            )],
        )
        .await?;

        // Withdrawn by the resident before anyone took it (cancelled).
        self.set_time(at(2, 15, 0));
        let cancelled = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "咨询离婚财产分割",
            )
            .await?;
        self.events(
            &cancelled,
            &[(
                "demo-resident",
                json!({"event": "cancel", "reason": "已与对方协商解决（示例）"}),
            )],
        )
        .await?;
        self.set_time(at(2, 16, 0));
        self.rate(&low, 2, "等了两天才有人联系（示例）").await?;

        // Day 4: both volunteers clock in at the station (offers go to
        // volunteers on duty near the need); one consultation grabbed
        // (claimed), one answered and waiting for the resident's rating
        // (resolved).
        self.set_time(at(3, 9, 0));
        self.punch("demo-volunteer2", &post, PunchKind::In, 15.0, 263_400_000)
            .await?;
        self.punch("demo-volunteer", &post, PunchKind::In, -5.0, 265_200_000)
            .await?;
        self.set_time(at(3, 9, 15));
        let claimed = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "网购商品质量问题，商家拒绝退货",
            )
            .await?;
        self.set_time(at(3, 9, 15) + chrono::Duration::seconds(8));
        self.grab("demo-volunteer2", &claimed).await?;
        self.set_time(at(3, 14, 0));
        let resolved = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "车辆被刮擦，对方不愿赔偿",
            )
            .await?;
        self.set_time(at(3, 14, 0) + chrono::Duration::seconds(15));
        self.grab("demo-volunteer", &resolved).await?;
        self.set_time(at(3, 15, 0));
        self.events(
            &resolved,
            &[
                ("demo-volunteer", json!({"event": "start"})),
                (
                    "demo-volunteer",
                    json!({"event": "resolve", "note": "已说明交通事故责任认定和索赔途径（示例）"}),
                ),
            ],
        )
        .await?;

        // Hotline call records for the indicators (answer rate, satisfaction).
        let mut csv = String::from("call_id,started_at,answered,rating,street_code\n");
        for (i, (day, h, answered, rating)) in [
            (0, 9, true, "5"),
            (0, 14, true, "4"),
            (1, 10, false, ""),
            (1, 16, true, "5"),
            (2, 11, true, "3"),
            (3, 10, true, "5"),
        ]
        .into_iter()
        .enumerate()
        {
            let t = at(day, h, 5) + chrono::Duration::hours(8);
            csv.push_str(&format!(
                "DEMO-H{:03},{},{},{},{STREET}\n",
                i + 1,
                t.format("%Y-%m-%d %H:%M:%S"),
                answered,
                rating
            ));
        }
        self.call(
            "import hotline calls",
            Method::POST,
            "/api/v1/imports-hotline",
            Some("demo-admin"),
            Some(Value::String(csv)),
            &[],
        )
        .await?;

        // Today: a mediation waiting for dispatch (open).
        self.set_time(real_now - chrono::Duration::minutes(20));
        self.need(
            "demo-resident",
            "online",
            "mediation",
            false,
            resident,
            "小区停车位被长期占用，希望社区调解",
        )
        .await?;

        // Now: the job raises the warnings (the urgent hotline order is
        // overdue; the low rating went up a level); the station signs for
        // the overdue one.
        self.set_time(Utc::now());
        self.job().await?;
        let warnings = self
            .get("list warnings", "demo-staff", "/api/v1/warnings")
            .await?;
        if let Some(w) = warnings.as_array().and_then(|l| {
            l.iter().find(|w| {
                w["rule_id"] == "overdue" && w["subject"]["order_id"] == escalated.as_str()
            })
        }) {
            let id = w["id"].as_str().unwrap_or_default();
            self.post(
                "acknowledge a warning",
                "demo-staff",
                &format!("/api/v1/warnings/{id}/actions"),
                json!({"action": "acknowledge", "note": "已安排坐席回电（示例）", "version": w["version"]}),
            )
            .await?;
        }
        // The admin checks a resident's contact for a complaint: audited.
        let resident_id = self.id("demo-resident");
        self.get(
            "read an account's contact",
            "demo-admin",
            &format!(
                "/api/v1/accounts/{resident_id}/contact?reason={}",
                query_value("核实投诉（示例）")
            ),
        )
        .await?;
        Ok(())
    }

    /// Signs the seeding's sessions out (their tokens are revoked).
    async fn sign_out(&self) {
        for who in self.tokens.keys() {
            let _ = self
                .call(
                    "sign out",
                    Method::POST,
                    "/api/v1/auth/logout",
                    Some(who),
                    None,
                    &[],
                )
                .await;
        }
    }
}

/// 08:00 UTC+8 of the first demo day: four days back, moved to Saturday
/// when it would be a Sunday (the station's shifts are Mo–Sa).
fn first_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    let mut day = (now.with_timezone(&china) - chrono::Duration::days(4)).date_naive();
    if day.weekday() == chrono::Weekday::Sun {
        day = day.pred_opt().unwrap_or(day);
    }
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&midnight) - chrono::Duration::hours(8)
}

/// `h:m` UTC+8 on the `days`-th day after `start` (midnight UTC+8).
fn local_time(start: DateTime<Utc>, days: i64, h: u32, m: u32) -> DateTime<Utc> {
    start
        + chrono::Duration::days(days)
        + chrono::Duration::hours(h.into())
        + chrono::Duration::minutes(m.into())
}

/// A query-string value, percent-encoded.
fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_unambiguous_and_different() {
        let a = demo_password().unwrap();
        let b = demo_password().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23, "{a}");
        assert_eq!(a.split('-').count(), 4);
        assert!(
            a.chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"0O1lI".contains(c))),
            "{a}"
        );
        assert!(a.chars().count() >= crate::auth::MIN_PASSWORD_CHARS);
    }

    #[test]
    fn the_credentials_block_has_one_line_per_account_between_its_markers() {
        let people = DemoPeople {
            accounts: ACCOUNTS
                .iter()
                .map(
                    |(role, username, display_name, street_code, phone)| DemoAccount {
                        role: *role,
                        username,
                        display_name,
                        street_code: *street_code,
                        phone,
                        password: format!("pw-{username}"),
                    },
                )
                .collect(),
            created: 6,
            reset: 0,
            needs_filed: 10,
            activity_error: None,
        };
        let block = people.credentials_block("http://127.0.0.1:8080/console/");
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines[0], CREDENTIALS_HEADER);
        assert_eq!(*lines.last().unwrap(), CREDENTIALS_FOOTER);
        let rows: Vec<Vec<&str>> = lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|c| c.len() == 4 && c[1].starts_with("demo-"))
            .collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(
            rows[0],
            [
                "district_admin",
                "demo-admin",
                "pw-demo-admin",
                "区司法局管理员（示例）"
            ]
        );
        assert!(block.contains("http://127.0.0.1:8080/console/"));
    }

    #[test]
    fn the_first_day_is_four_days_back_and_never_a_sunday() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Saturday 2026-12-05 12:00 in China: Tuesday 2026-12-01, 00:00 UTC+8.
        assert_eq!(
            first_day(at("2026-12-05T04:00:00Z")),
            at("2026-11-30T16:00:00Z")
        );
        // Thursday 2026-12-03: four days back is a Sunday, so Saturday.
        assert_eq!(
            first_day(at("2026-12-03T04:00:00Z")),
            at("2026-11-27T16:00:00Z")
        );
        assert_eq!(
            local_time(at("2026-11-30T16:00:00Z"), 1, 9, 30),
            at("2026-12-02T01:30:00Z")
        );
    }
}
