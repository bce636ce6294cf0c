//! The repository layer: one interface over two backends.
//!
//! * embedded SQLite (a file, WAL) by default — one district on one machine;
//! * PostgreSQL when `--database-url postgres://…` is given — several
//!   server instances on one database.
//!
//! Both run through sqlx's `Any` driver with the same SQL: `$n`
//! placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`, times as
//! milliseconds since the epoch in BIGINT columns. The schemas differ only
//! where the dialects do (identity columns) and live in
//! `migrations/sqlite` and `migrations/postgres`, versioned.

mod accounts;
mod audit;
mod catalogue;
mod needs;
mod orders;
mod punches;
mod ratings;
mod services;
mod volunteers;

pub use accounts::{Account, NewAccount, TokenRecord};
pub use audit::{AuditEntry, NewAuditEntry};
pub use catalogue::FacilityFilter;
pub use needs::{AttachmentMeta, IdempotentOutcome, NeedFilter, NewNeed, StoredNeed, StoredReply};
pub use orders::OrderFilter;
pub use ratings::{
    CallBackOutcome, CallBackRecord, RatingChannel, RatingLink, RatingRequest, StoredCode,
};
pub use services::{ApiKeyRecord, ServiceVersion};
pub use volunteers::StoredVolunteer;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored {table} record {id} cannot be read: {reason}")]
    Corrupt {
        table: &'static str,
        id: String,
        reason: String,
    },
    #[error(transparent)]
    Catalogue(#[from] lawcircle_core::catalogue::CatalogueError),
    #[error("unsupported database URL {0:?}: use a file path, sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("{0} already exists")]
    Conflict(String),
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The storage handle shared by the HTTP handlers and the CLI.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Milliseconds since the Unix epoch, the form times are stored in.
pub fn millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`millis`].
pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    table: &'static str,
    id: &str,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn encode<T: serde::Serialize>(
    table: &'static str,
    id: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        reason: e.to_string(),
    })
}

impl Store {
    /// Opens the embedded SQLite file at `path`, creating it if needed.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let abs = std::path::absolute(path).map_err(sqlx::Error::Io)?;
        Self::open(&format!("sqlite://{}?mode=rwc", abs.display())).await
    }

    /// Opens a database by URL (`sqlite://…` or `postgres://…`) and brings
    /// its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.max_connections(32).connect(url).await?,
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Store { pool, backend })
    }

    /// The backend's name, for `/health`.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then
    /// writes fails at once with "database is locked" when another writer
    /// got there in between, instead of waiting its turn.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A cheap liveness probe of the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
