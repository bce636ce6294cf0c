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
mod applications;
mod audit;
mod catalogue;
mod dispatch;
mod duty_hours;
mod job_marks;
mod needs;
mod orders;
mod personal_data;
mod punches;
pub(crate) mod rating_verdicts;
mod ratings;
mod takers;
mod timing_buckets;
mod volunteers;

pub use accounts::{Account, NewAccount, TokenRecord};
pub use applications::{ApiKeyRecord, ServiceVersion};
pub use audit::{AuditEntry, NewAuditEntry};
pub use catalogue::FacilityFilter;
pub use dispatch::RatingSum;
pub use needs::{
    AttachmentMeta, FILING_ENDPOINT, Filed, IdempotentOutcome, NeedFiling, NeedFilter, NewNeed,
    PUNCH_ENDPOINT, StoredNeed, StoredReply,
};
pub(crate) use orders::{
    ORDER_CHANGES_PER_BATCH, OrderChangeRow, raise_warning_in, record_spot_check_in,
    subject_street, update_order_row, update_order_rows,
};
pub use orders::{OrderFilter, SampledOrder};
pub use personal_data::{StoredAttachment, anonymised};
pub use punches::{PunchFilter, open_clock_ins_since};
pub use ratings::{
    CallBackOutcome, CallBackRecord, RatingChannel, RatingLink, RatingRequest, StoredCode,
};
pub use takers::{GrabInputs, TakerInputs};
pub use volunteers::StoredVolunteer;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor, Row};
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
    #[error("{0}")]
    Unsupported(String),
}

/// How a write that may hit a unique key fails: the key taken is a
/// conflict over `what` (a username, an order id, a second rating), any
/// other failure a database error. `.map_err(conflict_on_unique(|| …))`.
pub(crate) fn conflict_on_unique(
    what: impl FnOnce() -> String,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what()),
        _ => StoreError::Database(e),
    }
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
    write_turns: WriteTurns,
    /// For the reads every grab and offer makes (PostgreSQL): connections
    /// that keep one generic plan per statement instead of planning it
    /// again for each set of values (see [`Store::open`]). SQLite: `pool`.
    lookups: AnyPool,
    backend: Backend,
    /// PostgreSQL's URL, for the connections that are not the pool's
    /// (`LISTEN` for the live events of other instances).
    postgres_url: Option<SecretUrl>,
}

/// The order in which this process's writers get SQLite's write lock.
/// SQLite's own wait polls with growing sleeps (up to 100 ms), so under a
/// steady stream of writes (a grab storm's batches, one after the other)
/// a writer that arrived meanwhile kept missing the moments the lock was
/// free: the background job's two writes waited 400 ms behind the storm.
/// Here each writer waits for the one before it, first come first
/// served, and takes the lock as it is released. Other processes (the
/// CLI) still meet SQLite's own wait.
///
/// The background job's housekeeping writes (its read mark, pruning what
/// is past its time) go ahead of the line: one short statement each, or a
/// batch of at most 200 punch-location erasures, from one task every few
/// seconds and only when something is due, so nobody waits noticeably
/// longer for them, while behind a line of filings (16 clients, 2–3 ms
/// each) the job's run took over 100 ms. Writers in line hold `line` while they wait for `lock`,
/// so at most one of them waits for `lock` at a time: a writer going
/// ahead waits for the one holding the lock and at most that one.
#[derive(Debug, Clone, Default)]
struct WriteTurns {
    line: std::sync::Arc<tokio::sync::Mutex<()>>,
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Which turn a writer takes (see [`WriteTurns`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    /// In the order asked.
    InLine,
    /// Ahead of the writers in line: the background job's housekeeping.
    Ahead,
}

impl WriteTurns {
    async fn take(&self, turn: Turn) -> tokio::sync::OwnedMutexGuard<()> {
        match turn {
            Turn::InLine => {
                let _in_line = self.line.clone().lock_owned().await;
                self.lock.clone().lock_owned().await
            }
            Turn::Ahead => self.lock.clone().lock_owned().await,
        }
    }
}

/// A connection (or transaction) holding its write turn (SQLite; see
/// [`WriteTurns`]) until dropped or, for a transaction, ended. PostgreSQL:
/// the connection as is.
#[derive(Debug)]
pub(crate) struct InTurn<C> {
    conn: C,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A connection of the pool to write with outside a transaction:
/// `query.execute(&mut *store.writer().await?)`.
pub(crate) type Writer = InTurn<sqlx::pool::PoolConnection<sqlx::Any>>;

/// A write transaction holding its turn until it ends.
pub(crate) type WriteTransaction = InTurn<sqlx::Transaction<'static, sqlx::Any>>;

impl WriteTransaction {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.conn.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.conn.rollback().await
    }
}

impl<C: std::ops::Deref<Target = sqlx::AnyConnection>> std::ops::Deref for InTurn<C> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl<C: std::ops::DerefMut<Target = sqlx::AnyConnection>> std::ops::DerefMut for InTurn<C> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

/// A database URL that may hold a password: never printed.
#[derive(Clone)]
struct SecretUrl(std::sync::Arc<str>);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUrl(..)")
    }
}

