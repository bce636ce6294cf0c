//! Application types and Open311 end to end, on SQLite and
//! PostgreSQL: the public list of types; publishing a new version (admin
//! only) while needs filed under the old one keep it; applications in
//! needs refused field by field; the legal aid pre-assessment; a retired
//! type refused; and Open311 GeoReport v2 — field names per the spec,
//! JSON and XML, API keys, a POST becoming a need and an order whose
//! status reads back open then closed, filters, tokens, and errors in
//! the spec's format.

use lawcircle_e2e::{
    Backend, Client, Reply, Server, Storage, backends, cli_create_account, error_code,
};
use serde_json::{Value, json};

const PW: &str = "correct horse battery";
const VILLAGE: &str = "330303001001";

async fn setup(backend: &Backend, dir: &std::path::Path) -> Server {
    let storage = Storage::new(backend, dir).await;
    let server = Server::start(&storage, &["--demo"]);
    for (user, role, street) in [
        ("admin", "district_admin", None),
        ("lawyer", "lawyer", None),
        ("staff1", "station_staff", Some("330303001")),
    ] {
        cli_create_account(&storage, user, role, street, PW);
    }
    server
}

fn need_with(application: Value) -> Value {
    json!({
        "requester": {"name": "李四", "phone": "13812345678"},
        "category": "mediation",
        "description": "邻居装修噪音纠纷，希望调解",
        "urgency": "normal",
        "location": {"address": "永中街道示例社区", "area_code": VILLAGE},
        "channel": "online",
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"},
        "application": application
    })
}

