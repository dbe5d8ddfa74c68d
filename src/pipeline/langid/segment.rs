//! Mixed-language segmentation: per-word n-gram evidence, smoothed by a
//! Viterbi pass in which changing language costs a fixed penalty (lower at
//! sentence, line and quote boundaries), then spans too short to trust are
//! merged into a neighbour.
//!
//! Cost: the first [`SEGMENT_BYTES`] of the text are analysed word by word,
//! in time linear in their length (each word is scored once for every
//! language, and the Viterbi pass and merging are linear in the number of
//! words times [`SEGMENT_CANDIDATES`]); memory is one score per word and
//! language. Anything after that is one trailing segment labelled by
//! [`Detector::detect`], which samples at most 32 KiB of it.

use std::ops::Range;

use super::ngram::{self, Model};
use super::{Detector, Language, temperature};
use crate::pipeline::floor_char_boundary;

/// Prefix of the text analysed word by word (about 10,000 words).
const SEGMENT_BYTES: usize = 64 * 1024;

/// Most languages the Viterbi pass chooses between: the ones that win the
/// most short windows of the text. Keeping a handful (rather than all 56)
/// stops a Spanish paragraph from flickering into Galician word by word.
const SEGMENT_CANDIDATES: usize = 6;

/// Words per window when voting for candidate languages.
const CANDIDATE_WINDOW: usize = 4;

/// Most a single word can count against a language, in nats: one unusual
/// word (a name, a loanword) must not outvote its neighbours alone.
const WORD_CLIP: f32 = 4.0;

/// Divides a word's raw n-gram scores into nats of evidence. Sharper
/// than the whole-text softmax temperature: n-grams overlap within a word,
/// but separate words are closer to independent evidence.
const WORD_TEMPERATURE: f32 = 4.0;

/// Cost in nats of changing language between two words inside a sentence.
const SWITCH_COST: f32 = 3.5;

/// Cost of changing language where a sentence, line, clause or quotation
/// ends or begins: where real switches usually are.
const BREAK_SWITCH_COST: f32 = 1.5;

/// Spans of fewer words are merged into the neighbour that explains them
/// best: a couple of words are usually too little evidence to stand alone.
const MIN_SEGMENT_WORDS: usize = 3;

/// ...unless the neighbour's language explains them worse by this many
/// nats (two words each nearly at [`WORD_CLIP`]): a change of script, or
/// an unspaced Japanese phrase that counts as one or two words.
const KEEP_SHORT_MARGIN: f32 = 7.5;

/// A stretch of text in one language, found by [`Detector::segments`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// The span's language; `None` when undetermined (no letters).
    pub language: Option<Language>,
    /// Confidence in `language` for this span alone, in [0, 1]; 0 when
    /// undetermined.
    pub confidence: f64,
    /// Byte offset of the span in the text.
    pub start: usize,
    /// Length of the span in bytes.
    pub len: usize,
    /// Offset of the span in Unicode scalar values (`char`s).
    pub char_start: usize,
    /// Length of the span in `char`s.
    pub char_len: usize,
}

impl Segment {
    /// The span's byte range, for slicing the text it came from.
    pub fn range(&self) -> Range<usize> {
        self.start..self.start + self.len
    }
}

/// A span before char offsets are known.
#[derive(Debug, Clone, Copy)]
struct Span {
    end: usize,
    language: Option<Language>,
    confidence: f64,
}

/// A word of the analysed text.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    /// Whether the text between the previous word and this one holds a
    /// sentence, line, clause or quotation boundary.
    after_break: bool,
    /// No n-gram of the word is in the model (a script only whatlang
    /// knows, such as Kannada): it is evidence for none of its languages.
    foreign: bool,
}

/// Characters that end or open a sentence, clause or quotation.
fn is_break(ch: char) -> bool {
    matches!(
        ch,
        '.' | '!'
            | '?'
            | ';'
            | ':'
            | '\n'
            | '\r'
            | '"'
            | '«'
            | '»'
            | '“'
            | '”'
            | '„'
            | '('
            | ')'
            | '['
            | ']'
            | '—'
            | '–'
            | '。'
            | '！'
            | '？'
            | '؟'
            | '।'
            | '「'
            | '」'
    )
}

