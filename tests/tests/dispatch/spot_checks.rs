//! Spot checks, deadlines of application types, and specialties from before the taxonomy.

use super::*;

/// Makes `n` service orders of `village`, each assigned by `staff` to
/// `vol`, accepted and resolved.
async fn resolved_orders(
    w: &World,
    staff: &Client,
    vol: (&Client, i64),
    village: &str,
    n: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        let order = w
            .resident
            .submit_need(&need("mediation", village, None, None))
            .await;
        let o = staff.get(&format!("/api/v1/orders/{order}")).await.body;
        let assigned = staff
            .order_events(
                &order,
                &o["version"],
                &[json!({"event": "assign", "assignee": vol.1.to_string()})],
            )
            .await;
        vol.0
            .order_events(
                &order,
                &assigned["version"],
                &[
                    json!({"event": "accept"}),
                    json!({"event": "resolve", "note": "已调解"}),
                ],
            )
            .await;
        out.push(order);
    }
    out
}

/// The spot-check messages on `c`'s notification list.
async fn spot_checked(c: &Client) -> Vec<Value> {
    let r = c.get("/api/v1/notifications").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "spot_checked")
        .cloned()
        .collect()
}

fn sample_of<'a>(draw: &'a Value, street: &str) -> Vec<&'a str> {
    draw["samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["street_code"] == street)
        .flat_map(|s| s["order_ids"].as_array().unwrap().iter())
        .map(|id| id.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn spot_checks_cover_every_street_unpredictably_within_the_callers_street() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &[], false).await;
        test_account(&w.admin, "staff2", "station_staff", OTHER_STREET).await;
        let staff2 = Client::login(&w.server, "staff2", PW).await;
        let (vol, vol_id) = volunteer(&w, "med1", STREET, &["邻里纠纷"]).await;
        let (vol2, vol2_id) = volunteer(&w, "med2", OTHER_STREET, &["邻里纠纷"]).await;
        let here = resolved_orders(&w, &w.staff, (&vol, vol_id), VILLAGE, 21).await;
        let there = resolved_orders(&w, &staff2, (&vol2, vol2_id), OTHER_VILLAGE, 3).await;

        // Station staff draw their own street only: ceil(21 × 5%) = 2.
        let r = w.staff.post("/api/v1/spot-checks/draw", &json!({})).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let first = r.body["draw"].clone();
        assert_eq!(first["street_code"], STREET);
        assert_eq!(first["reproduces"], true);
        assert_eq!(sample_of(&first, STREET).len(), 2, "{first}");
        assert!(
            sample_of(&first, STREET)
                .iter()
                .all(|id| here.iter().any(|h| h == id))
        );
        assert!(sample_of(&first, OTHER_STREET).is_empty());
        assert!(
            r.body["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["street_code"] == STREET),
            "{name}: {:?}",
            r.body
        );
        let r = w
            .staff
            .post(
                &format!("/api/v1/spot-checks/draw?street={OTHER_STREET}"),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 403, "{name}: another street's draw: {:?}", r.body);

        // The district draws every street, at least 5% of each, one at
        // least; a second draw with the same inputs has its own seed.
        let a = w.admin.post("/api/v1/spot-checks/draw", &json!({})).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.body);
        let b = w.admin.post("/api/v1/spot-checks/draw", &json!({})).await;
        assert_eq!(b.status, 200, "{name}: {:?}", b.body);
        for d in [&a.body["draw"], &b.body["draw"]] {
            assert!(sample_of(d, STREET).len() * 100 >= 21 * 5, "{d}");
            assert_eq!(sample_of(d, OTHER_STREET).len(), 1, "{d}");
            assert!(there.iter().any(|t| t == sample_of(d, OTHER_STREET)[0]));
            assert_eq!(
                d["drawn_by"],
                w.admin.get("/api/v1/me").await.body["id"].to_string()
            );
            let population: usize = d["population"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["order_ids"].as_array().unwrap().len())
                .sum();
            assert_eq!(population, 24);
        }
        let (sa, sb) = (
            a.body["draw"]["seed_hex"].as_str().unwrap(),
            b.body["draw"]["seed_hex"].as_str().unwrap(),
        );
        assert_eq!(sa.len(), 64);
        assert_ne!(sa, sb, "{name}: a fresh seed per draw");
        assert_ne!(
            first["seed_hex"].as_str().unwrap(),
            sa,
            "{name}: a fresh seed per draw"
        );
        // Every stored draw re-checks from its record.
        let draws = w.admin.get("/api/v1/spot-checks/draws").await;
        assert_eq!(draws.status, 200, "{name}: {:?}", draws.body);
        let draws = draws.body.as_array().unwrap();
        assert_eq!(draws.len(), 3);
        assert!(draws.iter().all(|d| d["reproduces"] == true));
        // Staff see their street's draws and their part of the district's.
        let mine = w.staff.get("/api/v1/spot-checks/draws").await.body;
        for d in mine.as_array().unwrap() {
            assert!(sample_of(d, OTHER_STREET).is_empty(), "{d}");
        }

        // Reviews: staff of one street cannot write a verdict on another's.
        let other_order = sample_of(&a.body["draw"], OTHER_STREET)[0].to_string();
        let week = a.body["draw"]["week"].clone();
        let week = format!("{}-W{:02}", week["year"], week["week"].as_u64().unwrap());
        let verdict = json!({"outcome": "needs_improvement", "note": "回访记录不全", "week": week});
        let r = w
            .staff
            .post(&format!("/api/v1/spot-checks/{other_order}"), &verdict)
            .await;
        assert_eq!(r.status, 404, "{name}: {:?}", r.body);
        assert!(
            spot_checked(&vol2).await.is_empty(),
            "{name}: a refused review tells no one"
        );
        let r = staff2
            .post(&format!("/api/v1/spot-checks/{other_order}"), &verdict)
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        // Whoever handled the order is told it was reviewed (not the
        // verdict's note), in the review's transaction.
        let told = spot_checked(&vol2).await;
        assert_eq!(told.len(), 1, "{name}: {told:?}");
        assert_eq!(told[0]["order_id"], other_order.as_str());
        assert!(!told[0].to_string().contains("回访记录不全"), "{told:?}");
        assert!(
            spot_checked(&vol).await.is_empty(),
            "{name}: only the handler"
        );
        let mine = sample_of(&first, STREET)[0].to_string();
        let r = w
            .staff
            .post(
                &format!("/api/v1/spot-checks/{mine}"),
                &json!({"outcome": "satisfactory", "week": week}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);

        // Results per street, in the caller's scope.
        let res = w.staff.get("/api/v1/spot-checks").await.body;
        let streets = res["streets"].as_array().unwrap();
        assert_eq!(streets.len(), 1, "{res}");
        assert_eq!(streets[0]["street_code"], STREET);
        assert_eq!(streets[0]["resolved"], 21);
        assert!(streets[0]["sampled_percent"].as_f64().unwrap() >= 5.0);
        assert_eq!(streets[0]["satisfactory"], 1);
        let all = w.admin.get("/api/v1/spot-checks").await.body;
        let other = all["streets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["street_code"] == OTHER_STREET)
            .cloned()
            .unwrap();
        assert_eq!(
            (
                other["resolved"].clone(),
                other["needs_improvement"].clone()
            ),
            (json!(3), json!(1))
        );
        w.server.stop();
    }
}

/// Every page of `path` (which has a query) with `limit`, the page's list
/// under `list` (`items`, or `checks` for the week's spot checks), drawing
/// anew after each page.
async fn walk_drawing(w: &World, path: &str, list: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("{path}&limit={limit}");
    loop {
        let r = w.admin.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        let items = r.body[list].as_array().unwrap();
        assert!(items.len() <= limit, "{:?}", r.body);
        out.extend(items.iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(next) => url = format!("{path}&limit={limit}&cursor={next}"),
            None => return out,
        }
        let d = w.admin.post("/api/v1/spot-checks/draw", &json!({})).await;
        assert_eq!(d.status, 200, "{:?}", d.body);
    }
}

/// `seen` (read a page at a time while rows arrived) holds every row of
/// `before` exactly once, nothing twice, and in the order of `after` (the
/// whole list read at the end).
fn each_once_in_order(before: &[String], seen: &[String], after: &[String], what: &str) {
    for id in before {
        assert_eq!(
            seen.iter().filter(|s| *s == id).count(),
            1,
            "{what}: {id} not exactly once in {seen:?}"
        );
    }
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| after.iter().position(|a| a == s).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "{what}: {seen:?} not in the order of {after:?}"
    );
}

