//! Release-mode throughput of each pipeline stage against a peer run in the
//! same process on the same inputs, single-threaded:
//!
//! - detect: textpipe vs plain `whatlang::detect` (sentences/s)
//! - strip (HTML): textpipe vs `dom_smoothie` (pages/s)
//! - summarize: textpipe vs Lead-3 on textpipe's own splitter (docs/s)
//! - process: the whole pipeline (pages/s)
//!
//! Rates are per second of this thread's CPU time (from
//! `/proc/thread-self/schedstat`; wall time where that is unreadable), so a
//! busy shared machine slows the clock, not the figures.
//!
//! `cargo bench --bench throughput -- --calls DIR` prints instead the CPU
//! µs per call of each stage on the documents `benches/frames.py` wrote to
//! DIR (what `benches/load.sh` sends, which compares them with the server's
//! CPU per call).
//!
//! `cargo bench --bench throughput` uses built-in generated inputs;
//! `cargo bench --bench throughput -- --data ../shared/data` uses the dev sets
//! (langid sentences, extract pages, CNN/DM articles).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code may panic

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use textpipe::pipeline::{
    Document, Pipeline, ProcessOptions, StripOptions, SummaryOptions, split_sentences,
};

/// Each measurement repeats the whole input set for at least this long, and
/// the best of `ROUNDS` runs is kept (least disturbed by other load).
const MIN_RUN: Duration = Duration::from_millis(700);
const ROUNDS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--calls")
        .and_then(|i| args.get(i + 1))
    {
        per_call(Path::new(dir));
        return;
    }
    let data = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let inputs = match &data {
        Some(dir) => Inputs::from_dev(dir),
        None => Inputs::generated(),
    };
    println!(
        "inputs: {} ({} sentences, {} pages averaging {} KB, {} articles)",
        data.as_ref()
            .map_or("generated".to_owned(), |d| d.display().to_string()),
        inputs.sentences.len(),
        inputs.pages.len(),
        inputs.pages.iter().map(String::len).sum::<usize>() / inputs.pages.len().max(1) / 1024,
        inputs.articles.len(),
    );
    let pipeline = Pipeline::new();

    let ours = rate(&inputs.sentences, |s| {
        black_box(pipeline.detect(s, &[]).ok());
    });
    let peer = rate(&inputs.sentences, |s| {
        black_box(whatlang::detect(s));
    });
    report("detect", "sentences/s", ours, "whatlang", peer);

    let opts = StripOptions::default();
    let ours = rate(&inputs.pages, |p| {
        black_box(pipeline.strip(Document::Html(p), &opts).ok());
    });
    let peer = rate(&inputs.pages, |p| {
        let cfg = dom_smoothie::Config::default();
        if let Ok(mut r) = dom_smoothie::Readability::new(p.as_str(), None, Some(cfg)) {
            black_box(r.parse().ok());
        }
    });
    report("strip html", "pages/s", ours, "dom_smoothie", peer);

    let sopts = SummaryOptions::default();
    let ours = rate(&inputs.articles, |a| {
        black_box(pipeline.summarize(Document::Text(a), None, &sopts).ok());
    });
    let peer = rate(&inputs.articles, |a| {
        let lead: Vec<&str> = split_sentences(a)
            .into_iter()
            .take(3)
            .map(|r| &a[r])
            .collect();
        black_box(lead);
    });
    report("summarize", "docs/s", ours, "lead-3 (same splitter)", peer);

    let popts = ProcessOptions::default();
    let ours = rate(&inputs.pages, |p| {
        black_box(pipeline.process(Document::Html(p), &popts).ok());
    });
    println!("{:<12} {:>12.0} pages/s", "process", ours);
}

