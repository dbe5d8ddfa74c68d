//! Reads the scorer's summarize requests (JSON lines) on stdin, writes its
//! responses on stdout, with the weights of `SUM_<NAME>` variables (see
//! `sumfit`). Fitting aid: the language comes from `--lang xx` or the
//! dataset named by the id prefix, where the service detects it; the
//! official figures come from the service's own CLI (README, Evaluation).
//! `SUM_BENCH=n` times n summaries per document (`SUM_LEAD=1`: Lead-k).

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use textpipe_fit::summarize::SummaryOptions;

fn lang_for(id: &str, flag: Option<&'static str>) -> &'static str {
    if let Some(l) = flag {
        return l;
    }
    if id.starts_with("orangesum") {
        "fr"
    } else if id.starts_with("vnds") {
        "vi"
    } else {
        "en"
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag: Option<&'static str> = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1))
        .map(|s| &*Box::leak(s.clone().into_boxed_str()));
    let bench: usize = std::env::var("SUM_BENCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut bench_time, mut bench_docs) = (0.0f64, 0usize);
    let lead = std::env::var("SUM_LEAD").is_ok_and(|s| s == "1");
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let id = req["id"].as_str().unwrap_or("").to_owned();
        let text = req["text"].as_str().unwrap_or("");
        let k = req["maxSentences"].as_u64().unwrap_or(3) as usize;
        let lang = lang_for(&id, flag);
        let opts = SummaryOptions {
            max_sentences: k,
            max_words: std::env::var("SUM_MAX_WORDS")
                .ok()
                .and_then(|s| s.parse().ok()),
            ..SummaryOptions::default()
        };
        let sents = if bench > 0 {
            let t = std::time::Instant::now();
            for _ in 0..bench {
                if lead {
                    // Lead-k on the same splitter, for the speed ratio.
                    let r = textpipe_fit::sumfit::sentences(std::hint::black_box(text));
                    let v: Vec<String> = r
                        .into_iter()
                        .take(k)
                        .filter_map(|r| text.get(r).map(str::to_owned))
                        .collect();
                    std::hint::black_box(v);
                } else {
                    std::hint::black_box(textpipe_fit::sumfit::summarize(
                        std::hint::black_box(text),
                        lang,
                        &opts,
                    ));
                }
            }
            bench_time += t.elapsed().as_secs_f64();
            bench_docs += bench;
            textpipe_fit::sumfit::summarize(text, lang, &opts)
        } else {
            textpipe_fit::sumfit::summarize(text, lang, &opts)
        };
        let sentences: Vec<Value> = sents
            .iter()
            .map(|s| json!({"text": s.text, "index": s.index, "score": s.score}))
            .collect();
        let _ = writeln!(out, "{}", json!({"id": id, "sentences": sentences}));
    }
    if bench > 0 {
        eprintln!(
            "{bench_docs} docs in {bench_time:.3}s: {:.0} docs/s",
            bench_docs as f64 / bench_time
        );
    }
}
