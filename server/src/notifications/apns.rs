//! APNs: Apple's push service, the channel of iPhones. The server POSTs
//! each message to `/3/device/<device token>` over HTTP/2 and TLS, and
//! authenticates with a provider token (Apple's "token-based connection"):
//! an ES256 JWT whose header names the key id (`kid`) and whose claims
//! name the team (`iss`) and the time it was made (`iat`), signed with the
//! team's `.p8` key (PKCS#8, P-256). One token serves every request; Apple
//! refuses a token older than an hour (`ExpiredProviderToken`) and one
//! renewed more often than every 20 minutes (`TooManyProviderTokenUpdates`),
//! so it is renewed once it is 50 minutes old.
//!
//! Headers as Apple documents them: `apns-topic` (the app's bundle id),
//! `apns-push-type: alert`, `apns-priority` (10 at once for offers and
//! their withdrawal, 5 otherwise), `apns-expiration` (a day, as the
//! UnifiedPush TTL), `apns-id` (the message id as a UUID, so the phone and
//! Apple's logs name the message) and `apns-collapse-id` (the message id;
//! for a withdrawal the id of the withdrawn offer, so the phone replaces
//! the offer on the lock screen instead of showing both).
//!
//! Answers: 200 delivered. `BadDeviceToken` and `DeviceTokenNotForTopic`
//! (400) and `Unregistered` / `ExpiredToken` (410, with the time Apple
//! last knew the token valid): the device is removed with the reason.
//! `ExpiredProviderToken` / `InvalidProviderToken` (403): the token is
//! renewed and the request sent once more. 429 and 5xx: retried with the
//! queue's back-off. Anything else (`BadTopic`, `PayloadTooLarge` 413, …):
//! dead-lettered with Apple's reason.

use super::channel::{DeliverFuture, DeliveryError, PushChannel, Target};
use super::queue::Message;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use rustls::pki_types::PrivatePkcs8KeyDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Mutex;

/// Apple's production service.
pub const PRODUCTION_URL: &str = "https://api.push.apple.com";
/// Apple's development service (apps signed for development).
pub const DEVELOPMENT_URL: &str = "https://api.sandbox.push.apple.com";
/// The largest payload of an alert notification Apple accepts.
pub const MAX_PAYLOAD: usize = 4096;
/// A provider token younger than this is never renewed (Apple refuses
/// renewals more often than every 20 minutes), except when Apple says it
/// has expired.
pub const TOKEN_MIN_AGE_SECS: i64 = 20 * 60;
/// A provider token this old is renewed before use (Apple refuses tokens
/// older than an hour).
pub const TOKEN_RENEW_AGE_SECS: i64 = 50 * 60;
/// Seconds Apple keeps trying to deliver a message (as the UnifiedPush TTL).
const EXPIRATION_SECS: i64 = 24 * 3600;

/// How the server reaches APNs: from flags, environment or the
/// configuration file.
#[derive(Debug, Clone)]
pub struct ApnsConfig {
    /// [`PRODUCTION_URL`] or [`DEVELOPMENT_URL`].
    pub base_url: String,
    /// The Apple developer team id (`iss`).
    pub team_id: String,
    /// The id of the `.p8` key (`kid`).
    pub key_id: String,
    /// The `.p8` file's text (PEM, PKCS#8).
    pub key_pem: String,
    /// The app's bundle id (`apns-topic`).
    pub topic: String,
    /// A root certificate (PEM) trusted besides the system's: the test
    /// CA of a local fake only.
    pub extra_root_pem: Option<Vec<u8>>,
}

/// Why the APNs channel cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ApnsError {
    #[error("the APNs key (.p8) is not a PKCS#8 P-256 private key: {0}")]
    Key(String),
    #[error("the APNs URL {0:?} is not an https:// URL")]
    Url(String),
    #[error("{field} is empty")]
    Missing { field: &'static str },
    #[error("the extra root certificate: {0}")]
    Root(String),
    #[error("cannot build the HTTP/2 client: {0}")]
    Client(String),
}

/// The provider token in use and when it was made (`iat`, seconds).
#[derive(Debug, Clone)]
struct ProviderToken {
    jwt: String,
    issued_at: i64,
}

/// The APNs channel.
#[derive(Debug)]
pub struct Apns {
    http: reqwest::Client,
    base: reqwest::Url,
    team_id: String,
    key_id: String,
    topic: String,
    key: EcdsaKeyPair,
    rng: SystemRandom,
    token: Mutex<Option<ProviderToken>>,
}

/// What one answer of APNs means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Delivered,
    /// 403 about the provider token: renew it and try once more.
    ProviderToken(String),
    Failed(DeliveryError),
}

