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
//! Sentences much longer than the budget's share, or shorter than a dozen
//! words, are penalised. With a query,
//! the score is blended with the idf-weighted share of the query's terms a
//! sentence contains (terms stemmed by a light per-language suffix stripper).
//!
//! Sentences are then chosen greedily by maximal marginal relevance (score
//! minus redundancy with the sentences already chosen) until the first
//! budget binds: sentences, ratio, words or characters. Sentences that look
//! like headlines, bylines, datelines or captions (no final punctuation,
//! fragments, `PUBLISHED:`...) are passed over unless nothing else is left.
//! The weights ([`PARAMS`]) were fitted on the dev split of the news sets
//! (en, fr, vi) as one default for all.
//!
//! Work is bounded: only the first [`MAX_CONSIDERED`] sentences are ranked
//! and only the first [`MAX_WORDS`] words of each are read, so the cost is
//! splitting (linear) plus a constant. Tokens are interned once per text
//! (see [`Vocabulary`]), so scoring works on `u32` ids, not strings.

use std::borrow::Cow;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::langid::Language;
use super::segment;

/// Order of the returned sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As they appear in the text.
    #[default]
    Document,
    /// Best first (ties in document order).
    Score,
}

/// Options of the summary stage. Every budget that is given binds: the
/// summary stops at the first one reached.
///
/// Word and character budgets are hard limits: a sentence that would
/// overflow them is passed over for a shorter one, so the summary is empty
/// only when no single sentence of the text fits the budget.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Most sentences to return (0 returns nothing).
    pub max_sentences: usize,
    /// Most words (as `segment::words` counts them) over all sentences.
    pub max_words: Option<usize>,
    /// Most characters (Unicode scalar values) over all sentences.
    pub max_chars: Option<usize>,
    /// Most sentences as a fraction of the text's sentences, in (0, 1],
    /// rounded up (never below one sentence). Values outside that range are
    /// clamped to it; NaN is ignored.
    pub ratio: Option<f64>,
    /// Order of the returned sentences.
    pub order: Order,
    /// Focus: sentences sharing the query's words score higher.
    pub query: Option<String>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self {
            max_sentences: 3,
            max_words: None,
            max_chars: None,
            ratio: None,
            order: Order::Document,
            query: None,
        }
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

/// Tunable weights of the scorer; [`PARAMS`] holds the fitted default.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    /// Weight of the position prior.
    pub(crate) position_weight: f64,
    /// Weight of centroid centrality.
    pub(crate) centroid_weight: f64,
    /// Weight of directed graph centrality.
    pub(crate) graph_weight: f64,
    /// Weight of word-overlap degree centrality.
    pub(crate) overlap_weight: f64,
    /// Budget the lead can fill: beyond it, the position prior and the
    /// directed graph (both lead signals) weigh `(lead_budget / k)²`.
    pub(crate) lead_budget: f64,
    /// Decay of the position prior: the prior of the n-th eligible sentence
    /// is `1 / (1 + n / position_scale)`.
    pub(crate) position_scale: f64,
    /// Edges weaker than this fraction of the way from the weakest to the
    /// strongest similarity are dropped (PacSum's threshold).
    pub(crate) edge_threshold: f64,
    /// Weight of edges to earlier sentences (negative: repeating is not leading).
    pub(crate) backward_weight: f64,
    /// Summary length (words) the sentence lengths are judged by: a sentence
    /// of `summary_words / min(k, lead_budget)` words is the norm for a
    /// budget of `k`.
    pub(crate) summary_words: f64,
    /// Exponent of the penalty of longer sentences, `(norm / words)^x`.
    pub(crate) long_exponent: f64,
    /// Sentences shorter than this (or than the norm, if less) are
    /// penalised: however many are asked for, a short one says little.
    pub(crate) short_words: f64,
    /// Exponent of the penalty of shorter sentences,
    /// `(words / min(norm, short_words))^x`.
    pub(crate) short_exponent: f64,
    /// MMR: weight of the similarity to already chosen sentences.
    pub(crate) redundancy: f64,
    /// Weight of query relevance when a query is given.
    pub(crate) query_weight: f64,
    /// Whether to stem words (where a stemmer exists).
    pub(crate) stem: bool,
}

/// The default, fitted on the dev split of the news sets (en, fr, vi) as
/// one setting for all (`tools/fit`: summarize-fastfit.py for the grid,
/// the service's CLI and summarize.py for the figures).
pub(crate) const PARAMS: Params = Params {
    position_weight: 0.95,
    centroid_weight: 0.2,
    graph_weight: 0.1,
    overlap_weight: 0.3,
    lead_budget: 3.0,
    position_scale: 9.0,
    edge_threshold: 0.6,
    backward_weight: -1.0,
    summary_words: 160.0,
    short_words: 12.0,
    long_exponent: 1.0,
    short_exponent: 1.0,
    redundancy: 0.5,
    query_weight: 0.6,
    stem: false,
};

/// Sentences ranked at most: the rest are too far from the lead to win, and
/// the graph is quadratic in this number.
const MAX_CONSIDERED: usize = 500;
/// Words read per sentence when scoring.
const MAX_WORDS: usize = 200;
/// Sentences shorter than this many words are fragments, not summary material.
const MIN_WORDS: usize = 5;

