#![no_main]
//! HTML stripping: no panic, well-formed output.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| textpipe_fuzz::targets::strip_html(data));
