//! Configuration: command-line flags win over environment variables
//! (clap reads both), which win over the configuration file
//! (`--config lawcircle.toml`), which wins over the defaults.
//!
//! ```toml
//! bind = "0.0.0.0:8080"
//! data_dir = "/var/lib/lawcircle"
//! database_url = "postgres://lawcircle@db/lawcircle"   # omit for SQLite
//! token_ttl_hours = 12
//! login_max_failures = 5
//! login_window_minutes = 15
//! # The first login back-off after the free failures (doubling after).
//! login_backoff_secs = 1
//! # A token a Prometheus scraper sends to read /metrics without a staff
//! # account (at least 32 characters; /metrics is not public).
//! metrics_token = "a long random string"
//! # How often an open event stream re-checks its token, in seconds.
//! session_recheck_secs = 15
//! # How long the exact location of clock-in punches is kept before it is
//! # blurred to the duty post (used by the volunteer clock-in feature).
//! punch_location_retention_days = 180
//! # Personal data (PIPL), in days; 0 keeps it until removed on request.
//! # A need's personal data, from filing, once its case is over:
//! need_retention_days = 1095
//! # The bytes of photos and documents, from upload (not while a case
//! # using them is still being worked on):
//! attachment_retention_days = 365
//! # The audit log of reads of personal data:
//! audit_retention_days = 1095
//! # Several instances on one PostgreSQL: each one's name (default: the
//! # host's name and the process id), and how long the background job's
//! # lease lasts: when the instance running the job dies, another runs it
//! # within this time and a third of it.
//! instance_id = "app-1"
//! leader_lease_secs = 15
//! log_format = "json"   # or "plain"
//! # A tile layer under the console's map (none by default: the map is
//! # drawn from the platform's own data and works offline).
//! console_tile_url = "https://tiles.example/{z}/{x}/{y}.png"
//! console_tile_attribution = "© the tile provider"
//! # The address people reach the server at: rating links are made with
//! # it (default: the bound address).
//! public_url = "https://fw.longwan.example"
//! rating_link_ttl_days = 14
//! # Text messages (verification codes, rating links). Without
//! # sms_provider nothing is sent and /health says "sms": "not_configured".
//! sms_provider = "aliyun"
//! sms_endpoint = "https://dysmsapi.aliyuncs.com/"
//! sms_region_id = "cn-hangzhou"
//! sms_access_key_id = "LTAI…"
//! # The secret: better in LAWCIRCLE_SMS_ACCESS_KEY_SECRET than here.
//! sms_access_key_secret = "…"
//! sms_sign_name = "龙湾公共法律服务"
//! sms_code_template = "SMS_000001"     # parameter ${code}
//! sms_rating_template = "SMS_000002"   # parameter ${link}
//! sms_notice_template = "SMS_000003"   # parameters ${order}, ${status}
//! # iPhones' push (APNs, token-based): all four of team id, key id, key
//! # file and topic, or none (then iPhones cannot register for push).
//! apns_url = "https://api.push.apple.com"   # or https://api.sandbox.push.apple.com
//! apns_team_id = "ABCDE12345"
//! apns_key_id = "KEY1234567"
//! apns_key_file = "/etc/lawcircle/AuthKey_KEY1234567.p8"
//! apns_topic = "org.lawcircle.app"
//! ```

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("the database URL {url:?} is not one SQLite understands: {reason}")]
    SqliteUrl { url: String, reason: String },
    #[error("the SQLite database {path}: {reason}")]
    SqliteFile { path: String, reason: String },
}

