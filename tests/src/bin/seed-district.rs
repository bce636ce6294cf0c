//! Loads the history of a synthetic district into a server's database, for
//! the benchmarks at scale (`scripts/bench-district`): volunteers (accounts
//! and pool records, approved), residents, needs with their orders through
//! the core's own state machine (open, grab or dispatch, start, resolve,
//! rate, archive; some escalated or cancelled), ratings with their rating
//! requests, low-rating warnings handled by staff with their call-backs,
//! and clock-in punches chained per volunteer with the core's hashes.
//! Everything is synthetic (合成数据) and says so.
//!
//! ```text
//! seed-district (--data-dir DIR | --database-url postgres://…) [--seed 330303]
//!     [--volunteers 10000] [--residents 100000] [--orders 1000000]
//!     [--punches-per-volunteer 20] [--days 730] [--until 2026-12-05T00:00:00Z]
//! ```
//! The catalogue must be imported first (`lawcircle-server import` of the
//! files `scripts/gen-district` writes): streets, villages and duty posts
//! are read from the database. Deterministic: the same seed, sizes,
//! `--until` and catalogue give the same rows, except the password hash
//! (one argon2 hash of one password, made once with a random salt and
//! shared by every synthetic account: hashing 110,000 passwords would take
//! hours and measure nothing the benchmarks look at).
//!
//! Rows are what the server writes (same tables, columns, JSON of the
//! core's types, states and hash chains), loaded in large transactions
//! with multi-row inserts; on PostgreSQL explicit ids go in with
//! `OVERRIDING SYSTEM VALUE` and the identity sequences are moved past
//! them. Not written: the notifications and idempotency records the
//! original requests would have left (no measured endpoint reads them).

use chrono::{DateTime, Datelike, Duration, Utc};
use lawcircle_core::authz::Role;
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use lawcircle_core::geo::coord::Datum;
use lawcircle_core::needs::NeedDraft;
use lawcircle_core::orders::order::{Actor, NewOrder, Order, OrderEvent, OrderKind};
use lawcircle_core::orders::rating::{self, CallBack};
use lawcircle_core::orders::warning::{Warning, default_rules, evaluate_rules};
use lawcircle_core::volunteers::clock_in::{ClockInPolicy, DeviceInstant, Fix, Provider};
use lawcircle_core::volunteers::pool::{self, Volunteer, VolunteerProfile};
use lawcircle_core::volunteers::punch::{GENESIS_HASH, Punch, PunchKind};
use lawcircle_e2e::cli_arg;
use serde_json::json;
use sqlx::any::install_default_drivers;
use sqlx::{AnyConnection, Connection, Row};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// The one password of every synthetic account (see the module comment).
const PASSWORD: &str = "synthetic-district-password";
/// Orders generated, stored and committed together.
const CHUNK: usize = 20_000;

#[derive(Debug, thiserror::Error)]
enum SeedError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] lawcircle_server::store::StoreError),
    #[error("generated {what} is not valid: {why}")]
    Invalid { what: String, why: String },
}

fn invalid(what: impl Into<String>) -> impl FnOnce(String) -> SeedError {
    let what = what.into();
    move |why| SeedError::Invalid { what, why }
}

/// Days the server keeps a punch's exact location by default
/// (`punch_location_retention_days`).
const LOCATION_RETENTION_DAYS: i64 = 180;

