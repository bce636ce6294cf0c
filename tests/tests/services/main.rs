//! Application types and Open311 end to end, on SQLite and
//! PostgreSQL: the public list of types; publishing a new version (admin
//! only) while needs filed under the old one keep it; applications in
//! needs refused field by field; the legal aid pre-assessment; a retired
//! type refused; and Open311 GeoReport v2 — field names per the spec,
//! JSON and XML, API keys, a POST becoming a need and an order whose
//! status reads back open then closed, filters, tokens, and errors in
//! the spec's format.

use lawcircle_e2e::{Backend, Client, Reply, Server, backends, error_code};
use serde_json::{Value, json};

const PW: &str = "correct horse battery";
const VILLAGE: &str = "330303001001";

async fn setup(backend: &Backend, dir: &std::path::Path) -> Server {
    let accounts = [
        ("admin", "district_admin", None),
        ("lawyer", "lawyer", None),
        ("staff1", "station_staff", Some("330303001")),
    ];
    lawcircle_e2e::demo_server_with(backend, dir, &[], &accounts, PW).await
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
        let old = lawyer.post_need(&need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
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
        let late = lawyer.post_need(&need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
        assert_eq!(
            (late.status, late.body["service_version"].clone()),
            (201, json!(1)),
            "{name}: {:?}",
            late.body
        );
        // v2 wants contact_time, no longer claim.
        let fields = refused_fields(&lawyer.post_need(&need_with(json!({"service_code": "mediation", "service_version": 2, "answers": mediation_answers()}))).await);
        assert_eq!(fields, ["application.answers.contact_time"], "{name}");
        let mut answers = mediation_answers();
        answers.as_object_mut().unwrap().remove("claim");
        answers["contact_time"] = json!({"choice": "morning"});
        let new = lawyer
            .post_need(&need_with(
                json!({"service_code": "mediation", "service_version": 2, "answers": answers}),
            ))
            .await;
        assert_eq!(
            (new.status, new.body["service_version"].clone()),
            (201, json!(2)),
            "{name}: {:?}",
            new.body
        );
        // Without claim, v1 refuses the same answers: each version its schema.
        let fields = refused_fields(
            &lawyer
                .post_need(&need_with(
                    json!({"service_code": "mediation", "service_version": 1, "answers": answers}),
                ))
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
        let r = lawyer
            .post_need(&need_with(
                json!({"service_code": "mediation", "service_version": 2, "answers": bad}),
            ))
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
            &lawyer
                .post_need(&need_with(
                    json!({"service_code": "legal_aid", "service_version": 1, "answers": la}),
                ))
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
        let fields = refused_fields(&lawyer.post_need(&need_with(json!({"service_code": "admin_reconsideration", "service_version": 1, "answers": ar}))).await);
        assert_eq!(fields, ["application.answers.decision_date"], "{name}");
        // Unknown type and version.
        let fields = refused_fields(
            &lawyer
                .post_need(&need_with(
                    json!({"service_code": "nope", "service_version": 1, "answers": {}}),
                ))
                .await,
        );
        assert_eq!(fields, ["application.service_code"]);
        let fields = refused_fields(
            &lawyer
                .post_need(&need_with(
                    json!({"service_code": "mediation", "service_version": 7, "answers": {}}),
                ))
                .await,
        );
        assert_eq!(fields, ["application.service_version"]);

        // Legal aid: the pre-assessment and the documents still missing.
        let mut la_ok = la.clone();
        la_ok["household_size"] = json!({"number": "3"});
        la_ok["special_groups"] = json!({"choices": ["migrant_worker"]});
        let r = lawyer
            .post_need(&need_with(
                json!({"service_code": "legal_aid", "service_version": 1, "answers": la_ok}),
            ))
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
            let r = lawyer.post_need(&need_with(json!({"service_code": "mediation", "service_version": version, "answers": answers}))).await;
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
        let plain = lawyer
            .post_need(&serde_json::to_value(lawcircle_e2e::intake::need_draft("plain")).unwrap())
            .await;
        assert_eq!(plain.status, 201, "{:?}", plain.body);
        assert!(plain.body.get("service_code").is_none());
        server.stop();
    }
}

// ---------------------------------------------------------------------

mod open311;
