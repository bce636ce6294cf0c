//! Clocks a volunteer in at a circle duty post of a running server, as the
//! phone does (the punch made with the core's rules, then re-checked by the
//! server): for benchmarks that need a volunteer on duty.
//!
//! ```text
//! clock-in --url http://127.0.0.1:PORT --token TOKEN --account ID \
//!          --post LW-P0011 --lat 27.93 --lng 120.815 [--street 330303001]
//! ```
//! `--street`: the post's street when it is not the demo's 蒲州街道 (the
//! synthetic district of `scripts/bench-district`).

use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::volunteers::clock_in::DeviceInstant;
use lawcircle_core::volunteers::punch::PunchKind;
use lawcircle_e2e::Client;
use lawcircle_e2e::cli_arg;
use lawcircle_e2e::people::{clock_in, punch_on};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let wanted = ["--url", "--token", "--account", "--post", "--lat", "--lng"];
    let values: Vec<Option<String>> = wanted.iter().map(|n| cli_arg(&args, n)).collect();
    let [
        Some(url),
        Some(token),
        Some(account),
        Some(post),
        Some(lat),
        Some(lng),
    ] = <[Option<String>; 6]>::try_from(values).unwrap_or_default()
    else {
        eprintln!(
            "usage: clock-in --url URL --token TOKEN --account ID --post POST --lat LAT --lng LNG"
        );
        return ExitCode::from(2);
    };
    let (Ok(lat), Ok(lng)) = (lat.parse::<f64>(), lng.parse::<f64>()) else {
        eprintln!("--lat and --lng are decimal degrees (WGS-84)");
        return ExitCode::from(2);
    };
    let mut client = Client::at(&url);
    client.token = Some(token);
    let done = match cli_arg(&args, "--street") {
        None => clock_in(&client, &account, &post, lat, lng).await,
        Some(street) => clock_in_at(&client, &account, &post, &street, lat, lng).await,
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// A clock-in at the 100 m circle post `post_id` of `street` centred at
/// `lat`, `lng`, standing at its centre, made and synced as the phone does.
async fn clock_in_at(
    client: &Client,
    account_id: &str,
    post_id: &str,
    street: &str,
    lat: f64,
    lng: f64,
) -> Result<(), String> {
    let post: DutyPost = serde_json::from_value(serde_json::json!({
        "id": post_id, "name": post_id, "street_code": street, "retired": false,
        "kind": {"type": "station", "fence": {"type": "circle",
                 "center": {"lat": lat, "lng": lng, "datum": "wgs84"}, "radius_m": 100.0}},
        "shifts": {"weekly": "24/7", "exceptions": []}
    }))
    .map_err(|e| e.to_string())?;
    let now = chrono::Utc::now();
    let at = DeviceInstant {
        wall: now,
        elapsed_ms: u64::try_from(now.timestamp_millis()).unwrap_or(0),
    };
    let p = punch_on(account_id, &post, PunchKind::In, at, (lat, lng), false);
    let r = client.post_punch(&p).await;
    if r.status == 200 || r.status == 201 {
        Ok(())
    } else {
        Err(format!("punch at {post_id}: {} {:?}", r.status, r.body))
    }
}
