//! A local stand-in for a UnifiedPush push service (a distributor's
//! server, e.g. ntfy) on loopback, with the phone behind it: it accepts a
//! push message the way RFC 8030 and RFC 8292 document — `TTL` required,
//! `Content-Encoding: aes128gcm`, `Authorization: vapid t=<JWT>, k=<key>`
//! with an ES256 signature that verifies with `k`, `aud` this service's
//! origin and `exp` within 24 hours — decrypts the RFC 8291 payload with
//! the subscription's private key and authentication secret, and keeps
//! what the phone would get. Refusals as documented: 400 malformed or
//! undecryptable, 401 a bad VAPID token, 413 too large, 404 an unknown
//! subscription, 410 one that expired. Tests script answers (429, 5xx,
//! 410) to see the queue's reaction, and can pause deliveries.
//!
//! The decryption is written here from the RFCs, apart from the server's
//! encryption, so a mistake in one is not repeated in the other.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Router, routing::post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// What a phone registers with the server for one subscription.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub token: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

struct Sub {
    secret: p256::SecretKey,
    public: Vec<u8>,
    auth: Vec<u8>,
    expired: bool,
}

#[derive(Default)]
struct Inner {
    subs: HashMap<String, Sub>,
    /// Decrypted messages per subscription token, in arrival order.
    received: HashMap<String, Vec<Value>>,
    /// Statuses to answer next (before any check), one per request.
    scripted: VecDeque<u16>,
    /// Every answer's status, in order.
    answers: Vec<u16>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakePush {
    inner: Arc<Mutex<Inner>>,
    paused: Arc<tokio::sync::watch::Sender<bool>>,
    pub origin: String,
}

impl FakePush {
    /// Starts on a free loopback port.
    pub async fn start() -> FakePush {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let (paused, _) = tokio::sync::watch::channel(false);
        let paused = Arc::new(paused);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake push service");
        let origin = format!("http://{}", listener.local_addr().expect("its address"));
        let app = Router::new()
            .route("/push/{token}", post(push))
            .with_state((inner.clone(), paused.clone(), origin.clone()));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakePush {
            inner,
            paused,
            origin,
        }
    }

    /// A new subscription: the phone's key pair and secret, as its
    /// distributor and app make them.
    pub fn subscribe(&self) -> Subscription {
        let rng = ring::rand::SystemRandom::new();
        let secret = loop {
            let mut bytes = [0u8; 32];
            ring::rand::SecureRandom::fill(&rng, &mut bytes).unwrap();
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        )
        .as_bytes()
        .to_vec();
        let mut auth = vec![0u8; 16];
        ring::rand::SecureRandom::fill(&rng, &mut auth).unwrap();
        let mut token = [0u8; 12];
        ring::rand::SecureRandom::fill(&rng, &mut token).unwrap();
        let token = URL_SAFE_NO_PAD.encode(token);
        let s = Subscription {
            endpoint: format!("{}/push/{token}", self.origin),
            p256dh: URL_SAFE_NO_PAD.encode(&public),
            auth: URL_SAFE_NO_PAD.encode(&auth),
            token: token.clone(),
        };
        self.inner.lock().unwrap().subs.insert(
            token,
            Sub {
                secret,
                public,
                auth,
                expired: false,
            },
        );
        s
    }

    /// The messages the phone of `sub` got, decrypted, in arrival order
    /// (a message delivered twice is here twice).
    pub fn received(&self, sub: &Subscription) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .received
            .get(&sub.token)
            .cloned()
            .unwrap_or_default()
    }

    /// Every answer's status so far.
    pub fn answers(&self) -> Vec<u16> {
        self.inner.lock().unwrap().answers.clone()
    }

    /// Answers the next requests with these statuses.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.inner
            .lock()
            .unwrap()
            .scripted
            .extend(statuses.iter().copied());
    }

    /// The subscription expires (the app was uninstalled): 410 from now.
    pub fn expire(&self, sub: &Subscription) {
        if let Some(s) = self.inner.lock().unwrap().subs.get_mut(&sub.token) {
            s.expired = true;
        }
    }

    /// Holds (or releases) every request until released.
    pub fn pause(&self, paused: bool) {
        self.paused.send_replace(paused);
    }
}

type Shared = (
    Arc<Mutex<Inner>>,
    Arc<tokio::sync::watch::Sender<bool>>,
    String,
);

async fn push(
    State((inner, paused, origin)): State<Shared>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let mut rx = paused.subscribe();
    let _ = rx.wait_for(|p| !*p).await;
    let (status, why) = accept(&inner, &origin, &token, &headers, &body);
    inner.lock().unwrap().answers.push(status);
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        why,
    )
}

