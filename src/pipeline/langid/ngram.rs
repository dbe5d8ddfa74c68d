//! Character n-gram model (orders 1 to 5) built from lingua's language models
//! by `tools/langid-model` and embedded as a compact sorted table.
//!
//! Layout of `model.bin` (little-endian): `LID1`, `u32` language count, the
//! ISO 639-1 codes (2 bytes each), `u32` key count, the sorted FNV-1a hashes
//! of the n-grams (`u32` each), `key count + 1` `u32` offsets into the entry
//! array, and the entries: (language index `u8`, quantised `-ln p` `u8`).

use std::sync::OnceLock;

use super::Language;

static MODEL_BYTES: &[u8] = include_bytes!("model.bin");

/// Quantisation step of `-ln p` in the table.
const STEP: f32 = 1.0 / 16.0;

/// Most entries (language, `-ln p`) one n-gram can have: one per language.
const MAX_HITS: usize = 255;

/// Longest n-gram the table holds.
const MAX_ORDER: usize = 5;

/// Longest word (in chars) scored; longer runs are cut into pieces.
const MAX_WORD: usize = 64;

/// The parsed view of the embedded table.
#[derive(Debug)]
pub(super) struct Model {
    /// Modelled languages, by index.
    pub(super) languages: Vec<Language>,
    /// Open-addressing table (linear probing, a power of two long, at most
    /// 80 % full) of `(key, first entry << 8 | entry count)`; a count of 0
    /// marks an empty slot. Detection is bound by cache misses in these
    /// megabytes: the file's sorted keys and offsets took three per lookup
    /// (bucket index, key, offset), this table takes one before the entries.
    slots: Vec<(u32, u32)>,
    /// `slots.len() - 1`.
    mask: usize,
    entries: &'static [u8],
    /// `gain[order][q]`: what a hit of that order with quantised `-ln p`
    /// `q` adds to its language's score (precomputed: this is the inner
    /// loop of detection).
    gain: [[f32; 256]; MAX_ORDER + 1],
    /// [`PRIOR`] by language index, in score units.
    pub(super) prior: Vec<f32>,
}

