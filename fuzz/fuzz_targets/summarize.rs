#![no_main]
//! Summarizing text and HTML: no panic; sentences are verbatim spans of
//! the summarized text at the offsets given, within the budget.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| textpipe_fuzz::targets::summarize(data));