/// The best sentences of `text` within the budgets of `opts`, in the order
/// it asks for. A text whose sentences all fit the budgets comes back whole.
pub(crate) fn summarize(
    text: &str,
    language: Option<Language>,
    opts: &SummaryOptions,
) -> Vec<SummarySentence> {
    summarize_in(text, language.map(|l| l.code()), opts, &PARAMS)
}

/// [`summarize`] keyed by language code, which is all it needs of the
/// language, with explicit weights (for fitting).
pub(crate) fn summarize_in(
    text: &str,
    code: Option<&str>,
    opts: &SummaryOptions,
    params: &Params,
) -> Vec<SummarySentence> {
    let ranges = segment::sentences(text);
    if opts.max_sentences == 0 || ranges.is_empty() {
        return Vec::new();
    }
    let k = sentence_budget(opts, ranges.len());
    let stop_words = code.map_or(&[][..], stop_words);
    // Stemming did not help ranking on the dev sets (it merges too much
    // for centrality), so by default it only serves query matching.
    let stem = stemmer(code.unwrap_or(""));
    // News runs at about one new token type per 16 bytes of text (the
    // table grows past it if needed; the bound keeps huge inputs modest).
    let types = (text.len() / 16).min(MAX_CONSIDERED * MAX_WORDS / 4);
    let mut vocab = Vocabulary::new(stop_words, params.stem.then_some(stem), types);
    let mut terms = Vec::new();
    let features: Vec<Features> = ranges
        .iter()
        .take(MAX_CONSIDERED)
        .map(|r| Features::new(text.get(r.clone()).unwrap_or(""), &mut vocab, &mut terms))
        .collect();
    let budget = Budget::new(opts);

    // A text that fits the budgets whole is its own summary.
    let whole = ranges.len() <= k && {
        let mut b = budget.clone();
        ranges
            .iter()
            .all(|r| b.take(text.get(r.clone()).unwrap_or("")))
    };
    let (bags, idf) = tf_idf(&features, &terms, vocab.len());
    let mut scores = score(&features, &bags, vocab.len(), k, params);
    if let Some(query) = opts.query.as_deref() {
        focus(
            &mut scores,
            query,
            &features,
            &terms,
            &vocab,
            &idf,
            stem,
            params,
        );
    }
    let mut chosen: Vec<usize> = if whole {
        (0..ranges.len()).collect()
    } else {
        pick(
            text,
            &ranges,
            &features,
            &bags,
            vocab.len(),
            &scores,
            k,
            budget,
            params,
        )
    };
    match opts.order {
        Order::Document => chosen.sort_unstable(),
        Order::Score => chosen.sort_by(|&a, &b| {
            let (sa, sb) = (scores.get(a), scores.get(b));
            sb.partial_cmp(&sa)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        }),
    }
    locate(text, &ranges, &chosen, &scores)
}

/// Sentence budget from `max_sentences` and `ratio` of `n` sentences.
fn sentence_budget(opts: &SummaryOptions, n: usize) -> usize {
    let mut k = opts.max_sentences;
    if let Some(r) = opts.ratio.filter(|r| !r.is_nan()) {
        let r = r.clamp(0.0, 1.0);
        let by_ratio = ((r * n as f64).ceil() as usize).max(1);
        k = k.min(by_ratio);
    }
    k
}

/// What is left of the word and character budgets.
#[derive(Debug, Clone)]
struct Budget {
    words: Option<usize>,
    chars: Option<usize>,
}

impl Budget {
    fn new(opts: &SummaryOptions) -> Self {
        Self {
            words: opts.max_words,
            chars: opts.max_chars,
        }
    }

    /// Takes `sentence` out of the budget if it fits.
    fn take(&mut self, sentence: &str) -> bool {
        let words = self.words.map(|_| segment::words(sentence).count());
        let chars = self.chars.map(|_| sentence.chars().count());
        let fits = |left: Option<usize>, need: Option<usize>| match (left, need) {
            (Some(l), Some(n)) => n <= l,
            _ => true,
        };
        if !(fits(self.words, words) && fits(self.chars, chars)) {
            return false;
        }
        if let (Some(l), Some(n)) = (self.words.as_mut(), words) {
            *l -= n;
        }
        if let (Some(l), Some(n)) = (self.chars.as_mut(), chars) {
            *l -= n;
        }
        true
    }

    /// Whether no sentence can fit any more.
    fn exhausted(&self) -> bool {
        self.words == Some(0) || self.chars == Some(0)
    }
}

/// Hash map of the per-text vocabulary. Fx hashing is several times cheaper
/// than SipHash on short tokens; it is not collision-resistant, but a text
/// adds at most `MAX_CONSIDERED * MAX_WORDS` tokens, which bounds the harm.
type Map<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Term id of tokens that are not content terms (stop words, numbers).
const NOT_CONTENT: u32 = u32::MAX;

/// The terms of one text. Every distinct token is normalized, checked
/// against the stop words and stemmed once, then known by a dense `u32` id:
/// per token, scoring only pays for one hash look-up, and allocates only for
/// new forms that normalization changes.
struct Vocabulary<'t> {
    /// Normalized form of every token type seen -> term id or [`NOT_CONTENT`].
    /// Borrowed from the text when normalization leaves the token as is.
    forms: Map<Cow<'t, str>, u32>,
    /// Term ids by stemmed form, when ranking stems.
    stems: Map<String, u32>,
    /// Number of term ids handed out.
    len: u32,
    stop_words: &'static [&'static str],
    stem: Option<Stemmer>,
    /// Scratch space for normalizing a token.
    buf: String,
}

