//! A TLS front for the real server: terminates `https` on a loopback port with a freshly made
//! self-signed certificate for `localhost` and `127.0.0.1`, and passes the bytes on to the
//! server.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The running TLS front.
#[derive(Debug)]
pub struct TlsFront {
    port: u16,
    certificate_pem: String,
}

impl TlsFront {
    /// Starts a front for `upstream` (`http://IP:PORT`) on its own thread.
    ///
    /// # Panics
    ///
    /// When the certificate or the listener cannot be made.
    #[must_use]
    pub fn start(upstream: &str) -> TlsFront {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("an upstream of the form http://IP:PORT");
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("a self-signed certificate");
        let certificate_pem = certified.cert.pem();
        let chain = vec![CertificateDer::from(certified.cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("a server configuration");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let port = crate::background::serve(move |socket| {
            let acceptor = acceptor.clone();
            async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
            }
        })
        .port();
        TlsFront {
            port,
            certificate_pem,
        }
    }

    /// `https://localhost:PORT`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// The self-signed certificate, PEM-encoded, for the client to trust.
    #[must_use]
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }
}