async fn post_need_with_key(c: &Client, key: &str, body: &Value) -> Reply {
    c.send(
        c.http
            .post(format!("{}/api/v1/needs", c.base))
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn post_need(c: &Client, body: &Value) -> Reply {
    post_need_with_key(c, &uuid::Uuid::now_v7().to_string(), body).await
}

fn mediation_answers() -> Value {
    json!({
        "dispute_type": {"choice": "neighbour"},
        "other_party": {"text": "王五"},
        "facts": {"text": "楼上装修噪音持续三个月，协商未果。"},
        "claim": {"text": "停止夜间施工"}
    })
}

/// The fields of a refused request (stable error shape, details.fields).
fn refused_fields(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(error_code(r), "bad_request");
    r.body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no details.fields in {:?}", r.body))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn application_types_are_versioned_data_and_applications_are_checked_against_theirs() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path()).await;
        let name = backend.name();
        let public = Client::new(&server);
        let admin = Client::login(&server, "admin", PW).await;
        let staff = Client::login(&server, "staff1", PW).await;
        let lawyer = Client::login(&server, "lawyer", PW).await;

        // The shipped types, public, each the core's ServiceDefinition.
        let r = public.get("/api/v1/services").await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let codes: Vec<&str> = r
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        for code in [
            "mediation",
            "legal_aid",
            "admin_reconsideration",
            "remote_prison_visit",
            "enterprise_checkup",
        ] {
            assert!(
                codes.contains(&code),
                "{name}: {code} missing from {codes:?}"
            );
        }
        let v1 = public.get("/api/v1/services/mediation").await;
        assert_eq!(v1.status, 200);
        assert_eq!(v1.body["version"], 1);
        assert!(v1.body["attributes"].as_array().unwrap().len() >= 4);
        let r = public.get("/api/v1/services/no_such_type").await;
        assert_eq!((r.status, error_code(&r)), (404, "not_found".into()));
        let r = public.get("/api/v1/services/mediation?version=9").await;
        assert_eq!(r.status, 404);

        // Documented for clients and for the API fuzzer.
        let doc = public.get("/api/v1/openapi.json").await;
        let paths = doc.body["paths"].as_object().unwrap();
        for p in [
            "/api/v1/services",
            "/api/v1/services/{code}",
            "/api/v1/open311-keys",
            "/api/v1/open311-keys/{id}/revoke",
            "/open311/v2/services.{format}",
            "/open311/v2/requests.{format}",
            "/open311/v2/requests/{service_request_id}.{format}",
            "/open311/v2/tokens/{token}.{format}",
        ] {
            assert!(
                paths.contains_key(p),
                "{p} missing from the OpenAPI document"
            );
        }

        // A need filed under v1 before the type changes.
        let old = post_need(&lawyer, &need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
        assert_eq!(old.status, 201, "{name}: {:?}", old.body);
        assert_eq!(old.body["service_code"], "mediation");
        assert_eq!(old.body["service_version"], 1);
        let old_id = old.body["id"].as_i64().unwrap();
        // The order carries the type for dispatch.
        let order = admin
            .get(&format!(
                "/api/v1/orders/{}",
                old.body["order_id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            order.body["service_code"], "mediation",
            "{name}: {:?}",
            order.body
        );

        // v2: `claim` becomes optional, a required `contact_time` appears.
        let mut v2 = v1.body.clone();
        for a in v2["attributes"].as_array_mut().unwrap() {
            if a["code"] == "claim" {
                a["required"] = json!(false);
            }
        }
        v2["attributes"].as_array_mut().unwrap().push(json!({
            "code": "contact_time", "datatype": "singlevaluelist", "required": true,
            "description_zh": "方便联系的时间", "description_en": "When to call",
            "order": 99, "values": [
                {"key": "morning", "name_zh": "上午", "name_en": "Morning"},
                {"key": "afternoon", "name_zh": "下午", "name_en": "Afternoon"}]
        }));
        let r = staff.post("/api/v1/services", &v2).await;
        assert_eq!(
            (r.status, error_code(&r)),
            (403, "forbidden".into()),
            "{name}"
        );
        let r = public.post("/api/v1/services", &v2).await;
        assert_eq!(r.status, 401, "{name}");
        let published = admin.post("/api/v1/services", &v2).await;
        assert_eq!(published.status, 201, "{name}: {:?}", published.body);
        assert_eq!(published.body["version"], 2, "the server numbers versions");
        // An incoherent definition is refused field by field.
        let mut bad = v2.clone();
        bad["attributes"][0]["order"] = json!(0);
        bad["attributes"].as_array_mut().unwrap().push(json!({
            "code": "x", "datatype": "number", "description_zh": "x", "description_en": "x",
            "order": 100, "validation": {"max_len": 3}}));
        let fields = refused_fields(&admin.post("/api/v1/services", &bad).await);
        assert!(
            fields.iter().any(|f| f.ends_with(".order")),
            "{name}: {fields:?}"
        );
        assert!(
            fields.contains(&"attributes.x.validation.max_len".to_string()),
            "{name}: {fields:?}"
        );

        // The newest is served; old versions stay readable; history is staff only.
        assert_eq!(
            public.get("/api/v1/services/mediation").await.body["version"],
            2
        );
        let r = public.get("/api/v1/services/mediation?version=1").await;
        assert_eq!((r.status, r.body["version"].clone()), (200, json!(1)));
        assert_eq!(
            public
                .get("/api/v1/services?all_versions=true")
                .await
                .status,
            401
        );
        assert_eq!(
            lawyer
                .get("/api/v1/services?all_versions=true")
                .await
                .status,
            403
        );
        let all = staff.get("/api/v1/services?all_versions=true").await;
        assert_eq!(all.status, 200);
        let mediation_versions: Vec<i64> = all
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "mediation")
            .map(|d| d["version"].as_i64().unwrap())
            .collect();
        assert_eq!(mediation_versions, [1, 2], "{name}");
        // Who published which version, and when.
        let history = staff.get("/api/v1/services/mediation/versions").await;
        assert_eq!(history.status, 200, "{name}: {:?}", history.body);
        let history = history.body.as_array().unwrap();
        assert_eq!(history.len(), 2, "{name}: {history:?}");
        assert!(
            history[0]["published_by"].is_null(),
            "v1 is the shipped default"
        );
        assert_eq!(history[1]["version"], 2);
        assert_eq!(
            history[1]["published_by_name"], "admin (test)",
            "{history:?}"
        );
        assert!(history[1]["published_at"].is_string());
        assert_eq!(
            lawyer
                .get("/api/v1/services/mediation/versions")
                .await
                .status,
            403
        );
        assert_eq!(
            staff.get("/api/v1/services/no_such/versions").await.status,
            404
        );

        // The old need keeps v1 and its answers.
        let detail = admin.get(&format!("/api/v1/needs/{old_id}?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99")).await;
        assert_eq!(detail.status, 200, "{:?}", detail.body);
        assert_eq!(detail.body["service_version"], 1);
        assert_eq!(detail.body["application"]["service_version"], 1);
        assert_eq!(
            detail.body["application"]["answers"]["dispute_type"]["choice"],
            "neighbour"
        );
        // A phone that drew the v1 form offline still files under v1.
        let late = post_need(&lawyer, &need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
        assert_eq!(
            (late.status, late.body["service_version"].clone()),
            (201, json!(1)),
            "{name}: {:?}",
            late.body
        );
        // v2 wants contact_time, no longer claim.
        let fields = refused_fields(&post_need(&lawyer, &need_with(json!({"service_code": "mediation", "service_version": 2, "answers": mediation_answers()}))).await);
        assert_eq!(fields, ["application.answers.contact_time"], "{name}");
        let mut answers = mediation_answers();
        answers.as_object_mut().unwrap().remove("claim");
        answers["contact_time"] = json!({"choice": "morning"});
        let new = post_need(
            &lawyer,
            &need_with(
                json!({"service_code": "mediation", "service_version": 2, "answers": answers}),
            ),
        )
        .await;
        assert_eq!(
            (new.status, new.body["service_version"].clone()),
            (201, json!(2)),
            "{name}: {:?}",
            new.body
        );
        // Without claim, v1 refuses the same answers: each version its schema.
        let fields = refused_fields(
            &post_need(
                &lawyer,
                &need_with(
                    json!({"service_code": "mediation", "service_version": 1, "answers": answers}),
                ),
            )
            .await,
        );
        // Unknown questions first, then the form's in display order.
        assert_eq!(
            fields,
            [
                "application.answers.contact_time",
                "application.answers.claim"
            ],
            "{name}"
        );

        // Every datatype's bad answer, field by field (mediation v2).
        let bad = json!({
            "dispute_type": {"choice": "aliens"},                  // singlevaluelist: not an option
            "other_party": {"text": "王".repeat(101)},            // string: too long
            "other_party_phone": {"text": "12345"},               // string: pattern
            "facts": {"text": "太短"},                              // text: too short
            "contact_time": {"text": "morning"}                   // wrong type for a choice
        });
        let r = post_need(
            &lawyer,
            &need_with(json!({"service_code": "mediation", "service_version": 2, "answers": bad})),
        )
        .await;
        let fields = refused_fields(&r);
        for f in [
            "dispute_type",
            "other_party",
            "other_party_phone",
            "facts",
            "contact_time",
        ] {
            assert!(
                fields.contains(&format!("application.answers.{f}")),
                "{name}: {f} not in {fields:?}"
            );
        }
        assert!(
            r.body["error"]["field"]
                .as_str()
                .unwrap()
                .starts_with("application.answers.")
        );
        // number, multivaluelist (legal aid), datetime (reconsideration).
        let la = json!({
            "applicant_name": {"text": "李四"}, "id_number": {"text": "11010519491231002X"},
            "case_type": {"choice": "labour_pay"}, "monthly_household_income": {"number": "1000"},
            "household_size": {"number": "2.5"},
            "special_groups": {"choices": ["migrant_worker", "astronaut"]},
            "facts": {"text": "工地拖欠三个月工资，多次讨要未果。"}
        });
        let fields = refused_fields(
            &post_need(
                &lawyer,
                &need_with(
                    json!({"service_code": "legal_aid", "service_version": 1, "answers": la}),
                ),
            )
            .await,
        );
        assert_eq!(
            fields,
            [
                "application.answers.household_size",
                "application.answers.special_groups"
            ],
            "{name}"
        );
        let ar = json!({
            "applicant_name": {"text": "李四"}, "id_number": {"text": "11010519491231002X"},
            "respondent": {"text": "某区某局"}, "decision_date": {"date": "2999-01-01"},
            "requests": {"text": "撤销处罚决定"}, "facts_and_reasons": {"text": "处罚决定认定事实不清，证据不足。"},
            "lawsuit_filed": {"choice": "no"}
        });
        let fields = refused_fields(&post_need(&lawyer, &need_with(json!({"service_code": "admin_reconsideration", "service_version": 1, "answers": ar}))).await);
        assert_eq!(fields, ["application.answers.decision_date"], "{name}");
        // Unknown type and version.
        let fields = refused_fields(
            &post_need(
                &lawyer,
                &need_with(json!({"service_code": "nope", "service_version": 1, "answers": {}})),
            )
            .await,
        );
        assert_eq!(fields, ["application.service_code"]);
        let fields = refused_fields(
            &post_need(
                &lawyer,
                &need_with(
                    json!({"service_code": "mediation", "service_version": 7, "answers": {}}),
                ),
            )
            .await,
        );
        assert_eq!(fields, ["application.service_version"]);

        // Legal aid: the pre-assessment and the documents still missing.
        let mut la_ok = la.clone();
        la_ok["household_size"] = json!({"number": "3"});
        la_ok["special_groups"] = json!({"choices": ["migrant_worker"]});
        let r = post_need(
            &lawyer,
            &need_with(
                json!({"service_code": "legal_aid", "service_version": 1, "answers": la_ok}),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{name}: {:?}", r.body);
        let verdict = r.body["legal_aid"]["eligibility"]["verdict"]
            .as_str()
            .unwrap_or_else(|| panic!("{:?}", r.body));
        assert!(["eligible", "likely", "not_eligible"].contains(&verdict));
        let missing: Vec<&str> = r.body["legal_aid"]["missing_documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert!(
            missing.contains(&"id_card") && missing.contains(&"case_materials"),
            "{name}: {missing:?}"
        );
        let detail = admin
            .get(&format!(
                "/api/v1/needs/{}?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99",
                r.body["id"]
            ))
            .await;
        assert_eq!(
            detail.body["legal_aid"]["missing_documents"],
            r.body["legal_aid"]["missing_documents"]
        );
        // ID numbers in answers are masked like the requester's own.
        let shown = detail.body["application"]["answers"]["id_number"]["text"]
            .as_str()
            .unwrap();
        assert_ne!(
            shown, "11010519491231002X",
            "{name}: answers must be masked"
        );
        assert!(shown.contains('*'), "{shown}");
        let contact = admin
            .get(&format!(
                "/api/v1/needs/{}/contact?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7",
                r.body["id"]
            ))
            .await;
        assert_eq!(contact.status, 200, "{:?}", contact.body);
        assert_eq!(
            contact.body["application_answers"]["id_number"]["text"],
            "11010519491231002X"
        );
        // Not a legal aid application: no assessment.
        assert!(new.body.get("legal_aid").is_none());

        // Retiring the type: gone from the list, refused for new filings,
        // old needs still shown.
        let mut v3 = published.body.clone();
        v3["active"] = json!(false);
        let r = admin.post("/api/v1/services", &v3).await;
        assert_eq!(
            (r.status, r.body["version"].clone()),
            (201, json!(3)),
            "{name}: {:?}",
            r.body
        );
        let list = public.get("/api/v1/services").await;
        assert!(
            !list
                .body
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "mediation"),
            "{name}"
        );
        for version in [1, 2] {
            let r = post_need(&lawyer, &need_with(json!({"service_code": "mediation", "service_version": version, "answers": answers}))).await;
            assert_eq!(refused_fields(&r), ["application.service_code"], "{name}");
            assert!(
                r.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("retired")
            );
        }
        assert_eq!(
            admin.get(&format!("/api/v1/needs/{old_id}?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99")).await.body["application"]["service_version"],
            1
        );
        // A need without an application is untouched by all this.
        let plain = post_need(
            &lawyer,
            &serde_json::to_value(lawcircle_e2e::intake::need_draft("plain")).unwrap(),
        )
        .await;
        assert_eq!(plain.status, 201, "{:?}", plain.body);
        assert!(plain.body.get("service_code").is_none());
        server.stop();
    }
}

// ---------------------------------------------------------------------
// Open311 GeoReport v2
// ---------------------------------------------------------------------

/// Raw text answer (for XML) with status and content type.
async fn raw(req: reqwest::RequestBuilder) -> (u16, String, String) {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, resp.text().await.expect("body"))
}

/// A tiny well-formedness check: a declaration, then balanced elements
/// without attributes (the spec's XML has none), text escaped.
fn parse_xml(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix(r#"<?xml version="1.0" encoding="utf-8"?>"#)
        .unwrap_or_else(|| panic!("no XML declaration: {xml}"));
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = body.trim();
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert!(!text.contains('>'), "unescaped '>' in {xml}");
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced XML: {xml}");
        } else if let Some(name) = tag.strip_suffix('/') {
            seen.push(name.trim().to_string());
        } else {
            assert!(!tag.contains(' '), "attributes in {tag}");
            stack.push(tag.to_string());
            seen.push(tag.to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    seen
}

fn spec_error(r: &Reply, code: u16) -> String {
    assert_eq!(r.status, code, "{:?}", r.body);
    let errors = r
        .body
        .as_array()
        .unwrap_or_else(|| panic!("not the spec's error list: {:?}", r.body));
    assert!(!errors.is_empty());
    for e in errors {
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "description"], "{e}");
    }
    assert_eq!(errors[0]["code"], code);
    errors
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" | ")
}

async fn form(c: &Client, path: &str, pairs: &[(&str, &str)]) -> Reply {
    let body: String = form_encode(pairs);
    c.send(
        c.http
            .post(format!("{}{path}", c.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const SECRET_DESCRIPTION: &str = "楼上装修噪音持续三个月，严重影响老人休息";

fn mediation_post(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("api_key", key),
        ("service_code", "mediation"),
        ("lat", "27.931853"),
        ("long", "120.82023"),
        ("first_name", "四"),
        ("last_name", "李"),
        ("phone", "13812345678"),
        ("email", "li4@example.com"),
        ("description", SECRET_DESCRIPTION),
        ("attribute[dispute_type]", "neighbour"),
        ("attribute[other_party]", "王五"),
        ("attribute[facts]", "楼上装修噪音持续三个月，协商未果。"),
        ("attribute[claim]", "停止夜间施工"),
        ("consent", "true"),
        ("consent_notice_version", "2025-01"),
    ]
}

#[tokio::test]
async fn open311_clients_list_file_and_follow_requests() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path()).await;
        let name = backend.name();
        let public = Client::new(&server);
        let admin = Client::login(&server, "admin", PW).await;
        let staff = Client::login(&server, "staff1", PW).await;
        let base = format!("{}/open311/v2", server.base_url);

        // services.json: the spec's field names, every type realtime.
        let r = public.get("/open311/v2/services.json").await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let services = r.body.as_array().unwrap();
        assert!(services.len() >= 5);
        for s in services {
            let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "description",
                    "group",
                    "keywords",
                    "metadata",
                    "service_code",
                    "service_name",
                    "type"
                ],
                "{s}"
            );
            assert_eq!(s["type"], "realtime");
            assert_eq!(s["metadata"], true);
        }
        let legal_aid = services
            .iter()
            .find(|s| s["service_code"] == "legal_aid")
            .unwrap();
        assert!(
            legal_aid["service_name"]
                .as_str()
                .unwrap()
                .contains("法律援助")
        );
        let en = public.get("/open311/v2/services.json?locale=en").await;
        let la_en = en
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_code"] == "legal_aid")
            .unwrap()
            .clone();
        assert_eq!(la_en["service_name"], "Legal aid application");
        let by_header = public
            .send(
                public
                    .http
                    .get(format!("{base}/services.json"))
                    .header("Accept-Language", "en-GB,en;q=0.9"),
            )
            .await;
        assert_eq!(by_header.body, en.body);
        let (status, ct, xml) = raw(public.http.get(format!("{base}/services.xml"))).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("text/xml"), "{ct}");
        let tags = parse_xml(&xml);
        assert_eq!(tags[0], "services");
        for t in [
            "service",
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ] {
            assert!(
                tags.contains(&t.to_string()),
                "{name}: <{t}> missing in {xml}"
            );
        }

        // services/{code}: the definition with its attributes.
        let r = public.get("/open311/v2/services/legal_aid.json").await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["service_code"], "legal_aid");
        let attrs = r.body["attributes"].as_array().unwrap();
        for a in attrs {
            for k in [
                "variable",
                "code",
                "datatype",
                "required",
                "datatype_description",
                "order",
                "description",
            ] {
                assert!(a.get(k).is_some(), "{name}: {k} missing in {a}");
            }
        }
        let case_type = attrs.iter().find(|a| a["code"] == "case_type").unwrap();
        assert_eq!(case_type["datatype"], "singlevaluelist");
        let value = &case_type["values"][0];
        assert!(
            value["key"].is_string() && value["name"].is_string(),
            "{value}"
        );
        let orders: Vec<i64> = attrs.iter().map(|a| a["order"].as_i64().unwrap()).collect();
        assert!(
            orders.windows(2).all(|w| w[0] < w[1]),
            "attributes in display order"
        );
        let (status, _, xml) = raw(public.http.get(format!("{base}/services/legal_aid.xml"))).await;
        assert_eq!(status, 200);
        let tags = parse_xml(&xml);
        assert_eq!(tags[0], "service_definition");
        for t in [
            "attributes",
            "attribute",
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
            "value",
            "key",
            "name",
        ] {
            assert!(tags.contains(&t.to_string()), "{name}: <{t}> missing");
        }
        let r = public.get("/open311/v2/services/no_such.json").await;
        assert!(spec_error(&r, 404).contains("no_such"));

        // Unknown extensions: 404 in JSON.
        for path in [
            "/open311/v2/services.csv",
            "/open311/v2/requests/O1.txt",
            "/open311/v2/services",
            "/open311/v2/tokens/abc.yaml",
        ] {
            let r = public.get(path).await;
            spec_error(&r, 404);
        }
        // A NUL in the URL: 400, still in the spec's format.
        let r = public.get("/open311/v2/requests/O%001.json").await;
        assert!(spec_error(&r, 400).contains("NUL"), "{:?}", r.body);

        // API keys: district admins issue them, shown once.
        let r = staff
            .post("/api/v1/open311-keys", &json!({"name": "城市服务 App"}))
            .await;
        assert_eq!(r.status, 403);
        let issued = admin
            .post("/api/v1/open311-keys", &json!({"name": "城市服务 App"}))
            .await;
        assert_eq!(issued.status, 201, "{:?}", issued.body);
        let key = issued.body["key"].as_str().unwrap().to_string();
        let listed = admin.get("/api/v1/open311-keys").await;
        assert_eq!(listed.status, 200);
        assert_eq!(listed.body[0]["name"], "城市服务 App");
        assert!(listed.body[0].get("key").is_none() && !listed.body.to_string().contains(&key));

        // POST errors in the spec's format.
        let r = form(
            &public,
            "/open311/v2/requests.json",
            &[
                ("service_code", "mediation"),
                ("lat", "27.93"),
                ("long", "120.82"),
            ],
        )
        .await;
        assert!(spec_error(&r, 403).contains("api_key"));
        let r = form(
            &public,
            "/open311/v2/requests.json",
            &[("api_key", "o311_wrong"), ("service_code", "mediation")],
        )
        .await;
        spec_error(&r, 403);
        let (status, ct, xml) = raw(public
            .http
            .post(format!("{base}/requests.xml"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("service_code=mediation"))
        .await;
        assert_eq!(status, 403);
        assert!(ct.starts_with("text/xml"));
        let tags = parse_xml(&xml);
        assert_eq!(
            &tags[..4],
            ["errors", "error", "code", "description"],
            "{xml}"
        );
        assert!(xml.contains("<code>403</code>"));
        let r = form(
            &public,
            "/open311/v2/requests.json",
            &[("api_key", &key), ("lat", "27.93"), ("long", "120.82")],
        )
        .await;
        assert!(spec_error(&r, 400).contains("service_code"));
        let r = form(
            &public,
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "parking"),
                ("lat", "27.93"),
                ("long", "120.82"),
            ],
        )
        .await;
        assert!(spec_error(&r, 404).contains("parking"));
        let mut bad = mediation_post(&key);
        bad.retain(|(k, _)| *k != "attribute[dispute_type]");
        bad.push(("attribute[dispute_type]", "aliens"));
        let r = form(&public, "/open311/v2/requests.json", &bad).await;
        let d = spec_error(&r, 400);
        assert!(d.contains("attribute[dispute_type]"), "{name}: {d}");
        let mut no_phone = mediation_post(&key);
        no_phone.retain(|(k, _)| *k != "phone");
        assert!(
            spec_error(
                &form(&public, "/open311/v2/requests.json", &no_phone).await,
                400
            )
            .contains("phone")
        );

        // A POST becomes a need and its order.
        let r = form(&public, "/open311/v2/requests.json", &mediation_post(&key)).await;
        assert_eq!(r.status, 201, "{name}: {:?}", r.body);
        let posted = &r.body[0];
        let id = posted["service_request_id"].as_str().unwrap().to_string();
        assert!(
            posted.get("service_notice").is_some() && posted.get("account_id").is_some(),
            "{posted}"
        );
        assert!(posted.get("token").is_none());
        let order = admin.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(order.status, 200, "{:?}", order.body);
        assert_eq!(order.body["service_code"], "mediation");
        assert_eq!(order.body["street_code"], "330303001");
        let need = admin
            .get(&format!(
                "/api/v1/needs/{}?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99",
                order.body["need_id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(need.status, 200, "{:?}", need.body);
        assert_eq!(need.body["channel"], "online");
        assert_eq!(need.body["description"], SECRET_DESCRIPTION);
        assert_eq!(
            need.body["application"]["answers"]["dispute_type"]["choice"],
            "neighbour"
        );
        assert_eq!(need.body["area_code"], VILLAGE);

        // Its status reads back: open, and no personal data.
        let r = public.get(&format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let req = &r.body[0];
        assert_eq!(req["service_request_id"], id.as_str());
        assert_eq!(req["status"], "open");
        assert_eq!(req["service_code"], "mediation");
        for k in [
            "status_notes",
            "service_name",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url",
        ] {
            assert!(req.get(k).is_some(), "{name}: {k} missing in {req}");
        }
        assert!(req["description"].is_null());
        assert!(
            req["agency_responsible"]
                .as_str()
                .unwrap()
                .contains("司法所"),
            "{req}"
        );
        assert!(req["lat"].is_number() && req["long"].is_number());
        assert!(
            req["requested_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+08:00")
        );
        assert!(
            req["expected_datetime"].as_str().unwrap()
                > req["requested_datetime"].as_str().unwrap()
        );
        let text = r.body.to_string();
        for secret in [
            "13812345678",
            "李四",
            "李",
            SECRET_DESCRIPTION,
            "王五",
            "li4@example.com",
            "楼上",
        ] {
            assert!(
                !text.contains(secret),
                "{name}: {secret:?} leaked in {text}"
            );
        }
        let (status, _, xml) = raw(public.http.get(format!("{base}/requests/{id}.xml"))).await;
        assert_eq!(status, 200);
        let tags = parse_xml(&xml);
        assert_eq!(&tags[..2], ["service_requests", "request"], "{xml}");
        assert!(
            xml.contains(&format!("<service_request_id>{id}</service_request_id>"))
                && xml.contains("<status>open</status>")
        );
        assert!(!xml.contains("13812345678"));
        spec_error(&public.get("/open311/v2/requests/O999999.json").await, 404);

        // GET requests filters.
        let ids = |r: &Reply| -> Vec<String> {
            r.body
                .as_array()
                .unwrap_or_else(|| panic!("{:?}", r.body))
                .iter()
                .map(|x| x["service_request_id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            ids(&public.get("/open311/v2/requests.json").await),
            vec![id.clone()]
        );
        assert_eq!(
            ids(&public
                .get("/open311/v2/requests.json?service_code=mediation,legal_aid")
                .await),
            vec![id.clone()]
        );
        assert!(
            ids(&public
                .get("/open311/v2/requests.json?service_code=legal_aid")
                .await)
            .is_empty()
        );
        assert_eq!(
            ids(&public.get("/open311/v2/requests.json?status=open").await),
            vec![id.clone()]
        );
        assert!(ids(&public.get("/open311/v2/requests.json?status=closed").await).is_empty());
        assert!(ids(&public.get("/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").await).is_empty());
        assert_eq!(
            ids(&public
                .get(&format!(
                    "/open311/v2/requests.json?service_request_id={id},O999999&status=closed"
                ))
                .await),
            vec![id.clone()],
            "ids override the other filters"
        );
        spec_error(
            &public.get("/open311/v2/requests.json?status=pending").await,
            400,
        );
        spec_error(
            &public
                .get("/open311/v2/requests.json?start_date=yesterday")
                .await,
            400,
        );
        spec_error(&public.get("/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z").await, 400);
        let (status, _, xml) =
            raw(public.http.get(format!("{base}/requests.xml?status=open"))).await;
        assert_eq!(status, 200);
        assert_eq!(parse_xml(&xml)[0], "service_requests");

        // Staff close the order through the orders API: closed.
        let v = order.body["version"].clone();
        let r = admin.post(&format!("/api/v1/orders/{id}/events"), &json!({"event": {"event": "cancel", "reason": "申请人已与对方和解，撤回申请"}, "version": v})).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let r = public.get(&format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(r.body[0]["status"], "closed", "{name}: {:?}", r.body);
        assert_eq!(
            ids(&public.get("/open311/v2/requests.json?status=closed").await),
            vec![id.clone()]
        );
        assert!(ids(&public.get("/open311/v2/requests.json?status=open").await).is_empty());

        // Tokens: the key a need was filed with, exchanged for its id.
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let token = uuid::Uuid::now_v7().to_string();
        let filed = post_need_with_key(&lawyer, &token, &need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
        assert_eq!(filed.status, 201, "{:?}", filed.body);
        let r = public
            .get(&format!("/open311/v2/tokens/{token}.json"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            r.body,
            json!([{"service_request_id": filed.body["order_id"], "token": token}])
        );
        let (status, _, xml) = raw(public.http.get(format!("{base}/tokens/{token}.xml"))).await;
        assert_eq!(status, 200);
        assert!(parse_xml(&xml).contains(&"token".to_string()));
        spec_error(
            &public.get("/open311/v2/tokens/no-such-token.json").await,
            404,
        );

        // A revoked key files nothing.
        let kid = issued.body["id"].as_i64().unwrap();
        assert_eq!(
            admin
                .post(&format!("/api/v1/open311-keys/{kid}/revoke"), &json!({}))
                .await
                .status,
            200
        );
        spec_error(
            &form(&public, "/open311/v2/requests.json", &mediation_post(&key)).await,
            403,
        );
        server.stop();
    }
}
