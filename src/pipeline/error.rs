//! The pipeline's one error type.

/// What can go wrong in a pipeline call. "Could not decide" is never an
/// error: an undetermined language or an empty summary is a normal result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The input holds no content to work on (empty or only whitespace).
    #[error("{field} is empty: send at least one non-whitespace character")]
    EmptyInput {
        /// Which input was empty, as the caller names it (e.g. `text`).
        field: &'static str,
    },
    /// An option is outside its documented range.
    #[error("{name} is out of range: {reason}")]
    InvalidOption {
        /// The option's name as the caller spells it.
        name: &'static str,
        /// What the accepted range is.
        reason: String,
    },
    /// A language code that the detector does not know. Build it with
    /// [`PipelineError::unknown_language`], which bounds the echoed code.
    #[error(
        "unknown language code {code:?} in {field}: use an ISO 639-1 or ISO 639-3 code of a supported language"
    )]
    UnknownLanguage {
        /// Where the code came from.
        field: &'static str,
        /// The code as given, cut to its first 16 characters.
        code: String,
    },
    /// An input, or the answer to it, is larger than accepted.
    #[error("{field} is too large: {actual} bytes, the limit is {limit} bytes")]
    TooLarge {
        /// Which input (or `response`).
        field: &'static str,
        /// Its size in bytes.
        actual: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The call's deadline passed before the work finished.
    #[error("deadline exceeded before the pipeline finished")]
    DeadlineExceeded,
    /// The caller went away before the work finished.
    #[error("the call was cancelled before the pipeline finished")]
    Cancelled,
}

/// Most characters of a caller's unknown language code that an error repeats.
/// The code comes back in the status message (a header) and in the log line,
/// so a megabyte "code" must not become a megabyte header.
pub(crate) const ECHOED_CODE_CHARS: usize = 16;

impl PipelineError {
    /// The error for `code`, an unknown language code given in `field`.
    pub fn unknown_language(field: &'static str, code: &str) -> Self {
        let mut echoed: String = code.chars().take(ECHOED_CODE_CHARS).collect();
        if echoed.len() < code.len() {
            echoed.push('…');
        }
        Self::UnknownLanguage {
            field,
            code: echoed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_echoed_in_full_when_short_and_cut_when_long() {
        let short = PipelineError::unknown_language("language", "xx");
        assert!(short.to_string().contains("\"xx\""));
        let long = "q".repeat(1 << 20);
        let message = PipelineError::unknown_language("language", &long).to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(message.contains(&format!("\"{}…\"", "q".repeat(ECHOED_CODE_CHARS))));
    }
}
