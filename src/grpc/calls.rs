//! Validated calls: each request message is checked and turned into
//! pipeline inputs first thing ("parse, don't validate"), then run.
//! Both the gRPC service and the command line go through these.

use tonic::Status;

use super::proto;
use super::status::CallError;
use crate::pipeline::{
    Document, Favor, Language, Order, Pipeline, PipelineError, ProcessOptions, StageTimings,
    StripOptions, SummaryOptions,
};

/// Most sentences a summary may ask for.
pub(crate) const MAX_SENTENCES: u32 = 1000;
/// Sentences returned when the caller leaves `max_sentences` at 0.
pub(crate) const DEFAULT_SENTENCES: u32 = 3;
/// Most entries in an allow-list of languages.
pub(crate) const MAX_ALLOWED_LANGUAGES: usize = 256;

/// What the service weighs a validated call by before running it.
pub(crate) trait Weighed {
    /// Bytes of its document, as charged to the input budget.
    fn input_bytes(&self) -> usize;
    /// The largest input whose work is short enough (about 0.2 ms at most,
    /// measured per call type in a release build) to run in the call's own
    /// task: the hand-off to a pool thread would cost a good part of it
    /// again, while longer work would hold up the async reactor.
    fn light_bytes(&self) -> usize;

    /// Whether the call is light enough to run in its own task.
    fn light(&self) -> bool {
        self.input_bytes() <= self.light_bytes()
    }
}

/// Inputs up to this size are light, for calls whose work per byte is
/// the cheapest (detection 8 KiB ~0.15 ms, HTML stripping ~0.1 ms).
pub(crate) const LIGHT_BYTES: usize = 8 * 1024;

/// A document as it arrived: owned, so it can move to a worker thread.
#[derive(Debug)]
pub(crate) enum OwnedDocument {
    Text(String),
    Html(String),
}

impl OwnedDocument {
    fn as_document(&self) -> Document<'_> {
        match self {
            OwnedDocument::Text(t) => Document::Text(t),
            OwnedDocument::Html(h) => Document::Html(h),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            OwnedDocument::Text(s) | OwnedDocument::Html(s) => s.len(),
        }
    }
}

fn strip_options(
    prefix: &'static str,
    o: Option<proto::StripOptions>,
) -> Result<StripOptions, Status> {
    let o = o.unwrap_or_default();
    let favor = match proto::Favor::try_from(o.favor) {
        Ok(proto::Favor::Unspecified | proto::Favor::Balanced) => Favor::Balanced,
        Ok(proto::Favor::Precision) => Favor::Precision,
        Ok(proto::Favor::Recall) => Favor::Recall,
        Err(_) => {
            return Err(PipelineError::InvalidOption {
                name: if prefix.is_empty() {
                    "options.favor"
                } else {
                    "strip.favor"
                },
                reason: format!("unknown value {}", o.favor),
            }
            .into());
        }
    };
    Ok(StripOptions {
        keep_comments: o.keep_comments,
        keep_tables: o.keep_tables,
        keep_captions: o.keep_captions,
        favor,
    })
}

fn missing_content() -> Status {
    CallError::MissingContent.into()
}

macro_rules! document_from_oneof {
    ($($content:path),+ $(,)?) => {$(
        impl From<$content> for OwnedDocument {
            fn from(content: $content) -> Self {
                use $content as C;
                match content {
                    C::Text(t) => OwnedDocument::Text(t),
                    C::Html(h) => OwnedDocument::Html(h),
                }
            }
        }
    )+};
}

document_from_oneof!(
    proto::strip_boilerplate_request::Content,
    proto::summarize_request::Content,
    proto::process_request::Content,
    proto::process_stream_request::Content,
);

fn allowed_languages(field: &'static str, codes: &[String]) -> Result<Vec<Language>, Status> {
    if codes.len() > MAX_ALLOWED_LANGUAGES {
        return Err(PipelineError::InvalidOption {
            name: field,
            reason: format!(
                "{} codes given, at most {MAX_ALLOWED_LANGUAGES} allowed",
                codes.len()
            ),
        }
        .into());
    }
    codes
        .iter()
        .map(|code| {
            Language::from_code(code)
                .ok_or_else(|| PipelineError::unknown_language(field, code).into())
        })
        .collect()
}

