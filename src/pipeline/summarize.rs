//! Extractive summarization: pick the most useful sentences of a text.
//!
//! Each sentence gets a score mixing four signals, each scaled to [0, 1]:
//! - a position prior: news puts the point first, and Lead-3 is the baseline
//!   unsupervised methods rarely beat;
//! - directed graph centrality (after PacSum, Zheng & Lapata 2019): similarity
//!   to the sentences that follow counts for, similarity to the ones before
//!   counts against, since a summary sentence introduces what comes next;
//! - centroid centrality: TF-IDF cosine to the sum of all sentence vectors
//!   (what the text is about as a whole);
//! - overlap degree (TextRank's similarity): how many of the text's terms a
//!   sentence shares with the others.
//!
//! The first two are lead signals; they fade when the budget asks for more
//! sentences than a lead holds, leaving the choice to the topic signals.
//!
//! Sentences that look like bylines, datelines or captions are passed over.
//! The best sentences are returned in document order. The weights were fitted
//! on the dev split of the news sets (en, fr, vi) as one default for all.
//!
//! Work is bounded: only the first [`MAX_CONSIDERED`] sentences are ranked
//! and only the first [`MAX_WORDS`] words of each are read, so the cost is
//! splitting (linear) plus a constant.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::langid::Language;
use super::segment;

/// Sentences ranked at most: the rest are too far from the lead to win, and
/// the graph is quadratic in this number.
const MAX_CONSIDERED: usize = 500;
/// Words read per sentence when scoring.
const MAX_WORDS: usize = 200;
/// Weight of the position prior.
const POSITION_WEIGHT: f64 = 0.5;
/// Weight of centroid centrality.
const CENTROID_WEIGHT: f64 = 0.1;
/// Weight of directed graph centrality.
const GRAPH_WEIGHT: f64 = 0.2;
/// Weight of word-overlap degree centrality.
const OVERLAP_WEIGHT: f64 = 0.2;
/// Budget the lead can fill: beyond it, the position prior and the directed
/// graph (both lead signals) weigh `(LEAD_BUDGET / k)²` of their weight.
const LEAD_BUDGET: f64 = 3.0;
/// Decay of the position prior: the prior of the n-th eligible sentence is
/// `1 / (1 + n / POSITION_SCALE)`.
const POSITION_SCALE: f64 = 3.0;
/// Edges weaker than this fraction of the way from the weakest to the
/// strongest similarity are dropped (PacSum's threshold).
const EDGE_THRESHOLD: f64 = 0.6;
/// Weight of edges to earlier sentences (negative: repeating is not leading).
const BACKWARD_WEIGHT: f64 = -1.0;
/// Sentences shorter than this many words are fragments, not summary material.
const MIN_WORDS: usize = 5;
/// Sentences longer than this get a proportional penalty (glued captions).
const LONG_WORDS: usize = 60;

/// Options of the summary stage.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// Most sentences to return.
    pub max_sentences: usize,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self { max_sentences: 3 }
    }
}

/// One sentence of a summary, located in the summarized text.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySentence {
    /// The sentence, verbatim from the input text.
    pub text: String,
    /// Position among all sentences of the text, from 0.
    pub index: usize,
    /// Start in UTF-8 bytes.
    pub byte_offset: usize,
    /// Length in UTF-8 bytes.
    pub byte_len: usize,
    /// Start in Unicode scalar values.
    pub char_offset: usize,
    /// Length in Unicode scalar values.
    pub char_len: usize,
    /// Score in [0, 1], higher means more central to the text.
    pub score: f64,
}

/// The best sentences of `text`, in document order, at most
/// `opts.max_sentences`; a text with no more sentences than that comes back
/// whole.
pub(crate) fn summarize(
    text: &str,
    language: Option<Language>,
    opts: &SummaryOptions,
) -> Vec<SummarySentence> {
    summarize_in(text, language.map(|l| l.code()), opts)
}

