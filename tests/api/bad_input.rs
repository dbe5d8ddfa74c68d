//! Bad input gets INVALID_ARGUMENT with a message that says what is wrong.

use textpipe::grpc::proto::{
    DetectLanguageRequest, DetectOptions, ProcessRequest, StripBoilerplateRequest,
    SummarizeRequest, process_request, strip_boilerplate_request, summarize_request,
};
use tonic::Code;

use crate::helpers::{ARTICLE, ids_until_error, spawn_app};

fn assert_invalid(status: &tonic::Status, needle: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().contains(needle),
        "{:?} should mention {needle:?}",
        status.message()
    );
}

#[tokio::test]
async fn empty_and_blank_text_are_refused() {
    let mut app = spawn_app().await;
    for text in ["", "  \n\t "] {
        let err = app
            .client
            .detect_language(DetectLanguageRequest {
                text: text.into(),
                allowed_languages: vec![],
                segments: false,
            })
            .await
            .unwrap_err();
        assert_invalid(&err, "text is empty");
    }
    let err = app
        .client
        .strip_boilerplate(StripBoilerplateRequest {
            content: Some(strip_boilerplate_request::Content::Html(String::new())),
            options: None,
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "html is empty");
    app.stop();
}

#[tokio::test]
async fn missing_content_is_refused() {
    let mut app = spawn_app().await;
    let err = app
        .client
        .strip_boilerplate(StripBoilerplateRequest::default())
        .await
        .unwrap_err();
    assert_invalid(&err, "exactly one of text or html");
    let err = app
        .client
        .summarize(SummarizeRequest::default())
        .await
        .unwrap_err();
    assert_invalid(&err, "exactly one of text or html");
    let err = app
        .client
        .process(ProcessRequest::default())
        .await
        .unwrap_err();
    assert_invalid(&err, "exactly one of text or html");
    app.stop();
}

#[tokio::test]
async fn options_out_of_range_are_refused() {
    let mut app = spawn_app().await;
    let err = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            max_sentences: 1_000_000,
            language: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "max_sentences");
    let err = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            max_sentences: 2,
            language: "xx-nonsense".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "xx-nonsense");
    let err = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "hello there".into(),
            allowed_languages: vec!["qq".into()],
            segments: false,
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "\"qq\"");
    let err = app
        .client
        .process(ProcessRequest {
            content: Some(process_request::Content::Text(ARTICLE.into())),
            detect: Some(DetectOptions {
                allowed_languages: vec!["zz".into()],
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "detect.allowed_languages");
    app.stop();
}

#[tokio::test]
async fn a_huge_language_code_is_refused_without_echoing_it_whole() {
    let mut app = spawn_app().await;
    // The message travels back as a header; a 1 MiB echo would break
    // clients with usual metadata limits and bloat the log line.
    let huge = "abc".repeat(1 << 18);
    let err = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            language: huge.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "unknown language code \"abcabc");
    assert!(err.message().len() < 300, "{} bytes", err.message().len());
    let err = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "hello there".into(),
            allowed_languages: vec!["en".into(), huge],
            segments: false,
        })
        .await
        .unwrap_err();
    assert_invalid(&err, "allowed_languages");
    assert!(err.message().len() < 300, "{} bytes", err.message().len());
    app.stop();
}

#[tokio::test]
async fn hostile_input_never_takes_the_server_down() {
    let mut app = spawn_app().await;
    let deep = "<div>".repeat(100_000);
    let controls: String = (0u8..32)
        .map(char::from)
        .chain("\u{202e}\u{feff}\u{fffd}😀".chars())
        .collect();
    for html in [
        deep.as_str(),
        "<<<>>>&&&;;;<!-- <p",
        controls.as_str(),
        "<p>🙂🙂🙂</p>",
    ] {
        let resp = app
            .client
            .process(ProcessRequest {
                content: Some(process_request::Content::Html(html.into())),
                ..Default::default()
            })
            .await;
        assert!(resp.is_ok(), "{resp:?}");
    }
    // Still serving afterwards.
    let ok = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "still alive and well".into(),
            allowed_languages: vec![],
            segments: false,
        })
        .await;
    assert!(ok.is_ok());
    app.stop();
}

/// `DetectLanguageRequest` as raw bytes on the wire: field 1 carries whatever
/// the test puts there, UTF-8 or not.
#[derive(Clone, PartialEq, prost::Message)]
struct RawDetectRequest {
    #[prost(bytes = "vec", tag = "1")]
    text: Vec<u8>,
}

