//! Shared pieces of the fuzz targets: turning fuzzer bytes into options,
//! and the invariants every answer must keep (a broken one panics, which
//! libFuzzer reports as a crash).

use std::sync::LazyLock;

use textpipe::pipeline::{
    Favor, Order, Pipeline, Segment, StripOptions, Stripped, SummaryOptions, SummarySentence,
};

/// One pipeline for the whole run, as the server has.
pub static PIPELINE: LazyLock<Pipeline> = LazyLock::new(Pipeline::new);

/// Splits off the first byte as option bits; the rest is the document,
/// decoded lossily so every input reaches the pipeline.
pub fn split(data: &[u8]) -> (u8, String) {
    match data.split_first() {
        Some((&bits, rest)) => (bits, String::from_utf8_lossy(rest).into_owned()),
        None => (0, String::new()),
    }
}

/// Strip options from option bits.
pub fn strip_options(bits: u8) -> StripOptions {
    StripOptions {
        keep_comments: bits & 1 != 0,
        keep_tables: bits & 2 != 0,
        keep_captions: bits & 16 != 0,
        favor: match (bits >> 2) & 3 {
            1 => Favor::Precision,
            2 => Favor::Recall,
            _ => Favor::Balanced,
        },
    }
}

/// Summary options from option bits.
pub fn summary_options(bits: u8) -> SummaryOptions {
    SummaryOptions {
        max_sentences: [1, 3, 10, 1000][usize::from(bits & 3)],
        max_words: (bits & 4 != 0).then_some(25),
        max_chars: (bits & 8 != 0).then_some(200),
        ratio: (bits & 16 != 0).then_some(0.3),
        order: if bits & 32 != 0 {
            Order::Score
        } else {
            Order::Document
        },
        query: (bits & 64 != 0).then(|| "budget council".to_owned()),
    }
}

/// Visible characters: what stripping keeps of a text (whitespace and
/// control characters only ever become separators).
pub fn visible(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !(c.is_whitespace() || c.is_control() || *c == '\u{200b}' || *c == '\u{feff}'))
}

/// Whether `needle`'s characters appear in `hay` in order.
pub fn is_subsequence(needle: impl Iterator<Item = char>, hay: impl Iterator<Item = char>) -> bool {
    let mut hay = hay;
    needle.into_iter().all(|c| hay.any(|h| h == c))
}

/// A stripped text: no empty paragraphs or lines, no line ending in a
/// space, and no control characters except the line breaks of
/// preformatted text and the tabs between the cells of a table row (none
/// of them empty).
pub fn check_stripped(out: &Stripped) {
    assert!(
        !out.text.starts_with(' ') && !out.text.ends_with(' '),
        "{:?}",
        out.text
    );
    for para in out.text.split("\n\n") {
        assert!(
            !para.is_empty() || out.text.is_empty(),
            "empty paragraph in {:?}",
            out.text
        );
        for line in para.split('\n') {
            assert!(
                !line.is_empty() || out.text.is_empty(),
                "empty line in {para:?}"
            );
            assert!(!line.ends_with(' '), "line ends in a space in {para:?}");
            for cell in line.split('\t') {
                assert!(
                    !cell.is_empty() || out.text.is_empty(),
                    "empty cell in {para:?}"
                );
                assert!(
                    !cell.chars().any(char::is_control),
                    "control character in {para:?}"
                );
            }
        }
    }
    for removed in &out.removed {
        assert!(!removed.text.is_empty());
    }
}

/// Summary sentences point at themselves in `text`, do not overlap, and
/// respect the sentence budget.
pub fn check_summary(text: &str, sentences: &[SummarySentence], opts: &SummaryOptions) {
    assert!(sentences.len() <= opts.max_sentences.max(1));
    let mut by_position: Vec<&SummarySentence> = sentences.iter().collect();
    by_position.sort_by_key(|s| s.byte_offset);
    let mut end = 0;
    for s in by_position {
        let range = s.byte_offset..s.byte_offset + s.byte_len;
        assert_eq!(text.get(range.clone()), Some(s.text.as_str()), "{range:?}");
        assert!(s.byte_offset >= end, "overlapping sentences");
        end = range.end;
        assert_eq!(text[..s.byte_offset].chars().count(), s.char_offset);
        assert_eq!(s.text.chars().count(), s.char_len);
        assert!(!s.text.trim().is_empty());
        assert!((0.0..=1.0).contains(&s.score), "score {}", s.score);
    }
}

