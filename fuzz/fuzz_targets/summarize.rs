#![no_main]
//! Summarizing text and HTML: no panic; sentences are verbatim spans of
//! the summarized text at the offsets given, within the budget.

use libfuzzer_sys::fuzz_target;
use textpipe::pipeline::{Document, Order};
use textpipe_fuzz::{PIPELINE, check_summary, split, summary_options};

fuzz_target!(|data: &[u8]| {
    let (bits, text) = split(data);
    let opts = summary_options(bits);
    let doc = if bits & 128 != 0 {
        Document::Html(&text)
    } else {
        Document::Text(&text)
    };
    let Ok(summary) = PIPELINE.summarize(doc, None, &opts) else {
        return;
    };
    if let Document::Text(t) = doc {
        assert_eq!(summary.text, t, "plain text is summarized as given");
    }
    check_summary(&summary.text, &summary.sentences, &opts);
    if opts.order == Order::Score {
        // The same sentences as in document order, ranked.
        let by_doc = textpipe::pipeline::SummaryOptions {
            order: Order::Document,
            ..opts.clone()
        };
        let again = PIPELINE.summarize(doc, None, &by_doc).expect("ran once");
        let mut a: Vec<usize> = summary.sentences.iter().map(|s| s.index).collect();
        a.sort_unstable();
        let b: Vec<usize> = again.sentences.iter().map(|s| s.index).collect();
        assert_eq!(a, b, "score order drops or adds sentences");
    }
});
