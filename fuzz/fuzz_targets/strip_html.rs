#![no_main]
//! HTML stripping: no panic, well-formed output.

use libfuzzer_sys::fuzz_target;
use textpipe::pipeline::Document;
use textpipe_fuzz::{PIPELINE, check_stripped, split, strip_options};

fuzz_target!(|data: &[u8]| {
    let (bits, html) = split(data);
    if let Ok(out) = PIPELINE.strip(Document::Html(&html), &strip_options(bits)) {
        check_stripped(&out);
    }
});