impl<'t> Vocabulary<'t> {
    /// `capacity`: expected number of token types (sized up front so the
    /// table does not rehash as it grows).
    fn new(stop_words: &'static [&'static str], stem: Option<Stemmer>, capacity: usize) -> Self {
        let mut forms =
            Map::with_capacity_and_hasher(capacity + stop_words.len(), Default::default());
        // Known up front, stop words cost no check per new token type.
        for &w in stop_words {
            forms.insert(Cow::Borrowed(w), NOT_CONTENT);
        }
        Self {
            forms,
            stems: Map::default(),
            len: 0,
            stop_words,
            stem,
            buf: String::new(),
        }
    }

    fn len(&self) -> usize {
        self.len as usize
    }

    /// The term id of `word`, or [`NOT_CONTENT`].
    fn id(&mut self, word: &'t str) -> u32 {
        let normalized: &str = if word.is_ascii() {
            if word.bytes().any(|b| b.is_ascii_uppercase()) {
                self.buf.clear();
                self.buf.push_str(word);
                self.buf.make_ascii_lowercase();
                &self.buf
            } else {
                word
            }
        } else {
            self.buf.clear();
            self.buf.extend(word.nfkc().flat_map(char::to_lowercase));
            &self.buf
        };
        if let Some(&id) = self.forms.get(normalized) {
            return id;
        }
        // Pure numbers say nothing about topic (stop words are in `forms`).
        let content = !normalized.chars().all(char::is_numeric);
        let id = if !content {
            NOT_CONTENT
        } else if let Some(stem) = self.stem {
            let next = self.len;
            let id = *self
                .stems
                .entry(stem(normalized.to_owned()))
                .or_insert(next);
            if id == next {
                self.len += 1;
            }
            id
        } else {
            self.len += 1;
            self.len - 1
        };
        let key = if normalized == word {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(normalized.to_owned())
        };
        self.forms.insert(key, id);
        id
    }

    /// The form of every term id (stemmed if ranking stems).
    fn names(&self) -> Vec<&str> {
        let mut names = vec![""; self.len()];
        let by_form = self.forms.iter().map(|(f, &id)| (f.as_ref(), id));
        let by_stem = self.stems.iter().map(|(f, &id)| (f.as_str(), id));
        let all: Box<dyn Iterator<Item = (&str, u32)>> = if self.stem.is_some() {
            Box::new(by_stem)
        } else {
            Box::new(by_form)
        };
        for (form, id) in all {
            if let Some(slot) = names.get_mut(id as usize) {
                *slot = form;
            }
        }
        names
    }
}

/// What scoring needs to know about one sentence.
struct Features {
    /// Its content terms (ids, in order, stop words and numbers left out),
    /// from the first [`MAX_WORDS`] words: a range of the shared term list.
    terms: std::ops::Range<usize>,
    /// Word count (same bound).
    words: usize,
    /// Whether it may be chosen when better material exists.
    eligible: bool,
}

impl Features {
    /// Reads `sentence`, appending its content terms to `terms`.
    fn new<'t>(sentence: &'t str, vocab: &mut Vocabulary<'t>, terms: &mut Vec<u32>) -> Self {
        let start = terms.len();
        let mut words = 0;
        for word in segment::words(sentence).take(MAX_WORDS) {
            words += 1;
            let term = vocab.id(word);
            if term != NOT_CONTENT {
                terms.push(term);
            }
        }
        Self {
            terms: start..terms.len(),
            words,
            eligible: !looks_like_furniture(sentence, words),
        }
    }
}

/// Bylines, datelines, captions and other page furniture: too short, no
/// terminal punctuation, or the Daily-Mail-style " ." artefacts.
fn looks_like_furniture(sentence: &str, words: usize) -> bool {
    // Plain ASCII has no CJK nor Thai: skip the scans.
    let ascii = sentence.is_ascii();
    let cjk = !ascii && sentence.chars().any(is_cjk);
    // CJK tokens are single characters, so a word floor makes no sense there.
    if !cjk && words < MIN_WORDS {
        return true;
    }
    if words == 0 {
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
    let unpunctuated_script = !ascii
        && sentence
            .chars()
            .any(|c| ('\u{0E00}'..='\u{0FFF}').contains(&c));
    if !terminated && !unpunctuated_script {
        return true;
    }
    if trimmed.ends_with(" .") {
        return true;
    }
    let head = sentence
        .char_indices()
        .nth(40)
        .and_then(|(i, _)| sentence.get(..i))
        .unwrap_or(sentence);
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
        || (sentence.starts_with("By ") && words < 12)
}

/// Kana and Han: scripts whose words come out one character each.
fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
    )
}

