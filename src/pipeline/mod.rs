//! The text pipeline: pure, synchronous modules with no transport in them.
//!
//! Each stage is usable alone ([`Pipeline::detect`], [`Pipeline::strip`],
//! [`Pipeline::summarize`]) or chained ([`Pipeline::process`]). The gRPC layer
//! and the command line both call this API, so they give the same answers.

mod boilerplate;
pub mod budget;
mod error;
mod langid;
mod segment;
mod summarize;

use std::time::{Duration, Instant};

pub use boilerplate::{Favor, PageMetadata, RemovalReason, RemovedBlock, StripOptions, Stripped};
pub use error::PipelineError;
pub use langid::{Candidate, Detection, Detector, Language, Segment};
pub use summarize::{Order, SummaryOptions, SummarySentence};

/// A document as callers send it.
#[derive(Debug, Clone, Copy)]
pub enum Document<'a> {
    /// Already-extracted text, one block per line.
    Text(&'a str),
    /// A raw HTML page.
    Html(&'a str),
}

impl Document<'_> {
    /// The caller-facing name of the field this document came in.
    fn field(&self) -> &'static str {
        match self {
            Document::Text(_) => "text",
            Document::Html(_) => "html",
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Document::Text(s) | Document::Html(s) => s,
        }
    }
}

/// Options of a whole-pipeline call.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    /// Strip stage.
    pub strip: StripOptions,
    /// Languages the detector may answer; empty means all.
    pub allowed_languages: Vec<Language>,
    /// Summary stage.
    pub summary: SummaryOptions,
}

/// The result of [`Pipeline::process`].
#[derive(Debug, Clone)]
pub struct Processed {
    /// Strip stage result.
    pub stripped: Stripped,
    /// Detection on the stripped text.
    pub detection: Detection,
    /// Summary of the stripped text.
    pub summary: Vec<SummarySentence>,
    /// Time each stage took.
    pub timings: StageTimings,
}

/// Wall time each stage of one call took (zero for a stage not run), for
/// the service's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimings {
    /// Boilerplate stripping (HTML parse included).
    pub strip: Duration,
    /// Language detection.
    pub detect: Duration,
    /// Sentence splitting and selection.
    pub summarize: Duration,
}

/// Bytes of a document's opening used to pick the summary's language when
/// the caller gave none.
const SUMMARY_DETECT_BYTES: usize = 512;

/// The largest char boundary of `text` at or below `i`.
fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The longest prefix of `text` of at most `max` bytes ending on a char
/// boundary: where a module reads only the start of a long input.
fn prefix(text: &str, max: usize) -> &str {
    text.get(..floor_char_boundary(text, max))
        .unwrap_or_default()
}

/// Runs `f`, adding the time it took to `into`.
fn timed<T>(into: &mut Duration, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    *into += started.elapsed();
    out
}

/// The result of [`Pipeline::summarize`].
#[derive(Debug, Clone)]
pub struct Summary {
    /// The language the summary was computed in (given or detected).
    pub detection: Detection,
    /// Chosen sentences, in document order; offsets refer to `text`.
    pub sentences: Vec<SummarySentence>,
    /// The text the sentences were taken from (the stripped text for HTML).
    pub text: String,
    /// Time each stage took.
    pub timings: StageTimings,
}

/// The pipeline, built once at start-up and shared by every call.
#[derive(Debug, Default)]
pub struct Pipeline {
    detector: Detector,
}

impl Pipeline {
    /// Builds the pipeline and its models.
    pub fn new() -> Self {
        Self {
            detector: Detector::new(),
        }
    }

    /// Builds the pipeline; the detection model loads on first use. For
    /// one-shot runs that may never detect (stripping from the command
    /// line), where [`Pipeline::new`] would spend tens of MB on it.
    pub fn lazy() -> Self {
        Self { detector: Detector }
    }

    /// Identifies the language of `text`.
    ///
    /// # Errors
    /// [`PipelineError::EmptyInput`] when `text` has no non-whitespace character;
    /// [`PipelineError::DeadlineExceeded`] past the [`budget`] it runs within.
    pub fn detect(&self, text: &str, allowed: &[Language]) -> Result<Detection, PipelineError> {
        require_content("text", text)?;
        budget::check()?;
        Ok(self.detector.detect(text, allowed))
    }