/// [`summarize`] keyed by language code, which is all it needs of the language.
fn summarize_in(text: &str, code: Option<&str>, opts: &SummaryOptions) -> Vec<SummarySentence> {
    let ranges = segment::sentences(text);
    if opts.max_sentences == 0 || ranges.is_empty() {
        return Vec::new();
    }
    let stop_words = code.map_or(&[][..], stop_words);
    let features: Vec<Features> = ranges
        .iter()
        .take(MAX_CONSIDERED)
        .map(|r| Features::new(text.get(r.clone()).unwrap_or("")))
        .collect();
    let scores = score(&features, stop_words, opts.max_sentences);

    // Sentences past MAX_CONSIDERED are only returned (score 0) when the
    // whole text fits the budget.
    let chosen: Vec<usize> = if ranges.len() <= opts.max_sentences {
        (0..ranges.len()).collect()
    } else {
        pick(&features, &scores, opts.max_sentences)
    };
    locate(text, &ranges, &chosen, &scores)
}

/// What scoring needs to know about one sentence.
struct Features {
    /// Normalized word tokens (first [`MAX_WORDS`]).
    tokens: Vec<String>,
    /// Word count (same bound).
    words: usize,
    /// Whether it may be chosen when better material exists.
    eligible: bool,
}

impl Features {
    fn new(sentence: &str) -> Self {
        let tokens: Vec<String> = segment::words(sentence)
            .take(MAX_WORDS)
            .map(normalize)
            .collect();
        let words = tokens.len();
        let eligible = !looks_like_furniture(sentence, &tokens);
        Self {
            tokens,
            words,
            eligible,
        }
    }
}

/// Lower-cased, NFKC-normalized form of a word, so that case and width
/// variants count as the same term.
fn normalize(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.nfkc().flat_map(char::to_lowercase).collect()
    }
}

/// Bylines, datelines, captions and other page furniture: too short, no
/// terminal punctuation, or the Daily-Mail-style " ." artefacts.
fn looks_like_furniture(sentence: &str, tokens: &[String]) -> bool {
    let cjk = sentence.chars().any(is_cjk);
    // CJK tokens are single characters, so a word floor makes no sense there.
    if !cjk && tokens.len() < MIN_WORDS {
        return true;
    }
    if tokens.is_empty() {
        return true;
    }
    let trimmed = sentence.trim_end_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '）'
        )
    });
    let Some(last) = trimmed.chars().next_back() else {
        return true;
    };
    let terminated = matches!(
        last,
        '.' | '!'
            | '?'
            | '…'
            | '。'
            | '！'
            | '？'
            | '।'
            | '॥'
            | '؟'
            | '۔'
            | '｡'
            | '።'
            | '။'
            | '។'
    );
    // Scripts mostly written without sentence punctuation (Thai, Lao,
    // Tibetan) cannot be asked for it.
    let unpunctuated_script = sentence
        .chars()
        .any(|c| ('\u{0E00}'..='\u{0FFF}').contains(&c));
    if !terminated && !unpunctuated_script {
        return true;
    }
    if trimmed.ends_with(" .") {
        return true;
    }
    let head: String = sentence.chars().take(40).collect();
    [
        "PUBLISHED:",
        "UPDATED:",
        "Last updated",
        "Click here",
        "Scroll down",
        "READ MORE",
    ]
    .iter()
    .any(|marker| head.contains(marker))
        || (sentence.starts_with("By ") && tokens.len() < 12)
}

/// Kana and Han: scripts whose words come out one character each.
fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
    )
}

