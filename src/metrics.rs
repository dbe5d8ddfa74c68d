//! Prometheus metrics: what the service counts, and a small HTTP/1 endpoint
//! that serves them on a port of its own, so scrapes never queue behind gRPC
//! work and the gRPC port carries gRPC only.
//!
//! Bounds: at most [`MAX_SCRAPE_CONNECTIONS`] scrape connections at once (more
//! wait in the listen backlog), headers must arrive within 5 s, and a
//! connection lives at most 30 s.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Scrape connections served at once.
pub const MAX_SCRAPE_CONNECTIONS: usize = 16;
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: &'static str,
    code: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabel {
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabel {
    stage: &'static str,
}

type HistogramMaker = fn() -> Histogram;

/// Everything the service counts. Cheap to update from any thread.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    latency: Family<MethodLabel, Histogram, HistogramMaker>,
    in_flight: Gauge,
    shed: Family<MethodLabel, Counter>,
    input_bytes: Family<MethodLabel, Counter>,
    stages: Family<StageLabel, Histogram, HistogramMaker>,
    unauthenticated: Family<ReasonLabel, Counter>,
    tls_handshake_failures: Family<ReasonLabel, Counter>,
}

/// 50 µs to ~26 s in doublings: short detections and long pages alike.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(50e-6, 2.0, 20))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric registered (and zero counts).
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "textpipe_calls",
            "Finished calls by method and gRPC status code",
            calls.clone(),
        );
        let latency = Family::new_with_constructor(seconds_histogram as HistogramMaker);
        registry.register(
            "textpipe_call_duration_seconds",
            "Call latency from arrival to answer, by method",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "textpipe_calls_in_flight",
            "Calls being worked on now",
            in_flight.clone(),
        );
        let shed = Family::<MethodLabel, Counter>::default();
        registry.register(
            "textpipe_calls_shed",
            "Calls refused with RESOURCE_EXHAUSTED because the server was at its limit of calls or of document bytes in progress",
            shed.clone(),
        );
        let input_bytes = Family::<MethodLabel, Counter>::default();
        registry.register(
            "textpipe_input_bytes",
            "Document bytes received, by method",
            input_bytes.clone(),
        );
        let stages = Family::new_with_constructor(seconds_histogram as HistogramMaker);
        registry.register(
            "textpipe_stage_duration_seconds",
            "Time spent in each pipeline stage (strip, detect, summarize)",
            stages.clone(),
        );
        let unauthenticated = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "textpipe_calls_unauthenticated",
            "Calls refused with UNAUTHENTICATED, by reason (missing, malformed, invalid)",
            unauthenticated.clone(),
        );
        let tls_handshake_failures = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "textpipe_tls_handshake_failures",
            "TLS handshakes that failed (error) or did not finish in time (timeout)",
            tls_handshake_failures.clone(),
        );
        registry.register(
            "textpipe_build",
            "Version of the running binary",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        Self {
            registry,
            calls,
            latency,
            in_flight,
            shed,
            input_bytes,
            stages,
            unauthenticated,
            tls_handshake_failures,
        }
    }

    /// Counts a call as in flight until the guard is dropped.
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// Records a finished call: its status code name and latency.
    pub fn finished(&self, method: &'static str, code: &'static str, latency: Duration) {
        self.calls.get_or_create(&CallLabels { method, code }).inc();
        self.latency
            .get_or_create(&MethodLabel { method })
            .observe(latency.as_secs_f64());
    }

    /// Records a call refused for lack of capacity.
    pub fn shed(&self, method: &'static str) {
        self.shed.get_or_create(&MethodLabel { method }).inc();
    }

    /// Records a call refused for want of a valid bearer token.
    pub fn unauthenticated(&self, reason: &'static str) {
        self.unauthenticated
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// Records a TLS handshake that failed or timed out.
    pub fn tls_handshake_failed(&self, reason: &'static str) {
        self.tls_handshake_failures
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// Adds the document bytes a call brought.
    pub fn input_bytes(&self, method: &'static str, bytes: usize) {
        self.input_bytes
            .get_or_create(&MethodLabel { method })
            .inc_by(u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// Records time spent in one pipeline stage.
    pub fn stage(&self, stage: &'static str, took: Duration) {
        self.stages
            .get_or_create(&StageLabel { stage })
            .observe(took.as_secs_f64());
    }

    /// The OpenMetrics text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; an error would only truncate.
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error.message = %e, "metrics encoding failed");
        }
        out
    }
}

/// Keeps a call counted in `textpipe_calls_in_flight` while alive.
#[derive(Debug)]
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    let slots = Arc::new(Semaphore::new(MAX_SCRAPE_CONNECTIONS));
    loop {
        let (stream, peer, slot) = crate::linger::accept(&listener, &slots).await;
        let metrics = Arc::clone(&metrics);
        tokio::spawn(async move {
            let _slot = slot;
            let service = service_fn(move |request| {
                let answer = respond(&metrics, &request);
                async move { Ok::<_, Infallible>(answer) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            if let Ok(Err(e)) = tokio::time::timeout(CONNECTION_LIFETIME, connection).await {
                tracing::debug!(%peer, error.message = %e, "scrape connection failed");
            }
        });
    }
}

fn respond(metrics: &Metrics, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") => (StatusCode::OK, CONTENT_TYPE, metrics.render()),
        (_, "/metrics") => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "use GET\n".to_owned(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "metrics are at /metrics\n".to_owned(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_up_in_the_exposition() {
        let m = Metrics::new();
        m.finished("DetectLanguage", "OK", Duration::from_millis(2));
        m.finished("DetectLanguage", "OK", Duration::from_millis(3));
        m.shed("Process");
        m.input_bytes("Process", 1234);
        m.stage("strip", Duration::from_micros(700));
        let text = m.render();
        assert!(
            text.contains(r#"textpipe_calls_total{method="DetectLanguage",code="OK"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"textpipe_calls_shed_total{method="Process"} 1"#));
        assert!(text.contains(r#"textpipe_input_bytes_total{method="Process"} 1234"#));
        assert!(text.contains(r#"textpipe_stage_duration_seconds_count{stage="strip"} 1"#));
        assert!(text.contains("textpipe_build_info{version="));
    }

    #[test]
    fn in_flight_guard_counts_down_on_drop() {
        let m = Metrics::new();
        let a = m.in_flight();
        let b = m.in_flight();
        assert!(m.render().contains("textpipe_calls_in_flight 2"));
        drop(a);
        drop(b);
        assert!(m.render().contains("textpipe_calls_in_flight 0"));
    }
}
