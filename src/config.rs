//! Server settings: every one has a command-line flag and a `TEXTPIPE_*`
//! environment variable, and is range-checked when the process starts, so a
//! bad value stops start-up with a message naming the flag.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::security::auth::Secret;
use crate::security::tls::{HandshakeLimits, TlsFiles};

/// Default listen address: all interfaces, the conventional gRPC port.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:50051";
/// Default largest request or response message, in bytes (gRPC's usual 4 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 4 * 1024 * 1024;
/// Default number of calls admitted at once across all connections; the
/// next one is refused with `RESOURCE_EXHAUSTED` instead of queueing.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: u32 = 64;
/// Default bound on the input bytes of admitted calls held at once.
pub const DEFAULT_MAX_IN_FLIGHT_BYTES: u64 = 64 * 1024 * 1024;
/// Default HTTP/2 concurrent streams allowed per connection.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 128;
/// Default of [`Settings::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1024;
/// Default deadline of a call whose caller set none, in milliseconds.
pub const DEFAULT_DEADLINE_MS: u64 = 10_000;
/// Default time in-flight calls get to finish after SIGTERM, in milliseconds.
pub const DEFAULT_SHUTDOWN_GRACE_MS: u64 = 20_000;
/// Default items of one `ProcessStream` call being worked on at once.
pub const DEFAULT_STREAM_IN_FLIGHT: u32 = 8;
/// Default address of the Prometheus metrics endpoint (`off` disables it).
pub const DEFAULT_METRICS_LISTEN: &str = "0.0.0.0:9464";
/// Default age after which a client connection is asked to reconnect (GOAWAY),
/// so long-lived HTTP/2 clients spread over new replicas.
pub const DEFAULT_MAX_CONNECTION_AGE_MS: u64 = 300_000;

/// Default idle time after which the server pings a connection (HTTP/2 PING).
pub const DEFAULT_HTTP2_KEEPALIVE_INTERVAL_MS: u64 = 60_000;
/// Default time a keepalive ping may go unanswered before the connection is closed.
pub const DEFAULT_HTTP2_KEEPALIVE_TIMEOUT_MS: u64 = 20_000;

/// Default time a TLS handshake may take before the connection is dropped.
pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS: u64 = 10_000;
/// Default TLS handshakes in progress at once.
pub const DEFAULT_TLS_MAX_HANDSHAKES: u32 = 64;
/// Default interval between checks of the TLS and token files for changes.
pub const DEFAULT_RELOAD_CHECK_MS: u64 = 10_000;
/// Environment variable holding bearer tokens, comma-separated. It has no
/// flag on purpose: a command line is visible to every user of the host.
pub const AUTH_TOKENS_ENV: &str = "TEXTPIPE_AUTH_TOKENS";

/// Where metrics are served, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsListen(pub Option<SocketAddr>);

