//! TLS on the gRPC port with rustls (ring provider): certificate and key
//! from PEM files, optional client certificates checked against a CA file
//! (mutual TLS), and reload without a restart.
//!
//! The whole `ServerConfig` is swapped on reload, so a new certificate, key
//! or client CA applies to every connection accepted afterwards; connections
//! already open keep the session they negotiated. A reload that fails (a
//! half-written file, a key that does not match) keeps the config in force.
//!
//! Handshakes run in their own tasks, at most `max_handshakes` at once and
//! each within `handshake_timeout`, so clients that stall mid-handshake
//! cannot pin the accept loop or unbounded memory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, anyhow};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;

use crate::linger::{Drain, Lingering};
use crate::metrics::Metrics;

/// The files TLS is configured from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, PEM, leaf first (`--tls-cert`).
    pub cert: PathBuf,
    /// Private key of the leaf, PEM: PKCS#8, PKCS#1 or SEC1 (`--tls-key`).
    pub key: PathBuf,
    /// CA certificates client certificates must chain to (`--tls-client-ca`);
    /// when set, a client without a valid certificate is refused in the handshake.
    pub client_ca: Option<PathBuf>,
}

impl TlsFiles {
    /// Every file, for change detection.
    pub fn paths(&self) -> Vec<&Path> {
        let mut paths = vec![self.cert.as_path(), self.key.as_path()];
        paths.extend(self.client_ca.as_deref());
        paths
    }
}

/// Bounds on TLS handshakes.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeLimits {
    /// A handshake not finished by then is dropped.
    pub timeout: Duration,
    /// Handshakes in progress at once; further connections wait in the
    /// kernel's accept queue.
    pub max_concurrent: usize,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path, flag: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {flag} {}", path.display()))
}

fn certificates(path: &Path, flag: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = read(path, flag)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{flag} {}: not valid PEM: {e}", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!(
            "{flag} {}: no CERTIFICATE block found (PEM expected)",
            path.display()
        );
    }
    Ok(certs)
}

/// Builds the server config the files describe. Errors name the flag and
/// file; they never include key material.
///
/// # Errors
/// When a file cannot be read or parsed, or the key does not belong to the
/// certificate.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<ServerConfig> {
    let chain = certificates(&files.cert, "--tls-cert")?;
    let key_pem = read(&files.key, "--tls-key")?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        anyhow!(
            "--tls-key {}: no usable private key (PKCS#8, PKCS#1 or SEC1 PEM expected): {e}",
            files.key.display()
        )
    })?;
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(path, "--tls-client-ca")? {
                roots.add(cert).map_err(|e| {
                    anyhow!("--tls-client-ca {}: not a usable CA: {e}", path.display())
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| anyhow!("--tls-client-ca {}: {e}", path.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        anyhow!(
            "--tls-cert {} / --tls-key {}: {e}",
            files.cert.display(),
            files.key.display()
        )
    })?;
    // gRPC is HTTP/2 only; clients (tonic's among them) insist on h2 by ALPN.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// The TLS config in force, swappable at run time.
#[derive(Debug)]
pub struct TlsState {
    files: TlsFiles,
    current: RwLock<Arc<ServerConfig>>,
}

impl TlsState {
    /// Loads the files.
    ///
    /// # Errors
    /// As [`server_config`].
    pub fn load(files: TlsFiles) -> anyhow::Result<Self> {
        let config = server_config(&files)?;
        Ok(Self {
            files,
            current: RwLock::new(Arc::new(config)),
        })
    }

    /// Re-reads the files; new connections use the result. On error the
    /// config in force stays.
    ///
    /// # Errors
    /// As [`server_config`].
    pub fn reload(&self) -> anyhow::Result<()> {
        let config = server_config(&self.files)?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(config);
        Ok(())
    }

    /// The files this state is read from.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// An acceptor with the config in force now.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ))
    }
}

/// Connections that finished their TLS handshake, for tonic's
/// `serve_with_incoming`.
pub(crate) type TlsIncoming = ReceiverStream<std::io::Result<TlsStream<Lingering>>>;

/// Accepts TCP connections on `listener` and hands on those whose handshake
/// succeeds. The returned task runs until `stopping` turns true, the stream
/// is dropped, or the task is aborted. Connections hold a token of `drain`.
pub(crate) fn incoming(
    listener: TcpListener,
    tls: Arc<TlsState>,
    limits: HandshakeLimits,
    metrics: Arc<Metrics>,
    mut stopping: watch::Receiver<bool>,
    drain: &Drain,
    connection_slots: Arc<Semaphore>,
) -> (TlsIncoming, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(limits.max_concurrent.max(1));
    let token = drain.token();
    let task = tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(limits.max_concurrent.max(1)));
        loop {
            // A slot first: at the limit, connections wait in the backlog.
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => return,
                },
                () = tx.closed() => return,
                () = crate::grpc::stopped(&mut stopping) => return,
            };
            let (tcp, peer, connection) = tokio::select! {
                accepted = crate::linger::accept(&listener, &connection_slots) => accepted,
                () = tx.closed() => return,
                () = crate::grpc::stopped(&mut stopping) => return,
            };
            let _ = tcp.set_nodelay(true);
            let tcp = Lingering::new(tcp, token.clone(), connection);
            let acceptor = tls.acceptor();
            let tx = tx.clone();
            let metrics = Arc::clone(&metrics);
            tokio::spawn(async move {
                let handshake = tokio::time::timeout(limits.timeout, acceptor.accept(tcp)).await;
                drop(slot);
                match handshake {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(stream)).await;
                    }
                    Ok(Err(e)) => {
                        metrics.tls_handshake_failed("error");
                        tracing::debug!(%peer, error.message = %e, "TLS handshake failed");
                    }
                    Err(_) => {
                        metrics.tls_handshake_failed("timeout");
                        tracing::debug!(
                            %peer,
                            timeout_ms = limits.timeout.as_millis(),
                            "TLS handshake timed out"
                        );
                    }
                }
            });
        }
    });
    (ReceiverStream::new(rx), task)
}
