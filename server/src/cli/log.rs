//! The log: plain text or JSON lines.

use crate::config::FileConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// How the log is written: `plain` lines (coloured only on a terminal) or
/// `json`, one object per line, for log collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogFormat {
    Plain,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "plain" | "text" | "" => Ok(LogFormat::Plain),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "unknown log format {other:?}: use \"plain\" or \"json\""
            )),
        }
    }
}

/// Starts the log on standard error: the filter from `LAWCIRCLE_LOG`
/// (default `info`), the format from `LAWCIRCLE_LOG_FORMAT` or the
/// configuration file's `log_format`. Colour only when standard error is a
/// terminal and `NO_COLOR` is unset, so a file or a pipe gets plain text.
pub(super) fn init_log(file: &FileConfig) -> Result<(), String> {
    let format: LogFormat = match std::env::var("LAWCIRCLE_LOG_FORMAT") {
        Ok(v) => v.parse()?,
        Err(_) => file
            .log_format
            .as_deref()
            .unwrap_or("plain")
            .parse()
            .map_err(|e| format!("log_format: {e}"))?,
    };
    let filter =
        EnvFilter::try_from_env("LAWCIRCLE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Plain => builder.with_ansi(colour).init(),
        LogFormat::Json => builder
            .json()
            .with_ansi(false)
            .with_current_span(true)
            .init(),
    }
    Ok(())
}
