//! Every RPC answers ordinary input with real results.

use textpipe::grpc::proto::{
    DetectLanguageRequest, ProcessRequest, RemovalReason, StripBoilerplateRequest,
    SummarizeOptions, SummarizeRequest, process_request, strip_boilerplate_request,
    summarize_request,
};

use crate::helpers::{ARTICLE, PAGE, spawn_app};

#[tokio::test]
async fn detect_language_names_the_language_in_every_form() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "Die Stadtverwaltung hat am Dienstag die neuen Schleusentore geöffnet, nach drei Jahren Bauzeit.".into(),
            allowed_languages: vec![],
            segments: false,
        })
        .await
        .expect("detect succeeds")
        .into_inner();
    let lang = resp.language.expect("language is always set");
    assert_eq!(lang.code, "de");
    assert_eq!(lang.alpha3, "deu");
    assert_eq!(lang.name, "German");
    assert_eq!(lang.script, "Latin");
    assert!(
        lang.confidence > 0.5 && lang.confidence <= 1.0,
        "{}",
        lang.confidence
    );
    assert!(lang.reliable);
    assert!(
        resp.alternatives
            .iter()
            .all(|a| a.code != "de" && !a.reliable)
    );
    app.stop();
}

#[tokio::test]
async fn detect_language_without_evidence_is_und_not_an_error() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "12 345 678 -- 90 %".into(),
            allowed_languages: vec![],
            segments: false,
        })
        .await
        .expect("undetermined is a normal answer")
        .into_inner();
    let lang = resp.language.expect("language is always set");
    assert_eq!(lang.code, "und");
    assert!(!lang.reliable);
    app.stop();
}

#[tokio::test]
async fn detect_language_honours_the_allow_list() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .detect_language(DetectLanguageRequest {
            text: "Het gemeentebestuur opende dinsdag de nieuwe sluisdeuren na drie jaar bouwen."
                .into(),
            allowed_languages: vec!["en".into(), "fra".into()],
            segments: false,
        })
        .await
        .expect("detect succeeds")
        .into_inner();
    let lang = resp.language.expect("language is always set");
    assert!(["en", "fr"].contains(&lang.code.as_str()), "{}", lang.code);
    assert!(
        resp.alternatives
            .iter()
            .all(|a| a.code == "en" || a.code == "fr")
    );
    app.stop();
}

#[tokio::test]
async fn strip_boilerplate_keeps_the_article_and_drops_the_chrome() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .strip_boilerplate(StripBoilerplateRequest {
            content: Some(strip_boilerplate_request::Content::Html(PAGE.into())),
            options: None,
        })
        .await
        .expect("strip succeeds")
        .into_inner();
    assert!(
        resp.text.contains("opened the new flood gates on Tuesday"),
        "{}",
        resp.text
    );
    assert!(
        resp.text
            .contains("asked the authority for a warning system")
    );
    for junk in [
        "tracking",
        "color: red",
        "Share on Facebook",
        "All rights reserved",
        "Sport",
    ] {
        assert!(
            !resp.text.contains(junk),
            "{junk:?} leaked into {:?}",
            resp.text
        );
    }
    assert!(
        resp.text.contains("\n\n"),
        "paragraphs are separated by blank lines"
    );
    assert!(
        resp.title.contains("New flood gates open"),
        "{}",
        resp.title
    );
    assert!(!resp.removed_blocks.is_empty());
    assert!(
        resp.removed_blocks
            .iter()
            .all(|b| b.reason != RemovalReason::Unspecified as i32)
    );
    app.stop();
}

#[tokio::test]
async fn strip_boilerplate_on_clean_text_keeps_every_paragraph() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .strip_boilerplate(StripBoilerplateRequest {
            content: Some(strip_boilerplate_request::Content::Text(ARTICLE.into())),
            options: None,
        })
        .await
        .expect("strip succeeds")
        .into_inner();
    for para in ARTICLE.split("\n\n") {
        assert!(resp.text.contains(para.trim()), "lost {para:?}");
    }
    app.stop();
}

