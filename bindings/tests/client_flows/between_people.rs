//! Flows between residents, volunteers and staff: offers, dispatch, application forms, ratings.

use super::*;

/// The volunteer's and the resident's phones, and where the volunteer
/// stands (at the duty post).
fn volunteer_and_resident(
    server: &Server,
    dir: &std::path::Path,
    people: &People,
) -> (Arc<LawCircleClient>, Arc<LawCircleClient>, Point) {
    let volunteer = phone(
        &server.base_url,
        dir,
        "volunteer",
        &people.volunteer.password,
    );
    let resident = phone(&server.base_url, dir, "resident", &people.resident.password);
    (volunteer, resident, at_post(people))
}

/// Files a need of `category` from the resident's phone and returns the
/// order it became, from the outbox's receipt.
async fn file_need(resident: &LawCircleClient, category: NeedCategory, people: &People) -> String {
    let key = resident
        .submit_need(need_form(category, &people.village_code))
        .await
        .unwrap();
    resident.sync(30_000, None).await.unwrap();
    let receipt: serde_json::Value =
        serde_json::from_str(&resident.outbox_entry(key).unwrap().result.unwrap()).unwrap();
    receipt["order_id"].as_str().unwrap().to_string()
}

#[derive(Default)]
struct Orders {
    offers: Mutex<Vec<Vec<OrderSummary>>>,
}

impl OrderListener for Orders {
    fn on_offers(&self, offers: Vec<OrderSummary>) {
        self.offers.lock().unwrap().push(offers);
    }
    fn on_assigned(&self, _order: OrderSummary) {}
    fn on_disconnected(&self, _reason: String) {}
}

impl Orders {
    fn wait_for_offer(&self, order_id: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self
                .offers
                .lock()
                .unwrap()
                .iter()
                .any(|o| o.iter().any(|x| x.id == order_id))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_an_order_offer_grab_it_resolve_it_and_rate_it() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let (volunteer, resident, here) = volunteer_and_resident(&server, dir.path(), &people);
    let listener = Arc::new(Orders::default());
    let handle = volunteer.watch_orders(here, listener.clone()).unwrap();
    let order_id = file_need(&resident, NeedCategory::Consultation, &people).await;
    let l = listener.clone();
    let id = order_id.clone();
    assert!(
        tokio::task::spawn_blocking(move || l.wait_for_offer(&id))
            .await
            .unwrap(),
        "the offer reached the volunteer's listener"
    );
    let grabbed = volunteer.grab_order(order_id.clone(), here).await.unwrap();
    assert_eq!(grabbed.state, OrderState::Claimed);
    assert_eq!(
        grabbed.assignee.as_deref(),
        Some(people.volunteer.id.to_string().as_str())
    );
    // The holder reads the requester's contact, with a reason (audited).
    let err = volunteer
        .requester_contact(order_id.clone(), " ".to_string())
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "reason"));
    let contact = volunteer
        .requester_contact(order_id.clone(), "电话联系当事人了解情况".to_string())
        .await
        .unwrap();
    assert_eq!(
        (contact.order_id.as_str(), contact.phone.as_str()),
        (order_id.as_str(), "13812345678")
    );
    // A second grab is a conflict.
    let err = volunteer
        .grab_order(order_id.clone(), here)
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::Conflict { .. }), "{err:?}");
    volunteer.start_order(order_id.clone()).await.unwrap();
    let resolved = volunteer
        .resolve_order(order_id.clone(), "已解答".to_string())
        .await
        .unwrap();
    assert_eq!(resolved.state, OrderState::Resolved);
    // The resident rates it, once.
    let err = resident
        .rate_order(order_id.clone(), 9, None)
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "score"));
    let rated = resident
        .rate_order(order_id.clone(), 5, Some("很专业".to_string()))
        .await
        .unwrap();
    assert_eq!(rated.state, OrderState::Evaluated, "{rated:?}");
    let err = resident
        .rate_order(order_id.clone(), 4, None)
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::Conflict { .. }), "{err:?}");
    handle.cancel();
    server.stop();
}

