//! ProcessStream: results per id; a bad item does not end the stream.

use std::collections::HashMap;

use textpipe::grpc::proto::process_stream_request::Content;
use tokio_stream::StreamExt;

use crate::helpers::{ARTICLE, PAGE, spawn_app, stream_item};

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
