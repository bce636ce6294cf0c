//! The client object the shells hold: opened with the phone's database
//! path, the platform server's URL and the user's credentials. The
//! phone-side operations of the feature issues are methods on it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

pub(crate) use lawcircle_client::http::Method;
use lawcircle_client::http::{
    self, ApiError, Request, Response, RetryPolicy, Streaming, Transport, UrlError,
};
use lawcircle_client::outbox::{ItemState, Outbox};
use lawcircle_client::sync::{SyncClient, SyncConfig};
use lawcircle_core::volunteers::clock_in::Fix;
use serde::Deserialize;
use serde_json::Value;
use tokio::task::AbortHandle;

use crate::LawCircleError;
use crate::http::{ForeignTransport, HttpTransport};
use crate::offline::OfflineState;
use crate::outbox::OutboxFanout;
use crate::runtime::{run, runtime};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The event stream's keep-alives come every 15 s; three missed ones mean
/// the connection is dead.
const STREAM_READ_TIMEOUT: Duration = Duration::from_secs(45);
/// Below this a connectivity watch would only drain the battery.
const MIN_WATCH_INTERVAL_MS: u32 = 100;

/// Who is using the app. The server checks them on the authenticated calls
/// that the feature issues add.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Credentials {
    pub user_id: String,
    /// The password: a secret, never shown.
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user_id", &self.user_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// What [`LawCircleClient::open`] needs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientConfig {
    /// The phone-side database file (the offline catalogue and outbox of
    /// later features); its folder is created if missing.
    pub database_path: String,
    /// The platform server, e.g. `https://lawcircle.example.cn`; `http://`
    /// only to this device (127.0.0.1, ::1, localhost).
    pub server_url: String,
    pub credentials: Credentials,
}

/// `GET /health` of the platform server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServerHealth {
    pub status: String,
    pub database: String,
    pub catalogue_version: u64,
    pub server_version: String,
}

/// Whether the platform server is reachable, as a connectivity listener
/// sees it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Connectivity {
    /// Reachable, with the catalogue version it serves (a change means the
    /// phone's copy is stale).
    Online { catalogue_version: u64 },
    /// Unreachable or failing, with why.
    Offline { reason: String },
}

/// Told about every change of [`Connectivity`]. Implemented by the shell.
/// Called on a thread of the library's runtime: hop to the UI thread there.
#[uniffi::export(with_foreign)]
pub trait ConnectivityListener: Send + Sync {
    fn on_change(&self, connectivity: Connectivity);
}

/// What a [`ListenerHandle`] stops.
#[derive(Debug)]
pub(crate) enum Registration {
    /// A task polling or streaming for the listener.
    Task(AbortHandle),
    /// A listener in the outbox's fan-out, by its number.
    Outbox(Weak<OutboxFanout>, u64),
}

impl Registration {
    fn stop(self) {
        match self {
            Registration::Task(task) => task.abort(),
            Registration::Outbox(fanout, id) => {
                if let Some(f) = fanout.upgrade() {
                    f.remove(id);
                }
            }
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Registration::Task(task) => task.is_finished(),
            Registration::Outbox(fanout, id) => fanout.upgrade().is_none_or(|f| !f.contains(*id)),
        }
    }
}

/// Keeps a listener registered; `cancel` (or dropping the handle) stops it.
#[derive(Debug, uniffi::Object)]
pub struct ListenerHandle {
    task: Mutex<Option<Registration>>,
}

impl ListenerHandle {
    pub(crate) fn new(registration: Registration) -> Arc<Self> {
        Arc::new(ListenerHandle {
            task: Mutex::new(Some(registration)),
        })
    }
}

