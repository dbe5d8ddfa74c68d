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

/// A stripped text: no control characters, no empty paragraphs.
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
        assert!(!para.contains('\n'), "stray line break in {para:?}");
        assert!(
            !para.chars().any(char::is_control),
            "control character in {para:?}"
        );
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
