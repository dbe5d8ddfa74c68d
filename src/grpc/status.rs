//! The one mapping from every way a call can fail to a gRPC status.
//!
//! Glue code never builds a `Status` by hand: it names the failure as a
//! [`CallError`], and the exhaustive match below gives it its code. The
//! message is the variant's `Display`, written for the caller.

use std::time::Duration;

use tonic::{Code, Status};
use tracing::Span;

use crate::pipeline::PipelineError;

/// Why a call (or one item of a stream) did not get its answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// The pipeline refused the input or stopped.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A request names neither `text` nor `html`.
    #[error("content is missing: set exactly one of text or html")]
    MissingContent,
    /// The message does not decode as this method's request.
    #[error("the message is not valid protobuf for this method (string fields must be UTF-8): {0}")]
    NotProtobuf(String),
    /// A unary call whose body ended without its one message.
    #[error("the request carries no message: a unary call sends exactly one")]
    NoMessage,
    /// The body ended inside a message: its prefix, or fewer bytes than the
    /// prefix announced.
    #[error(
        "the request body ended inside a message: {arrived} of its {expected} bytes arrived \
         (a 5-byte prefix, then the length it announces)"
    )]
    Truncated {
        /// Bytes of the message (prefix included) that arrived.
        arrived: usize,
        /// Bytes the message needs: 5 while its prefix is incomplete.
        expected: usize,
    },
    /// A unary call whose body carries a second message.
    #[error("the request carries more than one message: a unary call sends exactly one")]
    ExtraMessage,
    /// A message prefix whose compressed-flag byte is neither 0 nor 1.
    #[error("a message prefix's compressed-flag byte is {0}, not 0 or 1")]
    BadFlag(u8),
    /// A request message over `--max-message-bytes`, seen at its length prefix.
    #[error(
        "request message of {len} bytes is over the limit of {limit} bytes (max-message-bytes)"
    )]
    MessageTooLarge {
        /// The message's declared length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Every call slot is taken (`--max-concurrent-requests`).
    #[error("server busy: {calls} calls already in progress; retry with backoff")]
    BusyCalls {
        /// The limit on calls in progress.
        calls: usize,
    },
    /// The documents in progress fill `--max-in-flight-bytes`.
    #[error("server busy: {mib} MiB of documents already in progress; retry with backoff")]
    BusyBytes {
        /// The limit in MiB.
        mib: usize,
    },
    /// The call's deadline (the caller's, or the server's default) passed.
    #[error("deadline of {ms} ms passed before the work finished")]
    Deadline {
        /// The deadline the call had, in milliseconds.
        ms: u128,
    },
    /// The call's deadline (the caller's, or tonic's timer past the
    /// server's default) passed while its request message was still
    /// arriving.
    #[error("deadline of {ms} ms passed before the request message arrived")]
    RequestLate {
        /// The deadline, in milliseconds.
        ms: u128,
    },
    /// A stream item's prefix arrived (and was charged to the input
    /// budget) but the rest of it did not within the item deadline.
    #[error(
        "a stream item stalled: {arrived} of its {expected} bytes arrived within {ms} ms \
         (the server's default deadline)"
    )]
    ItemStalled {
        /// Bytes of the item (prefix included) that arrived.
        arrived: usize,
        /// Bytes the item needs.
        expected: usize,
        /// The item deadline, in milliseconds.
        ms: u128,
    },
    /// The server stopped and its shutdown grace ended first.
    #[error("server stopped: its shutdown grace ended before this call finished; retry")]
    ShutDown,
    /// The server began to stop while a stream still had items to send.
    #[error("server is stopping: items after the last answered were not read; send them again")]
    StreamCut,
    /// The caller reset the call or lost its connection while sending.
    #[error("the request body was cut off: {0}")]
    BodyCutOff(String),
    /// The caller went away before the answer (its call future was dropped).
    #[error("the caller went away before the answer")]
    CallerGone,
    /// The pipeline panicked: a bug, logged where it happened.
    #[error("internal error; the failure was logged")]
    Panicked,
}

