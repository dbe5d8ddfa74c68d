//! A call whose client goes away stops its work: the server's CPU is
//! freed, not spent to the deadline on an answer nobody reads.

use std::time::{Duration, Instant};

use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::grpc::proto::{ProcessRequest, process_request};

use crate::binary::Served;
use crate::helpers::{big_page, channel};

fn process(html: &str) -> ProcessRequest {
    ProcessRequest {
        content: Some(process_request::Content::Html(html.to_owned())),
        ..Default::default()
    }
}

#[tokio::test]
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
