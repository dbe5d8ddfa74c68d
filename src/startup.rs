//! Building and running the server: bind first (port 0 works, and the real
//! address is known before anything is spawned), then serve until a stop
//! signal, then drain.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::HealthReporter;

use crate::config::Settings;
use crate::grpc::codec::SizeLimited;
use crate::grpc::proto::text_pipe_service_server::{SERVICE_NAME, TextPipeServiceServer};
use crate::grpc::{DrainingHealth, Limits, TextPipe, proto, stamp_arrival};
use crate::linger::{self, Drain, LINGER, Lingering};
use crate::metrics::{self, Metrics};
use crate::pipeline::Pipeline;
use crate::security::{self, Reloader, Security};

/// Remotely reset streams a connection may leave unaccepted before it gets
/// GOAWAY (ENHANCE_YOUR_CALM): the bound on "rapid reset" floods
/// (CVE-2023-44487). h2's default, set here so it is ours to document.
pub const MAX_PENDING_ACCEPT_RESET_STREAMS: usize = 20;
/// Streams the server may reset for a client's protocol errors (e.g. one
/// past the concurrent-stream limit, refused) before the connection gets
/// GOAWAY (ENHANCE_YOUR_CALM). hyper's default, likewise made explicit.
pub const MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;
/// HTTP/2 flow-control window of each request stream: what a client may
/// send ahead of what the server has read. A `ProcessStream` item waiting
/// for the input budget is not read, so its stream holds up to this much
/// of the connection's window. 128 KiB (hyper's default is 1 MiB) lets 15
/// such streams wait in [`CONNECTION_WINDOW`] while the other calls on
/// their connection still flow, and still takes a mean page (77 KB) in one
/// window; a 3.5 MB message needs more round trips than with 1 MiB.
pub const STREAM_WINDOW: u32 = 128 * 1024;
/// HTTP/2 flow-control window of a connection: request bytes received and
/// not yet read are at most this much per connection.
pub const CONNECTION_WINDOW: u32 = 2 * 1024 * 1024;
/// After the shutdown grace, how long the calls still running get to send
/// their UNAVAILABLE answers before the server closes anyway.
pub const CLOSE_AFTER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A bound, not yet serving, textpipe server.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    metrics_listener: Option<(TcpListener, SocketAddr)>,
    settings: Settings,
    pipeline: Arc<Pipeline>,
    health: HealthReporter,
    security: Security,
}

impl Application {
    /// Loads the TLS and token files, builds the pipeline and binds the listener.
    ///
    /// # Errors
    /// When a TLS or token file is unusable, or the address cannot be bound.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let security = Security::load(&settings)?;
        let listener = TcpListener::bind(settings.listen).await.with_context(|| {
            format!(
                "cannot listen on {} (--listen / TEXTPIPE_LISTEN)",
                settings.listen
            )
        })?;
        let local_addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let metrics_listener = match settings.metrics_listen.0 {
            None => None,
            Some(addr) => {
                let listener = TcpListener::bind(addr).await.with_context(|| {
                    format!("cannot listen on {addr} (--metrics-listen / TEXTPIPE_METRICS_LISTEN)")
                })?;
                let bound = listener
                    .local_addr()
                    .context("cannot read the metrics address")?;
                Some((listener, bound))
            }
        };
        Ok(Self {
            listener,
            local_addr,
            metrics_listener,
            pipeline: Arc::new(Pipeline::new()),
            health: HealthReporter::new(),
            settings,
            security,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The address metrics are served on, unless they are off.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|(_, addr)| *addr)
    }

    /// A handle on the health statuses this server reports.
    pub fn health_reporter(&self) -> HealthReporter {
        self.health.clone()
    }

    /// The handle that re-reads the TLS and token files (what SIGHUP does).
    pub fn reloader(&self) -> Reloader {
        self.security.reloader()
    }

