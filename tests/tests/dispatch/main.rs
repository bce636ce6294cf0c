//! Dispatch as a district runs it, end to end on SQLite and PostgreSQL:
//! offers go to volunteers clocked in at a duty post near the need (by
//! walking distance on the loaded network), with the specialty taxonomy;
//! suggestions carry each factor and its reason; a transfer moves the
//! order into the receiving street's lists, live events and indicators;
//! spot checks cover every street, come from a fresh random seed each
//! time, re-check from their stored record and stay in the caller's
//! street; an application's deadline is its type's and Open311 says the
//! same.

use lawcircle_e2e::people::{
    self, OTHER_STREET, OTHER_VILLAGE, PW, STREET, VILLAGE, clock_in, clock_out, test_account,
};
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The need's place: the demo village's representative point.
const NEED_LAT: f64 = 27.931853;
const NEED_LNG: f64 = 120.82023;
/// Metres per degree of latitude.
const M_PER_DEG_LAT: f64 = 111_195.0;

struct World {
    server: Server,
    admin: Client,
    staff: Client,
    resident: Client,
    _storage: Storage,
    _dir: tempfile::TempDir,
}

/// A synthetic walking network over the demo district (a 250 m grid).
fn grid_network(dir: &Path) -> PathBuf {
    let out = dir.join("grid.lcwn");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_grid-network"))
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

async fn world(backend: &Backend, extra: &[&str], network: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let net = network.then(|| grid_network(dir.path()).display().to_string());
    let mut args = vec!["--demo", "--jobs-interval-ms", "200"];
    if let Some(net) = &net {
        args.extend_from_slice(&["--walking-network", net]);
    }
    args.extend_from_slice(extra);
    let server = Server::start(&storage, &args);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    test_account(&admin, "staff", "station_staff", STREET).await;
    test_account(&admin, "resident", "resident", STREET).await;
    World {
        staff: Client::login(&server, "staff", PW).await,
        resident: Client::login(&server, "resident", PW).await,
        admin,
        server,
        _storage: storage,
        _dir: dir,
    }
}

/// A volunteer of `street` approved into the pool (not clocked in).
async fn volunteer(w: &World, name: &str, street: &str, specialties: &[&str]) -> (Client, i64) {
    let id = test_account(&w.admin, name, "resident", street).await;
    let c = Client::login(&w.server, name, PW).await;
    people::join_pool(&c, &w.admin, name, street, specialties, "Mo-Fr 09:00-17:00")
        .await
        .unwrap();
    (c, id)
}

fn need(
    category: &str,
    village: &str,
    point: Option<(f64, f64)>,
    specialty: Option<&str>,
) -> Value {
    let mut location = json!({"address": "示例社区", "area_code": village});
    if let Some((lat, lng)) = point {
        location["point"] = json!({"lat": lat, "lng": lng, "datum": "wgs84"});
    }
    let mut n = json!({
        "requester": {"name": "李四", "phone": "13812345678"},
        "category": category,
        "description": "公司拖欠三个月工资，想咨询如何维权",
        "urgency": "normal",
        "location": location,
        "channel": "online",
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}
    });
    if let Some(s) = specialty {
        n["specialty"] = json!(s);
    }
    n
}

