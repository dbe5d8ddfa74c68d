//! The standard health service: overall and per service.

use tokio_stream::StreamExt;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::helpers::spawn_app;

fn check(service: &str) -> HealthCheckRequest {
    HealthCheckRequest {
        service: service.into(),
    }
}

#[tokio::test]
async fn overall_and_per_service_status_are_serving() {
    let mut app = spawn_app().await;
    for service in ["", "textpipe.v1.TextPipeService"] {
        let status = app
            .health
            .check(check(service))
            .await
            .expect("registered")
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }
    let err = app
        .health
        .check(check("no.such.Service"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    app.stop();
}

#[tokio::test]
async fn watch_streams_the_current_status() {
    let mut app = spawn_app().await;
    let mut updates = app
        .health
        .watch(check(""))
        .await
        .expect("watch opens")
        .into_inner();
    let first = updates.next().await.expect("an update").expect("ok");
    assert_eq!(first.status, ServingStatus::Serving as i32);
    app.stop();
}
