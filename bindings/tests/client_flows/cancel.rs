//! Cancelling a call on the foreign side cancels the Rust work: a sync
//! whose caller gave up stops sending (its connection is closed) and puts
//! the entry it had in flight back in the queue. The server here is a
//! local fake that answers the session calls and never answers the need,
//! so the sync is caught mid-flight without any timing.

use super::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the fake server saw of the need's request.
#[derive(Debug, PartialEq)]
enum Seen {
    /// The need's POST arrived (and is left unanswered).
    NeedPosted,
    /// The client closed that connection.
    NeedAbandoned,
}

/// Answers `/health`, the sign-in and `/api/v1/me`; holds the need's POST
/// open and reports when the client drops it.
async fn hanging_server() -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                let mut request_line = String::new();
                reader.read_line(&mut request_line).await.unwrap();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).await.unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).await.unwrap();
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                let answer = if path == "/health" {
                    r#"{"status":"ok","database":"sqlite","catalogue_version":1,"version":"fake","sms":"not_configured","instance":"fake","jobs_leader":null,"notifications":[]}"#
                } else if path == "/api/v1/auth/login" {
                    r#"{"token":"t","expires_at":"2030-01-01T00:00:00Z","account":{"id":7,"username":"resident","display_name":"R","role":"resident","street_code":null,"phone":null,"id_number":null,"disabled":false,"created_at":"2025-01-01T00:00:00Z"}}"#
                } else if path == "/api/v1/me" {
                    "{}"
                } else {
                    // The need: no answer; wait until the client hangs up.
                    tx.send(Seen::NeedPosted).unwrap();
                    let mut rest = Vec::new();
                    let _ = reader.read_to_end(&mut rest).await;
                    tx.send(Seen::NeedAbandoned).unwrap();
                    return;
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                reader
                    .get_mut()
                    .write_all(response.as_bytes())
                    .await
                    .unwrap();
            });
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_cancelled_sync_stops_sending_and_requeues_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (url, mut seen) = hanging_server().await;
    let client = open(&url, dir.path());
    let key = client
        .submit_need(need_form(NeedCategory::Consultation, "330303001001"))
        .await
        .unwrap();
    let syncing = {
        let client = client.clone();
        tokio::spawn(async move { client.sync(0, None).await })
    };
    assert_eq!(seen.recv().await, Some(Seen::NeedPosted));
    assert_eq!(
        client.outbox_entry(key.clone()).unwrap().state,
        OutboxState::Sending
    );
    // The caller gives up (a cancelled coroutine or Task drops the future).
    syncing.abort();
    assert!(syncing.await.unwrap_err().is_cancelled());
    // The Rust work stopped: its connection was closed…
    assert_eq!(seen.recv().await, Some(Seen::NeedAbandoned));
    // …and the entry is back in the queue for the next sync.
    let mut entry = client.outbox_entry(key.clone()).unwrap();
    for _ in 0..500 {
        if entry.state != OutboxState::Sending {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        entry = client.outbox_entry(key.clone()).unwrap();
    }
    assert_eq!(
        (entry.state, entry.attempts),
        (OutboxState::NotSent, 1),
        "{entry:?}"
    );
}

#[tokio::test]
async fn a_cancel_token_ends_the_sync_and_requeues_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (url, mut seen) = hanging_server().await;
    let client = open(&url, dir.path());
    let key = client
        .submit_need(need_form(NeedCategory::Consultation, "330303001001"))
        .await
        .unwrap();
    let token = lawcircle_ffi::CancelToken::new();
    let syncing = {
        let (client, token) = (client.clone(), token.clone());
        tokio::spawn(async move { client.sync(0, Some(token)).await })
    };
    assert_eq!(seen.recv().await, Some(Seen::NeedPosted));
    token.cancel();
    assert!(token.is_cancelled());
    assert_eq!(syncing.await.unwrap(), Err(LawCircleError::Cancelled));
    assert_eq!(seen.recv().await, Some(Seen::NeedAbandoned));
    // The work was aborted and its guard ran before the call returned.
    assert_eq!(
        client.outbox_entry(key).unwrap().state,
        OutboxState::NotSent
    );
    // A token cancelled before the call: refused at once, nothing sent.
    let late = lawcircle_ffi::CancelToken::new();
    late.cancel();
    assert_eq!(
        client.sync(0, Some(late)).await.unwrap_err(),
        LawCircleError::Cancelled
    );
}
