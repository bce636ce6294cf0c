//! Makes the people of a phone-flow test on a running server (see
//! `lawcircle_e2e::people`) and prints them as JSON, for the Kotlin and
//! Swift suites.
//!
//! ```text
//! seed-people --url http://127.0.0.1:PORT --data-dir DIR
//! ```

use lawcircle_e2e::Storage;
use lawcircle_e2e::cli_arg;
use lawcircle_e2e::people::seed_people;
use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(dir)) = (cli_arg(&args, "--url"), cli_arg(&args, "--data-dir")) else {
        eprintln!("usage: seed-people --url URL --data-dir DIR");
        return ExitCode::from(2);
    };
    let storage = Storage {
        data_dir: PathBuf::from(dir),
        database_url: None,
    };
    match seed_people(&url, &storage).await {
        Ok(people) => match serde_json::to_string(&people) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