/// A value of a row to insert (nulls typed for PostgreSQL).
enum V {
    I(i64),
    T(String),
    NullI,
    NullT,
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

fn ms(at: DateTime<Utc>) -> V {
    V::I(at.timestamp_millis())
}

/// Inserts rows with multi-row statements on `conn` (inside the caller's
/// transaction). `explicit_ids`: the rows carry identity ids.
async fn insert(
    conn: &mut AnyConnection,
    pg: bool,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
    explicit_ids: bool,
) -> Result<(), SeedError> {
    let per = (16_000 / cols.len()).max(1);
    for chunk in rows.chunks(per) {
        // `$n` placeholders, as the store writes them: both backends read
        // them (QueryBuilder on `Any` writes `?`, which PostgreSQL does not).
        let mut sql = format!(
            "INSERT INTO {table} ({}) {}VALUES ",
            cols.join(", "),
            if pg && explicit_ids {
                "OVERRIDING SYSTEM VALUE "
            } else {
                ""
            }
        );
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                n += 1;
                sql.push_str(&format!("{}${n}", if j == 0 { "" } else { ", " }));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    V::I(i) => q.bind(*i),
                    V::T(s) => q.bind(s.clone()),
                    V::NullI => q.bind(None::<i64>),
                    V::NullT => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

struct Args {
    url: String,
    seed: u64,
    volunteers: usize,
    residents: usize,
    orders: usize,
    punches_per_volunteer: usize,
    days: i64,
    until: DateTime<Utc>,
}

fn parse_args() -> Result<Args, SeedError> {
    let args: Vec<String> = std::env::args().collect();
    let num = |flag: &str, default: usize| -> Result<usize, SeedError> {
        cli_arg(&args, flag).map_or(Ok(default), |v| {
            v.replace('_', "")
                .parse()
                .map_err(|_| SeedError::Usage(format!("{flag} takes a number, not {v:?}")))
        })
    };
    let url = match (
        cli_arg(&args, "--database-url"),
        cli_arg(&args, "--data-dir"),
    ) {
        (Some(u), _) => u,
        (None, Some(d)) => {
            let dir = std::path::absolute(&d).map_err(|e| SeedError::Usage(e.to_string()))?;
            format!("sqlite://{}/lawcircle.sqlite?mode=rwc", dir.display())
        }
        (None, None) => return Err(SeedError::Usage("--data-dir or --database-url".into())),
    };
    let until = match cli_arg(&args, "--until") {
        Some(u) => u
            .parse::<DateTime<Utc>>()
            .map_err(|e| SeedError::Usage(format!("--until: {e}")))?,
        // Today at midnight UTC: deterministic within a day.
        None => Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or_else(Utc::now),
    };
    Ok(Args {
        url,
        seed: num("--seed", 330_303)? as u64,
        volunteers: num("--volunteers", 10_000)?.max(1),
        residents: num("--residents", 100_000)?.max(1),
        orders: num("--orders", 1_000_000)?,
        punches_per_volunteer: num("--punches-per-volunteer", 20)?,
        days: num("--days", 730)?.max(1) as i64,
        until,
    })
}

/// A station's staff account per street and the active volunteers living
/// there (the assignees of its orders).
struct Street {
    code: String,
    villages: Vec<String>,
    posts: Vec<DutyPost>,
    staff: i64,
    volunteers: Vec<i64>,
}

fn weighted<'a, T>(rng: &mut fastrand::Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = rng.u32(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// The centre of a post's fence.
fn post_centre(p: &DutyPost) -> Option<(f64, f64)> {
    match &p.kind {
        DutyPostKind::Station {
            fence: Fence::Circle { center, .. },
        } => Some((center.lat, center.lng)),
        _ => None,
    }
}

/// Moves `at` to the weekday's given China-time hour (the posts' shifts
/// are Monday to Friday): Saturdays and Sundays go back to Friday.
fn on_shift(at: DateTime<Utc>, hour_utc: u32, minute: u32) -> DateTime<Utc> {
    let mut day = at.date_naive();
    while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day = day.pred_opt().unwrap_or(day);
    }
    day.and_hms_opt(hour_utc, minute, 0)
        .map(|d| d.and_utc())
        .unwrap_or(at)
}

async fn run() -> Result<String, SeedError> {
    let a = parse_args()?;
    // Migrates the schema, as the server does at start.
    lawcircle_server::store::Store::open(&a.url)
        .await?
        .close()
        .await;
    install_default_drivers();
    let pg = a.url.starts_with("postgres");
    let mut conn = AnyConnection::connect(&a.url).await?;
    let mut rng = fastrand::Rng::with_seed(a.seed);
    let start = a.until - Duration::days(a.days);

    // The catalogue: streets, villages, duty posts.
    let mut streets: BTreeMap<String, Street> = BTreeMap::new();
    for r in sqlx::query("SELECT code FROM areas WHERE level = 'street' ORDER BY code")
        .fetch_all(&mut conn)
        .await?
    {
        let code: String = r.try_get(0)?;
        streets.insert(
            code.clone(),
            Street {
                code,
                villages: vec![],
                posts: vec![],
                staff: 0,
                volunteers: vec![],
            },
        );
    }
    for r in
        sqlx::query("SELECT code, parent_code FROM areas WHERE level = 'village' ORDER BY code")
            .fetch_all(&mut conn)
            .await?
    {
        let parent: Option<String> = r.try_get(1)?;
        if let Some(s) = parent.and_then(|p| streets.get_mut(&p)) {
            s.villages.push(r.try_get(0)?);
        }
    }
    for r in sqlx::query("SELECT id, data FROM duty_posts ORDER BY id")
        .fetch_all(&mut conn)
        .await?
    {
        let id: String = r.try_get(0)?;
        let data: String = r.try_get(1)?;
        let post: DutyPost = serde_json::from_str(&data)
            .map_err(|e| invalid(format!("stored duty post {id}"))(e.to_string()))?;
        if !post.retired
            && post_centre(&post).is_some()
            && let Some(s) = streets.get_mut(&post.street_code)
        {
            s.posts.push(post);
        }
    }
    streets.retain(|_, s| !s.villages.is_empty() && !s.posts.is_empty());
    if streets.is_empty() {
        return Err(SeedError::Usage(
            "no street with villages and a station duty post: import the catalogue of scripts/gen-district first".into(),
        ));
    }
    let street_codes: Vec<String> = streets.keys().cloned().collect();

    let hash = lawcircle_server::auth::hash_password(PASSWORD)
        .map_err(|e| invalid("the password hash")(e.to_string()))?;
    let max_id = |table: &'static str| format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
    let mut next_account: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(max_id("accounts")))
        .fetch_one(&mut conn)
        .await?;
    let first_need: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(max_id("needs")))
        .fetch_one(&mut conn)
        .await?;