/// Most characters of a summary focus query.
pub(crate) const MAX_QUERY_BYTES: usize = 4096;

/// The summary knobs as both request shapes carry them.
pub(crate) struct SummaryFields<'a> {
    pub(crate) prefix: &'static str,
    pub(crate) max_sentences: u32,
    pub(crate) max_words: u32,
    pub(crate) max_chars: u32,
    pub(crate) ratio: f64,
    pub(crate) order: i32,
    pub(crate) query: &'a str,
}

fn summary_options(f: SummaryFields<'_>) -> Result<SummaryOptions, Status> {
    let invalid = |name: &'static str, reason: String| -> Status {
        PipelineError::InvalidOption { name, reason }.into()
    };
    let name = |field: &'static str| -> &'static str {
        match (f.prefix, field) {
            ("", field) => field,
            (_, "max_sentences") => "summarize.max_sentences",
            (_, "ratio") => "summarize.ratio",
            (_, "order") => "summarize.order",
            (_, _) => "summarize.query",
        }
    };
    let max_sentences = match f.max_sentences {
        0 => DEFAULT_SENTENCES,
        n if n > MAX_SENTENCES => {
            return Err(invalid(
                name("max_sentences"),
                format!(
                    "{n} given, must be between 1 and {MAX_SENTENCES} (0 means {DEFAULT_SENTENCES})"
                ),
            ));
        }
        n => n,
    };
    if !(0.0..=1.0).contains(&f.ratio) {
        return Err(invalid(
            name("ratio"),
            format!(
                "{} given, must be in (0, 1] (0 means no ratio budget)",
                f.ratio
            ),
        ));
    }
    let order = match proto::SentenceOrder::try_from(f.order) {
        Ok(proto::SentenceOrder::Unspecified | proto::SentenceOrder::Document) => Order::Document,
        Ok(proto::SentenceOrder::Score) => Order::Score,
        Err(_) => return Err(invalid(name("order"), format!("unknown value {}", f.order))),
    };
    if f.query.len() > MAX_QUERY_BYTES {
        return Err(invalid(
            name("query"),
            format!("{} bytes given, at most {MAX_QUERY_BYTES}", f.query.len()),
        ));
    }
    let nonzero = |n: u32| (n > 0).then_some(n as usize);
    Ok(SummaryOptions {
        max_sentences: max_sentences as usize,
        max_words: nonzero(f.max_words),
        max_chars: nonzero(f.max_chars),
        ratio: (f.ratio > 0.0).then_some(f.ratio),
        order,
        query: Some(f.query.trim())
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
    })
}

/// A validated `DetectLanguage` call.
#[derive(Debug)]
pub(crate) struct DetectCall {
    text: String,
    allowed: Vec<Language>,
    segments: bool,
}

impl TryFrom<proto::DetectLanguageRequest> for DetectCall {
    type Error = Status;

    fn try_from(req: proto::DetectLanguageRequest) -> Result<Self, Status> {
        Ok(Self {
            allowed: allowed_languages("allowed_languages", &req.allowed_languages)?,
            text: req.text,
            segments: req.segments,
        })
    }
}

impl Weighed for DetectCall {
    fn input_bytes(&self) -> usize {
        self.text.len()
    }

    fn light_bytes(&self) -> usize {
        // Splitting into segments costs about 8 times the detection.
        if self.segments {
            LIGHT_BYTES / 8
        } else {
            LIGHT_BYTES
        }
    }
}

impl DetectCall {
    pub(crate) fn run(self, p: &Pipeline) -> Result<proto::DetectLanguageResponse, PipelineError> {
        let detection = p.detect(&self.text, &self.allowed)?;
        let segments = if self.segments {
            p.segments(&self.text, &self.allowed)?
                .iter()
                .map(super::convert::segment)
                .collect()
        } else {
            Vec::new()
        };
        Ok(proto::DetectLanguageResponse {
            language: Some(super::convert::language(&detection)),
            alternatives: super::convert::alternatives(&detection),
            segments,
        })
    }
}

