//! Where the data lives (an SQLite file or a PostgreSQL URL), and the
//! backup and restore of the embedded database.

use crate::config::FileConfig;
use crate::store::Store;
use clap::Args;
use lawcircle_core::content::ContentStore;
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub(super) struct StorageArgs {
    /// Folder for the SQLite database and stored photos [default: lawcircle-data].
    #[arg(long, env = "LAWCIRCLE_DATA_DIR")]
    pub(super) data_dir: Option<PathBuf>,
    /// The SQLite database file (default: DATA_DIR/lawcircle.sqlite).
    #[arg(long, env = "LAWCIRCLE_DATABASE")]
    pub(super) database: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://user@host/db) instead of embedded SQLite.
    #[arg(long, env = "LAWCIRCLE_DATABASE_URL")]
    pub(super) database_url: Option<String>,
}

/// Storage settings after merging flags, environment and the file.
#[derive(Clone)]
pub(super) struct Storage {
    pub(super) data_dir: PathBuf,
    pub(super) database: Option<PathBuf>,
    pub(super) database_url: Option<String>,
}

impl StorageArgs {
    pub(super) fn resolve(&self, file: &FileConfig) -> Storage {
        Storage {
            data_dir: self
                .data_dir
                .clone()
                .or_else(|| file.data_dir.clone())
                .unwrap_or_else(|| PathBuf::from("lawcircle-data")),
            database: self.database.clone(),
            database_url: self
                .database_url
                .clone()
                .or_else(|| file.database_url.clone()),
        }
    }
}

impl Storage {
    pub(super) fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => redact_url(url),
            None => self.database_path().display().to_string(),
        }
    }

    pub(super) fn database_path(&self) -> PathBuf {
        self.database
            .clone()
            .unwrap_or_else(|| self.data_dir.join("lawcircle.sqlite"))
    }

    pub(super) fn content_store(&self) -> ContentStore {
        ContentStore::new(self.data_dir.join("content"))
    }

    pub(super) async fn open(&self) -> Result<Store, String> {
        let opened = match &self.database_url {
            Some(url) if url.starts_with("sqlite:") => {
                crate::config::prepare_sqlite_url(url, &self.data_dir)
                    .map_err(|e| e.to_string())?;
                Store::open(url).await
            }
            Some(url) => Store::open(url).await,
            None => Store::open_sqlite(&self.database_path()).await,
        };
        opened.map_err(|e| format!("cannot open database {}: {e}", self.describe()))
    }
}

/// A database URL without its password, for logs and messages.
pub(super) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Checks the backup, then moves a copy of it into the database's place:
/// copy to a temporary file beside the database, fsync, remove the old
/// WAL and shared-memory files, rename over the database, fsync the
/// folder. A failure before the rename leaves the old database as it was.
pub(super) async fn restore(storage: Storage, from: &Path, force: bool) -> Result<(), String> {
    if storage.database_url.is_some() {
        return Err(POSTGRES_BACKUP.into());
    }
    let check = crate::store::check_sqlite_file(from)
        .await
        .map_err(|e| format!("{} is not a usable backup: {e}", from.display()))?;
    if check != "ok" {
        return Err(format!(
            "{} fails its integrity check: {check}",
            from.display()
        ));
    }
    let db = storage.database_path();
    if db.exists() && !force {
        return Err(format!(
            "{} exists: stop the server and add --force to replace it",
            db.display()
        ));
    }
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = db.with_extension("sqlite.restoring");
    let io = |e: std::io::Error| format!("restore into {}: {e}", db.display());
    std::fs::copy(from, &tmp).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(io)?;
        }
    }
    std::fs::rename(&tmp, &db).map_err(io)?;
    std::fs::File::open(&dir)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    // Opening brings an older backup's schema up to date.
    let store = storage.open().await?;
    let needs = store.count_needs().await.map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "restored {} from {} ({needs} needs)",
        db.display(),
        from.display()
    );
    Ok(())
}

pub(super) const POSTGRES_BACKUP: &str = "backup and restore copy the embedded SQLite database; for PostgreSQL use pg_dump/pg_restore or continuous WAL archiving with point-in-time recovery (docs/security.md)";
