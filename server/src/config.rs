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
//! # Personal data (PIPL), in days; 0 keeps it until removed on request.
//! # A need's personal data, from filing, once its case is over:
//! need_retention_days = 1095
//! # The bytes of photos and documents, from upload (not while a case
//! # using them is still being worked on):
//! attachment_retention_days = 365
//! # The audit log of reads of personal data:
//! audit_retention_days = 1095
//! log_format = "json"   # or "plain"
//! # A tile layer under the console's map (none by default: the map is
//! # drawn from the platform's own data and works offline).
//! console_tile_url = "https://tiles.example/{z}/{x}/{y}.png"
//! console_tile_attribution = "© the tile provider"
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
    pub need_retention_days: Option<u32>,
    pub attachment_retention_days: Option<u32>,
    pub audit_retention_days: Option<u32>,
    pub log_format: Option<String>,
    pub console_tile_url: Option<String>,
    pub console_tile_attribution: Option<String>,
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