impl Detector {
    /// Splits `text` into spans of one language each, in order, together
    /// covering all of it. Text in a single language gives one segment;
    /// text without letters gives one undetermined segment; empty text
    /// gives none. With a non-empty `allowed`, every language is from it.
    /// See the module notes for the cost bound (linear, first 64 KiB
    /// analysed word by word).
    pub fn segments(&self, text: &str, allowed: &[Language]) -> Vec<Segment> {
        if text.is_empty() {
            return Vec::new();
        }
        let cut = head_len(text);
        let (head, tail) = text.split_at(cut);
        let mut spans = self.head_spans(head, allowed);
        if !tail.is_empty() {
            let d = self.detect(tail, allowed);
            push_span(
                &mut spans,
                Span {
                    end: text.len(),
                    language: d.language(),
                    confidence: d.best.map_or(0.0, |c| c.confidence),
                },
            );
        }
        with_char_offsets(text, &spans)
    }

    /// Spans covering `head` (at most [`SEGMENT_BYTES`] long).
    fn head_spans(&self, head: &str, allowed: &[Language]) -> Vec<Span> {
        let whole = |d: super::Detection| {
            vec![Span {
                end: head.len(),
                language: d.language(),
                confidence: d.best.map_or(0.0, |c| c.confidence),
            }]
        };
        let Some(model) = Model::get() else {
            return whole(self.detect(head, allowed));
        };
        if allowed.iter().any(|l| !model.languages.contains(l)) {
            return whole(self.detect(head, allowed));
        }
        let langs: Vec<usize> = (0..model.languages.len())
            .filter(|&i| allowed.is_empty() || allowed.contains(&model.languages[i]))
            .collect();
        let nl = model.languages.len();
        let mut words: Vec<Word> = Vec::new();
        // Raw n-gram scores, `nl` per word.
        let mut raw: Vec<f32> = Vec::new();
        let mut prev_end = 0;
        ngram::for_each_word(head, |start, end, _, chars| {
            let base = raw.len();
            raw.resize(base + nl, 0.0);
            let (_, matched) = model.score_word(chars, &mut raw[base..]);
            words.push(Word {
                start,
                end,
                after_break: head[prev_end..start].chars().any(is_break),
                foreign: matched == 0,
            });
            prev_end = end;
        });
        if words.is_empty() || langs.is_empty() {
            return whole(self.detect(head, allowed));
        }
        let evidence = Evidence::new(&raw, nl, &langs, &words);
        let states = evidence.candidates();
        let path = viterbi(&evidence, &words, &states);
        let runs = merge_short_runs(&evidence, path, &states);
        // Cut between runs after the last whitespace separating them, so
        // closing punctuation stays with the span it closes and opening
        // punctuation goes with the span it opens.
        let mut spans: Vec<Span> = Vec::with_capacity(runs.len());
        for (i, run) in runs.iter().enumerate() {
            let end = match runs.get(i + 1) {
                None => head.len(),
                Some(next) => {
                    let (a, b) = (words[run.words.end - 1].end, words[next.words.start].start);
                    head[a..b]
                        .char_indices()
                        .rfind(|(_, c)| c.is_whitespace())
                        .map_or(b, |(j, c)| a + j + c.len_utf8())
                }
            };
            let start = spans.last().map_or(0, |s| s.end);
            let (language, confidence) = self.label(
                model,
                &head[start..end],
                &raw,
                run,
                &states,
                &langs,
                allowed,
            );
            push_span(
                &mut spans,
                Span {
                    end,
                    language,
                    confidence,
                },
            );
        }
        spans
    }

    /// Language and confidence of one run. Runs of foreign words, and
    /// Devanagari, where whatlang tells Hindi from Marathi better, are
    /// labelled by [`Detector::detect`] on the span; others keep the
    /// Viterbi label, with the softmax probability of their summed scores.
    #[allow(clippy::too_many_arguments)]
    fn label(
        &self,
        model: &Model,
        span: &str,
        raw: &[f32],
        run: &Run,
        states: &[State],
        langs: &[usize],
        allowed: &[Language],
    ) -> (Option<Language>, f64) {
        let nl = model.languages.len();
        let state = states[run.state];
        let State::Lang(li) = state else {
            let d = self.detect(span, allowed);
            return (d.language(), d.best.map_or(0.0, |c| c.confidence));
        };
        if ngram::devanagari_main(span) {
            let d = self.detect(span, allowed);
            return (d.language(), d.best.map_or(0.0, |c| c.confidence));
        }
        let mut sums = model.prior.clone();
        for w in run.words.clone() {
            for &l in langs {
                sums[l] += raw[w * nl + l];
            }
        }
        let top = langs
            .iter()
            .map(|&l| sums[l])
            .fold(f32::NEG_INFINITY, f32::max);
        let temp = temperature(run.words.len());
        let total: f64 = langs
            .iter()
            .map(|&l| f64::from((sums[l] - top) / temp).exp())
            .sum();
        let p = f64::from((sums[li] - top) / temp).exp() / total;
        (Some(model.languages[li]), p.clamp(0.0, 1.0))
    }
}