/// Milliseconds since the Unix epoch, the form times are stored in.
pub fn millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`millis`].
pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The records of `rows` whose first column is the key and second the
/// JSON document, in order: what most reads of a table's documents decode.
pub(crate) fn decode_rows<T: serde::de::DeserializeOwned>(
    table: &'static str,
    rows: &[sqlx::any::AnyRow],
) -> Result<Vec<T>, StoreError> {
    use sqlx::Row;
    rows.iter()
        .map(|r| decode(table, r.try_get::<&str, _>(0)?, r.try_get::<&str, _>(1)?))
        .collect()
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
        let options = || AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options()
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            // FULL: a commit is on disk (the WAL fsynced) before the
                            // 2xx goes out; the phone deletes its copy on
                            // that answer, so NORMAL could lose an
                            // acknowledged need to a power cut.
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => {
                options()
                    .max_connections(32)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // A 2xx is answered after the commit reached
                            // the WAL on disk, whatever the database's
                            // default says (a role or database setting of
                            // `off` would lose acknowledged writes).
                            conn.execute("SET synchronous_commit = on").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        // The grab's and offers' reads by index (an order by id, one
        // volunteer's records and recent punches) are best planned the
        // same way whatever the values. PostgreSQL plans such a
        // statement again for every execution when its estimates differ
        // by value (a recent time: few punches; any time: a third), and
        // on a large database that planning was a third of a grab's
        // database time. These connections keep the generic plan.
        let lookups = match backend {
            Backend::Sqlite => pool.clone(),
            Backend::Postgres => {
                options()
                    .max_connections(16)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("SET plan_cache_mode = force_generic_plan")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        let postgres_url = (backend == Backend::Postgres).then(|| SecretUrl(url.into()));
        let store = Store {
            pool,
            write_turns: WriteTurns::default(),
            lookups,
            backend,
            postgres_url,
        };
        // The timing histograms, from the timing columns, then the orders
        // written before those columns existed get them (adding to the
        // histograms as any change does), once.
        store.fill_timing_buckets().await?;
        store.fill_rating_verdicts().await?;
        store.fill_order_timings().await?;
        store.fill_warning_escalations().await?;
        store.fill_punch_statuses().await?;
        store.fill_duty_hours().await?;
        Ok(store)
    }

    /// PostgreSQL's URL (none on SQLite), for a dedicated connection.
    pub(crate) fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_ref().map(|u| &*u.0)
    }

    /// The backend's name, for `/health`.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then
    /// writes fails at once with "database is locked" when another writer
    /// got there in between, instead of waiting its turn. Its turn comes
    /// in the order asked (see [`WriteTurns`]).
    pub(crate) async fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        self.begin_write_taking(Turn::InLine).await
    }

    /// As [`Store::begin_write`], in the given turn.
    pub(crate) async fn begin_write_taking(
        &self,
        turn: Turn,
    ) -> Result<WriteTransaction, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let turn = self.write_turns.take(turn).await;
                InTurn {
                    conn: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                }
            }
            Backend::Postgres => InTurn {
                conn: self.pool.begin().await?,
                _turn: None,
            },
        })
    }

    /// A connection to write with outside a transaction, holding its turn
    /// in the order asked (SQLite; see [`WriteTurns`]) until dropped.
    pub(crate) async fn writer(&self) -> Result<Writer, StoreError> {
        self.writer_taking(Turn::InLine).await
    }

    /// As [`Store::writer`], in the given turn.
    pub(crate) async fn writer_taking(&self, turn: Turn) -> Result<Writer, StoreError> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.write_turns.take(turn).await),
            Backend::Postgres => None,
        };
        Ok(InTurn {
            conn: self.pool.acquire().await?,
            _turn: turn,
        })
    }

    /// The pool, for modules outside the store that keep their own tables
    /// (notifications).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A cheap liveness probe of the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The durability setting every connection runs with, as the database
    /// reports it: SQLite's `PRAGMA synchronous` (2 = FULL) and journal
    /// mode, PostgreSQL's `synchronous_commit` and `fsync`.
    pub async fn durability(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let queries: &[(&str, &str)] = match self.backend {
            Backend::Sqlite => &[
                ("synchronous", "PRAGMA synchronous"),
                ("journal_mode", "PRAGMA journal_mode"),
            ],
            Backend::Postgres => &[
                ("synchronous_commit", "SHOW synchronous_commit"),
                ("fsync", "SHOW fsync"),
            ],
        };
        let mut out = Vec::new();
        for (name, sql) in queries {
            let row = sqlx::query(*sql).fetch_one(&mut *conn).await?;
            let value = match row.try_get::<String, _>(0) {
                Ok(v) => v,
                Err(_) => row.try_get::<i64, _>(0)?.to_string(),
            };
            out.push(((*name).to_string(), value));
        }
        Ok(out)
    }

    /// A consistent copy of the SQLite database into `out` while it is
    /// being served (`VACUUM INTO`: one read transaction, so the copy is
    /// the database as of one commit). The file must not exist.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "the backup command copies embedded SQLite; for PostgreSQL use pg_dump or \
                 continuous archiving (see docs/security.md)"
                    .into(),
            ));
        }
        let path = std::path::absolute(out).map_err(sqlx::Error::Io)?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        self.lookups.close().await;
        self.pool.close().await;
    }
}

