//! textpipe cleans and understands text for other services: language
//! detection, boilerplate stripping and extractive summarization, over gRPC
//! and on the command line.
//!
//! # Layout
//! - [`pipeline`]: the text modules, pure and synchronous, no transport.
//! - [`grpc`]: glue: validate requests, run the pipeline off the reactor,
//!   map errors to `Status`; health, reflection.
//! - [`startup`]: bind, serve, drain on shutdown (closed connections linger
//!   until their last answers are out: `linger`).
//! - [`config`]: settings (flags and `TEXTPIPE_*` variables), validated at start.
//! - [`security`]: TLS (optionally mutual), bearer tokens, reload on SIGHUP.
//! - [`cli`]: the command line, running the same calls as the server.
//! - [`telemetry`], [`shutdown`]: logging set-up and the stop signal.
//!
//! # Example
//! ```
//! use textpipe::pipeline::{Document, Pipeline, StripOptions};
//!
//! let pipeline = Pipeline::new();
//! let detection = pipeline.detect("Das ist ein kurzer deutscher Satz über das Wetter.", &[])?;
//! assert_eq!(detection.language().map(|l| l.code()), Some("de"));
//! let stripped = pipeline.strip(Document::Text("A headline\n\nSome body text here."), &StripOptions::default())?;
//! assert!(stripped.text.contains("Some body text"));
//! # Ok::<(), textpipe::pipeline::PipelineError>(())
//! ```

pub mod cli;
pub mod config;
pub mod grpc;
mod linger;
pub mod metrics;
pub mod pipeline;
pub mod probe;
pub mod security;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
