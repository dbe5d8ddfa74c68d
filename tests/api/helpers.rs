//! `spawn_app`: the real application, bound to 127.0.0.1:0, stopped through
//! a oneshot instead of a signal.

use std::net::SocketAddr;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use textpipe::config::{MetricsListen, Settings};
use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::startup::Application;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) metrics_addr: Option<SocketAddr>,
    pub(crate) client: TextPipeServiceClient<Channel>,
    pub(crate) health: HealthClient<Channel>,
    stop: Option<oneshot::Sender<()>>,
    pub(crate) server: JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    /// Sends the stop signal (what SIGTERM does in production).
    pub(crate) fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// A fresh connection of its own (calls on it are independent streams).
    pub(crate) async fn new_client(&self) -> TextPipeServiceClient<Channel> {
        TextPipeServiceClient::new(channel(self.addr).await)
    }
}

/// HTTP/2 straight over hyper, without tonic's Channel stack: it honours no
/// `grpc-timeout` of its own, so the status a caller sees is the server's.
pub(crate) type RawChannel = Client<HttpConnector, tonic::body::Body>;

pub(crate) fn raw_client(addr: SocketAddr) -> TextPipeServiceClient<RawChannel> {
    let http = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let origin = format!("http://{addr}").parse().expect("valid uri");
    TextPipeServiceClient::with_origin(http, origin)
}

pub(crate) async fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .connect()
        .await
        .expect("server accepts connections once bound")
}

