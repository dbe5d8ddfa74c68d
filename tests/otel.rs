//! Span export (cargo feature `otel`): the real server, set up the way
//! `textpipe serve` sets it up, exports to a collector in this test (a bare
//! OTLP/HTTP endpoint on port 0 that keeps every POST). Its own binary, since
//! the tracing subscriber is process-global.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code may panic

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use prost::Message;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use textpipe::config::{MetricsListen, OtelEndpoint, Settings};
use textpipe::grpc::proto;
use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::startup::Application;
use textpipe::telemetry::Telemetry;

/// Just the parts of OTLP's `ExportTraceServiceRequest` the test reads
/// (field numbers from opentelemetry-proto's trace and common protos; prost
/// skips the rest).
mod otlp {
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ExportTraceServiceRequest {
        #[prost(message, repeated, tag = "1")]
        pub(crate) resource_spans: Vec<ResourceSpans>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ResourceSpans {
        #[prost(message, optional, tag = "1")]
        pub(crate) resource: Option<Resource>,
        #[prost(message, repeated, tag = "2")]
        pub(crate) scope_spans: Vec<ScopeSpans>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Resource {
        #[prost(message, repeated, tag = "1")]
        pub(crate) attributes: Vec<KeyValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ScopeSpans {
        #[prost(message, repeated, tag = "2")]
        pub(crate) spans: Vec<Span>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Span {
        #[prost(string, tag = "5")]
        pub(crate) name: String,
        #[prost(message, repeated, tag = "9")]
        pub(crate) attributes: Vec<KeyValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct KeyValue {
        #[prost(string, tag = "1")]
        pub(crate) key: String,
        #[prost(message, optional, tag = "2")]
        pub(crate) value: Option<AnyValue>,
    }

    /// A oneof on the wire; two of its cases are enough here.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct AnyValue {
        #[prost(string, optional, tag = "1")]
        pub(crate) string_value: Option<String>,
        #[prost(int64, optional, tag = "3")]
        pub(crate) int_value: Option<i64>,
    }

    pub(crate) fn string<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
        attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref()?.string_value.as_deref())
    }

    /// An integer attribute; tracing-opentelemetry sends unsigned fields
    /// (`u64`, `usize`) recorded after the span started as decimal strings.
    pub(crate) fn number(attributes: &[KeyValue], key: &str) -> Option<i64> {
        let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
        value
            .int_value
            .or_else(|| value.string_value.as_deref()?.parse().ok())
    }
}

/// One POST the collector received.
struct Post {
    path: String,
    content_type: String,
    body: Bytes,
}

/// A minimal OTLP/HTTP collector: answers every POST with an empty
/// (successful) export response and keeps what was sent.
async fn collector() -> (SocketAddr, Arc<Mutex<Vec<Post>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound address");
    let posts = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&posts);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let kept = Arc::clone(&kept);
            let service = service_fn(move |request: Request<Incoming>| {
                let kept = Arc::clone(&kept);
                async move {
                    let path = request.uri().path().to_owned();
                    let content_type = request
                        .headers()
                        .get(hyper::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let body = request
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    kept.lock().expect("not poisoned").push(Post {
                        path,
                        content_type,
                        body,
                    });
                    Ok::<_, Infallible>(
                        Response::builder()
                            .header(hyper::header::CONTENT_TYPE, "application/x-protobuf")
                            .body(Full::new(Bytes::new()))
                            .expect("valid response"),
                    )
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, posts)
}

const DOCUMENT: &str =
    "Der Bäcker am Marktplatz backt jeden Morgen frische Mohnbrötchen für die Nachbarschaft.";
const HTML: &str = "<html><body><nav>Startseite</nav><p>Quokkas wohnen auf Rottnest Island und lächeln gern in jede Kamera.</p></body></html>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_spans_reach_the_collector_with_method_and_without_text() {
    let (collector_addr, posts) = collector().await;
    let settings = Settings {
        listen: "127.0.0.1:0".parse().expect("literal address"),
        metrics_listen: MetricsListen(None),
        shutdown_grace_ms: 5_000,
        log: "info".to_owned(),
        otel_endpoint: Some(OtelEndpoint(format!("http://{collector_addr}/"))),
        ..Settings::default()
    };
    let telemetry = Telemetry::init(&settings).expect("exporter builds");

    let app = Application::build(settings).await.expect("app binds");
    let addr = app.local_addr();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stop_rx.await;
    }));
    let mut client = TextPipeServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("server accepts connections");
    let detected = client
        .detect_language(proto::DetectLanguageRequest {
            text: DOCUMENT.to_owned(),
            ..Default::default()
        })
        .await
        .expect("DetectLanguage answers")
        .into_inner();
    assert_eq!(detected.language.expect("a language").code, "de");
    client
        .process(proto::ProcessRequest {
            id: "doc-1".to_owned(),
            content: Some(proto::process_request::Content::Html(HTML.to_owned())),
            ..Default::default()
        })
        .await
        .expect("Process answers");
    drop(client);
    let _ = stop_tx.send(());
    server
        .await
        .expect("server task joins")
        .expect("clean stop");

    // What `textpipe serve` does at exit. The batch processor's delay is 5 s,
    // so what arrives here before that was sent by this flush.
    tokio::task::spawn_blocking(move || telemetry.shutdown())
        .await
        .expect("shutdown joins");

    let posts = posts.lock().expect("not poisoned");
    assert!(!posts.is_empty(), "the collector received no export");
    let mut rpc_spans = Vec::new();
    for post in posts.iter() {
        assert_eq!(post.path, "/v1/traces");
        assert_eq!(post.content_type, "application/x-protobuf");
        // No document text anywhere in what left the process.
        for text in [
            "Mohnbrötchen",
            "Marktplatz",
            "Quokkas",
            "Rottnest",
            "Startseite",
        ] {
            assert!(
                !post.body.windows(text.len()).any(|w| w == text.as_bytes()),
                "an export carries document text ({text})"
            );
        }
        let request = otlp::ExportTraceServiceRequest::decode(post.body.clone())
            .expect("body is an OTLP ExportTraceServiceRequest");
        for resource_spans in request.resource_spans {
            let resource = resource_spans.resource.expect("a resource");
            assert_eq!(
                otlp::string(&resource.attributes, "service.name"),
                Some("textpipe")
            );
            assert_eq!(
                otlp::string(&resource.attributes, "service.version"),
                Some(env!("CARGO_PKG_VERSION"))
            );
            for scope in resource_spans.scope_spans {
                rpc_spans.extend(scope.spans.into_iter().filter(|s| s.name == "rpc"));
            }
        }
    }
    let method = |span: &otlp::Span| otlp::string(&span.attributes, "method").map(str::to_owned);
    let detect = rpc_spans
        .iter()
        .find(|s| method(s).as_deref() == Some("DetectLanguage"))
        .expect("an rpc span of DetectLanguage was exported");
    assert_eq!(
        otlp::number(&detect.attributes, "input_bytes"),
        Some(DOCUMENT.len() as i64),
        "{detect:?}"
    );
    assert!(
        rpc_spans
            .iter()
            .any(|s| method(s).as_deref() == Some("Process")),
        "an rpc span of Process was exported"
    );
}