#[uniffi::export]
impl ListenerHandle {
    /// Stops the listener: a call already running finishes, no new one
    /// starts. Cancelling twice is harmless.
    pub fn cancel(&self) {
        let task = match self.task.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(task) = task {
            task.stop();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        match self.task.lock() {
            Ok(guard) => guard.as_ref().is_none_or(Registration::is_finished),
            Err(_) => true,
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The signed-in account, as the server told it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, Deserialize)]
pub struct Account {
    /// The account id (the volunteer id of punches, the requester of needs).
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: lawcircle_core::authz::Role,
    pub street_code: Option<String>,
}

/// Everything the client's operations share; the exported object is a thin
/// handle on it so async work can own a reference.
pub(crate) struct Inner {
    /// The platform's HTTP stack, given to `open`.
    pub(crate) transport: Arc<dyn Transport>,
    /// Without a trailing slash.
    pub(crate) server_url: String,
    pub(crate) database_path: PathBuf,
    pub(crate) credentials: Credentials,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) fanout: Arc<OutboxFanout>,
    pub(crate) sync: SyncClient,
    /// Attachment files checked so far (each is read and hashed once).
    pub(crate) checked_files: crate::attachments::CheckedFiles,
    /// The bearer token of the current session (never written to the
    /// library's database; kept by the platform's session store when
    /// the app gives one).
    token: RwLock<Option<String>>,
    session_store: RwLock<Option<Arc<dyn crate::session_store::SessionStore>>>,
    /// The offline catalogue, duty posts, service forms, walking network
    /// and the last signed-in account.
    pub(crate) offline: OfflineState,
    /// The last fix used for a clock-in (for the speed check).
    pub(crate) last_fix: Mutex<Option<Fix>>,
    /// Whether the last request reached the server.
    pub(crate) reachable: RwLock<bool>,
}

/// The phone's handle on the LawCircle core and platform.
#[derive(uniffi::Object)]
pub struct LawCircleClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for LawCircleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LawCircleClient")
            .field("server_url", &self.inner.server_url)
            .field("database_path", &self.inner.database_path)
            .field("user_id", &self.inner.credentials.user_id)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Checks the configuration and prepares the client; no network yet.
    /// Every request goes through `transport`, the platform's HTTP stack.
    #[uniffi::constructor]
    pub fn open(
        config: ClientConfig,
        transport: Arc<dyn HttpTransport>,
    ) -> Result<Arc<Self>, LawCircleError> {
        let server_url = check_server_url(&config.server_url)?;
        let database_path = check_database_path(&config.database_path)?;
        if config.credentials.user_id.trim().is_empty() {
            return Err(LawCircleError::invalid(
                "credentials.user_id",
                "must not be empty",
            ));
        }
        let outbox = Arc::new(Outbox::open(&database_path)?);
        let fanout = Arc::new(OutboxFanout::default());
        outbox.set_listener(Some(fanout.clone()));
        let transport: Arc<dyn Transport> = Arc::new(ForeignTransport(transport));
        let sync = SyncClient::new(
            outbox.clone(),
            SyncConfig::new(server_url.clone()),
            transport.clone(),
        );
        let offline = OfflineState::open(&database_path)?;
        // A network downloaded before: distances on foot from the start.
        crate::walking::load_kept(&offline, &database_path);
        Ok(Arc::new(LawCircleClient {
            inner: Arc::new(Inner {
                transport,
                server_url,
                database_path,
                credentials: config.credentials,
                outbox,
                fanout,
                sync,
                checked_files: Default::default(),
                token: RwLock::new(None),
                session_store: RwLock::new(None),
                offline,
                last_fix: Mutex::new(None),
                reachable: RwLock::new(false),
            }),
        }))
    }

    pub fn server_url(&self) -> String {
        self.inner.server_url.clone()
    }

    pub fn database_path(&self) -> String {
        self.inner.database_path.to_string_lossy().into_owned()
    }

    pub fn user_id(&self) -> String {
        self.inner.credentials.user_id.clone()
    }

    /// `GET /health`: is the platform up, and which catalogue does it serve.
    pub async fn server_health(&self) -> Result<ServerHealth, LawCircleError> {
        let transport = self.inner.transport.clone();
        let url = format!("{}/health", self.inner.server_url);
        run(async move { fetch_health(transport.as_ref(), url).await }).await
    }

    /// Signs in with the configured credentials (`POST /api/v1/auth/login`)
    /// and remembers the account, so offline work (punches, needs) knows
    /// who made it. Other calls sign in by themselves when needed.
    pub async fn sign_in(&self) -> Result<Account, LawCircleError> {
        let inner = self.inner.clone();
        run(async move { inner.sign_in().await }).await
    }

    /// Signs out: the server revokes this session's token (when it can be
    /// reached; offline, the token is forgotten here and expires on the
    /// server), and the phone forgets the token and the signed-in account.
    /// Entries still in the outbox would be sent under the next user's
    /// session, so signing out with pending entries is refused (field
    /// `outbox`) unless `discard_pending` is set, which discards them.
    pub async fn sign_out(&self, discard_pending: bool) -> Result<(), LawCircleError> {
        let inner = self.inner.clone();
        run(async move { inner.sign_out(discard_pending).await }).await
    }

