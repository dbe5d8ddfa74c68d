//! Pathological documents. Each runs through every stage that takes it and
//! must finish with bounded memory, and in time that grows linearly with
//! its size: the same shape at 4x the size may take at most
//! `LINEAR_SLACK` times as long (linear work takes 4x, quadratic 16x).
//! The bounds are stated per test and in the README's Operations section.

use std::time::Duration;

use textpipe::pipeline::{
    Document, Pipeline, PipelineError, ProcessOptions, StripOptions, SummaryOptions,
};

use crate::alloc::peak_during;

/// Growth allowed when the input grows 4x (linear is 4, quadratic 16);
/// generous for timing noise on a shared machine.
const LINEAR_SLACK: f64 = 9.0;

fn pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        // Warm up (model, lazy tables) so no measured run pays for them.
        let p = Pipeline::new();
        let _ = p.process(
            Document::Html("<p>Warm up the language model, please.</p>"),
            &ProcessOptions::default(),
        );
        p
    })
}

/// What one run of `work` cost: CPU time of this thread and peak heap.
struct Cost {
    took: Duration,
    peak: usize,
}

/// CPU time of the current thread: unlike wall time it does not grow when
/// other tests or builds share the machine.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// Elsewhere, wall time since the first call.
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

fn cost<T>(work: impl FnOnce() -> T) -> Cost {
    let started = thread_cpu();
    let (_out, peak) = peak_during(work);
    Cost {
        took: thread_cpu().saturating_sub(started),
        peak,
    }
}

/// Runs `work` on `make(n)` and `make(4n)`; asserts time grows at most
/// linearly (within slack) and peak heap stays within `mem_factor` times
/// the input plus 1 MiB. Returns the cost of the larger run.
fn linear<T>(
    name: &str,
    n: usize,
    mem_factor: usize,
    make: impl Fn(usize) -> String,
    work: impl Fn(&str) -> T,
) -> Cost {
    // The shared pipeline warms up on first use: not inside a measurement.
    let _ = pipeline();
    let small = make(n);
    let large = make(4 * n);
    let c1 = cost(|| work(&small));
    let c4 = cost(|| work(&large));
    let ratio = c4.took.as_secs_f64() / c1.took.as_secs_f64().max(1e-4);
    eprintln!(
        "{name}: {} B in {:?} (peak {} B), {} B in {:?} (peak {} B), ratio {ratio:.1}",
        small.len(),
        c1.took,
        c1.peak,
        large.len(),
        c4.took,
        c4.peak
    );
    assert!(
        ratio <= LINEAR_SLACK || c4.took < Duration::from_millis(50),
        "{name}: 4x the input took {ratio:.1}x as long"
    );
    let mem_bound = mem_factor * large.len() + (1 << 20);
    assert!(
        c4.peak <= mem_bound,
        "{name}: peak heap {} B over {mem_bound} B for {} B of input",
        c4.peak,
        large.len()
    );
    c4
}

fn strip_html(html: &str) -> Result<(), PipelineError> {
    pipeline()
        .strip(Document::Html(html), &StripOptions::default())
        .map(drop)
}

fn strip_text(text: &str) -> Result<(), PipelineError> {
    pipeline()
        .strip(Document::Text(text), &StripOptions::default())
        .map(drop)
}

fn process_html(html: &str) -> Result<(), PipelineError> {
    pipeline()
        .process(Document::Html(html), &ProcessOptions::default())
        .map(drop)
}

fn process_text(text: &str) -> Result<(), PipelineError> {
    pipeline()
        .process(Document::Text(text), &ProcessOptions::default())
        .map(drop)
}

fn summarize_text(text: &str) -> Result<(), PipelineError> {
    pipeline()
        .summarize(Document::Text(text), None, &SummaryOptions::default())
        .map(drop)
}

fn detect(text: &str) -> Result<(), PipelineError> {
    pipeline().detect(text, &[])?;
    pipeline().segments(text, &[]).map(drop)
}