/// Starts the app with test-friendly settings, adjusted by `tweak`.
pub(crate) async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().expect("literal address"),
        metrics_listen: MetricsListen(Some("127.0.0.1:0".parse().expect("literal address"))),
        shutdown_grace_ms: 5_000,
        ..Settings::default()
    };
    tweak(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("app builds and binds");
    let addr = app.local_addr();
    let metrics_addr = app.metrics_addr();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stop_rx.await;
    }));
    let channel = channel(addr).await;
    TestApp {
        addr,
        metrics_addr,
        client: TextPipeServiceClient::new(channel.clone()),
        health: HealthClient::new(channel),
        stop: Some(stop_tx),
        server,
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A self-written news-like article of a few paragraphs.
pub(crate) const ARTICLE: &str = "The river authority opened the new flood gates on Tuesday after three years of construction.\n\n\
Engineers said the gates can hold back water two metres higher than the old barrier, which failed twice last decade.\n\n\
Residents of the lower town, who were evacuated during the last flood, welcomed the news but asked for a warning system as well.\n\n\
The authority expects the project to pay for itself within fifteen years through avoided damage.";

/// A self-written HTML page: navigation, an article, a share bar, a footer.
pub(crate) const PAGE: &str = r#"<!DOCTYPE html><html><head><title>New flood gates open | Valley Daily</title>
<script>var tracking = "do not show this";</script><style>p { color: red }</style></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>New flood gates open</h1>
<p>The river authority opened the new flood gates on Tuesday after three years of construction, ending a long period of uncertainty for the valley.</p>
<p>Engineers said the gates can hold back water two metres higher than the old barrier, which failed twice during the last decade and flooded hundreds of homes.</p>
<p>Residents of the lower town, who were evacuated during the last flood, welcomed the news but asked the authority for a warning system as well.</p>
</article>
<div class="share-bar"><a href="/s/fb">Share on Facebook</a> <a href="/s/tw">Share on Twitter</a></div>
<footer><p>&copy; 2026 Valley Daily. All rights reserved.</p></footer></body></html>"#;

/// A large HTML document: many paragraphs, for calls that must take a
/// while (20,000 paragraphs is about 3 MB, under the 4 MiB default limit).
pub(crate) fn big_page(paragraphs: usize) -> String {
    let mut page = String::from("<html><body><article>");
    for i in 0..paragraphs {
        page.push_str(&format!(
            "<p>Paragraph {i} reports that the council met again to discuss the budget, and members argued about roads, schools and the new library for a long time.</p>"
        ));
    }
    page.push_str("</article></body></html>");
    page
}

/// The result of a slow `Process` call running in the background.
pub(crate) type SlowCall =
    JoinHandle<Result<tonic::Response<textpipe::grpc::proto::ProcessResponse>, tonic::Status>>;

/// On a server with one admission slot, starts a slow `Process` call and
/// returns once it holds the slot, proven by a quick probe being shed.
/// Returns the slow call and the probe's status.
pub(crate) async fn occupy_only_slot(app: &mut TestApp) -> (SlowCall, tonic::Status) {
    use textpipe::grpc::proto::{DetectLanguageRequest, ProcessRequest, process_request};
    let start_slow = |mut client: TextPipeServiceClient<Channel>| {
        tokio::spawn(async move {
            client
                .process(ProcessRequest {
                    content: Some(process_request::Content::Html(big_page(20_000))),
                    ..Default::default()
                })
                .await
        })
    };
    let mut slow = start_slow(app.new_client().await);
    loop {
        let probe = app
            .client
            .detect_language(DetectLanguageRequest {
                text: "probe".into(),
                allowed_languages: vec![],
                segments: false,
            })
            .await;
        if let Err(status) = probe {
            return (slow, status);
        }
        if slow.is_finished() {
            // The probe may have held the slot when the slow call arrived; try again.
            let result = (&mut slow).await.expect("slow call task joins");
            match result {
                Err(status) if status.code() == tonic::Code::ResourceExhausted => {
                    slow = start_slow(app.new_client().await);
                }
                other => panic!("slow call ended before it was seen in flight: {other:?}"),
            }
        }
    }
}

/// Reads a ProcessStream answer to its end: the answers, and the status
/// it ended with (None when it ended cleanly).
pub(crate) async fn answers_and_end(
    stream: &mut tonic::Streaming<textpipe::grpc::proto::ProcessStreamResponse>,
) -> (
    Vec<textpipe::grpc::proto::ProcessStreamResponse>,
    Option<tonic::Status>,
) {
    let mut answers = Vec::new();
    loop {
        match stream.message().await {
            Ok(Some(answer)) => answers.push(answer),
            Ok(None) => return (answers, None),
            Err(status) => return (answers, Some(status)),
        }
    }
}

/// Reads a ProcessStream answer until it fails: the ids answered before
/// the error, and the error. Panics if the stream ends cleanly.
pub(crate) async fn ids_until_error(
    stream: &mut tonic::Streaming<textpipe::grpc::proto::ProcessStreamResponse>,
) -> (Vec<String>, tonic::Status) {
    let (answers, end) = answers_and_end(stream).await;
    let ids: Vec<String> = answers.into_iter().map(|a| a.id).collect();
    let status = end.unwrap_or_else(|| panic!("stream ended without an error after {ids:?}"));
    (ids, status)
}

/// One HTTP/1.1 GET; returns the status line and the body.
pub(crate) async fn get(addr: SocketAddr, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("metrics port accepts");
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .await
        .expect("response read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers end");
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, body.to_owned())
}

/// The value of one series on the metrics endpoint (`name{labels}` as
/// printed), or 0 when it has not been recorded yet.
pub(crate) async fn metric(addr: SocketAddr, series: &str) -> f64 {
    let (_, body) = get(addr, "/metrics").await;
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

/// Polls a metrics series until it reaches `at_least` (a sign of work the
/// server has started), or panics after a minute.
pub(crate) async fn wait_for_metric(addr: SocketAddr, series: &str, at_least: f64) {
    let waiting = async {
        while metric(addr, series).await < at_least {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), waiting)
        .await
        .unwrap_or_else(|_| panic!("{series} never reached {at_least}"));
}

/// The series that counts the input bytes of admitted ProcessStream items.
pub(crate) const STREAM_INPUT_BYTES: &str = r#"textpipe_input_bytes_total{method="ProcessStream"}"#;

/// One ProcessStream item.
pub(crate) fn stream_item(
    id: &str,
    content: Option<textpipe::grpc::proto::process_stream_request::Content>,
) -> textpipe::grpc::proto::ProcessStreamRequest {
    textpipe::grpc::proto::ProcessStreamRequest {
        id: id.into(),
        content,
        ..Default::default()
    }
}
