//! ProcessStream: results per id; a bad item does not end the stream.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use textpipe::grpc::proto::process_stream_request::Content;
use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Endpoint;

use crate::binary::Served;
use crate::helpers::{
    ARTICLE, PAGE, STREAM_INPUT_BYTES, answers_and_end, metric, spawn_app, stream_item,
};

#[tokio::test]
async fn every_item_gets_a_result_and_bad_items_get_errors() {
    let mut app = spawn_app().await;
    let mut items = vec![
        stream_item("html", Some(Content::Html(PAGE.into()))),
        stream_item("missing", None),
        stream_item("blank", Some(Content::Text("   ".into()))),
    ];
    for i in 0..20 {
        items.push(stream_item(
            &format!("text-{i}"),
            Some(Content::Text(ARTICLE.into())),
        ));
    }
    let sent = items.len();
    let mut results = app
        .client
        .process_stream(tokio_stream::iter(items))
        .await
        .expect("stream opens")
        .into_inner();
    let mut by_id = HashMap::new();
    while let Some(result) = results.next().await {
        let result = result.expect("the stream itself does not fail");
        assert!(
            by_id.insert(result.id.clone(), result).is_none(),
            "one result per id"
        );
    }
    assert_eq!(by_id.len(), sent);
    let html = &by_id["html"];
    assert!(html.error.is_none());
    assert!(html.text.contains("flood gates"));
    assert_eq!(html.language.as_ref().expect("language").code, "en");
    assert_eq!(
        by_id["missing"].error.as_ref().expect("error").code,
        "INVALID_ARGUMENT"
    );
    let blank = by_id["blank"].error.as_ref().expect("error");
    assert_eq!(blank.code, "INVALID_ARGUMENT");
    assert!(blank.message.contains("text is empty"));
    assert!(by_id["text-19"].sentences.len() == 3);
    app.stop();
}

#[tokio::test]
async fn the_callers_timeout_bounds_the_items_of_its_stream() {
    let mut app = spawn_app().await;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut request = tonic::Request::new(ReceiverStream::new(rx));
    request.set_timeout(Duration::from_millis(1500));
    tx.send(stream_item("early", Some(Content::Text(ARTICLE.into()))))
        .await
        .unwrap();
    let mut results = app
        .client
        .process_stream(request)
        .await
        .expect("stream opens")
        .into_inner();
    let early = results.next().await.expect("an answer").expect("an item");
    assert_eq!(early.id, "early");
    assert!(early.error.is_none(), "{:?}", early.error);
    // Past the stream's deadline, an item is not worked on.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    tx.send(stream_item("late", Some(Content::Text(ARTICLE.into()))))
        .await
        .unwrap();
    drop(tx);
    let late = results.next().await.expect("an answer").expect("an item");
    assert_eq!(late.id, "late");
    let error = late.error.expect("the late item is refused");
    assert_eq!(error.code, "DEADLINE_EXCEEDED", "{error:?}");
    app.stop();
}