#[test]
fn html_nested_100_000_levels_deep() {
    // No tree and no recursion: the open-element stack is capped at 256
    // and deeper elements flatten into their ancestor at the cap.
    let deep = |n: usize| {
        format!(
            "{}<p>The innermost paragraph says something about the weather today.</p>{}",
            "<div>".repeat(n),
            "</div>".repeat(n)
        )
    };
    let out = pipeline()
        .strip(Document::Html(&deep(100_000)), &StripOptions::default())
        .expect("deep HTML strips");
    assert!(out.text.contains("innermost paragraph"), "{:?}", out.text);
    linear("deep divs", 10_000, 8, deep, process_html);
    // Unclosed, mixed and inline nesting.
    let mixed = |n: usize| "<div><span><a href=x><table><tr><td><b>word ".repeat(n / 8);
    linear("deep mixed unclosed", 16_000, 8, mixed, process_html);
}

#[test]
fn a_4_mib_single_line() {
    let words = |n: usize| {
        let mut s = String::with_capacity(n + 16);
        while s.len() < n {
            s.push_str("lorem ipsum dolor sit amet consectetur ");
        }
        s
    };
    let mib = 1 << 20;
    // Plain text, one block and one sentence: the whole pipeline at 4 MiB.
    linear("4 MiB line, process text", mib, 4, words, process_text);
    linear(
        "4 MiB line, process html",
        mib,
        4,
        |n| format!("<p>{}</p>", words(n)),
        process_html,
    );
    // Each stage alone, at 1 MiB.
    linear("1 MiB line, strip text", mib / 4, 4, words, strip_text);
    linear("1 MiB line, summarize", mib / 4, 4, words, summarize_text);
    linear("1 MiB line, detect", mib / 4, 8, words, detect);
    // Many sentences without a line break.
    let sentences = |n: usize| "The council met again. ".repeat(n / 23);
    linear(
        "1 MiB of sentences on one line",
        mib / 4,
        4,
        sentences,
        process_text,
    );
}

#[test]
fn millions_of_tiny_elements() {
    // 1.4 million start tags in 4 MiB.
    let empty = |n: usize| "<i>".repeat(n / 3);
    linear("empty elements", 1 << 20, 4, empty, strip_html);
    // Every element its own text block: the costliest shape per byte.
    let tiny = |n: usize| "<b>x</b>".repeat(n / 8);
    linear("tiny elements", 1 << 18, 24, tiny, process_html);
    let paras = |n: usize| "<p>a</p>\n".repeat(n / 9);
    linear("tiny paragraphs", 1 << 18, 24, paras, process_html);
    // Plain text of one-character lines: every line is a block with its
    // own bookkeeping (about 70 bytes), so 35 bytes per input byte.
    let lines = |n: usize| "x\n".repeat(n / 2);
    linear("tiny lines", 1 << 17, 40, lines, process_text);
}

#[test]
fn huge_attribute_values() {
    let attr = |n: usize| {
        let v = "a".repeat(n);
        format!(
            "<html lang=\"{v}\"><head><meta name=\"author\" content=\"{v}\"><link rel=canonical href=\"{v}\"></head>\
             <body><div class=\"{v}\" id=\"{v}\" style=\"{v}\"><a href=\"{v}\">link</a>\
             <p>The council met on Tuesday to approve the budget.</p></div></body></html>"
        )
    };
    linear("huge attributes", 1 << 18, 4, attr, process_html);
    let many = |n: usize| format!("<div {}>text here</div>", "a=b ".repeat(n / 4));
    linear("many attributes", 1 << 16, 4, many, process_html);
    // Distinct names: each is checked against those before it for a repeat.
    let distinct = |n: usize| {
        let names: String = (0..n / 8).map(|k| format!("a{k} ")).collect();
        format!("<div {names}>text here</div>")
    };
    // The names' index and the attribute list: about 12 bytes per byte.
    linear(
        "many distinct attributes",
        1 << 16,
        16,
        distinct,
        process_html,
    );
    let ld = |n: usize| {
        format!(
            "<script type=\"application/ld+json\">{{\"author\":\"{}\"}}</script><p>Body text of the page.</p>",
            "x".repeat(n)
        )
    };
    linear("huge JSON-LD", 1 << 18, 4, ld, process_html);
}