    /// Serves until `shutdown` resolves, then: health turns NOT_SERVING, no
    /// new calls are taken, in-flight calls get the grace period to finish.
    ///
    /// # Errors
    /// When the server fails (not when it is stopped).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let Self {
            listener,
            local_addr,
            metrics_listener,
            settings,
            pipeline,
            health,
            security,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        // Turns true when the grace period ends: calls still running then
        // answer UNAVAILABLE instead of being cut off without a status.
        let (close_tx, close_rx) = watch::channel(false);

        let limits = Limits {
            max_concurrent_requests: settings.max_concurrent_requests as usize,
            default_deadline: settings.default_deadline(),
            stream_in_flight: settings.stream_in_flight as usize,
            max_in_flight_bytes: settings.max_in_flight_bytes as usize,
            max_message_bytes: settings.max_message_size(),
        };
        let metrics = Arc::new(Metrics::new());
        // Aborted when this function returns; scrapes need no draining.
        let _metrics_task = metrics_listener.map(|(listener, addr)| {
            tracing::info!(metrics_address = %addr, "metrics served at /metrics");
            AbortOnDrop(tokio::spawn(metrics::serve(listener, Arc::clone(&metrics))))
        });
        let text_pipe = TextPipe::new(
            pipeline,
            limits,
            stop_rx.clone(),
            close_rx,
            Arc::clone(&metrics),
        );
        let byte_budget = text_pipe.byte_budget();
        let service = TextPipeServiceServer::new(text_pipe)
            .max_decoding_message_size(settings.max_message_size())
            .max_encoding_message_size(settings.max_message_size());
        let tokens = security.tokens.clone();
        let gate_metrics = Arc::clone(&metrics);
        let service = InterceptedService::new(
            SizeLimited::new(service, settings.max_message_size())
                .deadline(settings.default_deadline())
                .charging(byte_budget, Arc::clone(&metrics)),
            move |request| {
                security::authorize(tokens.as_deref(), &gate_metrics, stamp_arrival(request)?)
            },
        );
        // Reflection needs the token too when tokens are on: it is part of
        // the API surface, and grpcurl sends -H headers to it as well.
        let tokens = security.tokens.clone();
        let gate_metrics = Arc::clone(&metrics);
        let reflection_gate =
            move |request| security::authorize(tokens.as_deref(), &gate_metrics, request);

        let reflection_v1 = InterceptedService::new(
            reflection().build_v1().context("building reflection v1")?,
            reflection_gate.clone(),
        );
        let reflection_v1alpha = InterceptedService::new(
            reflection()
                .build_v1alpha()
                .context("building reflection v1alpha")?,
            reflection_gate,
        );
        // Aborted when this function returns.
        let _watch_task = settings
            .reload_check()
            .map(|every| AbortOnDrop(tokio::spawn(security.reloader().watch(every))));

        health.set_service_status("", ServingStatus::Serving).await;
        health
            .set_service_status(SERVICE_NAME, ServingStatus::Serving)
            .await;

