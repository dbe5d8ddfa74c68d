//! The input budget (`--max-in-flight-bytes`) is charged from a request's
//! length prefix: a call over it is refused before its body is read, and a
//! body that stalls cannot hold its charge past the server's deadline.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use prost::Message;
use textpipe::grpc::proto::DetectLanguageRequest;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::http;

use crate::helpers::{get, spawn_app_with};

type Sender = mpsc::Sender<Result<Frame<Bytes>, Infallible>>;

/// A DetectLanguage call over bare HTTP/2 whose body the test writes by
/// hand; returns the sender of its body and the pending answer:
/// `(grpc-status, grpc-message)` from its headers or trailers.
fn start_call(addr: std::net::SocketAddr) -> (Sender, tokio::task::JoinHandle<(String, String)>) {
    start_call_with(addr, None)
}

/// `start_call`, with a `grpc-timeout` header when given.
fn start_call_with(
    addr: std::net::SocketAddr,
    grpc_timeout: Option<&str>,
) -> (Sender, tokio::task::JoinHandle<(String, String)>) {
    let (tx, rx) = mpsc::channel(4);
    let body = tonic::body::Body::new(StreamBody::new(ReceiverStream::new(rx)));
    let mut request = http::Request::post(format!(
        "http://{addr}/textpipe.v1.TextPipeService/DetectLanguage"
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers");
    if let Some(timeout) = grpc_timeout {
        request = request.header("grpc-timeout", timeout);
    }
    let request = request.body(body).expect("valid request");
    let answer = tokio::spawn(async move {
        let client = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http();
        let response = client.request(request).await.expect("server answers");
        let status = |h: &http::HeaderMap| {
            h.get("grpc-status").map(|v| {
                let message = h
                    .get("grpc-message")
                    .map_or("", |m| m.to_str().unwrap_or(""));
                (v.to_str().unwrap_or("").to_owned(), message.to_owned())
            })
        };
        if let Some(found) = status(response.headers()) {
            return found;
        }
        let trailers = response
            .into_body()
            .collect()
            .await
            .expect("body readable")
            .trailers()
            .cloned()
            .unwrap_or_default();
        status(&trailers).expect("grpc-status in the trailers")
    });
    (tx, answer)
}

/// A detect request of about `bytes` bytes, framed for gRPC: the 5-byte
/// prefix and the message.
fn framed(bytes: usize) -> (Bytes, Bytes) {
    let message = DetectLanguageRequest {
        text: "word ".repeat(bytes / 5),
        allowed_languages: vec![],
        segments: false,
    }
    .encode_to_vec();
    let mut prefix = vec![0u8];
    prefix.extend_from_slice(&u32::try_from(message.len()).expect("fits").to_be_bytes());
    (Bytes::from(prefix), Bytes::from(message))
}

async fn send(tx: &Sender, data: Bytes) {
    tx.send(Ok(Frame::data(data))).await.expect("body open");
}

#[tokio::test]
async fn a_call_over_the_input_budget_is_refused_from_its_prefix_before_its_body() {
    let mut app = spawn_app_with(|s| {
        s.max_in_flight_bytes = 1 << 20;
        s.default_deadline_ms = 2_000;
    })
    .await;
    let (prefix, message) = framed(700 << 10);

    // Two calls announce 700 KiB each against a 1 MiB budget and send
    // nothing more: one is charged, the other refused from its prefix alone.
    let (first_tx, first) = start_call(app.addr);
    send(&first_tx, prefix.clone()).await;
    let (second_tx, second) = start_call(app.addr);
    send(&second_tx, prefix.clone()).await;
    let (mut first, mut second) = (first, second);
    let (refused, (held_tx, held)) = tokio::select! {
        answer = &mut first => (answer.expect("joins"), (second_tx, second)),
        answer = &mut second => (answer.expect("joins"), (first_tx, first)),
    };
    assert_eq!(refused.0, "8", "RESOURCE_EXHAUSTED: {refused:?}");
    // grpc-message is percent-encoded on the wire.
    assert!(refused.1.contains("MiB%20of%20documents"), "{refused:?}");
    // Counted like any call the server sheds.
    let (_, metrics) = get(app.metrics_addr.expect("metrics on"), "/metrics").await;
    for line in [
        r#"textpipe_calls_total{method="DetectLanguage",code="RESOURCE_EXHAUSTED"} 1"#,
        r#"textpipe_calls_shed_total{method="DetectLanguage"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }

    // The charged call completes its body and is served.
    send(&held_tx, message.clone()).await;
    drop(held_tx);
    let served = held.await.expect("joins");
    assert_eq!(served.0, "0", "{served:?}");

    // Its charge was returned: a third call fits. It stalls after its
    // prefix and is cut by the server's deadline, returning its charge.
    let (stall_tx, stalled) = start_call(app.addr);
    send(&stall_tx, prefix.clone()).await;
    let cut = tokio::time::timeout(Duration::from_secs(10), stalled)
        .await
        .expect("a stalled body is not held past the deadline")
        .expect("joins");
    assert_ne!(cut.0, "0", "{cut:?}");
    drop(stall_tx);
    let (tx, after) = start_call(app.addr);
    send(&tx, prefix).await;
    send(&tx, message).await;
    drop(tx);
    assert_eq!(after.await.expect("joins").0, "0");
    app.stop();
}

#[tokio::test]
async fn a_unary_call_without_a_message_is_invalid_argument() {
    let mut app = spawn_app_with(|_| {}).await;
    let (tx, answer) = start_call(app.addr);
    drop(tx);
    let (code, message) = answer.await.expect("joins");
    assert_eq!(code, "3", "INVALID_ARGUMENT, not INTERNAL: {message}");
    assert!(
        message.replace("%20", " ").contains("no message"),
        "{message}"
    );
    let metrics = app.metrics_addr.expect("metrics on");
    let (_, text) = get(metrics, "/metrics").await;
    assert!(
        text.contains(r#"textpipe_calls_total{method="DetectLanguage",code="INVALID_ARGUMENT"} 1"#),
        "{text}"
    );
    app.stop();
}

#[tokio::test]
async fn a_body_ending_inside_its_message_is_invalid_argument() {
    let mut app = spawn_app_with(|_| {}).await;
    // A prefix announcing 100 bytes, then 10 of them, then the end.
    let mut cut = vec![0u8];
    cut.extend_from_slice(&100u32.to_be_bytes());
    cut.extend_from_slice(&[b'x'; 10]);
    let (tx, answer) = start_call(app.addr);
    send(&tx, Bytes::from(cut)).await;
    drop(tx);
    let (code, message) = answer.await.expect("joins");
    assert_eq!(code, "3", "INVALID_ARGUMENT, not INTERNAL: {message}");
    assert!(
        message.replace("%20", " ").contains("15 of its 105 bytes"),
        "{message}"
    );
    // Two messages in a unary call: tonic would answer the first.
    let (prefix, message) = framed(100);
    let (tx, answer) = start_call(app.addr);
    for _ in 0..2 {
        send(&tx, prefix.clone()).await;
        send(&tx, message.clone()).await;
    }
    drop(tx);
    let (code, message) = answer.await.expect("joins");
    assert_eq!(code, "3", "{message}");
    assert!(message.contains("more%20than%20one"), "{message}");
    // A compressed-flag byte that is neither 0 nor 1.
    let (tx, answer) = start_call(app.addr);
    send(&tx, Bytes::from_static(&[7, 0, 0, 0, 0])).await;
    drop(tx);
    let (code, message) = answer.await.expect("joins");
    assert_eq!(code, "3", "{message}");
    app.stop();
}

#[tokio::test]
async fn a_deadline_passing_before_the_message_arrives_is_deadline_exceeded() {
    let mut app = spawn_app_with(|_| {}).await;
    // The prefix arrives, the message does not: no handler holds the call
    // when the caller's deadline passes. tonic's own timer would answer
    // CANCELLED "Timeout expired".
    let (prefix, _) = framed(1000);
    for timeout in ["0n", "200m"] {
        let (tx, answer) = start_call_with(app.addr, Some(timeout));
        send(&tx, prefix.clone()).await;
        let (code, message) = tokio::time::timeout(Duration::from_secs(10), answer)
            .await
            .expect("answered at the deadline")
            .expect("joins");
        assert_eq!(code, "4", "DEADLINE_EXCEEDED for {timeout}: {message}");
        assert!(
            message
                .replace("%20", " ")
                .contains("before its request message arrived"),
            "{message}"
        );
        drop(tx);
    }
    let (_, metrics) = get(app.metrics_addr.expect("metrics on"), "/metrics").await;
    let line = r#"textpipe_calls_total{method="DetectLanguage",code="DEADLINE_EXCEEDED"} 2"#;
    assert!(metrics.contains(line), "{line} in {metrics}");
    app.stop();
}