fn parse_metrics_listen(s: &str) -> Result<MetricsListen, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(MetricsListen(None));
    }
    s.parse()
        .map(|a| MetricsListen(Some(a)))
        .map_err(|e| format!("expected host:port or `off`: {e}"))
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON otherwise.
    #[default]
    Auto,
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Settings of `textpipe serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "TEXTPIPE_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Largest request (and response) message in bytes; larger requests are refused.
    #[arg(long, env = "TEXTPIPE_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_MAX_MESSAGE_BYTES,
          value_parser = clap::value_parser!(u64).range(1024..=256 * 1024 * 1024))]
    pub max_message_bytes: u64,

    /// Calls admitted at once over all connections; past it calls get RESOURCE_EXHAUSTED.
    #[arg(long, env = "TEXTPIPE_MAX_CONCURRENT_REQUESTS", default_value_t = DEFAULT_MAX_CONCURRENT_REQUESTS,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrent_requests: u32,

    /// Input bytes of admitted calls held at once (queued and running); past it calls get
    /// RESOURCE_EXHAUSTED and stream items wait. Bounds the memory of queued documents.
    #[arg(long, env = "TEXTPIPE_MAX_IN_FLIGHT_BYTES", default_value_t = DEFAULT_MAX_IN_FLIGHT_BYTES,
          value_parser = clap::value_parser!(u64).range(1024 * 1024..=64 * 1024 * 1024 * 1024))]
    pub max_in_flight_bytes: u64,

    /// HTTP/2 concurrent streams per connection.
    #[arg(long, env = "TEXTPIPE_MAX_CONCURRENT_STREAMS", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrent_streams: u32,

    /// Connections open at once; past it new ones wait in the listen
    /// backlog until one closes.
    #[arg(long, env = "TEXTPIPE_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Threads running pipeline work; 0 means one per CPU core.
    #[arg(long, env = "TEXTPIPE_WORKERS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=1024))]
    pub workers: u32,

    /// Deadline in milliseconds for calls that set none; a caller's shorter deadline wins.
    #[arg(long, env = "TEXTPIPE_DEFAULT_DEADLINE_MS", default_value_t = DEFAULT_DEADLINE_MS,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub default_deadline_ms: u64,

    /// Milliseconds in-flight calls get to finish after SIGTERM/SIGINT before the server stops anyway.
    #[arg(long, env = "TEXTPIPE_SHUTDOWN_GRACE_MS", default_value_t = DEFAULT_SHUTDOWN_GRACE_MS,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub shutdown_grace_ms: u64,

    /// Items of one ProcessStream call worked on at once; the stream is not read further until one finishes.
    #[arg(long, env = "TEXTPIPE_STREAM_IN_FLIGHT", default_value_t = DEFAULT_STREAM_IN_FLIGHT,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub stream_in_flight: u32,

    /// Address of the Prometheus metrics endpoint (GET /metrics), or `off`.
    #[arg(long, env = "TEXTPIPE_METRICS_LISTEN", default_value = DEFAULT_METRICS_LISTEN,
          value_parser = parse_metrics_listen)]
    pub metrics_listen: MetricsListen,

    /// Milliseconds after which a connection is asked to close and reconnect (so clients rebalance); 0 never.
    #[arg(long, env = "TEXTPIPE_MAX_CONNECTION_AGE_MS", default_value_t = DEFAULT_MAX_CONNECTION_AGE_MS,
          value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub max_connection_age_ms: u64,

    /// Milliseconds between HTTP/2 PINGs the server sends on each connection; a peer that
    /// does not answer within --http2-keepalive-timeout-ms is dropped (its calls end). 0 never.
    #[arg(long, env = "TEXTPIPE_HTTP2_KEEPALIVE_INTERVAL_MS", default_value_t = DEFAULT_HTTP2_KEEPALIVE_INTERVAL_MS,
          value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub http2_keepalive_interval_ms: u64,

    /// Milliseconds a keepalive PING may go unanswered before the connection is closed.
    #[arg(long, env = "TEXTPIPE_HTTP2_KEEPALIVE_TIMEOUT_MS", default_value_t = DEFAULT_HTTP2_KEEPALIVE_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub http2_keepalive_timeout_ms: u64,

    /// TLS certificate chain (PEM, leaf first). With --tls-key the gRPC port speaks TLS only;
    /// without them it is plain text, meant for loopback or a mesh that provides TLS.
    #[arg(
        long,
        env = "TEXTPIPE_TLS_CERT",
        requires = "tls_key",
        value_name = "FILE"
    )]
    pub tls_cert: Option<PathBuf>,

    /// Private key of the TLS certificate (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(
        long,
        env = "TEXTPIPE_TLS_KEY",
        requires = "tls_cert",
        value_name = "FILE"
    )]
    pub tls_key: Option<PathBuf>,

    /// CA certificates (PEM) that client certificates must chain to: mutual TLS. A client
    /// without such a certificate is refused in the handshake.
    #[arg(
        long,
        env = "TEXTPIPE_TLS_CLIENT_CA",
        requires = "tls_cert",
        value_name = "FILE"
    )]
    pub tls_client_ca: Option<PathBuf>,

    /// Milliseconds a TLS handshake may take before the connection is dropped.
    #[arg(long, env = "TEXTPIPE_TLS_HANDSHAKE_TIMEOUT_MS", default_value_t = DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub tls_handshake_timeout_ms: u64,

    /// TLS handshakes in progress at once; further connections wait to be accepted.
    #[arg(long, env = "TEXTPIPE_TLS_MAX_HANDSHAKES", default_value_t = DEFAULT_TLS_MAX_HANDSHAKES,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub tls_max_handshakes: u32,

    /// File of bearer tokens, one per line (blank lines and `#` comments skipped). Calls to the
    /// text service and reflection then need `authorization: Bearer <token>`; health stays open.
    /// Tokens can also come from TEXTPIPE_AUTH_TOKENS (comma-separated); both sets are accepted.
    #[arg(long, env = "TEXTPIPE_AUTH_TOKEN_FILE", value_name = "FILE")]
    pub auth_token_file: Option<PathBuf>,

    /// Tokens from TEXTPIPE_AUTH_TOKENS (no flag: command lines are visible to all).
    #[arg(skip = Secret::from_env(AUTH_TOKENS_ENV))]
    pub auth_tokens: Secret,

    /// Milliseconds between checks of the TLS and token files for changes (they are also
    /// re-read on SIGHUP); 0 checks only on SIGHUP.
    #[arg(long, env = "TEXTPIPE_RELOAD_CHECK_MS", default_value_t = DEFAULT_RELOAD_CHECK_MS,
          value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub reload_check_ms: u64,

    /// Log format.
    #[arg(long, env = "TEXTPIPE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,

    /// Log filter in tracing's EnvFilter syntax (e.g. `info`, `textpipe=debug`).
    #[arg(long, env = "TEXTPIPE_LOG", default_value = "info", value_parser = parse_log_filter)]
    pub log: String,

    /// OTLP/HTTP base URL to export spans to (`/v1/traces` is appended), e.g.
    /// `http://localhost:4318`; unset, nothing is exported (feature `otel` only).
    #[cfg(feature = "otel")]
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL",
          value_parser = parse_otel_endpoint)]
    pub otel_endpoint: Option<OtelEndpoint>,
}