    /// The account of the last successful sign-in (kept on the phone), if
    /// any: available offline.
    pub fn account(&self) -> Option<Account> {
        self.inner.offline.account()
    }

    /// Whether the last request reached the server.
    pub fn is_online(&self) -> bool {
        self.inner.reachable.read().map(|r| *r).unwrap_or(false)
    }

    /// Polls the server every `interval_ms` and tells `listener` each time
    /// connectivity changes (the first state is always told).
    pub fn watch_connectivity(
        &self,
        listener: Arc<dyn ConnectivityListener>,
        interval_ms: u32,
    ) -> Result<Arc<ListenerHandle>, LawCircleError> {
        if interval_ms < MIN_WATCH_INTERVAL_MS {
            return Err(LawCircleError::invalid(
                "interval_ms",
                format!("must be at least {MIN_WATCH_INTERVAL_MS}"),
            ));
        }
        let transport = self.inner.transport.clone();
        let url = format!("{}/health", self.inner.server_url);
        let period = Duration::from_millis(u64::from(interval_ms));
        let task = runtime()?.spawn(async move {
            let mut last: Option<Connectivity> = None;
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let now = match fetch_health(transport.as_ref(), url.clone()).await {
                    Ok(h) => Connectivity::Online {
                        catalogue_version: h.catalogue_version,
                    },
                    Err(e) => Connectivity::Offline {
                        reason: e.to_string(),
                    },
                };
                let changed = match (&last, &now) {
                    (None, _) => true,
                    // A new failure message alone is no change of state.
                    (Some(Connectivity::Offline { .. }), Connectivity::Offline { .. }) => false,
                    (Some(prev), now) => prev != now,
                };
                if changed {
                    listener.on_change(now.clone());
                    last = Some(now);
                }
            }
        });
        Ok(ListenerHandle::new(Registration::Task(task.abort_handle())))
    }
}

/// A JSON answer read as `T`; a shape this library does not expect is the
/// server's fault, said so.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, LawCircleError> {
    serde_json::from_value(v).map_err(|e| LawCircleError::Server {
        status: 200,
        code: "bad_response".to_string(),
        reason: e.to_string(),
    })
}

#[derive(Deserialize)]
pub(crate) struct LoginBody {
    pub(crate) token: String,
    pub(crate) account: Account,
}

impl Inner {
    fn set_reachable(&self, yes: bool) {
        if let Ok(mut r) = self.reachable.write() {
            *r = yes;
        }
    }

    fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    pub(crate) async fn sign_in(&self) -> Result<Account, LawCircleError> {
        let req = self
            .request(Method::Post, "/api/v1/auth/login")
            .json(&serde_json::json!({
                "username": self.credentials.user_id,
                "password": self.credentials.secret,
            }));
        let resp = self.exchange(req).await?;
        let body: LoginBody = json_body(&check_status(resp)?)?;
        self.adopt_session(body.token, &body.account)?;
        Ok(body.account)
    }

    pub(crate) fn set_session_store(&self, store: Arc<dyn crate::session_store::SessionStore>) {
        if let Ok(mut s) = self.session_store.write() {
            *s = Some(store);
        }
    }

    fn session_store(&self) -> Option<Arc<dyn crate::session_store::SessionStore>> {
        self.session_store.read().ok().and_then(|s| s.clone())
    }

    /// Uses a session's token and account without saving them anywhere
    /// (a session the platform gave back).
    pub(crate) fn take_session(
        &self,
        token: String,
        account: &Account,
    ) -> Result<(), LawCircleError> {
        if let Ok(mut t) = self.token.write() {
            *t = Some(token.clone());
        }
        self.sync.set_token(Some(token));
        self.offline.set_account(account)
    }

    pub(crate) async fn sign_out(&self, discard_pending: bool) -> Result<(), LawCircleError> {
        let waiting: Vec<String> = self
            .outbox
            .keys()?
            .into_iter()
            .filter(|(_, _, state)| !matches!(state, ItemState::Sent | ItemState::Discarded))
            .map(|(key, _, _)| key)
            .collect();
        if !waiting.is_empty() && !discard_pending {
            return Err(LawCircleError::invalid(
                "outbox",
                format!(
                    "{} entries are not sent yet: sync first, or sign out discarding them",
                    waiting.len()
                ),
            ));
        }
        for key in &waiting {
            self.outbox.discard(key)?;
        }
        if let Some(token) = self.token() {
            // Best effort: offline, the token expires on the server.
            let req = self
                .request(Method::Post, "/api/v1/auth/logout")
                .bearer(Some(&token));
            let _ = self.exchange(req).await;
        }
        if let Ok(mut t) = self.token.write() {
            *t = None;
        }
        self.sync.set_token(None);
        if let Some(store) = self.session_store() {
            store.clear()?;
        }
        self.offline.clear_account()
    }