/// Scores in [0, 1] for every considered sentence.
fn score(features: &[Features], stop_words: &[&str], k: usize) -> Vec<f64> {
    // A budget beyond the lead cannot be filled from the lead: past
    // LEAD_BUDGET sentences the lead signals fade and topic signals decide.
    let lead = (LEAD_BUDGET / k.max(1) as f64).min(1.0).powi(2);
    let (bags, vocab) = tf_idf(features, stop_words);

    // Centroid over eligible sentences, so that furniture does not pull it.
    let mut centroid = vec![0.0; vocab];
    for (bag, f) in bags.iter().zip(features) {
        if f.eligible {
            for &(id, w) in bag {
                if let Some(c) = centroid.get_mut(id) {
                    *c += w;
                }
            }
        }
    }
    let centroid_norm = centroid.iter().map(|w| w * w).sum::<f64>().sqrt();
    let centroid_sim: Vec<f64> = bags
        .iter()
        .map(|bag| {
            if centroid_norm > 0.0 {
                dot_dense(bag, &centroid) / centroid_norm
            } else {
                0.0
            }
        })
        .collect();
    // Divided by the maximum, not min-max scaled: this keeps the spread of
    // cosines, so centrality stays a tie-breaker next to position.
    let max_sim = centroid_sim.iter().copied().fold(0.0, f64::max);
    let centroid_sim: Vec<f64> = centroid_sim
        .into_iter()
        .map(|c| if max_sim > 0.0 { c / max_sim } else { 0.0 })
        .collect();
    let graph = scale_to_unit(directed_centrality(&bags, vocab));
    let overlap = scale_to_unit(overlap_degree(&bags, vocab));

    let mut rank = 0usize;
    let raw: Vec<f64> = features
        .iter()
        .zip(centroid_sim.iter().zip(&graph))
        .zip(&overlap)
        .map(|((f, (&central, &graph)), &overlap)| {
            // The prior follows the rank among eligible sentences, so a
            // byline does not push the real lead down.
            let position = 1.0 / (1.0 + rank as f64 / POSITION_SCALE);
            if f.eligible {
                rank += 1;
            }
            let mut s = lead * (POSITION_WEIGHT * position + GRAPH_WEIGHT * graph)
                + CENTROID_WEIGHT * central
                + OVERLAP_WEIGHT * overlap;
            // Very long "sentences" are mostly glued captions or lists, and
            // they cost ROUGE-like precision for what they add.
            if f.words > LONG_WORDS {
                s *= LONG_WORDS as f64 / f.words as f64;
            }
            if !f.eligible {
                s *= 0.1;
            }
            s
        })
        .collect();
    let max = raw.iter().copied().fold(0.0, f64::max);
    raw.into_iter()
        .map(|s| {
            if max > 0.0 && s.is_finite() {
                (s / max).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// Unit-length TF-IDF vectors (sparse, `(term id, weight)`) of the
/// sentences, sentences being the documents, and the vocabulary size.
/// Stop words and pure numbers are left out: they say nothing about topic.
fn tf_idf(features: &[Features], stop_words: &[&str]) -> (Vec<Vec<(usize, f64)>>, usize) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut df: Vec<u32> = Vec::new();
    let mut bags: Vec<Vec<(usize, f64)>> = Vec::with_capacity(features.len());
    for f in features {
        let mut bag: Vec<(usize, f64)> = Vec::new();
        for t in &f.tokens {
            if stop_words.contains(&t.as_str()) || t.chars().all(char::is_numeric) {
                continue;
            }
            let next = ids.len();
            let id = *ids.entry(t.as_str()).or_insert(next);
            if id == df.len() {
                df.push(0);
            }
            // Bags are short (MAX_WORDS), a linear search beats hashing here.
            match bag.iter_mut().find(|(i, _)| *i == id) {
                Some(entry) => entry.1 += 1.0,
                None => {
                    bag.push((id, 1.0));
                    if let Some(d) = df.get_mut(id) {
                        *d += 1;
                    }
                }
            }
        }
        bags.push(bag);
    }
    let n = features.len() as f64;
    for bag in &mut bags {
        for entry in bag.iter_mut() {
            let d = df.get(entry.0).copied().unwrap_or(1).max(1);
            entry.1 = (1.0 + entry.1.ln()) * (1.0 + n / f64::from(d)).ln();
        }
        let norm = bag.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for entry in bag.iter_mut() {
                entry.1 /= norm;
            }
        }
    }
    (bags, df.len())
}

fn dot_dense(bag: &[(usize, f64)], dense: &[f64]) -> f64 {
    bag.iter()
        .map(|&(id, w)| w * dense.get(id).copied().unwrap_or(0.0))
        .sum()
}

/// PacSum-style directed centrality: for each sentence, the thresholded
/// similarity to later sentences minus (weighted) that to earlier ones.
/// Quadratic in the number of sentences, hence [`MAX_CONSIDERED`].
fn directed_centrality(bags: &[Vec<(usize, f64)>], vocab: usize) -> Vec<f64> {
    let n = bags.len();
    // Upper triangle, row by row: sims of (i, j) for i < j.
    let mut sims = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    let mut dense = vec![0.0; vocab];
    for (i, bag) in bags.iter().enumerate() {
        for &(id, w) in bag {
            if let Some(d) = dense.get_mut(id) {
                *d = w;
            }
        }
        sims.extend(
            bags.iter()
                .skip(i + 1)
                .map(|other| dot_dense(other, &dense)),
        );
        for &(id, _) in bag {
            if let Some(d) = dense.get_mut(id) {
                *d = 0.0;
            }
        }
    }
    let lo = sims.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = sims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let cut = lo + EDGE_THRESHOLD * (hi - lo);
    let mut centrality = vec![0.0; n];
    let mut edges = sims.into_iter();
    for i in 0..n {
        for j in (i + 1)..n {
            let e = edges.next().map_or(0.0, |s| (s - cut).max(0.0));
            if let Some(c) = centrality.get_mut(i) {
                *c += e;
            }
            if let Some(c) = centrality.get_mut(j) {
                *c += BACKWARD_WEIGHT * e;
            }
        }
    }
    centrality
}

/// Undirected degree centrality with TextRank's similarity (Mihalcea &
/// Tarau 2004): shared distinct terms over the sum of the log lengths. Unlike
/// the cosine it rewards sentences that carry many of the text's terms.
/// Quadratic, like [`directed_centrality`].
fn overlap_degree(bags: &[Vec<(usize, f64)>], vocab: usize) -> Vec<f64> {
    let mut present = vec![false; vocab];
    let mut degree = vec![0.0; bags.len()];
    let log_len = |bag: &[(usize, f64)]| (bag.len() as f64).max(2.0).ln();
    for (i, bag) in bags.iter().enumerate() {
        set_present(&mut present, bag, true);
        for (j, other) in bags.iter().enumerate().skip(i + 1) {
            let common = other
                .iter()
                .filter(|&&(id, _)| present.get(id).copied().unwrap_or(false))
                .count();
            let sim = common as f64 / (log_len(bag) + log_len(other));
            for k in [i, j] {
                if let Some(d) = degree.get_mut(k) {
                    *d += sim;
                }
            }
        }
        set_present(&mut present, bag, false);
    }
    degree
}

fn set_present(present: &mut [bool], bag: &[(usize, f64)], value: bool) {
    for &(id, _) in bag {
        if let Some(p) = present.get_mut(id) {
            *p = value;
        }
    }
}

/// Min-max scaling to [0, 1]; all zeros when the values do not vary.
fn scale_to_unit(values: Vec<f64>) -> Vec<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = hi - lo;
    values
        .into_iter()
        .map(|v| if span > 0.0 { (v - lo) / span } else { 0.0 })
        .collect()
}

/// Indices of the `k` best sentences, in document order; fragments only
/// when nothing else is left.
fn pick(features: &[Features], scores: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        let eligible = |i: usize| features.get(i).is_some_and(|f| f.eligible);
        eligible(b)
            .cmp(&eligible(a))
            .then_with(|| {
                let (sa, sb) = (scores.get(a), scores.get(b));
                sb.partial_cmp(&sa).unwrap_or(std::cmp::Ordering::Equal)
            })
            .then(a.cmp(&b))
    });
    let any_eligible = features.iter().any(|f| f.eligible);
    let mut chosen: Vec<usize> = order
        .into_iter()
        .filter(|&i| !any_eligible || features.get(i).is_some_and(|f| f.eligible))
        .take(k)
        .collect();
    chosen.sort_unstable();
    chosen
}

