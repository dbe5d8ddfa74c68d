//! A call whose client goes away stops its work: the server's CPU is
//! freed, not spent to the deadline on an answer nobody reads.

use std::time::{Duration, Instant};

use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::grpc::proto::{ProcessRequest, process_request};

use textpipe::grpc::proto::ProcessStreamRequest;
use textpipe::grpc::proto::process_stream_request::Content;
use tokio_stream::StreamExt;

use crate::binary::Served;
use crate::helpers::{STREAM_INPUT_BYTES, big_page, channel, stream_item, wait_for_metric};

fn process(html: &str) -> ProcessRequest {
    ProcessRequest {
        content: Some(process_request::Content::Html(html.to_owned())),
        ..Default::default()
    }
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "sized to debug-build speed; run the tests in the default profile (see README)"
)]
async fn a_call_its_client_cancels_stops_using_the_servers_cpu() {
    let server = Served::start(&[]).await;
    let mut client = TextPipeServiceClient::new(channel(server.addr).await);
    let page = big_page(20_000);

    // What the whole call costs the server.
    let before = server.cpu_ticks();
    let started = Instant::now();
    client.process(process(&page)).await.expect("call answers");
    let whole_wall = started.elapsed();
    let whole = server.cpu_ticks() - before;
    assert!(
        whole >= 20,
        "the call must take a while to tell: {whole} ticks"
    );

    // The same call, given up by the client (RST_STREAM) a fifth of the way in.
    let before = server.cpu_ticks();
    let give_up = whole_wall / 5;
    let gave_up = tokio::time::timeout(give_up, client.process(process(&page))).await;
    assert!(gave_up.is_err(), "the client gave up before the answer");
    // Long enough for the work to have run to its end had it not stopped.
    tokio::time::sleep(whole_wall + Duration::from_millis(200)).await;
    let spent = server.cpu_ticks() - before;
    assert!(
        spent * 2 < whole,
        "the cancelled call used {spent} ticks of CPU; the whole call uses {whole}"
    );

    // The server is none the worse: the next call answers.
    client.process(process(&page)).await.expect("call answers");
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "sized to debug-build speed; run the tests in the default profile (see README)"
)]
async fn a_stream_whose_client_vanishes_stops_the_work_of_its_items() {
    // Both slots of the stream busy, so the server is waiting for an item
    // to finish, not reading the stream, when the client goes.
    let server = Served::start(&[
        "--metrics-listen",
        "127.0.0.1:0",
        "--stream-in-flight",
        "2",
        "--workers",
        "2",
        "--max-concurrent-requests",
        "2",
    ])
    .await;
    let metrics = server.metrics_addr.expect("metrics on");
    let page = big_page(20_000);
    let items = || ["a", "b"].map(|id| stream_item(id, Some(Content::Html(page.clone()))));

    // What the two items cost the server when run to the end.
    let mut client = TextPipeServiceClient::new(channel(server.addr).await);
    let before = server.cpu_ticks();
    let started = Instant::now();
    let answers: Vec<_> = client
        .process_stream(tokio_stream::iter(items()))
        .await
        .expect("stream opens")
        .into_inner()
        .collect()
        .await;
    let whole_wall = started.elapsed();
    let whole = server.cpu_ticks() - before;
    assert!(
        answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|a| a.error.is_none()))
    );
    assert!(
        whole >= 20,
        "the items must take a while to tell: {whole} ticks"
    );

    // The same items on a stream whose client dies (its connection closes
    // with no RST_STREAM) once both are being worked on.
    let admitted = 2.0 * (page.len() as f64);
    let vanishing = vanishing_client(server.addr, items().to_vec());
    wait_for_metric(metrics, STREAM_INPUT_BYTES, 2.0 * admitted).await;
    let before = server.cpu_ticks();
    vanishing.die();
    // Long enough for the work to have run to its end had it not stopped.
    tokio::time::sleep(whole_wall + Duration::from_millis(500)).await;
    let spent = server.cpu_ticks() - before;
    assert!(
        spent * 2 < whole,
        "after the client went the items used {spent} ticks; run to the end they use {whole}"
    );

    // The admission slots are back: a call needing one is admitted.
    client.process(process(&page)).await.expect("call answers");
}

/// A client on a runtime of its own, as in another process: it opens a
/// ProcessStream, sends `items` and keeps the stream open until it dies.
struct VanishingClient {
    die: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

fn vanishing_client(
    addr: std::net::SocketAddr,
    items: Vec<ProcessStreamRequest>,
) -> VanishingClient {
    let (die, died) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        runtime.block_on(async move {
            let mut client = TextPipeServiceClient::new(channel(addr).await);
            let (tx, rx) = tokio::sync::mpsc::channel(items.len());
            for item in items {
                tx.send(item).await.expect("queued");
            }
            let answers = client
                .process_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
                .await
                .expect("stream opens");
            let _ = died.await;
            // No goodbye: no end of stream, no reset; the runtime's end closes the socket.
            std::mem::forget((client, tx, answers));
        });
    });
    VanishingClient { die, thread }
}

impl VanishingClient {
    fn die(self) {
        let _ = self.die.send(());
        self.thread.join().expect("client thread joins");
    }
}