#[tokio::test]
async fn a_catalogue_shipped_with_the_app_is_searchable_before_any_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let client = open("http://127.0.0.1:9", dir.path());
    let csv = lawcircle_e2e::repo_root().join("data/longwan/facilities.csv");
    let n = client
        .install_catalogue_file(csv.to_string_lossy().into_owned())
        .await
        .unwrap();
    assert!(n > 100, "{n}");
    let status = client.offline_status().unwrap();
    assert_eq!((status.facilities, status.catalogue_version), (n, 0));
    let found = client
        .nearest(query(
            Point {
                lat: 27.93,
                lng: 120.815,
                datum: Datum::Gcj02,
            },
            3,
            &[FacilityKind::LawFirm],
            &[],
        ))
        .unwrap();
    assert_eq!(found.len(), 3);
    assert!(
        found
            .iter()
            .all(|p| p.kind == FacilityKind::LawFirm && p.point.datum == Datum::Gcj02)
    );
    let err = client
        .install_catalogue_file(dir.path().join("none.txt").to_string_lossy().into_owned())
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "path"));
    // Nothing was lost by the refused file.
    assert_eq!(client.offline_status().unwrap().facilities, n);
}

#[tokio::test]
async fn an_application_form_from_the_server_is_checked_on_the_phone_and_filed_as_a_need() {
    use lawcircle_ffi::{AnswerInput, ApplicationInput, DocumentKind, FormAnswer, FormWidget};
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    let n = client.refresh_service_forms().await.unwrap();
    assert!(n >= 5, "{n}");
    let forms = client.service_forms().unwrap();
    assert!(forms.iter().any(|f| f.service_code == "legal_aid"));
    let form = client.service_form("mediation".to_string()).unwrap();
    assert_eq!(form.need_category, NeedCategory::Mediation);
    assert!(!form.is_legal_aid);
    let reconsideration = client
        .service_form("admin_reconsideration".to_string())
        .unwrap();
    assert_eq!(
        reconsideration.need_category,
        NeedCategory::AdministrativeReconsideration
    );
    let dispute = form
        .fields
        .iter()
        .find(|f| f.code == "dispute_type")
        .unwrap();
    assert_eq!(dispute.widget, FormWidget::SingleSelect);
    assert!(dispute.required && dispute.choices.iter().any(|c| c.key == "neighbour"));
    let answer = |field: &str, text: &str| FormAnswer {
        field: field.to_string(),
        value: AnswerInput::Text {
            text: text.to_string(),
        },
    };
    // One field at a time, as the user leaves it.
    let bad = client
        .check_form_answer(
            "mediation".to_string(),
            form.version,
            answer("other_party_phone", "12"),
        )
        .unwrap();
    assert_eq!(bad.unwrap().field, "other_party_phone");
    let unknown_choice = client
        .check_form_answer(
            "mediation".to_string(),
            form.version,
            answer("dispute_type", "duel"),
        )
        .unwrap();
    assert!(unknown_choice.is_some());
    // The whole form: every missing required answer at once.
    let problems = client
        .validate_application("mediation".to_string(), form.version, vec![])
        .unwrap();
    let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
    for required in ["dispute_type", "other_party", "facts", "claim"] {
        assert!(fields.contains(&required), "{fields:?}");
    }
    let answers = vec![
        answer("dispute_type", "neighbour"),
        answer("other_party", "隔壁住户"),
        answer("facts", "楼上装修噪音持续三个月，多次协商无果"),
        answer("claim", "停止夜间施工"),
    ];
    assert!(
        client
            .validate_application("mediation".to_string(), form.version, answers.clone())
            .unwrap()
            .is_empty()
    );
    // Legal aid: the pre-assessment and the documents still missing.
    let legal_aid = client
        .service_form(lawcircle_ffi::legal_aid_service_code())
        .unwrap();
    assert!(legal_aid.is_legal_aid);
    assert_eq!(legal_aid.need_category, NeedCategory::LegalAid);
    let assessment = client
        .legal_aid_assessment(legal_aid.version, vec![], vec![DocumentKind::IdCard])
        .unwrap();
    assert!(
        !assessment
            .missing_documents
            .iter()
            .any(|d| d.kind == DocumentKind::IdCard)
    );
    assert!(
        assessment
            .missing_documents
            .iter()
            .any(|d| d.kind == DocumentKind::CaseMaterials)
    );
    // Filed as a need through the outbox; the server re-checks and keeps it.
    let mut need = need_form(NeedCategory::Mediation, &people.village_code);
    need.application = Some(ApplicationInput {
        service_code: "mediation".to_string(),
        version: form.version,
        answers: vec![answer("dispute_type", "duel")],
        documents: vec![],
    });
    let err = client.submit_need(need.clone()).await.unwrap_err();
    assert!(
        matches!(err, LawCircleError::InvalidInput { ref field, .. } if field.starts_with("application.answers.")),
        "{err:?}"
    );
    need.application = Some(ApplicationInput {
        service_code: "mediation".to_string(),
        version: form.version,
        answers,
        documents: vec![],
    });
    let key = client.submit_need(need).await.unwrap();
    let report = client.sync(30_000, None).await.unwrap();
    assert_eq!(
        (report.sent, report.wedged),
        (1, 0),
        "{:?}",
        client.outbox_entries()
    );
    let receipt: serde_json::Value =
        serde_json::from_str(&client.outbox_entry(key).unwrap().result.unwrap()).unwrap();
    let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
    let need_id = receipt["need_id"]
        .as_i64()
        .or(receipt["id"].as_i64())
        .unwrap();
    let detail = staff
        .get(&format!(
            "/api/v1/needs/{need_id}?reason=%E6%A0%B8%E5%AE%9E%E7%94%B3%E8%AF%B7%E6%9D%90%E6%96%99"
        ))
        .await;
    assert_eq!(detail.status, 200, "{:?}", detail.body);
    assert_eq!(
        detail.body["application"]["service_code"], "mediation",
        "{:?}",
        detail.body
    );
    server.stop();
}

