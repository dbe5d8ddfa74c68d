#![no_main]
//! Language detection and segmentation: no panic, confidences in range,
//! spans that point into the text.

use libfuzzer_sys::fuzz_target;
use textpipe::pipeline::Language;
use textpipe_fuzz::{PIPELINE, check_segments, split};

fuzz_target!(|data: &[u8]| {
    let (bits, text) = split(data);
    let allowed: Vec<Language> = match bits & 3 {
        1 => ["en", "de", "fr"]
            .iter()
            .filter_map(|c| Language::from_code(c))
            .collect(),
        2 => Language::from_code("ja").into_iter().collect(),
        _ => Vec::new(),
    };
    let Ok(detection) = PIPELINE.detect(&text, &allowed) else {
        assert!(text.trim().is_empty());
        return;
    };
    for c in detection.best.iter().chain(&detection.alternatives) {
        assert!((0.0..=1.0).contains(&c.confidence), "{}", c.confidence);
        assert!(allowed.is_empty() || allowed.contains(&c.language));
    }
    if bits & 4 != 0 {
        let segments = PIPELINE
            .segments(&text, &allowed)
            .expect("text has content");
        check_segments(&text, &segments);
    }
});
