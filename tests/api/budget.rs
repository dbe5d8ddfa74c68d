//! The input budget (`--max-in-flight-bytes`) is charged from a request's
//! length prefix: a call over it is refused before its body is read, and a
//! body that stalls cannot hold its charge past the server's deadline.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use prost::Message;
use textpipe::grpc::proto::DetectLanguageRequest;
use textpipe::grpc::proto::process_stream_request::Content;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::http;

use crate::helpers::{
    STREAM_INPUT_BYTES, get, metric, spawn_app_with, stream_item, wait_for_metric,
};

/// The body of a hand-written call: frames, or an error, which makes the
/// client reset the call.
type Sender = mpsc::Sender<Result<Frame<Bytes>, std::io::Error>>;

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
    let (tx, answer) = start_method(addr, "DetectLanguage", grpc_timeout);
    let answer = tokio::spawn(async move {
        let (_, code, message) = answer.await.expect("joins");
        (code, message)
    });
    (tx, answer)
}

/// A call of `method` over bare HTTP/2; its answer is the count of
/// response messages, grpc-status and grpc-message.
fn start_method(
    addr: std::net::SocketAddr,
    method: &str,
    grpc_timeout: Option<&str>,
) -> (Sender, tokio::task::JoinHandle<(usize, String, String)>) {
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    start_on(&client, addr, method, grpc_timeout)
}

/// A client whose calls share one HTTP/2 connection.
type Shared = Client<hyper_util::client::legacy::connect::HttpConnector, tonic::body::Body>;

/// `start_method` on `client`'s connection.
fn start_on(
    client: &Shared,
    addr: std::net::SocketAddr,
    method: &str,
    grpc_timeout: Option<&str>,
) -> (Sender, tokio::task::JoinHandle<(usize, String, String)>) {
    let (tx, rx) = mpsc::channel(4);
    let body = tonic::body::Body::new(StreamBody::new(ReceiverStream::new(rx)));
    let mut request = http::Request::post(format!(
        "http://{addr}/textpipe.v1.TextPipeService/{method}"
    ))
    .header("content-type", "application/grpc")
    .header("te", "trailers");
    if let Some(timeout) = grpc_timeout {
        request = request.header("grpc-timeout", timeout);
    }
    let request = request.body(body).expect("valid request");
    let client = client.clone();
    let answer = tokio::spawn(async move {
        let response = client.request(request).await.expect("server answers");
        let status = |h: &http::HeaderMap| {
            h.get("grpc-status").map(|v| {
                let message = h
                    .get("grpc-message")
                    .map_or("", |m| m.to_str().unwrap_or(""));
                (v.to_str().unwrap_or("").to_owned(), message.to_owned())
            })
        };
        if let Some((code, message)) = status(response.headers()) {
            return (0, code, message);
        }
        let collected = response.into_body().collect().await.expect("body readable");
        let trailers = collected.trailers().cloned().unwrap_or_default();
        let (code, message) = status(&trailers).expect("grpc-status in the trailers");
        (count_messages(&collected.to_bytes()), code, message)
    });
    (tx, answer)
}

/// The gRPC messages framed in `body`.
fn count_messages(mut body: &[u8]) -> usize {
    let mut count = 0;
    while let Some((prefix, rest)) = body.split_at_checked(5) {
        let len = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]) as usize;
        body = rest.get(len..).unwrap_or_default();
        count += 1;
    }
    count
}

