use super::*;
use lawcircle_core::needs::{
    Channel, Consent, EnteredBy, NeedCategory, NeedDraft, NeedLocation, Requester, Urgency,
};
use std::sync::Mutex as StdMutex;

fn draft(n: usize) -> NeedDraft {
    let now = Utc::now();
    NeedDraft {
        requester: Requester {
            name: "王五".into(),
            phone: "13812341234".into(),
            id_number: None,
            enterprise: None,
        },
        category: NeedCategory::Consultation,
        specialty: None,
        description: format!("need #{n}"),
        urgency: Urgency::Normal,
        location: NeedLocation {
            point: None,
            address: "状元街道".into(),
            area_code: "330303006".into(),
        },
        channel: Channel::OnSite,
        entered: EnteredBy {
            at: now,
            point: None,
            post_id: None,
        },
        consent: Consent {
            given: true,
            at: now,
            notice_version: "v1".into(),
        },
        attachments: vec![],
        application: None,
    }
}

#[derive(Default)]
struct Recorder(StdMutex<Vec<OutboxEvent>>);

impl OutboxListener for Recorder {
    fn on_event(&self, e: &OutboxEvent) {
        if let Ok(mut v) = self.0.lock() {
            v.push(e.clone());
        }
    }
}

fn open(dir: &tempfile::TempDir) -> Outbox {
    Outbox::open_with(
        &dir.path().join("outbox.sqlite"),
        BackoffPolicy {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
            max_retry_after: Duration::from_secs(3600),
        },
    )
    .unwrap()
}

fn sent(result: &str) -> Outcome {
    Outcome::Sent {
        result: result.into(),
    }
}

#[test]
fn migrates_with_user_version_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    assert_eq!(ob.schema_version().unwrap(), 3);
    let mode: String = ob
        .lock()
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Claims read the waiting items in order from the partial index.
    let plan: String = ob
        .lock()
        .unwrap()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT seq FROM outbox o WHERE o.state IN ('not_sent', 'failed') ORDER BY o.seq LIMIT 8",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("outbox_waiting"), "{plan}");
    drop(ob);
    let ob = open(&dir);
    assert_eq!(ob.schema_version().unwrap(), 3);
}

#[test]
fn the_key_is_made_at_enqueue_and_kept_across_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let key = ob.enqueue_need("n1", &draft(1), &[], Utc::now()).unwrap();
    assert!(uuid::Uuid::parse_str(&key).unwrap().get_version_num() == 7);
    for _ in 0..3 {
        let got = ob.claim(10).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].key, key);
        ob.record(&[(
            key.clone(),
            Outcome::Transient {
                error: "503".into(),
                status: Some(503),
                retry_after: None,
            },
        )])
        .unwrap();
        std::thread::sleep(Duration::from_millis(6));
    }
    let it = ob.item(&key).unwrap();
    assert_eq!(it.state, ItemState::Failed);
    assert_eq!(it.attempts, 3);
    let got = ob.claim(10).unwrap();
    ob.record(&[(got[0].key.clone(), sent("{\"id\":1}"))])
        .unwrap();
    assert_eq!(ob.item(&key).unwrap().state, ItemState::Sent);
    assert_eq!(ob.counts().unwrap().pending(), 0);
}

#[test]
fn a_crash_while_sending_resumes_as_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let key = {
        let ob = open(&dir);
        let key = ob.enqueue_need("n1", &draft(1), &[], Utc::now()).unwrap();
        assert_eq!(ob.claim(10).unwrap().len(), 1);
        assert_eq!(ob.item(&key).unwrap().state, ItemState::Sending);
        key
    };
    let ob = open(&dir);
    assert_eq!(ob.item(&key).unwrap().state, ItemState::NotSent);
    assert_eq!(ob.claim(10).unwrap()[0].key, key);
}

#[test]
fn attachments_go_first_and_the_need_waits_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let png = b"\x89PNG\r\n\x1a\nphoto-bytes".to_vec();
    let pdf = b"%PDF-1.4 doc".to_vec();
    let key = ob
        .enqueue_need(
            "n1",
            &draft(1),
            &[(png, Some("image/png".into())), (pdf, None)],
            Utc::now(),
        )
        .unwrap();
    let need = ob.item(&key).unwrap();
    let d: NeedDraft = serde_json::from_slice(&need.payload).unwrap();
    assert_eq!(d.attachments.len(), 2);
    let first = ob.claim(10).unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|i| i.kind == ItemKind::Attachment));
    // One upload done, one failed: the need still waits.
    ob.record(&[
        (first[0].key.clone(), sent("{}")),
        (
            first[1].key.clone(),
            Outcome::Transient {
                error: "x".into(),
                status: None,
                retry_after: None,
            },
        ),
    ])
    .unwrap();
    std::thread::sleep(Duration::from_millis(6));
    let again = ob.claim(10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].kind, ItemKind::Attachment);
    ob.record(&[(again[0].key.clone(), sent("{}"))]).unwrap();
    let last = ob.claim(10).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].key, key);
}

