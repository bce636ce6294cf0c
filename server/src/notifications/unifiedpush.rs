//! UnifiedPush: the open push standard of Android phones without Google
//! services. The phone's distributor gives it an endpoint URL; the server
//! POSTs each message there (RFC 8030), encrypted for the phone as RFC
//! 8291 Web Push message encryption (`Content-Encoding: aes128gcm`, RFC
//! 8188), and identifies itself with VAPID (RFC 8292: an ES256 JWT and
//! the server's public key in `Authorization: vapid t=…, k=…`).
//!
//! Encryption (RFC 8291 §3.4), with the phone's public key `ua_public`
//! and secret `auth_secret`, a fresh key pair `as_*` and a random salt:
//!
//! ```text
//! ecdh_secret = ECDH(as_private, ua_public)
//! PRK_key     = HKDF-Extract(auth_secret, ecdh_secret)
//! IKM         = HKDF-Expand(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public, 32)
//! PRK         = HKDF-Extract(salt, IKM)
//! CEK         = HKDF-Expand(PRK, "Content-Encoding: aes128gcm" || 0x00, 16)
//! NONCE       = HKDF-Expand(PRK, "Content-Encoding: nonce" || 0x00, 12)
//! body        = salt || rs (4 bytes) || idlen (1) || as_public || AES-128-GCM(CEK, NONCE, plaintext || 0x02)
//! ```
//!
//! All of it with `ring`, the TLS provider the server already has.
//! Answers (RFC 8030 §5, §7; RFC 8292 §4): 2xx delivered; 404 and 410 the
//! subscription is gone (the device is removed); 429 and 5xx passing
//! (retried, after `Retry-After` when given); 400, 401, 403, 413 refused
//! (dead-lettered: the same request would be refused again).

use super::NotifyError;
use super::channel::{DeliverFuture, DeliveryError, PushChannel, Target};
use super::devices::Device;
use super::queue::Message;
use crate::store::{Store, millis};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use ring::{aead, agreement, hkdf};

/// The record size written in the header (one record holds a message).
const RECORD_SIZE: u32 = 4096;
/// The largest message body push services must accept (RFC 8291 §4).
pub const MAX_BODY: usize = 4096;
/// Seconds a push service keeps an undelivered message (RFC 8030 TTL).
const TTL_SECS: u32 = 24 * 3600;

/// The UnifiedPush channel: an HTTP client and the VAPID key.
#[derive(Debug)]
pub struct UnifiedPush {
    http: reqwest::Client,
    vapid: EcdsaKeyPair,
    /// The VAPID public key, base64url (what phones register with).
    public_key: String,
    /// A contact for the push service (`mailto:` or `https:`).
    subject: String,
    rng: SystemRandom,
    /// The `Authorization` header per push service origin and when its
    /// token expires: one signature serves many messages (RFC 8292 §2).
    tokens: std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>,
}