/// A validated `StripBoilerplate` call.
#[derive(Debug)]
pub(crate) struct StripCall {
    doc: OwnedDocument,
    options: StripOptions,
}

impl TryFrom<proto::StripBoilerplateRequest> for StripCall {
    type Error = Status;

    fn try_from(req: proto::StripBoilerplateRequest) -> Result<Self, Status> {
        Ok(Self {
            options: strip_options("", req.options)?,
            doc: req.content.ok_or_else(missing_content)?.into(),
        })
    }
}

impl Weighed for StripCall {
    fn input_bytes(&self) -> usize {
        self.doc.len()
    }

    fn light_bytes(&self) -> usize {
        LIGHT_BYTES
    }
}

impl StripCall {
    pub(crate) fn run(
        self,
        p: &Pipeline,
    ) -> Result<proto::StripBoilerplateResponse, PipelineError> {
        let stripped = p.strip(self.doc.as_document(), &self.options)?;
        Ok(stripped.into())
    }
}

/// A validated `Summarize` call.
#[derive(Debug)]
pub(crate) struct SummarizeCall {
    doc: OwnedDocument,
    language: Option<Language>,
    options: SummaryOptions,
}

impl TryFrom<proto::SummarizeRequest> for SummarizeCall {
    type Error = Status;

    fn try_from(req: proto::SummarizeRequest) -> Result<Self, Status> {
        let language =
            match req.language.trim() {
                "" => None,
                code => Some(Language::from_code(code).ok_or_else(|| {
                    Status::from(PipelineError::unknown_language("language", code))
                })?),
            };
        Ok(Self {
            options: summary_options(SummaryFields {
                prefix: "",
                max_sentences: req.max_sentences,
                max_words: req.max_words,
                max_chars: req.max_chars,
                ratio: req.ratio,
                order: req.order,
                query: &req.query,
            })?,
            doc: req.content.ok_or_else(missing_content)?.into(),
            language,
        })
    }
}

impl Weighed for SummarizeCall {
    fn input_bytes(&self) -> usize {
        self.doc.len()
    }

    fn light_bytes(&self) -> usize {
        // A summary of 5 KB costs ~0.1 ms, of 8 KB ~0.25 ms.
        LIGHT_BYTES * 3 / 4
    }
}

impl SummarizeCall {
    pub(crate) fn run(self, p: &Pipeline) -> Result<proto::SummarizeResponse, PipelineError> {
        self.run_timed(p).map(|(response, _)| response)
    }

    /// [`Self::run`], also telling how long each stage took.
    pub(crate) fn run_timed(
        self,
        p: &Pipeline,
    ) -> Result<(proto::SummarizeResponse, StageTimings), PipelineError> {
        let summary = p.summarize(self.doc.as_document(), self.language, &self.options)?;
        let response = proto::SummarizeResponse {
            sentences: summary
                .sentences
                .iter()
                .map(super::convert::sentence)
                .collect(),
            language: Some(super::convert::language(&summary.detection)),
        };
        Ok((response, summary.timings))
    }
}

/// A validated `Process` call (also one item of `ProcessStream`).
#[derive(Debug)]
pub(crate) struct ProcessCall {
    id: String,
    doc: OwnedDocument,
    options: ProcessOptions,
}

impl TryFrom<proto::ProcessRequest> for ProcessCall {
    type Error = Status;

    fn try_from(req: proto::ProcessRequest) -> Result<Self, Status> {
        let detect = req.detect.unwrap_or_default();
        let summarize = req.summarize.unwrap_or_default();
        Ok(Self {
            options: ProcessOptions {
                strip: strip_options("strip.", req.strip)?,
                allowed_languages: allowed_languages(
                    "detect.allowed_languages",
                    &detect.allowed_languages,
                )?,
                summary: summary_options(SummaryFields {
                    prefix: "summarize.",
                    max_sentences: summarize.max_sentences,
                    max_words: summarize.max_words,
                    max_chars: summarize.max_chars,
                    ratio: summarize.ratio,
                    order: summarize.order,
                    query: &summarize.query,
                })?,
            },
            doc: req.content.ok_or_else(missing_content)?.into(),
            id: req.id,
        })
    }
}

