//! The DNS resolver of push requests: the system's answers without the
//! addresses of this machine or a private network. Registration refuses
//! endpoints whose host is such an address written out
//! ([`super::devices`]); a name that resolves to one (`push.example` →
//! 10.0.0.5, or a name whose answer changes after registration) is
//! refused here, when the request is made, so the server never posts to
//! itself or the district's own network on a phone's say-so.

use super::devices::internal_ip;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;

/// Why a push service's name gives no address to post to.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{host} resolves only to addresses of this machine or a private network")]
    Private { host: String },
    #[error("{host} resolves to no address")]
    Nothing { host: String },
    #[error("cannot resolve {host}: {source}")]
    Lookup {
        host: String,
        #[source]
        source: std::io::Error,
    },
}

/// Resolves with the system resolver and keeps public addresses only.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|source| ResolveError::Lookup {
                    host: host.clone(),
                    source,
                })?;
            let public = public_only(&host, found.collect())?;
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// `addrs` without internal ones; an error when none is left.
pub fn public_only(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, ResolveError> {
    if addrs.is_empty() {
        return Err(ResolveError::Nothing {
            host: host.to_string(),
        });
    }
    let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| !internal_ip(a.ip())).collect();
    if public.is_empty() {
        return Err(ResolveError::Private {
            host: host.to_string(),
        });
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 0)
    }

    #[test]
    fn private_answers_are_dropped_and_only_private_is_an_error() {
        let mixed = vec![
            a("10.0.0.5"),
            a("93.184.216.34"),
            a("::1"),
            a("2606:4700::1"),
        ];
        assert_eq!(
            public_only("push.example", mixed).unwrap(),
            vec![a("93.184.216.34"), a("2606:4700::1")]
        );
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                matches!(
                    public_only("push.example", vec![a(private)]),
                    Err(ResolveError::Private { .. })
                ),
                "{private}"
            );
        }
        assert!(matches!(
            public_only("push.example", vec![]),
            Err(ResolveError::Nothing { .. })
        ));
    }

    #[tokio::test]
    async fn a_name_of_this_machine_is_refused_when_resolved() {
        let name: Name = "localhost".parse().unwrap();
        let e = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(e.to_string().contains("localhost"), "{e}");
    }
}
