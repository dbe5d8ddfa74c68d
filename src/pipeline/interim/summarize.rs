//! TEMP stub
use crate::pipeline::langid::Language;
/// s
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /** s */
    pub max_sentences: usize,
}
impl Default for SummaryOptions {
    fn default() -> Self {
        Self { max_sentences: 3 }
    }
}
/// s
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySentence {
    /** s */
    pub text: String,
    /** s */
    pub index: usize,
    /** s */
    pub byte_offset: usize,
    /** s */
    pub byte_len: usize,
    /** s */
    pub char_offset: usize,
    /** s */
    pub char_len: usize,
    /** s */
    pub score: f64,
}
pub(crate) fn summarize(
    text: &str,
    _l: Option<Language>,
    o: &SummaryOptions,
) -> Vec<SummarySentence> {
    crate::pipeline::segment::sentences(text)
        .into_iter()
        .take(o.max_sentences)
        .enumerate()
        .map(|(i, r)| SummarySentence {
            text: text[r.clone()].to_owned(),
            index: i,
            byte_offset: r.start,
            byte_len: r.len(),
            char_offset: text[..r.start].chars().count(),
            char_len: text[r].chars().count(),
            score: 1.0,
        })
        .collect()
}
