//! Hostile input against the pipeline itself: pathological documents with
//! their time and memory bounds, property tests of the outputs'
//! invariants, the per-call work budget, and regressions found by fuzzing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code may panic

mod alloc;
mod budget;
mod fuzz_seeds;
mod pathological;
mod properties;
mod regressions;