#[derive(Default)]
struct Assigned(Mutex<Vec<OrderSummary>>);

impl OrderListener for Assigned {
    fn on_offers(&self, _offers: Vec<OrderSummary>) {}
    fn on_assigned(&self, order: OrderSummary) {
        self.0.lock().unwrap().push(order);
    }
    fn on_disconnected(&self, _reason: String) {}
}

impl Assigned {
    fn wait_for(&self, n: usize) -> Vec<OrderSummary> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = self.0.lock().unwrap().clone();
            if seen.len() >= n || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatched_order_reaches_the_listener_is_declined_then_accepted_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let (volunteer, resident, here) = volunteer_and_resident(&server, dir.path(), &people);
    let listener = Arc::new(Assigned::default());
    let handle = volunteer.watch_orders(here, listener.clone()).unwrap();
    // A mediation is a service order: staff dispatch it (派单).
    let order_id = file_need(&resident, NeedCategory::Mediation, &people).await;
    let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
    let assign = |version: serde_json::Value| {
        serde_json::json!({"event": {"event": "assign",
            "assignee": people.volunteer.id.to_string()}, "version": version})
    };
    let o = staff.get(&format!("/api/v1/orders/{order_id}")).await.body;
    let r = staff
        .post(
            &format!("/api/v1/orders/{order_id}/events"),
            &assign(o["version"].clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let l = listener.clone();
    let seen = tokio::task::spawn_blocking(move || l.wait_for(1))
        .await
        .unwrap();
    assert_eq!(seen.len(), 1, "the assignment reached the phone");
    assert_eq!(
        (seen[0].id.as_str(), seen[0].state),
        (order_id.as_str(), OrderState::Assigned)
    );
    // A decline needs a reason.
    let err = volunteer
        .decline_order(order_id.clone(), " ".to_string())
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "reason"));
    let declined = volunteer
        .decline_order(order_id.clone(), "利益冲突".to_string())
        .await
        .unwrap();
    assert_ne!(declined.state, OrderState::Assigned, "{declined:?}");
    assert_eq!(declined.assignee, None, "{declined:?}");
    // Dispatched again: accepted and resolved.
    let r = staff
        .post(
            &format!("/api/v1/orders/{order_id}/events"),
            &assign(serde_json::json!(declined.version)),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let l = listener.clone();
    assert_eq!(
        tokio::task::spawn_blocking(move || l.wait_for(2))
            .await
            .unwrap()
            .len(),
        2
    );
    let accepted = volunteer.accept_order(order_id.clone()).await.unwrap();
    assert_eq!(accepted.state, OrderState::InProgress, "{accepted:?}");
    let mine = volunteer.my_orders().await.unwrap();
    assert!(mine.iter().any(|o| o.id == order_id), "{mine:?}");
    let resolved = volunteer
        .resolve_order(order_id.clone(), "已调解成功".to_string())
        .await
        .unwrap();
    assert_eq!(resolved.state, OrderState::Resolved);
    handle.cancel();
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_by_sms_code_file_follow_and_rate_and_the_holder_shows_the_rating_link() {
    use lawcircle_e2e::fake_sms::{CODE_TEMPLATE, FakeSms};
    use lawcircle_ffi::SmsCodePurpose;
    let fake = FakeSms::start().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = sqlite(dir.path());
    let mut args = vec!["--demo".to_string()];
    args.extend(fake.server_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start(&storage, &refs);
    let people = seed_people(&server.base_url, &storage).await.unwrap();
    let (volunteer, _, _) = volunteer_and_resident(&server, dir.path(), &people);

    // A new phone: a code, then the account.
    let number = "13700003333";
    let newcomer = phone(&server.base_url, dir.path(), number, "a long passphrase");
    let err = newcomer
        .request_sms_code("12345".to_string(), SmsCodePurpose::Register)
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "phone"));
    let sent = newcomer
        .request_sms_code(number.to_string(), SmsCodePurpose::Register)
        .await
        .unwrap();
    assert_eq!(sent.resend_after_secs, 60);
    let code = fake.wait_for(number, CODE_TEMPLATE).await["code"].clone();
    let err = newcomer
        .register(
            number.to_string(),
            "12".to_string(),
            "陈女士".to_string(),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "code"));
    let account = newcomer
        .register(
            number.to_string(),
            code,
            "陈女士".to_string(),
            Some("a long passphrase".to_string()),
        )
        .await
        .unwrap();
    assert_eq!(account.role, Role::Resident);
    assert_eq!(newcomer.account().map(|a| a.id), Some(account.id));
    // A second code within the minute: the per-number limit.
    let err = newcomer
        .request_sms_code(number.to_string(), SmsCodePurpose::SignIn)
        .await
        .unwrap_err();
    assert!(
        matches!(err, LawCircleError::Server { status: 429, .. }),
        "{err:?}"
    );

