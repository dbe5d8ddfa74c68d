//! `textpipe health-check`: a gRPC health probe for container runtimes that
//! have no grpc_health_probe (the runtime image has no shell or tools).

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use tonic::transport::Endpoint;
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
}

/// Exit 0 when the service answers SERVING; 1 when it answers anything else
/// or cannot be reached in time; 2 when the address is malformed.
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
    let endpoint = match Endpoint::from_shared(format!("http://{}", args.addr)) {
        Ok(endpoint) => endpoint,
        Err(e) => {
            eprintln!("health-check: bad --addr {:?}: {e}", args.addr);
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
            eprintln!("health-check: {e}");
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