    /// Splits `text` into spans by language (see [`Detector::segments`]).
    ///
    /// # Errors
    /// [`PipelineError::EmptyInput`] when `text` has no non-whitespace character;
    /// [`PipelineError::DeadlineExceeded`] past the [`budget`] it runs within.
    pub fn segments(
        &self,
        text: &str,
        allowed: &[Language],
    ) -> Result<Vec<Segment>, PipelineError> {
        require_content("text", text)?;
        budget::check()?;
        Ok(self.detector.segments(text, allowed))
    }

    /// Strips boilerplate from a document.
    ///
    /// # Errors
    /// [`PipelineError::EmptyInput`] when the document has no content;
    /// [`PipelineError::DeadlineExceeded`] past the [`budget`] it runs within.
    pub fn strip(&self, doc: Document<'_>, opts: &StripOptions) -> Result<Stripped, PipelineError> {
        require_content(doc.field(), doc.as_str())?;
        let stripped = match doc {
            Document::Text(text) => boilerplate::strip_text(text, opts),
            Document::Html(html) => boilerplate::strip_html(html, opts),
        };
        // Work cut short by the budget is not an answer.
        budget::check()?;
        Ok(stripped)
    }

    /// Summarizes a document; HTML is stripped first. `language` overrides
    /// detection when given.
    ///
    /// # Errors
    /// [`PipelineError::EmptyInput`] when the document has no content;
    /// [`PipelineError::DeadlineExceeded`] past the [`budget`] it runs within.
    pub fn summarize(
        &self,
        doc: Document<'_>,
        language: Option<Language>,
        opts: &SummaryOptions,
    ) -> Result<Summary, PipelineError> {
        require_content(doc.field(), doc.as_str())?;
        let mut timings = StageTimings::default();
        let text = match doc {
            // Plain text is summarized as given so offsets point into the caller's text.
            Document::Text(text) => text.to_owned(),
            Document::Html(html) => timed(&mut timings.strip, || {
                boilerplate::strip_html(html, &StripOptions::default()).text
            }),
        };
        budget::check()?;
        let detection = match language {
            Some(language) => Detection::given(language),
            // The summary needs the language only for splitting, stop words
            // and stemming: the opening of a document tells it as well as
            // the whole, at a fraction of the cost on long articles.
            None => timed(&mut timings.detect, || {
                self.detector
                    .detect(prefix(&text, SUMMARY_DETECT_BYTES), &[])
            }),
        };
        let sentences = timed(&mut timings.summarize, || {
            summarize::summarize(&text, detection.language(), opts)
        });
        budget::check()?;
        Ok(Summary {
            detection,
            sentences,
            text,
            timings,
        })
    }

    /// Strips, detects the language of the stripped text, and summarizes it
    /// in that language.
    ///
    /// # Errors
    /// [`PipelineError::EmptyInput`] when the document has no content;
    /// [`PipelineError::DeadlineExceeded`] past the [`budget`] it runs within.
    pub fn process(
        &self,
        doc: Document<'_>,
        opts: &ProcessOptions,
    ) -> Result<Processed, PipelineError> {
        let mut timings = StageTimings::default();
        let stripped = timed(&mut timings.strip, || self.strip(doc, &opts.strip))?;
        budget::check()?;
        let detection = timed(&mut timings.detect, || {
            self.detector
                .detect(&stripped.text, &opts.allowed_languages)
        });
        let summary = timed(&mut timings.summarize, || {
            summarize::summarize(&stripped.text, detection.language(), &opts.summary)
        });
        budget::check()?;
        Ok(Processed {
            stripped,
            detection,
            summary,
            timings,
        })
    }
}

/// Byte ranges of the sentences of `text`, as every stage splits them.
pub fn split_sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    segment::sentences(text)
}

fn require_content(field: &'static str, text: &str) -> Result<(), PipelineError> {
    if text.trim().is_empty() {
        Err(PipelineError::EmptyInput { field })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_never_splits_a_character() {
        assert_eq!(prefix("héllo", 2), "h");
        assert_eq!(prefix("héllo", 3), "hé");
        assert_eq!(prefix("a€😀", 5), "a€");
        assert_eq!(prefix("a€😀", usize::MAX), "a€😀");
        assert_eq!(floor_char_boundary("", 7), 0);
        assert_eq!(prefix("abc", 10), "abc");
        assert_eq!(prefix("", 5), "");
    }
}
