//! Clocks a volunteer in at a circle duty post of a running server, as the
//! phone does (the punch made with the core's rules, then re-checked by the
//! server): for benchmarks that need a volunteer on duty.
//!
//! ```text
//! clock-in --url http://127.0.0.1:PORT --token TOKEN --account ID \
//!          --post LW-P0011 --lat 27.93 --lng 120.815
//! ```

use lawcircle_e2e::Client;
use lawcircle_e2e::cli_arg;
use lawcircle_e2e::people::clock_in;
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
    match clock_in(&client, &account, &post, lat, lng).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
