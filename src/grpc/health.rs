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
                    // The status seldom changes: without this, a watcher that
                    // went away would hold this task until shutdown.
                    () = tx.closed() => break,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tonic_health::ServingStatus;

    use super::*;

    #[tokio::test]
    async fn a_watch_ends_when_its_watcher_goes() {
        let (reporter, _) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", ServingStatus::Serving)
            .await;
        let (_stop, stopping) = watch::channel(false);
        let health = DrainingHealth::new(reporter, stopping);
        let metrics = tokio::runtime::Handle::current().metrics();
        let before = metrics.num_alive_tasks();
        for _ in 0..20 {
            let request = Request::new(HealthCheckRequest {
                service: String::new(),
            });
            let mut stream = health.watch(request).await.expect("watch").into_inner();
            let first = stream.next().await.expect("an update").expect("ok");
            assert_eq!(first.status, ServingStatus::Serving as i32);
        }
        // Every stream above is dropped: their tasks must end.
        let settled = tokio::time::timeout(Duration::from_secs(5), async {
            while metrics.num_alive_tasks() > before {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(
            settled.is_ok(),
            "{} watch tasks outlived their watchers",
            metrics.num_alive_tasks() - before
        );
    }
}