async fn offered(c: &Client, order: &str) -> bool {
    let r = c.get("/api/v1/orders/offers").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.as_array().unwrap().iter().any(|o| o["id"] == order)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn offers_go_to_the_volunteer_clocked_in_near_the_need() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &["--grab-window-secs", "3600"], true).await;
        // Two posts of the street on the meridian of the need: 400 m and
        // 3 km north of it.
        let near_lat = NEED_LAT + 400.0 / M_PER_DEG_LAT;
        let far_lat = NEED_LAT + 3000.0 / M_PER_DEG_LAT;
        let csv = format!(
            "id,name,type,street_code,lat,lng,datum,radius_m,hotline,facility_id,shifts,retired\n\
             T-NEAR,近岗,station,{STREET},{near_lat},{NEED_LNG},wgs84,100,,,24/7,false\n\
             T-FAR,远岗,station,{STREET},{far_lat},{NEED_LNG},wgs84,100,,,24/7,false\n"
        );
        let r = w
            .admin
            .post_raw(
                "/api/v1/imports/duty_posts?format=csv",
                "text/csv",
                csv.into_bytes(),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);

        let (near, near_id) = volunteer(&w, "near", STREET, &["劳动争议"]).await;
        let (far, far_id) = volunteer(&w, "far", STREET, &["labour"]).await;
        let (idle, idle_id) = volunteer(&w, "idle", STREET, &["劳动争议"]).await;
        let (family, _) = volunteer(&w, "family", STREET, &["婚姻家庭"]).await;
        clock_in(&near, &near_id.to_string(), "T-NEAR", near_lat, NEED_LNG)
            .await
            .unwrap();
        clock_in(&far, &far_id.to_string(), "T-FAR", far_lat, NEED_LNG)
            .await
            .unwrap();
        let family_id = family.get("/api/v1/me").await.body["id"].to_string();
        clock_in(&family, &family_id, "T-NEAR", near_lat, NEED_LNG)
            .await
            .unwrap();

        let order = w
            .resident
            .submit_need(&need(
                "consultation",
                VILLAGE,
                Some((NEED_LAT, NEED_LNG)),
                Some("劳动争议"),
            ))
            .await;
        let o = w.staff.get(&format!("/api/v1/orders/{order}")).await.body;
        assert_eq!(o["specialty"], "labour", "{name}: {o}");
        assert_eq!(o["place"]["lat"], NEED_LAT, "staff see the need's place");
        // Offered to the one clocked in 400 m away only: not 3 km away, not
        // without a clock-in, not without the specialty.
        assert!(offered(&near, &order).await, "{name}: near");
        assert!(!offered(&far, &order).await, "{name}: 3 km away");
        assert!(!offered(&idle, &order).await, "{name}: not clocked in");
        assert!(!offered(&family, &order).await, "{name}: other specialty");
        // An offer shows the area, not the exact place (someone's home).
        let offers = near.get("/api/v1/orders/offers").await.body;
        let offer = offers
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == order.as_str())
            .unwrap();
        assert!(offer.get("place").is_none(), "{name}: {offer}");
        assert_eq!(offer["area_code"], STREET);

        // Suggestions: the real distances, each factor with its reason.
        let r = w
            .staff
            .get(&format!("/api/v1/orders/{order}/suggestions"))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let list = r.body.as_array().unwrap();
        let of = |id: i64| {
            let want = id.to_string();
            list.iter()
                .find(|s| s["candidate_id"] == want.as_str())
                .unwrap_or_else(|| panic!("{id} in {list:?}"))
        };
        assert_eq!(list[0]["candidate_id"], near_id.to_string(), "{list:?}");
        let n = of(near_id);
        assert_eq!(n["distance"]["measure"], "known");
        assert_eq!(n["distance"]["basis"]["basis"], "walking", "{n}");
        let metres = n["distance"]["metres"].as_f64().unwrap();
        assert!((390.0..=800.0).contains(&metres), "{name}: {metres}");
        assert_eq!(n["ineligible"], json!([]));
        assert_eq!(n["on_duty"]["post_id"], "T-NEAR");
        let factors = n["factors"].as_array().unwrap();
        let kinds: Vec<&str> = factors
            .iter()
            .map(|f| f["factor"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["specialty", "distance", "load", "rating", "stars"],
            "{n}"
        );
        assert_eq!(factors[0]["reason_zh"], "专长匹配：劳动争议");
        assert!(
            factors[1]["reason_zh"].as_str().unwrap().contains("步行"),
            "{n}"
        );
        let f = of(far_id);
        assert!(f["distance"]["metres"].as_f64().unwrap() >= 2990.0, "{f}");
        assert_eq!(f["ineligible"], json!(["too_far"]));
        let i = of(idle_id);
        assert!(i.get("distance").is_none(), "{i}");
        assert_eq!(i["ineligible"], json!(["off_duty"]));
        assert_eq!(i["factors"][1]["points"], 0.0);

        // Grabbing follows the same rule.
        for c in [&far, &idle, &family] {
            let r = c
                .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
                .await;
            assert_eq!(r.status, 403, "{name}: {:?}", r.body);
        }
        let r = near
            .post(&format!("/api/v1/orders/{order}/grab"), &json!({}))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);

        // Clocked out, nothing more is offered.
        clock_out(&near, &near_id.to_string(), "T-NEAR", near_lat, NEED_LNG)
            .await
            .unwrap();
        let next = w
            .resident
            .submit_need(&need(
                "consultation",
                VILLAGE,
                Some((NEED_LAT, NEED_LNG)),
                None,
            ))
            .await;
        assert!(!offered(&near, &next).await, "{name}: clocked out");
        w.server.stop();
    }
}

