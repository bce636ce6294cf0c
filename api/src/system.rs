//! `GET /health`: liveness, and what the phone compares its offline
//! catalogue against.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub catalogue_version: u64,
    pub version: String,
    /// The SMS provider (`aliyun`), or `not_configured`: then no code or
    /// rating link is sent by SMS (registration by code answers 503).
    pub sms: String,
    /// This instance's name (`instance_id`).
    pub instance: String,
    /// The instance that runs the background job (escalations, warnings,
    /// retention): with several instances on PostgreSQL, the holder of
    /// its lease; none while the lease is expired and not yet taken.
    pub jobs_leader: Option<String>,
    /// Each notification channel: configured or not, and how its last
    /// delivery on this instance ended (never a key, token or number).
    pub notifications: Vec<ChannelHealth>,
}

/// A notification channel's state on this instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ChannelHealth {
    /// `stream`, `unifiedpush`, `apns` or `sms`.
    pub channel: String,
    /// Whether messages can go out on it (`apns`: a `.p8` key is set;
    /// `sms`: a provider is; `unifiedpush`: its VAPID key is loaded).
    pub configured: bool,
    /// The last delivery attempt's outcome on this instance, if any
    /// since it started.
    pub last: Option<LastOutcome>,
    /// APNs only: the provider token's state — `not_issued` (none signed
    /// yet), `valid`, or `renewal_due` (renewed at its next use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_token: Option<String>,
    /// APNs only: when the provider token in use was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_token_issued_at: Option<DateTime<Utc>>,
}

/// How a channel's last delivery attempt on this instance ended (the
/// outcome only: reasons may name devices or numbers and stay in the
/// queue, where staff read them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LastOutcome {
    /// `delivered`, `retry` (a passing fault: tried again later) or
    /// `dead` (given up).
    pub outcome: String,
    pub at: DateTime<Utc>,
}
