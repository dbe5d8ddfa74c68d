//! The one mapping from pipeline errors to gRPC status codes.

use tonic::{Code, Status};

use crate::pipeline::PipelineError;

impl From<PipelineError> for Status {
    fn from(err: PipelineError) -> Self {
        // Exhaustive on purpose: a new variant must be given a code here.
        let code = match &err {
            PipelineError::EmptyInput { .. }
            | PipelineError::InvalidOption { .. }
            | PipelineError::UnknownLanguage { .. } => Code::InvalidArgument,
            PipelineError::TooLarge { .. } => Code::ResourceExhausted,
            PipelineError::DeadlineExceeded => Code::DeadlineExceeded,
            PipelineError::Cancelled => Code::Cancelled,
        };
        Status::new(code, err.to_string())
    }
}

/// The canonical upper-snake name of a code, as gRPC documents them, for
/// per-item errors in streams and command-line output.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_are_invalid_argument_with_the_reason() {
        let status = Status::from(PipelineError::EmptyInput { field: "text" });
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("text is empty"));
        let status = Status::from(PipelineError::unknown_language("language", "xx"));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("\"xx\""));
    }

    #[test]
    fn deadline_maps_to_deadline_exceeded() {
        assert_eq!(
            Status::from(PipelineError::DeadlineExceeded).code(),
            Code::DeadlineExceeded
        );
    }

    #[test]
    fn code_names_are_canonical() {
        assert_eq!(code_name(Code::InvalidArgument), "INVALID_ARGUMENT");
        assert_eq!(code_name(Code::ResourceExhausted), "RESOURCE_EXHAUSTED");
    }
}
