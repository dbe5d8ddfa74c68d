//! gRPC glue: validates requests, converts them to pipeline calls, runs the
//! pipeline off the async reactor, and maps errors to `Status` in one place.

pub mod admission;
mod calls;
pub mod codec;
mod convert;
mod deadline;
#[cfg(fuzzing)]
pub mod fuzzing;
mod health;
mod service;
mod status;

pub(crate) use status::code_name;

pub(crate) use calls::{DetectCall, ProcessCall, StripCall, SummarizeCall};
pub(crate) use deadline::TONIC_SLACK;
pub use deadline::stamp_arrival;
pub use health::DrainingHealth;
pub use service::{Limits, TextPipe};

/// Generated protobuf types and tonic stubs for `textpipe.v1`, with
/// proto3-JSON serde impls.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("textpipe.v1");
    include!(concat!(env!("OUT_DIR"), "/textpipe.v1.serde.rs"));

    /// Encoded descriptor set of `textpipe.v1`, served by reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("textpipe_descriptor");
}

/// Resolves once `stopping` turns true (or its sender is gone). The guard
/// `wait_for` returns is dropped here, so callers stay `Send`.
pub(crate) async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}