impl Apns {
    pub fn new(config: ApnsConfig) -> Result<Self, ApnsError> {
        for (field, v) in [
            ("apns_team_id", &config.team_id),
            ("apns_key_id", &config.key_id),
            ("apns_topic", &config.topic),
        ] {
            if v.trim().is_empty() {
                return Err(ApnsError::Missing { field });
            }
        }
        let der = PrivatePkcs8KeyDer::from_pem_slice(config.key_pem.as_bytes())
            .map_err(|e| ApnsError::Key(e.to_string()))?;
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            der.secret_pkcs8_der(),
            &rng,
        )
        .map_err(|e| ApnsError::Key(e.to_string()))?;
        let base = reqwest::Url::parse(config.base_url.trim_end_matches('/'))
            .ok()
            .filter(|u| u.scheme() == "https" && u.host_str().is_some())
            .ok_or_else(|| ApnsError::Url(config.base_url.clone()))?;
        // TLS through ring, as the other channels (the process default).
        let _ = rustls::crypto::ring::default_provider().install_default();
        // APNs speaks HTTP/2 only: no HTTP/1.1 fallback is offered.
        let mut builder = reqwest::Client::builder()
            .http2_prior_knowledge()
            .timeout(std::time::Duration::from_secs(15));
        if let Some(pem) = &config.extra_root_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ApnsError::Root(e.to_string()))?;
            if certs.is_empty() {
                return Err(ApnsError::Root("no certificate in the file".into()));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| ApnsError::Client(e.to_string()))?;
        Ok(Apns {
            http,
            base,
            team_id: config.team_id.trim().to_string(),
            key_id: config.key_id.trim().to_string(),
            topic: config.topic.trim().to_string(),
            key,
            rng,
            token: Mutex::new(None),
        })
    }

    /// Makes a provider token issued at `now` (seconds).
    fn sign(&self, now: i64) -> Result<ProviderToken, DeliveryError> {
        let header = serde_json::json!({"alg": "ES256", "kid": self.key_id});
        let claims = serde_json::json!({"iss": self.team_id, "iat": now});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&self.rng, input.as_bytes())
            .map_err(|_| DeliveryError::Retry {
                reason: "cannot sign the APNs provider token".into(),
                after_secs: None,
            })?;
        Ok(ProviderToken {
            jwt: format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref())),
            issued_at: now,
        })
    }

    /// The provider token to use at `now`: the one in use while it is
    /// younger than [`TOKEN_RENEW_AGE_SECS`], a new one otherwise.
    fn provider_token(&self, now: i64) -> Result<String, DeliveryError> {
        let mut slot = self.token.lock().map_err(|_| DeliveryError::Retry {
            reason: "the provider token lock is poisoned".into(),
            after_secs: None,
        })?;
        if let Some(t) = slot.as_ref()
            && !needs_renewal(t.issued_at, now)
        {
            return Ok(t.jwt.clone());
        }
        let fresh = self.sign(now)?;
        let jwt = fresh.jwt.clone();
        *slot = Some(fresh);
        Ok(jwt)
    }

    /// The state of the provider token at `now` (seconds), for `/health`:
    /// none made yet, in use, or due for renewal at its next use; with
    /// when it was issued. Never the token itself.
    pub fn token_state(&self, now: i64) -> (&'static str, Option<i64>) {
        match self
            .token
            .lock()
            .ok()
            .and_then(|slot| slot.as_ref().map(|t| t.issued_at))
        {
            None => ("not_issued", None),
            Some(issued_at) if needs_renewal(issued_at, now) => ("renewal_due", Some(issued_at)),
            Some(issued_at) => ("valid", Some(issued_at)),
        }
    }

    /// Apple refused `refused` (403, `reason`): renews the token when it
    /// is still the one in use and renewing may help — always for
    /// `ExpiredProviderToken`, otherwise only if it is at least
    /// [`TOKEN_MIN_AGE_SECS`] old (no burst of renewals Apple would refuse
    /// as `TooManyProviderTokenUpdates`). Returns the token to retry with.
    fn after_refusal(
        &self,
        refused: &str,
        reason: &str,
        now: i64,
    ) -> Result<String, DeliveryError> {
        {
            let mut slot = self.token.lock().map_err(|_| DeliveryError::Retry {
                reason: "the provider token lock is poisoned".into(),
                after_secs: None,
            })?;
            let current = slot.as_ref().filter(|t| t.jwt == refused);
            if let Some(t) = current
                && (reason == "ExpiredProviderToken" || now - t.issued_at >= TOKEN_MIN_AGE_SECS)
            {
                *slot = None;
            }
        }
        self.provider_token(now)
    }

    async fn post(
        &self,
        token: &str,
        message: &Message,
        jwt: &str,
        payload: &[u8],
    ) -> Result<Answer, DeliveryError> {
        let url =
            self.base
                .join(&format!("/3/device/{token}"))
                .map_err(|e| DeliveryError::Refused {
                    reason: format!("the device token makes no URL: {e}"),
                })?;
        let priority = if message.event == "offer" || message.event == "withdrawn" {
            "10"
        } else {
            "5"
        };
        let expiration = message.created_at.timestamp() + EXPIRATION_SECS;
        let collapse = message.withdraws.as_deref().unwrap_or(&message.id);
        let answer = self
            .http
            .post(url)
            .header("authorization", format!("bearer {jwt}"))
            .header("apns-topic", &self.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", priority)
            .header("apns-expiration", expiration.to_string())
            .header("apns-id", apns_id(&message.id))
            .header("apns-collapse-id", collapse)
            .header("content-type", "application/json")
            .body(payload.to_vec())
            .send()
            .await
            .map_err(|e| DeliveryError::Retry {
                reason: format!("APNs cannot be reached: {e}"),
                after_secs: None,
            })?;
        let status = answer.status().as_u16();
        let retry_after = answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = answer.bytes().await.unwrap_or_default();
        Ok(classify(status, &body, retry_after))
    }
}