#[tokio::test]
async fn specialties_are_one_taxonomy_chosen_from_a_list() {
    let backend = backends().remove(0);
    let w = world(&backend, &[], false).await;
    let public = Client::new(&w.server);
    let r = public.get("/api/v1/specialties").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let labour = r.body["specialties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "labour")
        .cloned()
        .unwrap();
    assert_eq!(labour["name_zh"], "劳动争议");
    assert_eq!(labour["name_en"], "Labour disputes");
    let admin_rec = r.body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "administrative_reconsideration")
        .cloned()
        .unwrap();
    assert_eq!(admin_rec["specialties"], json!(["administrative"]));

    // Free text is refused, names become codes.
    let id = test_account(&w.admin, "vol1", "resident", STREET).await;
    let c = Client::login(&w.server, "vol1", PW).await;
    let apply = |specialties: Value| {
        json!({"name": "王律师", "phone": "13912345678", "profession": "lawyer",
               "service_directions": ["lawyer"], "specialties": specialties,
               "home_street_code": STREET, "availability": "24/7"})
    };
    let r = c
        .post("/api/v1/volunteers", &apply(json!(["会打官司"])))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body["error"]["field"], "specialties");
    let r = c
        .post(
            "/api/v1/volunteers",
            &apply(json!(["劳动争议", "Contract disputes"])),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.body["volunteer"]["profile"]["specialties"],
        json!(["labour", "contract"])
    );
    let vid = r.body["id"].as_str().unwrap().to_string();
    // The volunteer changes them; another volunteer may not.
    let r2 = c
        .put(
            &format!("/api/v1/volunteers/{vid}/specialties"),
            &json!({"specialties": ["婚姻家庭", "综合"], "version": r.body["version"]}),
        )
        .await;
    assert_eq!(r2.status, 200, "{:?}", r2.body);
    assert_eq!(
        r2.body["volunteer"]["profile"]["specialties"],
        json!(["marriage_family", "general"])
    );
    let r3 = c
        .put(
            &format!("/api/v1/volunteers/{vid}/specialties"),
            &json!({"specialties": ["labour"], "version": r.body["version"]}),
        )
        .await;
    assert_eq!(r3.status, 409, "a stale version: {:?}", r3.body);
    test_account(&w.admin, "vol2", "volunteer", STREET).await;
    let other = Client::login(&w.server, "vol2", PW).await;
    let r4 = other
        .put(
            &format!("/api/v1/volunteers/{vid}/specialties"),
            &json!({"specialties": ["labour"], "version": r2.body["version"]}),
        )
        .await;
    assert_eq!(r4.status, 403, "{:?}", r4.body);
    // A need names its subject from the same list.
    let mut bad = need("consultation", VILLAGE, None, Some("什么都管"));
    bad["specialty"] = json!("什么都管");
    let r = w.resident.post_need(&bad).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body["error"]["field"], "specialty");
    let _ = id;
    w.server.stop();
}