/// Base URL of an OTLP/HTTP collector (plain `http://`: the exporter is built
/// without a TLS stack; send to a local collector or sidecar).
#[cfg(feature = "otel")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtelEndpoint(pub String);

#[cfg(feature = "otel")]
fn parse_otel_endpoint(s: &str) -> Result<OtelEndpoint, String> {
    let rest = s.strip_prefix("http://").ok_or_else(|| {
        if s.starts_with("https://") {
            "https is not supported (no TLS client is built in): use a collector reachable over \
             http://, e.g. a local agent or sidecar"
                .to_owned()
        } else {
            "expected an http:// URL such as http://localhost:4318".to_owned()
        }
    })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("the URL names no host".to_owned());
    }
    if s.contains(char::is_whitespace) {
        return Err("the URL contains whitespace".to_owned());
    }
    Ok(OtelEndpoint(s.to_owned()))
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            // The constant is a valid address literal; see the `defaults_parse` test.
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| ([0, 0, 0, 0], 50051).into()),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_in_flight_bytes: DEFAULT_MAX_IN_FLIGHT_BYTES,
            max_concurrent_streams: DEFAULT_MAX_CONCURRENT_STREAMS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            workers: 0,
            default_deadline_ms: DEFAULT_DEADLINE_MS,
            shutdown_grace_ms: DEFAULT_SHUTDOWN_GRACE_MS,
            stream_in_flight: DEFAULT_STREAM_IN_FLIGHT,
            metrics_listen: MetricsListen(DEFAULT_METRICS_LISTEN.parse().ok()),
            max_connection_age_ms: DEFAULT_MAX_CONNECTION_AGE_MS,
            http2_keepalive_interval_ms: DEFAULT_HTTP2_KEEPALIVE_INTERVAL_MS,
            http2_keepalive_timeout_ms: DEFAULT_HTTP2_KEEPALIVE_TIMEOUT_MS,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            tls_handshake_timeout_ms: DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
            tls_max_handshakes: DEFAULT_TLS_MAX_HANDSHAKES,
            auth_token_file: None,
            auth_tokens: Secret(None),
            reload_check_ms: DEFAULT_RELOAD_CHECK_MS,
            log_format: LogFormat::Auto,
            log: "info".to_owned(),
            #[cfg(feature = "otel")]
            otel_endpoint: None,
        }
    }
}

impl Settings {
    /// Largest message as a `usize`, as tonic wants it.
    pub fn max_message_size(&self) -> usize {
        usize::try_from(self.max_message_bytes).unwrap_or(usize::MAX)
    }

    /// Deadline of calls whose caller set none.
    pub fn default_deadline(&self) -> Duration {
        Duration::from_millis(self.default_deadline_ms)
    }

    /// Time in-flight calls get after a stop signal.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }

    /// Age after which connections are asked to reconnect, if any.
    pub fn max_connection_age(&self) -> Option<Duration> {
        (self.max_connection_age_ms > 0).then(|| Duration::from_millis(self.max_connection_age_ms))
    }

    /// Interval of the server's keepalive pings, if any.
    pub fn http2_keepalive_interval(&self) -> Option<Duration> {
        (self.http2_keepalive_interval_ms > 0)
            .then(|| Duration::from_millis(self.http2_keepalive_interval_ms))
    }

    /// Time a keepalive ping may go unanswered.
    pub fn http2_keepalive_timeout(&self) -> Duration {
        Duration::from_millis(self.http2_keepalive_timeout_ms)
    }

