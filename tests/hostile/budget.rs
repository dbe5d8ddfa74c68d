//! The per-call work budget: past it, each stage stops at its next check
//! and the call fails with `DeadlineExceeded` instead of running on.

use std::time::{Duration, Instant};

use textpipe::pipeline::{
    Document, Pipeline, PipelineError, ProcessOptions, StripOptions, SummaryOptions, budget,
};

fn big_page(paragraphs: usize) -> String {
    let mut page = String::from("<html><body><article>");
    for i in 0..paragraphs {
        page.push_str(&format!(
            "<p>Paragraph {i} says the council met again to discuss the budget for roads and schools.</p>"
        ));
    }
    page.push_str("</article></body></html>");
    page
}

#[test]
fn a_spent_budget_stops_every_entry_point() {
    let p = Pipeline::new();
    let page = big_page(50);
    let text = "A sentence about the weather. Another one about the sea.";
    let past = Instant::now();
    let results = [
        budget::within(past, || p.detect(text, &[]).map(drop)),
        budget::within(past, || p.segments(text, &[]).map(drop)),
        budget::within(past, || {
            p.strip(Document::Html(&page), &StripOptions::default())
                .map(drop)
        }),
        budget::within(past, || {
            p.strip(Document::Text(text), &StripOptions::default())
                .map(drop)
        }),
        budget::within(past, || {
            p.summarize(Document::Html(&page), None, &SummaryOptions::default())
                .map(drop)
        }),
        budget::within(past, || {
            p.process(Document::Text(text), &ProcessOptions::default())
                .map(drop)
        }),
    ];
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r, Err(PipelineError::DeadlineExceeded), "entry point {i}");
    }
    // Empty input is still the caller's mistake first.
    assert!(matches!(
        budget::within(past, || p.detect(" ", &[])),
        Err(PipelineError::EmptyInput { .. })
    ));
}

#[test]
fn a_generous_budget_changes_nothing() {
    let p = Pipeline::new();
    let page = big_page(40);
    let free = p
        .process(Document::Html(&page), &ProcessOptions::default())
        .expect("runs");
    let bounded = budget::within(Instant::now() + Duration::from_secs(3600), || {
        p.process(Document::Html(&page), &ProcessOptions::default())
    })
    .expect("runs within an hour");
    assert_eq!(free.stripped.text, bounded.stripped.text);
    assert_eq!(free.summary, bounded.summary);
}

#[test]
fn runaway_work_stops_soon_after_the_budget() {
    let p = Pipeline::new();
    // About 3.6 MB of HTML: seconds of work in a debug build.
    let page = big_page(36_000);
    let started = Instant::now();
    p.process(Document::Html(&page), &ProcessOptions::default())
        .expect("runs unbounded");
    let unbounded = started.elapsed();
    let started = Instant::now();
    // A tenth of the whole, whatever the build's speed.
    let result = budget::within(started + unbounded / 10, || {
        p.process(Document::Html(&page), &ProcessOptions::default())
    });
    let bounded = started.elapsed();
    assert_eq!(result.err(), Some(PipelineError::DeadlineExceeded));
    // HTML is tokenized 64 KiB at a time between checks; the rest of the
    // pipeline runs on what was read by then.
    assert!(
        bounded < unbounded / 4,
        "stopped after {bounded:?}; the whole run takes {unbounded:?}"
    );
}
