//! A local stand-in for Apple's push service (APNs) on loopback, speaking
//! HTTP/2 only, over TLS with a certificate of a test CA made here (the
//! server under test trusts that CA through its test-only
//! `--apns-extra-root-cert`). It checks a request the way Apple's
//! documentation says APNs does ("Sending notification requests to APNs",
//! "Handling notification responses from APNs"):
//!
//! * `POST /3/device/<token>` (405 `MethodNotAllowed`, 404 `BadPath`,
//!   400 `MissingDeviceToken`);
//! * `authorization: bearer <JWT>`: ES256, header `kid` the key id, claims
//!   `iss` the team and `iat` within the last hour, the signature verified
//!   with the public key of the test `.p8` (403 `MissingProviderToken`,
//!   `InvalidProviderToken`, `ExpiredProviderToken`);
//! * `apns-topic` the app's bundle id (400 `MissingTopic`, `BadTopic`),
//!   `apns-push-type` (`InvalidPushType`), `apns-priority` 5 or 10
//!   (`BadPriority`), `apns-expiration` a number (`BadExpirationDate`),
//!   `apns-id` a lowercase UUID (`BadMessageId`), `apns-collapse-id` at
//!   most 64 bytes (`BadCollapseId`);
//! * a JSON payload of at most 4096 bytes (`PayloadEmpty`, 413
//!   `PayloadTooLarge`);
//! * a device token it issued (400 `BadDeviceToken`) and that is still
//!   registered (410 `Unregistered` with the time it stopped being valid).
//!
//! Accepted: 200 with the `apns-id`, and the payload kept as the phone
//! would get it. Tests script Apple's other answers per device token
//! (`ExpiredProviderToken` also marks that JWT expired, as Apple would).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, Version};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub const TEAM_ID: &str = "TEAM123456";
pub const KEY_ID: &str = "KEY7654321";
pub const TOPIC: &str = "org.lawcircle.app";

/// The headers of an accepted request, as Apple would log them.
#[derive(Debug, Clone)]
pub struct Seen {
    pub apns_id: String,
    pub collapse_id: Option<String>,
    pub priority: Option<String>,
    pub push_type: String,
    pub expiration: Option<i64>,
    pub payload: Value,
}

