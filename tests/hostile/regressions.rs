//! Inputs the fuzz targets (fuzz/) found breaking an invariant, kept as
//! tests once fixed. Each names the target and what broke.

use textpipe::pipeline::{Language, Pipeline};

fn langs(codes: &[&str]) -> Vec<Language> {
    codes
        .iter()
        .filter_map(|c| Language::from_code(c))
        .collect()
}

/// detect: emoji and control bytes around one CJK compatibility ideograph,
/// with `allowed = [en, de, fr]`, answered Japanese: whatlang decides a
/// Han-only text by its script and ignores its allow-list.
#[test]
fn detection_never_answers_outside_the_allow_list() {
    let raw: &[u8] = &[
        0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18,
        0x99, 0x82, 0xf0, 0x9f, 0x8e, 0x89, 0x20, 0x23, 0xf0, 0x9f, 0x91, 0x8d, 0x18, 0x99, 0x82,
        0xf0, 0x9f, 0x8e, 0x89, 0x20, 0x23, 0xf0, 0x9f, 0x91, 0x8d, 0xf0, 0x9f, 0x8f, 0xbd, 0xe2,
        0x9d, 0xa4, 0xef, 0xa8, 0x8f, 0x20, 0xf0, 0x2e, 0x20, 0x3f, 0x21,
    ];
    let text = String::from_utf8_lossy(raw);
    let allowed = langs(&["en", "de", "fr"]);
    let p = Pipeline::new();
    let d = p.detect(&text, &allowed).expect("has content");
    for c in d.best.iter().chain(&d.alternatives) {
        assert!(
            allowed.contains(&c.language),
            "{:?} not allowed",
            c.language
        );
    }
    // Other texts in one script whatlang decides alone.
    for text in [
        "東京都の天気",
        "北京欢迎你",
        "서울 날씨",
        "ひらがな",
        "\u{fa0f}",
    ] {
        let d = p.detect(text, &allowed).expect("has content");
        for c in d.best.iter().chain(&d.alternatives) {
            assert!(allowed.contains(&c.language), "{text}: {d:?}");
        }
    }
}

/// summarize (proptest, then the fuzz target): with `order: Score` every
/// sentence ranked after one that follows it in the text was dropped, as
/// offsets were counted in the output order ("the . 市議会は" with two
/// sentences asked came back with one).
#[test]
fn score_order_returns_the_same_sentences_as_document_order() {
    use textpipe::pipeline::{Document, Order, SummaryOptions};
    let p = Pipeline::new();
    let text = "The weather was fine.\n\nThe council met on Tuesday to approve the new budget for roads and schools.\n\nIt rained later.";
    for text in [text, "the . 市議会は"] {
        let by_score = SummaryOptions {
            max_sentences: 3,
            order: Order::Score,
            ..SummaryOptions::default()
        };
        let by_document = SummaryOptions {
            order: Order::Document,
            ..by_score.clone()
        };
        let ranked = p
            .summarize(Document::Text(text), None, &by_score)
            .expect("runs");
        let in_order = p
            .summarize(Document::Text(text), None, &by_document)
            .expect("runs");
        assert_eq!(ranked.sentences.len(), in_order.sentences.len(), "{text:?}");
        for s in &ranked.sentences {
            assert!(in_order.sentences.contains(s), "{s:?} of {text:?}");
        }
        // Ranked by score, best first.
        for w in ranked.sentences.windows(2) {
            assert!(w[0].score >= w[1].score, "{w:?}");
        }
    }
}