/// The VAPID key every instance shares: made and stored on first start.
pub async fn vapid_key(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, NotifyError> {
    let rng = SystemRandom::new();
    let fresh = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| NotifyError::Crypto("cannot make a VAPID key"))?;
    sqlx::query(
        "INSERT INTO server_keys (name, secret, created_at) VALUES ('vapid', $1, $2)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(STANDARD.encode(fresh.as_ref()))
    .bind(millis(now))
    .execute(&mut *store.writer().await?)
    .await
    .map_err(crate::store::StoreError::from)?;
    let stored: String = sqlx::query_scalar("SELECT secret FROM server_keys WHERE name = 'vapid'")
        .fetch_one(store.pool())
        .await
        .map_err(crate::store::StoreError::from)?;
    STANDARD
        .decode(stored)
        .map_err(|e| NotifyError::BadKey(e.to_string()))
}

impl UnifiedPush {
    /// The channel with the VAPID key `pkcs8` and contact `subject`;
    /// `public_only`: push services' names must resolve to public
    /// addresses (off only for a test push service on loopback).
    pub fn new(pkcs8: &[u8], subject: &str, public_only: bool) -> Result<Self, NotifyError> {
        let rng = SystemRandom::new();
        let vapid = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|e| NotifyError::BadKey(e.to_string()))?;
        let public_key = URL_SAFE_NO_PAD.encode(vapid.public_key().as_ref());
        // TLS through ring, as the SMS adapter (the process-wide provider).
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No redirects: a push service answers, it does not send the
        // server elsewhere (a redirect to a private address would pass
        // the resolver, an address written out is not resolved).
        let mut builder = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none());
        if public_only {
            builder = builder.dns_resolver(super::resolver::PublicOnly);
        }
        let http = builder
            .build()
            .map_err(|_| NotifyError::Crypto("cannot build the HTTP client"))?;
        Ok(UnifiedPush {
            http,
            vapid,
            public_key,
            subject: subject.to_string(),
            rng,
            tokens: std::sync::Mutex::default(),
        })
    }

    /// The VAPID public key, base64url (the phone's `applicationServerKey`).
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The `Authorization` header for an endpoint (RFC 8292 §2–3).
    fn authorization(&self, endpoint: &reqwest::Url) -> Result<String, DeliveryError> {
        let refused = |why: &str| DeliveryError::Refused {
            reason: why.to_string(),
        };
        let audience = endpoint.origin().ascii_serialization();
        let now = chrono::Utc::now().timestamp();
        // A cached token with more than an hour left is reused.
        if let Ok(tokens) = self.tokens.lock()
            && let Some((header, exp)) = tokens.get(&audience)
            && *exp - now > 3600
        {
            return Ok(header.clone());
        }
        let exp = now + 12 * 3600;
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({"aud": audience, "exp": exp, "sub": self.subject});
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let sig = self
            .vapid
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| refused("cannot sign the VAPID token"))?;
        let header = format!(
            "vapid t={signing_input}.{}, k={}",
            URL_SAFE_NO_PAD.encode(sig.as_ref()),
            self.public_key
        );
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(audience, (header.clone(), exp));
        }
        Ok(header)
    }

    async fn post(&self, device: &Device, message: &Message) -> Result<(), DeliveryError> {
        let refused = |reason: String| DeliveryError::Refused { reason };
        let url = reqwest::Url::parse(&device.address)
            .map_err(|e| refused(format!("the endpoint is not a URL: {e}")))?;
        let key = b64(device.p256dh.as_deref()).map_err(refused)?;
        let auth = b64(device.auth.as_deref()).map_err(refused)?;
        let plaintext = serde_json::to_vec(message)
            .map_err(|e| refused(format!("cannot encode the message: {e}")))?;
        let body = encrypt(&key, &auth, &plaintext, &self.rng)
            .map_err(|e| refused(format!("cannot encrypt for this device: {e}")))?;
        let urgency = if message.event == "offer" || message.event == "withdrawn" {
            "high"
        } else {
            "normal"
        };
        let answer = self
            .http
            .post(url.clone())
            .header("TTL", TTL_SECS.to_string())
            .header("Urgency", urgency)
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", self.authorization(&url)?)
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Retry {
                reason: format!("the push service cannot be reached: {e}"),
                after_secs: None,
            })?;
        let status = answer.status().as_u16();
        let retry_after = answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text: String = answer
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        match status {
            200..=299 => Ok(()),
            404 | 410 => Err(DeliveryError::Gone {
                reason: format!("push service answered {status}: {text}"),
            }),
            429 | 500..=599 => Err(DeliveryError::Retry {
                reason: format!("push service answered {status}: {text}"),
                after_secs: retry_after,
            }),
            _ => Err(refused(format!("push service answered {status}: {text}"))),
        }
    }
}

impl PushChannel for UnifiedPush {
    fn kind(&self) -> &'static str {
        "unifiedpush"
    }

    fn deliver<'a>(&'a self, to: &'a Target, message: &'a Message) -> DeliverFuture<'a> {
        Box::pin(async move {
            match &to.device {
                Some(device) => self.post(device, message).await,
                None => Err(DeliveryError::Refused {
                    reason: "no push device to deliver to".into(),
                }),
            }
        })
    }
}

fn b64(v: Option<&str>) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(v.unwrap_or("").trim_end_matches('='))
        .map_err(|_| "the device's keys are not base64url".to_string())
}

/// An HKDF output length for ring.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_expand(prk: &hkdf::Prk, info: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    let info = [info];
    prk.expand(&info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| "HKDF failed")
}

/// Encrypts `plaintext` for the phone with public key `ua_public` and
/// authentication secret `auth_secret` (RFC 8291, one aes128gcm record).
pub fn encrypt(
    ua_public: &[u8],
    auth_secret: &[u8],
    plaintext: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, &'static str> {
    if ua_public.len() != 65 || auth_secret.len() != 16 {
        return Err("the device's keys have the wrong length");
    }
    // Header (86 bytes) + padded plaintext + tag must fit one record.
    if plaintext.len() + 1 + 16 + 86 > MAX_BODY {
        return Err("the message is too long for one push");
    }
    let as_private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, rng)
        .map_err(|_| "cannot make a key pair")?;
    let as_public = as_private
        .compute_public_key()
        .map_err(|_| "cannot make a key pair")?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public);
    let mut ikm = [0u8; 32];
    agreement::agree_ephemeral(as_private, &peer, |ecdh_secret| {
        let prk_key = hkdf::Salt::new(hkdf::HKDF_SHA256, auth_secret).extract(ecdh_secret);
        let mut info = Vec::with_capacity(14 + 65 + 65);
        info.extend_from_slice(b"WebPush: info\0");
        info.extend_from_slice(ua_public);
        info.extend_from_slice(as_public.as_ref());
        hkdf_expand(&prk_key, &info, &mut ikm)
    })
    .map_err(|_| "the device's public key is not a P-256 point")??;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| "no random source")?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    hkdf_expand(&prk, b"Content-Encoding: aes128gcm\0", &mut cek)?;
    hkdf_expand(&prk, b"Content-Encoding: nonce\0", &mut nonce)?;
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(|_| "bad content key")?,
    );
    let mut record = plaintext.to_vec();
    record.push(2); // the delimiter of the last record, no padding
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::empty(),
        &mut record,
    )
    .map_err(|_| "encryption failed")?;
    let mut body = Vec::with_capacity(86 + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_ref());
    body.extend_from_slice(&record);
    Ok(body)
}
