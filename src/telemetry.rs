//! Logging set-up: structured `tracing` events, human-readable on a
//! terminal and JSON elsewhere (or as asked). Call [`init`] once.
//!
//! Built with the `otel` cargo feature, [`Telemetry::init`] can also export
//! spans over OTLP (HTTP/protobuf) when an endpoint is configured; see
//! the `otel` module. Without the feature, or without an endpoint, nothing is exported.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::{LogFormat, Settings};

/// The subscriber below the per-output layers: the registry behind the filter,
/// so the filter applies to logs and exported spans alike.
type Filtered = tracing_subscriber::layer::Layered<EnvFilter, Registry>;
type BoxedLayer = Box<dyn Layer<Filtered> + Send + Sync>;

/// Installs the global subscriber writing to stderr. `filter` is an
/// EnvFilter directive (already validated by the settings parser). A second
/// call is a no-op, so tests may call it freely.
pub fn init(format: LogFormat, filter: &str) {
    install(format, filter, Vec::new());
}

fn install(format: LogFormat, filter: &str, mut layers: Vec<BoxedLayer>) {
    let filter = EnvFilter::builder()
        .parse(filter)
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let fmt = tracing_subscriber::fmt::layer()
        // Colour codes only where a person reads them, never in files.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    layers.insert(
        0,
        if json {
            fmt.json()
                .flatten_event(true)
                .with_current_span(true)
                .boxed()
        } else {
            fmt.boxed()
        },
    );
    // try_init fails only when a subscriber is already set; keeping the first is right.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layers)
        .try_init();
}

/// Makes a panic one structured log line with where it happened, instead of
/// the default hook's free text on stderr. The panic's message is left out:
/// it may quote the document being worked on (a string slice's panic does),
/// and document text never goes to the logs.
pub fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        let thread = std::thread::current();
        tracing::error!(
            panic.location = location.as_deref().unwrap_or("unknown"),
            thread.name = thread.name().unwrap_or("unnamed"),
            "panic (its message is not logged: it may quote a document)"
        );
    }));
}

/// The installed telemetry of a serving process. Hold it while serving and
/// call [`Telemetry::shutdown`] after the runtime has stopped, so spans still
/// queued for export are sent.
#[derive(Debug)]
#[must_use = "call shutdown() at exit so queued spans are exported"]
pub struct Telemetry {
    #[cfg(feature = "otel")]
    export: Option<otel::Export>,
}

impl Telemetry {
    /// Installs the global subscriber for `textpipe serve`: logs as [`init`]
    /// does and, in a build with the `otel` feature and an OTLP endpoint set
    /// (`--otel-endpoint` / `OTEL_EXPORTER_OTLP_ENDPOINT`), span export.
    ///
    /// # Errors
    /// When the OTLP exporter cannot be built.
    pub fn init(settings: &Settings) -> anyhow::Result<Self> {
        #[cfg(feature = "otel")]
        {
            let export = settings
                .otel_endpoint
                .as_ref()
                .map(otel::Export::start)
                .transpose()?;
            let layers = export.iter().map(otel::Export::layer).collect();
            install(settings.log_format, &settings.log, layers);
            if let Some(export) = &export {
                tracing::info!(otel.endpoint = %export.traces_url(), "exporting spans over OTLP");
            }
            Ok(Self { export })
        }
        #[cfg(not(feature = "otel"))]
        {
            init(settings.log_format, &settings.log);
            Ok(Self {})
        }
    }

    /// Flushes and stops span export, if any: sends what is queued, waiting
    /// at most 5 s (the SDK's shutdown timeout). Call outside the async runtime.
    pub fn shutdown(self) {
        #[cfg(feature = "otel")]
        if let Some(export) = self.export
            && let Err(e) = export.shutdown()
        {
            eprintln!("textpipe: flushing spans at exit failed: {e:#}");
        }
    }
}

/// OpenTelemetry span export (cargo feature `otel`).
///
/// Spans are the existing `tracing` spans (the `rpc` span of each call with
/// its `method`, `input_bytes` or `items` fields, and the events logged in
/// it), so exported traces carry exactly what the logs carry: never document
/// text. They go through a batch span processor with a bounded queue (the
/// SDK's defaults, 2048 spans, overridable with the standard `OTEL_BSP_*`
/// variables); when the queue is full new spans are dropped, calls never wait.
#[cfg(feature = "otel")]
pub mod otel {
    use anyhow::Context;
    use opentelemetry::KeyValue;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};
    use tracing_subscriber::Layer;

    use super::BoxedLayer;
    use crate::config::OtelEndpoint;

    /// The OTLP path of traces under an endpoint's base URL.
    pub const TRACES_PATH: &str = "/v1/traces";

    /// A running span exporter.
    #[derive(Debug)]
    pub struct Export {
        provider: SdkTracerProvider,
        traces_url: String,
    }

    impl Export {
        /// Builds the OTLP/HTTP exporter for `endpoint` (its base URL;
        /// `/v1/traces` is appended as `OTEL_EXPORTER_OTLP_ENDPOINT` asks)
        /// and the tracer provider with `service.name=textpipe` and
        /// `service.version` resource attributes. Nothing is sent until spans
        /// are recorded through [`Export::layer`].
        ///
        /// # Errors
        /// When the exporter cannot be built.
        pub fn start(endpoint: &OtelEndpoint) -> anyhow::Result<Self> {
            let traces_url = format!("{}{TRACES_PATH}", endpoint.0.trim_end_matches('/'));
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(&traces_url)
                .build()
                .context("cannot build the OTLP span exporter (--otel-endpoint)")?;
            let processor = BatchSpanProcessor::builder(exporter)
                // Defaults (queue 2048, batches of 512 every 5 s) or OTEL_BSP_*.
                .with_batch_config(BatchConfigBuilder::default().build())
                .build();
            let resource = Resource::builder()
                .with_service_name(env!("CARGO_PKG_NAME"))
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build();
            let provider = SdkTracerProvider::builder()
                .with_span_processor(processor)
                .with_resource(resource)
                .build();
            Ok(Self {
                provider,
                traces_url,
            })
        }

        /// Where spans are sent.
        pub fn traces_url(&self) -> &str {
            &self.traces_url
        }

        pub(super) fn layer(&self) -> BoxedLayer {
            tracing_opentelemetry::layer()
                .with_tracer(self.provider.tracer(env!("CARGO_PKG_NAME")))
                .boxed()
        }

        /// Exports what is queued and stops the exporter (at most 5 s).
        ///
        /// # Errors
        /// When the final export fails or times out.
        pub fn shutdown(self) -> anyhow::Result<()> {
            self.provider
                .shutdown()
                .context("OTLP span export did not shut down cleanly")
        }
    }
}
