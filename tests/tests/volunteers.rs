//! The volunteer pool through the API, on SQLite and PostgreSQL: apply,
//! review by the home street's staff, suspension, exit, loans, teams, with
//! every transition recorded and illegal ones refused.

use lawcircle_e2e::people::PW;
use lawcircle_e2e::{Backend, Client, Server, Storage, backends, cli_create_account};
use serde_json::{Value, json};

async fn account(admin: &Client, username: &str, role: &str, street: &str) {
    let r = admin
        .post(
            "/api/v1/accounts",
            &json!({"username": username, "display_name": username, "role": role,
                    "street_code": street, "password": PW}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

fn application(street: &str) -> Value {
    json!({"name": "王小明", "phone": "139 1234 5678", "profession": "mediator",
           "service_directions": ["mediation", "legal_education"],
           "specialties": ["婚姻家庭", "邻里纠纷"], "home_street_code": street,
           "availability": "Sa-Su 09:00-12:00"})
}

async fn act(
    c: &Client,
    id: &str,
    action: Value,
    reason: Option<&str>,
    version: i64,
) -> (u16, Value) {
    let r = c
        .post(
            &format!("/api/v1/volunteers/{id}/actions"),
            &json!({"action": action, "reason": reason, "version": version}),
        )
        .await;
    (r.status, r.body)
}

async fn lifecycle(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    account(&admin, "staff-a", "station_staff", "330303001").await;
    account(&admin, "staff-b", "station_staff", "330303002").await;
    account(&admin, "res", "resident", "330303001").await;
    let staff_a = Client::login(&server, "staff-a", PW).await;
    let staff_b = Client::login(&server, "staff-b", PW).await;
    let res = Client::login(&server, "res", PW).await;

    // Bad applications name the field.
    let mut bad = application("330303001");
    bad["phone"] = json!("12345");
    assert_eq!(
        res.post("/api/v1/volunteers", &bad).await.body["error"]["field"],
        "phone"
    );
    let mut bad = application("330303999");
    bad["availability"] = json!("Sa-Su 09:00-12:00");
    assert_eq!(
        res.post("/api/v1/volunteers", &bad).await.body["error"]["field"],
        "home_street_code"
    );

    let r = res
        .post("/api/v1/volunteers", &application("330303001"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["volunteer"]["state"], "applied");
    // One open application at a time.
    assert_eq!(
        res.post("/api/v1/volunteers", &application("330303001"))
            .await
            .status,
        409
    );

    // Staff of another street neither see nor review it.
    let r = staff_b.get("/api/v1/volunteers?state=applied").await;
    assert!(r.body.as_array().unwrap().is_empty());
    let (s, _) = act(&staff_b, &id, json!({"action": "approve"}), None, 1).await;
    assert_eq!(s, 404);
    // The home street's staff see it, phone masked.
    let r = staff_a.get("/api/v1/volunteers?state=applied").await;
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["volunteer"]["profile"]["phone"], "139****5678");
    // The applicant cannot approve themself.
    let (s, _) = act(&res, &id, json!({"action": "approve"}), None, 1).await;
    assert_eq!(s, 403);
    // A rejection needs a reason.
    let (s, b) = act(&staff_a, &id, json!({"action": "reject"}), None, 1).await;
    assert_eq!((s, b["error"]["field"].as_str()), (400, Some("reason")));
    // Approve; a stale version is refused.
    let (s, b) = act(&staff_a, &id, json!({"action": "approve"}), None, 1).await;
    assert_eq!(s, 200, "{b:?}");
    assert_eq!(b["volunteer"]["state"], "active");
    let (s, _) = act(&staff_a, &id, json!({"action": "suspend"}), Some("x"), 1).await;
    assert_eq!(s, 409, "stale version");
    // The resident account became a volunteer account.
    assert_eq!(res.get("/api/v1/me").await.body["role"], "volunteer");

    // Suspend, reinstate, then a loan by the district admin only.
    let (s, _) = act(
        &staff_a,
        &id,
        json!({"action": "suspend"}),
        Some("连续缺勤"),
        2,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = act(
        &staff_a,
        &id,
        json!({"action": "reinstate"}),
        Some("已说明情况"),
        3,
    )
    .await;
    assert_eq!(s, 200);
    let loan = json!({"to_street_code": "330303002", "from": "2030-01-01T00:00:00Z",
                      "until": "2030-02-01T00:00:00Z", "reason": "支援蒲州调解", "version": 4});
    let r = staff_a
        .post(&format!("/api/v1/volunteers/{id}/loans"), &loan)
        .await;
    assert_eq!(r.status, 403);
    let r = admin
        .post(&format!("/api/v1/volunteers/{id}/loans"), &loan)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["volunteer"]["loans"].as_array().unwrap().len(), 1);
    // A loan in force ends early when the admin returns the volunteer home.
    let now = chrono::Utc::now();
    let current = json!({"to_street_code": "330303002",
                         "from": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                         "until": (now + chrono::Duration::days(1)).to_rfc3339(),
                         "reason": "临时支援", "version": 5});
    let r = admin
        .post(&format!("/api/v1/volunteers/{id}/loans"), &current)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let give_back = |reason: &str, version: i64| json!({"reason": reason, "version": version});
    let r = staff_a
        .post(
            &format!("/api/v1/volunteers/{id}/loans/return"),
            &give_back("本街道需要", 6),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = admin
        .post(
            &format!("/api/v1/volunteers/{id}/loans/return"),
            &give_back(" ", 6),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body["error"]["field"], "reason");
    let r = admin
        .post(
            &format!("/api/v1/volunteers/{id}/loans/return"),
            &give_back("本街道需要", 6),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let returned = &r.body["volunteer"]["loans"][1];
    assert_eq!(returned["returned"]["reason"], "本街道需要", "{returned}");
    let until = chrono::DateTime::parse_from_rfc3339(returned["until"].as_str().unwrap()).unwrap();
    assert!(until <= chrono::Utc::now() && until >= now, "{returned}");
    let r = admin
        .post(
            &format!("/api/v1/volunteers/{id}/loans/return"),
            &give_back("本街道需要", 7),
        )
        .await;
    assert_eq!(r.status, 409, "no loan in force any more: {:?}", r.body);

    // Teams by specialty (the taxonomy's codes: 婚姻家庭 is marriage_family).
    let r = staff_a.get("/api/v1/volunteers/teams").await;
    let teams = r.body.as_array().unwrap();
    assert!(teams.iter().any(|t| t["specialty"] == "marriage_family"));

    // The volunteer leaves; exited → active is refused.
    let (s, b) = act(
        &res,
        &id,
        json!({"action": "exit", "kind": "voluntary"}),
        Some("工作调动"),
        7,
    )
    .await;
    assert_eq!(s, 200, "{b:?}");
    assert_eq!(b["volunteer"]["state"], "exited");
    let (s, b) = act(
        &staff_a,
        &id,
        json!({"action": "reinstate"}),
        Some("回来"),
        8,
    )
    .await;
    assert_eq!(s, 409, "{b:?}");
    // Every transition: who, when, why.
    let r = staff_a.get(&format!("/api/v1/volunteers/{id}")).await;
    let history = r.body["volunteer"]["history"].as_array().unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        history
            .iter()
            .all(|t| t["at"].is_string() && t["actor"]["id"].is_string())
    );
    assert_eq!(history[1]["reason"], "连续缺勤");
    // A new application after exit is a new record.
    let r = res
        .post("/api/v1/volunteers", &application("330303001"))
        .await;
    assert_eq!(r.status, 201);
    assert_ne!(r.body["id"], id);
    server.stop();
}

#[tokio::test]
async fn volunteer_lifecycle_through_the_api() {
    for backend in backends() {
        lifecycle(&backend).await;
    }
}

/// The pages of `path` (a volunteers query) at `limit` each, following
/// `next_cursor` to the last page: every page's ids.
async fn pages(c: &Client, path: &str, limit: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(k) => format!("{path}&limit={limit}&cursor={k}"),
            None => format!("{path}&limit={limit}"),
        };
        let r = c.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        let ids: Vec<String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        assert!(ids.len() <= limit, "{url}: {ids:?}");
        out.push(ids);
        match r.body["next_cursor"].as_str() {
            Some(k) => cursor = Some(k.to_string()),
            None => return out,
        }
        assert!(out.len() < 100, "the pages end");
    }
}

#[tokio::test]
async fn the_volunteer_list_comes_in_pages_holding_each_volunteer_once() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        const STREET: &str = lawcircle_e2e::people::STREET;
        account(&admin, "staff", "station_staff", STREET).await;
        let staff = Client::login(&server, "staff", PW).await;
        for i in 0..5 {
            let name = format!("pv{i}");
            account(&admin, &name, "resident", STREET).await;
            let c = Client::login(&server, &name, PW).await;
            lawcircle_e2e::people::join_pool(&c, &staff, &name, STREET, &["综合"], "24/7")
                .await
                .unwrap();
        }
        // Without paging: the whole list, an array, as before.
        let all = staff.get("/api/v1/volunteers?state=active").await;
        assert_eq!(all.status, 200, "{:?}", all.body);
        let all: Vec<String> = all
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        assert!(all.len() >= 5, "{}: {all:?}", backend.name());

        // Pages of 2: full pages, then the rest; each volunteer once, in
        // the list's order.
        let got = pages(&staff, "/api/v1/volunteers?state=active", 2).await;
        let sizes: Vec<usize> = got.iter().map(Vec::len).collect();
        let mut expected = vec![2; all.len() / 2];
        if all.len() % 2 == 1 {
            expected.push(1);
        }
        assert_eq!(sizes, expected, "{}", backend.name());
        assert_eq!(got.concat(), all, "{}", backend.name());
        // A page as large as the list is the last: no cursor.
        let r = staff
            .get(&format!(
                "/api/v1/volunteers?state=active&limit={}",
                all.len()
            ))
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.get("next_cursor").is_none(), "{:?}", r.body);

        // Bad paging is a 400 naming the field.
        for (query, field) in [
            ("cursor=***", "cursor"),
            ("cursor=", "cursor"),
            ("cursor=_w", "cursor"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
        ] {
            let r = staff.get(&format!("/api/v1/volunteers?{query}")).await;
            assert_eq!(r.status, 400, "{query}: {:?}", r.body);
            assert_eq!(r.body["error"]["field"], field, "{query}: {:?}", r.body);
        }
        server.stop();
    }
}
