#![no_main]
//! The whole pipeline: no panic; the summary points into the stripped text.

use libfuzzer_sys::fuzz_target;
use textpipe::pipeline::{Document, ProcessOptions};
use textpipe_fuzz::{
    PIPELINE, check_stripped, check_summary, split, strip_options, summary_options,
};

fuzz_target!(|data: &[u8]| {
    let (bits, text) = split(data);
    let opts = ProcessOptions {
        strip: strip_options(bits),
        allowed_languages: Vec::new(),
        summary: summary_options(bits.rotate_left(3)),
    };
    let doc = if bits & 128 != 0 {
        Document::Html(&text)
    } else {
        Document::Text(&text)
    };
    if let Ok(out) = PIPELINE.process(doc, &opts) {
        check_stripped(&out.stripped);
        check_summary(&out.stripped.text, &out.summary, &opts.summary);
    }
});
