#![no_main]
//! The whole pipeline: no panic; the summary points into the stripped text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| textpipe_fuzz::targets::process(data));
