#![no_main]
//! Text stripping: no panic; what is kept and what is removed both come
//! from the input, in order.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| textpipe_fuzz::targets::strip_text(data));