/// Viterbi states: a modelled language (by model index), or text the
/// model has no language for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Lang(usize),
    Foreign,
}

/// Per-word log-odds, in nats, of every allowed language against the
/// word's best one, clipped at [`WORD_CLIP`].
struct Evidence<'a> {
    nl: usize,
    langs: &'a [usize],
    words: &'a [Word],
    /// `nl` values per word; languages outside `langs` stay at the clip.
    odds: Vec<f32>,
}

impl<'a> Evidence<'a> {
    fn new(raw: &[f32], nl: usize, langs: &'a [usize], words: &'a [Word]) -> Self {
        let mut odds = vec![-WORD_CLIP; raw.len()];
        for (w, word) in words.iter().enumerate() {
            if word.foreign {
                continue;
            }
            let row = &raw[w * nl..(w + 1) * nl];
            let top = langs
                .iter()
                .map(|&l| row[l])
                .fold(f32::NEG_INFINITY, f32::max);
            for &l in langs {
                odds[w * nl + l] = ((row[l] - top) / WORD_TEMPERATURE).max(-WORD_CLIP);
            }
        }
        Self {
            nl,
            langs,
            words,
            odds,
        }
    }

    fn emission(&self, w: usize, state: State) -> f32 {
        match state {
            State::Lang(l) => self.odds[w * self.nl + l],
            State::Foreign if self.words[w].foreign => 0.0,
            State::Foreign => -WORD_CLIP,
        }
    }

    /// The languages that win the most windows of [`CANDIDATE_WINDOW`]
    /// words (and the whole text's winner), plus [`State::Foreign`] when
    /// any word is foreign.
    fn candidates(&self) -> Vec<State> {
        let n = self.words.len();
        let width = CANDIDATE_WINDOW.min(n);
        let mut votes = vec![0usize; self.nl];
        let mut window = vec![0.0f32; self.nl];
        let mut total = vec![0.0f32; self.nl];
        let best = |sums: &[f32]| {
            self.langs
                .iter()
                .copied()
                .max_by(|&a, &b| sums[a].total_cmp(&sums[b]).then(b.cmp(&a)))
        };
        for w in 0..n {
            for &l in self.langs {
                let e = self.odds[w * self.nl + l];
                window[l] += e;
                total[l] += e;
                if w >= width {
                    window[l] -= self.odds[(w - width) * self.nl + l];
                }
            }
            if w + 1 >= width
                && let Some(l) = best(&window)
            {
                votes[l] += 1;
            }
        }
        if let Some(l) = best(&total) {
            // The whole text's winner always competes.
            votes[l] += n + 1;
        }
        let mut ranked: Vec<usize> = self
            .langs
            .iter()
            .copied()
            .filter(|&l| votes[l] > 0)
            .collect();
        ranked.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
        ranked.truncate(SEGMENT_CANDIDATES);
        let mut states: Vec<State> = ranked.into_iter().map(State::Lang).collect();
        if self.words.iter().any(|w| w.foreign) {
            states.push(State::Foreign);
        }
        states
    }
}

/// The most likely state (index into `states`) of every word, where a
/// change of state between words costs [`SWITCH_COST`], or
/// [`BREAK_SWITCH_COST`] across a boundary.
fn viterbi(ev: &Evidence<'_>, words: &[Word], states: &[State]) -> Vec<usize> {
    let k = states.len();
    let n = words.len();
    if k <= 1 {
        return vec![0; n];
    }
    // back[w * k + s]: the state of word w - 1 on the best path to (w, s).
    let mut back = vec![0u8; n * k];
    let mut cur: Vec<f32> = states.iter().map(|&s| ev.emission(0, s)).collect();
    let mut next = vec![0.0f32; k];
    for w in 1..n {
        let cost = if words[w].after_break {
            BREAK_SWITCH_COST
        } else {
            SWITCH_COST
        };
        let (best_prev, best_score) =
            cur.iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |acc, (i, &v)| {
                        if v > acc.1 { (i, v) } else { acc }
                    },
                );
        for (s, &state) in states.iter().enumerate() {
            let (from, score) = if cur[s] >= best_score - cost {
                (s, cur[s])
            } else {
                (best_prev, best_score - cost)
            };
            next[s] = score + ev.emission(w, state);
            back[w * k + s] = from as u8;
        }
        std::mem::swap(&mut cur, &mut next);
    }
    let mut s = cur
        .iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |acc, (i, &v)| {
                if v > acc.1 { (i, v) } else { acc }
            },
        )
        .0;
    let mut path = vec![0; n];
    for w in (0..n).rev() {
        path[w] = s;
        s = usize::from(back[w * k + s]);
    }
    path
}

