//! Pipeline results → protobuf messages. Proto types stop here.

use super::proto;
use crate::pipeline::{
    Candidate, Detection, PageMetadata, Processed, RemovalReason, Segment, Stripped,
    SummarySentence,
};

/// Code, ISO 639-3 code and name of an undetermined language.
const UNDETERMINED: &str = "und";

fn candidate(c: &Candidate, script: Option<&'static str>, reliable: bool) -> proto::Language {
    proto::Language {
        code: c.language.code().to_owned(),
        alpha3: c.language.alpha3().to_owned(),
        name: c.language.name().to_owned(),
        script: script.unwrap_or_default().to_owned(),
        confidence: c.confidence,
        reliable,
    }
}

/// The best language, or `und` when the detector could not decide.
pub(crate) fn language(d: &Detection) -> proto::Language {
    match &d.best {
        Some(best) => candidate(best, d.script, d.reliable),
        None => proto::Language {
            code: UNDETERMINED.to_owned(),
            alpha3: UNDETERMINED.to_owned(),
            name: String::new(),
            script: d.script.unwrap_or_default().to_owned(),
            confidence: 0.0,
            reliable: false,
        },
    }
}

/// A span of one language.
pub(crate) fn segment(s: &Segment) -> proto::LanguageSegment {
    proto::LanguageSegment {
        code: s.language.map_or(UNDETERMINED, |l| l.code()).to_owned(),
        name: s.language.map_or("", |l| l.name()).to_owned(),
        confidence: s.confidence,
        byte_offset: u32_of(s.start),
        byte_length: u32_of(s.len),
        char_offset: u32_of(s.char_start),
        char_length: u32_of(s.char_len),
    }
}

/// Runners-up; never marked reliable.
pub(crate) fn alternatives(d: &Detection) -> Vec<proto::Language> {
    d.alternatives
        .iter()
        .map(|c| candidate(c, d.script, false))
        .collect()
}

/// Offsets fit in u32 because messages are capped far below 4 GiB; saturate
/// rather than wrap if that ever changes.
fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(crate) fn sentence(s: &SummarySentence) -> proto::Sentence {
    proto::Sentence {
        text: s.text.clone(),
        index: u32_of(s.index),
        byte_offset: u32_of(s.byte_offset),
        byte_length: u32_of(s.byte_len),
        char_offset: u32_of(s.char_offset),
        char_length: u32_of(s.char_len),
        score: s.score,
    }
}

fn reason(r: RemovalReason) -> proto::RemovalReason {
    match r {
        RemovalReason::Navigation => proto::RemovalReason::Navigation,
        RemovalReason::Share => proto::RemovalReason::Share,
        RemovalReason::Donation => proto::RemovalReason::Donation,
        RemovalReason::Legal => proto::RemovalReason::Legal,
        RemovalReason::Copyright => proto::RemovalReason::Copyright,
        RemovalReason::Cookie => proto::RemovalReason::Cookie,
        RemovalReason::Related => proto::RemovalReason::Related,
        RemovalReason::Comments => proto::RemovalReason::Comments,
        RemovalReason::Advertising => proto::RemovalReason::Advertising,
        RemovalReason::Other => proto::RemovalReason::Other,
    }
}

fn removed_blocks(s: &mut Stripped) -> Vec<proto::RemovedBlock> {
    std::mem::take(&mut s.removed)
        .into_iter()
        .map(|b| proto::RemovedBlock {
            text: b.text,
            reason: reason(b.reason).into(),
        })
        .collect()
}

fn metadata(m: PageMetadata) -> Option<proto::PageMetadata> {
    (m != PageMetadata::default()).then(|| proto::PageMetadata {
        author: m.author.unwrap_or_default(),
        published: m.published.unwrap_or_default(),
        site_name: m.site_name.unwrap_or_default(),
        canonical_url: m.canonical_url.unwrap_or_default(),
        language: m.language.unwrap_or_default(),
        description: m.description.unwrap_or_default(),
    })
}

impl From<Stripped> for proto::StripBoilerplateResponse {
    fn from(mut s: Stripped) -> Self {
        Self {
            removed_blocks: removed_blocks(&mut s),
            metadata: metadata(std::mem::take(&mut s.metadata)),
            text: s.text,
            title: s.title.unwrap_or_default(),
        }
    }
}

pub(crate) fn process_response(id: String, mut p: Processed) -> proto::ProcessResponse {
    proto::ProcessResponse {
        id,
        removed_blocks: removed_blocks(&mut p.stripped),
        metadata: metadata(std::mem::take(&mut p.stripped.metadata)),
        language: Some(language(&p.detection)),
        alternatives: alternatives(&p.detection),
        sentences: p.summary.iter().map(sentence).collect(),
        text: p.stripped.text,
        title: p.stripped.title.unwrap_or_default(),
    }
}

impl From<proto::ProcessStreamRequest> for proto::ProcessRequest {
    fn from(r: proto::ProcessStreamRequest) -> Self {
        use proto::process_request::Content as To;
        use proto::process_stream_request::Content as From;
        Self {
            id: r.id,
            content: r.content.map(|c| match c {
                From::Text(t) => To::Text(t),
                From::Html(h) => To::Html(h),
            }),
            strip: r.strip,
            detect: r.detect,
            summarize: r.summarize,
        }
    }
}

impl From<proto::ProcessResponse> for proto::ProcessStreamResponse {
    fn from(r: proto::ProcessResponse) -> Self {
        Self {
            id: r.id,
            text: r.text,
            title: r.title,
            removed_blocks: r.removed_blocks,
            language: r.language,
            alternatives: r.alternatives,
            sentences: r.sentences,
            metadata: r.metadata,
            error: None,
        }
    }
}

/// The result of a failed stream item: its id and why.
pub(crate) fn stream_error(id: String, status: &tonic::Status) -> proto::ProcessStreamResponse {
    proto::ProcessStreamResponse {
        id,
        error: Some(proto::ItemError {
            code: super::status::code_name(status.code()).to_owned(),
            message: status.message().to_owned(),
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undetermined_is_und_and_unreliable() {
        let d = Detection {
            best: None,
            script: None,
            reliable: false,
            alternatives: vec![],
        };
        let l = language(&d);
        assert_eq!(l.code, "und");
        assert_eq!(l.alpha3, "und");
        assert!(!l.reliable);
        assert_eq!(l.confidence, 0.0);
    }

    #[test]
    fn stream_error_carries_id_and_code_name() {
        let r = stream_error(
            "doc-7".into(),
            &tonic::Status::invalid_argument("text is empty"),
        );
        assert_eq!(r.id, "doc-7");
        let e = r.error.unwrap();
        assert_eq!(e.code, "INVALID_ARGUMENT");
        assert_eq!(e.message, "text is empty");
    }
}