impl Weighed for ProcessCall {
    fn input_bytes(&self) -> usize {
        self.doc.len()
    }

    fn light_bytes(&self) -> usize {
        // All three stages: ~0.4 ms for 8 KB of HTML.
        LIGHT_BYTES * 3 / 8
    }
}

impl ProcessCall {
    pub(crate) fn run(self, p: &Pipeline) -> Result<proto::ProcessResponse, PipelineError> {
        self.run_timed(p).map(|(response, _)| response)
    }

    /// [`Self::run`], also telling how long each stage took.
    pub(crate) fn run_timed(
        self,
        p: &Pipeline,
    ) -> Result<(proto::ProcessResponse, StageTimings), PipelineError> {
        let processed = p.process(self.doc.as_document(), &self.options)?;
        let timings = processed.timings;
        Ok((
            super::convert::process_response(self.id, processed),
            timings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn light_calls_are_those_of_little_work_per_type() {
        let detect = |bytes: usize, segments| {
            DetectCall::try_from(proto::DetectLanguageRequest {
                text: "a".repeat(bytes),
                segments,
                ..Default::default()
            })
            .unwrap()
            .light()
        };
        assert!(detect(LIGHT_BYTES, false));
        assert!(!detect(LIGHT_BYTES + 1, false));
        assert!(detect(1024, true));
        assert!(!detect(2048, true), "segments cost 8 times as much");
        let summarize = |bytes: usize| {
            SummarizeCall::try_from(proto::SummarizeRequest {
                content: Some(proto::summarize_request::Content::Text("a".repeat(bytes))),
                ..Default::default()
            })
            .unwrap()
            .light()
        };
        assert!(summarize(5 * 1024), "the 5 KB summary of the load test");
        assert!(!summarize(LIGHT_BYTES));
        let process = |bytes: usize| {
            ProcessCall::try_from(proto::ProcessRequest {
                content: Some(proto::process_request::Content::Html("a".repeat(bytes))),
                ..Default::default()
            })
            .unwrap()
            .light()
        };
        assert!(process(2 * 1024));
        assert!(!process(4 * 1024));
    }

    #[test]
    fn neither_text_nor_html_is_invalid() {
        let err = StripCall::try_from(proto::StripBoilerplateRequest::default()).unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("exactly one of text or html"));
    }

    #[test]
    fn max_sentences_out_of_range_is_invalid() {
        let req = proto::SummarizeRequest {
            content: Some(proto::summarize_request::Content::Text("A b.".into())),
            max_sentences: MAX_SENTENCES + 1,
            ..Default::default()
        };
        let err = SummarizeCall::try_from(req).unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("max_sentences"), "{}", err.message());
    }

    #[test]
    fn zero_max_sentences_means_the_default() {
        let opts = summary_options(SummaryFields {
            prefix: "",
            max_sentences: 0,
            max_words: 0,
            max_chars: 0,
            ratio: 0.0,
            order: 0,
            query: " ",
        })
        .unwrap();
        assert_eq!(opts.max_sentences, DEFAULT_SENTENCES as usize);
        assert_eq!(opts.max_words, None);
        assert_eq!(opts.ratio, None);
        assert_eq!(opts.order, Order::Document);
        assert_eq!(opts.query, None);
    }

    #[test]
    fn ratio_and_order_out_of_range_are_invalid() {
        for (ratio, order, needle) in [(1.5, 0, "ratio"), (-0.1, 0, "ratio"), (0.5, 9, "order")] {
            let req = proto::SummarizeRequest {
                content: Some(proto::summarize_request::Content::Text("A b.".into())),
                ratio,
                order,
                ..Default::default()
            };
            let err = SummarizeCall::try_from(req).unwrap_err();
            assert_eq!(err.code(), Code::InvalidArgument);
            assert!(err.message().contains(needle), "{}", err.message());
        }
    }

    #[test]
    fn unknown_allowed_language_is_named() {
        let req = proto::DetectLanguageRequest {
            text: "hello".into(),
            allowed_languages: vec!["de".into(), "klingon".into()],
            segments: false,
        };
        let err = DetectCall::try_from(req).unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().contains("klingon"));
    }
}
