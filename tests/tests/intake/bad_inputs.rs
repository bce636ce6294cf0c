//! Bad inputs, refused with their field on the phone and on the server; pulls; scoped, masked and audited reads.

use super::*;

// ---------------------------------------------------------------------
// Bad inputs, refused with their field on the phone and on the server
// ---------------------------------------------------------------------

/// A change that makes a good need bad in one field.
type Mutation = Box<dyn Fn(&mut NeedDraft)>;

fn bad_cases() -> Vec<(&'static str, &'static str, Mutation)> {
    let future = Utc::now() + chrono::Duration::hours(2);
    let good_att = |n: u8| AttachmentRef {
        sha256: format!("{:064x}", n),
        media_type: "image/png".into(),
        size: 100,
    };
    vec![
        (
            "bad phone",
            "requester.phone",
            Box::new(|d: &mut NeedDraft| d.requester.phone = "12345".into()),
        ),
        (
            "landline",
            "requester.phone",
            Box::new(|d: &mut NeedDraft| d.requester.phone = "0577-88886666".into()),
        ),
        (
            "mobile starting 12",
            "requester.phone",
            Box::new(|d: &mut NeedDraft| d.requester.phone = "12812341234".into()),
        ),
        (
            "ID check digit",
            "requester.id_number",
            Box::new(|d: &mut NeedDraft| d.requester.id_number = Some("110105194912310021".into())),
        ),
        (
            "ID birth date",
            "requester.id_number",
            Box::new(|d: &mut NeedDraft| d.requester.id_number = Some("110105194913310028".into())),
        ),
        (
            "ID too short",
            "requester.id_number",
            Box::new(|d: &mut NeedDraft| d.requester.id_number = Some("1101051949".into())),
        ),
        (
            "no consent",
            "consent.given",
            Box::new(|d: &mut NeedDraft| d.consent.given = false),
        ),
        (
            "consent in the future",
            "consent.at",
            Box::new(move |d: &mut NeedDraft| d.consent.at = future),
        ),
        (
            "entered in the future",
            "entered.at",
            Box::new(move |d: &mut NeedDraft| d.entered.at = future),
        ),
        (
            "empty description",
            "description",
            Box::new(|d: &mut NeedDraft| d.description = "   ".into()),
        ),
        (
            "description too long",
            "description",
            Box::new(|d: &mut NeedDraft| d.description = "字".repeat(5001)),
        ),
        (
            "empty name",
            "requester.name",
            Box::new(|d: &mut NeedDraft| d.requester.name = " ".into()),
        ),
        (
            "name too long",
            "requester.name",
            Box::new(|d: &mut NeedDraft| d.requester.name = "名".repeat(65)),
        ),
        (
            "credit code check",
            "requester.enterprise.credit_code",
            Box::new(|d: &mut NeedDraft| {
                d.requester.enterprise = Some(Enterprise {
                    name: "某公司".into(),
                    credit_code: "91350100M000100Y44".into(),
                })
            }),
        ),
        (
            "credit code letter O",
            "requester.enterprise.credit_code",
            Box::new(|d: &mut NeedDraft| {
                d.requester.enterprise = Some(Enterprise {
                    name: "某公司".into(),
                    credit_code: "9135010OM000100Y43".into(),
                })
            }),
        ),
        (
            "enterprise without name",
            "requester.enterprise.name",
            Box::new(|d: &mut NeedDraft| {
                d.requester.enterprise = Some(Enterprise {
                    name: "".into(),
                    credit_code: "91350100M000100Y43".into(),
                })
            }),
        ),
        (
            "check-up without enterprise",
            "requester.enterprise",
            Box::new(|d: &mut NeedDraft| d.category = NeedCategory::EnterpriseCheckup),
        ),
        (
            "empty address",
            "location.address",
            Box::new(|d: &mut NeedDraft| d.location.address = "".into()),
        ),
        (
            "area code not digits",
            "location.area_code",
            Box::new(|d: &mut NeedDraft| d.location.area_code = "yongzhong".into()),
        ),
        (
            "latitude out of range",
            "location.point",
            Box::new(|d: &mut NeedDraft| {
                if let Some(p) = d.location.point.as_mut() {
                    p.lat = 200.0
                }
            }),
        ),
        (
            "lat/lng swapped",
            "location.point",
            Box::new(|d: &mut NeedDraft| {
                if let Some(p) = d.location.point.as_mut() {
                    std::mem::swap(&mut p.lat, &mut p.lng)
                }
            }),
        ),
        (
            "entered point out of range",
            "entered.point",
            Box::new(|d: &mut NeedDraft| {
                d.entered.point = Some(lawcircle_core::geo::coord::GeoPoint {
                    lat: 0.0,
                    lng: 999.0,
                    datum: lawcircle_core::geo::coord::Datum::Gcj02,
                })
            }),
        ),
        (
            "attachment hash not hex",
            "attachments[0].sha256",
            Box::new(|d: &mut NeedDraft| {
                d.attachments = vec![AttachmentRef {
                    sha256: "photo.jpg".into(),
                    media_type: "image/jpeg".into(),
                    size: 10,
                }]
            }),
        ),
        (
            "attachment type not allowed",
            "attachments[0].media_type",
            Box::new(move |d: &mut NeedDraft| {
                d.attachments = vec![AttachmentRef {
                    media_type: "application/x-msdownload".into(),
                    ..good_att(1)
                }]
            }),
        ),
        (
            "attachment too large",
            "attachments[0].size",
            Box::new(move |d: &mut NeedDraft| {
                d.attachments = vec![AttachmentRef {
                    size: MAX_ATTACHMENT_BYTES as u64 + 1,
                    ..good_att(1)
                }]
            }),
        ),
        (
            "too many attachments",
            "attachments",
            Box::new(move |d: &mut NeedDraft| d.attachments = (1..=11).map(good_att).collect()),
        ),
        (
            "same file twice",
            "attachments[1].sha256",
            Box::new(move |d: &mut NeedDraft| d.attachments = vec![good_att(1), good_att(1)]),
        ),
    ]
}