    /// `GET /health`, noting whether the server is reachable.
    pub(crate) async fn ping(&self) -> Result<ServerHealth, LawCircleError> {
        let r = fetch_health(
            self.transport.as_ref(),
            format!("{}/health", self.server_url),
        )
        .await;
        self.set_reachable(!matches!(r, Err(LawCircleError::Network { .. })));
        r
    }

    /// A request to `path` on the server, with the call timeout.
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(
            method,
            format!("{}{}", self.server_url, path),
            REQUEST_TIMEOUT,
        )
    }

    /// Sends through the platform (retrying what is safe to retry), noting
    /// whether the server was reached.
    async fn exchange(&self, req: Request) -> Result<Response, LawCircleError> {
        let r =
            http::send_with_retries(self.transport.as_ref(), req, &RetryPolicy::default()).await;
        self.set_reachable(r.is_ok());
        Ok(r?)
    }

    /// Opens the server's event stream at `path` with `token`: the head is
    /// checked, the body is read with [`Streaming::chunk`]. The stream may
    /// stay silent up to [`STREAM_READ_TIMEOUT`] (the server sends
    /// keep-alives more often).
    pub(crate) async fn open_stream(
        &self,
        path: &str,
        token: &str,
    ) -> Result<Streaming, LawCircleError> {
        let req = Request::new(
            Method::Get,
            format!("{}{}", self.server_url, path),
            STREAM_READ_TIMEOUT,
        )
        .bearer(Some(token))
        .header("Accept", "text/event-stream");
        let mut stream = http::open_stream(self.transport.clone(), req)
            .await
            .inspect_err(|_| self.set_reachable(false))?;
        self.set_reachable(true);
        if (200..300).contains(&stream.status) {
            return Ok(stream);
        }
        // An error answer is short: read it to say why.
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            body.extend(chunk);
        }
        Err(status_error(stream.status, &body))
    }

    /// A GET of `path` whose body is read in chunks ([`Streaming::chunk`],
    /// silences up to the call timeout): downloads written to a file as
    /// they come. Signs in first when there is no session. The answer's
    /// status is the caller's to check; an error status (400 and above)
    /// is turned into the error here, its short body read to say why.
    pub(crate) async fn download(
        &self,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<Streaming, LawCircleError> {
        let token = self
            .token_or_sign_in()
            .await?
            .ok_or_else(|| LawCircleError::internal("no session"))?;
        let mut req = Request::new(
            Method::Get,
            format!("{}{}", self.server_url, path),
            REQUEST_TIMEOUT,
        )
        .bearer(Some(&token));
        for (name, value) in headers {
            req = req.header(name, value.clone());
        }
        let mut stream = http::open_stream(self.transport.clone(), req)
            .await
            .inspect_err(|_| self.set_reachable(false))?;
        self.set_reachable(true);
        if stream.status < 400 {
            return Ok(stream);
        }
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            body.extend(chunk);
        }
        Err(status_error(stream.status, &body))
    }

    /// The session's token, signing in first when there is none.
    pub(crate) async fn token_or_sign_in(&self) -> Result<Option<String>, LawCircleError> {
        if self.token().is_none() {
            self.sign_in().await?;
        }
        Ok(self.token())
    }

    /// The signed-in account, signing in first when there is no session.
    pub(crate) async fn session_account(&self) -> Result<Account, LawCircleError> {
        match (self.token(), self.offline.account()) {
            (Some(_), Some(account)) => Ok(account),
            _ => self.sign_in().await,
        }
    }

    /// Takes over a session the server opened another way (registration,
    /// sign-in by SMS code): its token and account, as after `sign_in`.
    /// The platform's session store, when the app gave one, keeps it.
    pub(crate) fn adopt_session(
        &self,
        token: String,
        account: &Account,
    ) -> Result<(), LawCircleError> {
        self.take_session(token.clone(), account)?;
        if let Some(store) = self.session_store() {
            store.save(crate::session_store::StoredSession {
                server_url: self.server_url.clone(),
                username: self.credentials.user_id.clone(),
                token,
                account: account.clone(),
            })?;
        }
        Ok(())
    }

    /// An unauthenticated JSON POST (registration and its codes).
    pub(crate) async fn post_public(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<Value, LawCircleError> {
        let resp = self
            .exchange(self.request(Method::Post, path).json(body))
            .await?;
        json_body(&check_status(resp)?)
    }

    /// An authenticated API call with a JSON body (or none); signs in when
    /// there is no session and once more when the token was refused.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, LawCircleError> {
        if self.token().is_none() {
            self.sign_in().await?;
        }
        let mut renewed = false;
        loop {
            let mut req = self.request(method, path).bearer(self.token().as_deref());
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = self.exchange(req).await?;
            if resp.status == 401 && !renewed {
                renewed = true;
                self.sign_in().await?;
                continue;
            }
            let resp = check_status(resp)?;
            if resp.body.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return json_body(&resp);
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Result<Value, LawCircleError> {
        self.call(Method::Get, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Result<Value, LawCircleError> {
        self.call(Method::Post, path, Some(body)).await
    }
}

#[derive(Deserialize)]
struct HealthBody {
    status: String,
    database: String,
    catalogue_version: u64,
    version: String,
}

async fn fetch_health(
    transport: &dyn Transport,
    url: String,
) -> Result<ServerHealth, LawCircleError> {
    let req = Request::new(Method::Get, url, REQUEST_TIMEOUT);
    let resp = http::send_with_retries(transport, req, &RetryPolicy::default()).await?;
    let body: HealthBody = json_body(&check_status(resp)?)?;
    Ok(ServerHealth {
        status: body.status,
        database: body.database,
        catalogue_version: body.catalogue_version,
        server_version: body.version,
    })
}

/// A response's JSON body read as `T`; anything else is the server's
/// fault, said so.
fn json_body<T: serde::de::DeserializeOwned>(resp: &Response) -> Result<T, LawCircleError> {
    serde_json::from_slice(&resp.body).map_err(|e| LawCircleError::Server {
        status: resp.status,
        code: "bad_response".to_string(),
        reason: format!("not the expected JSON: {e}"),
    })
}

/// Turns the API's error answers into [`LawCircleError`]: the shells never
/// see a status to compare.
pub(crate) fn check_status(resp: Response) -> Result<Response, LawCircleError> {
    if resp.is_success() {
        return Ok(resp);
    }
    Err(status_error(resp.status, &resp.body))
}

fn status_error(status: u16, body: &[u8]) -> LawCircleError {
    match ApiError::parse(body) {
        Some(ApiError {
            field: Some(field),
            message,
            ..
        }) if status == 400 => LawCircleError::InvalidInput {
            field,
            reason: message,
        },
        Some(error) => LawCircleError::Server {
            status,
            code: error.code,
            reason: error.message,
        },
        None => LawCircleError::Server {
            status,
            code: "unexpected".to_string(),
            reason: String::from_utf8_lossy(body).chars().take(200).collect(),
        },
    }
}

fn check_server_url(url: &str) -> Result<String, LawCircleError> {
    http::check_server_url(url)
        .map_err(|e: UrlError| LawCircleError::invalid("server_url", e.to_string()))
}

fn check_database_path(path: &str) -> Result<PathBuf, LawCircleError> {
    if path.trim().is_empty() {
        return Err(LawCircleError::invalid(
            "database_path",
            "must not be empty",
        ));
    }
    let path = PathBuf::from(path);
    if path.is_dir() {
        return Err(LawCircleError::invalid(
            "database_path",
            "is a folder, not a file",
        ));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            LawCircleError::invalid("database_path", format!("cannot create its folder: {e}"))
        })?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_checked_and_trimmed() {
        assert_eq!(
            check_server_url(" http://127.0.0.1:8080/ ").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(matches!(
            check_server_url("ftp://x"),
            Err(LawCircleError::InvalidInput { ref field, .. }) if field == "server_url"
        ));
        assert!(check_server_url("https://").is_err());
        // Passwords and legal troubles never cross a network in clear.
        assert!(matches!(
            check_server_url("http://lawcircle.example.cn"),
            Err(LawCircleError::InvalidInput { ref field, .. }) if field == "server_url"
        ));
        assert!(check_server_url("http://[::1]:8080").is_ok());
    }

    #[test]
    fn a_folder_is_no_database_path() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_database_path(dir.path().to_str().unwrap()).is_err());
        let nested = dir.path().join("a/b/phone.sqlite");
        let p = check_database_path(nested.to_str().unwrap()).unwrap();
        assert!(p.parent().unwrap().is_dir());
        assert!(check_database_path("  ").is_err());
    }
}
