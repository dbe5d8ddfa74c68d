//! The Prometheus endpoint serves on its own port and counts real calls.

use crate::helpers::{ARTICLE, PAGE, get, occupy_only_slot, spawn_app, spawn_app_with};
use textpipe::grpc::proto::{DetectLanguageRequest, ProcessRequest, process_request};

fn detect(text: &str) -> DetectLanguageRequest {
    DetectLanguageRequest {
        text: text.into(),
        allowed_languages: vec![],
        segments: false,
    }
}

#[tokio::test]
async fn metrics_count_calls_by_method_and_code() {
    let mut app = spawn_app().await;
    let metrics = app.metrics_addr.expect("metrics are on in tests");
    app.client
        .detect_language(detect(ARTICLE))
        .await
        .expect("detect works");
    app.client
        .detect_language(detect(ARTICLE))
        .await
        .expect("detect works");
    app.client
        .detect_language(detect("   "))
        .await
        .expect_err("blank text is refused");
    app.client
        .process(ProcessRequest {
            content: Some(process_request::Content::Html(PAGE.into())),
            ..Default::default()
        })
        .await
        .expect("process works");

    let (status, body) = get(metrics, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    for line in [
        r#"textpipe_calls_total{method="DetectLanguage",code="OK"} 2"#,
        r#"textpipe_calls_total{method="DetectLanguage",code="INVALID_ARGUMENT"} 1"#,
        r#"textpipe_calls_total{method="Process",code="OK"} 1"#,
        r#"textpipe_call_duration_seconds_count{method="DetectLanguage"} 3"#,
        r#"textpipe_stage_duration_seconds_count{stage="strip"} 1"#,
        r#"textpipe_stage_duration_seconds_count{stage="summarize"} 1"#,
        // Two detections of their own plus the one inside Process.
        r#"textpipe_stage_duration_seconds_count{stage="detect"} 3"#,
        "textpipe_calls_in_flight 0",
        "textpipe_build_info{version=",
    ] {
        assert!(body.contains(line), "missing {line:?} in:\n{body}");
    }
    // The blank text's three bytes arrived too, refused or not.
    let detect_bytes = 2 * ARTICLE.len() + 3;
    assert!(
        body.contains(&format!(
            r#"textpipe_input_bytes_total{{method="DetectLanguage"}} {detect_bytes}"#
        )),
        "{body}"
    );

    let (status, _) = get(metrics, "/elsewhere").await;
    assert!(status.contains("404"), "{status}");
    app.stop();
}

#[tokio::test]
async fn shed_calls_are_counted() {
    let mut app = spawn_app_with(|s| s.max_concurrent_requests = 1).await;
    let metrics = app.metrics_addr.expect("metrics are on in tests");
    let (slow, _shed) = occupy_only_slot(&mut app).await;
    let (_, body) = get(metrics, "/metrics").await;
    assert!(
        body.contains(r#"textpipe_calls_shed_total{method="DetectLanguage"} 1"#),
        "{body}"
    );
    assert!(body.contains("textpipe_calls_in_flight 1"), "{body}");
    slow.await.expect("task joins").expect("slow call succeeds");
    app.stop();
}
