//! The local fake of the SMS provider as a process, for the Kotlin and
//! Swift suites: prints one line of JSON with its URL and the `serve` flags
//! that point a server at it, then serves until killed. The codes it
//! received are at `GET {url}messages`.
//!
//! ```text
//! fake-sms
//! {"url":"http://127.0.0.1:PORT/","server_args":["--sms-provider","aliyun",…]}
//! ```

use lawcircle_e2e::fake_sms::FakeSms;
use std::io::Write;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let fake = FakeSms::start().await;
    println!(
        "{}",
        serde_json::json!({"url": fake.url, "server_args": fake.server_args()})
    );
    let _ = std::io::stdout().flush();
    // Until the test kills it.
    std::future::pending::<()>().await;
}
