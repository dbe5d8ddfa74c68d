//! The `textpipe` binary: parse the command line, then serve or run a
//! one-shot command. Everything else lives in the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use textpipe::cli::{Cli, Command};
use textpipe::config::Settings;
use textpipe::startup::Application;
use textpipe::telemetry::Telemetry;
use textpipe::{security, shutdown};

fn main() -> ExitCode {
    let command = match Cli::parse().command {
        Some(command) => command,
        None => Command::default_serve().unwrap_or_else(|e| e.exit()),
    };
    match command {
        Command::Serve(settings) => match serve(settings) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error.message = %e, error.cause_chain = ?e, "textpipe failed");
                eprintln!("textpipe: {e:#}");
                ExitCode::FAILURE
            }
        },
        other => textpipe::cli::run(other),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let telemetry = Telemetry::init(&settings)?;
    textpipe::telemetry::log_panics();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Pipeline work runs on the blocking pool; its size is the CPU bound.
        .max_blocking_threads(settings.worker_threads())
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(async {
        let app = Application::build(settings).await?;
        // SIGHUP re-reads the TLS and token files; the task ends with the runtime.
        tokio::spawn(security::reload_on_sighup(app.reloader()));
        app.run_until_stopped(shutdown::signal()).await
    });
    drop(runtime);
    // After the last call has finished: export the spans still queued (if exporting).
    telemetry.shutdown();
    result
}
