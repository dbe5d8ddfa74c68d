//! The summarizer with its weights overridable by `SUM_<NAME>` environment
//! variables, for the grid search in `summarize-fit.sh`.

use crate::summarize::{PARAMS, Params, SummaryOptions, SummarySentence, summarize_in};

/// Summarizes `text` in the language `code` with the default weights, or
/// with the ones overridden by `SUM_<NAME>` environment variables.
pub fn summarize(text: &str, code: &str, opts: &SummaryOptions) -> Vec<SummarySentence> {
    thread_local! {
        static P: Params = params_from_env();
    }
    P.with(|p| summarize_in(text, Some(code), opts, p))
}

fn params_from_env() -> Params {
    let mut p = PARAMS;
    let get = |name: &str, v: &mut f64| {
        if let Some(x) = std::env::var(format!("SUM_{name}"))
            .ok()
            .and_then(|s| s.parse().ok())
        {
            *v = x;
        }
    };
    get("POSITION_WEIGHT", &mut p.position_weight);
    get("CENTROID_WEIGHT", &mut p.centroid_weight);
    get("GRAPH_WEIGHT", &mut p.graph_weight);
    get("OVERLAP_WEIGHT", &mut p.overlap_weight);
    get("LEAD_BUDGET", &mut p.lead_budget);
    get("POSITION_SCALE", &mut p.position_scale);
    get("EDGE_THRESHOLD", &mut p.edge_threshold);
    get("BACKWARD_WEIGHT", &mut p.backward_weight);
    get("SUMMARY_WORDS", &mut p.summary_words);
    get("SHORT_EXPONENT", &mut p.short_exponent);
    get("SHORT_WORDS", &mut p.short_words);
    get("LONG_EXPONENT", &mut p.long_exponent);
    get("REDUNDANCY", &mut p.redundancy);
    get("QUERY_WEIGHT", &mut p.query_weight);
    p.stem = std::env::var("SUM_STEM").map_or(p.stem, |s| s == "1");
    p
}

/// Sentence byte ranges as the summarizer splits them (for Lead-k).
pub fn sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    crate::segment::sentences(text)
}