    // They file a need for themselves and follow it.
    let mut form = need_form(NeedCategory::Mediation, &people.village_code);
    form.requester_name = "陈女士".to_string();
    form.requester_phone = number.to_string();
    let key = newcomer.submit_need(form).await.unwrap();
    newcomer.sync(30_000, None).await.unwrap();
    let receipt: serde_json::Value =
        serde_json::from_str(&newcomer.outbox_entry(key).unwrap().result.unwrap()).unwrap();
    let order_id = receipt["order_id"].as_str().unwrap().to_string();
    let mine = newcomer.my_needs().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(!mine[0].may_rate);

    // Dispatched to the volunteer, who resolves it and shows the link.
    let staff = lawcircle_e2e::Client::login(&server, "staff", &people.staff.password).await;
    let o = staff.get(&format!("/api/v1/orders/{order_id}")).await.body;
    let r = staff
        .post(
            &format!("/api/v1/orders/{order_id}/events"),
            &serde_json::json!({"event": {"event": "assign", "assignee": people.volunteer.id.to_string()},
                                "version": o["version"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let err = volunteer.rating_link(order_id.clone()).await.unwrap_err();
    assert!(
        matches!(
            err,
            LawCircleError::Server { status: 403, .. } | LawCircleError::Conflict { .. }
        ),
        "not before it is resolved: {err:?}"
    );
    volunteer.accept_order(order_id.clone()).await.unwrap();
    volunteer
        .resolve_order(order_id.clone(), "已调解".to_string())
        .await
        .unwrap();
    let link = volunteer.rating_link(order_id.clone()).await.unwrap();
    assert!(
        link.url.starts_with(&format!("{}/r/", server.base_url)),
        "{link:?}"
    );
    assert_eq!(link.order_id, order_id);
    // The server's QR matrix comes through as it was made.
    let side = link.qr.size as usize;
    assert!(side >= 21 && (side - 21).is_multiple_of(4), "{link:?}");
    assert_eq!(link.qr.modules.len(), side * side, "{link:?}");
    assert!(link.qr.modules.bytes().all(|b| b == b'0' || b == b'1'));
    let err = newcomer.rating_link(order_id.clone()).await.unwrap_err();
    assert!(
        matches!(err, LawCircleError::Server { status: 403, .. }),
        "{err:?}"
    );
    // The holder cannot rate it; its requester can, once.
    let err = volunteer
        .rate_order(order_id.clone(), 5, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, LawCircleError::Server { status: 403, .. }),
        "{err:?}"
    );
    assert!(newcomer.my_needs().await.unwrap()[0].may_rate);
    let rated = newcomer
        .rate_order(order_id.clone(), 5, Some("很耐心".to_string()))
        .await
        .unwrap();
    assert_eq!(rated.state, OrderState::Evaluated);
    let mine = newcomer.my_needs().await.unwrap();
    assert!(!mine[0].may_rate);
    // The need tells its history: received, dispatched, taken on,
    // resolved, rated, each with the state it led to, oldest first.
    let steps: Vec<(NeedStepKind, OrderState)> =
        mine[0].history.iter().map(|s| (s.what, s.state)).collect();
    assert_eq!(
        steps,
        [
            (NeedStepKind::Received, OrderState::Submitted),
            (NeedStepKind::Opened, OrderState::Open),
            (NeedStepKind::Dispatched, OrderState::Assigned),
            (NeedStepKind::Accepted, OrderState::InProgress),
            (NeedStepKind::Resolved, OrderState::Resolved),
            (NeedStepKind::Rated, OrderState::Evaluated),
        ]
    );
    assert_eq!(mine[0].history[0].at_ms, mine[0].received_at_ms);
    assert!(mine[0].history.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    server.stop();
}

/// The volunteer's phone registers a push endpoint after sign-in, reads
/// the server's VAPID key, and unregisters it; bad keys are refused with
/// the field named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_endpoints_register_and_unregister() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let phone = phone(
        &server.base_url,
        dir.path(),
        &people.volunteer.username,
        &people.volunteer.password,
    );
    phone.sign_in().await.unwrap();
    let key = phone.push_server_key().await.unwrap();
    assert_eq!(key.len(), 87, "65 bytes in base64url: {key}");
    // A loopback endpoint where nothing listens: nothing leaves the machine.
    let p256dh = format!("B{}", "A".repeat(86));
    let id = phone
        .register_push_endpoint(
            "https://127.0.0.1:9/push/phone-1".into(),
            p256dh.clone(),
            "A".repeat(22),
        )
        .await
        .unwrap();
    assert!(id > 0);
    match phone
        .register_push_endpoint(
            "https://127.0.0.1:9/push/phone-2".into(),
            "xx".into(),
            "A".repeat(22),
        )
        .await
    {
        Err(e) => assert!(format!("{e:?}").contains("p256dh"), "{e:?}"),
        Ok(id) => panic!("registered with a bad key: {id}"),
    }
    phone.unregister_push_endpoint(id).await.unwrap();
    assert!(phone.unregister_push_endpoint(id).await.is_err());
    server.stop();
}