#[tokio::test]
async fn a_client_that_reads_no_answers_holds_the_server_back_not_its_memory() {
    const ITEMS: usize = 300;
    const STREAM_IN_FLIGHT: usize = 4;
    let server = Served::start(&[
        "--metrics-listen",
        "127.0.0.1:0",
        "--stream-in-flight",
        &STREAM_IN_FLIGHT.to_string(),
        "--workers",
        "2",
    ])
    .await;
    let metrics = server.metrics_addr.expect("metrics on");
    // About 100 KB each, every one marked with its id.
    let text = |i: usize| format!("Item {i:03} opens this text.\n\n{}", ARTICLE.repeat(180));
    let item_bytes = text(0).len();

    // A small receive window on the client, so what it takes in unread is known.
    let window = 256 * 1024;
    let channel = Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("valid uri")
        .initial_stream_window_size(window)
        .initial_connection_window_size(window)
        .connect()
        .await
        .expect("connects");
    let mut client = TextPipeServiceClient::new(channel);
    let before = server.peak_rss_kib();

    // Items go out through a channel of one: `pulled` counts what the
    // request stream took, so it stops when the server stops reading.
    let pulled = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let producer = {
        let pulled = Arc::clone(&pulled);
        tokio::spawn(async move {
            for i in 0..ITEMS {
                let item = stream_item(&format!("{i:03}"), Some(Content::Text(text(i))));
                if tx.send(item).await.is_err() {
                    break;
                }
                pulled.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let mut answers = client
        .process_stream(ReceiverStream::new(rx))
        .await
        .expect("stream opens")
        .into_inner();

    // Wait until neither side moves any more (a full second of no change).
    let admitted = || async { (metric(metrics, STREAM_INPUT_BYTES).await as usize) / item_bytes };
    let mut last = (0, 0);
    let mut still = 0;
    while still < 4 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = (pulled.load(Ordering::Relaxed), admitted().await);
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    let (pulled_unread, admitted_unread) = last;
    // Work the server took on for a reader that reads nothing: the items in
    // flight, the answers queued for the stream (as many), and what the
    // HTTP/2 windows hold (the client's 256 KiB plus hyper's 400 KiB send
    // buffer, each answer about the size of its item), plus slack.
    let windows = (window as usize + 400 * 1024) / item_bytes + 1;
    let bound = 2 * STREAM_IN_FLIGHT + windows + 4;
    assert!(
        admitted_unread <= bound,
        "{admitted_unread} items worked on with nobody reading; bound {bound}"
    );
    // The request side stopped too: the server's 1 MiB receive window and
    // the client's buffers, not the whole stream.
    assert!(
        pulled_unread < ITEMS / 2,
        "{pulled_unread} of {ITEMS} items taken from the sender"
    );
    // Bounded, it grows by about 11 MiB here (allocator and threads
    // included); buffering the 300 items and their answers would take 45.
    let grown_kib = server.peak_rss_kib().saturating_sub(before);
    assert!(
        grown_kib < 24 * 1024,
        "memory grew by {grown_kib} KiB with {admitted_unread} items taken on"
    );

    // Now the client reads: every item is answered, with its own id.
    let (answers, end) = answers_and_end(&mut answers).await;
    assert!(end.is_none(), "{end:?}");
    producer.await.expect("producer joins");
    assert_eq!(answers.len(), ITEMS);
    for (i, answer) in answers.iter().enumerate() {
        assert!(answer.error.is_none(), "{:?}", answer.error);
        let marker = format!("Item {} opens", answer.id);
        assert!(
            answer.text.starts_with(&marker),
            "answer {i} is not its item's"
        );
    }
    let mut ids: Vec<_> = answers.into_iter().map(|a| a.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ITEMS, "one answer per id");
}

#[tokio::test]
async fn items_waiting_in_many_streams_count_against_the_input_budget() {
    const STREAMS: usize = 16;
    const ITEMS: usize = 8;
    let server = Served::start(&[
        "--max-in-flight-bytes",
        "1048576",
        "--max-concurrent-requests",
        "1",
        "--workers",
        "1",
        "--stream-in-flight",
        "8",
    ])
    .await;
    let channel = Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("valid uri")
        .connect()
        .await
        .expect("connects");
    let before = server.peak_rss_kib();
    // 16 streams of 8 items of 1 MB each, sent at once while the server
    // works one item at a time: 128 MB on offer.
    let item = |s: usize, i: usize| {
        let text = format!("Stream {s} item {i}. {}", "word ".repeat(200_000));
        stream_item(&format!("{s}-{i}"), Some(Content::Text(text)))
    };
    let mut streams = Vec::new();
    for s in 0..STREAMS {
        let mut client = TextPipeServiceClient::new(channel.clone());
        let items: Vec<_> = (0..ITEMS).map(|i| item(s, i)).collect();
        streams.push(tokio::spawn(async move {
            client.process_stream(tokio_stream::iter(items)).await
        }));
    }
    // What the server reads meanwhile is what it holds: each item waits
    // for its share of the 1 MiB budget before it is read, so the rest
    // stays in the HTTP/2 windows. Unbounded, each stream would read its 8
    // (128 MB). Bounded, it grows by one item's work (about 22 MB with one
    // stream) and, per stream, tonic's decode buffer, which keeps the
    // capacity of the largest message it held (about 2 MB here).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let grown_kib = server.peak_rss_kib().saturating_sub(before);
    assert!(
        grown_kib < 80 * 1024,
        "memory grew by {grown_kib} KiB with a 1 MiB input budget"
    );
    for stream in streams {
        stream.abort();
    }
}
