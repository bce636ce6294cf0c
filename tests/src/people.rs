//! The people of a phone-flow test, made through the real server: a
//! district admin (by the CLI, as an operator would), station staff, a
//! resident, and a volunteer approved into the pool and clocked in at the
//! street's duty post (so consultations nearby are offered to them), all
//! in Yongzhong street (永中街道) of the demo data. Used by
//! the Rust flows and, through the `seed-people` binary, by the Kotlin and
//! Swift suites, so all three run the same set-up.

use crate::{Client, Storage, cli_create_account, http_client};
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::geo::coord::Datum;
use lawcircle_core::volunteers::clock_in::{ClockInPolicy, DeviceInstant, Fix, Provider};
use lawcircle_core::volunteers::punch::{Punch, PunchKind};
use serde::Serialize;
use serde_json::json;

/// The password of the accounts the tests create.
pub const PW: &str = "correct-horse-42";
/// The street every person belongs to.
pub const STREET: &str = "330303001";
/// A village of that street.
pub const VILLAGE: &str = "330303001001";
/// Another street of the district, for what must stay in its own street.
pub const OTHER_STREET: &str = "330303002";
/// A village of that other street.
pub const OTHER_VILLAGE: &str = "330303002001";
/// The demo duty post (a 100 m circle at 27.93, 120.815, WGS-84).
pub const POST_ID: &str = "LW-P0011";
pub const POST_LAT: f64 = 27.93;
pub const POST_LNG: f64 = 120.815;

/// A username and password.
#[derive(Debug, Clone, Serialize)]
pub struct Login {
    pub username: String,
    pub password: String,
    pub id: i64,
}

/// Everybody a flow needs.
#[derive(Debug, Clone, Serialize)]
pub struct People {
    pub admin: Login,
    pub staff: Login,
    pub resident: Login,
    pub volunteer: Login,
    pub street_code: String,
    pub village_code: String,
    pub post_id: String,
    pub post_lat: f64,
    pub post_lng: f64,
}