/// Scores in [0, 1] for every considered sentence.
fn score(features: &[Features], bags: &Bags, vocab: usize, k: usize, p: &Params) -> Vec<f64> {
    // A budget beyond the lead cannot be filled from the lead: past
    // `lead_budget` sentences the lead signals fade and topic signals decide.
    let lead = (p.lead_budget / k.max(1) as f64).min(1.0).powi(2);
    // Past the lead budget the summary grows with k, not its sentences' share.
    let norm = p.summary_words / (k.max(1) as f64).min(p.lead_budget.max(1.0));

    // Centroid over eligible sentences, so that furniture does not pull it.
    let mut centroid = vec![0.0; vocab];
    for (i, f) in features.iter().enumerate() {
        if f.eligible {
            for &(id, w) in bags.get(i) {
                if let Some(c) = centroid.get_mut(id as usize) {
                    *c += w;
                }
            }
        }
    }
    let centroid_norm = centroid.iter().map(|w| w * w).sum::<f64>().sqrt();
    let centroid_sim: Vec<f64> = (0..bags.len())
        .map(|i| {
            if centroid_norm > 0.0 {
                dot_dense(bags.get(i), &centroid) / centroid_norm
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
    let (graph, overlap) = centralities(bags, vocab, p);
    let graph = scale_to_unit(graph);
    let overlap = scale_to_unit(overlap);

    let mut rank = 0usize;
    let raw: Vec<f64> = features
        .iter()
        .zip(centroid_sim.iter().zip(&graph))
        .zip(&overlap)
        .map(|((f, (&central, &graph)), &overlap)| {
            // The prior follows the rank among eligible sentences, so a
            // byline does not push the real lead down.
            let position = 1.0 / (1.0 + rank as f64 / p.position_scale);
            if f.eligible {
                rank += 1;
            }
            let mut s = lead * (p.position_weight * position + p.graph_weight * graph)
                + p.centroid_weight * central
                + p.overlap_weight * overlap;
            // Sentences far longer than the budget allows are mostly glued
            // captions or lists and cost precision; far shorter ones say little.
            let words = f.words.max(1) as f64;
            if words > norm {
                s *= (norm / words).powf(p.long_exponent);
            } else if p.short_exponent > 0.0 && words < norm.min(p.short_words) {
                s *= (words / norm.min(p.short_words)).powf(p.short_exponent);
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

/// Unit-length sparse TF-IDF vectors of the sentences, `(term id, weight)`
/// with positive weights, stored back to back.
struct Bags {
    entries: Vec<(u32, f64)>,
    /// Where each sentence's vector starts in `entries` (plus the end).
    starts: Vec<usize>,
}

impl Bags {
    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn get(&self, i: usize) -> &[(u32, f64)] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// TF-IDF vectors of the sentences (sentences being the documents) and the
/// idf of every term id.
fn tf_idf(features: &[Features], terms: &[u32], vocab: usize) -> (Bags, Vec<f64>) {
    let mut df = vec![0u32; vocab];
    // Where term t sits in the current sentence's vector, valid while
    // `seen[t]` is that sentence (+1): counts without searching the vector.
    let mut seen = vec![0usize; vocab];
    let mut slot = vec![0usize; vocab];
    let mut entries: Vec<(u32, f64)> = Vec::with_capacity(terms.len());
    let mut starts = Vec::with_capacity(features.len() + 1);
    for (i, f) in features.iter().enumerate() {
        starts.push(entries.len());
        for &t in terms.get(f.terms.clone()).unwrap_or(&[]) {
            let t_ = t as usize;
            let (Some(s), Some(at)) = (seen.get_mut(t_), slot.get_mut(t_)) else {
                continue;
            };
            if *s == i + 1 {
                if let Some(e) = entries.get_mut(*at) {
                    e.1 += 1.0;
                }
            } else {
                *s = i + 1;
                *at = entries.len();
                entries.push((t, 1.0));
                if let Some(d) = df.get_mut(t_) {
                    *d += 1;
                }
            }
        }
    }
    starts.push(entries.len());
    let n = features.len() as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + n / f64::from(d.max(1))).ln())
        .collect();
    for w in starts.windows(2) {
        let Some(bag) = entries.get_mut(w[0]..w[1]) else {
            continue;
        };
        for entry in bag.iter_mut() {
            let tf = entry.1;
            // ln(1) = 0: most terms occur once, skip the logarithm.
            let damped = if tf == 1.0 { 1.0 } else { 1.0 + tf.ln() };
            entry.1 = damped * idf.get(entry.0 as usize).copied().unwrap_or(0.0);
        }
        let norm = bag.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for entry in bag.iter_mut() {
                entry.1 /= norm;
            }
        }
    }
    (Bags { entries, starts }, idf)
}

/// Query focus: blends each score with the idf-weighted share of the
/// query's (stemmed) terms the sentence contains, then rescales to [0, 1].
/// A query without content terms found in the text changes nothing.
#[allow(clippy::too_many_arguments)]
fn focus(
    scores: &mut [f64],
    query: &str,
    features: &[Features],
    terms: &[u32],
    vocab: &Vocabulary<'_>,
    idf: &[f64],
    stem: Stemmer,
    p: &Params,
) {
    let mut query_terms: Vec<String> = segment::words(query)
        .take(MAX_WORDS)
        .map(normalize)
        .filter(|t| !vocab.stop_words.contains(&t.as_str()) && !t.chars().all(char::is_numeric))
        .map(stem)
        .collect();
    query_terms.sort_unstable();
    query_terms.dedup();
    // Query and sentence terms are both stemmed once here, whatever ranking
    // used: the query term (index) each term id stands for, and its weight,
    // the highest idf of the terms of that stem.
    let mut weights = vec![0.0f64; query_terms.len()];
    let mut found = vec![false; query_terms.len()];
    let of_term: Vec<Option<usize>> = vocab
        .names()
        .into_iter()
        .enumerate()
        .map(|(id, name)| {
            let q = query_terms.binary_search(&stem(name.to_owned())).ok()?;
            if let (Some(w), Some(f)) = (weights.get_mut(q), found.get_mut(q)) {
                *w = w.max(idf.get(id).copied().unwrap_or(0.0));
                *f = true;
            }
            Some(q)
        })
        .collect();
    // Terms absent from the text weigh nothing: they cannot be answered.
    let total: f64 = weights
        .iter()
        .zip(&found)
        .filter(|(_, f)| **f)
        .map(|(w, _)| w)
        .sum();
    if total <= 0.0 {
        return;
    }
    let mut hit = vec![false; query_terms.len()];
    for (s, f) in scores.iter_mut().zip(features) {
        hit.iter_mut().for_each(|h| *h = false);
        for &t in terms.get(f.terms.clone()).unwrap_or(&[]) {
            if let Some(h) = of_term
                .get(t as usize)
                .copied()
                .flatten()
                .and_then(|q| hit.get_mut(q))
            {
                *h = true;
            }
        }
        let gained: f64 = weights
            .iter()
            .zip(&found)
            .zip(&hit)
            .filter(|((_, f), h)| **f && **h)
            .map(|((w, _), _)| w)
            .sum();
        *s = (1.0 - p.query_weight) * *s + p.query_weight * gained / total;
    }
    let max = scores.iter().copied().fold(0.0, f64::max);
    for s in scores.iter_mut() {
        *s = if max > 0.0 {
            (*s / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
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

fn dot_dense(bag: &[(u32, f64)], dense: &[f64]) -> f64 {
    bag.iter()
        .map(|&(id, w)| w * dense.get(id as usize).copied().unwrap_or(0.0))
        .sum()
}

/// Two graph centralities from one pass over the sentence pairs (quadratic
/// in the number of sentences, hence [`MAX_CONSIDERED`]):
///
/// - PacSum-style directed centrality: for each sentence, the thresholded
///   cosine to later sentences minus (weighted) that to earlier ones;
/// - undirected degree with TextRank's similarity (Mihalcea & Tarau 2004):
///   shared distinct terms over the sum of the log lengths. Unlike the
///   cosine it rewards sentences that carry many of the text's terms.
fn centralities(bags: &Bags, vocab: usize, p: &Params) -> (Vec<f64>, Vec<f64>) {
    let n = bags.len();
    // Upper triangle, row by row: sims of (i, j) for i < j.
    let mut sims = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    let mut degree = vec![0.0; n];
    let log_len: Vec<f64> = (0..n)
        .map(|i| (bags.get(i).len() as f64).max(2.0).ln())
        .collect();
    let mut dense = vec![0.0; vocab];
    for i in 0..n {
        let bag = bags.get(i);
        for &(id, w) in bag {
            if let Some(d) = dense.get_mut(id as usize) {
                *d = w;
            }
        }
        let li = log_len.get(i).copied().unwrap_or(0.0);
        for j in (i + 1)..n {
            let (mut dot, mut common) = (0.0, 0usize);
            for &(id, w) in bags.get(j) {
                let d = dense.get(id as usize).copied().unwrap_or(0.0);
                dot += w * d;
                // Weights are positive: non-zero means shared.
                common += usize::from(d != 0.0);
            }
            sims.push(dot);
            let sim = common as f64 / (li + log_len.get(j).copied().unwrap_or(0.0));
            for k in [i, j] {
                if let Some(d) = degree.get_mut(k) {
                    *d += sim;
                }
            }
        }
        for &(id, _) in bag {
            if let Some(d) = dense.get_mut(id as usize) {
                *d = 0.0;
            }
        }
    }
    let lo = sims.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = sims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let cut = lo + p.edge_threshold * (hi - lo);
    let mut centrality = vec![0.0; n];
    let mut edges = sims.into_iter();
    for i in 0..n {
        for j in (i + 1)..n {
            let e = edges.next().map_or(0.0, |s| (s - cut).max(0.0));
            if let Some(c) = centrality.get_mut(i) {
                *c += e;
            }
            if let Some(c) = centrality.get_mut(j) {
                *c += p.backward_weight * e;
            }
        }
    }
    (centrality, degree)
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

/// Indices of at most `k` sentences within `budget`, best first by MMR
/// (score minus `redundancy` times the cosine to the closest chosen one);
/// fragments and furniture only when nothing else is left. Sentences past
/// [`MAX_CONSIDERED`] are never chosen here.
#[allow(clippy::too_many_arguments)]
fn pick(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    features: &[Features],
    bags: &Bags,
    vocab: usize,
    scores: &[f64],
    k: usize,
    mut budget: Budget,
    p: &Params,
) -> Vec<usize> {
    let any_eligible = features.iter().any(|f| f.eligible);
    let mut left: Vec<usize> = (0..scores.len())
        .filter(|&i| !any_eligible || features.get(i).is_some_and(|f| f.eligible))
        .collect();
    let mut closest = vec![0.0f64; scores.len()];
    let mut dense = vec![0.0; vocab];
    let mut chosen = Vec::with_capacity(k);
    while chosen.len() < k && !left.is_empty() && !budget.exhausted() {
        let value = |i: usize| {
            scores.get(i).copied().unwrap_or(0.0)
                - p.redundancy * closest.get(i).copied().unwrap_or(0.0)
        };
        let mut best = 0;
        for (slot, &i) in left.iter().enumerate() {
            let b = left.get(best).copied().unwrap_or(i);
            if value(i) > value(b) {
                best = slot;
            }
        }
        let i = left.remove(best);
        let sentence = ranges
            .get(i)
            .and_then(|r| text.get(r.clone()))
            .unwrap_or("");
        if !budget.take(sentence) {
            continue;
        }
        chosen.push(i);
        if p.redundancy > 0.0 {
            let bag = bags.get(i);
            for &(id, w) in bag {
                if let Some(d) = dense.get_mut(id as usize) {
                    *d = w;
                }
            }
            for &j in &left {
                let sim = dot_dense(bags.get(j), &dense);
                if let Some(c) = closest.get_mut(j) {
                    *c = c.max(sim);
                }
            }
            for &(id, _) in bag {
                if let Some(d) = dense.get_mut(id as usize) {
                    *d = 0.0;
                }
            }
        }
    }
    chosen
}

/// Builds the output sentences, computing char offsets in one pass.
fn locate(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    chosen: &[usize],
    scores: &[f64],
) -> Vec<SummarySentence> {
    // Character offsets are counted in one pass in document order, whatever
    // order the sentences go out in (a pass in score order would lose every
    // sentence that comes before one already placed).
    let mut by_position = chosen.to_vec();
    by_position.sort_unstable();
    by_position.dedup();
    let mut located: Vec<Option<SummarySentence>> = Vec::with_capacity(by_position.len());
    let (mut byte_pos, mut char_pos) = (0usize, 0usize);
    for &i in &by_position {
        let Some(range) = ranges.get(i) else {
            located.push(None);
            continue;
        };
        let (Some(gap), Some(sentence)) =
            (text.get(byte_pos..range.start), text.get(range.clone()))
        else {
            located.push(None);
            continue;
        };
        char_pos += gap.chars().count();
        let char_len = sentence.chars().count();
        located.push(Some(SummarySentence {
            text: sentence.to_owned(),
            index: i,
            byte_offset: range.start,
            byte_len: range.len(),
            char_offset: char_pos,
            char_len,
            score: scores.get(i).copied().unwrap_or(0.0),
        }));
        byte_pos = range.end;
        char_pos += char_len;
    }
    chosen
        .iter()
        .filter_map(|i| {
            let slot = by_position.binary_search(i).ok()?;
            located.get_mut(slot)?.take()
        })
        .collect()
}

/// A light stemmer: maps a lower-cased word to its stem.
type Stemmer = fn(String) -> String;

/// The light suffix stripper of a language; identity for the others.
fn stemmer(code: &str) -> Stemmer {
    match code {
        "en" => stem_en,
        "fr" => stem_fr,
        "es" | "pt" | "it" | "ca" | "ro" => stem_romance,
        "de" | "nl" | "da" | "sv" | "no" | "nb" => stem_germanic,
        _ => |w| w,
    }
}

/// Drops `n` trailing chars when at least `keep` remain.
fn strip(mut w: String, n: usize, keep: usize) -> String {
    let count = w.chars().count();
    if count >= n + keep {
        let cut = w.char_indices().nth(count - n).map_or(w.len(), |(i, _)| i);
        w.truncate(cut);
    }
    w
}

/// English plurals and possessives (Harman's S-stemmer), then -ing / -ed.
fn stem_en(w: String) -> String {
    let w = if w.ends_with("'s") || w.ends_with("’s") {
        let n = if w.ends_with("'s") { 2 } else { 4 };
        let mut w = w;
        w.truncate(w.len() - n);
        w
    } else {
        w
    };
    if w.len() <= 3 {
        return w;
    }
    if w.ends_with("ies") && !w.ends_with("eies") && !w.ends_with("aies") {
        return strip(w, 3, 2) + "y";
    }
    if w.ends_with("es") && !(w.ends_with("aes") || w.ends_with("ees") || w.ends_with("oes")) {
        return strip(w, 1, 3);
    }
    if w.ends_with('s') && !(w.ends_with("us") || w.ends_with("ss") || w.ends_with("is")) {
        return strip(w, 1, 3);
    }
    if w.ends_with("ing") {
        return strip(w, 3, 4);
    }
    if w.ends_with("ed") && !w.ends_with("eed") {
        return strip(w, 2, 4);
    }
    w
}

/// French plural and feminine endings.
fn stem_fr(w: String) -> String {
    let w = if w.ends_with('s') || w.ends_with('x') {
        strip(w, 1, 3)
    } else {
        w
    };
    if w.ends_with('e') { strip(w, 1, 4) } else { w }
}

/// Spanish, Portuguese, Italian...: plural -s / -es, then the final vowel.
fn stem_romance(w: String) -> String {
    let w = if w.ends_with('s') { strip(w, 1, 3) } else { w };
    if w.ends_with(['a', 'e', 'i', 'o']) {
        strip(w, 1, 4)
    } else {
        w
    }
}

/// German, Dutch, Scandinavian: common inflection endings.
fn stem_germanic(w: String) -> String {
    for suffix in ["en", "er", "es", "e", "n", "s"] {
        if w.ends_with(suffix) {
            return strip(w, suffix.chars().count(), 4);
        }
    }
    w
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
        let opts = SummaryOptions {
            max_sentences: k,
            ..SummaryOptions::default()
        };
        summarize_in(text, code, &opts, &PARAMS)
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

    fn with(text: &str, code: &str, opts: SummaryOptions) -> Vec<SummarySentence> {
        let out = summarize_in(text, Some(code), &opts, &PARAMS);
        check_offsets_any_order(text, &out);
        out
    }

    fn check_offsets_any_order(text: &str, out: &[SummarySentence]) {
        for s in out {
            assert_eq!(&text[s.byte_offset..s.byte_offset + s.byte_len], s.text);
            let by_chars: String = text.chars().skip(s.char_offset).take(s.char_len).collect();
            assert_eq!(by_chars, s.text);
        }
    }

    fn word_count(out: &[SummarySentence]) -> usize {
        out.iter().map(|s| segment::words(&s.text).count()).sum()
    }

    #[test]
    fn word_budget_binds() {
        for max in [10, 12, 20, 25, 40] {
            let opts = SummaryOptions {
                max_words: Some(max),
                ..SummaryOptions::default()
            };
            let out = with(EN, "en", opts);
            assert!(!out.is_empty(), "{max}");
            assert!(word_count(&out) <= max, "{max}: {out:?}");
        }
        // Smaller than any sentence: nothing fits, nothing is returned.
        let opts = SummaryOptions {
            max_words: Some(3),
            ..SummaryOptions::default()
        };
        assert!(with(EN, "en", opts).is_empty());
    }

    #[test]
    fn char_budget_binds() {
        for max in [70, 100, 150, 1000] {
            let opts = SummaryOptions {
                max_chars: Some(max),
                ..SummaryOptions::default()
            };
            let out = with(EN, "en", opts);
            assert!(!out.is_empty());
            assert!(out.iter().map(|s| s.char_len).sum::<usize>() <= max);
            assert!(out.len() <= 3);
        }
        // Char budgets count scalars, not bytes.
        let text = "Năm nay Hà Nội có mùa đông lạnh hơn mọi năm trước. \
            Người dân đổ xô đi mua áo ấm ở các chợ lớn. \
            Giá điện cũng tăng nhẹ trong tháng này.";
        let opts = SummaryOptions {
            max_chars: Some(50),
            ..SummaryOptions::default()
        };
        let out = with(text, "vi", opts);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].char_len, 50);
        assert!(out[0].byte_len > 50);
    }

    #[test]
    fn ratio_budget_binds() {
        let opts = |ratio| SummaryOptions {
            max_sentences: 10,
            ratio: Some(ratio),
            ..SummaryOptions::default()
        };
        // Six sentences: a third is two, a tiny ratio still one, NaN ignored.
        assert_eq!(with(EN, "en", opts(1.0 / 3.0)).len(), 2);
        assert_eq!(with(EN, "en", opts(0.5)).len(), 3);
        assert_eq!(with(EN, "en", opts(1e-9)).len(), 1);
        assert_eq!(with(EN, "en", opts(7.0)).len(), 6);
        assert_eq!(with(EN, "en", opts(f64::NAN)).len(), 6);
        // max_sentences still binds when it is smaller.
        let both = SummaryOptions {
            max_sentences: 1,
            ratio: Some(1.0),
            ..SummaryOptions::default()
        };
        assert_eq!(with(EN, "en", both).len(), 1);
    }

    #[test]
    fn first_binding_budget_wins() {
        let opts = SummaryOptions {
            max_sentences: 5,
            max_words: Some(30),
            max_chars: Some(120),
            ratio: Some(0.5),
            ..SummaryOptions::default()
        };
        let out = with(EN, "en", opts);
        assert!(!out.is_empty() && out.len() <= 3);
        assert!(word_count(&out) <= 30);
        assert!(out.iter().map(|s| s.char_len).sum::<usize>() <= 120);
    }

    #[test]
    fn score_order() {
        let opts = SummaryOptions {
            order: Order::Score,
            ..SummaryOptions::default()
        };
        let out = with(EN, "en", opts);
        assert_eq!(out.len(), 3);
        for w in out.windows(2) {
            assert!(w[0].score >= w[1].score);
        }
        let mut by_doc: Vec<usize> = out.iter().map(|s| s.index).collect();
        by_doc.sort_unstable();
        let doc: Vec<usize> = with(EN, "en", SummaryOptions::default())
            .iter()
            .map(|s| s.index)
            .collect();
        assert_eq!(by_doc, doc);
    }

    #[test]
    fn query_focus() {
        let opts = |q: &str| SummaryOptions {
            max_sentences: 1,
            query: Some(q.to_owned()),
            ..SummaryOptions::default()
        };
        let out = with(EN, "en", opts("What about the parks?"));
        assert!(out[0].text.contains("parks"), "{out:?}");
        let out = with(EN, "en", opts("weather"));
        assert!(out[0].text.starts_with("Weather"), "{out:?}");
        // Plural in the query, singular in the text: stemming matches them.
        let out = with(EN, "en", opts("mayors"));
        assert!(out[0].text.contains("mayor"), "{out:?}");
        // A query of stop words or unknown words changes nothing.
        let plain = with(
            EN,
            "en",
            SummaryOptions {
                max_sentences: 1,
                ..SummaryOptions::default()
            },
        );
        assert_eq!(with(EN, "en", opts("the of and")), plain);
        assert_eq!(with(EN, "en", opts("zebra")), plain);
        let fr = "Le gouvernement a présenté son budget mercredi à Paris. \
            Les syndicats critiquent la baisse des aides au logement. \
            Les écoles recevront davantage de moyens dès la rentrée prochaine. \
            Le débat au Parlement commencera le mois prochain.";
        let out = with(fr, "fr", opts("écoles"));
        assert!(out[0].text.starts_with("Les écoles"), "{out:?}");
        let out = with(fr, "xx", opts("syndicats"));
        assert!(out[0].text.starts_with("Les syndicats"), "{out:?}");
    }

    #[test]
    fn redundancy_control_under_word_budget() {
        let text = "The river flooded the old town after three days of heavy rain. \
            After three days of heavy rain the river flooded the old town. \
            Rescue teams moved two hundred families to the school gym overnight. \
            The regional government promised emergency funds for the repairs.";
        let p = Params {
            redundancy: 1.0,
            ..PARAMS
        };
        let opts = SummaryOptions {
            max_sentences: 2,
            max_words: Some(40),
            ..SummaryOptions::default()
        };
        let out = summarize_in(text, Some("en"), &opts, &p);
        assert_eq!(out.len(), 2);
        assert!(!(out[0].index == 0 && out[1].index == 1), "{out:?}");
    }

    #[test]
    fn vocabulary_interns_normalized_forms() {
        let mut v = Vocabulary::new(stop_words("en"), None, 4);
        let budget = v.id("budget");
        assert_ne!(budget, NOT_CONTENT);
        // Case and width variants are one term; stop words and numbers none.
        assert_eq!(v.id("Budget"), budget);
        assert_eq!(v.id("BUDGET"), budget);
        assert_eq!(v.id("ｂｕｄｇｅｔ"), budget);
        assert_eq!(v.id("The"), NOT_CONTENT);
        assert_eq!(v.id("2024"), NOT_CONTENT);
        assert_eq!(v.id("٣"), NOT_CONTENT);
        let parks = v.id("Parks");
        assert_ne!(parks, budget);
        assert_eq!(v.id("Été"), v.id("été"));
        assert_eq!(v.len(), 3);
        let names = v.names();
        assert_eq!(names.get(budget as usize), Some(&"budget"));
        assert_eq!(names.get(parks as usize), Some(&"parks"));
        // Ranking with stems merges inflections.
        let mut s = Vocabulary::new(stop_words("en"), Some(stem_en), 4);
        assert_eq!(s.id("parks"), s.id("Park"));
        assert_eq!(s.names(), ["park"]);
    }

    #[test]
    fn short_sentences_are_penalised() {
        let text = "Stocks rose sharply on Monday. \
            Markets rallied as investors cheered the surprise news from the central bank. \
            Bond yields fell sharply across the region after the surprise cut in rates. \
            Analysts expect further cuts later this year if inflation keeps falling.";
        // Score of the five-word lead relative to the second sentence.
        let ratio = |p: &Params| {
            let opts = SummaryOptions {
                max_sentences: 4,
                ..SummaryOptions::default()
            };
            let out = summarize_in(text, Some("en"), &opts, p);
            check_offsets(text, &out);
            match (out.first(), out.get(1)) {
                (Some(short), Some(long)) if long.score > 0.0 => short.score / long.score,
                _ => f64::NAN,
            }
        };
        let flat = Params {
            short_exponent: 0.0,
            ..PARAMS
        };
        // 5 of 12 words: the lead keeps under half of its relative score.
        assert!(
            ratio(&PARAMS) < 0.5 * ratio(&flat),
            "{} {}",
            ratio(&PARAMS),
            ratio(&flat)
        );
    }

    #[test]
    fn stemmers() {
        assert_eq!(stem_en("cities".into()), "city");
        assert_eq!(stem_en("parks".into()), "park");
        assert_eq!(stem_en("mayor's".into()), "mayor");
        assert_eq!(stem_en("bus".into()), "bus");
        assert_eq!(stem_en("glass".into()), "glass");
        assert_eq!(stem_fr("présidentes".into()), "président");
        assert_eq!(stem_fr("journaux".into()), "journau");
        assert_eq!(
            stem_romance("ciudades".into()),
            stem_romance("ciudad".into())
        );
        assert_eq!(stem_germanic("häuser".into()), "häus");
        // Never panics on short or multi-byte words.
        for w in ["", "s", "és", "ßs", "’s", "'s", "東s"] {
            for f in [stem_en, stem_fr, stem_romance, stem_germanic] {
                let _ = f(w.to_owned());
            }
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
            let opts = SummaryOptions {
                max_words: Some(5),
                max_chars: Some(0),
                ratio: Some(-1.0),
                order: Order::Score,
                query: Some(text.to_owned()),
                ..SummaryOptions::default()
            };
            assert!(summarize_in(text, Some("en"), &opts, &PARAMS).is_empty());
        }
        assert!(run("", Some("en"), 3).is_empty());
        assert!(summarize("", None, &SummaryOptions::default()).is_empty());
    }
}
