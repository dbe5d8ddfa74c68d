//! Deadlines, overload and message size bounds.

use std::time::Duration;

use textpipe::grpc::proto::{DetectLanguageRequest, ProcessRequest, process_request};
use tonic::{Code, Request};

use crate::helpers::{
    big_page, ids_until_error, metric, occupy_only_slot, raw_client, spawn_app, spawn_app_with,
};

fn process(html: String) -> ProcessRequest {
    ProcessRequest {
        content: Some(process_request::Content::Html(html)),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_servers_default_deadline_applies_to_calls_without_one() {
    let mut app = spawn_app_with(|s| s.default_deadline_ms = 1).await;
    let err = app
        .client
        .process(process(big_page(2_000)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");
    app.stop();
}

#[tokio::test]
async fn the_callers_deadline_is_honoured() {
    let mut app = spawn_app().await;
    // Over a client with no timer of its own: tonic's Channel would start one
    // from the same header and, on a loaded machine, answer CANCELLED before
    // the server's DEADLINE_EXCEEDED arrives.
    let mut raw = raw_client(app.addr);
    let mut request = Request::new(process(big_page(20_000)));
    // Well under the work's cost in either build (a release build does
    // this page in about 50 ms).
    let timeout = if cfg!(debug_assertions) {
        "200m"
    } else {
        "10m"
    };
    request
        .metadata_mut()
        .insert("grpc-timeout", timeout.parse().expect("valid header"));
    let err = raw.process(request).await.unwrap_err();
    // DEADLINE_EXCEEDED from the handler once it holds the request, or, when
    // receiving the 3 MB body alone outlasts the deadline (a loaded machine),
    // from the layer in front of it; never tonic's CANCELLED.
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");
    // A generous deadline lets the same work finish.
    let mut request = Request::new(process(big_page(50)));
    request.set_timeout(Duration::from_secs(30));
    assert!(app.client.process(request).await.is_ok());
    app.stop();
}

#[tokio::test]
async fn calls_past_the_concurrency_limit_are_shed_with_resource_exhausted() {
    let mut app = spawn_app_with(|s| s.max_concurrent_requests = 1).await;
    // While the slow call holds the only slot, quick calls are refused at once.
    let (slow, shed) = occupy_only_slot(&mut app).await;
    assert_eq!(shed.code(), Code::ResourceExhausted);
    assert!(shed.message().contains("busy"), "{}", shed.message());
    // A stream is refused at its opening, and the refusal is counted like
    // any call's.
    let refused = app
        .client
        .process_stream(tokio_stream::iter(Vec::<
            textpipe::grpc::proto::ProcessStreamRequest,
        >::new()))
        .await
        .expect_err("a stream opened while saturated is refused");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    assert!(
        slow.await.expect("task joins").is_ok(),
        "the admitted call still succeeds"
    );
    let metrics = app.metrics_addr.expect("metrics on");
    let series = r#"textpipe_calls_total{method="ProcessStream",code="RESOURCE_EXHAUSTED"}"#;
    assert_eq!(metric(metrics, series).await, 1.0, "{series}");
    app.stop();
}

#[tokio::test]
async fn messages_over_the_size_limit_are_refused() {
    let mut app = spawn_app_with(|s| s.max_message_bytes = 64 * 1024).await;
    let err = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "word ".repeat(20_000),
            allowed_languages: vec![],
            segments: false,
        })
        .await
        .unwrap_err();
    // Refused from the length prefix with RESOURCE_EXHAUSTED, naming both sizes.
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("65536"), "{}", err.message());
    assert!(err.message().contains("100004"), "{}", err.message());
    // A message just within the limit is served, and so is the next call.
    let ok = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "word ".repeat(13_000),
            allowed_languages: vec![],
            segments: false,
        })
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    // The refusal came before the handler, and is counted all the same.
    let metrics = app.metrics_addr.expect("metrics on");
    for (series, value) in [
        (
            r#"textpipe_calls_total{method="DetectLanguage",code="RESOURCE_EXHAUSTED"}"#,
            1.0,
        ),
        (
            r#"textpipe_calls_total{method="DetectLanguage",code="OK"}"#,
            1.0,
        ),
    ] {
        assert_eq!(metric(metrics, series).await, value, "{series}");
    }
    app.stop();
}

#[tokio::test]
async fn an_oversized_stream_item_ends_the_stream_with_resource_exhausted() {
    use textpipe::grpc::proto::{ProcessStreamRequest, process_stream_request};
    let mut app = spawn_app_with(|s| s.max_message_bytes = 64 * 1024).await;
    let item = |id: &str, text: String| ProcessStreamRequest {
        id: id.into(),
        content: Some(process_stream_request::Content::Text(text)),
        ..Default::default()
    };
    let items = vec![
        item("small", "A short text about the weather today.".into()),
        item("huge", "word ".repeat(20_000)),
    ];
    let mut stream = app
        .client
        .process_stream(tokio_stream::iter(items))
        .await
        .expect("stream opens")
        .into_inner();
    let (ids, status) = ids_until_error(&mut stream).await;
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("65536"), "{}", status.message());
    assert!(!ids.contains(&"huge".to_owned()), "{ids:?}");
    app.stop();
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_resource_exhausted() {
    use textpipe::grpc::proto::{StripBoilerplateRequest, strip_boilerplate_request};
    let mut app = spawn_app_with(|s| s.max_message_bytes = 64 * 1024).await;
    // A 40 KB single line: the request fits, but the Process answer holds
    // it twice (the stripped text and the one-sentence summary).
    let line = "lorem ipsum dolor sit amet ".repeat(1_500);
    let err = app
        .client
        .process(ProcessRequest {
            content: Some(process_request::Content::Text(line.clone())),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("65536"), "{}", err.message());
    // The same line stripped alone fits and is served.
    let ok = app
        .client
        .strip_boilerplate(StripBoilerplateRequest {
            content: Some(strip_boilerplate_request::Content::Text(line)),
            options: None,
        })
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    app.stop();
}
