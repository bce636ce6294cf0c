//! The phone side of a dispatch, as a test sees it: a volunteer's client
//! signs in, listens to the server's event stream (`GET /api/v1/events`,
//! server-sent events, bearer token) and reports the first order assigned
//! to it. Prints `LISTENING` once connected, then `RECEIVED <order id>`;
//! exits non-zero when nothing arrives within `--timeout-secs` (default 60).
//!
//! ```text
//! phone-client --url http://127.0.0.1:PORT --username vol --password …
//! ```

use lawcircle_e2e::cli_arg;
use serde_json::{Value, json};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

async fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    let url = cli_arg(&args, "--url").ok_or("--url is required")?;
    let username = cli_arg(&args, "--username").ok_or("--username is required")?;
    let password = cli_arg(&args, "--password").ok_or("--password is required")?;
    let client = lawcircle_e2e::http_client();
    let login: Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .error_for_status()
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = login["token"].as_str().ok_or("no token")?.to_string();
    let me = login["account"]["id"]
        .as_i64()
        .ok_or("no account id")?
        .to_string();
    let mut res = client
        .get(format!("{url}/api/v1/events"))
        .bearer_auth(&token)
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .error_for_status()
        .map_err(|e| e.to_string())?;
    println!("LISTENING");
    let _ = std::io::stdout().flush();
    let mut events = lawcircle_client::sync::EventStreamReader::default();
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        for data in events.push(&chunk) {
            let Ok(change) = serde_json::from_str::<Value>(&data) else {
                continue;
            };
            if change["assignee"].as_str() == Some(me.as_str()) {
                return change["order_id"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "an event without an order id".to_string());
            }
        }
    }
    Err("the event stream ended".into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let secs = cli_arg(&args, "--timeout-secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    match tokio::time::timeout(Duration::from_secs(secs), run()).await {
        Ok(Ok(id)) => {
            println!("RECEIVED {id}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("phone-client: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("phone-client: nothing assigned within {secs} s");
            ExitCode::FAILURE
        }
    }
}