    // Accounts: an admin, one station staff per street, volunteers, residents.
    let account_cols = [
        "id",
        "username",
        "display_name",
        "role",
        "street_code",
        "phone",
        "id_number",
        "password_hash",
        "disabled",
        "created_at",
    ];
    let mut accounts = Vec::new();
    let mut account = |username: String, name: String, role: Role, street: Option<&str>| {
        next_account += 1;
        accounts.push(vec![
            V::I(next_account),
            V::T(username),
            V::T(name),
            t(role.as_str()),
            street.map_or(V::NullT, t),
            V::NullT,
            V::NullT,
            t(hash.clone()),
            V::I(0),
            ms(start - Duration::days(30)),
        ]);
        next_account
    };
    let admin = account(
        "sd-admin".into(),
        "合成区司法局管理员".into(),
        Role::DistrictAdmin,
        None,
    );
    for (i, s) in streets.values_mut().enumerate() {
        s.staff = account(
            format!("sd-staff-{}", s.code),
            format!("合成工作站{}", i + 1),
            Role::StationStaff,
            Some(&s.code),
        );
    }
    // The ids run on: the admin, the staff, then the residents.
    let first_resident = admin + streets.len() as i64 + 1;
    for i in 0..a.residents {
        let street = &street_codes[i % street_codes.len()];
        account(
            format!("sd-resident-{:06}", i + 1),
            format!("合成居民{}", i + 1),
            Role::Resident,
            Some(street),
        );
    }
    // Volunteers: 95 % approved (their account becomes a volunteer's),
    // the rest still waiting for review.
    let professions = [
        ("lawyer", "lawyer", 30u32),
        ("grassroots_legal_worker", "grassroots_legal_service", 15),
        ("mediator", "mediation", 30),
        ("legal_aid_worker", "legal_aid", 10),
        ("law_student", "legal_education", 15),
    ];
    let specialties = [
        "marriage_family",
        "labour",
        "contract",
        "neighbour",
        "traffic_accident",
    ];
    let mut volunteer_rows = Vec::new();
    for i in 0..a.volunteers {
        let street = street_codes[rng.usize(..street_codes.len())].clone();
        let (profession, direction, _) = professions[{
            let w: Vec<(usize, u32)> = professions
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.2))
                .collect();
            *weighted(&mut rng, &w)
        }];
        let approved = rng.u32(0..100) < 95;
        let id = account(
            format!("sd-volunteer-{:05}", i + 1),
            format!("合成志愿者{}", i + 1),
            if approved {
                Role::Volunteer
            } else {
                Role::Resident
            },
            Some(&street),
        );
        let applied = start - Duration::days(20) + Duration::minutes(rng.i64(0..20 * 24 * 60));
        let profile: VolunteerProfile = serde_json::from_value(json!({
            "name": format!("合成志愿者{}", i + 1),
            "phone": format!("139{:08}", i + 1),
            "profession": profession,
            "service_directions": [direction],
            "specialties": [specialties[rng.usize(..specialties.len())]],
            "home_street_code": street,
            "availability": {"weekly": "Mo-Fr 08:30-17:30"},
        }))
        .map_err(|e| invalid("a volunteer profile")(e.to_string()))?;
        let vid = format!("V{id}-1");
        let mut v = Volunteer::apply(vid.clone(), profile, applied)
            .map_err(|e| invalid(format!("volunteer {vid}"))(e.to_string()))?;
        let mut changed = applied;
        if approved {
            changed = applied + Duration::days(1);
            v.act(
                pool::Actor::DistrictAdmin {
                    id: admin.to_string(),
                },
                pool::Action::Approve,
                changed,
                None,
            )
            .map_err(|e| invalid(format!("approving {vid}"))(e.to_string()))?;
            if let Some(s) = streets.get_mut(&street) {
                s.volunteers.push(id);
            }
        }
        volunteer_rows.push(vec![
            t(vid.clone()),
            V::I(id),
            t(street),
            t(if approved { "active" } else { "applied" }),
            V::I(if approved { 2 } else { 1 }),
            t(serde_json::to_string(&v).map_err(|e| invalid(vid)(e.to_string()))?),
            ms(changed),
        ]);
    }
    let mut tx = conn.begin().await?;
    insert(&mut tx, pg, "accounts", &account_cols, &accounts, true).await?;
    insert(
        &mut tx,
        pg,
        "volunteers",
        &[
            "id",
            "account_id",
            "home_street",
            "state",
            "version",
            "data",
            "updated_at",
        ],
        &volunteer_rows,
        false,
    )
    .await?;
    tx.commit().await?;
    drop(accounts);
    drop(volunteer_rows);

    // Punches: clock-in and clock-out pairs at posts of the volunteer's
    // street, on weekday mornings, chained with the core's hash; about 1 %
    // made outside the fence (300 m away), which staff review.
    let policy = ClockInPolicy::default();
    let mut punch_rows = Vec::new();
    let mut n_punches = 0usize;
    for s in streets.values() {
        for &vol in &s.volunteers {
            let mut prev_hash = GENESIS_HASH.to_string();
            let mut prev_fix: Option<Fix> = None;
            let mut elapsed: u64 = 1_000_000;
            let pairs = a.punches_per_volunteer / 2;
            for k in 0..pairs {
                let day = start
                    + Duration::days(a.days * k as i64 / pairs.max(1) as i64)
                    + Duration::days(rng.i64(0..(a.days / pairs.max(1) as i64).max(1)));
                if day >= a.until {
                    break;
                }
                let post = &s.posts[rng.usize(..s.posts.len())];
                let Some((lat, lng)) = post_centre(post) else {
                    continue;
                };
                for (kind, hour, minute) in [(PunchKind::In, 1, 0), (PunchKind::Out, 3, 30)] {
                    let at = on_shift(day, hour, minute) + Duration::seconds(rng.i64(0..600));
                    if at >= a.until {
                        break;
                    }
                    elapsed += 3_600_000 + rng.u64(0..600_000);
                    let outside = rng.u32(0..100) == 0;
                    let fix = Fix {
                        lat: lat + if outside { 300.0 } else { rng.f64() * 20.0 } / 111_320.0,
                        lng,
                        datum: Datum::Wgs84,
                        accuracy_m: 8.0,
                        provider: Provider::Gps,
                        is_mock: false,
                        wall_time: at,
                        elapsed_ms: elapsed,
                        speed_mps: None,
                    };
                    let id = format!("sd-punch-{vol}-{n_punches}");
                    let mut p = Punch::on_device(
                        id.clone(),
                        vol.to_string(),
                        post,
                        kind,
                        DeviceInstant {
                            wall: at,
                            elapsed_ms: elapsed,
                        },
                        Some(fix.clone()),
                        prev_fix.as_ref(),
                        false,
                        Some(at),
                        &policy,
                    );
                    let received = at + Duration::seconds(2);
                    p.reevaluate_on_server(post, prev_fix.as_ref(), Some(at), received, &policy);
                    p.seq = n_punches as u64;
                    p.prev_hash = prev_hash.clone();
                    p.hash = p.compute_hash();
                    // The server's job erased the exact location once the
                    // retention period (180 days by default) was over.
                    let erased_at = received + Duration::days(LOCATION_RETENTION_DAYS);
                    let located = erased_at >= a.until;
                    if !located {
                        p.erase_location(erased_at);
                    }
                    let verdict = |d: &lawcircle_core::volunteers::clock_in::ClockInDecision| {
                        serde_json::to_value(d.verdict)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    };
                    punch_rows.push(vec![
                        t(id.clone()),
                        t(vol.to_string()),
                        V::I(p.seq as i64),
                        t(post.id.clone()),
                        t(post.street_code.clone()),
                        t(verdict(&p.device_decision)),
                        t(p.server_decision.as_ref().map(verdict).unwrap_or_default()),
                        t(serde_json::to_string(&p).map_err(|e| invalid(id)(e.to_string()))?),
                        t(p.hash.clone()),
                        ms(received),
                        V::I(i64::from(located)),
                    ]);
                    prev_hash = p.hash.clone();
                    prev_fix = Some(fix);
                    n_punches += 1;
                }
            }
            // The chain position restarts per volunteer.
            n_punches = 0;
        }
    }
    let total_punches = punch_rows.len();
    let all_volunteers: Vec<i64> = streets
        .values()
        .flat_map(|s| s.volunteers.iter().copied())
        .collect();
    if all_volunteers.is_empty() {
        return Err(SeedError::Usage(
            "no approved volunteer: ask for more --volunteers".into(),
        ));
    }
    let mut tx = conn.begin().await?;
    insert(
        &mut tx,
        pg,
        "punches",
        &[
            "id",
            "volunteer_id",
            "seq",
            "post_id",
            "street_code",
            "device_verdict",
            "server_verdict",
            "data",
            "hash",
            "received_at",
            "located",
        ],
        &punch_rows,
        false,
    )
    .await?;
    tx.commit().await?;
    drop(punch_rows);

    // Needs and their orders, in filing order, chunk by chunk.
    let categories = [
        ("consultation", 45u32),
        ("mediation", 20),
        ("legal_aid", 8),
        ("notarization", 7),
        ("judicial_appraisal", 2),
        ("arbitration", 2),
        ("administrative_reconsideration", 2),
        ("other", 14),
    ];
    let channels = [("online", 40u32), ("on_site", 35), ("hotline12348", 25)];
    let rules = default_rules();
    let span_ms = (a.until - start).num_milliseconds();
    let (mut n_ratings, mut n_warnings, mut by_state) = (0usize, 0usize, BTreeMap::new());
    let mut k = 0usize;
    while k < a.orders {
        let end = (k + CHUNK).min(a.orders);
        let (mut needs, mut orders, mut ratings, mut requests, mut warnings, mut call_backs) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in k..end {
            let need_id = first_need + i as i64 + 1;
            let filed = start
                + Duration::milliseconds(span_ms * i as i64 / a.orders as i64)
                + Duration::milliseconds(rng.i64(0..1000));
            let street = &streets[&street_codes[rng.usize(..street_codes.len())]];
            let village = &street.villages[rng.usize(..street.villages.len())];
            let category = *weighted(&mut rng, &categories);
            let channel = *weighted(&mut rng, &channels);
            let urgent = rng.u32(0..100) < 5;
            let resident = first_resident + rng.i64(0..a.residents as i64);
            let (entered_by, role, requester) = match channel {
                "online" => (resident, Role::Resident, Some(resident)),
                _ => (street.staff, Role::StationStaff, None),
            };
            let draft: NeedDraft = serde_json::from_value(json!({
                "requester": {"name": format!("合成居民{}", need_id), "phone": format!("138{:08}", need_id % 100_000_000)},
                "category": category,
                "description": format!("【合成 synthetic】第{need_id}号需求：合成数据，非真实求助"),
                "urgency": if urgent { "urgent" } else { "normal" },
                "location": {"address": format!("合成地址{need_id}"), "area_code": village},
                "channel": channel,
                "entered": {"at": filed},
                "consent": {"given": true, "at": filed, "notice_version": "v1"},
            }))
            .map_err(|e| invalid(format!("need {need_id}"))(e.to_string()))?;
            let draft = draft
                .validate(filed)
                .map_err(|e| invalid(format!("need {need_id}"))(format!("{e:?}")))?;
            needs.push(vec![
                V::I(need_id),
                t(format!("sd-need-{need_id}")),
                V::I(entered_by),
                t(role.as_str()),
                t(street.code.clone()),
                t(village.clone()),
                t(draft.category.as_str()),
                t(draft.urgency.as_str()),
                t(draft.channel.as_str()),
                t("submitted"),
                t(serde_json::to_string(&draft)
                    .map_err(|e| invalid(format!("need {need_id}"))(e.to_string()))?),
                ms(filed),
                ms(filed),
                V::NullT,
                V::NullI,
                t("v1"),
                ms(filed),
                requester.map_or(V::NullI, V::I),
                V::NullT,
            ]);

            // The order, opened at intake, then its history up to `until`.
            let kind = if category == "consultation" {
                OrderKind::Consultation
            } else {
                OrderKind::Service
            };
            let mut order = Order::new(
                NewOrder {
                    id: format!("O{need_id}"),
                    need_id: need_id.to_string(),
                    requester_id: requester.map(|r| r.to_string()).unwrap_or_default(),
                    kind,
                    category: category.to_string(),
                    urgent,
                    level: AreaLevel::Street,
                    area_code: street.code.clone(),
                    street_code: street.code.clone(),
                },
                filed,
                Some(filed + Duration::days(if urgent { 1 } else { 7 })),
            );
            order.entered_by = Some(entered_by.to_string());
            let staff = Actor::user(street.staff.to_string(), Role::StationStaff);
            let mut at = filed;
            let mut rated = None;
            let step = |order: &mut Order,
                        event: OrderEvent,
                        actor: Actor,
                        after_s: i64,
                        at: &mut DateTime<Utc>|
             -> Result<bool, SeedError> {
                let when = *at + Duration::seconds(after_s);
                if when >= a.until {
                    return Ok(false);
                }
                order
                    .apply(event, actor, when)
                    .map_err(|e| invalid(format!("order O{need_id}"))(e.to_string()))?;
                *at = when;
                Ok(true)
            };
            step(
                &mut order,
                OrderEvent::Open,
                Actor::system("intake"),
                0,
                &mut at,
            )?;
            // A volunteer of the street, else of the district (tiny test
            // districts may leave a street without one).
            let pool = if street.volunteers.is_empty() {
                &all_volunteers
            } else {
                &street.volunteers
            };
            let taker = pool[rng.usize(..pool.len())];
            let taker_actor = Actor::user(taker.to_string(), Role::Volunteer);
            let fate = rng.u32(0..100);
            let mut going = true;
            if fate < 2 {
                going = false;
                step(
                    &mut order,
                    OrderEvent::Cancel {
                        reason: "【合成】申请人撤回".into(),
                    },
                    staff.clone(),
                    rng.i64(600..7200),
                    &mut at,
                )?;
            } else if kind == OrderKind::Consultation && fate >= 7 {
                going = step(
                    &mut order,
                    OrderEvent::Grab {
                        volunteer: taker.to_string(),
                    },
                    taker_actor.clone(),
                    rng.i64(5..25),
                    &mut at,
                )? && step(
                    &mut order,
                    OrderEvent::Start,
                    taker_actor.clone(),
                    rng.i64(60..3600),
                    &mut at,
                )?;
            } else {
                if kind == OrderKind::Consultation {
                    going = step(
                        &mut order,
                        OrderEvent::Escalate {
                            reason: "nobody grabbed it within 30 s: to the hotline/staff queue"
                                .into(),
                        },
                        Actor::system("grab-window"),
                        30,
                        &mut at,
                    )?;
                }
                going = going
                    && step(
                        &mut order,
                        OrderEvent::Assign {
                            assignee: taker.to_string(),
                        },
                        staff.clone(),
                        rng.i64(300..14_400),
                        &mut at,
                    )?
                    && step(
                        &mut order,
                        OrderEvent::Accept,
                        taker_actor.clone(),
                        rng.i64(300..14_400),
                        &mut at,
                    )?;
            }
            if going
                && step(
                    &mut order,
                    OrderEvent::Resolve {
                        note: "【合成】已解答并给出建议".into(),
                    },
                    taker_actor.clone(),
                    rng.i64(1800..3 * 86_400),
                    &mut at,
                )?
            {
                let resolved = at;
                requests.push(vec![
                    t(order.id.clone()),
                    t(if requester.is_some() { "app" } else { "link" }),
                    t(order.street_code.clone()),
                    ms(resolved),
                    ms(resolved + Duration::days(7)),
                    if requester.is_some() {
                        V::NullT
                    } else {
                        t("sent")
                    },
                    V::NullT,
                ]);
                let rates = rng.u32(0..100) < if requester.is_some() { 75 } else { 50 };
                let when = resolved + Duration::seconds(rng.i64(600..3 * 86_400));
                if rates && when < a.until {
                    let score = *weighted(&mut rng, &[(5u8, 60), (4, 25), (3, 8), (2, 4), (1, 3)]);
                    let actor = match requester {
                        Some(r) => Actor::user(r.to_string(), Role::Resident),
                        None => Actor::system("rating_link"),
                    };
                    let (r, _) = rating::rate(&mut order, score, None, actor, when)
                        .map_err(|e| invalid(format!("rating of {}", order.id))(e.to_string()))?;
                    at = when;
                    rated = Some(r);
                }
                // Staff archive what is a week old.
                if at + Duration::days(7) < a.until {
                    step(
                        &mut order,
                        OrderEvent::Close,
                        staff.clone(),
                        7 * 86_400,
                        &mut at,
                    )?;
                }
            }
            *by_state.entry(order.state.as_str()).or_insert(0usize) += 1;
            // Still worked on past its deadline at `until`: the overdue
            // warning the job raised when the deadline passed, still open.
            if let Some(deadline) = order.deadline.filter(|_| order.is_overdue(a.until)) {
                let raised_at = deadline + Duration::seconds(5);
                for c in evaluate_rules(a.until, std::slice::from_ref(&order), &[], &[], &rules)
                    .into_iter()
                    .filter(|c| c.rule_id == "overdue")
                {
                    let Some(rule) = rules.iter().find(|x| x.id == c.rule_id) else {
                        continue;
                    };
                    let w = Warning::raise("", c, rule, raised_at.min(a.until));
                    warnings.push(vec![
                        t(w.dedup_key.clone()),
                        t(w.rule_id.clone()),
                        t(order.street_code.clone()),
                        t(w.state.as_str()),
                        t(w.level.as_str()),
                        V::I(1),
                        t(serde_json::to_string(&w)
                            .map_err(|e| invalid("a warning")(e.to_string()))?),
                        ms(w.raised_at),
                        ms(w.raised_at),
                        t(order.id.clone()),
                    ]);
                }
            }
            if let Some(r) = rated {
                // A low score raises the warning the job would have raised
                // (the core's rules, at the next tick); staff call back and
                // resolve it within days when there was time.
                let raised_at = r.at + Duration::seconds(5);
                for c in evaluate_rules(
                    raised_at,
                    std::slice::from_ref(&order),
                    std::slice::from_ref(&r),
                    &[],
                    &rules,
                ) {
                    let Some(rule) = rules.iter().find(|x| x.id == c.rule_id) else {
                        continue;
                    };
                    let mut w = Warning::raise("", c, rule, raised_at);
                    let mut version = 1;
                    let mut updated = raised_at;
                    let handled = raised_at + Duration::hours(20);
                    if handled + Duration::days(2) < a.until {
                        let cb_at = handled + Duration::hours(1);
                        let note = "【合成】已回访，申请人表示理解";
                        let w_err = |e: lawcircle_core::orders::warning::WarningError| {
                            invalid(format!("warning on {}", r.order_id))(e.to_string())
                        };
                        w.acknowledge(staff.clone(), handled, None).map_err(w_err)?;
                        w.record_call_back(
                            staff.clone(),
                            CallBack {
                                by: street.staff.to_string(),
                                at: cb_at,
                                reached: true,
                                note: note.into(),
                            },
                        )
                        .map_err(w_err)?;
                        w.resolve(staff.clone(), cb_at + Duration::minutes(5), note)
                            .map_err(w_err)?;
                        version = 4;
                        updated = cb_at + Duration::minutes(5);
                        call_backs.push(vec![
                            t(r.order_id.clone()),
                            V::I(street.staff),
                            ms(cb_at),
                            t("reached"),
                            V::NullI,
                            t(note),
                        ]);
                    }
                    warnings.push(vec![
                        t(w.dedup_key.clone()),
                        t(w.rule_id.clone()),
                        t(order.street_code.clone()),
                        t(w.state.as_str()),
                        t(w.level.as_str()),
                        V::I(version),
                        t(serde_json::to_string(&w)
                            .map_err(|e| invalid("a warning")(e.to_string()))?),
                        ms(raised_at),
                        ms(updated),
                        t(r.order_id.clone()),
                    ]);
                }
                ratings.push(vec![
                    t(r.order_id.clone()),
                    V::I(i64::from(r.score)),
                    t(
                        serde_json::to_string(&r)
                            .map_err(|e| invalid("a rating")(e.to_string()))?,
                    ),
                    ms(r.at),
                    t(if requester.is_some() { "app" } else { "link" }),
                ]);
            }
            orders.push(vec![
                t(order.id.clone()),
                V::I(need_id),
                t(order.kind.as_str()),
                t(order.state.as_str()),
                t(order.level.as_str()),
                t(order.area_code.clone()),
                t(order.street_code.clone()),
                t(order.requester_id.clone()),
                order.assignee.clone().map_or(V::NullT, V::T),
                t(order.category.clone()),
                order.deadline.map_or(V::NullI, ms),
                V::I(order.version as i64),
                t(serde_json::to_string(&order)
                    .map_err(|e| invalid(order.id.clone())(e.to_string()))?),
                ms(order.created_at),
                ms(at),
                // The timing columns the server keeps with each change
                // (whole milliseconds, as the store writes them), so the
                // server does not fill them one row at a time at start.
                order
                    .time_to_claim_s()
                    .map_or(V::NullI, |s| V::I((s * 1000.0).round() as i64)),
                order
                    .resolution_time_s()
                    .map_or(V::NullI, |s| V::I((s * 1000.0).round() as i64)),
                V::I(1),
            ]);
        }
        n_ratings += ratings.len();
        n_warnings += warnings.len();
        let mut tx = conn.begin().await?;
        insert(
            &mut tx,
            pg,
            "needs",
            &[
                "id",
                "client_key",
                "entered_by",
                "entered_by_role",
                "street_code",
                "area_code",
                "category",
                "urgency",
                "channel",
                "status",
                "data",
                "created_at",
                "updated_at",
                "service_code",
                "service_version",
                "consent_notice_version",
                "consent_at",
                "requester_account",
                "tracking_hash",
            ],
            &needs,
            true,
        )
        .await?;
        insert(
            &mut tx,
            pg,
            "orders",
            &[
                "id",
                "need_id",
                "kind",
                "state",
                "level",
                "area_code",
                "street_code",
                "requester_id",
                "assignee",
                "category",
                "deadline",
                "version",
                "data",
                "created_at",
                "updated_at",
                "claim_ms",
                "resolution_ms",
                "timings_known",
            ],
            &orders,
            false,
        )
        .await?;
        insert(
            &mut tx,
            pg,
            "rating_requests",
            &[
                "order_id",
                "channel",
                "street_code",
                "created_at",
                "expires_at",
                "sms_status",
                "sms_detail",
            ],
            &requests,
            false,
        )
        .await?;
        insert(
            &mut tx,
            pg,
            "ratings",
            &["order_id", "score", "data", "at", "channel"],
            &ratings,
            false,
        )
        .await?;
        insert(
            &mut tx,
            pg,
            "warnings",
            &[
                "dedup_key",
                "rule_id",
                "street_code",
                "state",
                "level",
                "version",
                "data",
                "raised_at",
                "updated_at",
                "order_id",
            ],
            &warnings,
            false,
        )
        .await?;
        insert(
            &mut tx,
            pg,
            "call_backs",
            &["order_id", "by_account", "at", "outcome", "score", "note"],
            &call_backs,
            false,
        )
        .await?;
        tx.commit().await?;
        k = end;
    }
    if pg {
        for table in ["accounts", "needs"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .execute(&mut conn)
            .await?;
        }
        // What autovacuum would have done on a database that grew over
        // two years.
        sqlx::query("ANALYZE").execute(&mut conn).await?;
    }
    // The job ran over this history up to `until` (the warnings it raised
    // are above): it reads on from there, as after a restart.
    sqlx::query("INSERT INTO job_marks (name, until_ms) VALUES ($1, $2)")
        .bind(lawcircle_server::jobs::READ_MARK)
        .bind(a.until.timestamp_millis())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // The rows went in directly: the indicator counters the server keeps
    // with each change are recomputed from them once.
    let store = lawcircle_server::store::Store::open(&a.url).await?;
    store.rebuild_indicator_counters().await?;
    store.close().await;
    Ok(json!({
        "accounts": next_account,
        "volunteers": a.volunteers,
        "residents": a.residents,
        "first_resident": first_resident,
        "orders": a.orders,
        "orders_by_state": by_state,
        "ratings": n_ratings,
        "warnings": n_warnings,
        "punches": total_punches,
        "password": PASSWORD,
    })
    .to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-district: {e}");
            ExitCode::FAILURE
        }
    }
}
