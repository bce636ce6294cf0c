//! A rating from every requester, end to end on SQLite and PostgreSQL, with
//! the SMS provider played by a local fake that checks the documented
//! request signing (`lawcircle_e2e::fake_sms`):
//!
//! * an on-site need entered by a lawyer for someone without an account is
//!   rated through the one-time link (sent by SMS, and issued to the holder
//!   for a QR code) on the public page; a second rating and an expired link
//!   are refused; the enterer and the holder cannot rate;
//! * a resident registers with an SMS code, files, follows and rates their
//!   need in the app; code sign-in, attempts, limits, the provider's
//!   passing and final errors;
//! * a hotline need is rated through a staff call-back with its outcome;
//! * the indicators count ratings by channel and say why the others were
//!   not rated.

use lawcircle_e2e::fake_sms::{CODE_TEMPLATE, FakeSms, RATING_TEMPLATE};
use lawcircle_e2e::people::{PW, STREET, VILLAGE, test_account};
use lawcircle_e2e::{
    Backend, Client, Server, Storage, assert_rating_verdicts_match_the_orders, backends,
    cli_create_account, error_code, people,
};
use serde_json::{Value, json};
use std::time::Duration;

fn need(category: &str, channel: &str, name: &str, phone: &str) -> Value {
    json!({
        "requester": {"name": name, "phone": phone},
        "category": category,
        "description": "劳动合同纠纷，公司拖欠工资三个月",
        "urgency": "normal",
        "location": {"address": "永中街道示例社区", "area_code": VILLAGE},
        "channel": channel,
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}
    })
}

/// A lawyer approved into the pool of the street.
async fn lawyer(server: &Server, admin: &Client, staff: &Client, name: &str) -> (Client, i64) {
    let id = test_account(admin, name, "resident", STREET).await;
    let c = Client::login(server, name, PW).await;
    people::join_pool(&c, staff, name, STREET, &["neighbour", "general"], "24/7")
        .await
        .unwrap();
    (c, id)
}

struct World {
    server: Server,
    fake: FakeSms,
    admin: Client,
    staff: Client,
    /// A second member of staff of the same street.
    staff2: Client,
    /// Enters needs on site.
    entering: Client,
    /// Is assigned the orders and resolves them.
    holder: Client,
    holder_id: i64,
    storage: Storage,
    _dir: tempfile::TempDir,
}

async fn world(backend: &Backend) -> World {
    let fake = FakeSms::start().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let mut args: Vec<String> = ["--demo", "--test-clock", "--grab-window-secs", "3600"]
        .map(String::from)
        .to_vec();
    args.extend(fake.server_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(&storage, &refs);
    cli_create_account(&storage, "admin", "district_admin", None, PW);
    let admin = Client::login(&server, "admin", PW).await;
    test_account(&admin, "staff", "station_staff", STREET).await;
    test_account(&admin, "staff2", "station_staff", STREET).await;
    let staff = Client::login(&server, "staff", PW).await;
    let staff2 = Client::login(&server, "staff2", PW).await;
    let (entering, _) = lawyer(&server, &admin, &staff, "entering").await;
    let (holder, holder_id) = lawyer(&server, &admin, &staff, "holder").await;
    World {
        server,
        fake,
        admin,
        staff,
        staff2,
        entering,
        holder,
        holder_id,
        storage,
        _dir: dir,
    }
}

/// Staff assign the order to the holder, who accepts and resolves it.
async fn serve_and_resolve(w: &World, order: &str) -> Value {
    let o = w.staff.get(&format!("/api/v1/orders/{order}")).await.body;
    let assigned = w
        .staff
        .order_events(
            order,
            &o["version"],
            &[json!({"event": "assign", "assignee": w.holder_id.to_string()})],
        )
        .await;
    w.holder
        .order_events(
            order,
            &assigned["version"],
            &[
                json!({"event": "accept"}),
                json!({"event": "resolve", "note": "已调解，双方达成协议"}),
            ],
        )
        .await
}

/// A page of the server: status, body, content security policy.
async fn page(method: &str, url: &str, form: Option<&str>) -> (u16, String, String) {
    let http = lawcircle_e2e::http_client();
    let req = match method {
        "GET" => http.get(url),
        _ => http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.unwrap_or("").to_string()),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, resp.text().await.unwrap(), csp)
}