impl PushChannel for Apns {
    fn kind(&self) -> &'static str {
        "apns"
    }

    fn deliver<'a>(&'a self, to: &'a Target, message: &'a Message) -> DeliverFuture<'a> {
        Box::pin(async move {
            let Some(device) = &to.device else {
                return Err(DeliveryError::Refused {
                    reason: "no APNs device to deliver to".into(),
                });
            };
            let payload = payload(message)?;
            let now = chrono::Utc::now().timestamp();
            let jwt = self.provider_token(now)?;
            match self.post(&device.address, message, &jwt, &payload).await? {
                Answer::Delivered => Ok(()),
                Answer::Failed(e) => Err(e),
                Answer::ProviderToken(reason) => {
                    let now = chrono::Utc::now().timestamp();
                    let jwt = self.after_refusal(&jwt, &reason, now)?;
                    match self.post(&device.address, message, &jwt, &payload).await? {
                        Answer::Delivered => Ok(()),
                        Answer::Failed(e) => Err(e),
                        Answer::ProviderToken(again) => Err(DeliveryError::Refused {
                            reason: format!(
                                "APNs answered 403 {again} again after a retry \
                                 (check apns_team_id, apns_key_id and the .p8 key)"
                            ),
                        }),
                    }
                }
            }
        })
    }
}

/// Whether a token issued at `issued_at` is renewed before use at `now`
/// (also when the clock went back more than a minute).
fn needs_renewal(issued_at: i64, now: i64) -> bool {
    now - issued_at >= TOKEN_RENEW_AGE_SECS || issued_at - now > 60
}

/// The notification as APNs carries it: an alert with the message's
/// title and body, and the message itself (id, event, order) for the app;
/// never a need's description or anyone's contact (the message has none).
fn payload(message: &Message) -> Result<Vec<u8>, DeliveryError> {
    let mut aps = serde_json::json!({
        "alert": {"title": message.title, "body": message.body},
        "sound": "default",
    });
    if let Some(order) = &message.order_id {
        aps["thread-id"] = serde_json::json!(order);
    }
    let body = serde_json::to_vec(&serde_json::json!({"aps": aps, "lawcircle": message})).map_err(
        |e| DeliveryError::Refused {
            reason: format!("cannot encode the message: {e}"),
        },
    )?;
    if body.len() > MAX_PAYLOAD {
        return Err(DeliveryError::Refused {
            reason: format!(
                "the payload is {} bytes, APNs takes {MAX_PAYLOAD}",
                body.len()
            ),
        });
    }
    Ok(body)
}

/// The message id (`n-` and 32 hex digits) as the UUID `apns-id` wants;
/// another id as a UUID of its SHA-256.
fn apns_id(id: &str) -> String {
    let hex32 = id
        .strip_prefix("n-")
        .filter(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| {
            use sha2::Digest;
            hex::encode(&sha2::Sha256::digest(id.as_bytes())[..16])
        });
    format!(
        "{}-{}-{}-{}-{}",
        &hex32[..8],
        &hex32[8..12],
        &hex32[12..16],
        &hex32[16..20],
        &hex32[20..]
    )
}

