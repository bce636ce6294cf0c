//! Push devices, as the phone sees them: after sign-in the app registers
//! where its notifications may reach it when it is closed — the endpoint
//! its UnifiedPush distributor gave it, with the keys the app made for
//! RFC 8291 message encryption, or on an iPhone the APNs device token iOS
//! gave — and unregisters it on sign-out or when
//! the user turns push off. Messages carry an id: the app shows each once,
//! whether it came by push, on the live stream, or twice after a retry.

use lawcircle_api::push::{NewDevice, PushKey, Registered};

use crate::LawCircleError;
use crate::client::{LawCircleClient, decode};
use crate::runtime::run;

#[uniffi::export]
impl LawCircleClient {
    /// The server's VAPID public key (base64url): what the UnifiedPush
    /// connector registers with, so only this server can push to the app.
    pub async fn push_server_key(&self) -> Result<String, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let key: PushKey = decode(inner.get("/api/v1/push/vapid-key").await?)?;
            Ok(key.vapid_public_key)
        })
        .await
    }

    /// Registers the UnifiedPush `endpoint` of this app with its P-256
    /// public key `p256dh` (65 bytes, base64url) and authentication
    /// secret `auth` (16 bytes, base64url): the device's id, to
    /// unregister it later. Registering the same endpoint again renews it.
    pub async fn register_push_endpoint(
        &self,
        endpoint: String,
        p256dh: String,
        auth: String,
    ) -> Result<i64, LawCircleError> {
        if endpoint.trim().is_empty() {
            return Err(LawCircleError::invalid("endpoint", "must not be empty"));
        }
        let inner = self.inner.clone();
        run(async move {
            let r: Registered = decode(
                inner
                    .post(
                        "/api/v1/devices",
                        &NewDevice {
                            kind: "unifiedpush".to_string(),
                            address: endpoint.trim().to_string(),
                            p256dh: Some(p256dh),
                            auth: Some(auth),
                        },
                    )
                    .await?,
            )?;
            Ok(r.id)
        })
        .await
    }

    /// Registers this iPhone's APNs device token, as lowercase hex (the 32
    /// bytes `didRegisterForRemoteNotificationsWithDeviceToken` gives):
    /// the device's id, to unregister it later with
    /// `unregister_push_endpoint`. Registering the same token again renews
    /// it. A server not configured for APNs refuses it (field `kind`).
    pub async fn register_apns_token(&self, token_hex: String) -> Result<i64, LawCircleError> {
        let token = token_hex.trim().to_ascii_lowercase();
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(LawCircleError::invalid(
                "token_hex",
                "an APNs device token: 64 hexadecimal digits",
            ));
        }
        let inner = self.inner.clone();
        run(async move {
            let r: Registered = decode(
                inner
                    .post(
                        "/api/v1/devices",
                        &NewDevice {
                            kind: "apns".to_string(),
                            address: token,
                            p256dh: None,
                            auth: None,
                        },
                    )
                    .await?,
            )?;
            Ok(r.id)
        })
        .await
    }

    /// Unregisters a device registered by this user: nothing more is
    /// pushed to it.
    pub async fn unregister_push_endpoint(&self, device_id: i64) -> Result<(), LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            inner
                .call(
                    crate::client::Method::Delete,
                    &format!("/api/v1/devices/{device_id}"),
                    None,
                )
                .await?;
            Ok(())
        })
        .await
    }
}
