//! Content-addressed files (photos of sites, attachments): stored under the
//! sha256 of their bytes, with the type detected from the content, never
//! from the file name.

use crate::catalogue::facility::PhotoRef;
use crate::catalogue::import::PhotoResolver;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest photo accepted: phone cameras produce a few MB.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The media type told by the file's first bytes, for the types LawCircle
/// accepts.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"mif1" | b"heim" | b"heis"
        )
    {
        Some("image/heic")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Why a file was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("{name}: {size} bytes is more than the {max} allowed")]
    TooLarge {
        name: String,
        size: usize,
        max: usize,
    },
    #[error("{name}: the content is not a JPEG, PNG, WebP or HEIC image")]
    NotAnImage { name: String },
    #[error("{name}: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// A directory of content-addressed files: `ab/abcdef…` by sha256.
#[derive(Debug, Clone)]
pub struct ContentStore {
    root: PathBuf,
}

impl ContentStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ContentStore { root: root.into() }
    }

    /// Where the file with this hash lives.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(sha256)
    }

    /// Stores an image, returning its reference; storing the same bytes
    /// twice is a no-op. Written to a temporary file and renamed, so a crash
    /// never leaves a half-written file under a valid hash.
    pub fn put_image(&self, name: &str, bytes: &[u8]) -> Result<PhotoRef, ContentError> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(ContentError::TooLarge {
                name: name.to_string(),
                size: bytes.len(),
                max: MAX_PHOTO_BYTES,
            });
        }
        let media_type = sniff_media_type(bytes)
            .filter(|t| t.starts_with("image/"))
            .ok_or_else(|| ContentError::NotAnImage {
                name: name.to_string(),
            })?;
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256);
        if !path.exists() {
            let io = |source| ContentError::Io {
                name: name.to_string(),
                source,
            };
            let dir = path.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir).map_err(io)?;
            let tmp = dir.join(format!(".{sha256}.tmp"));
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(bytes).map_err(io)?;
            f.sync_all().map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)?;
        }
        Ok(PhotoRef {
            sha256,
            media_type: media_type.to_string(),
            caption: None,
        })
    }

    pub fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path_of(sha256))
    }
}

/// Resolves photo names in an import file relative to the file's folder and
/// stores them in a [`ContentStore`].
pub struct PhotoDir<'a> {
    pub base: &'a Path,
    pub store: &'a ContentStore,
}

impl PhotoResolver for PhotoDir<'_> {
    fn resolve(&mut self, name: &str) -> Result<PhotoRef, String> {
        let rel = Path::new(name);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| c == std::path::Component::ParentDir)
        {
            return Err(format!(
                "photo path {name:?} must stay inside the import folder"
            ));
        }
        let path = self.base.join(rel);
        let meta = std::fs::metadata(&path).map_err(|e| format!("photo {name:?}: {e}"))?;
        if meta.len() > MAX_PHOTO_BYTES as u64 {
            return Err(format!(
                "photo {name:?} is {} bytes, more than {MAX_PHOTO_BYTES}",
                meta.len()
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("photo {name:?}: {e}"))?;
        self.store
            .put_image(name, &bytes)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_hash_and_checks_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = ContentStore::new(dir.path());
        let png = b"\x89PNG\r\n\x1a\n0000rest-of-file";
        let a = store.put_image("a.png", png).unwrap();
        let b = store.put_image("copy.jpg", png).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.media_type, "image/png");
        assert_eq!(store.get(&a.sha256).unwrap(), png);
        assert!(matches!(
            store.put_image("fake.jpg", b"MZ not an image"),
            Err(ContentError::NotAnImage { .. })
        ));
        // sha256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