impl From<CallError> for Status {
    fn from(err: CallError) -> Self {
        use PipelineError as P;
        // Exhaustive on purpose, down into the pipeline's variants: a new
        // failure must be given its code here.
        let code = match &err {
            CallError::Pipeline(P::EmptyInput { .. })
            | CallError::Pipeline(P::InvalidOption { .. })
            | CallError::Pipeline(P::UnknownLanguage { .. })
            | CallError::MissingContent
            | CallError::NotProtobuf(_)
            | CallError::NoMessage
            | CallError::ExtraMessage
            | CallError::Truncated { .. }
            | CallError::BadFlag(_) => Code::InvalidArgument,
            CallError::Pipeline(P::TooLarge { .. })
            | CallError::MessageTooLarge { .. }
            | CallError::BusyCalls { .. }
            | CallError::BusyBytes { .. } => Code::ResourceExhausted,
            CallError::Pipeline(P::DeadlineExceeded)
            | CallError::Deadline { .. }
            | CallError::RequestLate { .. }
            | CallError::ItemStalled { .. } => Code::DeadlineExceeded,
            CallError::Pipeline(P::Cancelled)
            | CallError::BodyCutOff(_)
            | CallError::CallerGone => Code::Cancelled,
            CallError::ShutDown | CallError::StreamCut => Code::Unavailable,
            CallError::Panicked => Code::Internal,
        };
        Status::new(code, err.to_string())
    }
}

impl From<PipelineError> for Status {
    fn from(err: PipelineError) -> Self {
        CallError::Pipeline(err).into()
    }
}

/// The one line every call ends with, in the call's `rpc` span (method,
/// input bytes): refusals before the handler log the same shape as served
/// calls, so one query finds them all.
pub(crate) fn log_call_finished(span: &Span, latency: Duration, error: Option<&Status>) {
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    let _entered = span.enter();
    match error {
        None => tracing::info!(code = "OK", latency_us, "call finished"),
        Some(status) => tracing::info!(
            code = code_name(status.code()),
            latency_us,
            error.message = status.message(),
            "call finished"
        ),
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
    fn service_failures_get_their_codes() {
        let cases = [
            (CallError::MissingContent, Code::InvalidArgument),
            (CallError::NoMessage, Code::InvalidArgument),
            (
                CallError::Truncated {
                    arrived: 15,
                    expected: 105,
                },
                Code::InvalidArgument,
            ),
            (CallError::BadFlag(2), Code::InvalidArgument),
            (CallError::ExtraMessage, Code::InvalidArgument),
            (
                CallError::MessageTooLarge { len: 9, limit: 8 },
                Code::ResourceExhausted,
            ),
            (CallError::BusyCalls { calls: 4 }, Code::ResourceExhausted),
            (CallError::BusyBytes { mib: 64 }, Code::ResourceExhausted),
            (CallError::Deadline { ms: 250 }, Code::DeadlineExceeded),
            (CallError::RequestLate { ms: 5 }, Code::DeadlineExceeded),
            (
                CallError::ItemStalled {
                    arrived: 5,
                    expected: 9,
                    ms: 30_000,
                },
                Code::DeadlineExceeded,
            ),
            (CallError::ShutDown, Code::Unavailable),
            (CallError::StreamCut, Code::Unavailable),
            (CallError::CallerGone, Code::Cancelled),
            (CallError::Panicked, Code::Internal),
        ];
        for (err, code) in cases {
            let message = err.to_string();
            let status = Status::from(err);
            assert_eq!(status.code(), code, "{message}");
            assert_eq!(status.message(), message);
        }
    }

    #[test]
    fn code_names_are_canonical() {
        assert_eq!(code_name(Code::InvalidArgument), "INVALID_ARGUMENT");
        assert_eq!(code_name(Code::ResourceExhausted), "RESOURCE_EXHAUSTED");
    }
}
