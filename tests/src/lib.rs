//! Helpers for the end-to-end tests: start the real `lawcircle-server`
//! binary on a free loopback port with its own data folder, and stop it
//! when the test ends.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The server binary built by cargo next to the test executable
/// (`target/<profile>/lawcircle-server`).
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile> folder");
    let bin = dir.join(format!("lawcircle-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p lawcircle-server` first (the test command does)",
        bin.display()
    );
    bin
}

/// A running server process.
pub struct Server {
    child: Child,
    pub base_url: String,
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts the server with `args` after `serve`, on a free port, with
    /// its data in `data_dir`. Waits until it prints its address.
    pub fn start(data_dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(server_binary())
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env("LAWCIRCLE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lawcircle-server");
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut reader = BufReader::new(stdout);
        while !line.contains("listening on") {
            line.clear();
            let n = reader.read_line(&mut line).expect("read server stdout");
            assert!(n > 0, "the server exited before listening");
            assert!(
                Instant::now() < deadline,
                "the server did not start in time"
            );
        }
        let base_url = line
            .trim()
            .rsplit(' ')
            .next()
            .expect("address on the line")
            .to_string();
        Server {
            child,
            base_url,
            data_dir: data_dir.to_path_buf(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops the server with SIGTERM-like termination and waits for it.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a `lawcircle-server` subcommand to completion.
pub fn run_cli(args: &[&str]) -> Output {
    Command::new(server_binary())
        .args(args)
        .env("LAWCIRCLE_LOG", "warn")
        .output()
        .expect("run lawcircle-server")
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}
