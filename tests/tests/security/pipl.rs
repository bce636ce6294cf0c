//! PIPL: export and erasure on request, retention, consent.

use super::*;

// PIPL: export and erasure on request, retention, consent
// ---------------------------------------------------------------------

#[tokio::test]
async fn a_persons_data_is_exported_and_erased_on_request() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let resident = Client::login(&server, "resident", PW).await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let staff = Client::login(&server, "staff1", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let me = resident.get("/api/v1/me").await.body["id"]
            .as_i64()
            .unwrap();
        let (png, sha) = upload(&resident, "export").await;
        let (own, order) = file_need(
            &resident,
            "wage arrears at the shoe factory",
            Some((&png, &sha)),
        )
        .await;
        // Filed for the same person (same phone) by a lawyer on site.
        let (by_lawyer, _) = file_need(&lawyer, "filed on site for them", None).await;
        let (unrelated, _) = {
            let mut d = need_draft("someone else");
            d.requester.phone = "13700001111".into();
            let filed = lawyer.file_need(&d).await;
            (filed["id"].as_i64().unwrap(), ())
        };
        // The person names their account and their phone number (needs
        // filed for them by others carry only the number).
        let request = json!({"account_id": me, "phone": "139 0577 1234", "reason": "当事人书面申请查阅个人信息"});

        // Only district admins, with a reason.
        for c in [&staff, &resident, &lawyer] {
            let r = c.post("/api/v1/personal-data/export", &request).await;
            assert_eq!(r.status, 403, "{name}: {:?}", r.body);
            let r = c.post("/api/v1/personal-data/erase", &request).await;
            assert_eq!(r.status, 403, "{name}: {:?}", r.body);
        }
        let r = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"reason": "当事人书面申请查阅"}),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);

        // The export: account, needs in full (by account and by phone),
        // order, attachment links, and who read what.
        let r = admin.post("/api/v1/personal-data/export", &request).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let e = &r.body;
        assert_eq!(e["account"]["id"], me);
        let needs: Vec<i64> = e["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert!(
            needs.contains(&own) && needs.contains(&by_lawyer),
            "{name}: {needs:?}"
        );
        assert!(!needs.contains(&unrelated));
        let mine = e["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == own)
            .unwrap();
        assert_eq!(
            mine["need"]["description"],
            "wage arrears at the shoe factory"
        );
        assert_eq!(mine["need"]["requester"]["phone"], "13905771234");
        assert_eq!(mine["need"]["consent"]["notice_version"], "2024-03");
        assert_eq!(mine["order"]["id"], order.as_str());
        assert_eq!(
            e["attachments"][0]["url"],
            format!("/api/v1/attachments/{sha}")
        );
        let exported = audit(&admin, "need", &own.to_string()).await;
        assert!(
            exported
                .iter()
                .any(|x| x["action"] == "export_personal_data"
                    && x["reason"] == "当事人书面申请查阅个人信息"),
            "{name}: {exported:?}"
        );
        assert_eq!(
            audit(&admin, "account", &me.to_string()).await[0]["action"],
            "export_personal_data"
        );
        // By phone alone (someone without an account): only its mask is
        // written to the log.
        let r = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"phone": "13700001111", "reason": "当事人来电申请查阅"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["needs"].as_array().unwrap().len(), 1);
        assert_eq!(audit(&admin, "phone", "137****1111").await.len(), 1);
        let all = admin.get("/api/v1/audit?limit=200").await.body.to_string();
        assert!(!all.contains("13700001111"));

        // Erasure: personal data removed, statistics kept, files erased,
        // the account anonymised and signed out.
        let r = admin
            .post(
                "/api/v1/personal-data/erase",
                &json!({"account_id": me, "phone": "13905771234", "reason": "当事人申请删除个人信息"}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let mut done: Vec<i64> = r.body["needs_anonymised"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        done.sort();
        assert_eq!(done, vec![own, by_lawyer], "{name}");
        assert_eq!(r.body["account_anonymised"], true);
        assert!(r.body["kept"].as_str().unwrap().contains("category"));
        let d = admin
            .get(&format!("/api/v1/needs/{own}?reason={REASON}"))
            .await;
        assert_eq!(d.status, 200);
        assert_eq!(d.body["description"], "");
        assert_eq!(d.body["address"], "");
        assert_eq!(d.body["requester_name"], "");
        assert!(d.body["location"].get("point").is_none(), "{:?}", d.body);
        assert!(d.body["anonymised_at"].is_string());
        assert_eq!(d.body["category"], "mediation", "kept for statistics");
        assert_eq!(d.body["street_code"], "330303001");
        assert_eq!(d.body["order_id"], order.as_str());
        let c = admin
            .get(&format!("/api/v1/needs/{own}/contact?reason={REASON}"))
            .await;
        assert_eq!(c.body["phone"], "");
        assert_eq!(c.body["id_number"], Value::Null);
        let r = admin
            .get(&format!("/api/v1/attachments/{sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 410, "{name}: {:?}", r.body);
        let o = admin.get(&format!("/api/v1/orders/{order}")).await;
        assert_eq!(o.status, 200, "the order stays: {:?}", o.body);
        assert_eq!(resident.get("/api/v1/me").await.status, 401);
        let login = Client::new(&server)
            .post(
                "/api/v1/auth/login",
                &json!({"username": "resident", "password": PW}),
            )
            .await;
        assert_eq!(login.status, 401, "{:?}", login.body);
        let acc = admin.get(&format!("/api/v1/accounts/{me}")).await;
        assert_eq!(acc.body["phone"], Value::Null);
        assert_eq!(acc.body["disabled"], true);
        // The other person's need is untouched.
        let other = admin
            .get(&format!("/api/v1/needs/{unrelated}?reason={REASON}"))
            .await;
        assert_eq!(other.body["description"], "someone else");
        server.stop();
    }
}

#[tokio::test]
async fn personal_data_past_its_retention_period_is_removed_in_the_background() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(
            &backend,
            dir.path(),
            &[
                "--test-clock",
                "--jobs-interval-ms",
                "100",
                "--need-retention-days",
                "30",
                "--attachment-retention-days",
                "10",
                "--audit-retention-days",
                "60",
            ],
        )
        .await;
        let lawyer = Client::login(&server, "lawyer", PW).await;
        let admin = Client::login(&server, "admin", PW).await;
        let (png, sha) = upload(&lawyer, "retention").await;
        let (done_id, done_order) =
            file_need(&lawyer, "case that is over", Some((&png, &sha))).await;
        let (active_png, active_sha) = upload(&lawyer, "retention active").await;
        let (active_id, _) =
            file_need(&lawyer, "case still open", Some((&active_png, &active_sha))).await;
        let o = admin.get(&format!("/api/v1/orders/{done_order}")).await;
        let r = admin
            .post(
                &format!("/api/v1/orders/{done_order}/events"),
                &json!({"event": {"event": "cancel", "reason": "申请人已撤回申请"}, "version": o.body["version"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let r = admin
            .get(&format!("/api/v1/needs/{done_id}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 200);
        let first_read = audit(&admin, "need", &done_id.to_string()).await[0]["id"].clone();

        // 40 days on: the finished case is anonymised, its file and the
        // old file erased; the open case keeps its data and its file.
        admin
            .post("/api/v1/test/clock", &json!({"seconds": 40 * 24 * 3600}))
            .await;
        let admin = Client::login(&server, "admin", PW).await;
        let mut removed = false;
        for _ in 0..100 {
            let d = admin
                .get(&format!("/api/v1/needs/{done_id}?reason={REASON}"))
                .await;
            if d.body["anonymised_at"].is_string() {
                assert_eq!(d.body["description"], "");
                assert_eq!(d.body["category"], "mediation");
                removed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(removed, "{name}: the finished case was not anonymised");
        let r = admin
            .get(&format!("/api/v1/attachments/{sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 410, "{name}: {:?}", r.body);
        let d = admin
            .get(&format!("/api/v1/needs/{active_id}?reason={REASON}"))
            .await;
        assert_eq!(d.body["description"], "case still open", "{name}");
        assert!(d.body.get("anonymised_at").is_none());
        let r = admin
            .get(&format!("/api/v1/attachments/{active_sha}?reason={REASON}"))
            .await;
        assert_eq!(r.status, 200, "{name}: a file of an open case stays");
        // The audit entries written 40 days ago are kept (60 days)...
        assert!(!audit(&admin, "need", &done_id.to_string()).await.is_empty());
        // ...and are gone after 70.
        admin
            .post("/api/v1/test/clock", &json!({"seconds": 30 * 24 * 3600}))
            .await;
        let admin = Client::login(&server, "admin", PW).await;
        let mut gone = false;
        for _ in 0..100 {
            let entries = audit(&admin, "need", &done_id.to_string()).await;
            // The read of day 0 is past 60 days; those of day 40 are not.
            if !entries.iter().any(|e| e["id"] == first_read) {
                assert!(!entries.is_empty(), "{name}: newer entries stay");
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(gone, "{name}: old audit entries were not deleted");
        server.stop();
    }
}

#[tokio::test]
async fn open311_clients_send_the_requesters_consent() {
    for backend in backends() {
        let name = backend.name();
        let dir = tempfile::tempdir().unwrap();
        let server = setup(&backend, dir.path(), &[]).await;
        let admin = Client::login(&server, "admin", PW).await;
        let public = Client::new(&server);
        let issued = admin
            .post("/api/v1/open311-keys", &json!({"name": "浙里办测试"}))
            .await;
        assert_eq!(issued.status, 201, "{:?}", issued.body);
        let key = issued.body["key"].as_str().unwrap().to_string();
        let base: Vec<(&str, &str)> = vec![
            ("api_key", &key),
            ("service_code", "mediation"),
            ("lat", "27.931853"),
            ("long", "120.82023"),
            ("first_name", "四"),
            ("last_name", "李"),
            ("phone", "13812345678"),
            ("attribute[dispute_type]", "neighbour"),
            ("attribute[other_party]", "王五"),
            ("attribute[facts]", "楼上装修噪音持续三个月，协商未果。"),
            ("attribute[claim]", "停止夜间施工"),
        ];
        let post = |pairs: Vec<(&str, &str)>| {
            let body = lawcircle_e2e::form_encode(&pairs);
            let c = public.clone();
            async move {
                c.send(
                    c.http
                        .post(format!("{}/open311/v2/requests.json", c.base))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body),
                )
                .await
            }
        };
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut p = base.clone();
            p.extend_from_slice(extra);
            p
        };
        for (extra, says) in [
            (vec![], "consent was not provided"),
            (
                vec![("consent", "false"), ("consent_notice_version", "2025-01")],
                "consent must be true",
            ),
            (vec![("consent", "true")], "consent_notice_version"),
            (
                vec![
                    ("consent", "true"),
                    ("consent_notice_version", "2025-01"),
                    ("consent_at", "yesterday"),
                ],
                "consent_at",
            ),
        ] {
            let r = post(with(&extra)).await;
            assert_eq!(r.status, 400, "{name} {extra:?}: {:?}", r.body);
            let d = r.body[0]["description"].as_str().unwrap();
            assert!(d.contains(says), "{name}: {d}");
        }
        let r = post(with(&[
            ("consent", "true"),
            ("consent_notice_version", "zlb-privacy-2025-01"),
            ("consent_at", "2025-03-03T10:00:00+08:00"),
        ]))
        .await;
        assert_eq!(r.status, 201, "{name}: {:?}", r.body);
        let e = admin
            .post(
                "/api/v1/personal-data/export",
                &json!({"phone": "13812345678", "reason": "核对同意记录"}),
            )
            .await;
        assert_eq!(e.status, 200, "{:?}", e.body);
        let consent = &e.body["needs"][0]["need"]["consent"];
        assert_eq!(consent["given"], true);
        assert_eq!(consent["notice_version"], "zlb-privacy-2025-01");
        assert_eq!(consent["at"], "2025-03-03T02:00:00Z");
        server.stop();
    }
}

// ---------------------------------------------------------------------
