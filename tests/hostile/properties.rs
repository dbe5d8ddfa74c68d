//! Property tests: invariants of every answer, on arbitrary UTF-8 and on
//! generated documents. Case counts are modest so `cargo test` stays quick;
//! the fuzz targets (fuzz/) check the same invariants at volume.

use std::sync::OnceLock;

use proptest::prelude::*;
use textpipe::pipeline::{
    Document, Favor, Order, Pipeline, ProcessOptions, StripOptions, SummaryOptions, SummarySentence,
};

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(Pipeline::new)
}

/// What stripping keeps of a text: everything but whitespace, control
/// characters and zero-width breaks, which only ever become separators.
fn visible(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !(c.is_whitespace() || c.is_control() || matches!(c, '\u{200b}' | '\u{feff}')))
}

/// Whether `needle`'s characters occur in `hay` in the same order.
fn is_subsequence(
    mut needle: impl Iterator<Item = char>,
    mut hay: impl Iterator<Item = char>,
) -> bool {
    needle.all(|c| hay.any(|h| h == c))
}

/// Sentences are verbatim spans of `text` at their offsets, in budget, and
/// do not overlap.
fn check_sentences(text: &str, sentences: &[SummarySentence], opts: &SummaryOptions) {
    assert!(sentences.len() <= opts.max_sentences);
    let mut sorted: Vec<&SummarySentence> = sentences.iter().collect();
    sorted.sort_by_key(|s| s.byte_offset);
    let mut end = 0;
    for s in sorted {
        let range = s.byte_offset..s.byte_offset + s.byte_len;
        assert_eq!(text.get(range.clone()), Some(s.text.as_str()), "{range:?}");
        assert!(range.start >= end, "sentences overlap");
        end = range.end;
        assert_eq!(text[..s.byte_offset].chars().count(), s.char_offset);
        assert_eq!(s.text.chars().count(), s.char_len);
        assert!((0.0..=1.0).contains(&s.score));
    }
}

/// Words of several scripts, punctuation, abbreviations and line breaks:
/// text that exercises sentence splitting and block detection.
fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "the",
        "council",
        "approved",
        "budget",
        "on",
        "Tuesday",
        "Dr.",
        "e.g.",
        "U.S.",
        "3.5",
        "Jan.",
        "der",
        "Stadtrat",
        "hat",
        "le",
        "conseil",
        "a",
        "voté",
        "городской",
        "совет",
        "市議会は",
        "予算を",
        "承認した。",
        "مجلس",
        "नमस्ते",
        "😀",
        "🇩🇪",
        "...",
        "?!",
        "—",
        "«",
        "»",
        "(",
        ")",
        "\"",
        "Share",
        "Home",
        "|",
        "Comments",
        "©",
        "2026",
        ".",
        "!",
        "?",
        "\n",
        "\n\n",
        "\t",
        "\u{a0}",
        "\u{200b}",
        "\u{85}",
        "\0",
        "\r\n",
        "•",
    ])
}

fn prose() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..120).prop_map(|words| words.join(" "))
}

/// Arbitrary UTF-8 or generated prose.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), prose(), "[ -~\n]{0,400}"]
}

fn strip_options() -> impl Strategy<Value = StripOptions> {
    (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(
        |(keep_comments, keep_tables, keep_captions, f)| StripOptions {
            keep_comments,
            keep_tables,
            keep_captions,
            favor: [Favor::Balanced, Favor::Precision, Favor::Recall][usize::from(f)],
        },
    )
}

fn summary_options() -> impl Strategy<Value = SummaryOptions> {
    (
        1usize..12,
        prop::option::of(1usize..80),
        prop::option::of(1usize..600),
        prop::option::of(0.05f64..=1.0),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["budget", "council", "совет"])),
    )
        .prop_map(
            |(max_sentences, max_words, max_chars, ratio, by_score, query)| SummaryOptions {
                max_sentences,
                max_words,
                max_chars,
                ratio,
                order: if by_score {
                    Order::Score
                } else {
                    Order::Document
                },
                query: query.map(str::to_owned),
            },
        )
}