/// Consecutive words in one state.
#[derive(Debug, Clone)]
struct Run {
    words: Range<usize>,
    state: usize,
}

fn runs_of(path: &[usize]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (w, &s) in path.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if r.state == s => r.words.end = w + 1,
            _ => runs.push(Run {
                words: w..w + 1,
                state: s,
            }),
        }
    }
    runs
}

/// Relabels runs shorter than [`MIN_SEGMENT_WORDS`] with the neighbouring
/// state that explains their words best (unless that costs more than
/// [`KEEP_SHORT_MARGIN`]), then joins equal neighbours. A
/// few left-to-right passes, each linear.
fn merge_short_runs(ev: &Evidence<'_>, path: Vec<usize>, states: &[State]) -> Vec<Run> {
    let mut runs = runs_of(&path);
    for _ in 0..3 {
        let mut changed = false;
        for i in 0..runs.len() {
            if runs.len() < 2 || runs[i].words.len() >= MIN_SEGMENT_WORDS {
                continue;
            }
            let fit = |s: usize| -> f32 {
                runs[i]
                    .words
                    .clone()
                    .map(|w| ev.emission(w, states[s]))
                    .sum()
            };
            let prev = i.checked_sub(1).map(|j| runs[j].state);
            let next = runs.get(i + 1).map(|r| r.state);
            let to = match (prev, next) {
                (Some(p), Some(n)) if fit(n) > fit(p) => n,
                (Some(p), _) => p,
                (None, Some(n)) => n,
                (None, None) => continue,
            };
            if to != runs[i].state && fit(runs[i].state) - fit(to) < KEEP_SHORT_MARGIN {
                runs[i].state = to;
                changed = true;
            }
        }
        let path: Vec<usize> = runs
            .iter()
            .flat_map(|r| r.words.clone().map(move |_| r.state))
            .collect();
        runs = runs_of(&path);
        if !changed {
            break;
        }
    }
    runs
}

/// Appends `span`, joining it to the previous one when the language is the
/// same (confidences weighted by length).
fn push_span(spans: &mut Vec<Span>, span: Span) {
    let n = spans.len();
    if n > 0 && spans[n - 1].language == span.language {
        let start = if n >= 2 { spans[n - 2].end } else { 0 };
        let last = &mut spans[n - 1];
        let (a, b) = ((last.end - start) as f64, (span.end - last.end) as f64);
        if a + b > 0.0 {
            last.confidence = (last.confidence * a + span.confidence * b) / (a + b);
        }
        last.end = span.end;
        return;
    }
    spans.push(span);
}

/// Byte length of the prefix analysed word by word: [`SEGMENT_BYTES`],
/// moved back to a whitespace so that no word is cut.
fn head_len(text: &str) -> usize {
    if text.len() <= SEGMENT_BYTES {
        return text.len();
    }
    let end = floor_char_boundary(text, SEGMENT_BYTES);
    text[..end]
        .rfind(char::is_whitespace)
        .filter(|&i| i > 0)
        .unwrap_or(end)
}