/// CPU µs per call of each stage on the documents `benches/frames.py`
/// wrote to `dir` (what `load.sh` sends), as `call NAME MICROSECONDS` lines
/// that `load.sh` sets against the server's CPU per call.
fn per_call(dir: &Path) {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run benches/frames.py DIR first)",
                dir.join(name).display()
            )
        })
    };
    let (text1k, text5k) = (read("detect.txt"), read("summarize.txt"));
    let (strip_page, process_page) = (read("strip.html"), read("process.html"));
    let big_page = read("process4m.html");
    let pipeline = Pipeline::new();
    let (strip, summary, process) = (
        StripOptions::default(),
        SummaryOptions::default(),
        ProcessOptions::default(),
    );
    let calls: [(&str, &dyn Fn()); 5] = [
        ("detect", &|| {
            black_box(pipeline.detect(&text1k, &[]).ok());
        }),
        ("summarize", &|| {
            black_box(
                pipeline
                    .summarize(Document::Text(&text5k), None, &summary)
                    .ok(),
            );
        }),
        ("strip", &|| {
            black_box(pipeline.strip(Document::Html(&strip_page), &strip).ok());
        }),
        ("process", &|| {
            black_box(
                pipeline
                    .process(Document::Html(&process_page), &process)
                    .ok(),
            );
        }),
        // The same page grown to 4 MB: how the cost scales with size.
        ("process4m", &|| {
            black_box(pipeline.process(Document::Html(&big_page), &process).ok());
        }),
    ];
    for (name, call) in calls {
        let per_second = rate(&[()], |()| call());
        println!("call {name} {:.1}", 1e6 / per_second);
    }
}

/// Items per CPU second over `items`, best of `ROUNDS`.
fn rate<T>(items: &[T], mut f: impl FnMut(&T)) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let cpu = thread_cpu();
            let mut done = 0usize;
            while start.elapsed() < MIN_RUN {
                items.iter().for_each(&mut f);
                done += items.len();
            }
            let spent = match (cpu, thread_cpu()) {
                (Some(a), Some(b)) if b > a => b - a,
                _ => start.elapsed(),
            };
            done as f64 / spent.as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// Time this thread has spent on a CPU (Linux: the first field of
/// `/proc/thread-self/schedstat`, in ns). Run-queue waits behind other
/// processes are not counted.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn report(stage: &str, unit: &str, ours: f64, peer_name: &str, peer: f64) {
    println!(
        "{stage:<12} {ours:>12.0} {unit}   {peer_name}: {peer:.0} {unit}   ratio {:.2}x",
        ours / peer.max(f64::MIN_POSITIVE)
    );
}

struct Inputs {
    sentences: Vec<String>,
    pages: Vec<String>,
    articles: Vec<String>,
}

impl Inputs {
    /// Self-made inputs so the bench runs anywhere.
    fn generated() -> Self {
        let sentences = [
            "The committee will publish its findings after the summer recess.",
            "Der Ausschuss veröffentlicht seine Ergebnisse nach der Sommerpause.",
            "Le comité publiera ses conclusions après les vacances d'été.",
            "El comité publicará sus conclusiones después del receso de verano.",
            "Комитет опубликует свои выводы после летних каникул.",
            "委员会将在暑假后公布调查结果。",
        ];
        let article: String = (0..30)
            .map(|i| format!("Paragraph {i} says the council discussed roads, schools and the library budget at length. Members disagreed about the timing.\n\n"))
            .collect();
        let page = format!(
            "<html><head><title>Budget | Town News</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav><article>{}</article><footer>© 2026 Town News</footer></body></html>",
            article
                .split("\n\n")
                .map(|p| format!("<p>{p}</p>"))
                .collect::<String>()
        );
        Self {
            sentences: sentences.iter().map(|s| (*s).to_owned()).collect(),
            pages: vec![page; 4],
            articles: vec![article; 4],
        }
    }

    fn from_dev(dir: &Path) -> Self {
        let tsv = std::fs::read_to_string(dir.join("langid/dev.tsv")).unwrap_or_default();
        let sentences = tsv
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(3, '\t');
                let (_, cat, text) = (f.next()?, f.next()?, f.next()?);
                (cat == "sentence").then(|| text.to_owned())
            })
            .collect();
        let pages = jsonl_field(&dir.join("extract/extract-dev.jsonl.xz"), "html");
        let articles = jsonl_field(&dir.join("summarize/dev/cnndm.jsonl"), "text");
        Self {
            sentences,
            pages,
            articles,
        }
    }
}

/// One string field of every line of a JSON-lines file (`.xz` through the
/// `xz` command, which the dev machines have).
fn jsonl_field(path: &Path, field: &str) -> Vec<String> {
    let raw = if path.extension().is_some_and(|e| e == "xz") {
        Command::new("xz")
            .arg("-dc")
            .arg(path)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    } else {
        std::fs::read_to_string(path).unwrap_or_default()
    };
    raw.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v[field].as_str().map(str::to_owned))
        .collect()
}