/// What an answer of APNs means (status, JSON body `{"reason", "timestamp"}`).
fn classify(status: u16, body: &[u8], retry_after: Option<u64>) -> Answer {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let reason = json["reason"]
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>();
    let said = if reason.is_empty() {
        format!("APNs answered {status}")
    } else {
        format!("APNs answered {status} {reason}")
    };
    match (status, reason.as_str()) {
        (200, _) => Answer::Delivered,
        (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => {
            Answer::Failed(DeliveryError::Gone { reason: said })
        }
        (410, _) => {
            let since = json["timestamp"]
                .as_i64()
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| format!(" (invalid since {})", t.to_rfc3339()))
                .unwrap_or_default();
            Answer::Failed(DeliveryError::Gone {
                reason: format!("{said}{since}"),
            })
        }
        (403, "ExpiredProviderToken" | "InvalidProviderToken") => Answer::ProviderToken(reason),
        (429, _) | (500..=599, _) => Answer::Failed(DeliveryError::Retry {
            reason: said,
            after_secs: retry_after,
        }),
        _ => Answer::Failed(DeliveryError::Refused { reason: said }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ApnsConfig {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
        ApnsConfig {
            base_url: DEVELOPMENT_URL.into(),
            team_id: "TEAM123456".into(),
            key_id: "KEY1234567".into(),
            key_pem: format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
            topic: "org.lawcircle.app".into(),
            extra_root_pem: None,
        }
    }

    #[test]
    fn the_provider_token_is_reused_for_50_minutes_then_renewed() {
        let apns = Apns::new(config()).unwrap();
        let t0 = 1_800_000_000;
        let first = apns.provider_token(t0).unwrap();
        assert_eq!(apns.provider_token(t0 + 49 * 60).unwrap(), first);
        let second = apns.provider_token(t0 + 50 * 60).unwrap();
        assert_ne!(second, first);
        // The JWT: kid in the header, iss and iat in the claims.
        let parts: Vec<&str> = second.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            header,
            serde_json::json!({"alg": "ES256", "kid": "KEY1234567"})
        );
        assert_eq!(
            claims,
            serde_json::json!({"iss": "TEAM123456", "iat": t0 + 50 * 60})
        );
        // An invalid token younger than 20 minutes is not renewed (Apple
        // would refuse the burst); an expired one is, at once.
        let now = t0 + 51 * 60;
        assert_eq!(
            apns.after_refusal(&second, "InvalidProviderToken", now)
                .unwrap(),
            second
        );
        let third = apns
            .after_refusal(&second, "ExpiredProviderToken", now)
            .unwrap();
        assert_ne!(third, second);
        // Another delivery's refusal of the old token keeps the new one.
        assert_eq!(
            apns.after_refusal(&second, "ExpiredProviderToken", now)
                .unwrap(),
            third
        );
        assert!(needs_renewal(now + 3600, now));
    }

    #[test]
    fn apples_documented_answers_map_to_the_queue() {
        let body = |r: &str| format!(r#"{{"reason":"{r}"}}"#).into_bytes();
        assert_eq!(classify(200, b"", None), Answer::Delivered);
        for r in ["BadDeviceToken", "DeviceTokenNotForTopic"] {
            assert!(matches!(
                classify(400, &body(r), None),
                Answer::Failed(DeliveryError::Gone { .. })
            ));
        }
        match classify(
            410,
            br#"{"reason":"Unregistered","timestamp":1767225600000}"#,
            None,
        ) {
            Answer::Failed(DeliveryError::Gone { reason }) => {
                assert!(reason.contains("Unregistered"), "{reason}");
                assert!(reason.contains("2026-01-01"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(403, &body("ExpiredProviderToken"), None),
            Answer::ProviderToken("ExpiredProviderToken".into())
        );
        assert!(matches!(
            classify(429, &body("TooManyRequests"), Some(7)),
            Answer::Failed(DeliveryError::Retry {
                after_secs: Some(7),
                ..
            })
        ));
        assert!(matches!(
            classify(503, &body("ServiceUnavailable"), None),
            Answer::Failed(DeliveryError::Retry { .. })
        ));
        for (s, r) in [
            (400, "BadTopic"),
            (413, "PayloadTooLarge"),
            (403, "Forbidden"),
        ] {
            match classify(s, &body(r), None) {
                Answer::Failed(DeliveryError::Refused { reason }) => {
                    assert!(reason.contains(r), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn the_message_id_becomes_the_apns_id() {
        assert_eq!(
            apns_id("n-0123456789abcdef0123456789ABCDEF"),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(apns_id("other").len(), 36);
    }

    #[test]
    fn a_key_that_is_not_pkcs8_p256_is_refused() {
        let mut c = config();
        c.key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into();
        assert!(matches!(Apns::new(c), Err(ApnsError::Key(_))));
        let mut c = config();
        c.base_url = "http://api.push.apple.com".into();
        assert!(matches!(Apns::new(c), Err(ApnsError::Url(_))));
    }
}
