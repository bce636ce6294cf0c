//! Attachments as file paths and need drafts: a bad file is refused with
//! its reason and nothing is queued; a good one is copied once and sent
//! from the copy; a draft survives the app being killed.

use super::*;

fn path(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

fn attach(p: &std::path::Path) -> AttachmentInput {
    AttachmentInput {
        path: path(p),
        display_name: None,
    }
}

/// The library's attachment copies beside its database.
fn copies(dir: &std::path::Path, who: &str) -> Vec<std::path::PathBuf> {
    let root = dir.join(format!("{who}/lawcircle.sqlite.attachments"));
    let Ok(subdirs) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    subdirs
        .flatten()
        .filter(|d| d.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .map(|f| f.path())
        .collect()
}

#[tokio::test]
async fn bad_files_are_refused_by_field_with_their_reason_and_nothing_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    // Offline: the checks are the phone's own.
    let client = phone("http://127.0.0.1:9", dir.path(), "lawyer", "pw");
    let good = dir.path().join("photo.png");
    std::fs::write(&good, TINY_PNG).unwrap();
    let exe = dir.path().join("photo.jpg");
    std::fs::write(&exe, b"MZ\x90\0 a program, not a photo").unwrap();
    let big = dir.path().join("scan.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10 * 1024 * 1024 + 1)
        .unwrap();
    let cases = [
        (dir.path().join("gone.jpg"), "does not exist"),
        (dir.path().to_path_buf(), "is a folder"),
        (exe.clone(), "not a JPEG, PNG, WebP, HEIC image or a PDF"),
        (big.clone(), "more than the 10485760 allowed"),
    ];
    for (bad, why) in cases {
        let mut form = need_form(NeedCategory::Consultation, "330303002001");
        form.attachments = vec![attach(&good), attach(&bad)];
        let problems = client.validate_need(form.clone()).unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.field == "attachments[1]" && p.reason.contains(why)),
            "{why}: {problems:?}"
        );
        match client.submit_need(form).await {
            Err(LawCircleError::InvalidInput { field, reason }) => {
                assert_eq!(field, "attachments[1]");
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{why}: {other:?}"),
        }
        assert_eq!(client.outbox_counts().unwrap().pending, 0, "{why}");
    }
    // A draft is refused for a bad file too, and nothing is saved.
    let mut form = need_form(NeedCategory::Consultation, "330303002001");
    form.attachments = vec![attach(&exe)];
    let err = client.save_need_draft(None, form).await.unwrap_err();
    assert!(
        matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "attachments[0]"),
        "{err:?}"
    );
    assert!(client.need_drafts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_file_is_read_once_however_often_the_form_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let client = phone("http://127.0.0.1:9", dir.path(), "lawyer", "pw");
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, TINY_PNG).unwrap();
    let mut form = need_form(NeedCategory::Consultation, "330303002001");
    form.attachments = vec![attach(&photo)];
    assert_eq!(client.validate_need(form.clone()).unwrap(), vec![]);
    assert_eq!(copies(dir.path(), "lawyer").len(), 1);
    // The same file (size and time unchanged) is not read again: bytes
    // swapped behind the library's back go unnoticed...
    let modified = std::fs::metadata(&photo).unwrap().modified().unwrap();
    let mut swapped = b"MZ".to_vec();
    swapped.resize(TINY_PNG.len(), 0);
    std::fs::write(&photo, &swapped).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&photo)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(client.validate_need(form.clone()).unwrap(), vec![]);
    // ...while a changed file is checked again.
    std::fs::write(&photo, b"MZ and now longer than before, no photo").unwrap();
    let problems = client.validate_need(form.clone()).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "attachments[0]");
}

#[tokio::test]
async fn a_draft_survives_the_app_being_killed_and_is_submitted_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let photo = dir.path().join("cache-photo.png");
    std::fs::write(&photo, TINY_PNG).unwrap();
    let pdf = dir.path().join("lease.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n% a lease\n").unwrap();
    let (kept, dropped) = {
        let client = phone(
            &server.base_url,
            dir.path(),
            "resident",
            &people.resident.password,
        );
        let mut form = need_form(NeedCategory::Consultation, &people.village_code);
        // Unfinished: no description yet.
        form.description = String::new();
        form.attachments = vec![
            attach(&photo),
            AttachmentInput {
                path: path(&pdf),
                display_name: Some("租赁合同.pdf".to_string()),
            },
        ];
        let kept = client.save_need_draft(None, form.clone()).await.unwrap();
        form.description = "邻居装修噪音纠纷，希望咨询如何处理".to_string();
        assert_eq!(
            client
                .save_need_draft(Some(kept.clone()), form.clone())
                .await
                .unwrap(),
            kept
        );
        let dropped = client.save_need_draft(None, form).await.unwrap();
        (kept, dropped)
        // The client is dropped here, as when the app is killed.
    };
    std::fs::remove_file(&photo).unwrap();
    std::fs::remove_file(&pdf).unwrap();
    let client = phone(
        &server.base_url,
        dir.path(),
        "resident",
        &people.resident.password,
    );
    let drafts = client.need_drafts().await.unwrap();
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    let draft = client.need_draft(kept.clone()).await.unwrap().unwrap();
    assert_eq!(draft.form.description, "邻居装修噪音纠纷，希望咨询如何处理");
    let names: Vec<_> = draft
        .form
        .attachments
        .iter()
        .map(|a| a.display_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["cache-photo.png", "租赁合同.pdf"]);
    assert_eq!(
        std::fs::read(&draft.form.attachments[0].path).unwrap(),
        TINY_PNG
    );
    // Discarding one keeps the copies the other still needs.
    assert!(client.discard_need_draft(dropped.clone()).await.unwrap());
    assert!(client.need_draft(dropped).await.unwrap().is_none());
    assert_eq!(copies(dir.path(), "resident").len(), 2);
    // Submitting queues it and deletes the draft together.
    let key = client.submit_need_draft(kept.clone()).await.unwrap();
    assert!(client.need_drafts().await.unwrap().is_empty());
    let again = client.submit_need_draft(kept).await.unwrap_err();
    assert!(
        matches!(again, LawCircleError::InvalidInput { ref field, .. } if field == "id"),
        "{again:?}"
    );
    let report = client.sync(30_000, None).await.unwrap();
    assert_eq!(report.pending, 0, "{report:?}");
    assert_eq!(
        client.outbox_entry(key.clone()).unwrap().state,
        OutboxState::Sent
    );
    // The server has the files: the library's copies are gone.
    assert!(copies(dir.path(), "resident").is_empty());
    let mine = client.my_needs().await.unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].client_key, key);
    server.stop();
}