fn sqlite_read_only(path: &Path) -> sqlx::sqlite::SqliteConnectOptions {
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
}

/// `PRAGMA integrity_check` of a SQLite file opened read-only (`ok` when
/// sound), e.g. a backup.
pub async fn check_sqlite_file(path: &Path) -> Result<String, StoreError> {
    use sqlx::Connection;
    if !path.is_file() {
        return Err(StoreError::Unsupported(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let mut conn = sqlx::SqliteConnection::connect_with(&sqlite_read_only(path)).await?;
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    conn.close().await?;
    Ok(rows.join("; "))
}

/// How many rows a table of a SQLite file has (read-only).
pub async fn count_rows(path: &Path, table: &'static str) -> Result<i64, StoreError> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect_with(&sqlite_read_only(path)).await?;
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(n)
}

/// `$first, $first+1, …`: the numbered placeholders of a list of `n`
/// values (the only text spliced into a statement; the values are bound).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, …, $width), ($width+1, …), …`: the numbered placeholders of a
/// multi-row insert of `rows` rows of `width` values each.
pub(crate) fn row_placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// For unit tests: an open consultation `O{n}` of `street`, filed at `now`.
#[cfg(test)]
pub(crate) fn test_open_order(
    n: usize,
    street: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> lawcircle_core::orders::order::Order {
    use lawcircle_core::orders::order::{Actor, NewOrder, Order, OrderEvent, OrderKind};
    let mut o = Order::new(
        NewOrder {
            id: format!("O{n}"),
            need_id: n.to_string(),
            requester_id: String::new(),
            kind: OrderKind::Consultation,
            category: "consultation".into(),
            urgent: false,
            level: lawcircle_core::catalogue::area::AreaLevel::Street,
            area_code: street.into(),
            street_code: street.into(),
        },
        now,
        None,
    );
    o.apply(OrderEvent::Open, Actor::system("intake"), now)
        .unwrap();
    o
}

/// For unit tests: a real SQLite file in `dir` and, when
/// `LAWCIRCLE_TEST_POSTGRES_URL` names a server, a real PostgreSQL
/// database of its own (named after `name`), so runs do not meet.
#[cfg(test)]
pub(crate) async fn test_stores(dir: &std::path::Path, name: &str) -> Vec<Store> {
    let mut out = vec![
        Store::open_sqlite(&dir.join(format!("{name}.sqlite")))
            .await
            .unwrap(),
    ];
    if let Ok(url) = std::env::var("LAWCIRCLE_TEST_POSTGRES_URL") {
        use sqlx::Connection;
        let db = format!("lc_{name}_{}", crate::notifications::random_hex(8).unwrap());
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
        out.push(Store::open(&format!("{base}/{db}")).await.unwrap());
    }
    out
}

#[cfg(test)]
mod placeholder_tests {
    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(super::placeholders(3, 2), "$3, $4");
        assert_eq!(super::placeholders(1, 0), "");
        assert_eq!(super::row_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}

#[cfg(test)]
mod write_turn_tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// On SQLite a writer that arrives during a stream of back-to-back
    /// write transactions waits for the one in progress, not for the
    /// stream to pause: its turn comes before the stream's next.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_waits_for_the_transaction_in_progress_not_for_the_stream() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("turns.sqlite"))
            .await
            .unwrap();
        let (committed, stop) = (Arc::default(), Arc::default());
        let stream = write_back_to_back(&store, 1, &committed, &stop);
        while committed.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let mut passed = Vec::new();
        for _ in 0..10 {
            let before = committed.load(Ordering::SeqCst);
            write_one(&store, Turn::InLine).await;
            passed.push(committed.load(Ordering::SeqCst) - before);
        }
        stop.store(true, Ordering::SeqCst);
        for task in stream {
            task.await.unwrap();
        }
        // The transaction in progress when it asked (and, at most, the
        // count of one that had just committed).
        assert!(passed.iter().all(|n| *n <= 2), "{passed:?}");
    }

    /// `writers` tasks, each writing transactions of 5 ms back to back
    /// (counted in `committed` as they commit) until `stop`.
    fn write_back_to_back(
        store: &Store,
        writers: usize,
        committed: &Arc<AtomicUsize>,
        stop: &Arc<AtomicBool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        (0..writers)
            .map(|n| {
                let (store, committed, stop) = (store.clone(), committed.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let mut tx = store.begin_write().await.unwrap();
                        sqlx::query(
                            "INSERT INTO job_marks (name, until_ms) VALUES ($1, 1)
                             ON CONFLICT (name) DO UPDATE SET until_ms = job_marks.until_ms + 1",
                        )
                        .bind(format!("writer-{n}"))
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        tx.commit().await.unwrap();
                        committed.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect()
    }

    /// One autocommit write outside a transaction, in the given turn.
    async fn write_one(store: &Store, turn: Turn) {
        sqlx::query(
            "INSERT INTO job_marks (name, until_ms) VALUES ('single', 1)
             ON CONFLICT (name) DO UPDATE SET until_ms = job_marks.until_ms + 1",
        )
        .execute(&mut *store.writer_taking(turn).await.unwrap())
        .await
        .unwrap();
    }

    /// Behind a line of writers (eight tasks writing back to back), a
    /// writer in line waits for the whole line, and the background job's
    /// housekeeping (its read mark) for the writer holding the lock and
    /// at most the one next in line.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_jobs_housekeeping_goes_ahead_of_the_writers_in_line() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("ahead.sqlite"))
            .await
            .unwrap();
        let (committed, stop) = (Arc::default(), Arc::default());
        let line = write_back_to_back(&store, 8, &committed, &stop);
        while committed.load(Ordering::SeqCst) < 16 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let (mut in_line, mut ahead) = (Vec::new(), Vec::new());
        for _ in 0..8 {
            let before = committed.load(Ordering::SeqCst);
            write_one(&store, Turn::InLine).await;
            in_line.push(committed.load(Ordering::SeqCst) - before);
            let before = committed.load(Ordering::SeqCst);
            store
                .set_job_mark("ahead", chrono::Utc::now())
                .await
                .unwrap();
            ahead.push(committed.load(Ordering::SeqCst) - before);
        }
        stop.store(true, Ordering::SeqCst);
        for task in line {
            task.await.unwrap();
        }
        // In line: the writers that asked before it (seven or eight).
        in_line.sort_unstable();
        assert!(in_line[in_line.len() / 2] >= 5, "in line: {in_line:?}");
        // Ahead: the holder, the one next in line, and at most the count
        // of one that had just committed.
        assert!(
            ahead.iter().all(|n| *n <= 3),
            "ahead: {ahead:?} (in line: {in_line:?})"
        );
    }
}