    /// The TLS files, when TLS is on (clap makes cert and key come together).
    pub fn tls_files(&self) -> Option<TlsFiles> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: self.tls_client_ca.clone(),
            }),
            _ => None,
        }
    }

    /// Bounds on TLS handshakes.
    pub fn handshake_limits(&self) -> HandshakeLimits {
        HandshakeLimits {
            timeout: Duration::from_millis(self.tls_handshake_timeout_ms),
            max_concurrent: self.tls_max_handshakes as usize,
        }
    }

    /// How often the TLS and token files are checked for changes, if at all.
    pub fn reload_check(&self) -> Option<Duration> {
        (self.reload_check_ms > 0).then(|| Duration::from_millis(self.reload_check_ms))
    }

    /// Number of pipeline worker threads, resolving 0 to the core count.
    pub fn worker_threads(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n as usize,
        }
    }
}

fn parse_log_filter(s: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::builder()
        .parse(s)
        .map(|_| s.to_owned())
        .map_err(|e| format!("not a valid log filter: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn defaults_parse_and_match_default_impl() {
        let parsed = Cli::try_parse_from(["textpipe"]).unwrap().settings;
        let default = Settings::default();
        assert_eq!(parsed.listen, default.listen);
        assert_eq!(parsed.max_message_bytes, default.max_message_bytes);
        assert_eq!(
            parsed.max_concurrent_requests,
            default.max_concurrent_requests
        );
        assert_eq!(parsed.default_deadline_ms, default.default_deadline_ms);
        assert_eq!(parsed.shutdown_grace_ms, default.shutdown_grace_ms);
        assert_eq!(parsed.stream_in_flight, default.stream_in_flight);
        assert_eq!(parsed.listen.port(), 50051);
        assert_eq!(parsed.metrics_listen, default.metrics_listen);
        assert!(default.metrics_listen.0.is_some());
        assert_eq!(parsed.max_connection_age_ms, default.max_connection_age_ms);
        assert_eq!(
            parsed.http2_keepalive_interval_ms,
            default.http2_keepalive_interval_ms
        );
        assert_eq!(
            parsed.http2_keepalive_timeout_ms,
            default.http2_keepalive_timeout_ms
        );
    }

    #[test]
    fn out_of_range_value_names_the_flag() {
        let err = Cli::try_parse_from(["textpipe", "--max-concurrent-requests", "0"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--max-concurrent-requests"), "{err}");
        let err = Cli::try_parse_from(["textpipe", "--listen", "nowhere"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--listen"), "{err}");
        let err = Cli::try_parse_from(["textpipe", "--log", "[[["])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--log"), "{err}");
        let err = Cli::try_parse_from(["textpipe", "--metrics-listen", "nowhere"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--metrics-listen"), "{err}");
    }

    #[test]
    fn tls_cert_and_key_come_together() {
        let err = Cli::try_parse_from(["textpipe", "--tls-cert", "c.pem"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--tls-key"), "{err}");
        let err = Cli::try_parse_from(["textpipe", "--tls-key", "k.pem"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--tls-cert"), "{err}");
        let err = Cli::try_parse_from(["textpipe", "--tls-client-ca", "ca.pem"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--tls-cert"), "{err}");
        let parsed = Cli::try_parse_from([
            "textpipe",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--tls-client-ca",
            "ca.pem",
        ])
        .unwrap()
        .settings;
        let files = parsed.tls_files().unwrap();
        assert_eq!(files.cert, PathBuf::from("c.pem"));
        assert_eq!(files.client_ca, Some(PathBuf::from("ca.pem")));
        assert!(
            Settings::default().tls_files().is_none(),
            "plain text by default"
        );
    }

    #[cfg(feature = "otel")]
    #[test]
    fn otel_endpoint_is_off_by_default_and_must_be_plain_http() {
        assert_eq!(Settings::default().otel_endpoint, None);
        let parsed = Cli::try_parse_from(["textpipe"]).unwrap().settings;
        if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_none() {
            assert_eq!(parsed.otel_endpoint, None, "no export unless configured");
        }
        let parsed = Cli::try_parse_from(["textpipe", "--otel-endpoint", "http://otel:4318"])
            .unwrap()
            .settings;
        assert_eq!(
            parsed.otel_endpoint,
            Some(OtelEndpoint("http://otel:4318".to_owned()))
        );
        for bad in ["https://otel:4318", "otel:4318", "http://", "http://a b"] {
            let err = Cli::try_parse_from(["textpipe", "--otel-endpoint", bad])
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("--otel-endpoint"), "{bad}: {err}");
        }
    }

    #[test]
    fn metrics_can_be_turned_off() {
        let parsed = Cli::try_parse_from(["textpipe", "--metrics-listen", "off"])
            .unwrap()
            .settings;
        assert_eq!(parsed.metrics_listen, MetricsListen(None));
    }
}
