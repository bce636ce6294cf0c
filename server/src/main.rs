//! `lawcircle-server`: serve the API, import and export the catalogue
//! (the commands are in [`lawcircle_server::cli`]).

fn main() -> std::process::ExitCode {
    lawcircle_server::cli::main()
}
