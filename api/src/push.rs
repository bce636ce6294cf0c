//! Push devices the phone registers after sign-in, and the server's VAPID
//! key they register with.

use serde::{Deserialize, Serialize};

/// The server's VAPID public key (base64url): the `applicationServerKey`
/// a phone's UnifiedPush distributor registers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PushKey {
    pub vapid_public_key: String,
}

/// What a phone registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    /// `unifiedpush` (an Android phone's distributor) or `apns` (an iPhone).
    pub kind: String,
    /// The endpoint URL the phone's distributor gave (`unifiedpush`), or
    /// the device token iOS gave, as 64 hexadecimal digits (`apns`).
    pub address: String,
    /// The phone's P-256 public key (65 bytes uncompressed, base64url;
    /// `unifiedpush` only).
    pub p256dh: Option<String>,
    /// The phone's authentication secret (16 bytes, base64url;
    /// `unifiedpush` only).
    pub auth: Option<String>,
}

/// A device registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Registered {
    pub id: i64,
}