/// Builds the output sentences, computing char offsets in one pass.
fn locate(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    chosen: &[usize],
    scores: &[f64],
) -> Vec<SummarySentence> {
    let mut out = Vec::with_capacity(chosen.len());
    let (mut byte_pos, mut char_pos) = (0usize, 0usize);
    for &i in chosen {
        let Some(range) = ranges.get(i) else {
            continue;
        };
        let (Some(gap), Some(sentence)) =
            (text.get(byte_pos..range.start), text.get(range.clone()))
        else {
            continue;
        };
        char_pos += gap.chars().count();
        let char_len = sentence.chars().count();
        out.push(SummarySentence {
            text: sentence.to_owned(),
            index: i,
            byte_offset: range.start,
            byte_len: range.len(),
            char_offset: char_pos,
            char_len,
            score: scores.get(i).copied().unwrap_or(0.0),
        });
        byte_pos = range.end;
        char_pos += char_len;
    }
    out
}

/// A few of the most frequent function words per language, lower-cased.
/// They only sharpen centrality; unknown languages work without them.
fn stop_words(code: &str) -> &'static [&'static str] {
    match code {
        "en" => &[
            "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with",
            "by", "from", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had",
            "it", "its", "this", "that", "these", "those", "he", "she", "they", "we", "i", "you",
            "his", "her", "their", "our", "my", "not", "no", "will", "would", "can", "could",
            "said", "says", "who", "which", "what", "there", "after", "also", "up", "out", "about",
            "more", "than", "into", "him", "them", "do", "did", "if", "so", "just", "one", "all",
            "s", "t",
        ],
        "fr" => &[
            "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "et", "ou", "à", "au",
            "aux", "en", "dans", "sur", "par", "pour", "avec", "sans", "que", "qui", "qu", "ne",
            "pas", "plus", "est", "sont", "a", "ont", "été", "être", "avoir", "il", "elle", "ils",
            "elles", "on", "nous", "vous", "je", "se", "s", "son", "sa", "ses", "leur", "leurs",
            "ce", "cette", "ces", "c", "n", "y", "mais", "comme", "aussi", "tout", "selon",
        ],
        "de" => &[
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
            "und", "oder", "aber", "in", "im", "an", "am", "auf", "aus", "bei", "mit", "nach",
            "von", "vom", "zu", "zum", "zur", "für", "ist", "sind", "war", "hat", "haben", "wird",
            "werden", "er", "sie", "es", "wir", "ich", "sich", "nicht", "auch", "als", "dass",
            "so", "wie", "noch", "nur",
        ],
        "es" => &[
            "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "y", "o", "a",
            "al", "en", "con", "por", "para", "que", "se", "su", "sus", "es", "son", "fue", "ha",
            "han", "lo", "le", "les", "no", "más", "como", "pero", "este", "esta", "este", "sobre",
        ],
        "pt" => &[
            "o", "a", "os", "as", "um", "uma", "de", "do", "da", "dos", "das", "e", "ou", "em",
            "no", "na", "nos", "nas", "com", "por", "para", "que", "se", "seu", "sua", "é", "são",
            "foi", "não", "mais", "como", "mas", "ao",
        ],
        "it" => &[
            "il", "lo", "la", "i", "gli", "le", "un", "una", "di", "del", "della", "e", "o", "a",
            "in", "con", "per", "che", "si", "è", "sono", "non", "da", "al", "nel", "più",
        ],
        "nl" => &[
            "de", "het", "een", "en", "of", "van", "in", "op", "te", "met", "voor", "is", "zijn",
            "was", "dat", "die", "niet", "aan", "er", "hij", "zij", "ook", "als",
        ],
        "vi" => &[
            "và", "của", "là", "các", "những", "được", "có", "trong", "cho", "với", "này", "đã",
            "không", "một", "để", "khi", "thì", "từ", "ở", "người", "đến", "về", "cũng", "ra",
            "theo", "tại", "đó", "như", "nhưng", "lại", "sẽ", "bị", "vào", "năm", "ông", "bà",
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, code: Option<&str>, k: usize) -> Vec<SummarySentence> {
        summarize_in(text, code, &SummaryOptions { max_sentences: k })
    }

    fn check_offsets(text: &str, out: &[SummarySentence]) {
        for s in out {
            assert_eq!(&text[s.byte_offset..s.byte_offset + s.byte_len], s.text);
            let by_chars: String = text.chars().skip(s.char_offset).take(s.char_len).collect();
            assert_eq!(by_chars, s.text);
            assert!((0.0..=1.0).contains(&s.score), "score {}", s.score);
        }
        for w in out.windows(2) {
            assert!(w[0].index < w[1].index);
        }
    }

    const EN: &str = "The city council approved a new budget for public libraries on Monday. \
        The budget adds money for longer library opening hours and new books. \
        Council members said the libraries had been underfunded for years. \
        Some residents asked why the parks received no extra money. \
        The mayor promised a separate plan for parks next spring. \
        Weather on Monday was sunny and warm across the region.";

    #[test]
    fn respects_budget_and_order() {
        for k in 1..=4 {
            let out = run(EN, Some("en"), k);
            assert_eq!(out.len(), k);
            check_offsets(EN, &out);
        }
        let out = run(EN, Some("en"), SummaryOptions::default().max_sentences);
        assert_eq!(out.first().map(|s| s.index), Some(0));
    }

    #[test]
    fn short_document_returns_itself() {
        let text = "Une seule phrase ici. Et une deuxième, très courte.";
        let out = run(text, Some("fr"), 3);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, "Et une deuxième, très courte.");
        check_offsets(text, &out);
        let one = run("Hallo Welt", Some("de"), 3);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].text, "Hallo Welt");
    }

    #[test]
    fn skips_bylines_and_captions() {
        let text = "By . Jane Doe . PUBLISHED: . 10:00 EST, 1 May 2014 . \
            Scientists found a new species of frog in the rainforest of Peru. \
            The frog is smaller than a coin and lives in leaf litter. \
            Photo of the tiny frog on a leaf\n\n\
            The team hopes the discovery will help protect the forest. \
            Other species may also be waiting to be described there.";
        let out = run(text, Some("en"), 3);
        assert_eq!(out.len(), 3);
        check_offsets(text, &out);
        for s in &out {
            assert!(
                s.text.ends_with('.') && !s.text.ends_with(" ."),
                "{}",
                s.text
            );
            assert!(!s.text.contains("PUBLISHED"));
        }
        // Indices count the skipped furniture too: "By .", "Jane Doe .", ...
        assert!(out[0].text.starts_with("Scientists"));
        assert_eq!(out[0].index, 4);
    }

    #[test]
    fn large_budget_leans_on_topic() {
        // Past the lead budget, sentences about the main topic beat early
        // off-topic ones.
        let text = "Rain fell on Tuesday in the capital city today. \
            The new museum opened with paintings, sculptures and photographs. \
            Traffic was slow on the bridges during the morning rush. \
            Visitors praised the museum paintings and the museum sculptures. \
            A local team won its football match in the evening. \
            The museum will show photographs and paintings from the city archive. \
            Schools were closed for the regional holiday this week.";
        let out = run(text, Some("en"), 4);
        assert_eq!(out.len(), 4);
        check_offsets(text, &out);
        let top = out.iter().filter(|s| s.text.contains("museum")).count();
        assert_eq!(top, 3);
        let best = out.iter().max_by(|a, b| a.score.total_cmp(&b.score));
        assert!(best.is_some_and(|s| s.text.contains("museum") && s.score == 1.0));
    }

    #[test]
    fn multilingual_offsets() {
        let texts = [
            (
                "de",
                "Der Zug kam pünktlich in München an. Viele Reisende stiegen aus und gingen zum Ausgang. Die Bahn lobte die Pünktlichkeit ihrer Züge. Am Abend regnete es in der ganzen Stadt.",
            ),
            (
                "vi",
                "Hà Nội đón đợt không khí lạnh mới vào sáng nay. Nhiệt độ giảm mạnh xuống dưới 15 độ ở nhiều nơi. Người dân được khuyên giữ ấm khi ra đường. Dự báo trời sẽ ấm lên vào cuối tuần.",
            ),
            (
                "zh",
                "北京今天下了第一场雪。很多市民到公园拍照。气象台预计明天气温继续下降。学校提醒学生注意保暖。",
            ),
            (
                "ja",
                "東京では桜が満開になりました。多くの人が公園で花見を楽しみました。週末は雨の予報です。",
            ),
            (
                "hi",
                "आज दिल्ली में भारी बारिश हुई। कई सड़कों पर पानी भर गया। लोगों को घर पर रहने की सलाह दी गई। कल मौसम साफ रहने की उम्मीद है।",
            ),
        ];
        for (code, text) in texts {
            let out = run(text, Some(code), 2);
            assert_eq!(out.len(), 2, "{code}");
            check_offsets(text, &out);
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let long = "word ".repeat(800_000);
        let many = "Short sentence here now. ".repeat(3_000);
        let inputs = [
            "",
            "   \n\t ",
            "!!! ??? ...",
            "🙂🙂🙂 🎉",
            "\u{0}\u{1}\u{7f} a\u{200b}b",
            long.as_str(),
            many.as_str(),
        ];
        for text in inputs {
            for k in [0, 1, 3, 1000] {
                let out = run(text, None, k);
                assert!(out.len() <= k);
                check_offsets(text, &out);
            }
        }
        assert!(run("", Some("en"), 3).is_empty());
        assert!(summarize("", None, &SummaryOptions::default()).is_empty());
    }
}