/// The configuration file. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub token_ttl_hours: Option<i64>,
    pub login_max_failures: Option<i64>,
    pub login_window_minutes: Option<i64>,
    pub login_backoff_secs: Option<i64>,
    pub punch_location_retention_days: Option<u32>,
    pub need_retention_days: Option<u32>,
    pub attachment_retention_days: Option<u32>,
    pub audit_retention_days: Option<u32>,
    pub log_format: Option<String>,
    pub console_tile_url: Option<String>,
    pub console_tile_attribution: Option<String>,
    pub metrics_token: Option<String>,
    pub session_recheck_secs: Option<u64>,
    pub public_url: Option<String>,
    pub rating_link_ttl_days: Option<u32>,
    pub sms_provider: Option<String>,
    pub sms_endpoint: Option<String>,
    pub sms_region_id: Option<String>,
    pub sms_access_key_id: Option<String>,
    pub sms_access_key_secret: Option<String>,
    pub sms_sign_name: Option<String>,
    pub sms_code_template: Option<String>,
    pub sms_rating_template: Option<String>,
    pub sms_notice_template: Option<String>,
    pub apns_url: Option<String>,
    pub apns_team_id: Option<String>,
    pub apns_key_id: Option<String>,
    pub apns_key_file: Option<PathBuf>,
    pub apns_topic: Option<String>,
    pub instance_id: Option<String>,
    pub leader_lease_secs: Option<u64>,
}

impl FileConfig {
    /// Reads a TOML file; unknown keys are an error, so a typo is noticed.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.display().to_string(),
            source: Box::new(source),
        })
    }
}

/// Makes a `sqlite:` URL (`sqlite:///abs/path.db`, `sqlite://relative.db`,
/// `sqlite:relative.db`, with or without `?…` options) ready to open:
/// the file is created when missing, and its folder too when that folder
/// is the data folder; otherwise the error names the path and the reason
/// (the folder is missing, the parent is a file, permission denied…).
/// In-memory databases and URLs that set `mode=` are left as they are.
pub fn prepare_sqlite_url(url: &str, data_dir: &Path) -> Result<(), ConfigError> {
    let options =
        sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|e| ConfigError::SqliteUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let explicit_mode = form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "mode");
    if explicit_mode || url.contains(":memory:") {
        return Ok(());
    }
    let path = options.get_filename().to_path_buf();
    let fail = |reason: String| ConfigError::SqliteFile {
        path: path.display().to_string(),
        reason,
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match std::fs::metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(fail(format!(
                "{} is a file, not a folder",
                folder.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if same_path(folder, data_dir) {
                std::fs::create_dir_all(folder).map_err(|e| {
                    fail(format!(
                        "cannot create the folder {}: {e}",
                        folder.display()
                    ))
                })?;
            } else {
                return Err(fail(format!(
                    "the folder {} does not exist (create it, or give it as --data-dir)",
                    folder.display()
                )));
            }
        }
        Err(e) => return Err(fail(format!("cannot reach {}: {e}", folder.display()))),
    }
    // Opening (and creating) the file here gives the exact reason when it
    // cannot be, where SQLite would only say "unable to open database file";
    // an empty file is an empty SQLite database.
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Whether two paths name the same folder (made absolute, `.` removed).
fn same_path(a: &Path, b: &Path) -> bool {
    let norm = |p: &Path| {
        std::path::absolute(p)
            .map(|p| p.components().collect::<PathBuf>())
            .unwrap_or_else(|_| p.to_path_buf())
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file_and_only_the_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        // The data folder is made, and the file in it.
        let url = format!("sqlite://{}/lawcircle.db", data.display());
        prepare_sqlite_url(&url, &data).unwrap();
        assert!(data.join("lawcircle.db").is_file());
        // Another missing folder is not made: the error names it.
        let other = dir.path().join("elsewhere/x.db");
        let e = prepare_sqlite_url(&format!("sqlite:{}", other.display()), &data).unwrap_err();
        assert!(e.to_string().contains("elsewhere"), "{e}");
        assert!(!other.exists());
        // A parent that is a file.
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let e = prepare_sqlite_url(
            &format!("sqlite://{}/x.db?cache=shared", file.display()),
            &data,
        )
        .unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        // In memory: untouched.
        prepare_sqlite_url("sqlite::memory:", &data).unwrap();
    }

    #[test]
    fn reads_known_keys_and_refuses_typos() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "bind = \"127.0.0.1:9000\"\ntoken_ttl_hours = 2\n").unwrap();
        let c = FileConfig::load(&good).unwrap();
        assert_eq!(c.bind.unwrap().port(), 9000);
        assert_eq!(c.token_ttl_hours, Some(2));
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "tokn_ttl_hours = 2\n").unwrap();
        assert!(matches!(
            FileConfig::load(&bad),
            Err(ConfigError::Parse { .. })
        ));
    }
}
