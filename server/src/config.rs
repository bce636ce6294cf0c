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
//! # How long the exact location of clock-in punches is kept before it is
//! # blurred to the duty post (used by the volunteer clock-in feature).
//! punch_location_retention_days = 180
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
//! ```

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    pub punch_location_retention_days: Option<u32>,
    pub log_format: Option<String>,
    pub console_tile_url: Option<String>,
    pub console_tile_attribution: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
