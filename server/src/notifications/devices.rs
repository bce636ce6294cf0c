//! The push devices phones register after sign-in: a UnifiedPush endpoint
//! with the keys the phone made for RFC 8291 (`p256dh`, `auth`), or an
//! APNs device token. A device the push service says is gone is removed
//! (kept with the reason, so the dead letters can say why).

use crate::store::{Store, StoreError, millis};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Device {
    pub id: i64,
    #[serde(skip)]
    pub account_id: i64,
    /// `unifiedpush` or `apns`.
    pub kind: String,
    /// The endpoint URL or the device token.
    pub address: String,
    #[serde(skip)]
    pub p256dh: Option<String>,
    #[serde(skip)]
    pub auth: Option<String>,
    #[serde(skip)]
    pub removed: bool,
}

pub use lawcircle_api::push::NewDevice;

/// Why a device cannot be registered: the field and the reason.
pub type Invalid = (&'static str, String);

/// The server's checks of a device a phone registers.
pub trait DeviceCheck: Sized {
    /// Checks the fields; `allow_plain_http` lets `http://` endpoints in
    /// (tests on loopback), production takes `https://` only. `apns`: the
    /// server is configured for APNs.
    fn check(&self, allow_plain_http: bool, apns: bool) -> Result<(), Invalid>;
    /// An APNs device token: 32 bytes as 64 hexadecimal digits, no keys.
    fn check_apns(&self) -> Result<(), Invalid>;
    /// The device as stored: an APNs token in lowercase (the same token
    /// registered in either case is one device).
    fn normalized(self) -> Self;
}

impl DeviceCheck for NewDevice {
    /// Checks the fields; `allow_plain_http` lets `http://` endpoints in
    /// (tests on loopback), production takes `https://` only. `apns`: the
    /// server is configured for APNs (without it an iPhone's token is
    /// refused, so the app knows it will not be reached when closed).
    fn check(&self, allow_plain_http: bool, apns: bool) -> Result<(), Invalid> {
        match self.kind.as_str() {
            "unifiedpush" => {}
            "apns" if apns => return self.check_apns(),
            "apns" => {
                return Err((
                    "kind",
                    "APNs is not configured on this server: iPhones are notified only \
                     while the app is open"
                        .into(),
                ));
            }
            other => {
                return Err((
                    "kind",
                    format!("{other:?} is not a push channel of this server (unifiedpush, apns)"),
                ));
            }
        }
        if self.address.len() > 2048 {
            return Err(("address", "at most 2048 characters".into()));
        }
        if self.address.chars().any(char::is_control) {
            return Err(("address", "no control characters".into()));
        }
        let url = reqwest::Url::parse(&self.address)
            .map_err(|e| ("address", format!("not a URL: {e}")))?;
        let scheme_ok = url.scheme() == "https" || (allow_plain_http && url.scheme() == "http");
        if !scheme_ok || url.host_str().is_none() {
            return Err(("address", "an https:// push endpoint".into()));
        }
        // The server posts to this address: never to itself or the
        // district's own network (a test push service on loopback is
        // allowed with plain http only).
        if !allow_plain_http && let Some(why) = url.host_str().and_then(internal_host) {
            return Err(("address", format!("not a push service: {why}")));
        }
        let key = decode(self.p256dh.as_deref(), "p256dh")?;
        if key.len() != 65 || key[0] != 4 {
            return Err((
                "p256dh",
                "an uncompressed P-256 public key (65 bytes, base64url)".into(),
            ));
        }
        if decode(self.auth.as_deref(), "auth")?.len() != 16 {
            return Err(("auth", "a 16-byte authentication secret (base64url)".into()));
        }
        Ok(())
    }

    /// An APNs device token: 32 bytes as 64 hexadecimal digits, no keys.
    fn check_apns(&self) -> Result<(), Invalid> {
        if self.address.len() != 64 || !self.address.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((
                "address",
                "an APNs device token: 64 hexadecimal digits (the 32 bytes iOS gives)".into(),
            ));
        }
        for (field, v) in [("p256dh", &self.p256dh), ("auth", &self.auth)] {
            if v.is_some() {
                return Err((field, "not used with apns".into()));
            }
        }
        Ok(())
    }

    /// The device as stored: an APNs token in lowercase (the same token
    /// registered in either case is one device).
    fn normalized(mut self) -> Self {
        if self.kind == "apns" {
            self.address = self.address.to_ascii_lowercase();
        }
        self
    }
}

/// Why `host` names this machine or a private network, if it does: an IP
/// literal that is loopback, private, link-local, shared (100.64/10),
/// unspecified, multicast or unique-local, or a name reserved for local use.
fn internal_host(host: &str) -> Option<&'static str> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = if let Some(v6) = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<Ipv6Addr>().ok())
    {
        match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        }
    } else if let Ok(v4) = host.parse::<Ipv4Addr>() {
        IpAddr::V4(v4)
    } else {
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        let local = name == "localhost"
            || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                .iter()
                .any(|suffix| name.ends_with(suffix));
        return local.then_some("a name for local use");
    };
    internal_ip(ip).then_some("an address of this machine or a private network")
}