#[tokio::test]
async fn summarize_returns_verbatim_sentences_with_true_offsets() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            max_sentences: 2,
            language: String::new(),
            ..Default::default()
        })
        .await
        .expect("summarize succeeds")
        .into_inner();
    assert_eq!(resp.sentences.len(), 2);
    assert_eq!(resp.language.expect("language is set").code, "en");
    let mut last_index = None;
    for s in &resp.sentences {
        let (start, len) = (s.byte_offset as usize, s.byte_length as usize);
        assert_eq!(&ARTICLE[start..start + len], s.text);
        let chars: String = ARTICLE
            .chars()
            .skip(s.char_offset as usize)
            .take(s.char_length as usize)
            .collect();
        assert_eq!(chars, s.text);
        assert!((0.0..=1.0).contains(&s.score));
        assert!(last_index < Some(s.index), "document order");
        last_index = Some(s.index);
    }
    app.stop();
}

#[tokio::test]
async fn summarize_uses_the_language_hint() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            max_sentences: 1,
            language: "fr".into(),
            ..Default::default()
        })
        .await
        .expect("summarize succeeds")
        .into_inner();
    assert_eq!(resp.language.expect("language is set").code, "fr");
    assert_eq!(resp.sentences.len(), 1);
    app.stop();
}

#[tokio::test]
async fn process_runs_every_stage_and_echoes_the_id() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .process(ProcessRequest {
            id: "page-1".into(),
            content: Some(process_request::Content::Html(PAGE.into())),
            summarize: Some(SummarizeOptions {
                max_sentences: 2,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("process succeeds")
        .into_inner();
    assert_eq!(resp.id, "page-1");
    assert!(resp.text.contains("flood gates"));
    assert!(!resp.text.contains("Share on Facebook"));
    assert_eq!(resp.language.expect("language is set").code, "en");
    assert!(!resp.sentences.is_empty() && resp.sentences.len() <= 2);
    for s in &resp.sentences {
        let start = s.byte_offset as usize;
        assert_eq!(
            &resp.text[start..start + s.byte_length as usize],
            s.text,
            "offsets refer to the stripped text"
        );
    }
    app.stop();
}

#[tokio::test]
async fn summarize_honours_a_word_budget_and_score_order() {
    let mut app = spawn_app().await;
    let resp = app
        .client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(ARTICLE.into())),
            max_sentences: 10,
            max_words: 25,
            order: textpipe::grpc::proto::SentenceOrder::Score as i32,
            ..Default::default()
        })
        .await
        .expect("summarize succeeds")
        .into_inner();
    assert!(!resp.sentences.is_empty());
    let words: usize = resp
        .sentences
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .sum();
    assert!(words <= 25, "{words} words over a budget of 25");
    assert!(
        resp.sentences.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
    app.stop();
}

const PAGE_WITH_COMMENTS: &str = r#"<!DOCTYPE html><html lang="en-GB"><head><title>Bridge reopens</title>
<meta name="author" content="Ada Writer"><link rel="canonical" href="https://example.org/bridge">
<meta property="og:site_name" content="Example Gazette">
<meta property="og:description" content="The river crossing is open again after a year of repairs."></head><body>
<article><h1>Bridge reopens</h1>
<p>The old stone bridge over the river reopened to traffic on Monday after a year of careful repairs to its arches and its foundations.</p>
<figure><img src="bridge.jpg"><figcaption>The bridge on the morning it reopened</figcaption></figure>
<p>Engineers replaced more than two hundred stones and strengthened the piers so that buses can cross it again without any weight limit.</p>
<pre>load_limit:
    buses: none</pre>
<table><tr><th>Part</th><th>Stones replaced</th></tr><tr><td>North arch</td><td>120</td></tr><tr><td>South arch</td><td>85</td></tr></table>
</article>
<section class="comments" id="comments"><h3>3 comments</h3>
<div class="comment"><p>Great to have the bridge back, my commute is twenty minutes shorter again and the buses run on time.</p></div>
</section></body></html>"#;

#[tokio::test]
async fn strip_reports_page_metadata_and_honours_keep_comments_and_captions() {
    use textpipe::grpc::proto::StripOptions;
    let mut app = spawn_app().await;
    let strip = |keep_comments, keep_captions| {
        let mut client = app.client.clone();
        async move {
            client
                .strip_boilerplate(StripBoilerplateRequest {
                    content: Some(strip_boilerplate_request::Content::Html(
                        PAGE_WITH_COMMENTS.into(),
                    )),
                    options: Some(StripOptions {
                        keep_comments,
                        keep_captions,
                        ..Default::default()
                    }),
                })
                .await
                .expect("strip succeeds")
                .into_inner()
        }
    };
    let plain = strip(false, false).await;
    let meta = plain.metadata.clone().expect("the page states metadata");
    assert_eq!(meta.author, "Ada Writer");
    assert_eq!(meta.canonical_url, "https://example.org/bridge");
    assert_eq!(meta.site_name, "Example Gazette");
    assert_eq!(meta.language, "en");
    assert_eq!(
        meta.description,
        "The river crossing is open again after a year of repairs."
    );
    assert!(plain.text.contains("stone bridge"));
    // Preformatted text keeps its line breaks and indentation.
    assert!(
        plain.text.contains("\n\nload_limit:\n    buses: none\n\n"),
        "{:?}",
        plain.text
    );
    // A table row is one line, its cells separated by tabs.
    assert!(
        plain.text.contains("\n\nNorth arch\t120\n\n"),
        "{:?}",
        plain.text
    );
    assert!(
        !plain.text.contains("commute"),
        "comments are dropped by default"
    );
    assert!(
        !plain.text.contains("morning it reopened"),
        "captions are dropped by default"
    );
    let with_comments = strip(true, false).await;
    assert!(
        with_comments.text.contains("commute"),
        "{}",
        with_comments.text
    );
    assert!(!with_comments.text.contains("morning it reopened"));
    let with_captions = strip(false, true).await;
    assert!(
        with_captions
            .text
            .contains("The bridge on the morning it reopened"),
        "{}",
        with_captions.text
    );
    assert!(!with_captions.text.contains("commute"));
    app.stop();
}

#[tokio::test]
async fn detect_splits_mixed_text_into_language_segments_on_request() {
    let mut app = spawn_app().await;
    let english = "The old lighthouse keeper walked along the beach every morning before sunrise. ";
    let german =
        "Danach trank er seinen Kaffee in der kleinen Küche und las die Zeitung von gestern.";
    let text = format!("{english}{german}");
    let response = app
        .client
        .detect_language(DetectLanguageRequest {
            text: text.clone(),
            allowed_languages: vec![],
            segments: true,
        })
        .await
        .expect("detect works")
        .into_inner();
    let codes: Vec<&str> = response.segments.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["en", "de"], "{:?}", response.segments);
    let second = &response.segments[1];
    let start = second.byte_offset as usize;
    // The switch lands on the first German word, give or take the space.
    assert_eq!(text[start..].trim_start().split(' ').next(), Some("Danach"));
    assert_eq!(
        second.char_offset as usize,
        text[..start].chars().count(),
        "char offset matches the byte offset"
    );
    assert_eq!(start + second.byte_length as usize, text.len());
    // Without the flag, no segments are computed.
    let plain = app
        .client
        .detect_language(DetectLanguageRequest {
            text,
            allowed_languages: vec![],
            segments: false,
        })
        .await
        .expect("detect works")
        .into_inner();
    assert!(plain.segments.is_empty());
    app.stop();
}
