#![no_main]
//! Text stripping: no panic; what is kept and what is removed both come
//! from the input, in order.

use libfuzzer_sys::fuzz_target;
use textpipe::pipeline::Document;
use textpipe_fuzz::{PIPELINE, check_stripped, is_subsequence, split, strip_options, visible};

fuzz_target!(|data: &[u8]| {
    let (bits, text) = split(data);
    let Ok(out) = PIPELINE.strip(Document::Text(&text), &strip_options(bits)) else {
        assert!(text.trim().is_empty());
        return;
    };
    check_stripped(&out);
    assert!(is_subsequence(visible(&out.text), visible(&text)));
    for removed in &out.removed {
        assert!(is_subsequence(visible(&removed.text), visible(&text)));
    }
});