/// A generated HTML page and the text its elements hold, in order. Text
/// has no markup characters, so the page's text is exactly that.
fn page() -> impl Strategy<Value = (String, String)> {
    let tag = prop::sample::select(vec![
        "div",
        "p",
        "span",
        "a",
        "nav",
        "article",
        "footer",
        "aside",
        "section",
        "li",
        "ul",
        "td",
        "tr",
        "table",
        "h1",
        "h2",
        "b",
        "em",
        "blockquote",
        "header",
        "main",
        "form",
        "pre",
        "code",
    ]);
    let class = prop::sample::select(vec![
        "",
        "content",
        "article-body",
        "nav",
        "menu",
        "share",
        "comments",
        "related",
        "footer",
        "sidebar",
        "byline",
        "ad",
        "cookie",
    ]);
    let piece = (tag, class, prose(), any::<bool>());
    prop::collection::vec(piece, 0..40).prop_map(|pieces| {
        let mut html = String::from("<html><body>");
        let mut text = String::new();
        for (tag, class, words, close) in pieces {
            let words = words.replace(['<', '>', '&'], " ");
            html.push_str(&format!("<{tag} class=\"{class}\">{words}"));
            if close {
                html.push_str(&format!("</{tag}>"));
            }
            text.push_str(&words);
            text.push(' ');
        }
        html.push_str("</body></html>");
        (html, text)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// No stage panics on any UTF-8, and only empty input is refused.
    #[test]
    fn no_panic_on_any_utf8(text in any_text(), strip in strip_options(), summary in summary_options()) {
        let p = pipeline();
        let blank = text.trim().is_empty();
        prop_assert_eq!(p.detect(&text, &[]).is_err(), blank);
        prop_assert_eq!(p.segments(&text, &[]).is_err(), blank);
        prop_assert_eq!(p.strip(Document::Text(&text), &strip).is_err(), blank);
        prop_assert_eq!(p.strip(Document::Html(&text), &strip).is_err(), blank);
        let options = ProcessOptions { strip, allowed_languages: Vec::new(), summary };
        for doc in [Document::Text(&text), Document::Html(&text)] {
            prop_assert_eq!(p.summarize(doc, None, &options.summary).is_err(), blank);
            prop_assert_eq!(p.process(doc, &options).is_err(), blank);
        }
    }

    /// Stripped text, kept and removed, is a sub-sequence of the input's
    /// visible characters: stripping drops and separates, never adds or
    /// reorders.
    #[test]
    fn stripped_text_is_a_subsequence_of_the_input(text in any_text(), opts in strip_options()) {
        let Ok(out) = pipeline().strip(Document::Text(&text), &opts) else {
            prop_assert!(text.trim().is_empty());
            return Ok(());
        };
        prop_assert!(is_subsequence(visible(&out.text), visible(&text)), "{:?}", out.text);
        for removed in &out.removed {
            prop_assert!(is_subsequence(visible(&removed.text), visible(&text)));
        }
        prop_assert!(!out.text.chars().any(|c| c.is_control() && c != '\n'), "{:?}", out.text);
    }

    /// The same for HTML: what comes out is a sub-sequence of the page's text.
    #[test]
    fn stripped_html_is_a_subsequence_of_the_pages_text((html, text) in page(), opts in strip_options()) {
        let out = pipeline().strip(Document::Html(&html), &opts).expect("page is not empty");
        prop_assert!(is_subsequence(visible(&out.text), visible(&text)), "{:?}\nfrom {:?}", out.text, text);
        // Line breaks separate paragraphs (and lines of preformatted text),
        // tabs the cells of a table row; no other control character.
        prop_assert!(!out.text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{:?}", out.text);
        crate::fuzz_seeds::fuzz_shared::check_stripped(&out);
    }

    /// Preformatted text of any kind (controls, tabs, CR/LF runs, blank
    /// lines) keeps the output's shape: no empty line, no trailing space,
    /// no control character but line breaks and tabs.
    #[test]
    fn preformatted_text_keeps_the_output_shape(code in any_text(), opts in strip_options()) {
        let html = format!("<body><article><h1>Listing</h1><pre><code>{}</code></pre></article></body>", code.replace(['<', '&'], " "));
        let out = pipeline().strip(Document::Html(&html), &opts).expect("page is not empty");
        crate::fuzz_seeds::fuzz_shared::check_stripped(&out);
        prop_assert!(!out.text.contains("\n\n\n"), "{:?}", out.text);
    }

    /// Summary offsets point at the returned sentences in the text, within
    /// the budget; score order returns the same sentences as document order.
    #[test]
    fn summary_offsets_point_at_the_sentences(text in any_text(), opts in summary_options()) {
        let p = pipeline();
        let Ok(summary) = p.summarize(Document::Text(&text), None, &opts) else {
            prop_assert!(text.trim().is_empty());
            return Ok(());
        };
        prop_assert_eq!(&summary.text, &text);
        check_sentences(&text, &summary.sentences, &opts);
        let by_document = SummaryOptions { order: Order::Document, ..opts.clone() };
        let again = p.summarize(Document::Text(&text), None, &by_document).expect("ran once");
        let mut ranked: Vec<usize> = summary.sentences.iter().map(|s| s.index).collect();
        ranked.sort_unstable();
        let in_order: Vec<usize> = again.sentences.iter().map(|s| s.index).collect();
        prop_assert_eq!(ranked, in_order);
    }

    /// Through the whole pipeline the summary points into the stripped text.
    #[test]
    fn process_offsets_point_into_the_stripped_text((html, _) in page(), opts in summary_options()) {
        let options = ProcessOptions { summary: opts, ..ProcessOptions::default() };
        let out = pipeline().process(Document::Html(&html), &options).expect("page is not empty");
        check_sentences(&out.stripped.text, &out.summary, &options.summary);
    }

    /// Language spans are in order, on character boundaries, with
    /// consistent character offsets, and confidences are probabilities.
    #[test]
    fn language_spans_point_into_the_text(text in any_text()) {
        let p = pipeline();
        let Ok(segments) = p.segments(&text, &[]) else {
            prop_assert!(text.trim().is_empty());
            return Ok(());
        };
        let mut end = 0;
        for s in &segments {
            prop_assert!(s.start >= end);
            let piece = text.get(s.range());
            prop_assert!(piece.is_some(), "{:?}", s.range());
            prop_assert_eq!(text[..s.start].chars().count(), s.char_start);
            prop_assert_eq!(piece.unwrap_or_default().chars().count(), s.char_len);
            prop_assert!((0.0..=1.0).contains(&s.confidence));
            end = s.range().end;
        }
        let d = p.detect(&text, &[]).expect("has content");
        for c in d.best.iter().chain(&d.alternatives) {
            prop_assert!((0.0..=1.0).contains(&c.confidence));
        }
    }
}
