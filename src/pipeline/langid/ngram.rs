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

/// Log-probability charged for an n-gram a language's table lacks.
const FLOOR: f32 = -11.0;

/// Bits of the hash used to bucket the sorted keys.
const INDEX_BITS: u32 = 18;

/// Longest n-gram the table holds.
const MAX_ORDER: usize = 5;

/// Longest word (in chars) scored; longer runs are cut into pieces.
const MAX_WORD: usize = 64;

/// The parsed view of the embedded table.
#[derive(Debug)]
pub(super) struct Model {
    /// Modelled languages, by index.
    pub(super) languages: Vec<Language>,
    keys: &'static [u8],
    /// `index[b]` is the first key whose top [`INDEX_BITS`] bits are `>= b`,
    /// so a lookup scans a handful of keys instead of binary-searching all.
    index: Vec<u32>,
    offsets: &'static [u8],
    entries: &'static [u8],
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
        let mut index = Vec::with_capacity((1 << INDEX_BITS) + 1);
        for i in 0..n_keys {
            let bucket = (read_u32(keys, 4 * i)? >> (32 - INDEX_BITS)) as usize;
            while index.len() <= bucket {
                index.push(i as u32);
            }
        }
        while index.len() <= 1 << INDEX_BITS {
            index.push(n_keys as u32);
        }
        Some(Model {
            languages,
            keys,
            index,
            offsets,
            entries,
        })
    }

    fn lookup(&self, hash: u32) -> &'static [u8] {
        let bucket = (hash >> (32 - INDEX_BITS)) as usize;
        let (Some(&lo), Some(&hi)) = (self.index.get(bucket), self.index.get(bucket + 1)) else {
            return &[];
        };
        for i in lo as usize..hi as usize {
            let key = read_u32(self.keys, 4 * i).unwrap_or(u32::MAX);
            if key == hash {
                let start = read_u32(self.offsets, 4 * i).unwrap_or(0) as usize;
                let end = read_u32(self.offsets, 4 * i + 4).unwrap_or(0) as usize;
                return self.entries.get(2 * start..2 * end).unwrap_or(&[]);
            }
            if key > hash {
                break;
            }
        }
        &[]
    }

    /// Sums the n-gram log-probabilities of `text`'s words for every
    /// language into `scores` (indexed like [`Model::languages`]) and
    /// returns how many n-grams were scored and how many matched any
    /// language. Only words in the text's main script are scored, so that
    /// Latin-script boilerplate does not outvote a Devanagari sentence.
    pub(super) fn score(&self, text: &str, scores: &mut [f32]) -> (usize, usize) {
        let main = main_script(text);
        let mut word: Vec<char> = Vec::with_capacity(MAX_WORD);
        let mut word_script = Script::Latin;
        let mut counted = 0;
        let mut matched = 0;
        let mut flush = |word: &mut Vec<char>, keep: bool, scores: &mut [f32]| {
            if keep {
                let (c, m) = self.score_word(word, scores);
                counted += c;
                matched += m;
            }
            word.clear();
        };
        for ch in text.chars() {
            if ch.is_alphabetic() && !is_mark(ch) {
                if word.is_empty() {
                    word_script = script_of(ch);
                }
                for low in ch.to_lowercase() {
                    word.push(low);
                }
                if word.len() >= MAX_WORD {
                    flush(&mut word, word_script == main, scores);
                }
            } else if !word.is_empty() {
                flush(&mut word, word_script == main, scores);
            }
        }
        if !word.is_empty() {
            flush(&mut word, word_script == main, scores);
        }
        (counted, matched)
    }

    fn score_word(&self, word: &[char], scores: &mut [f32]) -> (usize, usize) {
        let mut counted = 0;
        let mut matched = 0;
        let mut buf = [0u8; 4];
        let fl = FLOOR;
        for start in 0..word.len() {
            let mut hash: u32 = 0x811c_9dc5;
            for &ch in word[start..].iter().take(MAX_ORDER) {
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
                for pair in hits.chunks_exact(2) {
                    if let Some(s) = scores.get_mut(usize::from(pair[0])) {
                        *s += -f32::from(pair[1]) * STEP - fl;
                    }
                }
            }
        }
        (counted, matched)
    }
}

/// Coarse writing-system classes for routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    /// Han, kana and their punctuation-free neighbours.
    Cjk,
    Hangul,
    /// Any other script, by 128-code-point block (Cyrillic spans two).
    Block(u32),
}

fn script_of(ch: char) -> Script {
    let cp = u32::from(ch);
    match cp {
        0..=0x24F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Script::Latin,
        0x400..=0x52F => Script::Block(0x400),
        0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Block(0x600),
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Cjk,
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
fn main_script(text: &str) -> Script {
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

/// Whether most of the text's letters are Devanagari, where lingua's
/// letter-only models (vowel signs stripped) cannot tell Hindi from Marathi
/// and whatlang's trigrams, which keep them, do better.
pub(super) fn devanagari_main(text: &str) -> bool {
    main_script(text) == Script::Block(0x900 >> 7)
}