/// What a camera reads from the QR code the phone draws from `qr`
/// (`{size, modules}`, `1` dark row by row): the modules as 8-pixel
/// squares on white with the four-module quiet zone, decoded by rqrr.
/// Checks the error-correction level is M.
fn scan(qr: &Value) -> String {
    const PX: usize = 8;
    const QUIET: usize = 4;
    let size = qr["size"].as_u64().expect("qr.size") as usize;
    let modules = qr["modules"].as_str().expect("qr.modules").as_bytes();
    assert_eq!(modules.len(), size * size, "{qr}");
    let side = (size + 2 * QUIET) * PX;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (col, row) = ((x / PX).wrapping_sub(QUIET), (y / PX).wrapping_sub(QUIET));
        if row < size && col < size && modules[row * size + col] == b'1' {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in {qr}");
    let (meta, text) = grids[0].decode().expect("the QR code decodes");
    // rqrr reports the format bits: 0 is level M (L 1, H 2, Q 3).
    assert_eq!(meta.ecc_level, 0, "error-correction level M");
    assert_eq!(meta.version.to_size(), size);
    text
}

async fn indicators(admin: &Client) -> Value {
    let r = admin.get("/api/v1/indicators").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["ratings"]["district"].clone()
}

async fn order_state(c: &Client, order: &str) -> Value {
    c.get(&format!("/api/v1/orders/{order}")).await.body["state"].clone()
}

#[tokio::test]
async fn an_on_site_need_is_rated_through_the_link_once_and_an_expired_link_is_refused() {
    for backend in backends() {
        let w = world(&backend).await;
        let health = w.admin.get("/health").await;
        assert_eq!(health.body["sms"], "aliyun");

        // A lawyer enters a need on site for 王五, who has no account.
        let phone = "13900001111";
        let order = w
            .entering
            .submit_need(&need("mediation", "on_site", "王五", phone))
            .await;
        let o = w.staff.get(&format!("/api/v1/orders/{order}")).await.body;
        assert_eq!(o["requester_id"], "", "the requester has no account");
        assert!(o["entered_by"].is_string(), "{o}");
        serve_and_resolve(&w, &order).await;

        // The link reaches the requester by SMS (the fake checked the
        // signature and the template's parameter).
        let sms = w.fake.wait_for(phone, RATING_TEMPLATE).await;
        let link = sms["link"].clone();
        assert!(
            link.starts_with(&format!("{}/r/", w.server.base_url)),
            "{link}"
        );
        // The holder gets a link of their own for the QR code; nobody else.
        let r = w
            .holder
            .post(&format!("/api/v1/orders/{order}/rating-link"), &json!({}))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        // What the requester's camera reads from the QR code the phone
        // draws is the link itself; that is what they open below.
        let qr = scan(&r.body["qr"]);
        assert_eq!(qr, r.body["url"].as_str().unwrap());
        assert_ne!(qr, link);
        // The OpenAPI document describes it (apifuzz validates answers).
        let doc = w.admin.get("/api/v1/openapi.json").await.body;
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["IssuedRatingLink"]["properties"]["qr"]["$ref"],
            "#/components/schemas/QrMatrix"
        );
        assert_eq!(schemas["QrMatrix"]["required"], json!(["size", "modules"]));
        let r = w
            .entering
            .post(&format!("/api/v1/orders/{order}/rating-link"), &json!({}))
            .await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        // Neither the one who entered it nor the one holding it may rate.
        for (who, c) in [("enterer", &w.entering), ("holder", &w.holder)] {
            let r = c
                .post(
                    &format!("/api/v1/orders/{order}/rating"),
                    &json!({"score": 5}),
                )
                .await;
            assert_eq!(r.status, 403, "{who}: {:?}", r.body);
            assert_eq!(error_code(&r), "forbidden");
        }

        // The public page: no account, no personal data, no script.
        let (status, html, csp) = page("GET", &link, None).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("请为本次服务打分"), "{html}");
        assert!(html.contains("人民调解"), "{html}");
        for private in ["王五", phone, "劳动合同纠纷"] {
            assert!(!html.contains(private), "{private} shown: {html}");
        }
        assert!(!html.contains("<script"), "{html}");
        assert!(csp.contains("script-src 'none'"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        // No score: the form again with the reason.
        let (status, html, _) = page("POST", &link, Some("comment=x")).await;
        assert_eq!(status, 400, "{html}");
        assert!(html.contains("请选择 1 到 5 星"), "{html}");
        let (status, html, _) = page(
            "POST",
            &link,
            Some("score=5&comment=%E8%B0%A2%E8%B0%A2%E5%BE%8B%E5%B8%88"),
        )
        .await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("感谢您的评价"), "{html}");
        assert_eq!(order_state(&w.staff, &order).await, "evaluated");
        // Twice refused, by either link, with a clear message.
        for l in [&link, &qr] {
            let (status, html, _) = page("POST", l, Some("score=1")).await;
            assert_eq!(status, 409, "{html}");
            assert!(html.contains("已经评价过"), "{html}");
        }
        let (status, html, _) = page("GET", &qr, None).await;
        assert_eq!(status, 409, "{html}");
        // An unknown token says so.
        let (status, html, _) = page("GET", &w.server.url("/r/rdeadbeef"), None).await;
        assert_eq!(status, 404, "{html}");
        assert!(html.contains("链接无效"), "{html}");

        // A second need: its link expires unused (14 days by default).
        let phone2 = "13900002222";
        let order2 = w
            .entering
            .submit_need(&need("mediation", "on_site", "赵六", phone2))
            .await;
        serve_and_resolve(&w, &order2).await;
        let link2 = w.fake.wait_for(phone2, RATING_TEMPLATE).await["link"].clone();
        let r = w
            .admin
            .post("/api/v1/test/clock", &json!({"seconds": 15 * 24 * 3600}))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        for (method, form) in [("GET", None), ("POST", Some("score=4"))] {
            let (status, html, _) = page(method, &link2, form).await;
            assert_eq!(status, 410, "{html}");
            assert!(html.contains("评价链接已过期"), "{html}");
        }
        // Sessions expired with the days: sign in again.
        let admin = Client::login(&w.server, "admin", PW).await;
        assert_eq!(order_state(&admin, &order2).await, "resolved");

        let ratings = indicators(&admin).await;
        assert_eq!(ratings["by_channel"]["link"], 1, "{ratings}");
        assert_eq!(ratings["unrated_by_reason"]["link_expired"], 1, "{ratings}");
        assert_rating_verdicts_match_the_orders(&w.storage).await;
        w.server.stop();
    }
}