#[tokio::test]
async fn spot_checks_and_draws_come_in_pages_while_draws_go_on() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &[], false).await;
        let (vol, vol_id) = volunteer(&w, "med1", STREET, &["邻里纠纷"]).await;
        resolved_orders(&w, &w.staff, (&vol, vol_id), VILLAGE, 10).await;
        // Draw until at least four orders are sampled (one a draw).
        let mut draws = 0;
        loop {
            let r = w.admin.post("/api/v1/spot-checks/draw", &json!({})).await;
            assert_eq!(r.status, 200, "{name}: {:?}", r.body);
            draws += 1;
            if r.body["checks"].as_array().unwrap().len() >= 4 {
                break;
            }
            assert!(draws < 60, "{name}: {:?}", r.body);
        }
        let week_of = |b: &Value| b["week"].as_str().unwrap().to_string();
        let all = w.admin.get("/api/v1/spot-checks").await.body;
        let week = week_of(&all);
        let order_ids = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|c| c["order_id"].as_str().unwrap().to_string())
                .collect()
        };
        let draw_ids = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_string())
                .collect()
        };

        // The week's sampled orders, one a page, a draw after each page.
        let before = order_ids(&all["checks"]);
        let path = format!("/api/v1/spot-checks?week={week}");
        let seen = walk_drawing(&w, &path, "checks", 1).await;
        let seen = order_ids(&Value::Array(seen));
        let after = order_ids(&w.admin.get("/api/v1/spot-checks").await.body["checks"]);
        each_once_in_order(&before, &seen, &after, name);
        let mut sorted = after.clone();
        sorted.sort();
        assert_eq!(after, sorted, "{name}: by order id");

        // The week's draws, two a page, a draw after each page: the new
        // ones come after the cursor (oldest first) and are read too.
        let before = draw_ids(&w.admin.get("/api/v1/spot-checks/draws").await.body);
        assert!(before.len() > 2, "{name}");
        let path = format!("/api/v1/spot-checks/draws?week={week}");
        let seen = walk_drawing(&w, &path, "items", 2).await;
        let seen = draw_ids(&Value::Array(seen));
        let after = draw_ids(&w.admin.get("/api/v1/spot-checks/draws").await.body);
        each_once_in_order(&before, &seen, &after, name);
        assert!(seen.len() > before.len(), "{name}: later draws read too");
        // Staff page through their street's.
        let r = w.staff.get("/api/v1/spot-checks/draws?limit=1").await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{name}");
        assert!(r.body["next_cursor"].is_string(), "{name}");

        // Bad limits and cursors, naming the field.
        for path in ["/api/v1/spot-checks", "/api/v1/spot-checks/draws"] {
            for (query, field) in [
                ("limit=0", "limit"),
                ("limit=501", "limit"),
                ("cursor=%21%21", "cursor"),
                ("cursor=bm90IGpzb24", "cursor"),
            ] {
                let r = w.admin.get(&format!("{path}?{query}")).await;
                assert_eq!(r.status, 400, "{name}: {path}?{query}: {:?}", r.body);
                assert_eq!(r.body["error"]["field"], field, "{name}: {path}?{query}");
            }
        }
        w.server.stop();
    }
}