/// A ProcessStream item of about `bytes` bytes, framed.
fn framed_item(id: &str, bytes: usize) -> Vec<u8> {
    let text = Content::Text(format!("Item {id}. {}", "word ".repeat(bytes / 5)));
    let message = stream_item(id, Some(text)).encode_to_vec();
    let mut out = vec![0u8];
    out.extend_from_slice(&u32::try_from(message.len()).expect("fits").to_be_bytes());
    out.extend_from_slice(&message);
    out
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
    // DEADLINE_EXCEEDED from the service, counted, where tonic's timer
    // would answer CANCELLED and nobody would log it.
    assert_eq!(cut.0, "4", "{cut:?}");
    let line = r#"textpipe_calls_total{method="DetectLanguage",code="DEADLINE_EXCEEDED"}"#;
    assert_eq!(
        metric(app.metrics_addr.expect("metrics on"), line).await,
        1.0
    );
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
                .contains("before the request message arrived"),
            "{message}"
        );
        drop(tx);
    }
    // A stream whose deadline is gone before its handler runs is answered
    // there too, and counted like the rest.
    let (tx, answer) = start_method(app.addr, "ProcessStream", Some("0n"));
    let (_, code, message) = answer.await.expect("joins");
    assert_eq!(code, "4", "{message}");
    drop(tx);
    let (_, metrics) = get(app.metrics_addr.expect("metrics on"), "/metrics").await;
    for line in [
        r#"textpipe_calls_total{method="DetectLanguage",code="DEADLINE_EXCEEDED"} 2"#,
        r#"textpipe_calls_total{method="ProcessStream",code="DEADLINE_EXCEEDED"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    app.stop();
}

#[tokio::test]
async fn a_streams_paid_item_reaches_the_handler_while_the_next_waits() {
    // 64 KiB of budget: the first item takes 40, the second (100 KiB) can
    // only be paid once the first is answered, and takes the whole budget;
    // the third waits for it in turn. Chunks of 1000 bytes put the end of
    // each item and the prefix of the next in the same chunk: holding that
    // chunk until the next item is paid would hold the paid one too.
    let mut app = spawn_app_with(|s| s.max_in_flight_bytes = 64 << 10).await;
    let mut body = framed_item("a", 40 << 10);
    body.extend(framed_item("b", 100 << 10));
    body.extend(framed_item("c", 2 << 10));
    let (tx, answer) = start_method(app.addr, "ProcessStream", None);
    for chunk in body.chunks(1000) {
        send(&tx, Bytes::copy_from_slice(chunk)).await;
    }
    drop(tx);
    let (answers, code, message) = tokio::time::timeout(Duration::from_secs(20), answer)
        .await
        .expect("the stream is not stuck")
        .expect("joins");
    assert_eq!((answers, code.as_str()), (3, "0"), "{message}");
    app.stop();
}

#[tokio::test]
async fn a_stream_item_stalling_after_its_prefix_gives_its_charge_back() {
    let mut app = spawn_app_with(|s| {
        s.max_in_flight_bytes = 1 << 20;
        s.default_deadline_ms = 1500;
    })
    .await;
    let metrics = app.metrics_addr.expect("metrics on");
    // Idle between whole items is no stall: nothing is charged meanwhile.
    let (tx, idle) = start_method(app.addr, "ProcessStream", None);
    send(&tx, Bytes::from(framed_item("a", 1000))).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    send(&tx, Bytes::from(framed_item("b", 1000))).await;
    drop(tx);
    let (answers, code, message) = idle.await.expect("joins");
    assert_eq!((answers, code.as_str()), (2, "0"), "{message}");

    // An item announcing 900 KiB, then nothing: its charge holds the
    // budget, so a unary call of 700 KiB is refused meanwhile.
    let item = framed_item("big", 900 << 10);
    let (stall_tx, stalled) = start_method(app.addr, "ProcessStream", None);
    send(&stall_tx, Bytes::copy_from_slice(&item[..1000])).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (prefix, message) = framed(700 << 10);
    let (tx, refused) = start_call(app.addr);
    send(&tx, prefix.clone()).await;
    assert_eq!(
        refused.await.expect("joins").0,
        "8",
        "the stalled item holds its charge"
    );
    drop(tx);
    // The item deadline (the server's default) ends the stream.
    let (_, code, text) = tokio::time::timeout(Duration::from_secs(10), stalled)
        .await
        .expect("a stalled item is not held for good")
        .expect("joins");
    assert_eq!(code, "4", "DEADLINE_EXCEEDED: {text}");
    assert!(text.replace("%20", " ").contains("1000 of its"), "{text}");
    drop(stall_tx);
    let line = r#"textpipe_calls_total{method="ProcessStream",code="DEADLINE_EXCEEDED"}"#;
    assert_eq!(metric(metrics, line).await, 1.0);
    // Its charge is back.
    let (tx, served) = start_call(app.addr);
    send(&tx, prefix).await;
    send(&tx, message).await;
    drop(tx);
    assert_eq!(served.await.expect("joins").0, "0");
    app.stop();
}

