//! Stopping: health turns NOT_SERVING, watchers are released, calls in
//! flight finish, the server returns cleanly.

use tokio_stream::StreamExt;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::helpers::{occupy_only_slot, spawn_app_with};

#[tokio::test]
async fn stop_drains_calls_in_flight_and_releases_health_watchers() {
    let mut app = spawn_app_with(|s| s.max_concurrent_requests = 1).await;
    let mut watch = app
        .health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("watch opens")
        .into_inner();
    let first = watch.next().await.expect("update").expect("ok");
    assert_eq!(first.status, ServingStatus::Serving as i32);

    let (slow, _) = occupy_only_slot(&mut app).await;

    app.stop();

    // The watcher hears NOT_SERVING, then its stream ends instead of holding shutdown up.
    let mut saw_not_serving = false;
    while let Some(update) = watch.next().await {
        if update
            .map(|u| u.status == ServingStatus::NotServing as i32)
            .unwrap_or(false)
        {
            saw_not_serving = true;
        }
    }
    assert!(saw_not_serving);

    let done = slow
        .await
        .expect("task joins")
        .expect("the in-flight call completed");
    assert!(done.into_inner().text.contains("Paragraph 19999"));
    app.server
        .await
        .expect("server task joins")
        .expect("server stopped cleanly");
}