fn accept(
    inner: &Mutex<Inner>,
    origin: &str,
    token: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> (u16, String) {
    if let Some(s) = inner.lock().unwrap().scripted.pop_front() {
        return (s, "scripted".into());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("ttl").and_then(|t| t.parse::<u64>().ok()).is_none() {
        return (400, "the TTL header is required (RFC 8030 §5.2)".into());
    }
    if header("content-encoding") != Some("aes128gcm") {
        return (400, "Content-Encoding must be aes128gcm (RFC 8291)".into());
    }
    if body.len() > 4096 {
        return (413, "payload over 4096 bytes".into());
    }
    if let Err(why) = check_vapid(header("authorization"), origin) {
        return (401, why);
    }
    let mut inner = inner.lock().unwrap();
    let Some(sub) = inner.subs.get(token) else {
        return (404, "no such subscription".into());
    };
    if sub.expired {
        return (410, "subscription expired".into());
    }
    let plain = match decrypt(sub, body) {
        Ok(p) => p,
        Err(why) => return (400, why),
    };
    let Ok(message) = serde_json::from_slice::<Value>(&plain) else {
        return (400, "the decrypted payload is not JSON".into());
    };
    inner
        .received
        .entry(token.to_string())
        .or_default()
        .push(message);
    (201, String::new())
}

/// RFC 8292: `vapid t=<header.claims.signature>, k=<P-256 public key>`.
fn check_vapid(value: Option<&str>, origin: &str) -> Result<(), String> {
    let v = value.ok_or("no Authorization header")?;
    let rest = v.strip_prefix("vapid ").ok_or("not the vapid scheme")?;
    let mut t = None;
    let mut k = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(x) = part.strip_prefix("t=") {
            t = Some(x);
        } else if let Some(x) = part.strip_prefix("k=") {
            k = Some(x);
        }
    }
    let (t, k) = (t.ok_or("no t=")?, k.ok_or("no k=")?);
    let key = URL_SAFE_NO_PAD
        .decode(k)
        .map_err(|_| "k is not base64url")?;
    let mut parts = t.split('.');
    let (h, c, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(c), Some(s), None) => (h, c, s),
        _ => return Err("the token is not a JWS".into()),
    };
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| "bad header")?)
            .map_err(|_| "bad header")?;
    if header["alg"] != "ES256" {
        return Err("alg must be ES256".into());
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| "bad signature")?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &key)
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "the signature does not verify with k")?;
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).map_err(|_| "bad claims")?)
            .map_err(|_| "bad claims")?;
    if claims["aud"] != origin {
        return Err(format!("aud {} is not {origin}", claims["aud"]));
    }
    let now = chrono::Utc::now().timestamp();
    let exp = claims["exp"].as_i64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err("exp must be within the next 24 hours".into());
    }
    let sub = claims["sub"].as_str().unwrap_or("");
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err("sub must be a mailto: or https: contact".into());
    }
    Ok(())
}

struct Len(usize);
impl ring::hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &ring::hkdf::Prk, info: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    prk.expand(&[info], Len(n)).unwrap().fill(&mut out).unwrap();
    out
}

/// RFC 8291 §3.4 / RFC 8188 §2, as the phone does it.
fn decrypt(sub: &Sub, body: &[u8]) -> Result<Vec<u8>, String> {
    use ring::hkdf::{HKDF_SHA256, Salt};
    if body.len() < 21 {
        return Err("shorter than the aes128gcm header".into());
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let idlen = body[20] as usize;
    if idlen != 65 || body.len() < 21 + idlen + 17 {
        return Err("the keyid must be the sender's 65-byte public key".into());
    }
    let as_public = &body[21..21 + idlen];
    let record = &body[21 + idlen..];
    if rs < 18 || record.len() > rs {
        return Err("one record of at most rs bytes expected".into());
    }
    let sender = p256::PublicKey::from_sec1_bytes(as_public)
        .map_err(|_| "the keyid is not a P-256 point")?;
    let shared = p256::ecdh::diffie_hellman(sub.secret.to_nonzero_scalar(), sender.as_affine());
    let prk_key = Salt::new(HKDF_SHA256, &sub.auth).extract(shared.raw_secret_bytes().as_slice());
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&sub.public);
    key_info.extend_from_slice(as_public);
    let ikm = expand(&prk_key, &key_info, 32);
    let prk = Salt::new(HKDF_SHA256, salt).extract(&ikm);
    let cek = expand(&prk, b"Content-Encoding: aes128gcm\0", 16);
    let nonce = expand(&prk, b"Content-Encoding: nonce\0", 12);
    let key = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &cek).unwrap(),
    );
    let mut buf = record.to_vec();
    let plain = key
        .open_in_place(
            ring::aead::Nonce::try_assume_unique_for_key(&nonce).unwrap(),
            ring::aead::Aad::empty(),
            &mut buf,
        )
        .map_err(|_| "decryption failed (wrong keys or a tampered message)")?;
    // Strip the padding: zeros, then the last record's delimiter 0x02.
    let end = plain
        .iter()
        .rposition(|b| *b != 0)
        .ok_or("no padding delimiter")?;
    if plain[end] != 2 {
        return Err("the last record must end with the 0x02 delimiter".into());
    }
    Ok(plain[..end].to_vec())
}