#[tokio::test]
async fn a_call_reset_inside_its_message_is_counted_cancelled() {
    let mut app = spawn_app_with(|_| {}).await;
    let metrics = app.metrics_addr.expect("metrics on");
    // tonic takes a reset body for its clean end: the unary call would be
    // logged INTERNAL ("Missing request message"), the stream OK.
    let (prefix, message) = framed(1000);
    let (tx, unary) = start_call(app.addr);
    send(&tx, prefix).await;
    send(&tx, message.slice(..100)).await;
    // One more unary call, reset before any of its message came.
    let (empty_tx, empty) = start_call(app.addr);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reset = std::io::Error::other("the client gives up at once");
    empty_tx.send(Err(reset)).await.expect("body open");
    let line = r#"textpipe_calls_total{method="DetectLanguage",code="CANCELLED"}"#;
    wait_for_metric(metrics, line, 1.0).await;
    let item = framed_item("a", 1000);
    let (stream_tx, stream) = start_method(app.addr, "ProcessStream", None);
    send(&stream_tx, Bytes::from(framed_item("whole", 100))).await;
    send(&stream_tx, Bytes::copy_from_slice(&item[..100])).await;
    wait_for_metric(metrics, STREAM_INPUT_BYTES, 1.0).await;
    for tx in [tx, stream_tx] {
        let reset = std::io::Error::other("the client gives up");
        tx.send(Err(reset)).await.expect("body open");
    }
    for (method, calls) in [("DetectLanguage", 2.0), ("ProcessStream", 1.0)] {
        let line = format!(r#"textpipe_calls_total{{method="{method}",code="CANCELLED"}}"#);
        wait_for_metric(metrics, &line, calls).await;
    }
    let (_, text) = get(metrics, "/metrics").await;
    for wrong in ["INTERNAL", r#"method="ProcessStream",code="OK"} 2"#] {
        assert!(!text.contains(wrong), "{wrong} in {text}");
    }
    unary.abort();
    empty.abort();
    stream.abort();
    app.stop();
}

#[tokio::test]
async fn streams_waiting_for_the_budget_do_not_stall_their_connection() {
    // One connection: a unary call charged 600 KiB of a 1 MiB budget, then
    // two streams whose 900 KiB items wait for it. What a waiting stream's
    // client sends ahead is unread and fills the connection's window; with
    // 1 MiB stream windows two of them filled it, and the unary call's
    // remaining bytes could not arrive until its deadline.
    let mut app = spawn_app_with(|s| {
        s.max_in_flight_bytes = 1 << 20;
        s.default_deadline_ms = 20_000;
    })
    .await;
    let client: Shared = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let (prefix, message) = framed(600 << 10);
    let (unary_tx, unary) = start_on(&client, app.addr, "DetectLanguage", None);
    send(&unary_tx, prefix).await;
    let mut streams = Vec::new();
    for s in 0..2 {
        let (tx, answer) = start_on(&client, app.addr, "ProcessStream", None);
        let item = Bytes::from(framed_item(&s.to_string(), 900 << 10));
        let feeder = tokio::spawn(async move {
            for chunk in item.chunks(16 << 10) {
                send(&tx, Bytes::copy_from_slice(chunk)).await;
            }
        });
        streams.push((feeder, answer));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rest = async {
        for chunk in message.chunks(16 << 10) {
            send(&unary_tx, Bytes::copy_from_slice(chunk)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), rest)
        .await
        .expect("the unary call's bytes flow beside the waiting streams");
    drop(unary_tx);
    let (_, code, message) = unary.await.expect("joins");
    assert_eq!(code, "0", "{message}");
    for (feeder, answer) in streams {
        feeder.await.expect("fed");
        let (answers, code, message) = tokio::time::timeout(Duration::from_secs(20), answer)
            .await
            .expect("the streams finish")
            .expect("joins");
        assert_eq!((answers, code.as_str()), (1, "0"), "{message}");
    }
    app.stop();
}