#[tokio::test]
async fn an_applications_deadline_is_its_types_and_open311_agrees() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &[], false).await;
        // A version of mediation due in 12 calendar days (the default for
        // orders without a type is 5 working days).
        let mut v2 = Client::new(&w.server)
            .get("/api/v1/services/mediation")
            .await
            .body;
        v2["deadline"] = json!({"days": 12, "kind": "calendar", "basis": "本地服务承诺（测试）"});
        let r = w.admin.post("/api/v1/services", &v2).await;
        assert_eq!(r.status, 201, "{name}: {:?}", r.body);
        let version = r.body["version"].clone();
        let mut body = need("mediation", VILLAGE, None, None);
        body["application"] = json!({"service_code": "mediation", "service_version": version, "answers": {
            "dispute_type": {"choice": "neighbour"},
            "other_party": {"text": "王五"},
            "facts": {"text": "楼上装修噪音持续三个月，协商未果。"},
            "claim": {"text": "停止夜间施工"}
        }});
        let order = w.resident.submit_need(&body).await;
        let o = w.staff.get(&format!("/api/v1/orders/{order}")).await.body;
        let deadline: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(o["deadline"].clone()).unwrap();
        let created: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(o["created_at"].clone()).unwrap();
        let off = (deadline - created).num_milliseconds() - 12 * 24 * 3600 * 1000;
        assert!(off.abs() < 1000, "{name}: the type's deadline: {o}");
        let r = Client::new(&w.server)
            .get(&format!("/open311/v2/requests/{order}.json"))
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let expected =
            chrono::DateTime::parse_from_rfc3339(r.body[0]["expected_datetime"].as_str().unwrap())
                .unwrap();
        assert_eq!(
            deadline.timestamp(),
            expected.timestamp(),
            "{name}: the order and Open311 agree"
        );
        w.server.stop();
    }
}

