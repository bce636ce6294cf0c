//! The outbox's own copies of attachments: a file the app names by path
//! (a photo in its cache, a picked document) is checked once — it exists,
//! is a readable regular file, within [`MAX_ATTACHMENT_BYTES`], and its
//! content is a type the server accepts — then hashed (SHA-256) while it is
//! copied, streaming, into a folder beside the database, under its hash.
//! From then on the outbox owns that copy: the app may delete its file, the
//! upload reads the copy, and nothing hashes it again.

use lawcircle_core::content::sniff_media_type;
use lawcircle_core::needs::{AttachmentRef, MAX_ATTACHMENT_BYTES};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Bytes read before sniffing the type: enough for every accepted magic.
const SNIFF_BYTES: usize = 16;

/// Why a file was not accepted as an attachment, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    #[error("the file {path} does not exist")]
    Missing { path: String },
    #[error("{path} is a folder, not a file")]
    Directory { path: String },
    #[error("the file {path} cannot be read: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the file {path} is empty")]
    Empty { path: String },
    #[error("the file {path} is {size} bytes, more than the {MAX_ATTACHMENT_BYTES} allowed")]
    TooLarge { path: String, size: u64 },
    #[error("the file {path} is not a JPEG, PNG, WebP, HEIC image or a PDF document")]
    NotAccepted { path: String },
    #[error("the outbox cannot keep a copy of {path}: {source}")]
    Store {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The folder of the outbox's attachment copies: `ab/abcdef…` by sha256.
#[derive(Debug, Clone)]
pub struct AttachmentFiles {
    root: PathBuf,
}

impl AttachmentFiles {
    /// The folder beside the database file `db` (`phone.sqlite` keeps its
    /// copies in `phone.sqlite.attachments/`).
    pub fn beside(db: &Path) -> Self {
        let mut name = db.as_os_str().to_owned();
        name.push(".attachments");
        AttachmentFiles {
            root: PathBuf::from(name),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the copy with this hash lives (a hash that is not 64 hex
    /// digits has no place).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Whether the copy with this hash is here.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_some_and(|p| p.is_file())
    }

    /// The bytes of a copy (to upload it).
    pub fn read(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        match self.path_of(sha256) {
            Some(p) => std::fs::read(p),
            None => Err(std::io::Error::new(
                ErrorKind::InvalidInput,
                format!("{sha256:?} is not a sha256"),
            )),
        }
    }

    /// Removes a copy; one already gone is no error.
    pub fn remove(&self, sha256: &str) -> std::io::Result<()> {
        match self.path_of(sha256).map(std::fs::remove_file) {
            Some(Err(e)) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Checks the file at `path` and copies it in, hashing as it streams.
    /// A copy of the same content already here is kept (the new one is
    /// dropped).
    pub fn import(&self, path: &Path) -> Result<AttachmentRef, FileProblem> {
        let shown = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(FileProblem::Missing { path: shown });
            }
            Err(source) => {
                return Err(FileProblem::Unreadable {
                    path: shown,
                    source,
                });
            }
        };
        if meta.is_dir() {
            return Err(FileProblem::Directory { path: shown });
        }
        if meta.len() == 0 {
            return Err(FileProblem::Empty { path: shown });
        }
        if meta.len() > MAX_ATTACHMENT_BYTES as u64 {
            return Err(FileProblem::TooLarge {
                path: shown,
                size: meta.len(),
            });
        }
        let unreadable = |source| FileProblem::Unreadable {
            path: shown.clone(),
            source,
        };
        let mut file = File::open(path).map_err(unreadable)?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        let media_type = sniff_media_type(&head).ok_or_else(|| FileProblem::NotAccepted {
            path: shown.clone(),
        })?;
        let store = |source| FileProblem::Store {
            path: shown.clone(),
            source,
        };
        std::fs::create_dir_all(&self.root).map_err(store)?;
        let tmp = tempfile_in(&self.root).map_err(store)?;
        let mut out = File::create(&tmp.0).map_err(store)?;
        let mut hasher = Sha256::new();
        hasher.update(&head);
        out.write_all(&head).map_err(store)?;
        let mut size = head.len() as u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(source) => return Err(unreadable(source)),
            };
            size += n as u64;
            // The file may have grown since it was measured.
            if size > MAX_ATTACHMENT_BYTES as u64 {
                return Err(FileProblem::TooLarge { path: shown, size });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(store)?;
        }
        out.sync_all().map_err(store)?;
        drop(out);
        let sha256 = hex::encode(hasher.finalize());
        let dest = self
            .path_of(&sha256)
            .ok_or_else(|| store(std::io::Error::other("the hash is not 64 hex digits")))?;
        if !dest.is_file() {
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(store)?;
            }
            std::fs::rename(&tmp.0, &dest).map_err(store)?;
        }
        Ok(AttachmentRef {
            sha256,
            media_type: media_type.to_string(),
            size,
        })
    }

    /// Every copy here with its last change, for sweeping.
    pub(crate) fn list(&self) -> Vec<(String, SystemTime)> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&self.root) else {
            return out;
        };
        for dir in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if self.path_of(&name).is_none() {
                    continue;
                }
                let at = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                out.push((name, at));
            }
        }
        out
    }

    /// Removes temporary files left by a crash during an import, older
    /// than `age`.
    pub(crate) fn remove_stale_temporaries(&self, age: Duration) {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        let now = SystemTime::now();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|d| d > age);
            if name.starts_with(".import-") && old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// A temporary file name in `dir`, removed when dropped (unless renamed).
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<TempPath> {
    Ok(TempPath(dir.join(format!(
        ".import-{}",
        uuid::Uuid::now_v7().simple()
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &tempfile::TempDir) -> AttachmentFiles {
        AttachmentFiles::beside(&dir.path().join("phone.sqlite"))
    }

    #[test]
    fn a_photo_is_copied_under_its_hash_and_outlives_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let store = files(&dir);
        let src = dir.path().join("cache.png");
        let bytes = b"\x89PNG\r\n\x1a\nsome photo bytes".repeat(10_000);
        std::fs::write(&src, &bytes).unwrap();
        let r = store.import(&src).unwrap();
        assert_eq!(r.sha256, lawcircle_core::content::sha256_hex(&bytes));
        assert_eq!(r.media_type, "image/png");
        assert_eq!(r.size, bytes.len() as u64);
        std::fs::remove_file(&src).unwrap();
        assert_eq!(store.read(&r.sha256).unwrap(), bytes);
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(store.root())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(left.is_empty());
        store.remove(&r.sha256).unwrap();
        assert!(!store.contains(&r.sha256));
        store.remove(&r.sha256).unwrap();
    }

    #[test]
    fn bad_files_are_refused_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = files(&dir);
        let missing = store.import(&dir.path().join("gone.jpg")).unwrap_err();
        assert!(matches!(missing, FileProblem::Missing { .. }), "{missing}");
        assert!(missing.to_string().contains("does not exist"));
        let folder = store.import(dir.path()).unwrap_err();
        assert!(matches!(folder, FileProblem::Directory { .. }), "{folder}");
        let exe = dir.path().join("photo.jpg");
        std::fs::write(&exe, b"MZ\x90\x00 not a photo at all").unwrap();
        let wrong = store.import(&exe).unwrap_err();
        assert!(matches!(wrong, FileProblem::NotAccepted { .. }), "{wrong}");
        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(
            store.import(&empty),
            Err(FileProblem::Empty { .. })
        ));
        let big = dir.path().join("big.pdf");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_ATTACHMENT_BYTES as u64 + 1).unwrap();
        assert!(matches!(
            store.import(&big),
            Err(FileProblem::TooLarge { .. })
        ));
        // Nothing was kept of any of them.
        assert!(store.list().is_empty());
    }
}