/// Home slot of `key`: FNV-1a's low bits are weak, so multiply
/// (Fibonacci hashing) and take the high bits.
fn slot_of(key: u32, mask: usize) -> usize {
    (u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Model {
    /// The embedded model, parsed once (a header walk, no copying).
    pub(super) fn get() -> Option<&'static Model> {
        static MODEL: OnceLock<Option<Model>> = OnceLock::new();
        MODEL.get_or_init(|| Model::parse(MODEL_BYTES)).as_ref()
    }

    fn parse(bytes: &'static [u8]) -> Option<Model> {
        if bytes.get(..4)? != b"LID1" {
            return None;
        }
        let n_lang = read_u32(bytes, 4)? as usize;
        let mut at = 8;
        let mut languages = Vec::with_capacity(n_lang);
        for _ in 0..n_lang {
            let code = std::str::from_utf8(bytes.get(at..at + 2)?).ok()?;
            languages.push(Language::from_code(code)?);
            at += 2;
        }
        let n_keys = read_u32(bytes, at)? as usize;
        at += 4;
        let keys = bytes.get(at..at + 4 * n_keys)?;
        at += 4 * n_keys;
        let offsets = bytes.get(at..at + 4 * (n_keys + 1))?;
        at += 4 * (n_keys + 1);
        let entries = bytes.get(at..)?;
        let total = read_u32(offsets, 4 * n_keys)? as usize;
        if entries.len() != 2 * total {
            return None;
        }
        // Entry offsets must fit the 24 bits the slot leaves them.
        if total >= 1 << 24 {
            return None;
        }
        let size = (n_keys + n_keys / 4 + 1).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![(0u32, 0u32); size];
        for i in 0..n_keys {
            let key = read_u32(keys, 4 * i)?;
            let start = read_u32(offsets, 4 * i)?;
            let count = read_u32(offsets, 4 * i + 4)?.checked_sub(start)? as usize;
            if count == 0 || count > MAX_HITS {
                continue;
            }
            let mut at = slot_of(key, mask);
            while slots[at].1 != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (key, start << 8 | count as u32);
        }
        let mut gain = [[0.0f32; 256]; MAX_ORDER + 1];
        for (order, row) in gain.iter_mut().enumerate().skip(1) {
            for (q, g) in row.iter_mut().enumerate() {
                // Never below zero, the score of a language lacking the
                // n-gram: holding a rare n-gram (a Han character deep in
                // Chinese's long tail) is no evidence against.
                let ln_p = (-(q as f32) * STEP).max(LN_P_FLOOR);
                *g = (WEIGHT[order] * ln_p + BONUS[order]).max(0.0);
            }
        }
        let prior = languages
            .iter()
            .map(|l| {
                PRIOR
                    .iter()
                    .find(|(code, _)| *code == l.code())
                    .map_or(0.0, |(_, p)| p * super::TEMPERATURE)
            })
            .collect();
        Some(Model {
            prior,
            languages,
            slots,
            mask,
            entries,
            gain,
        })
    }

    fn lookup(&self, hash: u32) -> &'static [u8] {
        let mut at = slot_of(hash, self.mask);
        // The table is never full, so every probe sequence meets an empty slot.
        while let Some(&(key, packed)) = self.slots.get(at) {
            if packed == 0 {
                break;
            }
            if key == hash {
                let start = 2 * (packed >> 8) as usize;
                let end = start + 2 * (packed & 0xff) as usize;
                return self.entries.get(start..end).unwrap_or(&[]);
            }
            at = (at + 1) & self.mask;
        }
        &[]
    }

    /// Sums the weighted n-gram evidence of `text`'s words for every
    /// language into `scores` (indexed like [`Model::languages`]) and
    /// returns how many words had evidence and how many n-grams matched any
    /// language. Only words in the text's main script are scored, so that
    /// Latin-script boilerplate does not outvote a Devanagari sentence.
    pub(super) fn score(&self, text: &str, scores: &mut [f32]) -> (usize, usize) {
        self.score_in(text, main_script(text), scores)
    }

    /// [`Model::score`] with the main script already known.
    pub(super) fn score_in(&self, text: &str, main: Script, scores: &mut [f32]) -> (usize, usize) {
        let mut words = 0;
        let mut matched = 0;
        for_each_word(text, |_, _, script, word| {
            if script == main {
                let m = self.score_word(word, scores).1;
                words += usize::from(m > 0);
                matched += m;
            }
        });
        (words, matched)
    }

    /// Adds one word's weighted n-gram evidence to `scores`; returns the
    /// n-grams scored and matched.
    pub(super) fn score_word(&self, word: &[char], scores: &mut [f32]) -> (usize, usize) {
        self.word_hits(word, |order, hits| {
            let gain = &self.gain[order];
            for pair in hits.chunks_exact(2) {
                if let Some(s) = scores.get_mut(usize::from(pair[0])) {
                    *s += gain[usize::from(pair[1])];
                }
            }
        })
    }

    /// Calls `f(order, entries)` for every n-gram of `word` found in the
    /// table, `entries` being its (language, quantised `-ln p`) pairs.
    pub(super) fn word_hits(
        &self,
        word: &[char],
        mut f: impl FnMut(usize, &[u8]),
    ) -> (usize, usize) {
        let mut counted = 0;
        let mut matched = 0;
        let mut buf = [0u8; 4];
        for start in 0..word.len() {
            let mut hash: u32 = 0x811c_9dc5;
            for (i, &ch) in word[start..].iter().take(MAX_ORDER).enumerate() {
                for b in ch.encode_utf8(&mut buf).as_bytes() {
                    hash ^= u32::from(*b);
                    hash = hash.wrapping_mul(0x0100_0193);
                }
                counted += 1;
                let hits = self.lookup(hash);
                if hits.is_empty() {
                    // Kept n-grams are the most frequent ones, so no
                    // extension of an unknown n-gram is kept either.
                    break;
                }
                matched += 1;
                f(i + 1, hits);
            }
        }
        (counted, matched)
    }
}

/// Weight of an n-gram's log-probability, by order (index 0 unused), and
/// the score a language gains for holding the n-gram at all (the
/// complement of the floor charged to languages that lack it). Fitted with
/// the language priors by multinomial logistic regression on labelled
/// sentences, word pairs and words (`langid_fit` in `tools/fit`; 2-fold
/// held-out gain +0.1 sentence, +0.4 word-pair accuracy), in units where the softmax
/// temperature is `TEMPERATURE`. Bigrams weigh least: they mostly repeat
/// what the unigrams and trigrams around them say.
const WEIGHT: [f32; MAX_ORDER + 1] = [0.0, 1.580, 0.782, 1.335, 1.519, 1.827];
const BONUS: [f32; MAX_ORDER + 1] = [0.0, 20.906, 7.092, 10.333, 9.701, 8.586];

