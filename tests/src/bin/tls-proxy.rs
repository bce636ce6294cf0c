//! A TLS-terminating proxy for the shells' HTTPS tests: a certificate
//! authority made for this run, a certificate for 127.0.0.1 and localhost
//! signed by it, and every connection forwarded as plain TCP to the server
//! under test. The phone's platform transport (URLSession on Linux reads
//! the system bundle) must trust the CA for a request to get through;
//! nothing here makes anything trust everything.
//!
//!   tls-proxy --upstream 127.0.0.1:PORT --ca-out /tmp/x/test-ca.pem
//!
//! Prints `listening on https://127.0.0.1:PORT` once it accepts and runs
//! until its standard input closes (so it never outlives the test that
//! started it) or it is killed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

struct Args {
    upstream: SocketAddr,
    ca_out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut upstream = None;
    let mut ca_out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--upstream" => {
                let v = it.next().ok_or("--upstream needs HOST:PORT")?;
                upstream = Some(v.parse().map_err(|e| format!("--upstream {v}: {e}"))?);
            }
            "--ca-out" => ca_out = Some(PathBuf::from(it.next().ok_or("--ca-out needs a path")?)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        upstream: upstream.ok_or("--upstream is required")?,
        ca_out: ca_out.ok_or("--ca-out is required")?,
    })
}

/// The run's CA (written to `ca_out` as PEM) and the proxy's TLS config.
fn tls(ca_out: &PathBuf) -> Result<tokio_rustls::TlsAcceptor, String> {
    let mut ca_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "LawCircle shell test CA");
    let ca_key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(|e| e.to_string())?;
    let leaf_key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let leaf =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(|e| e.to_string())?
            .signed_by(&leaf_key, &ca)
            .map_err(|e| e.to_string())?;
    std::fs::write(ca_out, ca.pem()).map_err(|e| format!("{}: {e}", ca_out.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .map_err(|e| e.to_string())?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

async fn serve(client: TcpStream, acceptor: tokio_rustls::TlsAcceptor, upstream: SocketAddr) {
    // A client that does not trust the CA aborts the handshake: nothing to forward.
    let Ok(mut tls) = acceptor.accept(client).await else {
        return;
    };
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tls-proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let acceptor = match tls(&args.ca_out) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tls-proxy: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tls-proxy: bind: {e}");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    println!("listening on https://127.0.0.1:{port}");
    // The test holds the other end of standard input: when it closes
    // (the test ended, however), the proxy ends too.
    std::thread::spawn(|| {
        let mut sink = std::io::sink();
        let _ = std::io::copy(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    loop {
        if let Ok((client, _)) = listener.accept().await {
            tokio::spawn(serve(client, acceptor.clone(), args.upstream));
        }
    }
}