#[test]
fn a_fake_photo_is_refused_on_the_phone() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let err = ob
        .enqueue_need(
            "n1",
            &draft(1),
            &[(b"MZ\x90\x00not a photo".to_vec(), Some("image/jpeg".into()))],
            Utc::now(),
        )
        .unwrap_err();
    assert!(matches!(err, OutboxError::Attachment(ref f) if f.field == "attachments[0]"));
    assert_eq!(ob.counts().unwrap(), Counts::default());
}

#[test]
fn order_is_kept_per_entity_and_a_wedged_item_does_not_hold_up_others() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let a1 = ob.enqueue_need("a", &draft(1), &[], Utc::now()).unwrap();
    let a2 = ob.enqueue_need("a", &draft(2), &[], Utc::now()).unwrap();
    let b1 = ob.enqueue_need("b", &draft(3), &[], Utc::now()).unwrap();
    let got: Vec<String> = ob.claim(10).unwrap().into_iter().map(|i| i.key).collect();
    assert_eq!(got, vec![a1.clone(), b1.clone()]);
    ob.record(&[
        (
            a1.clone(),
            Outcome::Permanent {
                error: "location.area_code: unknown".into(),
                status: 400,
            },
        ),
        (b1.clone(), sent("{}")),
    ])
    .unwrap();
    // a2 waits behind the wedged a1 (same entity); b went through.
    assert!(ob.claim(10).unwrap().is_empty());
    assert_eq!(ob.item(&a1).unwrap().state, ItemState::Wedged);
    assert_eq!(ob.item(&b1).unwrap().state, ItemState::Sent);
    let c = ob.counts().unwrap();
    assert_eq!((c.wedged, c.not_sent, c.sent), (1, 1, 1));
    // The user fixes a1 and retries: both go, in order.
    let mut fixed = draft(1);
    fixed.location.area_code = "330303001".into();
    ob.edit_need(&a1, &fixed, Utc::now()).unwrap();
    let got = ob.claim(10).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].key, a1);
    ob.record(&[(a1.clone(), sent("{}"))]).unwrap();
    assert_eq!(ob.claim(10).unwrap()[0].key, a2);
}

#[test]
fn discarding_a_parent_wedges_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let key = ob
        .enqueue_need(
            "n",
            &draft(1),
            &[(b"%PDF-1.4 x".to_vec(), None)],
            Utc::now(),
        )
        .unwrap();
    let upload = ob.claim(10).unwrap().remove(0);
    ob.record(&[(
        upload.key.clone(),
        Outcome::Permanent {
            error: "415".into(),
            status: 415,
        },
    )])
    .unwrap();
    ob.discard(&upload.key).unwrap();
    assert!(matches!(
        ob.item(&upload.key),
        Err(OutboxError::NotFound(_))
    ));
    assert_eq!(ob.item(&key).unwrap().state, ItemState::Wedged);
}

#[test]
fn every_change_of_state_is_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let rec = Arc::new(Recorder::default());
    ob.set_listener(Some(rec.clone()));
    let key = ob.enqueue_need("n", &draft(1), &[], Utc::now()).unwrap();
    ob.claim(1).unwrap();
    ob.record(&[(
        key.clone(),
        Outcome::Transient {
            error: "503".into(),
            status: Some(503),
            retry_after: Some(Duration::from_millis(2)),
        },
    )])
    .unwrap();
    std::thread::sleep(Duration::from_millis(6));
    ob.claim(1).unwrap();
    ob.record(&[(key.clone(), sent("{}"))]).unwrap();
    let seen: Vec<(Option<ItemState>, ItemState)> = rec
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.from, e.to))
        .collect();
    use ItemState::*;
    assert_eq!(
        seen,
        vec![
            (None, NotSent),
            (Some(NotSent), Sending),
            (Some(Sending), Failed),
            (Some(Failed), Sending),
            (Some(Sending), Sent)
        ]
    );
    let failed = &rec.0.lock().unwrap()[2];
    assert!(failed.retry_in_ms.is_some_and(|ms| ms >= 2));
}

#[test]
fn an_invalid_need_never_enters_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let mut d = draft(1);
    d.consent.given = false;
    let err = ob.enqueue_need("n", &d, &[], Utc::now()).unwrap_err();
    assert!(matches!(err, OutboxError::Invalid(ref e) if e.has("consent.given")));
    assert_eq!(ob.counts().unwrap(), Counts::default());
}

