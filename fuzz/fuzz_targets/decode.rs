#![no_main]
//! Request decoding: arbitrary bytes as each method's request message,
//! through the codec's decoding, the service's validation and the pipeline.
//! Bad input must come back as INVALID_ARGUMENT, never INTERNAL or a panic.

use libfuzzer_sys::fuzz_target;
use textpipe_fuzz::PIPELINE;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, bytes)) = data.split_first() {
        let _ = textpipe::grpc::fuzzing::decode_and_run(&PIPELINE, selector, bytes);
    }
});
