//! Attachments given as file paths: each file is checked and copied into
//! the outbox's folder once ([`AttachmentFiles::import`]); the result is
//! remembered by path, size and modification time, so validating a form
//! again (every edit re-validates) neither reads nor hashes the file again.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lawcircle_client::outbox::AttachmentFiles;
use lawcircle_core::needs::AttachmentRef;

use crate::client::Inner;
use crate::intake::{AttachmentInput, FieldProblem};

/// A file as it was when it was checked.
#[derive(Debug, Clone)]
pub(crate) struct CheckedFile {
    size: u64,
    modified: Option<SystemTime>,
    attachment: AttachmentRef,
}

/// The files checked so far, by the path the app gave.
#[derive(Debug, Default)]
pub(crate) struct CheckedFiles(std::sync::Mutex<HashMap<PathBuf, CheckedFile>>);

fn stamp(path: &Path) -> Option<(u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// A copy of the outbox's own (a draft's attachment read back): named by
/// its hash, so only its type is read, from its first bytes.
fn own_copy(files: &AttachmentFiles, path: &Path) -> Option<AttachmentRef> {
    let sha256 = path.file_name()?.to_str()?;
    let expected = std::path::absolute(files.path_of(sha256)?).ok()?;
    if expected != path || !path.is_file() {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(16)
        .read_to_end(&mut head)
        .ok()?;
    Some(AttachmentRef {
        sha256: sha256.to_string(),
        media_type: lawcircle_core::content::sniff_media_type(&head)?.to_string(),
        size: std::fs::metadata(path).ok()?.len(),
    })
}

impl Inner {
    /// Each attachment checked (once per file version) and copied into the
    /// outbox's folder, or its problem named `attachments[i]`.
    pub(crate) fn attachments(
        &self,
        inputs: &[AttachmentInput],
    ) -> Vec<Result<AttachmentRef, FieldProblem>> {
        inputs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                self.attachment(&a.path).map_err(|reason| FieldProblem {
                    field: format!("attachments[{i}]"),
                    reason,
                })
            })
            .collect()
    }

    fn attachment(&self, path: &str) -> Result<AttachmentRef, String> {
        if path.trim().is_empty() {
            return Err("no file was given".to_string());
        }
        let path = PathBuf::from(path);
        let files = self.outbox.files();
        let absolute = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
        if let Some(r) = own_copy(files, &absolute) {
            return Ok(r);
        }
        let now = stamp(&path);
        if let Ok(cache) = self.checked_files.0.lock()
            && let Some(c) = cache.get(&path)
            && now == Some((c.size, c.modified))
            && files.contains(&c.attachment.sha256)
        {
            return Ok(c.attachment.clone());
        }
        let attachment = files.import(&path).map_err(|e| e.to_string())?;
        if let (Some((size, modified)), Ok(mut cache)) = (now, self.checked_files.0.lock()) {
            cache.insert(
                path,
                CheckedFile {
                    size,
                    modified,
                    attachment: attachment.clone(),
                },
            );
        }
        Ok(attachment)
    }

    /// Where the outbox keeps the copy of `attachment`.
    pub(crate) fn copy_path(&self, attachment: &AttachmentRef) -> Option<String> {
        self.outbox
            .files()
            .path_of(&attachment.sha256)
            .map(|p| p.to_string_lossy().into_owned())
    }
}
