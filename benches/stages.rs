//! Criterion benchmarks of each pipeline stage over self-made inputs of
//! several sizes, single-threaded: sentence splitting, detection, stripping
//! (HTML and plain text), summarizing and the whole `process`. Throughput is
//! reported in bytes/s, so the per-size figures show how cost scales.
//!
//! `cargo bench --bench stages` (add `-- <filter>` for one group).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code may panic

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use textpipe::pipeline::{
    Document, Pipeline, ProcessOptions, StripOptions, SummaryOptions, split_sentences,
};

/// Input sizes in bytes: a short message, a typical article, a large page.
const SIZES: [usize; 3] = [1_024, 5 * 1_024, 100 * 1_024];

const SENTENCES: [&str; 8] = [
    "The council approved the new budget after a long debate on Tuesday evening.",
    "Residents asked for more buses on the northern routes, which are often full by eight.",
    "A spokesperson said the library would keep its weekend opening hours for another year.",
    "Engineers expect the bridge repairs to finish before the first snow arrives.",
    "The school board, which met in the old town hall, postponed its vote until March.",
    "Shop owners on the high street reported their best December in a decade.",
    "Dr. Okafor, who led the survey, said 3.5 per cent of homes still lacked broadband.",
    "Volunteers planted two hundred trees along the river path over the weekend.",
];

/// Plain text of about `size` bytes: paragraphs of four sentences.
fn article(size: usize) -> String {
    let mut out = String::with_capacity(size + 200);
    let mut i = 0;
    while out.len() < size {
        for _ in 0..4 {
            out.push_str(SENTENCES[i % SENTENCES.len()]);
            out.push(' ');
            i += 1;
        }
        out.pop();
        out.push_str("\n\n");
    }
    out
}

/// An HTML page of about `size` bytes: navigation, an article, a sidebar of
/// related links, a share bar and a footer, as news pages have.
fn page(size: usize) -> String {
    let nav: String = (0..12)
        .map(|i| format!("<li><a href=\"/section/{i}\">Section {i}</a></li>"))
        .collect();
    let related: String = (0..8)
        .map(|i| {
            format!("<li><a href=\"/story/{i}\">Another story about town life, part {i}</a></li>")
        })
        .collect();
    let frame = 2_000;
    let body: String = article(size.saturating_sub(frame).max(200))
        .split("\n\n")
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Council budget | Town News</title></head>\
         <body><header><ul class=\"menu\">{nav}</ul></header><main><article><h1>Council approves budget</h1>\
         <p class=\"byline\">By A. Writer</p>{body}</article>\
         <aside class=\"related\"><h2>Related</h2><ul>{related}</ul></aside>\
         <div class=\"share\">Share on social media | Email | Print</div></main>\
         <footer><p>© 2026 Town News. All rights reserved.</p><a href=\"/privacy\">Privacy</a></footer></body></html>"
    )
}

fn stages(c: &mut Criterion) {
    let pipeline = Pipeline::new();
    let strip_opts = StripOptions::default();
    let summary_opts = SummaryOptions::default();
    let process_opts = ProcessOptions::default();

    for size in SIZES {
        let text = article(size);
        let html = page(size);

        let mut g = c.benchmark_group("segment");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &text, |b, t| {
            b.iter(|| black_box(split_sentences(t)));
        });
        g.finish();

        let mut g = c.benchmark_group("detect");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &text, |b, t| {
            b.iter(|| black_box(pipeline.detect(t, &[]).ok()));
        });
        g.finish();

        let mut g = c.benchmark_group("strip_html");
        g.throughput(Throughput::Bytes(html.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &html, |b, h| {
            b.iter(|| black_box(pipeline.strip(Document::Html(h), &strip_opts).ok()));
        });
        g.finish();

        let mut g = c.benchmark_group("strip_text");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &text, |b, t| {
            b.iter(|| black_box(pipeline.strip(Document::Text(t), &strip_opts).ok()));
        });
        g.finish();

        let mut g = c.benchmark_group("summarize");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &text, |b, t| {
            b.iter(|| {
                black_box(
                    pipeline
                        .summarize(Document::Text(t), None, &summary_opts)
                        .ok(),
                )
            });
        });
        g.finish();

        let mut g = c.benchmark_group("process_html");
        g.throughput(Throughput::Bytes(html.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &html, |b, h| {
            b.iter(|| black_box(pipeline.process(Document::Html(h), &process_opts).ok()));
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // Short runs: the machine is shared and noisy; ratios come from one run.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = stages
}
criterion_main!(benches);