#[tokio::test]
async fn free_text_specialties_from_before_the_taxonomy_become_codes_at_start() {
    for backend in backends() {
        let name = backend.name();
        let w = world(&backend, &[], false).await;
        let (_, account_id) = volunteer(&w, "veteran", STREET, &["劳动争议"]).await;
        let list = w.admin.get("/api/v1/volunteers?state=active").await.body;
        let vid = list
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["account_id"] == account_id)
            .map(|v| v["id"].as_str().unwrap().to_string())
            .unwrap();
        let storage = w._storage.clone();
        w.server.stop();
        // The record as an older server wrote it: free text.
        let store = match &storage.database_url {
            Some(url) => lawcircle_server::store::Store::open(url).await,
            None => {
                lawcircle_server::store::Store::open_sqlite(
                    &storage.data_dir.join("lawcircle.sqlite"),
                )
                .await
            }
        }
        .unwrap();
        let stored = store.volunteer(&vid).await.unwrap().unwrap();
        let mut old = stored.volunteer.clone();
        old.profile.specialties = vec!["劳动纠纷".into(), "离婚案件".into(), "会打官司".into()];
        store
            .update_volunteer(&stored, &old, chrono::Utc::now())
            .await
            .unwrap();
        store.close().await;

        let server = Server::start(&storage, &["--demo"]);
        let admin = Client::login(&server, "admin", PW).await;
        let v = admin.get(&format!("/api/v1/volunteers/{vid}")).await.body;
        let profile = &v["volunteer"]["profile"];
        assert_eq!(
            profile["specialties"],
            json!(["labour", "marriage_family"]),
            "{name}: {v}"
        );
        assert_eq!(profile["unmatched_specialties"], json!(["会打官司"]));
        server.stop();
    }
}
