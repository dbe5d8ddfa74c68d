//! Fitting harness: mounts the service's own pipeline modules (the same
//! source files, not copies) so that fitted constants are measured on the
//! code that ships. See `../README.md`.
#![allow(dead_code, unreachable_pub, missing_docs)]

#[path = "../../../src/pipeline/langid/mod.rs"]
pub mod langid;
#[path = "../../../src/pipeline/segment.rs"]
pub mod segment;
#[path = "../../../src/pipeline/summarize.rs"]
pub mod summarize;

pub mod fitshim;
pub mod sumfit;