/// Turns spans (ending byte offsets) into segments with byte and char
/// offsets, counting chars in one pass.
fn with_char_offsets(text: &str, spans: &[Span]) -> Vec<Segment> {
    let mut out = Vec::with_capacity(spans.len());
    let (mut start, mut char_start) = (0, 0);
    for span in spans {
        let char_len = text[start..span.end].chars().count();
        out.push(Segment {
            language: span.language,
            confidence: span.confidence,
            start,
            len: span.end - start,
            char_start,
            char_len,
        });
        start = span.end;
        char_start += char_len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Option<Language> {
        Language::from_code(code)
    }

    /// Segments must tile the text, in order, with byte and char offsets
    /// that agree with it.
    fn assert_consistent(text: &str, segs: &[Segment]) {
        let mut at = 0;
        for s in segs {
            assert_eq!(s.start, at, "{text:?}");
            assert!(s.len > 0 && text.is_char_boundary(s.start + s.len));
            assert_eq!(s.char_start, text[..s.start].chars().count());
            assert_eq!(s.char_len, text[s.range()].chars().count());
            assert!((0.0..=1.0).contains(&s.confidence));
            at += s.len;
        }
        assert_eq!(at, text.len());
    }

    #[test]
    fn single_language_text_is_one_segment() {
        let det = Detector::new();
        for (text, code) in [
            (
                "The committee will publish its findings after the summer recess, and the minister has promised to answer every question in parliament.",
                "en",
            ),
            (
                "Os meninos não querem ir à escola amanhã de manhã porque vai chover o dia todo.",
                "pt",
            ),
            (
                "Nevím, proč včera večer nešel domů, když ho všichni čekali.",
                "cs",
            ),
            ("Комитет опубликует свои выводы после летних каникул.", "ru"),
            ("Bonjour", "fr"),
        ] {
            let segs = det.segments(text, &[]);
            assert_consistent(text, &segs);
            assert_eq!(segs.len(), 1, "{text}: {segs:?}");
            assert_eq!(segs[0].language, lang(code), "{text}");
        }
    }

    #[test]
    fn two_languages_give_two_segments_at_the_switch() {
        let det = Detector::new();
        let en = "The weather was terrible all week, so we stayed inside and read. ";
        let de = "Am Wochenende sind wir dann endlich in die Berge gefahren.";
        let text = format!("{en}{de}");
        let segs = det.segments(&text, &[]);
        assert_consistent(&text, &segs);
        assert_eq!(segs.len(), 2, "{segs:?}");
        assert_eq!(segs[0].language, lang("en"));
        assert_eq!(segs[1].language, lang("de"));
        assert_eq!(segs[1].start, en.len());
        assert_eq!(segs[1].char_start, en.chars().count());
        // A quotation inside a sentence, in another script.
        let text = "He raised his glass and said спасибо вам всем за этот прекрасный вечер before sitting down again.";
        let segs = det.segments(text, &[]);
        assert_consistent(text, &segs);
        let codes: Vec<_> = segs.iter().map(|s| s.language.map(|l| l.code())).collect();
        assert_eq!(codes, [Some("en"), Some("ru"), Some("en")]);
        assert_eq!(
            &text[segs[1].range()],
            "спасибо вам всем за этот прекрасный вечер "
        );
    }

    #[test]
    fn no_letters_is_one_undetermined_segment_and_empty_is_none() {
        let det = Detector::new();
        assert!(det.segments("", &[]).is_empty());
        for text in ["   ", "12:30 -- 45 !!!", "\u{301}"] {
            let segs = det.segments(text, &[]);
            assert_consistent(text, &segs);
            assert_eq!(segs.len(), 1);
            assert_eq!(segs[0].language, None);
            assert_eq!(segs[0].confidence, 0.0);
        }
    }

    #[test]
    fn allow_list_is_honoured() {
        let det = Detector::new();
        let allowed = [lang("es").unwrap(), lang("pt").unwrap()];
        let text = "Mi abuela siempre decía que hay que plantar árboles. Os meus avós também plantavam muitas árvores no quintal.";
        let segs = det.segments(text, &allowed);
        assert_consistent(text, &segs);
        assert!(
            segs.iter()
                .all(|s| s.language.is_some_and(|l| allowed.contains(&l)))
        );
    }

    #[test]
    fn odd_and_huge_inputs_do_not_panic() {
        let det = Detector::new();
        let mixed = "日本語のテキストと한국어 and English ÅÄÖ \u{0301}\u{094D} ಕನ್ನಡ ಭಾಷೆ".repeat(3);
        let alternating = "a б ".repeat(5_000);
        let huge = "Der Hund läuft über die Wiese. Le chat dort. ".repeat(100_000);
        assert!(huge.len() > 4 << 20);
        for text in [
            mixed.as_str(),
            alternating.as_str(),
            &"a".repeat(10_000),
            "ﷺ",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 text",
            huge.as_str(),
        ] {
            let segs = det.segments(text, &[]);
            assert_consistent(text, &segs);
        }
    }

    #[test]
    fn random_unicode_does_not_panic() {
        let det = Detector::new();
        // Deterministic pseudo-random scalars from all planes, with many
        // spaces and marks, 4 MiB in all.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut text = String::new();
        while text.len() < 4 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let c = match x % 8 {
                0 => ' ',
                1 => char::from_u32(0x300 + (x >> 8) as u32 % 0x70).unwrap_or('a'),
                2 | 3 => char::from_u32(0x20 + (x >> 8) as u32 % 0x2F0).unwrap_or('b'),
                _ => char::from_u32((x >> 8) as u32 % 0x11_0000).unwrap_or('c'),
            };
            text.push(c);
        }
        for len in [1, 7, 100, 5_000, 70_000, text.len()] {
            let cut = floor_char_boundary(&text, len);
            let part = &text[..cut];
            let _ = det.detect(part, &[]);
            assert_consistent(part, &det.segments(part, &[]));
        }
    }

    /// One line of `testdata/mixed.tsv`: the text without markers and the
    /// (byte offset, language) at which each gold span starts.
    fn parse(line: &str) -> (String, Vec<(usize, String)>) {
        let marked = line.split('\t').nth(1).unwrap_or("");
        let mut text = String::new();
        let mut gold = Vec::new();
        let mut rest = marked;
        while let Some(i) = rest.find('[') {
            text.push_str(&rest[..i]);
            let close = rest[i..].find(']').map(|j| i + j).unwrap();
            gold.push((text.len(), rest[i + 1..close].to_string()));
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        (text, gold)
    }

    /// Word index at byte `b`: how many words start before it.
    fn word_at(starts: &[usize], b: usize) -> usize {
        starts.partition_point(|&s| s < b)
    }

    /// Scores `testdata/mixed.tsv`: share of true switches with a predicted
    /// boundary within one word, share of predicted boundaries within one
    /// word of a true switch, and share of words given the right language.
    fn score_set(name: &str, data: &str) -> f64 {
        let det = Detector::new();
        let (mut found, mut switches, mut good, mut predicted) = (0, 0, 0, 0);
        let (mut right_words, mut words) = (0, 0);
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (text, gold) = parse(line);
            let segs = det.segments(&text, &[]);
            assert_consistent(&text, &segs);
            let mut starts = Vec::new();
            ngram::for_each_word(&text, |s, _, _, _| starts.push(s));
            let truth: Vec<usize> = gold[1..]
                .iter()
                .map(|(b, _)| word_at(&starts, *b))
                .collect();
            let guess: Vec<usize> = segs[1..]
                .iter()
                .map(|s| word_at(&starts, s.start))
                .collect();
            let near = |a: usize, b: usize| a.abs_diff(b) <= 1;
            let hit = truth
                .iter()
                .filter(|t| guess.iter().any(|g| near(*g, **t)))
                .count();
            found += hit;
            switches += truth.len();
            good += guess
                .iter()
                .filter(|g| truth.iter().any(|t| near(**g, *t)))
                .count();
            predicted += guess.len();
            for &s in &starts {
                let g = gold
                    .iter()
                    .rev()
                    .find(|(b, _)| *b <= s)
                    .map(|(_, c)| c.as_str());
                let p = segs
                    .iter()
                    .rev()
                    .find(|x| x.start <= s)
                    .and_then(|x| x.language);
                words += 1;
                right_words += usize::from(p.map(|l| l.code()) == g);
            }
            if hit < truth.len() || guess.len() != truth.len() {
                let shown: Vec<String> = segs
                    .iter()
                    .map(|s| {
                        format!(
                            "[{}]{}",
                            s.language.map_or("und", |l| l.code()),
                            &text[s.range()]
                        )
                    })
                    .collect();
                println!("MISS {}\n  got {}", line, shown.join(""));
            }
        }
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        println!(
            "{name}: switches found within one word {found}/{switches} = {:.1} %, boundary precision {good}/{predicted} = {:.1} %, words labelled right {:.1} %",
            pct(found, switches),
            pct(good, predicted),
            pct(right_words, words)
        );
        pct(found, switches)
    }

    #[test]
    fn mixed_language_test_set() {
        let main = score_set("mixed.tsv", include_str!("testdata/mixed.tsv"));
        let fresh = score_set("mixed_fresh.tsv", include_str!("testdata/mixed_fresh.tsv"));
        assert!(main >= 90.0 && fresh >= 90.0, "{main} {fresh}");
    }
}
