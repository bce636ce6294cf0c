use super::*;
use std::sync::atomic::{AtomicU32, Ordering};

#[test]
fn https_anywhere_plain_http_only_to_loopback() {
    assert_eq!(
        check_server_url(" https://lawcircle.example.cn/ ").unwrap(),
        "https://lawcircle.example.cn"
    );
    for ok in [
        "http://127.0.0.1:8080",
        "http://127.3.2.1",
        "http://localhost:9/",
        "HTTP://LOCALHOST",
        "http://[::1]:8080",
        "http://user@127.0.0.1:1",
    ] {
        assert!(check_server_url(ok).is_ok(), "{ok}");
    }
    for (bad, why) in [
        (
            "http://lawcircle.example.cn",
            UrlError::PlainHttpNotLoopback,
        ),
        ("http://10.0.2.2:8080", UrlError::PlainHttpNotLoopback),
        ("http://[::2]:80", UrlError::PlainHttpNotLoopback),
        // A loopback-looking user name does not make the host loopback.
        (
            "http://127.0.0.1@evil.example",
            UrlError::PlainHttpNotLoopback,
        ),
        (
            "http://localhost.evil.example",
            UrlError::PlainHttpNotLoopback,
        ),
        ("ftp://x", UrlError::Scheme),
        ("lawcircle.example", UrlError::Scheme),
        ("https://", UrlError::NoHost),
        ("https://a b", UrlError::NoHost),
        ("https://x/?a=1", UrlError::QueryOrFragment),
    ] {
        assert_eq!(check_server_url(bad), Err(why), "{bad}");
    }
}

#[test]
fn api_errors_are_described_by_field_and_message() {
    let body = br#"{"error":{"code":"bad_request","message":"must not be empty","field":"title"}}"#;
    assert_eq!(ErrorBody::describe(body), "title: must not be empty");
    assert_eq!(ErrorBody::parse(body).unwrap().code, "bad_request");
    assert_eq!(ErrorBody::describe(b"upstream down"), "upstream down");
}

/// Answers from a script, counting the calls.
struct Scripted {
    answers: Mutex<Vec<Result<Response, TransportError>>>,
    calls: AtomicU32,
}

impl Scripted {
    fn new(mut answers: Vec<Result<Response, TransportError>>) -> Self {
        answers.reverse();
        Scripted {
            answers: Mutex::new(answers),
            calls: AtomicU32::new(0),
        }
    }
}

fn status(status: u16, headers: &[(&str, &str)]) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: Vec::new(),
    })
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, _request: Request) -> Result<Response, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.answers.lock().unwrap().pop().unwrap()
    }

    async fn stream(
        &self,
        _request: Request,
        sink: Arc<dyn StreamSink>,
    ) -> Result<(), TransportError> {
        sink.head(200, vec![]);
        for c in ["data: a\n", "\n", "data: b\n\n"] {
            if !sink.chunk(c.as_bytes().to_vec()) {
                return Ok(());
            }
        }
        self.answers.lock().unwrap().pop().unwrap().map(|_| ())
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        backoff: BackoffPolicy {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
            max_retry_after: Duration::from_secs(3600),
        },
        max_wait: Duration::from_secs(2),
    }
}

fn get() -> Request {
    Request::new(Method::Get, "https://x/health", Duration::from_secs(5))
}

#[tokio::test]
async fn idempotent_requests_are_retried_after_transient_failures() {
    let t = Scripted::new(vec![
        Err(TransportError::Network("reset".into())),
        status(503, &[("retry-after", "0")]),
        status(200, &[]),
    ]);
    let r = send_with_retries(&t, get(), &fast()).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_post_without_idempotency_key_is_sent_once() {
    let t = Scripted::new(vec![status(503, &[])]);
    let post = Request::new(Method::Post, "https://x/a", Duration::from_secs(5));
    assert_eq!(
        send_with_retries(&t, post, &fast()).await.unwrap().status,
        503
    );
    assert_eq!(t.calls.load(Ordering::SeqCst), 1);
    let t = Scripted::new(vec![status(429, &[]), status(201, &[])]);
    let keyed = Request::new(Method::Post, "https://x/a", Duration::from_secs(5))
        .header(crate::sync::IDEMPOTENCY_KEY, "k1");
    assert_eq!(
        send_with_retries(&t, keyed, &fast()).await.unwrap().status,
        201
    );
}

#[tokio::test]
async fn client_errors_are_not_retried_and_long_retry_after_gives_up() {
    let t = Scripted::new(vec![status(404, &[])]);
    assert_eq!(
        send_with_retries(&t, get(), &fast()).await.unwrap().status,
        404
    );
    assert_eq!(t.calls.load(Ordering::SeqCst), 1);
    // Asked to wait an hour: the interactive call returns the 503 at once.
    let t = Scripted::new(vec![status(503, &[("Retry-After", "3600")])]);
    assert_eq!(
        send_with_retries(&t, get(), &fast()).await.unwrap().status,
        503
    );
    assert_eq!(t.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_stream_delivers_its_chunks_then_the_transport_outcome() {
    let t: Arc<dyn Transport> = Arc::new(Scripted::new(vec![Err(TransportError::Network(
        "reset".into(),
    ))]));
    let mut s = open_stream(t, get()).await.unwrap();
    assert_eq!(s.status, 200);
    let mut reader = crate::sync::EventStreamReader::default();
    let mut events = Vec::new();
    let end = loop {
        match s.chunk().await {
            Ok(Some(c)) => events.extend(reader.push(&c)),
            other => break other,
        }
    };
    assert_eq!(events, ["a", "b"]);
    assert_eq!(end, Err(TransportError::Network("reset".into())));
}
