//! The walking network downloaded from the platform server and kept in the
//! library's data folder, beside the database (`<database>.walking.lcwn`
//! and its version in `<database>.walking.etag`), so distances are
//! measured on foot offline, after a restart too.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::LawCircleError;
use crate::client::LawCircleClient;
use crate::offline::{NetworkInfo, OfflineState};
use crate::runtime::run;

/// `<database>` + `suffix`.
fn beside(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Where the downloaded network is kept.
pub(crate) fn network_file(database: &Path) -> PathBuf {
    beside(database, ".walking.lcwn")
}

fn etag_file(database: &Path) -> PathBuf {
    beside(database, ".walking.etag")
}

fn io_error(path: &Path, e: std::io::Error) -> LawCircleError {
    LawCircleError::internal(format!("{}: {e}", path.display()))
}

/// Loads the network kept by an earlier download, if any. A file that no
/// longer loads is removed with its version, so the next refresh fetches
/// it again.
pub(crate) fn load_kept(offline: &OfflineState, database: &Path) {
    let file = network_file(database);
    if file.is_file() && offline.load_network(&file.to_string_lossy()).is_err() {
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::remove_file(etag_file(database));
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), LawCircleError> {
    let tmp = beside(path, ".tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| io_error(path, e))
}

#[uniffi::export]
impl LawCircleClient {
    /// Downloads the walking network the server has loaded
    /// (`GET /api/v1/walking-network`) when it changed since the copy
    /// kept here, streaming it into the library's data folder (a temporary
    /// file, checked by loading it, then renamed into place), and loads
    /// it: distances are then on foot, offline and after a restart too.
    /// Unchanged: the kept copy is used, nothing is downloaded. A server
    /// without a network answers `Server` with status 404.
    pub async fn refresh_walking_network(&self) -> Result<NetworkInfo, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let file = network_file(&inner.database_path);
            let etag = etag_file(&inner.database_path);
            let kept = if file.is_file() {
                std::fs::read_to_string(&etag).ok()
            } else {
                None
            };
            let headers: Vec<(&str, String)> = kept
                .iter()
                .map(|t| ("If-None-Match", t.trim().to_string()))
                .collect();
            let mut stream = inner.download("/api/v1/walking-network", &headers).await?;
            if stream.status == 304 {
                while stream.chunk().await?.is_some() {}
                if let Some(info) = inner.offline.network_info()? {
                    return Ok(info);
                }
                let offline = inner.clone();
                let path = file.to_string_lossy().into_owned();
                return tokio::task::spawn_blocking(move || offline.offline.load_network(&path))
                    .await
                    .map_err(LawCircleError::internal)?;
            }
            let new_etag = stream
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
                .map(|(_, v)| v.clone());
            let part = beside(&file, ".part");
            let outcome = async {
                let mut out = std::fs::File::create(&part).map_err(|e| io_error(&part, e))?;
                while let Some(chunk) = stream.chunk().await? {
                    out.write_all(&chunk).map_err(|e| io_error(&part, e))?;
                }
                out.sync_all().map_err(|e| io_error(&part, e))?;
                // Loading it checks it (format, checksum) before it
                // replaces the kept copy.
                let offline = inner.clone();
                let path = part.to_string_lossy().into_owned();
                let info = tokio::task::spawn_blocking(move || offline.offline.load_network(&path))
                    .await
                    .map_err(LawCircleError::internal)?
                    .map_err(|e| LawCircleError::Server {
                        status: 200,
                        code: "bad_network".to_string(),
                        reason: e.to_string(),
                    })?;
                // The old version goes first: a crash before the new one
                // is written leaves a file without a version, which the
                // next refresh downloads again (never a stale file under
                // a current version).
                let _ = std::fs::remove_file(&etag);
                std::fs::rename(&part, &file).map_err(|e| io_error(&file, e))?;
                if let Some(t) = new_etag {
                    write_atomically(&etag, t.as_bytes())?;
                }
                Ok(info)
            }
            .await;
            if outcome.is_err() {
                let _ = std::fs::remove_file(&part);
            }
            outcome
        })
        .await
    }
}