/// Whether `ip` is of this machine or a private network: loopback,
/// private, link-local, shared (100.64/10), unspecified, multicast,
/// broadcast or unique-local (an IPv4-mapped IPv6 address as its IPv4).
pub(crate) fn internal_ip(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

fn decode(v: Option<&str>, field: &'static str) -> Result<Vec<u8>, Invalid> {
    let v = v.ok_or((field, "required for unifiedpush".to_string()))?;
    URL_SAFE_NO_PAD
        .decode(v.trim_end_matches('='))
        .map_err(|_| (field, "not base64url".to_string()))
}

/// Registers (or moves to `account`, renewing its keys) a device.
pub async fn register(
    store: &Store,
    account: i64,
    d: &NewDevice,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO push_devices (account_id, kind, address, p256dh, auth, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, address) DO UPDATE SET account_id = excluded.account_id,
             p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at,
             removed_at = NULL, removed_reason = NULL
         RETURNING id",
    )
    .bind(account)
    .bind(&d.kind)
    .bind(&d.address)
    .bind(&d.p256dh)
    .bind(&d.auth)
    .bind(millis(now))
    .fetch_one(&mut *store.writer().await?)
    .await?)
}

/// One page of the devices of `account` in use, by id after `after`, at
/// most `limit` (through `push_devices_by_account_id`).
pub async fn of_account(
    store: &Store,
    account: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Device>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, kind, address FROM push_devices
         WHERE account_id = $1 AND removed_at IS NULL AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(account)
    .bind(after)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, address)| Device {
            id,
            account_id: account,
            kind,
            address,
            p256dh: None,
            auth: None,
            removed: false,
        })
        .collect())
}

/// Removes a device with the reason (the phone unregistered it, or the
/// service said it is gone); pending deliveries to it are dead-lettered
/// with that reason. `account` limits it to that account's devices:
/// `false` when there was no such device in use.
pub async fn remove(
    store: &Store,
    id: i64,
    account: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let removed = remove_in(&mut tx, id, account, reason, now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// [`remove`] inside the caller's transaction.
pub async fn remove_in(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    account: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE push_devices SET removed_at = $1, removed_reason = $2
         WHERE id = $3 AND removed_at IS NULL AND ($4 OR account_id = $5)",
    )
    .bind(millis(now))
    .bind(reason)
    .bind(id)
    .bind(account.is_none())
    .bind(account.unwrap_or(0))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query(
            "UPDATE notification_deliveries SET state = 'dead', last_error = $1, updated_at = $2
             WHERE device_id = $3 AND state = 'pending'",
        )
        .bind(format!("device removed: {reason}"))
        .bind(millis(now))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Erasure of an account (PIPL): its notifications not yet delivered are
/// withdrawn (nothing more goes out to it) and its push devices deleted,
/// their addresses with them; deliveries already made forget the device.
/// Runs on the caller's transaction.
pub(crate) async fn erase_account(
    conn: &mut sqlx::AnyConnection,
    account: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notification_deliveries SET state = 'withdrawn', last_error = $1, updated_at = $2
         WHERE state = 'pending'
           AND notification_id IN (SELECT id FROM notifications WHERE account_id = $3)",
    )
    .bind("the account was erased")
    .bind(millis(now))
    .bind(account)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notifications SET withdrawn_at = $1 WHERE account_id = $2 AND withdrawn_at IS NULL",
    )
    .bind(millis(now))
    .bind(account)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE notification_deliveries SET device_id = NULL
         WHERE device_id IN (SELECT id FROM push_devices WHERE account_id = $1)",
    )
    .bind(account)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM push_devices WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(address: &str) -> NewDevice {
        NewDevice {
            kind: "unifiedpush".into(),
            address: address.into(),
            p256dh: Some(URL_SAFE_NO_PAD.encode([4u8; 65])),
            auth: Some(URL_SAFE_NO_PAD.encode([7u8; 16])),
        }
    }

    #[test]
    fn endpoints_on_this_machine_or_a_private_network_are_refused() {
        for address in [
            "https://127.0.0.1/push",
            "https://10.1.2.3/push",
            "https://192.168.0.9:8443/push",
            "https://172.16.5.5/push",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/push",
            "https://0.0.0.0/push",
            "https://[::1]/push",
            "https://[fd00::1]/push",
            "https://[fe80::1]/push",
            "https://[::ffff:127.0.0.1]/push",
            "https://localhost/push",
            "https://push.localhost/x",
            "https://printer.local/x",
            "https://db.internal/x",
        ] {
            let e = device(address).check(false, true).expect_err(address);
            assert_eq!(e.0, "address", "{address}");
        }
        for address in [
            "https://ntfy.sh/upAbc",
            "https://push.example.org/up?token=1",
            "https://8.8.8.8/push",
        ] {
            assert_eq!(device(address).check(false, true), Ok(()), "{address}");
        }
        // A test push service on loopback, with plain http only.
        assert_eq!(device("http://127.0.0.1:9/up").check(true, true), Ok(()));
        assert!(device("http://127.0.0.1:9/up").check(false, true).is_err());
    }

    #[test]
    fn an_apns_token_is_64_hex_digits_and_needs_apns_configured() {
        let token = |t: &str| NewDevice {
            kind: "apns".into(),
            address: t.into(),
            p256dh: None,
            auth: None,
        };
        let good = "AB".repeat(32);
        assert_eq!(token(&good).check(false, true), Ok(()));
        assert_eq!(token(&good).normalized().address, "ab".repeat(32));
        assert_eq!(token(&good).check(false, false).unwrap_err().0, "kind");
        for bad in [
            "",
            "ab",
            &"ab".repeat(33),
            &"zz".repeat(32),
            &"ab ".repeat(21),
        ] {
            assert_eq!(
                token(bad).check(false, true).unwrap_err().0,
                "address",
                "{bad}"
            );
        }
        let mut with_keys = token(&good);
        with_keys.auth = Some("x".into());
        assert_eq!(with_keys.check(false, true).unwrap_err().0, "auth");
    }
}
