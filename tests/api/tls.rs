//! Who may call: TLS, mutual TLS, bearer tokens and reloads, against the
//! real server on port 0 with certificates made here by rcgen and written
//! to a temporary directory, called with tonic's own TLS client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use tempfile::TempDir;
use textpipe::config::{MetricsListen, Settings};
use textpipe::grpc::proto::DetectLanguageRequest;
use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::security::Reloader;
use textpipe::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

pub(crate) const TOKEN: &str = "right-token-4f1c9a7e2b";
const WRONG_TOKEN: &str = "wrong-token-8d3e6b0c5a";
const GERMAN: &str =
    "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt beschlossen.";

/// A certificate authority made for one test.
pub(crate) struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, as PEM.
pub(crate) struct Leaf {
    pub(crate) cert: String,
    pub(crate) key: String,
}

impl Ca {
    pub(crate) fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("ca key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("ca certificate"),
        }
    }

    pub(crate) fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn leaf(&self, name: &str, usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params = CertificateParams::new(vec![name.to_owned()]).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf signed");
        Leaf {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// A server certificate for `localhost` and 127.0.0.1.
    pub(crate) fn server(&self) -> Leaf {
        self.leaf("localhost", ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate.
    pub(crate) fn client(&self, name: &str) -> Leaf {
        self.leaf(name, ExtendedKeyUsagePurpose::ClientAuth)
    }
}

/// Files the server reads, in a directory removed when dropped.
pub(crate) struct Files {
    pub(crate) dir: TempDir,
}

impl Files {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` in one step (write to a temp file, rename),
    /// as a careful operator or a secret mount would.
    pub(crate) fn put(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        let tmp = self.path(&format!(".{name}.tmp"));
        std::fs::write(&tmp, contents).expect("file written");
        std::fs::rename(&tmp, &path).expect("file renamed");
        path
    }

    /// The server certificate and key as `server.pem` / `server.key`.
    pub(crate) fn put_server(&self, leaf: &Leaf) {
        self.put("server.pem", &leaf.cert);
        self.put("server.key", &leaf.key);
    }

    /// Settings for TLS with the files in this directory.
    pub(crate) fn tls_settings(&self, settings: &mut Settings) {
        settings.tls_cert = Some(self.path("server.pem"));
        settings.tls_key = Some(self.path("server.key"));
    }
}

struct SecureApp {
    addr: SocketAddr,
    metrics_addr: SocketAddr,
    reloader: Reloader,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<anyhow::Result<()>>,
}

impl SecureApp {
    async fn start(tweak: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            metrics_listen: MetricsListen(Some("127.0.0.1:0".parse().expect("literal address"))),
            shutdown_grace_ms: 2_000,
            // Tests that watch files turn this on with a short interval.
            reload_check_ms: 0,
            ..Settings::default()
        };
        tweak(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("app builds and binds");
        let addr = app.local_addr();
        let metrics_addr = app.metrics_addr().expect("metrics on");
        let reloader = app.reloader();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stop_rx.await;
        }));
        Self {
            addr,
            metrics_addr,
            reloader,
            stop: Some(stop_tx),
            server,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops in time")
            .expect("server task joins");
        result.expect("server ran and stopped cleanly");
    }

    async fn metrics(&self) -> String {
        let mut stream = TcpStream::connect(self.metrics_addr)
            .await
            .expect("metrics port accepts");
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .expect("request sent");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).await.expect("answer read");
        raw
    }
}

/// A tonic channel over TLS trusting `ca_pem`, optionally with a client identity.
pub(crate) async fn tls_channel(
    addr: SocketAddr,
    ca_pem: &str,
    identity: Option<&Leaf>,
) -> Result<Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca_pem))
        .domain_name("localhost");
    if let Some(leaf) = identity {
        tls = tls.identity(Identity::from_pem(&leaf.cert, &leaf.key));
    }
    Endpoint::from_shared(format!("https://{addr}"))
        .expect("valid uri")
        .connect_timeout(Duration::from_secs(5))
        .tls_config(tls)?
        .connect()
        .await
}

fn detect_request(token: Option<&str>) -> tonic::Request<DetectLanguageRequest> {
    let mut request = tonic::Request::new(DetectLanguageRequest {
        text: GERMAN.into(),
        allowed_languages: vec![],
        segments: false,
    });
    if let Some(token) = token {
        let value: MetadataValue<_> = format!("Bearer {token}").parse().expect("ascii");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

async fn detect(channel: Channel, token: Option<&str>) -> Result<String, tonic::Status> {
    let response = TextPipeServiceClient::new(channel)
        .detect_language(detect_request(token))
        .await?;
    Ok(response.into_inner().language.expect("a language").code)
}

async fn health(channel: Channel) -> i32 {
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers")
        .into_inner()
        .status
}

/// A raw TLS handshake with rustls, then one read: a server that accepted
/// the client sends its HTTP/2 SETTINGS; one that refused its certificate
/// sends an alert instead. Ok(bytes read) or the error.
async fn raw_handshake(
    addr: SocketAddr,
    ca_pem: &str,
    identity: Option<&Leaf>,
) -> std::io::Result<usize> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("ca pem")).expect("ca usable");
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots);
    let mut config = match identity {
        Some(leaf) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(leaf.cert.as_bytes()).expect("cert pem")],
                PrivateKeyDer::from_pem_slice(leaf.key.as_bytes()).expect("key pem"),
            )
            .expect("client identity"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").expect("server name");
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await?;
    let mut buf = [0u8; 64];
    tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("no answer in 5 s"))?
}

#[tokio::test]
async fn calls_and_health_work_over_tls_and_plain_text_is_refused() {
    let ca = Ca::new("test root");
    let files = Files::new();
    files.put_server(&ca.server());
    let app = SecureApp::start(|s| files.tls_settings(s)).await;

    let channel = tls_channel(app.addr, &ca.pem(), None)
        .await
        .expect("TLS connection");
    assert_eq!(detect(channel.clone(), None).await.expect("call ok"), "de");
    assert_eq!(health(channel).await, ServingStatus::Serving as i32);

    // A plain-text client gets nowhere on the TLS port.
    let plain = Endpoint::from_shared(format!("http://{}", app.addr))
        .expect("valid uri")
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(5));
    let plain_call = async {
        let channel = plain.connect().await.map_err(|e| e.to_string())?;
        detect(channel, None).await.map_err(|e| e.to_string())
    };
    assert!(plain_call.await.is_err(), "plain text must not be served");

    // A client that does not trust the server's CA refuses it.
    let stranger = Ca::new("some other root");
    let distrusted = async {
        let channel = tls_channel(app.addr, &stranger.pem(), None)
            .await
            .map_err(|e| e.to_string())?;
        detect(channel, None).await.map_err(|e| e.to_string())
    };
    assert!(distrusted.await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn bearer_tokens_guard_the_text_service_but_not_health() {
    let ca = Ca::new("test root");
    let files = Files::new();
    files.put_server(&ca.server());
    let token_file = files.put("tokens", &format!("# callers\n{TOKEN}\n"));
    let app = SecureApp::start(|s| {
        files.tls_settings(s);
        s.auth_token_file = Some(token_file.clone());
    })
    .await;
    let channel = tls_channel(app.addr, &ca.pem(), None)
        .await
        .expect("TLS connection");

    let missing = detect(channel.clone(), None).await.unwrap_err();
    assert_eq!(missing.code(), Code::Unauthenticated, "{missing:?}");
    assert!(missing.message().contains("Bearer"), "{missing:?}");

    let wrong = detect(channel.clone(), Some(WRONG_TOKEN))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Code::Unauthenticated, "{wrong:?}");
    assert!(
        !wrong.message().contains(WRONG_TOKEN) && !format!("{wrong:?}").contains(WRONG_TOKEN),
        "the answer never echoes the token: {wrong:?}"
    );

    assert_eq!(
        detect(channel.clone(), Some(TOKEN))
            .await
            .expect("right token"),
        "de"
    );

    // Probes need no secret.
    assert_eq!(health(channel.clone()).await, ServingStatus::Serving as i32);

    // Reflection is part of the API surface: it needs the token too.
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest,
    };
    let list = || ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut reflection = ServerReflectionClient::new(channel.clone());
    let refused = reflection
        .server_reflection_info(tokio_stream::once(list()))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    let mut request = tonic::Request::new(tokio_stream::once(list()));
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {TOKEN}").parse().expect("ascii"),
    );
    assert!(reflection.server_reflection_info(request).await.is_ok());

    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"textpipe_calls_unauthenticated_total{reason="missing"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"textpipe_calls_unauthenticated_total{reason="invalid"} 1"#),
        "{metrics}"
    );

    // A token removed from the file stops working after a reload (SIGHUP's job).
    files.put("tokens", "another-token-3a9f0e1d7c\n");
    app.reloader.reload().expect("reload works");
    let revoked = detect(channel.clone(), Some(TOKEN)).await.unwrap_err();
    assert_eq!(revoked.code(), Code::Unauthenticated);
    assert_eq!(
        detect(channel, Some("another-token-3a9f0e1d7c"))
            .await
            .expect("new token"),
        "de"
    );
    app.stop().await;
}

#[tokio::test]
async fn tokens_work_on_plain_text_too_from_the_variable_value() {
    // Settings carry what TEXTPIPE_AUTH_TOKENS held; the process environment
    // is left alone so tests running in parallel do not see it.
    let app = SecureApp::start(|s| {
        s.auth_tokens = textpipe::security::auth::Secret(Some(format!("{WRONG_TOKEN}x,{TOKEN}")));
    })
    .await;
    let channel = crate::helpers::channel(app.addr).await;
    assert_eq!(
        detect(channel.clone(), None).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_eq!(
        detect(channel.clone(), Some(TOKEN)).await.expect("ok"),
        "de"
    );
    assert_eq!(health(channel).await, ServingStatus::Serving as i32);
    app.stop().await;
}

#[tokio::test]
async fn mutual_tls_refuses_clients_without_a_certificate_from_the_client_ca() {
    let server_ca = Ca::new("server root");
    let client_ca = Ca::new("client root");
    let rogue_ca = Ca::new("rogue root");
    let files = Files::new();
    files.put_server(&server_ca.server());
    let client_ca_file = files.put("clients.pem", &client_ca.pem());
    let app = SecureApp::start(|s| {
        files.tls_settings(s);
        s.tls_client_ca = Some(client_ca_file.clone());
    })
    .await;
    let good = client_ca.client("good-client");
    let rogue = rogue_ca.client("rogue-client");

    // A client certificate from the client CA: served.
    let channel = tls_channel(app.addr, &server_ca.pem(), Some(&good))
        .await
        .expect("mTLS connection");
    assert_eq!(detect(channel, None).await.expect("call ok"), "de");
    let read = raw_handshake(app.addr, &server_ca.pem(), Some(&good))
        .await
        .expect("accepted client reads the server's HTTP/2 preface");
    assert!(read > 0);

    // From another CA, or none at all: the handshake is refused with an alert.
    for (what, identity) in [
        ("rogue certificate", Some(&rogue)),
        ("no certificate", None),
    ] {
        let refused = raw_handshake(app.addr, &server_ca.pem(), identity).await;
        let err = refused.expect_err(what).to_string();
        // UnknownCA for the rogue certificate, CertificateRequired for none.
        assert!(err.contains("received fatal alert"), "{what}: {err}");
        // tonic's client sees it as a failed connection or call, never OK.
        let call = async {
            let channel = tls_channel(app.addr, &server_ca.pem(), identity)
                .await
                .map_err(|e| e.to_string())?;
            detect(channel, None).await.map_err(|e| e.to_string())
        };
        assert!(call.await.is_err(), "{what} must not be served");
    }
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"textpipe_tls_handshake_failures_total{reason="error"}"#),
        "{metrics}"
    );
    app.stop().await;
}

/// Waits until a fresh connection trusting `ca_pem` is served (a call with
/// `token` succeeds), or gives up after `limit` (zero: one try).
async fn served_with(addr: SocketAddr, ca_pem: &str, token: Option<&str>, limit: Duration) -> bool {
    let started = Instant::now();
    loop {
        if let Ok(channel) = tls_channel(addr, ca_pem, None).await
            && detect(channel, token).await.is_ok()
        {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn reload_swaps_the_certificate_for_new_connections_and_keeps_it_on_error() {
    let old_ca = Ca::new("old root");
    let new_ca = Ca::new("new root");
    let files = Files::new();
    files.put_server(&old_ca.server());
    let app = SecureApp::start(|s| files.tls_settings(s)).await;

    let old_channel = tls_channel(app.addr, &old_ca.pem(), None)
        .await
        .expect("old cert served");
    assert!(detect(old_channel.clone(), None).await.is_ok());

    files.put_server(&new_ca.server());
    // Nothing changes until the reload (no file watching in this test).
    assert!(served_with(app.addr, &old_ca.pem(), None, Duration::ZERO).await);
    app.reloader.reload().expect("new files load");
    assert!(
        served_with(app.addr, &new_ca.pem(), None, Duration::ZERO).await,
        "a new connection sees the new certificate"
    );
    assert!(
        !served_with(app.addr, &old_ca.pem(), None, Duration::ZERO).await,
        "the old certificate is no longer offered"
    );
    // The connection made before the reload carries on.
    assert!(detect(old_channel, None).await.is_ok());

    // A broken key: the reload fails and the certificate in force stays.
    files.put(
        "server.key",
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    );
    let err = app.reloader.reload().expect_err("a broken key is refused");
    assert!(format!("{err:#}").contains("--tls-key"), "{err:#}");
    // A key of another certificate is refused as well.
    files.put("server.key", &new_ca.server().key);
    assert!(app.reloader.reload().is_err(), "mismatched key refused");
    assert!(served_with(app.addr, &new_ca.pem(), None, Duration::ZERO).await);
    app.stop().await;
}

#[tokio::test]
async fn changed_files_are_picked_up_without_a_signal() {
    let old_ca = Ca::new("old root");
    let new_ca = Ca::new("new root");
    let files = Files::new();
    files.put_server(&old_ca.server());
    let app = SecureApp::start(|s| {
        files.tls_settings(s);
        s.reload_check_ms = 50;
    })
    .await;
    assert!(served_with(app.addr, &old_ca.pem(), None, Duration::ZERO).await);
    // Key first, then certificate: the watcher may see the pair mismatched
    // for a moment, and must still end up with the new pair.
    let leaf = new_ca.server();
    files.put("server.key", &leaf.key);
    tokio::time::sleep(Duration::from_millis(150)).await;
    files.put("server.pem", &leaf.cert);
    assert!(
        served_with(app.addr, &new_ca.pem(), None, Duration::from_secs(10)).await,
        "the watcher reloads changed files"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_changed_token_file_is_picked_up_without_a_signal() {
    let files = Files::new();
    let tokens = files.put("tokens", &format!("{TOKEN}\n"));
    let app = SecureApp::start(|s| {
        s.auth_token_file = Some(tokens.clone());
        s.reload_check_ms = 50;
    })
    .await;
    let channel = crate::helpers::channel(app.addr).await;
    assert!(detect(channel.clone(), Some(TOKEN)).await.is_ok());
    let next = "rotated-token-5e2d8c1b9f";
    files.put("tokens", &format!("{next}\n"));
    let started = Instant::now();
    while detect(channel.clone(), Some(next)).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the watcher reloads the token file"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let old = detect(channel, Some(TOKEN)).await.unwrap_err();
    assert_eq!(
        old.code(),
        Code::Unauthenticated,
        "the rotated-out token is refused"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stalled_handshake_is_dropped_after_the_timeout() {
    let ca = Ca::new("test root");
    let files = Files::new();
    files.put_server(&ca.server());
    let app = SecureApp::start(|s| {
        files.tls_settings(s);
        s.tls_handshake_timeout_ms = 300;
        s.tls_max_handshakes = 1;
    })
    .await;
    // Connect and say nothing, holding the only handshake slot.
    let mut stalled = TcpStream::connect(app.addr).await.expect("tcp connect");
    let started = Instant::now();
    // A real client waits for the slot, then is served.
    let channel = tls_channel(app.addr, &ca.pem(), None)
        .await
        .expect("served once the stalled handshake is dropped");
    assert!(detect(channel, None).await.is_ok());
    let mut buf = [0u8; 16];
    let closed = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut buf))
        .await
        .expect("the server closes the stalled connection");
    assert!(matches!(closed, Ok(0) | Err(_)), "{closed:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"textpipe_tls_handshake_failures_total{reason="timeout"} 1"#),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn unusable_tls_or_token_files_stop_start_up_with_the_flag_named() {
    let ca = Ca::new("test root");
    let files = Files::new();
    let build = |tweak: &dyn Fn(&mut Settings)| {
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            metrics_listen: MetricsListen(None),
            ..Settings::default()
        };
        tweak(&mut settings);
        async move {
            Application::build(settings)
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:#}"))
        }
    };

    let err = build(&|s| files.tls_settings(s)).await.unwrap_err();
    assert!(
        err.contains("--tls-cert") && err.contains("server.pem"),
        "{err}"
    );

    let leaf = ca.server();
    files.put("server.pem", &leaf.cert);
    files.put("server.key", &ca.server().key);
    let err = build(&|s| files.tls_settings(s)).await.unwrap_err();
    assert!(err.contains("--tls-key"), "mismatched key: {err}");

    files.put("server.key", &leaf.key);
    files.put("ca.pem", "not pem at all");
    let ca_path = files.path("ca.pem");
    let err = build(&|s| {
        files.tls_settings(s);
        s.tls_client_ca = Some(ca_path.clone());
    })
    .await
    .unwrap_err();
    assert!(err.contains("--tls-client-ca"), "{err}");

    let tokens = files.put("tokens", "short\n");
    let err = build(&|s| s.auth_token_file = Some(tokens.clone()))
        .await
        .unwrap_err();
    assert!(
        err.contains("--auth-token-file") && !err.contains("short\n"),
        "{err}"
    );
    assert!(err.contains("line 1"), "{err}");

    let empty = files.put("empty", "# nobody\n");
    let err = build(&|s| s.auth_token_file = Some(empty.clone()))
        .await
        .unwrap_err();
    assert!(err.contains("holds no token"), "{err}");

    // The good pair starts.
    build(&|s| files.tls_settings(s))
        .await
        .expect("good files start");
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

const BIN: &str = env!("CARGO_BIN_EXE_textpipe");

/// `textpipe health-check` against `addr` with extra arguments.
fn health_check(addr: SocketAddr, extra: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(BIN)
        .args([
            "health-check",
            "--addr",
            &addr.to_string(),
            "--timeout-ms",
            "5000",
        ])
        .args(extra)
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_binary_names_a_missing_tls_flag() {
    let out = std::process::Command::new(BIN)
        .args(["serve", "--tls-cert", "server.pem"])
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--tls-key"), "{stderr}");
}

#[tokio::test]
async fn the_probe_presents_a_client_certificate_under_mutual_tls() {
    let server_ca = Ca::new("server root");
    let client_ca = Ca::new("client root");
    let files = Files::new();
    files.put_server(&server_ca.server());
    let clients = files.put("clients.pem", &client_ca.pem());
    let ca_file = files.put("ca.pem", &server_ca.pem());
    let probe = client_ca.client("probe");
    let probe_cert = files.put("probe.pem", &probe.cert);
    let probe_key = files.put("probe.key", &probe.key);
    let app = SecureApp::start(|s| {
        files.tls_settings(s);
        s.tls_client_ca = Some(clients.clone());
    })
    .await;
    let addr = app.addr;
    let run = move |identity: bool| {
        let (ca, cert, key) = (ca_file.clone(), probe_cert.clone(), probe_key.clone());
        tokio::task::spawn_blocking(move || {
            let mut args = vec!["--tls-ca", arg(&ca), "--tls-server-name", "localhost"];
            if identity {
                args.extend(["--tls-cert", arg(&cert), "--tls-key", arg(&key)]);
            }
            health_check(addr, &args)
        })
    };
    let (ok, out, err) = run(true).await.expect("probe joins");
    assert!(ok, "probe with a client certificate: {out} {err}");
    assert_eq!(out.trim(), "SERVING");
    let (ok, _, _) = run(false).await.expect("probe joins");
    assert!(!ok, "without a client certificate the probe is refused");
    app.stop().await;
}

#[tokio::test]
async fn the_binary_speaks_tls_reloads_on_sighup_and_logs_no_secrets() {
    use tokio::io::AsyncBufReadExt;

    let old_ca = Ca::new("old root");
    let new_ca = Ca::new("new root");
    let files = Files::new();
    files.put_server(&old_ca.server());
    let tokens = files.put("tokens", &format!("{TOKEN}\n"));
    let old_ca_file = files.put("old-ca.pem", &old_ca.pem());
    let new_ca_file = files.put("new-ca.pem", &new_ca.pem());
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "off",
        ])
        .args([
            "--log-format",
            "json",
            "--log",
            "debug",
            "--reload-check-ms",
            "0",
        ])
        .args(["--tls-cert", arg(&files.path("server.pem"))])
        .args(["--tls-key", arg(&files.path("server.key"))])
        .args(["--auth-token-file", arg(&tokens)])
        .env_remove("TEXTPIPE_AUTH_TOKENS")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("piped");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let addr: SocketAddr = loop {
        let line = lines
            .next_line()
            .await
            .expect("stderr readable")
            .expect("server logged its address before exiting");
        let v: serde_json::Value = serde_json::from_str(&line).expect("logs are JSON");
        seen.push(line.clone());
        if let Some(addr) = v["address"].as_str() {
            assert_eq!(v["tls"], true, "{line}");
            assert_eq!(v["bearer_tokens"], true, "{line}");
            break addr.parse().expect("an address");
        }
    };
    let drain = tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push(line);
        }
        seen
    });

    let channel = tls_channel(addr, &old_ca.pem(), None)
        .await
        .expect("TLS connection");
    assert_eq!(
        detect(channel.clone(), Some(TOKEN)).await.expect("ok"),
        "de"
    );
    let wrong = detect(channel.clone(), Some(WRONG_TOKEN))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Code::Unauthenticated);

    // The probe speaks TLS when given the CA, and needs no token.
    let tls_probe = |ca: &Path| {
        health_check(
            addr,
            &["--tls-ca", arg(ca), "--tls-server-name", "localhost"],
        )
    };
    let (ok, out, err) = tls_probe(&old_ca_file);
    assert!(ok, "probe over TLS: {out} {err}");
    assert_eq!(out.trim(), "SERVING");
    let (ok, _, _) = health_check(addr, &[]);
    assert!(!ok, "a plain-text probe cannot talk to the TLS port");

    // New certificate files, then SIGHUP: new connections get them.
    files.put_server(&new_ca.server());
    let pid = child.id().expect("running").to_string();
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill runs");
    assert!(hup.success());
    assert!(
        served_with(addr, &new_ca.pem(), Some(TOKEN), Duration::from_secs(10)).await,
        "SIGHUP reloads the certificate"
    );
    let (ok, out, err) = tls_probe(&new_ca_file);
    assert!(ok, "probe after reload: {out} {err}");
    let (ok, _, _) = tls_probe(&old_ca_file);
    assert!(!ok, "the old certificate is gone");

    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let exit = child.wait().await.expect("server exits");
    assert!(exit.success(), "exit status {exit:?}");
    let logs = drain.await.expect("drain joins").join("\n");
    assert!(logs.contains("TLS files reloaded"), "{logs}");
    assert!(logs.contains("UNAUTHENTICATED"), "{logs}");
    for secret in [TOKEN, WRONG_TOKEN, "Stadtrat", "Haushalt"] {
        assert!(!logs.contains(secret), "logs must not contain {secret:?}");
    }
}
