#![no_main]
//! Language detection and segmentation: no panic, confidences in range,
//! spans that point into the text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| textpipe_fuzz::targets::detect(data));