        let mut server_stop = stop_rx.clone();
        let mut builder = Server::builder();
        if let Some(age) = settings.max_connection_age() {
            // Clients get GOAWAY and reconnect, landing on new replicas too;
            // calls in flight get the drain grace to finish.
            builder = builder
                .max_connection_age(age)
                .max_connection_age_grace(settings.shutdown_grace());
        }
        // A call's own deadline is answered by the service; this outer one
        // (a second later) also bounds the time before the handler runs,
        // so a request whose body stalls after its length prefix cannot
        // hold its share of the input budget (charged at the prefix) for
        // good. `SizeLimited` answers such a call DEADLINE_EXCEEDED just
        // before this timer would answer CANCELLED.
        let router = builder
            .timeout(settings.default_deadline() + crate::grpc::TONIC_SLACK)
            .max_concurrent_streams(settings.max_concurrent_streams)
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .http2_max_pending_accept_reset_streams(Some(MAX_PENDING_ACCEPT_RESET_STREAMS))
            .http2_max_local_error_reset_streams(Some(MAX_LOCAL_ERROR_RESET_STREAMS))
            // Drops peers that vanished without closing (no FIN: a crashed
            // host, a dropped NAT entry), with whatever their calls held.
            .http2_keepalive_interval(settings.http2_keepalive_interval())
            .http2_keepalive_timeout(Some(settings.http2_keepalive_timeout()))
            .tcp_nodelay(true)
            .add_service(HealthServer::new(DrainingHealth::new(
                health.clone(),
                stop_rx.clone(),
            )))
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(service);
        let stopped = async move {
            let _ = server_stop.wait_for(|s| *s).await;
        };
        // Closed connections linger until their last answers are out;
        // the process waits for them before it exits.
        let drain = Drain::new();
        // `--max-connections`: a connection holds a slot until its socket closes.
        let connection_slots = Arc::new(tokio::sync::Semaphore::new(
            settings.max_connections as usize,
        ));
        let mut _accept_task = None;
        let server: Pin<Box<dyn Future<Output = Result<(), tonic::transport::Error>> + Send>> =
            match &security.tls {
                Some(tls) => {
                    let (incoming, task) = security::tls::incoming(
                        listener,
                        Arc::clone(tls),
                        settings.handshake_limits(),
                        Arc::clone(&metrics),
                        stop_rx,
                        &drain,
                        connection_slots,
                    );
                    _accept_task = Some(AbortOnDrop(task));
                    Box::pin(router.serve_with_incoming_shutdown(incoming, stopped))
                }
                None => {
                    let token = drain.token();
                    // Dropping the stream (tonic does when it stops accepting)
                    // drops the last handle on the listener, closing it.
                    let listener = Arc::new(listener);
                    let incoming = tokio_stream::iter(std::iter::repeat(())).then(move |()| {
                        let listener = Arc::clone(&listener);
                        let slots = Arc::clone(&connection_slots);
                        let token = token.clone();
                        async move {
                            let (tcp, _, slot) = linger::accept(&listener, &slots).await;
                            let _ = tcp.set_nodelay(true);
                            Ok::<_, std::io::Error>(Lingering::new(tcp, token, slot))
                        }
                    });
                    Box::pin(router.serve_with_incoming_shutdown(incoming, stopped))
                }
            };
        let tls = security.tls.is_some();
        let auth = security.tokens.is_some();
        tracing::info!(
            address = %local_addr,
            workers = settings.worker_threads(),
            tls,
            mutual_tls = security.mutual_tls(),
            bearer_tokens = auth,
            "textpipe serving"
        );
        if !tls && !local_addr.ip().is_loopback() {
            tracing::warn!(
                address = %local_addr,
                "serving plain text (no TLS) beyond loopback: calls{} travel unencrypted; \
                 use --tls-cert/--tls-key unless a service mesh or sidecar provides TLS",
                if auth { " and bearer tokens" } else { "" }
            );
        }

        let mut server = server;
        tokio::select! {
            result = &mut server => return result.context("server failed"),
            () = shutdown => {}
        }

        tracing::info!(
            grace_ms = settings.shutdown_grace_ms,
            "stopping: NOT_SERVING, draining calls in flight"
        );
        health
            .set_service_status(SERVICE_NAME, ServingStatus::NotServing)
            .await;
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        let _ = stop_tx.send(true);
        match tokio::time::timeout(settings.shutdown_grace(), &mut server).await {
            Ok(result) => result.context("server failed while draining")?,
            Err(_) => {
                tracing::warn!(
                    "grace period over with calls still in flight; ending them with UNAVAILABLE"
                );
                let _ = close_tx.send(true);
                // A client that reads no answers does not hold the exit up.
                if tokio::time::timeout(CLOSE_AFTER_GRACE, server)
                    .await
                    .is_err()
                {
                    tracing::warn!("connections still open after the grace; closing them");
                }
            }
        }
        drain.wait(LINGER).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Aborts the task when dropped, so no exit path leaves it running.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reflection over our own API and the health service (what grpcurl needs
/// to list and call them).
fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}
