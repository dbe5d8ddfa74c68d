//! The standard `grpc.health.v1.Health` service, wrapped so that open
//! `Watch` streams end when the server stops. tonic-health's own streams
//! never end, which would hold graceful shutdown up until the grace period.

use std::pin::Pin;

use tokio::sync::{mpsc, watch};
use tokio_stream::{Stream, StreamExt, wrappers::ReceiverStream};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_server::Health;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::{HealthReporter, HealthService};

/// Health service whose `Watch` streams close once `stopping` turns true,
/// after passing on the last status (NOT_SERVING) to the watcher.
#[derive(Debug)]
pub struct DrainingHealth {
    inner: HealthService,
    stopping: watch::Receiver<bool>,
}

impl DrainingHealth {
    /// Serves the statuses `reporter` sets; watch streams end when `stopping` is true.
    pub fn new(reporter: HealthReporter, stopping: watch::Receiver<bool>) -> Self {
        Self {
            inner: HealthService::from_health_reporter(reporter),
            stopping,
        }
    }
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for DrainingHealth {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        self.inner.check(request).await
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let mut updates = self.inner.watch(request).await?.into_inner();
        let mut stopping = self.stopping.clone();
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    // Updates first, so NOT_SERVING reaches the watcher before the stream ends.
                    biased;
                    update = updates.next() => match update {
                        Some(update) => if tx.send(update).await.is_err() { break },
                        None => break,
                    },
                    () = super::stopped(&mut stopping) => break,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