/// Prior log-odds of each language in nats, fitted with [`WEIGHT`]: small
/// corrections for languages whose tables are richer or poorer than their
/// neighbours' (Latin, Finnish and German tables attract stray words).
#[rustfmt::skip]
const PRIOR: &[(&str, f32)] = &[
    ("af", 0.140), ("ar", -0.153), ("az", 0.245), ("be", -0.053), ("bg", -0.037), ("bn", 0.060),
    ("ca", 0.264), ("cs", 0.161), ("da", -0.097), ("de", -0.273), ("el", -0.008), ("en", -0.154),
    ("eo", 0.036), ("es", -0.007), ("et", -0.087), ("fa", 0.110), ("fi", -0.351), ("fr", -0.157),
    ("gu", 0.089), ("he", -0.008), ("hi", -0.008), ("hr", -0.119), ("hu", 0.008), ("hy", -0.008),
    ("id", 0.086), ("it", -0.089), ("ja", -0.065), ("ka", -0.008), ("ko", 0.037), ("la", -0.369),
    ("lt", -0.210), ("lv", 0.092), ("mk", 0.153), ("mr", -0.008), ("nb", 0.035), ("nl", -0.072),
    ("pa", 0.146), ("pl", -0.206), ("pt", -0.014), ("ro", 0.003), ("ru", -0.100), ("sk", -0.068),
    ("sl", 0.028), ("sn", 0.055), ("sr", 0.084), ("sv", 0.061), ("ta", 0.014), ("te", 0.053),
    ("th", -0.000), ("tl", 0.177), ("tr", 0.038), ("uk", -0.116), ("ur", 0.018), ("vi", 0.575),
    ("zh", 0.054), ("zu", 0.024),
];

/// Lowest `ln p` a hit counts with (the old fixed floor).
const LN_P_FLOOR: f32 = -11.0;

/// Calls `f(start, end, script, word)` for every word of `text`: a run of
/// letters, lower-cased, with its byte range in `text` and the script of
/// its first letter. Runs longer than [`MAX_WORD`] chars are cut.
pub(super) fn for_each_word(text: &str, mut f: impl FnMut(usize, usize, Script, &[char])) {
    let mut word: Vec<char> = Vec::with_capacity(MAX_WORD + 4);
    let mut word_script = Script::Latin;
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        if ch.is_alphabetic() && !is_mark(ch) {
            if word.is_empty() {
                word_script = script_of(ch);
                start = i;
            }
            word.extend(ch.to_lowercase());
            if word.len() >= MAX_WORD {
                let end = i + ch.len_utf8();
                f(start, end, word_script, &word);
                word.clear();
            }
        } else if !word.is_empty() {
            f(start, i, word_script, &word);
            word.clear();
        }
    }
    if !word.is_empty() {
        f(start, text.len(), word_script, &word);
    }
}

/// Coarse writing-system classes for routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Latin,
    /// Han, kana and their punctuation-free neighbours.
    Cjk,
    Hangul,
    /// Any other script, by 128-code-point block (Cyrillic spans two).
    Block(u32),
}

pub(super) fn script_of(ch: char) -> Script {
    let cp = u32::from(ch);
    match cp {
        0..=0x24F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Script::Latin,
        0x400..=0x52F => Script::Block(0x400),
        0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Block(0x600),
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9D => {
            Script::Cjk
        }
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        _ => Script::Block(cp >> 7),
    }
}

/// Combining vowel signs and other marks of the Indic and Thai scripts.
/// lingua's models hold letters only, so marks break words as
/// lingua's training did.
fn is_mark(ch: char) -> bool {
    let cp = u32::from(ch);
    match cp {
        0x900..=0xDFF => {
            let off = cp & 0x7F;
            matches!(off, 0..=3 | 0x3A..=0x3C | 0x3E..=0x4F | 0x51..=0x57 | 0x62 | 0x63)
        }
        0xE31 | 0xE34..=0xE3A | 0xE47..=0xE4E => true,
        _ => false,
    }
}

/// The script most letters are in, preferring any non-Latin script that
/// holds at least a fifth of them (Latin boilerplate around native text).
pub(super) fn main_script(text: &str) -> Script {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    let mut total = 0usize;
    for ch in text.chars().filter(|c| c.is_alphabetic()) {
        let s = script_of(ch);
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    let best_other = counts
        .iter()
        .filter(|(s, _)| *s != Script::Latin)
        .max_by_key(|(_, n)| *n)
        .copied();
    match best_other {
        Some((s, n)) if n * 5 >= total => s,
        _ => Script::Latin,
    }
}

impl Script {
    /// Whether this is Devanagari, where lingua's letter-only models (vowel
    /// signs stripped) cannot tell Hindi from Marathi and whatlang's
    /// trigrams, which keep them, do better.
    pub(super) fn is_devanagari(self) -> bool {
        self == Script::Block(0x900 >> 7)
    }
}

/// Whether most of the text's letters are Devanagari.
pub(super) fn devanagari_main(text: &str) -> bool {
    main_script(text).is_devanagari()
}

/// For text whose main script is `main`: when that is Han (with or
/// without kana), whether the text has any kana. `None` for other scripts.
pub(super) fn han_has_kana(text: &str, main: Script) -> Option<bool> {
    (main == Script::Cjk).then(|| {
        text.chars().any(|c| {
            ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{FF66}'..='\u{FF9D}').contains(&c)
        })
    })
}
