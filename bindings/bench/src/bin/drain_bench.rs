//! Rust side of scripts/bench-drain: N needs queued on the phone, then
//! drained to the server by the library's sync through reqwest (behind the
//! same transport trait the shells implement). The same steps as the
//! Kotlin DrainBench.kt (OkHttp). Then the baseline of the same run: N
//! sequential `GET /health` through the same reqwest transport (one
//! keep-alive connection).
//!
//! ```text
//! drain_bench URL USERNAME PASSWORD AREA_CODE N
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use lawcircle_client::http::reqwest::ReqwestTransport;
use lawcircle_client::http::{self, Method, Request, Transport};
use lawcircle_ffi::{
    Channel, ClientConfig, Credentials, LawCircleClient, NeedCategory, NeedForm, RustTransport,
    Urgency,
};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, username, password, area_code, n] = &args[..] else {
        eprintln!("usage: drain_bench URL USERNAME PASSWORD AREA_CODE N");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("N");
    let dir = tempfile::tempdir().expect("temp dir");
    let reqwest: Arc<dyn Transport> = Arc::new(ReqwestTransport::new().expect("transport"));
    let transport = Arc::new(RustTransport(reqwest.clone()));
    let client = LawCircleClient::open(
        ClientConfig {
            database_path: dir
                .path()
                .join("phone.sqlite")
                .to_string_lossy()
                .into_owned(),
            server_url: url.clone(),
            credentials: Credentials {
                user_id: username.clone(),
                secret: password.clone(),
            },
        },
        transport,
    )
    .expect("client");
    client.sign_in().await.expect("sign in");
    let form = NeedForm {
        requester_name: "李四".to_string(),
        requester_phone: "13812345678".to_string(),
        requester_id_number: None,
        enterprise_name: None,
        enterprise_credit_code: None,
        category: NeedCategory::Consultation,
        description: "邻居装修噪音纠纷，希望咨询如何处理".to_string(),
        urgency: Urgency::Normal,
        address: "永中街道示例社区".to_string(),
        area_code: area_code.clone(),
        point: None,
        channel: Channel::Online,
        post_id: None,
        consent_given: true,
        consent_notice_version: "v1".to_string(),
        attachments: vec![],
        application: None,
    };
    for _ in 0..n {
        client.submit_need(form.clone()).await.expect("queue");
    }
    let start = Instant::now();
    let report = client.sync(600_000, None).await.expect("sync");
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        report.sent == n && report.pending == 0,
        "not all sent: {report:?}"
    );
    println!("rust drain_{n} {seconds:.2}");
    let health = format!("{}/health", url.trim_end_matches('/'));
    let start = Instant::now();
    for _ in 0..n {
        let r = http::send(
            reqwest.as_ref(),
            Request::new(Method::Get, &health, Duration::from_secs(10)),
        )
        .await
        .expect("health");
        assert!(r.is_success(), "health: {}", r.status);
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("rust health_{n} {seconds:.2}");
}