#[derive(Default)]
struct Inner {
    /// Device tokens issued, and when one stopped being valid (ms).
    devices: HashMap<String, Option<i64>>,
    /// Answers to give next per device token (status, reason).
    scripted: HashMap<String, VecDeque<(u16, &'static str)>>,
    /// Accepted notifications per device token.
    received: HashMap<String, Vec<Seen>>,
    /// Every answer (status, reason), in order.
    answers: Vec<(u16, String)>,
    /// Every distinct provider token accepted, in order.
    provider_tokens: Vec<String>,
    expired: HashSet<String>,
}

struct Shared {
    inner: Mutex<Inner>,
    public_key: Vec<u8>,
    /// While true, requests wait (a service holding its answers).
    paused: tokio::sync::watch::Sender<bool>,
}

/// The running fake, with the files the server is started with.
#[derive(Clone)]
pub struct FakeApns {
    shared: Arc<Shared>,
    /// `https://127.0.0.1:<port>`.
    pub origin: String,
    /// The test CA's certificate (PEM).
    pub ca_path: PathBuf,
    /// The test `.p8` key (PEM, PKCS#8).
    pub key_path: PathBuf,
    _dir: Arc<tempfile::TempDir>,
}

impl FakeApns {
    /// Starts on a free loopback port: a fresh test CA, the service's
    /// certificate for 127.0.0.1 signed by it, and a fresh `.p8` key.
    pub async fn start() -> FakeApns {
        let dir = tempfile::tempdir().expect("a folder for the fake APNs");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "LawCircle test CA");
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &ca)
            .unwrap();
        let ca_path = dir.path().join("test-ca.pem");
        std::fs::write(&ca_path, ca.pem()).unwrap();
        let p8 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let key_path = dir.path().join(format!("AuthKey_{KEY_ID}.p8"));
        std::fs::write(&key_path, p8.serialize_pem()).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone(), ca.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        // APNs speaks HTTP/2 only.
        tls.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        let shared = Arc::new(Shared {
            inner: Mutex::default(),
            public_key: p8.public_key_raw().to_vec(),
            paused: tokio::sync::watch::channel(false).0,
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake APNs");
        let origin = format!("https://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http2::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                });
            }
        });
        FakeApns {
            shared,
            origin,
            ca_path,
            key_path,
            _dir: Arc::new(dir),
        }
    }

    /// The server's flags to reach this fake.
    pub fn server_args(&self) -> Vec<String> {
        [
            "--apns-url",
            &self.origin,
            "--apns-team-id",
            TEAM_ID,
            "--apns-key-id",
            KEY_ID,
            "--apns-key-file",
            &self.key_path.display().to_string(),
            "--apns-topic",
            TOPIC,
            "--apns-extra-root-cert",
            &self.ca_path.display().to_string(),
        ]
        .map(String::from)
        .to_vec()
    }

    /// A device token as iOS gets it from APNs (32 bytes); its hex form.
    pub fn device(&self) -> String {
        let mut bytes = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).unwrap();
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.lock().devices.insert(token.clone(), None);
        token
    }

    /// The app was removed from the phone: APNs answers `Unregistered`.
    pub fn unregister(&self, token: &str) {
        let now = chrono::Utc::now().timestamp_millis();
        self.lock().devices.insert(token.to_string(), Some(now));
    }

    /// Answers to give to the next requests for `token`, in order.
    pub fn script(&self, token: &str, answers: &[(u16, &'static str)]) {
        self.lock()
            .scripted
            .entry(token.to_string())
            .or_default()
            .extend(answers.iter().copied());
    }

    /// Holds every request until resumed (to queue work, then time its
    /// delivery).
    pub fn pause(&self, paused: bool) {
        self.shared.paused.send_replace(paused);
    }

    pub fn received(&self, token: &str) -> Vec<Seen> {
        self.lock().received.get(token).cloned().unwrap_or_default()
    }

    pub fn answers(&self) -> Vec<(u16, String)> {
        self.lock().answers.clone()
    }

    pub fn provider_tokens(&self) -> Vec<String> {
        self.lock().provider_tokens.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap()
    }
}

fn answer(inner: &mut Inner, status: u16, reason: &str, timestamp: Option<i64>) -> Response {
    inner.answers.push((status, reason.to_string()));
    let mut body = json!({"reason": reason});
    if let Some(t) = timestamp {
        body["timestamp"] = json!(t);
    }
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    version: Version,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut paused = shared.paused.subscribe();
    let _ = paused.wait_for(|p| !*p).await;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let jwt_check = check_jwt(header("authorization"), &shared.public_key);
    let mut inner = shared.inner.lock().unwrap();
    if version != Version::HTTP_2 {
        return answer(&mut inner, 400, "BadRequest: HTTP/2 only", None);
    }
    if method != Method::POST {
        return answer(&mut inner, 405, "MethodNotAllowed", None);
    }
    let Some(token) = uri.path().strip_prefix("/3/device/") else {
        return answer(&mut inner, 404, "BadPath", None);
    };
    if token.is_empty() {
        return answer(&mut inner, 400, "MissingDeviceToken", None);
    }
    let jwt = match jwt_check {
        Ok(jwt) => jwt,
        Err(reason) => return answer(&mut inner, 403, reason, None),
    };
    if inner.expired.contains(&jwt) {
        return answer(&mut inner, 403, "ExpiredProviderToken", None);
    }
    match header("apns-topic") {
        None => return answer(&mut inner, 400, "MissingTopic", None),
        Some(t) if t != TOPIC => return answer(&mut inner, 400, "BadTopic", None),
        Some(_) => {}
    }
    let push_type = header("apns-push-type").unwrap_or("").to_string();
    if ![
        "alert",
        "background",
        "voip",
        "complication",
        "fileprovider",
        "mdm",
    ]
    .contains(&push_type.as_str())
    {
        return answer(&mut inner, 400, "InvalidPushType", None);
    }
    let priority = header("apns-priority").map(str::to_string);
    if priority
        .as_deref()
        .is_some_and(|p| !["1", "5", "10"].contains(&p))
    {
        return answer(&mut inner, 400, "BadPriority", None);
    }
    let expiration = match header("apns-expiration").map(str::parse::<i64>) {
        Some(Err(_)) => return answer(&mut inner, 400, "BadExpirationDate", None),
        Some(Ok(e)) => Some(e),
        None => None,
    };
    let apns_id = match header("apns-id") {
        Some(id) if !is_uuid(id) => return answer(&mut inner, 400, "BadMessageId", None),
        Some(id) => id.to_string(),
        None => "00000000-0000-0000-0000-000000000000".to_string(),
    };
    let collapse_id = header("apns-collapse-id").map(str::to_string);
    if collapse_id.as_ref().is_some_and(|c| c.len() > 64) {
        return answer(&mut inner, 400, "BadCollapseId", None);
    }
    if body.is_empty() {
        return answer(&mut inner, 400, "PayloadEmpty", None);
    }
    if body.len() > 4096 {
        return answer(&mut inner, 413, "PayloadTooLarge", None);
    }
    if let Some((status, reason)) = inner.scripted.get_mut(token).and_then(VecDeque::pop_front) {
        if reason == "ExpiredProviderToken" {
            inner.expired.insert(jwt);
        }
        return answer(&mut inner, status, reason, None);
    }
    match inner.devices.get(token).copied() {
        None => return answer(&mut inner, 400, "BadDeviceToken", None),
        Some(Some(since)) => return answer(&mut inner, 410, "Unregistered", Some(since)),
        Some(None) => {}
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return answer(&mut inner, 400, "BadRequest: the payload is not JSON", None);
    };
    if !inner.provider_tokens.contains(&jwt) {
        inner.provider_tokens.push(jwt);
    }
    inner
        .received
        .entry(token.to_string())
        .or_default()
        .push(Seen {
            apns_id: apns_id.clone(),
            collapse_id,
            priority,
            push_type,
            expiration,
            payload,
        });
    inner.answers.push((200, String::new()));
    (StatusCode::OK, [("apns-id", apns_id)], "").into_response()
}

/// The provider token of `authorization`, verified: the JWT, or Apple's
/// reason for refusing it.
fn check_jwt(authorization: Option<&str>, public_key: &[u8]) -> Result<String, &'static str> {
    let jwt = authorization
        .and_then(|a| a.strip_prefix("bearer "))
        .ok_or("MissingProviderToken")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, sig] = parts[..] else {
        return Err("InvalidProviderToken");
    };
    let decode = |p: &str| -> Result<Value, &'static str> {
        let bytes = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "InvalidProviderToken")?;
        serde_json::from_slice(&bytes).map_err(|_| "InvalidProviderToken")
    };
    let (h, c) = (decode(header)?, decode(claims)?);
    if h["alg"] != "ES256" || h["kid"] != KEY_ID || c["iss"] != TEAM_ID {
        return Err("InvalidProviderToken");
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| "InvalidProviderToken")?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, public_key)
        .verify(format!("{header}.{claims}").as_bytes(), &sig)
        .map_err(|_| "InvalidProviderToken")?;
    let iat = c["iat"].as_i64().ok_or("InvalidProviderToken")?;
    let now = chrono::Utc::now().timestamp();
    if now - iat > 3600 {
        return Err("ExpiredProviderToken");
    }
    if iat - now > 60 {
        return Err("InvalidProviderToken");
    }
    Ok(jwt.to_string())
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}