fn import(ob: &Outbox, dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> AttachmentRef {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let r = ob.files().import(&p).unwrap();
    // The app's cache file may go: the outbox has its own copy.
    std::fs::remove_file(&p).unwrap();
    r
}

#[test]
fn files_are_sent_from_the_outbox_copy_which_goes_once_the_server_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let png = import(&ob, &dir, "a.png", b"\x89PNG\r\n\x1a\nphoto-bytes");
    let pdf = import(&ob, &dir, "b.pdf", b"%PDF-1.4 doc");
    let key = ob
        .enqueue_need_files(
            "n1",
            &draft(1),
            &[png.clone(), pdf.clone()],
            None,
            Utc::now(),
        )
        .unwrap();
    let d: NeedDraft = serde_json::from_slice(&ob.item(&key).unwrap().payload).unwrap();
    assert_eq!(d.attachments, vec![png.clone(), pdf.clone()]);
    let uploads = ob.claim(10).unwrap();
    assert_eq!(uploads.len(), 2);
    assert!(uploads.iter().all(|i| i.payload.is_empty()));
    ob.record(&[(uploads[0].key.clone(), sent("{}"))]).unwrap();
    let gone = &uploads[0].entity;
    let kept = &uploads[1].entity;
    assert!(!ob.files().contains(gone));
    assert!(ob.files().contains(kept));
    // A second need with the same photo while its upload waits shares it.
    let again = ob
        .enqueue_need_files(
            "n2",
            &draft(2),
            std::slice::from_ref(&pdf),
            None,
            Utc::now(),
        )
        .unwrap();
    assert_ne!(again, key);
    ob.record(&[(uploads[1].key.clone(), sent("{}"))]).unwrap();
    assert!(!ob.files().contains(kept));
}

#[test]
fn a_need_whose_copy_is_gone_is_refused_and_nothing_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let png = import(&ob, &dir, "a.png", b"\x89PNG\r\n\x1a\nphoto-bytes");
    ob.files().remove(&png.sha256).unwrap();
    let err = ob
        .enqueue_need_files("n1", &draft(1), &[png], None, Utc::now())
        .unwrap_err();
    assert!(matches!(err, OutboxError::Attachment(ref f) if f.field == "attachments[0]"));
    assert_eq!(ob.counts().unwrap(), Counts::default());
}

#[test]
fn drafts_survive_reopening_and_are_consumed_by_their_submission() {
    let dir = tempfile::tempdir().unwrap();
    let (id, png) = {
        let ob = open(&dir);
        let png = import(&ob, &dir, "a.png", b"\x89PNG\r\n\x1a\nphoto-bytes");
        let id = ob
            .save_draft(None, "{\"v\":1}", std::slice::from_ref(&png.sha256))
            .unwrap();
        assert_eq!(
            ob.save_draft(Some(&id), "{\"v\":2}", std::slice::from_ref(&png.sha256))
                .unwrap(),
            id
        );
        (id, png)
    };
    let ob = open(&dir);
    let d = ob.draft(&id).unwrap().unwrap();
    assert_eq!(d.body, "{\"v\":2}");
    assert_eq!(ob.drafts().unwrap(), vec![d]);
    // Old unreferenced copies are swept, a draft's are kept.
    assert_eq!(ob.sweep_files(Duration::ZERO).unwrap(), 0);
    assert!(ob.files().contains(&png.sha256));
    // Submitting queues the need and deletes the draft together.
    ob.enqueue_need_files(
        "n1",
        &draft(1),
        std::slice::from_ref(&png),
        Some(&id),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(ob.draft(&id).unwrap(), None);
    assert!(ob.files().contains(&png.sha256));
    // A draft already submitted cannot be submitted twice.
    let err = ob
        .enqueue_need_files(
            "n2",
            &draft(2),
            std::slice::from_ref(&png),
            Some(&id),
            Utc::now(),
        )
        .unwrap_err();
    assert!(matches!(err, OutboxError::NotFound(_)));
    assert_eq!(ob.counts().unwrap().not_sent, 2);
    assert!(matches!(
        ob.save_draft(Some(&id), "{}", &[]),
        Err(OutboxError::NotFound(_))
    ));
}

#[test]
fn discarding_a_draft_removes_the_copies_only_it_needed() {
    let dir = tempfile::tempdir().unwrap();
    let ob = open(&dir);
    let png = import(&ob, &dir, "a.png", b"\x89PNG\r\n\x1a\nphoto-bytes");
    let pdf = import(&ob, &dir, "b.pdf", b"%PDF-1.4 doc");
    let a = ob
        .save_draft(None, "a", &[png.sha256.clone(), pdf.sha256.clone()])
        .unwrap();
    let b = ob
        .save_draft(None, "b", std::slice::from_ref(&pdf.sha256))
        .unwrap();
    assert!(ob.discard_draft(&a).unwrap());
    assert!(!ob.files().contains(&png.sha256));
    assert!(ob.files().contains(&pdf.sha256));
    // Dropping the photo from a draft releases it too.
    ob.save_draft(Some(&b), "b", &[]).unwrap();
    assert!(!ob.files().contains(&pdf.sha256));
    assert!(!ob.discard_draft(&a).unwrap());
}