#[tokio::test]
async fn a_string_that_is_not_utf8_is_invalid_argument() {
    let mut app = spawn_app().await;
    let mut grpc = tonic::client::Grpc::new(crate::helpers::channel(app.addr).await);
    grpc.ready().await.expect("channel ready");
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/textpipe.v1.TextPipeService/DetectLanguage",
    );
    let request = tonic::Request::new(RawDetectRequest {
        text: b"caf\xe9 au lait \xff\xfe".to_vec(),
    });
    let err = grpc
        .unary::<_, textpipe::grpc::proto::DetectLanguageResponse, _>(
            request,
            path,
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("UTF-8"), "{}", err.message());
    // The server is fine afterwards.
    app.client
        .detect_language(DetectLanguageRequest {
            text: ARTICLE.into(),
            allowed_languages: vec![],
            segments: false,
        })
        .await
        .expect("next call works");
    // tonic refused it before the handler; it is counted all the same.
    let metrics = app.metrics_addr.expect("metrics on");
    let series = r#"textpipe_calls_total{method="DetectLanguage",code="INVALID_ARGUMENT"}"#;
    assert_eq!(crate::helpers::metric(metrics, series).await, 1.0);
    app.stop();
}

/// Any request as raw fields: each set field goes on the wire as given,
/// UTF-8 or not, under the tag of a `string` field of the real message.
#[derive(Clone, PartialEq, prost::Message)]
struct RawStrings {
    #[prost(bytes = "vec", optional, tag = "1")]
    f1: Option<Vec<u8>>,
    #[prost(bytes = "vec", optional, tag = "2")]
    f2: Option<Vec<u8>>,
    #[prost(bytes = "vec", optional, tag = "4")]
    f4: Option<Vec<u8>>,
}

#[tokio::test]
async fn a_string_that_is_not_utf8_is_invalid_argument_on_every_method() {
    use textpipe::grpc::proto::{
        ProcessResponse, ProcessStreamResponse, StripBoilerplateResponse, SummarizeResponse,
    };
    use tonic::codegen::http::uri::PathAndQuery;

    let mut app = spawn_app().await;
    let mut grpc = tonic::client::Grpc::new(crate::helpers::channel(app.addr).await);
    let bad = || Some(b"\xc3\x28 caf\xe9 \xed\xa0\x80".to_vec());
    let good = || Some(ARTICLE.as_bytes().to_vec());
    let path = |method: &str| {
        PathAndQuery::try_from(format!("/textpipe.v1.TextPipeService/{method}")).expect("path")
    };

    // StripBoilerplate: `html` (2); Summarize: `language` (4) beside a good
    // `text` (1); Process: `id` (1) beside a good `text` (2).
    let strip = RawStrings {
        f2: bad(),
        ..Default::default()
    };
    grpc.ready().await.expect("ready");
    let err = grpc
        .unary::<_, StripBoilerplateResponse, _>(
            tonic::Request::new(strip),
            path("StripBoilerplate"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    let summarize = RawStrings {
        f1: good(),
        f4: bad(),
        ..Default::default()
    };
    grpc.ready().await.expect("ready");
    let err = grpc
        .unary::<_, SummarizeResponse, _>(
            tonic::Request::new(summarize),
            path("Summarize"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    let process = RawStrings {
        f1: bad(),
        f2: good(),
        ..Default::default()
    };
    grpc.ready().await.expect("ready");
    let err = grpc
        .unary::<_, ProcessResponse, _>(
            tonic::Request::new(process.clone()),
            path("Process"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert!(err.message().contains("UTF-8"), "{}", err.message());

    // ProcessStream: a good item is answered, then the bad one ends the
    // stream with INVALID_ARGUMENT.
    let items = vec![
        RawStrings {
            f1: Some(b"ok".to_vec()),
            f2: good(),
            ..Default::default()
        },
        process,
    ];
    grpc.ready().await.expect("ready");
    let mut stream = grpc
        .streaming::<_, _, ProcessStreamResponse, _>(
            tonic::Request::new(tokio_stream::iter(items)),
            path("ProcessStream"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .expect("stream opens")
        .into_inner();
    let (ids, status) = ids_until_error(&mut stream).await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(ids.iter().all(|id| id == "ok"), "{ids:?}");
    app.stop();
}
