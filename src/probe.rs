//! `textpipe health-check`: a gRPC health probe for container runtimes that
//! have no grpc_health_probe (the runtime image has no shell or tools).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

/// Arguments of `health-check`.
#[derive(Debug, Args)]
pub struct HealthCheckArgs {
    /// Server address (host:port) to ask.
    #[arg(long, env = "TEXTPIPE_HEALTH_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// Service to ask about; empty means the server as a whole.
    #[arg(long, default_value = "")]
    pub service: String,
    /// Give up after this many milliseconds (connect and answer together).
    #[arg(long, default_value_t = 3_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout_ms: u64,
    /// Speak TLS, trusting this CA certificate file (PEM) for the server's certificate.
    #[arg(long, env = "TEXTPIPE_HEALTH_TLS_CA", value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// Name the server's certificate must carry; defaults to the host of --addr.
    #[arg(long, env = "TEXTPIPE_HEALTH_TLS_SERVER_NAME", requires = "tls_ca")]
    pub tls_server_name: Option<String>,
    /// Client certificate (PEM) for a server that requires one (mutual TLS).
    #[arg(long, env = "TEXTPIPE_HEALTH_TLS_CERT", value_name = "FILE",
          requires_all = ["tls_ca", "tls_key"])]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(
        long,
        env = "TEXTPIPE_HEALTH_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
}

impl HealthCheckArgs {
    /// The endpoint to ask: plain text, or TLS when `--tls-ca` is given.
    fn endpoint(&self) -> anyhow::Result<Endpoint> {
        let scheme = if self.tls_ca.is_some() {
            "https"
        } else {
            "http"
        };
        let endpoint = Endpoint::from_shared(format!("{scheme}://{}", self.addr))
            .with_context(|| format!("bad --addr {:?}", self.addr))?;
        // Without a port the URI would mean port 80 (443): never our server.
        if endpoint.uri().port_u16().is_none() {
            anyhow::bail!("bad --addr {:?}: give host:port", self.addr);
        }
        let Some(ca) = &self.tls_ca else {
            return Ok(endpoint);
        };
        let read = |path: &PathBuf, flag: &str| {
            std::fs::read(path).with_context(|| format!("cannot read {flag} {}", path.display()))
        };
        let mut tls =
            ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read(ca, "--tls-ca")?));
        if let Some(name) = &self.tls_server_name {
            tls = tls.domain_name(name.clone());
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            tls = tls.identity(Identity::from_pem(
                read(cert, "--tls-cert")?,
                read(key, "--tls-key")?,
            ));
        }
        endpoint.tls_config(tls).context("TLS settings")
    }
}

/// Exit 0 when the service answers SERVING; 1 when it answers anything else
/// or cannot be reached in time; 2 when the address is malformed or a TLS
/// file cannot be read.
pub fn run(args: &HealthCheckArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("health-check: cannot start a runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let endpoint = match args.endpoint() {
        Ok(endpoint) => endpoint,
        Err(e) => {
            eprintln!("health-check: {e:#}");
            return ExitCode::from(2);
        }
    };
    let limit = Duration::from_millis(args.timeout_ms);
    let answer = runtime
        .block_on(async { tokio::time::timeout(limit, ask(endpoint, args.service.clone())).await });
    match answer {
        Ok(Ok(status)) => {
            println!("{}", status.as_str_name());
            if status == Serving::Serving {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Ok(Err(e)) => {
            eprintln!("health-check: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => {
            eprintln!("health-check: no answer within {} ms", args.timeout_ms);
            ExitCode::from(1)
        }
    }
}

type Serving = tonic_health::pb::health_check_response::ServingStatus;

async fn ask(endpoint: Endpoint, service: String) -> anyhow::Result<Serving> {
    let channel = endpoint.connect().await?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest { service })
        .await?;
    Ok(response.into_inner().status())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(addr: &str) -> HealthCheckArgs {
        HealthCheckArgs {
            addr: addr.into(),
            service: String::new(),
            timeout_ms: 100,
            tls_ca: None,
            tls_server_name: None,
            tls_cert: None,
            tls_key: None,
        }
    }

    #[test]
    fn an_address_needs_its_port() {
        assert!(args("127.0.0.1:50051").endpoint().is_ok());
        assert!(args("[::1]:50051").endpoint().is_ok());
        let err = args("127.0.0.1").endpoint().expect_err("no port");
        assert!(format!("{err:#}").contains("host:port"), "{err:#}");
        assert!(args("not an address").endpoint().is_err());
    }
}