/// Reads server-sent events of `c` until an `order` event about `order`
/// arrives; returns its data.
async fn next_order_event(mut resp: reqwest::Response, order: &str) -> Value {
    let mut buf = String::new();
    loop {
        let chunk = tokio::time::timeout(Duration::from_secs(20), resp.chunk())
            .await
            .expect("an event within 20 s")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(i) = buf.find("\n\n") {
            let block: String = buf.drain(..i + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .collect();
            if let Ok(v) = serde_json::from_str::<Value>(&data)
                && v["order_id"] == order
            {
                return v;
            }
        }
    }
}

async fn event_stream(c: &Client) -> reqwest::Response {
    let resp = c
        .http
        .get(format!("{}/api/v1/events", c.base))
        .bearer_auth(c.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

#[tokio::test]
async fn a_transfer_moves_the_order_to_the_receiving_street() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &["--test-clock"], false).await;
        test_account(&w.admin, "staff2", "station_staff", OTHER_STREET).await;
        let order = w
            .resident
            .submit_need(&need("mediation", VILLAGE, None, None))
            .await;
        // Left unresolved past its deadline: the old street gets an overdue
        // warning first (the clock moves; sessions expire, so sign in anew).
        w.admin
            .post("/api/v1/test/clock", &json!({"seconds": 20 * 24 * 3600}))
            .await;
        let staff = Client::login(&w.server, "staff", PW).await;
        let staff2 = Client::login(&w.server, "staff2", PW).await;
        let admin = Client::login(&w.server, "admin", PW).await;
        let overdue_warning = |list: &Value| {
            list.as_array()
                .unwrap()
                .iter()
                .any(|x| x["rule_id"] == "overdue" && x["subject"]["order_id"] == order.as_str())
        };
        let mut raised = false;
        for _ in 0..100 {
            raised = overdue_warning(&staff.get("/api/v1/warnings").await.body);
            if raised {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(raised, "{name}: the overdue warning");
        assert!(ids(&staff.get("/api/v1/orders").await.body).contains(&order));
        assert!(!ids(&staff2.get("/api/v1/orders").await.body).contains(&order));

        let old_board = event_stream(&staff).await;
        let new_board = event_stream(&staff2).await;
        let o = staff.get(&format!("/api/v1/orders/{order}")).await.body;
        let r = staff
            .post(
                &format!("/api/v1/orders/{order}/events"),
                &json!({"event": {"event": "transfer", "to_level": "village", "to_area": OTHER_VILLAGE,
                                  "reason": "当事人住所在蒲州街道"}, "version": o["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(r.body["street_code"], OTHER_STREET);

        // Lists: gone from the old street's, in the new street's.
        assert!(
            !ids(&staff.get("/api/v1/orders").await.body).contains(&order),
            "{name}: the old street still lists it"
        );
        assert!(
            ids(&staff2.get("/api/v1/orders").await.body).contains(&order),
            "{name}: the new street does not list it"
        );
        let waiting = staff2.get("/api/v1/orders?state=transferred").await.body;
        assert!(ids(&waiting).contains(&order), "{name}: {waiting}");
        assert_eq!(
            staff.get(&format!("/api/v1/orders/{order}")).await.status,
            404
        );
        // Its history moved with it.
        let moved = staff2.get(&format!("/api/v1/orders/{order}")).await.body;
        let events: Vec<&str> = moved["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["event"]["event"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["open", "transfer"], "{name}: {moved}");
        // The boards: the new street is told, the old one too (to drop it).
        let told = next_order_event(new_board, &order).await;
        assert_eq!(told["street_code"], OTHER_STREET);
        let dropped = next_order_event(old_board, &order).await;
        assert_eq!(dropped["from_street_code"], STREET, "{dropped}");
        // Its open warning is the receiving street's to handle now.
        assert!(
            overdue_warning(&staff2.get("/api/v1/warnings").await.body),
            "{name}: the warning moved: {}",
            admin.get("/api/v1/warnings").await.body
        );
        assert!(
            !overdue_warning(&staff.get("/api/v1/warnings").await.body),
            "{name}: the old street still has the warning"
        );
        // The receiving street dispatches it.
        let r = staff2
            .get(&format!("/api/v1/orders/{order}/suggestions"))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);

        // Indicators count it where it is now: overdue in the new street.
        let year = chrono::Utc::now().format("%Y");
        let report = admin.get(&format!("/api/v1/indicators?year={year}")).await;
        assert_eq!(report.status, 200, "{name}: {:?}", report.body);
        let report = report.body;
        let overdue = |street: &str| {
            report["streets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["code"] == street)
                .and_then(|s| {
                    s["indicators"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["name"] == "overdue_count")
                        .map(|i| i["value"].as_f64().unwrap_or(0.0))
                })
                .unwrap_or(0.0)
        };
        assert_eq!(overdue(OTHER_STREET), 1.0, "{name}: {report}");
        assert_eq!(overdue(STREET), 0.0, "{name}: {report}");
        w.server.stop();
    }
}

mod spot_checks;
