//! The client object the shells hold: opened with the phone's database
//! path, the platform server's URL and the user's credentials. The
//! phone-side operations of the feature issues are methods on it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::task::AbortHandle;

use crate::LawCircleError;
use crate::runtime::{run, runtime};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Below this a connectivity watch would only drain the battery.
const MIN_WATCH_INTERVAL_MS: u32 = 100;

/// Who is using the app. The server checks them on the authenticated calls
/// that the feature issues add.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Credentials {
    pub user_id: String,
    pub secret: String,
}

/// What [`LawCircleClient::open`] needs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientConfig {
    /// The phone-side database file (the offline catalogue and outbox of
    /// later features); its folder is created if missing.
    pub database_path: String,
    /// The platform server, e.g. `https://lawcircle.example.cn`.
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

/// Keeps a listener registered; `cancel` (or dropping the handle) stops it.
#[derive(Debug, uniffi::Object)]
pub struct ListenerHandle {
    task: Mutex<Option<AbortHandle>>,
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
            task.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        match self.task.lock() {
            Ok(guard) => guard.as_ref().is_none_or(AbortHandle::is_finished),
            Err(_) => true,
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The phone's handle on the LawCircle core and platform.
#[derive(Debug, uniffi::Object)]
pub struct LawCircleClient {
    http: reqwest::Client,
    /// Without a trailing slash.
    server_url: String,
    database_path: PathBuf,
    credentials: Credentials,
}

#[uniffi::export]
impl LawCircleClient {
    /// Checks the configuration and prepares the client; no network yet.
    #[uniffi::constructor]
    pub fn open(config: ClientConfig) -> Result<Arc<Self>, LawCircleError> {
        let server_url = check_server_url(&config.server_url)?;
        let database_path = check_database_path(&config.database_path)?;
        if config.credentials.user_id.trim().is_empty() {
            return Err(LawCircleError::invalid(
                "credentials.user_id",
                "must not be empty",
            ));
        }
        Ok(Arc::new(LawCircleClient {
            http: http_client()?,
            server_url,
            database_path,
            credentials: config.credentials,
        }))
    }

    pub fn server_url(&self) -> String {
        self.server_url.clone()
    }

    pub fn database_path(&self) -> String {
        self.database_path.to_string_lossy().into_owned()
    }

    pub fn user_id(&self) -> String {
        self.credentials.user_id.clone()
    }

    /// `GET /health`: is the platform up, and which catalogue does it serve.
    pub async fn server_health(&self) -> Result<ServerHealth, LawCircleError> {
        let http = self.http.clone();
        let url = format!("{}/health", self.server_url);
        run(fetch_health(http, url)).await
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
        let http = self.http.clone();
        let url = format!("{}/health", self.server_url);
        let period = Duration::from_millis(u64::from(interval_ms));
        let task = runtime()?.spawn(async move {
            let mut last: Option<Connectivity> = None;
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let now = match fetch_health(http.clone(), url.clone()).await {
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
        Ok(Arc::new(ListenerHandle {
            task: Mutex::new(Some(task.abort_handle())),
        }))
    }
}

#[derive(Deserialize)]
struct HealthBody {
    status: String,
    database: String,
    catalogue_version: u64,
    version: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
    field: Option<String>,
}

async fn fetch_health(http: reqwest::Client, url: String) -> Result<ServerHealth, LawCircleError> {
    let resp = http.get(url).send().await?;
    let body: HealthBody = check_status(resp).await?.json().await?;
    Ok(ServerHealth {
        status: body.status,
        database: body.database,
        catalogue_version: body.catalogue_version,
        server_version: body.version,
    })
}

/// Turns the API's error shape into [`LawCircleError`].
async fn check_status(resp: reqwest::Response) -> Result<reqwest::Response, LawCircleError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let text = resp.text().await.unwrap_or_default();
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(ErrorBody {
            error:
                ErrorDetail {
                    field: Some(field),
                    message,
                    ..
                },
        }) if status == reqwest::StatusCode::BAD_REQUEST => LawCircleError::InvalidInput {
            field,
            reason: message,
        },
        Ok(ErrorBody { error }) => LawCircleError::Server {
            status: status.as_u16(),
            code: error.code,
            reason: error.message,
        },
        Err(_) => LawCircleError::Server {
            status: status.as_u16(),
            code: "unexpected".to_string(),
            reason: text.chars().take(200).collect(),
        },
    })
}

fn check_server_url(url: &str) -> Result<String, LawCircleError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            LawCircleError::invalid("server_url", "must start with https:// or http://")
        })?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(LawCircleError::invalid("server_url", "has no host"));
    }
    Ok(url.to_string())
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

/// One HTTP client per [`LawCircleClient`], TLS through rustls + ring.
fn http_client() -> Result<reqwest::Client, LawCircleError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("lawcircle-ffi/", env!("CARGO_PKG_VERSION")));
    let builder = tls(builder)?;
    builder.build().map_err(LawCircleError::internal)
}

/// Android: the Mozilla roots (the platform verifier needs a JNI
/// hand-shake the shell does not make).
#[cfg(target_os = "android")]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, LawCircleError> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(LawCircleError::internal)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

/// iOS and desktop: the platform's trust store through reqwest's
/// platform verifier, with ring as the process's crypto provider.
#[cfg(not(target_os = "android"))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, LawCircleError> {
    // Fails only when a provider is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(builder)
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