#[tokio::test]
async fn a_resident_registers_with_an_sms_code_files_follows_and_rates() {
    for backend in backends() {
        let w = world(&backend).await;
        let anon = Client::new(&w.server);
        let phone = "13700003333";

        // A code for registering: delivered to the fake, 6 digits.
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": phone, "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        let code = w.fake.wait_for(phone, CODE_TEMPLATE).await["code"].clone();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        // A second code within the minute is refused by the per-number limit.
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": phone, "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        // A wrong code counts an attempt; the right one registers.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = anon
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": wrong, "display_name": "陈女士", "password": "a long passphrase"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "code");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("4 attempt")
        );
        let r = anon
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": code, "display_name": "陈女士", "password": "a long passphrase"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["account"]["role"], "resident");
        let me = r.body["account"]["id"].as_i64().unwrap();
        let mut resident = Client::new(&w.server);
        resident.token = r.body["token"].as_str().map(str::to_string);
        // The code is spent.
        let r = anon
            .post(
                "/api/v1/auth/register",
                &json!({"phone": phone, "code": code, "display_name": "x"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        // Password sign-in with the number as the username.
        Client::login(&w.server, phone, "a long passphrase").await;

        // They file a need and follow it.
        let order = resident
            .submit_need(&need("mediation", "online", "陈女士", phone))
            .await;
        let mine = resident.get("/api/v1/needs").await.body;
        let item = &mine["items"][0];
        assert_eq!(item["order_id"], order.as_str(), "{mine}");
        assert_eq!(item["requester_account"], me);
        assert_eq!(item["may_rate"], false);
        // A lawyer enters a need on site for the same (verified) number:
        // it is theirs too, and rated in the app, not by SMS.
        let on_site = w
            .entering
            .submit_need(&need("mediation", "on_site", "陈女士", phone))
            .await;
        let mine = resident.get("/api/v1/needs").await.body;
        assert_eq!(mine["items"].as_array().unwrap().len(), 2, "{mine}");
        for o in [&order, &on_site] {
            serve_and_resolve(&w, o).await;
        }
        let mine = resident.get("/api/v1/needs").await.body;
        for item in mine["items"].as_array().unwrap() {
            assert_eq!(item["may_rate"], true, "{item}");
        }
        for (o, score) in [(&order, 4), (&on_site, 5)] {
            let r = resident
                .post(
                    &format!("/api/v1/orders/{o}/rating"),
                    &json!({"score": score, "comment": "很专业"}),
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            assert_eq!(r.body["state"], "evaluated");
        }
        let mine = resident.get("/api/v1/needs").await.body;
        for item in mine["items"].as_array().unwrap() {
            assert_eq!(item["may_rate"], false, "{item}");
        }
        assert!(
            w.fake
                .delivered()
                .iter()
                .all(|d| d.template != RATING_TEMPLATE),
            "account holders are not sent links"
        );

        // Code sign-in, after the minute; a passing provider fault is
        // retried by the notification queue after its back-off, a final
        // one is not (the code is dead-lettered with the provider's code).
        w.admin
            .post("/api/v1/test/clock", &json!({"seconds": 61}))
            .await;
        let codes_to = |phone: &str| {
            w.fake
                .delivered()
                .iter()
                .filter(|d| d.phone == phone && d.template == CODE_TEMPLATE)
                .count()
        };
        let before_codes = codes_to(phone);
        let before = w.fake.answers_for(CODE_TEMPLATE).len();
        w.fake.fail_next_for(CODE_TEMPLATE, &["isp.SYSTEM_ERROR"]);
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": phone, "purpose": "sign_in"}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        for _ in 0..300 {
            if w.fake.answers_for(CODE_TEMPLATE).len() > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        w.admin
            .post("/api/v1/test/clock", &json!({"seconds": 5}))
            .await;
        for _ in 0..300 {
            if codes_to(phone) > before_codes {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Codes only: the server texts this resident (a verified mobile,
        // no push device) notices of their need on its own.
        let answers = w.fake.answers_for(CODE_TEMPLATE);
        assert_eq!(
            &answers[before..],
            ["isp.SYSTEM_ERROR", "OK"],
            "retried once: {answers:?}"
        );
        let code = w.fake.wait_for(phone, CODE_TEMPLATE).await["code"].clone();
        let r = anon
            .post(
                "/api/v1/auth/code-login",
                &json!({"phone": phone, "code": code}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["account"]["id"], me);
        let other = "13700004444";
        w.fake
            .fail_next_for(CODE_TEMPLATE, &["isv.BUSINESS_LIMIT_CONTROL"]);
        let before = w.fake.answers_for(CODE_TEMPLATE).len();
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": other, "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        let mut dead = Value::Null;
        for _ in 0..300 {
            let r = w.admin.get("/api/v1/notifications/dead-letters").await;
            if let Some(d) = r.body.as_array().and_then(|a| {
                a.iter()
                    .find(|d| d["event"] == "sms_code" && d["phone"] == "137****4444")
            }) {
                dead = d.clone();
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            dead["reason"]
                .as_str()
                .is_some_and(|r| r.contains("isv.BUSINESS_LIMIT_CONTROL")),
            "{dead}"
        );
        assert_eq!(
            w.fake.answers_for(CODE_TEMPLATE).len(),
            before + 1,
            "not retried"
        );
        // Signing in with a number that has no account, registering one
        // that has: clear refusals.
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": "13700005555", "purpose": "sign_in"}),
            )
            .await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        let r = anon
            .post(
                "/api/v1/auth/sms-codes",
                &json!({"phone": "12345", "purpose": "register"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "phone");

        let ratings = indicators(&w.admin).await;
        assert_eq!(ratings["by_channel"]["app"], 2, "{ratings}");
        assert_rating_verdicts_match_the_orders(&w.storage).await;
        w.server.stop();
    }
}

#[tokio::test]
async fn a_hotline_need_is_rated_through_a_call_back_and_indicators_say_why_others_were_not() {
    for backend in backends() {
        let w = world(&backend).await;
        // Hotline staff enter a need for a caller without an account.
        let order = w
            .staff2
            .submit_need(&need("mediation", "hotline12348", "孙七", "13600006666"))
            .await;
        serve_and_resolve(&w, &order).await;
        // An on-site need whose SMS the provider refuses for good, and no
        // QR code shown: nobody can reach that requester.
        w.fake
            .fail_next_for(RATING_TEMPLATE, &["isv.MOBILE_NUMBER_ILLEGAL"]);
        let lost = w
            .entering
            .submit_need(&need("mediation", "on_site", "周八", "13600007777"))
            .await;
        serve_and_resolve(&w, &lost).await;

        // The staff member who entered it does not call back.
        let r = w
            .staff2
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "reached", "score": 5, "note": "回访"}),
            )
            .await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        // Not reached first: recorded, no rating.
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "not_reached", "note": "无人接听"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["call_back"]["outcome"], "not_reached");
        assert_eq!(r.body["order"]["state"], "resolved");
        let mut ratings = Value::Null;
        for _ in 0..100 {
            ratings = indicators(&w.admin).await;
            if ratings["unrated_by_reason"]["no_contact"] == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ratings["unrated_by_reason"]["not_reached"], 1, "{ratings}");
        assert_eq!(ratings["unrated_by_reason"]["no_contact"], 1, "{ratings}");
        // The refused link is a dead letter of the queue, which the staff
        // of the order's street see with the number masked.
        let dead = w.staff.get("/api/v1/notifications/dead-letters").await.body;
        let link = dead
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["event"] == "rating_link" && d["order_id"] == lost.as_str())
            .unwrap_or_else(|| panic!("no dead letter of the link: {dead}"));
        assert_eq!(link["phone"], "136****7777", "{link}");
        assert!(
            link["reason"]
                .as_str()
                .unwrap()
                .contains("isv.MOBILE_NUMBER_ILLEGAL"),
            "{link}"
        );
        assert!(!dead.to_string().contains("13600007777"), "{dead}");
        // Reached: the score is required, and a score without reaching refused.
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "reached", "note": "已回访"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "score");
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "refused", "score": 3, "note": "x"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "reached", "score": 5, "comment": "调解员很耐心", "note": "第二次回访接通"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["order"]["state"], "evaluated");
        assert_eq!(r.body["call_back"]["score"], 5);
        assert!(
            r.body["call_back"]["id"].as_i64().unwrap() > 0,
            "{:?}",
            r.body
        );
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "reached", "score": 4, "note": "again"}),
            )
            .await;
        assert_eq!(r.status, 409, "one rating per order: {:?}", r.body);
        // Without a score, a call-back may follow any order: a rated one…
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{order}/call-backs"),
                &json!({"outcome": "reached", "note": "回访: 协议已履行"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["order"]["state"], "evaluated");
        // …and one still open; a score there is refused.
        let open = w
            .staff2
            .submit_need(&need("mediation", "hotline12348", "吴九", "13600008888"))
            .await;
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{open}/call-backs"),
                &json!({"outcome": "reached", "score": 4, "note": "进度询问"}),
            )
            .await;
        assert_eq!(r.status, 409, "{:?}", r.body);
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{open}/call-backs"),
                &json!({"outcome": "not_reached", "note": "进度询问, 无人接听"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = w
            .staff
            .get(&format!("/api/v1/orders/{open}/call-backs"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let notes: Vec<&str> = r
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["note"].as_str().unwrap())
            .collect();
        assert_eq!(notes, ["进度询问, 无人接听"], "{:?}", r.body);
        // Staff of another street see nothing of it.
        let r = w
            .admin
            .post(
                "/api/v1/accounts",
                &json!({"username": "far2", "display_name": "far2", "role": "station_staff",
                        "street_code": "330303002", "password": PW}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let far = Client::login(&w.server, "far2", PW).await;
        let r = far
            .post(
                &format!("/api/v1/orders/{lost}/call-backs"),
                &json!({"outcome": "refused", "note": "x"}),
            )
            .await;
        assert_eq!(r.status, 404, "{:?}", r.body);
        // Declined on the phone.
        let r = w
            .staff
            .post(
                &format!("/api/v1/orders/{lost}/call-backs"),
                &json!({"outcome": "refused", "note": "当事人不愿评价"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);

        let ratings = indicators(&w.admin).await;
        assert_eq!(ratings["by_channel"]["call_back"], 1, "{ratings}");
        assert_eq!(ratings["resolved"], 2, "{ratings}");
        assert_eq!(ratings["rated"], 1, "{ratings}");
        assert_eq!(ratings["unrated_by_reason"]["declined"], 1, "{ratings}");
        assert!(
            ratings["unrated_by_reason"]["not_reached"].is_null(),
            "{ratings}"
        );
        let r = w.admin.get("/api/v1/indicators").await;
        assert_eq!(
            r.body["ratings"]["streets"][STREET]["by_channel"]["call_back"], 1,
            "{:?}",
            r.body["ratings"]
        );
        assert_rating_verdicts_match_the_orders(&w.storage).await;
        w.server.stop();
    }
}

#[tokio::test]
async fn without_an_sms_provider_health_says_so_and_codes_are_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    let c = Client::new(&server);
    assert_eq!(c.get("/health").await.body["sms"], "not_configured");
    let r = c
        .post(
            "/api/v1/auth/sms-codes",
            &json!({"phone": "13700003333", "purpose": "register"}),
        )
        .await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    assert_eq!(error_code(&r), "unavailable");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sms_provider")
    );
    server.stop();
}

#[tokio::test]
async fn a_need_filed_without_an_account_is_followed_by_its_tracking_code_and_rated_by_link() {
    for backend in backends() {
        let w = world(&backend).await;
        let anon = Client::new(&w.server);
        let phone = "13500008888";
        let body = need("mediation", "online", "吴九", phone);
        let key = uuid::Uuid::now_v7().to_string();
        let post = |body: Value, key: String| {
            let anon = anon.clone();
            async move {
                anon.send(
                    anon.http
                        .post(format!("{}/api/v1/public/needs", anon.base))
                        .header("Idempotency-Key", key)
                        .json(&body),
                )
                .await
            }
        };
        let r = post(body.clone(), key.clone()).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let code = r.body["tracking_code"].as_str().unwrap().to_string();
        let order = r.body["order_id"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 14, "{code}");
        // A retry gets the same answer; other content under the key is refused.
        let again = post(body.clone(), key.clone()).await;
        assert_eq!(again.body["tracking_code"], code.as_str());
        assert_eq!(again.headers["idempotent-replayed"], "true");
        let mut other = body.clone();
        other["description"] = json!("另一件事");
        assert_eq!(post(other, key).await.status, 409);
        // Only online, without files.
        let mut on_site = body.clone();
        on_site["channel"] = json!("on_site");
        let r = post(on_site, uuid::Uuid::now_v7().to_string()).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert_eq!(r.body["error"]["field"], "channel");

        // Followed by the code: status and history, nothing of who handles it.
        let lower = code.to_lowercase();
        let t = anon.get(&format!("/api/v1/tracking/{lower}")).await;
        assert_eq!(t.status, 200, "{:?}", t.body);
        assert_eq!(t.body["order_state"], "open");
        assert_eq!(t.body["finished"], false);
        assert!(t.body.get("requester").is_none());
        assert_eq!(
            anon.get("/api/v1/tracking/0000-0000-0000").await.status,
            404
        );
        assert_eq!(anon.get("/api/v1/tracking/nonsense").await.status, 404);
        serve_and_resolve(&w, &order).await;
        let t = anon.get(&format!("/api/v1/tracking/{code}")).await;
        assert_eq!(t.body["order_state"], "resolved", "{:?}", t.body);
        assert_eq!(t.body["finished"], true);
        let steps = t.body["history"].as_array().unwrap();
        assert!(steps.len() >= 3, "{steps:?}");
        for step in steps {
            let keys: Vec<&String> = step.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["at", "state"], "only what and when: {step}");
        }
        assert!(!t.body.to_string().contains(phone));
        // No account: the rating link comes by SMS.
        let link = w.fake.wait_for(phone, RATING_TEMPLATE).await["link"].clone();
        let (status, html, _) = page("POST", &link, Some("score=4")).await;
        assert_eq!(status, 200, "{html}");
        let t = anon.get(&format!("/api/v1/tracking/{code}")).await;
        assert_eq!(t.body["order_state"], "evaluated");
        assert_rating_verdicts_match_the_orders(&w.storage).await;
        w.server.stop();
    }
}