#[tokio::test]
async fn bad_inputs_are_refused_with_their_field_on_the_phone_and_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path()).await;
    let lawyer = Client::login(&server, "lawyer", PW).await;
    let outbox = Outbox::open(&dir.path().join("phone.sqlite")).unwrap();
    let cases = bad_cases();
    assert!(cases.len() >= 20);
    for (name, field, mutate) in &cases {
        let mut d = need_draft(name);
        mutate(&mut d);
        // On the phone: the form gets exactly this field.
        let errs = d.validate(Utc::now()).unwrap_err();
        assert_eq!(
            errs.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            vec![*field],
            "{name}"
        );
        assert!(outbox.enqueue_need(name, &d, &[], Utc::now()).is_err());
        // On the server: 400 naming the same field, all fields in details.
        let r = post_need(
            &lawyer,
            Some(&uuid::Uuid::now_v7().to_string()),
            &serde_json::to_value(&d).unwrap(),
        )
        .await;
        assert_eq!(r.status, 400, "{name}: {:?}", r.body);
        assert_eq!(error_code(&r), "bad_request");
        assert_eq!(r.body["error"]["field"], *field, "{name}: {:?}", r.body);
        assert_eq!(r.body["error"]["details"]["fields"][0]["field"], *field);
    }
    assert_eq!(outbox.counts().unwrap().not_sent, 0);

    // What only the server knows.
    let key = || uuid::Uuid::now_v7().to_string();
    let mut d = need_draft("unknown area");
    d.location.area_code = "330303999999".into();
    let r = post_need(&lawyer, Some(&key()), &serde_json::to_value(&d).unwrap()).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].clone()),
        (400, json!("location.area_code"))
    );
    let mut d = need_draft("not uploaded");
    d.attachments = vec![AttachmentRef {
        sha256: format!("{:064x}", 7),
        media_type: "image/png".into(),
        size: 10,
    }];
    let r = post_need(&lawyer, Some(&key()), &serde_json::to_value(&d).unwrap()).await;
    assert_eq!(r.body["error"]["field"], "attachments[0].sha256");
    let mut v = serde_json::to_value(need_draft("bad category")).unwrap();
    v["category"] = json!("divorce_party");
    let r = post_need(&lawyer, Some(&key()), &v).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].clone()),
        (400, json!("category"))
    );
    let mut v = serde_json::to_value(need_draft("missing consent")).unwrap();
    v.as_object_mut().unwrap().remove("consent");
    let r = post_need(&lawyer, Some(&key()), &v).await;
    assert_eq!(r.status, 400);
    assert!(serde_json::from_value::<NeedDraft>(v).is_err());

    // Attachments: checked by content on the phone and again on the server.
    let put = |bytes: Vec<u8>, sha: String, ct: &'static str| {
        let c = lawyer.clone();
        async move {
            c.send(
                c.http
                    .put(format!("{}/api/v1/attachments/{sha}", c.base))
                    .header("content-type", ct)
                    .body(bytes),
            )
            .await
        }
    };
    let sha = lawcircle_core::content::sha256_hex;
    let mut oversized = vec![0xFF, 0xD8, 0xFF, 0xE0];
    oversized.resize(MAX_ATTACHMENT_BYTES + 1, 0);
    let exe = b"MZ\x90\x00\x03 this is a program".to_vec();
    let png = b"\x89PNG\r\n\x1a\n a real png".to_vec();
    for (name, bytes, ct, field) in [
        ("oversized", oversized, "image/jpeg", "attachment"),
        ("not its claimed type", exe, "image/jpeg", "attachment"),
        (
            "png claimed as jpeg",
            png.clone(),
            "image/jpeg",
            "media_type",
        ),
    ] {
        assert_eq!(
            check_attachment(&bytes, Some(ct)).unwrap_err().field,
            field,
            "{name}"
        );
        assert!(
            outbox
                .enqueue_need(
                    name,
                    &need_draft(name),
                    &[(bytes.clone(), Some(ct.into()))],
                    Utc::now()
                )
                .is_err()
        );
        let r = put(bytes.clone(), sha(&bytes), ct).await;
        assert_eq!(r.status, 400, "{name}: {:?}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{name}");
    }
    let r = put(png.clone(), sha(b"other"), "image/png").await;
    assert_eq!(r.body["error"]["field"], "sha256");
    let r = put(png.clone(), "XYZ".into(), "image/png").await;
    assert_eq!(r.body["error"]["field"], "sha256");
}