/// Language spans cover `text` in order with consistent offsets.
pub fn check_segments(text: &str, segments: &[Segment]) {
    let mut end = 0;
    for s in segments {
        assert!(s.start >= end, "segments out of order");
        let piece = text.get(s.range()).expect("segment on char boundaries");
        assert_eq!(text[..s.start].chars().count(), s.char_start);
        assert_eq!(piece.chars().count(), s.char_len);
        assert!((0.0..=1.0).contains(&s.confidence));
        end = s.range().end;
    }
}

/// The targets' bodies, one function each: the fuzz binaries call them, and
/// the service's tests replay the committed seeds through them (so this
/// file builds, and the seeds pass, in every CI run).
pub mod targets {
    use textpipe::pipeline::{Document, Language, Order, ProcessOptions};

    use super::{
        PIPELINE, check_segments, check_stripped, check_summary, is_subsequence, split,
        strip_options, summary_options, visible,
    };

    /// HTML stripping: no panic, well-formed output.
    pub fn strip_html(data: &[u8]) {
        let (bits, html) = split(data);
        if let Ok(out) = PIPELINE.strip(Document::Html(&html), &strip_options(bits)) {
            check_stripped(&out);
        }
    }

    /// Text stripping: no panic; what is kept and what is removed both come
    /// from the input, in order.
    pub fn strip_text(data: &[u8]) {
        let (bits, text) = split(data);
        let Ok(out) = PIPELINE.strip(Document::Text(&text), &strip_options(bits)) else {
            assert!(text.trim().is_empty());
            return;
        };
        check_stripped(&out);
        assert!(is_subsequence(visible(&out.text), visible(&text)));
        for removed in &out.removed {
            assert!(is_subsequence(visible(&removed.text), visible(&text)));
        }
    }

    /// Summarizing text and HTML: no panic; sentences are verbatim spans of
    /// the summarized text at the offsets given, within the budget.
    pub fn summarize(data: &[u8]) {
        let (bits, text) = split(data);
        let opts = summary_options(bits);
        let doc = if bits & 128 != 0 {
            Document::Html(&text)
        } else {
            Document::Text(&text)
        };
        let Ok(summary) = PIPELINE.summarize(doc, None, &opts) else {
            return;
        };
        if let Document::Text(t) = doc {
            assert_eq!(summary.text, t, "plain text is summarized as given");
        }
        check_summary(&summary.text, &summary.sentences, &opts);
        if opts.order == Order::Score {
            // The same sentences as in document order, ranked.
            let by_doc = textpipe::pipeline::SummaryOptions {
                order: Order::Document,
                ..opts.clone()
            };
            let again = PIPELINE.summarize(doc, None, &by_doc).expect("ran once");
            let mut a: Vec<usize> = summary.sentences.iter().map(|s| s.index).collect();
            a.sort_unstable();
            let b: Vec<usize> = again.sentences.iter().map(|s| s.index).collect();
            assert_eq!(a, b, "score order drops or adds sentences");
        }
    }

    /// Language detection and segmentation: no panic, confidences in range,
    /// spans that point into the text.
    pub fn detect(data: &[u8]) {
        let (bits, text) = split(data);
        let allowed: Vec<Language> = match bits & 3 {
            1 => ["en", "de", "fr"]
                .iter()
                .filter_map(|c| Language::from_code(c))
                .collect(),
            2 => Language::from_code("ja").into_iter().collect(),
            _ => Vec::new(),
        };
        let Ok(detection) = PIPELINE.detect(&text, &allowed) else {
            assert!(text.trim().is_empty());
            return;
        };
        for c in detection.best.iter().chain(&detection.alternatives) {
            assert!((0.0..=1.0).contains(&c.confidence), "{}", c.confidence);
            assert!(allowed.is_empty() || allowed.contains(&c.language));
        }
        if bits & 4 != 0 {
            let segments = PIPELINE
                .segments(&text, &allowed)
                .expect("text has content");
            check_segments(&text, &segments);
        }
    }

    /// The whole pipeline: no panic; the summary points into the stripped text.
    pub fn process(data: &[u8]) {
        let (bits, text) = split(data);
        let opts = ProcessOptions {
            strip: strip_options(bits),
            allowed_languages: Vec::new(),
            summary: summary_options(bits.rotate_left(3)),
        };
        let doc = if bits & 128 != 0 {
            Document::Html(&text)
        } else {
            Document::Text(&text)
        };
        if let Ok(out) = PIPELINE.process(doc, &opts) {
            check_stripped(&out.stripped);
            check_summary(&out.stripped.text, &out.summary, &opts.summary);
        }
    }
}
