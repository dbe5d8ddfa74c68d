//! Stopping: health turns NOT_SERVING, watchers are released, calls in
//! flight finish, the server returns cleanly.

use std::time::Duration;

use textpipe::grpc::proto::process_stream_request::Content;
use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::grpc::proto::{
    ProcessRequest, ProcessResponse, ProcessStreamResponse, process_request,
};
use tokio::task::JoinHandle;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::binary::Served;
use crate::helpers::{
    STREAM_INPUT_BYTES, answers_and_end, big_page, channel, occupy_only_slot, spawn_app_with,
    stream_item, wait_for_metric,
};

#[tokio::test]
async fn stop_drains_calls_in_flight_and_releases_health_watchers() {
    // A grace far above the slow call's few seconds: the test is about
    // draining, so a loaded machine must not turn it into a grace timeout.
    let mut app = spawn_app_with(|s| {
        s.max_concurrent_requests = 1;
        s.shutdown_grace_ms = 60_000;
    })
    .await;
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

/// What a test keeps in flight while the server is stopped: unary calls,
/// and two streams with items being worked on, one the client has finished
/// sending (half-closed) and one it keeps open.
struct InFlight {
    unary: Vec<JoinHandle<Result<tonic::Response<ProcessResponse>, Status>>>,
    finished_sending: StreamEnd,
    still_sending: StreamEnd,
}

type StreamEnd = JoinHandle<(Vec<ProcessStreamResponse>, Option<Status>)>;

const UNARY: usize = 2;
const ITEMS: usize = 2;

/// Starts the work on `server` (run with metrics on and room for all of it)
/// and returns once every call and item is admitted.
async fn start_work(server: &Served, page: &str) -> InFlight {
    let metrics = server.metrics_addr.expect("metrics on");
    let process = ProcessRequest {
        content: Some(process_request::Content::Html(page.to_owned())),
        ..Default::default()
    };
    let mut unary = Vec::new();
    for _ in 0..UNARY {
        let mut client = TextPipeServiceClient::new(channel(server.addr).await);
        let request = process.clone();
        unary.push(tokio::spawn(async move { client.process(request).await }));
    }
    let items = |stream: &str| -> Vec<_> {
        (0..ITEMS)
            .map(|i| {
                stream_item(
                    &format!("{stream}-{i}"),
                    Some(Content::Html(page.to_owned())),
                )
            })
            .collect()
    };
    let mut client = TextPipeServiceClient::new(channel(server.addr).await);
    let mut answers = client
        .process_stream(tokio_stream::iter(items("finished")))
        .await
        .expect("stream opens")
        .into_inner();
    let finished_sending = tokio::spawn(async move { answers_and_end(&mut answers).await });
    let (tx, rx) = tokio::sync::mpsc::channel(ITEMS);
    for item in items("open") {
        tx.send(item).await.expect("queued");
    }
    let mut answers = client
        .process_stream(ReceiverStream::new(rx))
        .await
        .expect("stream opens")
        .into_inner();
    let still_sending = tokio::spawn(async move {
        let end = answers_and_end(&mut answers).await;
        // The client never finished sending.
        drop(tx);
        end
    });
    let bytes = page.len() as f64;
    wait_for_metric(
        metrics,
        r#"textpipe_input_bytes_total{method="Process"}"#,
        UNARY as f64 * bytes,
    )
    .await;
    wait_for_metric(metrics, STREAM_INPUT_BYTES, 2.0 * ITEMS as f64 * bytes).await;
    InFlight {
        unary,
        finished_sending,
        still_sending,
    }
}

fn server_args(grace_ms: &str) -> [&str; 12] {
    [
        // Room for the work on a loaded machine: only the stop may end it.
        "--default-deadline-ms",
        "600000",
        "--metrics-listen",
        "127.0.0.1:0",
        "--max-concurrent-requests",
        "8",
        "--workers",
        "2",
        "--stream-in-flight",
        "2",
        "--shutdown-grace-ms",
        grace_ms,
    ]
}

#[tokio::test]
async fn sigterm_drains_unary_calls_and_open_streams_and_exits_zero() {
    let mut server = Served::start(&server_args("60000")).await;
    let page = big_page(20_000);
    let mut health = HealthClient::new(channel(server.addr).await);
    let mut watch = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("watch opens")
        .into_inner();
    let work = start_work(&server, &page).await;

    server.terminate();
    // Health turns NOT_SERVING while the work is still going on.
    loop {
        let update = watch.next().await.expect("an update").expect("ok");
        if update.status == ServingStatus::NotServing as i32 {
            break;
        }
    }
    assert!(
        work.unary.iter().all(|call| !call.is_finished()),
        "NOT_SERVING comes before the calls in flight finish"
    );

    let mut answered = 0;
    for call in work.unary {
        let answer = call
            .await
            .expect("joins")
            .expect("an in-flight call completes OK");
        assert!(answer.into_inner().text.contains("Paragraph 19999"));
        answered += 1;
    }
    let (answers, end) = work.finished_sending.await.expect("joins");
    assert!(
        end.is_none(),
        "a stream whose client finished sending ends cleanly: {end:?}"
    );
    let (open_answers, open_end) = work.still_sending.await.expect("joins");
    // A stream still open ends with a status that says the rest was not read.
    let open_end = open_end.expect("a status");
    assert_eq!(open_end.code(), Code::Unavailable, "{open_end:?}");
    assert!(open_end.message().contains("stopping"), "{open_end:?}");
    for answer in answers.iter().chain(&open_answers) {
        assert!(answer.error.is_none(), "{:?}", answer.error);
        assert!(answer.text.contains("Paragraph 19999"));
        answered += 1;
    }
    // Nothing lost: every call and every item sent got its answer.
    assert_eq!(answered, UNARY + 2 * ITEMS);

    let exit = server.child.wait().await.expect("server exits");
    assert!(exit.success(), "exit status {exit:?}");
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "sized to debug-build speed; run the tests in the default profile (see README)"
)]
async fn work_past_a_short_grace_ends_with_unavailable_not_silence() {
    let mut server = Served::start(&server_args("300")).await;
    // Each call takes seconds here, far past the grace.
    let page = big_page(20_000);
    let work = start_work(&server, &page).await;
    server.terminate();

    let ends = async {
        let mut ended = 0;
        for call in work.unary {
            let Err(status) = call.await.expect("joins") else {
                panic!("a call answered after the grace");
            };
            assert_eq!(status.code(), Code::Unavailable, "{status:?}");
            assert!(status.message().contains("grace"), "{status:?}");
            ended += 1;
        }
        for (stream, clean_end) in [(work.finished_sending, true), (work.still_sending, false)] {
            let (answers, end) = stream.await.expect("joins");
            // Every item sent is answered: with UNAVAILABLE, in its place.
            assert_eq!(answers.len(), ITEMS);
            for answer in answers {
                let error = answer.error.expect("the item was cut short");
                assert_eq!(error.code, "UNAVAILABLE");
                ended += 1;
            }
            match end {
                None => assert!(clean_end, "the open stream says it was cut short"),
                Some(status) => assert_eq!(status.code(), Code::Unavailable, "{status:?}"),
            }
        }
        ended
    };
    // Generous: the point is that nothing hangs until the work would have ended.
    let ended = tokio::time::timeout(Duration::from_secs(60), ends)
        .await
        .expect("every call ends with a status");
    assert_eq!(ended, UNARY + 2 * ITEMS);
    let exit = server.child.wait().await.expect("server exits");
    assert!(exit.success(), "exit status {exit:?}");
}