// ---------------------------------------------------------------------
// Pulling deltas
// ---------------------------------------------------------------------

#[tokio::test]
async fn pulls_use_the_version_cursor_and_etags() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path()).await;
    let resident = Client::login(&server, "resident", PW).await;
    let outbox =
        Arc::new(Outbox::open_with(&dir.path().join("phone.sqlite"), fast_policy()).unwrap());
    let client = sync_client(&outbox, &server.base_url, &token(&resident), 2);

    let all = client.pull_facilities(None).await.unwrap();
    assert!(!all.features.is_empty());
    assert!(all.version > 0);
    let delta = client.pull_facilities(Some(all.version)).await.unwrap();
    assert!(delta.features.is_empty());
    assert_eq!(delta.version, all.version);

    let Pulled::Fresh { etag, body } = client.pull_needs(None).await.unwrap() else {
        panic!("first pull must carry a body");
    };
    assert!(body.items.is_empty());
    let etag = etag.expect("an ETag");
    assert_eq!(
        client.pull_needs(Some(&etag)).await.unwrap(),
        Pulled::NotModified
    );
    let key = outbox
        .enqueue_need("mine", &need_draft("mine"), &[], Utc::now())
        .unwrap();
    client
        .push_until_idle(Duration::from_secs(20))
        .await
        .unwrap();
    let Pulled::Fresh { body, .. } = client.pull_needs(Some(&etag)).await.unwrap() else {
        panic!("a new need changes the list");
    };
    let items = body.items;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].client_key, key);
    assert_eq!(items[0].status, "submitted");
    assert_eq!(
        items[0].order_state,
        Some(lawcircle_core::orders::order::OrderState::Open)
    );
}

// ---------------------------------------------------------------------
// Scopes, masking, audited contact reads
// ---------------------------------------------------------------------

#[tokio::test]
async fn needs_are_scoped_by_role_masked_in_lists_and_contact_reads_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let server = setup(&Backend::Sqlite, dir.path()).await;
    let resident = Client::login(&server, "resident", PW).await;
    let r = post_need(
        &resident,
        Some(&uuid::Uuid::now_v7().to_string()),
        &serde_json::to_value(need_draft("scoped")).unwrap(),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();

    let count = |c: Client| async move {
        c.get("/api/v1/needs").await.body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    for (user, n) in [
        ("resident", 1),
        ("resident2", 0),
        ("lawyer", 0),
        ("staff1", 1),
        ("staff2", 0),
        ("admin", 1),
    ] {
        let c = Client::login(&server, user, PW).await;
        assert_eq!(count(c).await, n, "{user}");
    }
    let list = resident.get("/api/v1/needs").await;
    let item = &list.body["items"][0];
    assert_eq!(item["requester_phone"], "139****1234");
    assert_eq!(item["requester_name"], "李*");
    assert!(item.get("description").is_none());

    let staff1 = Client::login(&server, "staff1", PW).await;
    // A need's details are read with a reason, and the read is audited.
    let no_reason = staff1.get(&format!("/api/v1/needs/{id}")).await;
    assert_eq!(no_reason.status, 400, "{:?}", no_reason.body);
    assert_eq!(no_reason.body["error"]["field"], "reason");
    let detail = staff1
        .get(&format!(
            "/api/v1/needs/{id}?reason=call%20back%20for%20mediation"
        ))
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["description"], "scoped");
    assert_eq!(detail.body["requester_id_number"], "110***********002X");
    let staff2 = Client::login(&server, "staff2", PW).await;
    assert_eq!(
        staff2
            .get(&format!(
                "/api/v1/needs/{id}?reason=call%20back%20for%20mediation"
            ))
            .await
            .status,
        404
    );

    let no_reason = staff1
        .get(&format!("/api/v1/needs/{id}/contact?reason=x"))
        .await;
    assert_eq!(no_reason.body["error"]["field"], "reason");
    let contact = staff1
        .get(&format!(
            "/api/v1/needs/{id}/contact?reason=call%20back%20for%20mediation"
        ))
        .await;
    assert_eq!(contact.status, 200);
    assert_eq!(contact.body["phone"], "13905771234");
    let admin = Client::login(&server, "admin", PW).await;
    let audit = admin.get("/api/v1/audit").await;
    let entries = audit.body["items"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "read_need_contact"
        && e["subject_id"].as_str() == Some(id.to_string().as_str())
        && e["reason"] == "call back for mediation"));
}
