//! Black-box tests: each starts the real server on port 0 and calls it with
//! a tonic client. One binary so everything links once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code may panic

mod helpers;

mod bad_input;
mod binary;
mod budget;
mod cancel;
mod health;
mod http2;
mod limits;
mod metrics;
mod overload;
mod reflection;
mod rpcs;
mod shutdown;
mod stream;
mod tls;