impl Client {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:PORT`).
    pub fn at(base: &str) -> Client {
        Client {
            http: http_client(),
            base: base.trim_end_matches('/').to_string(),
            token: None,
        }
    }

    async fn login_at(base: &str, username: &str, password: &str) -> Result<Client, String> {
        let mut c = Client::at(base);
        let r = c
            .post(
                "/api/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        if r.status != 200 {
            return Err(format!("login {username}: {} {:?}", r.status, r.body));
        }
        c.token = r.body["token"].as_str().map(str::to_string);
        Ok(c)
    }
}

fn expect(what: &str, r: &crate::Reply, status: u16) -> Result<(), String> {
    if r.status == status {
        Ok(())
    } else {
        Err(format!("{what}: {} {:?}", r.status, r.body))
    }
}

/// Makes the people on the server at `base`, whose storage is `storage`
/// (the admin is made with the CLI on it).
pub async fn seed_people(base: &str, storage: &Storage) -> Result<People, String> {
    const PW: &str = "correct-horse-42";
    cli_create_account(storage, "admin", "district_admin", None, PW);
    let admin = Client::login_at(base, "admin", PW).await?;
    let me = admin.get("/api/v1/me").await;
    let admin_id = me.body["id"].as_i64().ok_or("no admin id")?;
    let mut ids = Vec::new();
    for (name, role) in [
        ("staff", "station_staff"),
        ("resident", "resident"),
        ("volunteer", "resident"),
    ] {
        let r = admin
            .post(
                "/api/v1/accounts",
                &json!({"username": name, "display_name": name, "role": role,
                        "street_code": STREET, "password": PW}),
            )
            .await;
        expect(&format!("create {name}"), &r, 201)?;
        ids.push(r.body["id"].as_i64().ok_or("no account id")?);
    }
    let staff = Client::login_at(base, "staff", PW).await?;
    let vol = Client::login_at(base, "volunteer", PW).await?;
    let r = vol
        .post(
            "/api/v1/volunteers",
            &json!({"name": "王律师", "phone": "13912345678", "profession": "lawyer",
                    "service_directions": ["lawyer"],
                    "specialties": ["劳动争议", "邻里纠纷", "综合"],
                    "home_street_code": STREET, "availability": "24/7"}),
        )
        .await;
    expect("volunteer application", &r, 201)?;
    let vid = r.body["id"].as_str().ok_or("no volunteer id")?.to_string();
    let r = staff
        .post(
            &format!("/api/v1/volunteers/{vid}/actions"),
            &json!({"action": {"action": "approve"}, "version": 1}),
        )
        .await;
    expect("approve the volunteer", &r, 200)?;
    let me = vol.get("/api/v1/me").await;
    let vol_id = me.body["id"].as_i64().ok_or("no volunteer account id")?;
    clock_in(&vol, &vol_id.to_string(), POST_ID, POST_LAT, POST_LNG).await?;
    let login = |username: &str, id: i64| Login {
        username: username.to_string(),
        password: PW.to_string(),
        id,
    };
    Ok(People {
        admin: login("admin", admin_id),
        staff: login("staff", ids[0]),
        resident: login("resident", ids[1]),
        volunteer: login("volunteer", ids[2]),
        street_code: STREET.to_string(),
        village_code: VILLAGE.to_string(),
        post_id: POST_ID.to_string(),
        post_lat: POST_LAT,
        post_lng: POST_LNG,
    })
}

/// Creates an account through the API as `admin` (a district admin, or
/// station staff for their street): its id.
pub async fn create_account(
    admin: &Client,
    username: &str,
    role: &str,
    street: &str,
    password: &str,
) -> Result<i64, String> {
    let r = admin
        .post(
            "/api/v1/accounts",
            &json!({"username": username, "display_name": username, "role": role,
                    "street_code": street, "password": password}),
        )
        .await;
    if r.status != 201 {
        return Err(format!("create {username}: {} {}", r.status, r.body));
    }
    r.body["id"]
        .as_i64()
        .ok_or_else(|| format!("create {username}: no id in {}", r.body))
}

/// An account of `street` with the tests' password [`PW`], created by
/// `admin`: its id. For tests, which stop at the first thing that fails.
pub async fn test_account(admin: &Client, name: &str, role: &str, street: &str) -> i64 {
    match create_account(admin, name, role, street, PW).await {
        Ok(id) => id,
        Err(e) => panic!("{e}"),
    }
}

/// `volunteer` (signed in as `name`) applies to the pool of `street` as a
/// lawyer with `specialties` and `availability`, and `staff` approves the
/// application: the volunteer record's id.
pub async fn join_pool(
    volunteer: &Client,
    staff: &Client,
    name: &str,
    street: &str,
    specialties: &[&str],
    availability: &str,
) -> Result<String, String> {
    let r = volunteer
        .post(
            "/api/v1/volunteers",
            &json!({"name": name, "phone": "13912345678", "profession": "lawyer",
                    "service_directions": ["lawyer"], "specialties": specialties,
                    "home_street_code": street, "availability": availability}),
        )
        .await;
    if r.status != 201 {
        return Err(format!("{name} applies: {} {}", r.status, r.body));
    }
    let id = r.body["id"]
        .as_str()
        .ok_or_else(|| format!("{name} applies: no id in {}", r.body))?
        .to_string();
    let r = staff
        .post(
            &format!("/api/v1/volunteers/{id}/actions"),
            &json!({"action": {"action": "approve"}, "version": r.body["version"]}),
        )
        .await;
    if r.status != 200 {
        return Err(format!("approve {name}: {} {}", r.status, r.body));
    }
    Ok(id)
}

/// A punch made on the phone, with the core's rules, by `account_id` at the
/// 100 m circle post `post_id` of [`STREET`] centred at `lat`, `lng`
/// (WGS-84), standing at its centre with a fresh 8 m GPS fix taken `at`.
pub fn punch_at(
    account_id: &str,
    post_id: &str,
    lat: f64,
    lng: f64,
    kind: PunchKind,
    at: DeviceInstant,
) -> Result<Punch, String> {
    let post: DutyPost = serde_json::from_value(json!({
        "id": post_id, "name": post_id, "street_code": STREET, "retired": false,
        "kind": {"type": "station", "fence": {"type": "circle",
                 "center": {"lat": lat, "lng": lng, "datum": "wgs84"}, "radius_m": 100.0}},
        "shifts": {"weekly": "24/7", "exceptions": []}
    }))
    .map_err(|e| e.to_string())?;
    Ok(punch_on(account_id, &post, kind, at, (lat, lng), false))
}

/// A punch made on the phone, with the core's rules, by `account_id` at
/// `post` with a fresh 8 m GPS fix at `lat`, `lng` (WGS-84) taken `at`;
/// `offline` when the phone had no connection when it was made.
pub fn punch_on(
    account_id: &str,
    post: &DutyPost,
    kind: PunchKind,
    at: DeviceInstant,
    (lat, lng): (f64, f64),
    offline: bool,
) -> Punch {
    let fix = Fix {
        lat,
        lng,
        datum: Datum::Wgs84,
        accuracy_m: 8.0,
        provider: Provider::Gps,
        is_mock: false,
        wall_time: at.wall,
        elapsed_ms: at.elapsed_ms,
        speed_mps: None,
    };
    Punch::on_device(
        uuid::Uuid::now_v7().to_string(),
        account_id,
        post,
        kind,
        at,
        Some(fix),
        None,
        offline,
        None,
        &ClockInPolicy::default(),
    )
}

/// Clocks `client` (account `account_id`) in at the circle post `post_id`
/// centred at `lat`, `lng` (WGS-84), standing at its centre: the punch is
/// made with the core's rules as the phone makes it and synced to the
/// server, which re-checks it. Dispatch then counts them on duty there.
pub async fn clock_in(
    client: &Client,
    account_id: &str,
    post_id: &str,
    lat: f64,
    lng: f64,
) -> Result<(), String> {
    punch(client, account_id, post_id, lat, lng, PunchKind::In).await
}

/// The same for a clock-out.
pub async fn clock_out(
    client: &Client,
    account_id: &str,
    post_id: &str,
    lat: f64,
    lng: f64,
) -> Result<(), String> {
    punch(client, account_id, post_id, lat, lng, PunchKind::Out).await
}

async fn punch(
    client: &Client,
    account_id: &str,
    post_id: &str,
    lat: f64,
    lng: f64,
    kind: PunchKind,
) -> Result<(), String> {
    let now = chrono::Utc::now();
    // A monotonic clock for the "device": the test process's wall clock.
    let at = DeviceInstant {
        wall: now,
        elapsed_ms: u64::try_from(now.timestamp_millis()).unwrap_or(0),
    };
    let p = punch_at(account_id, post_id, lat, lng, kind, at)?;
    let r = client.post_punch(&p).await;
    if r.status == 200 || r.status == 201 {
        Ok(())
    } else {
        Err(format!("punch at {post_id}: {} {:?}", r.status, r.body))
    }
}