#[test]
fn only_punctuation_or_only_emoji() {
    let punct = |n: usize| ".,;:!?-()[]{}\"'«»…—".repeat(n / 30);
    let emoji = |n: usize| "😀🙂🎉👍🏽❤️🇩🇪 ".repeat(n / 40);
    for (name, make) in [
        ("punctuation", &punct as &dyn Fn(usize) -> String),
        ("emoji", &emoji),
    ] {
        let small = make(4096);
        let d = pipeline().detect(&small, &[]).expect("has content");
        assert_eq!(d.language(), None, "{name}: no language in {small:?}");
        assert!(!d.reliable);
        linear(name, 1 << 18, 8, make, process_text);
        linear(name, 1 << 18, 8, make, detect);
        linear(
            name,
            1 << 18,
            8,
            |n| format!("<p>{}</p>", make(n)),
            process_html,
        );
    }
}

#[test]
fn mixed_scripts() {
    let mixed =
        |n: usize| "Hello мир 世界 مرحبا नमस्ते γειά שלום こんにちは 안녕 สวัสดี. ".repeat(n / 120);
    let text = mixed(8192);
    let segments = pipeline().segments(&text, &[]).expect("has content");
    for s in &segments {
        assert!(text.get(s.range()).is_some());
    }
    linear("mixed scripts", 1 << 18, 8, mixed, process_text);
    linear("mixed scripts, detect", 1 << 18, 8, mixed, detect);
}

#[test]
fn nul_and_control_characters() {
    let controls: String = (0u32..32)
        .chain(127..160)
        .filter_map(char::from_u32)
        .chain("\u{200b}\u{200e}\u{202e}\u{2028}\u{2029}\u{feff}\u{fffd}".chars())
        .collect();
    let text = format!("{controls}Words\0between\0nul bytes.{controls}\n{controls}");
    for doc in [Document::Text(&text), Document::Html(&text)] {
        let out = pipeline()
            .process(doc, &ProcessOptions::default())
            .expect("has content");
        assert!(
            !out.stripped.text.chars().any(char::is_control),
            "{:?}",
            out.stripped.text
        );
        for s in &out.summary {
            assert_eq!(
                out.stripped
                    .text
                    .get(s.byte_offset..s.byte_offset + s.byte_len),
                Some(s.text.as_str())
            );
        }
    }
    let make = |n: usize| controls.repeat(n / controls.len());
    linear("control characters", 1 << 18, 8, make, process_text);
    linear("control characters html", 1 << 18, 8, make, process_html);
    linear("control characters detect", 1 << 18, 8, make, detect);
}

#[test]
fn comment_prompts_between_posts() {
    // Each "Add a comment" in a comment-marked widget looks for the posts
    // before and after it: thousands of prompts in one run between two
    // posts must not each walk the run.
    let post = "<p>The answer explains that the valve must be closed before the pipe \
                is cut, and that the water board will send a fitter within the week.</p>";
    let page = |n: usize| {
        let prompts = "<div class=comment>Add a comment</div>".repeat(n / 38);
        format!("<div class=answer>{post}{post}{prompts}</div><div class=answer>{post}</div>")
    };
    linear("comment prompts", 1 << 16, 24, page, strip_html);
}

#[test]
fn thousands_of_containers_shaped_like_the_winner() {
    // Deep in the page, one strong container and many weaker ones of the
    // same tag and class: only each one's nearest ancestors are compared,
    // so memory does not grow with depth times their number.
    let page = |n: usize| {
        let unit = "<dl><dd class=k><p>a, b, c and the rest of a short line</dl>";
        format!(
            "{}<dl><dd class=k><p>One, two, three, four, five, six, seven, eight, nine, \
             ten, eleven, twelve, and many more words in one long sentence about the \
             budget of the town.</dl>{}{}",
            "<div>".repeat(250),
            unit.repeat(n / unit.len()),
            "</div>".repeat(250)
        )
    };
    linear("kin containers", 1 << 16, 16, page, strip_html);
}
