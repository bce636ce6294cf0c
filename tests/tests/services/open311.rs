//! Open311 GeoReport v2: clients list services, file and follow requests.

use super::*;

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
    let body: String = lawcircle_e2e::form_encode(pairs);
    c.send(
        c.http
            .post(format!("{}{path}", c.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
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
        let filed = lawyer.post_need_with_key(&token, &need_with(json!({"service_code": "mediation", "service_version": 1, "answers": mediation_answers()}))).await;
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
