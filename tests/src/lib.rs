//! Helpers for the end-to-end tests: start the real `lawcircle-server`
//! binary on a free loopback port, on embedded SQLite or on a fresh
//! PostgreSQL database, and talk to it with a real HTTP client.
//!
//! PostgreSQL is used when `LAWCIRCLE_TEST_POSTGRES_URL` points at a server
//! (the test command starts a throwaway one); with
//! `LAWCIRCLE_REQUIRE_POSTGRES=1` its absence is a failure, not a skip.

pub mod fake_apns;
pub mod fake_push;
pub mod fake_sms;
pub mod fault_proxy;
pub mod intake;
pub mod people;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server binary built by cargo: `LAWCIRCLE_SERVER_BIN` when set, else
/// `target/<profile>/lawcircle-server`, found from a test executable (in
/// `target/<profile>/deps/`) or from a binary of this crate (in
/// `target/<profile>/`, e.g. `seed-people`).
pub fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("LAWCIRCLE_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let name = format!("lawcircle-server{}", std::env::consts::EXE_SUFFIX);
    let beside = exe.parent().map(|d| d.join(&name));
    let above = exe.parent().and_then(Path::parent).map(|d| d.join(&name));
    let bin = match (beside, above) {
        (Some(b), _) if b.exists() => b,
        (_, Some(a)) => a,
        (Some(b), None) => b,
        (None, None) => panic!("no folder around {}", exe.display()),
    };
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p lawcircle-server` first (the test command does)",
        bin.display()
    );
    bin
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}

/// A database backend to run a test against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each server gets a fresh
    /// database on it.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// The backends to test: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match std::env::var("LAWCIRCLE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => list.push(Backend::Postgres(url)),
        _ => assert!(
            std::env::var("LAWCIRCLE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "LAWCIRCLE_REQUIRE_POSTGRES=1 but LAWCIRCLE_TEST_POSTGRES_URL is not set"
        ),
    }
    list
}

/// Creates a fresh database on a PostgreSQL server and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "lc_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}

/// Where a server keeps its data.
#[derive(Debug, Clone)]
pub struct Storage {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Storage {
    /// Storage for `backend` under `dir` (a new PostgreSQL database each call).
    pub async fn new(backend: &Backend, dir: &Path) -> Storage {
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(admin) => Some(fresh_postgres_database(admin).await),
        };
        Storage {
            data_dir: dir.to_path_buf(),
            database_url,
        }
    }

    /// The database (sqlx `any`, as the server reads it), to look at the
    /// rows themselves.
    pub async fn database(&self) -> sqlx::AnyPool {
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("lawcircle.sqlite").display()
            )
        });
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&url).await.unwrap()
    }

    /// The server's store over this storage (beside a running server).
    pub async fn store(&self) -> lawcircle_server::store::Store {
        match &self.database_url {
            Some(url) => lawcircle_server::store::Store::open(url).await.unwrap(),
            None => {
                lawcircle_server::store::Store::open_sqlite(&self.data_dir.join("lawcircle.sqlite"))
                    .await
                    .unwrap()
            }
        }
    }

    /// The storage flags of the CLI.
    pub fn args(&self) -> Vec<String> {
        let mut a = vec![
            "--data-dir".to_string(),
            self.data_dir.display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            a.push("--database-url".to_string());
            a.push(url.clone());
        }
        a
    }
}

/// A running server process.
pub struct Server {
    child: Child,
    pub base_url: String,
    pub storage: Storage,
    /// What the server printed on standard output before its address
    /// (with the whole demo: the demo accounts' credentials).
    pub banner: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `serve` with `args` on a free port. Waits until it listens.
    pub fn start(storage: &Storage, args: &[&str]) -> Server {
        Self::start_with_log(storage, args, "warn")
    }

    /// Starts with the given log filter; the log is kept (see [`Server::log`]).
    pub fn start_with_log(storage: &Storage, args: &[&str], log: &str) -> Server {
        Self::start_on(storage, "127.0.0.1:0", args, log)
    }

    /// Starts on `bind` (e.g. the address of a server stopped before, so
    /// a phone configured with its URL finds it again). `--demo` loads the
    /// demo catalogue only: a test makes its own people, and its counts
    /// are its own (see [`Server::start_demo`] for the whole demo).
    pub fn start_on(storage: &Storage, bind: &str, args: &[&str], log: &str) -> Server {
        Self::launch(
            storage,
            bind,
            args,
            &[("LAWCIRCLE_LOG", log), ("LAWCIRCLE_DEMO_PEOPLE", "false")],
        )
    }

    /// Starts `serve --demo` as a new user would: the demo catalogue, the
    /// demo accounts and their activity, with `args` and `env` added.
    pub fn start_demo(storage: &Storage, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut all = vec!["--demo"];
        all.extend_from_slice(args);
        let mut env = env.to_vec();
        if !env.iter().any(|(k, _)| *k == "LAWCIRCLE_LOG") {
            env.push(("LAWCIRCLE_LOG", "warn"));
        }
        Self::launch(storage, "127.0.0.1:0", &all, &env)
    }

    /// Starts `serve` with exactly these arguments and environment
    /// variables added (the configuration file, log format and demo
    /// switches of the caller's environment are not inherited).
    pub fn launch(storage: &Storage, bind: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(server_binary());
        cmd.arg("serve")
            .args(storage.args())
            .arg("--bind")
            .arg(bind)
            .args(args)
            .env_remove("LAWCIRCLE_CONFIG")
            .env_remove("LAWCIRCLE_LOG_FORMAT")
            .env_remove("LAWCIRCLE_DEMO_PEOPLE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lawcircle-server");
        let stderr_buf = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("server stderr");
        let sink = stderr_buf.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&chunk[..n]).to_string();
                eprint!("{text}");
                sink.lock().unwrap().push_str(&text);
            }
        });
        let stdout = child.stdout.take().expect("server stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let mut banner = String::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while !line.contains("listening on") {
            banner.push_str(&line);
            line.clear();
            let n = reader.read_line(&mut line).expect("read server stdout");
            assert!(
                n > 0,
                "the server exited before listening: {}",
                stderr_buf.lock().unwrap()
            );
            assert!(
                Instant::now() < deadline,
                "the server did not start in time"
            );
        }
        let base_url = line
            .trim()
            .rsplit(' ')
            .next()
            .expect("address on the line")
            .to_string();
        Server {
            child,
            base_url,
            storage: storage.clone(),
            banner,
            stderr: stderr_buf,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Stops the server with SIGTERM and waits for it.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value after `name` on a helper binary's command line
/// (`--data-dir DIR`), if given.
pub fn cli_arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Runs a `lawcircle-server` subcommand to completion.
pub fn run_cli(args: &[&str]) -> Output {
    run_cli_with_env(args, &[])
}

/// Runs a subcommand with extra environment variables.
pub fn run_cli_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(server_binary());
    cmd.args(args)
        .env("LAWCIRCLE_LOG", "warn")
        .env_remove("LAWCIRCLE_CONFIG")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run lawcircle-server")
}

/// Creates an account with the CLI (how the first admin is bootstrapped).
pub fn cli_create_account(
    storage: &Storage,
    username: &str,
    role: &str,
    street: Option<&str>,
    password: &str,
) {
    let mut args: Vec<String> = vec!["create-account".into()];
    args.extend(storage.args());
    args.extend([
        "--username".into(),
        username.into(),
        "--role".into(),
        role.into(),
        "--display-name".into(),
        format!("{username} (test)"),
    ]);
    if let Some(s) = street {
        args.extend(["--street-code".into(), s.into()]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_cli_with_env(&refs, &[("LAWCIRCLE_PASSWORD", password)]);
    assert!(
        out.status.success(),
        "create-account failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A plain reqwest client. The workspace builds reqwest with
/// `rustls-no-provider` (the phone's sync client brings its own ring
/// provider), so the provider is installed before any client is built.
pub fn http_client() -> reqwest::Client {
    lawcircle_client::sync::install_crypto_provider();
    reqwest::Client::new()
}

/// `reqwest::get` with the TLS provider installed first.
pub async fn http_get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    http_client().get(url).send().await
}

/// An HTTP client speaking to one server, optionally logged in.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

/// A response: status and JSON body (Null when the body is not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            http: http_client(),
            base: server.base_url.clone(),
            token: None,
        }
    }

    /// Logs in and returns a client that sends the token.
    pub async fn login(server: &Server, username: &str, password: &str) -> Client {
        let mut c = Client::new(server);
        let r = c
            .post(
                "/api/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "login {username}: {:?}", r.body);
        c.token = Some(r.body["token"].as_str().unwrap().to_string());
        c
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(format!("{}{}", self.base, path)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.post(format!("{}{}", self.base, path)).json(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.put(format!("{}{}", self.base, path)).json(body))
            .await
    }

    /// Sends `events` to `order` one after another, each with the version
    /// the answer before it gave (`version` for the first); every one must
    /// be accepted. Returns the order as the last answer shows it.
    pub async fn order_events(&self, order: &str, version: &Value, events: &[Value]) -> Value {
        let mut version = version.clone();
        let mut last = Value::Null;
        for event in events {
            let r = self
                .post(
                    &format!("/api/v1/orders/{order}/events"),
                    &json!({"event": event, "version": version}),
                )
                .await;
            assert_eq!(r.status, 200, "{event}: {:?}", r.body);
            version = r.body["version"].clone();
            last = r.body;
        }
        last
    }

    /// Posts `body` as JSON under `key`, the phone's idempotency key (needs
    /// and punches are written once however often a phone sends them).
    pub async fn post_idempotent(
        &self,
        path: &str,
        key: &str,
        body: &(impl serde::Serialize + ?Sized),
    ) -> Reply {
        self.send(
            self.http
                .post(format!("{}{}", self.base, path))
                .header("Idempotency-Key", key)
                .json(body),
        )
        .await
    }

    /// Files a need (`POST /api/v1/needs`) under `key`.
    pub async fn post_need_with_key(
        &self,
        key: &str,
        body: &(impl serde::Serialize + ?Sized),
    ) -> Reply {
        self.post_idempotent("/api/v1/needs", key, body).await
    }

    /// Files a need under a fresh idempotency key.
    pub async fn post_need(&self, body: &(impl serde::Serialize + ?Sized)) -> Reply {
        self.post_need_with_key(&uuid::Uuid::now_v7().to_string(), body)
            .await
    }

    /// Posts a punch (`POST /api/v1/punches`) under a fresh idempotency key.
    pub async fn post_punch(&self, punch: &(impl serde::Serialize + ?Sized)) -> Reply {
        self.post_idempotent("/api/v1/punches", &uuid::Uuid::now_v7().to_string(), punch)
            .await
    }

    /// Files a need that must be accepted and returns the answer: the
    /// need's `id`, its `order_id`, ….
    pub async fn file_need(&self, body: &(impl serde::Serialize + ?Sized)) -> Value {
        let r = self.post_need(body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body
    }

    /// Files a need that must be accepted and returns its order's id.
    pub async fn submit_need(&self, body: &(impl serde::Serialize + ?Sized)) -> String {
        self.file_need(body).await["order_id"]
            .as_str()
            .expect("the filed need's order id")
            .to_string()
    }

    /// Posts raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.send(
            self.http
                .post(format!("{}{}", self.base, path))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

/// An account a test creates: username, role, street code of station staff.
pub type TestAccount<'a> = (&'a str, &'a str, Option<&'a str>);

/// A server with the demo catalogue (`--demo` plus `args`) and `accounts`
/// created through the CLI with `password` (the demo streets must exist
/// before staff accounts name them).
pub async fn demo_server_with(
    backend: &Backend,
    dir: &Path,
    args: &[&str],
    accounts: &[TestAccount<'_>],
    password: &str,
) -> Server {
    let storage = Storage::new(backend, dir).await;
    let mut all = vec!["--demo"];
    all.extend_from_slice(args);
    let server = Server::start(&storage, &all);
    for (user, role, street) in accounts {
        cli_create_account(&storage, user, role, *street, password);
    }
    server
}

/// `application/x-www-form-urlencoded` of `pairs`, as Open311 clients post.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Asserts the API's stable error shape and returns its code.
pub fn error_code(reply: &Reply) -> String {
    let code = reply.body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error shape in {} {:?}", reply.status, reply.body));
    assert!(
        reply.body["error"]["message"].is_string(),
        "error without message: {:?}",
        reply.body
    );
    code.to_string()
}

/// The rating verdicts the server keeps per order and counts per street
/// ([`lawcircle_server::store::Store::rating_verdicts`]) are those of one
/// grouped query over every resolved order with its rating, request,
/// links and last call-back, at `now` and just before and at the end of
/// every wait stored.
pub async fn assert_rating_verdicts_match_the_orders(storage: &Storage) {
    let db = storage.database().await;
    let store = storage.store().await;
    let waits: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT awaiting_until FROM rating_verdicts WHERE awaiting_until IS NOT NULL",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let mut times: Vec<i64> = vec![chrono::Utc::now().timestamp_millis()];
    for w in &waits {
        times.extend([w - 1, *w]);
    }
    for t in times {
        let mut expected: Vec<(String, String, u64)> = Vec::new();
        for r in sqlx::query(RATING_VERDICTS_OVER_EVERY_RESOLVED_ORDER)
            .bind(t)
            .fetch_all(&db)
            .await
            .unwrap()
        {
            use sqlx::Row;
            let n: i64 = r.get(2);
            expected.push((r.get(0), r.get(1), n as u64));
        }
        let now = chrono::DateTime::from_timestamp_millis(t).unwrap();
        let mut kept = store.rating_verdicts(now).await.unwrap();
        kept.sort();
        expected.sort();
        assert_eq!(kept, expected, "at {now}");
    }
}

/// The rating verdicts per street at `$1` (milliseconds) grouped over
/// every resolved order with its rating, request, links and last
/// call-back: how the server counted them before it kept them per order
/// (the reference of the tests, the previous way of the benchmarks).
pub const RATING_VERDICTS_OVER_EVERY_RESOLVED_ORDER: &str = "
        SELECT o.street_code,
               CASE WHEN r.channel IS NOT NULL THEN 'rated:' || r.channel
               ELSE CASE (SELECT c.outcome FROM call_backs c WHERE c.order_id = o.id
                          ORDER BY c.at DESC, c.id DESC LIMIT 1)
                    WHEN 'refused' THEN 'declined'
                    WHEN 'not_reached' THEN 'not_reached'
                    ELSE CASE
                         WHEN q.order_id IS NULL THEN 'no_request'
                         WHEN q.channel = 'app' AND $1 < q.expires_at THEN 'awaiting'
                         WHEN q.channel = 'app' THEN 'app_expired'
                         WHEN q.channel = 'call_back' THEN 'awaiting_call_back'
                         WHEN COALESCE(q.sms_status, '') NOT IN ('sent', 'not_sent')
                              AND NOT EXISTS (SELECT 1 FROM rating_links l
                                              WHERE l.order_id = o.id AND l.via = 'qr')
                              THEN 'no_contact'
                         WHEN EXISTS (SELECT 1 FROM rating_links l
                                      WHERE l.order_id = o.id AND l.expires_at > $1)
                              THEN 'awaiting'
                         ELSE 'link_expired'
                         END
                    END
               END AS verdict,
               COUNT(*)
        FROM orders o
        LEFT JOIN ratings r ON r.order_id = o.id
        LEFT JOIN rating_requests q ON q.order_id = o.id
        WHERE o.resolution_ms IS NOT NULL
        GROUP BY o.street_code, verdict
        ORDER BY o.street_code, verdict";
