//! Logging set-up: structured `tracing` events, human-readable on a
//! terminal and JSON elsewhere (or as asked). Call [`init`] once.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber writing to stderr. `filter` is an
/// EnvFilter directive (already validated by the settings parser). A second
/// call is a no-op, so tests may call it freely.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::builder()
        .parse(filter)
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only where a person reads them, never in files.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // try_init fails only when a subscriber is already set; keeping the first is right.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
