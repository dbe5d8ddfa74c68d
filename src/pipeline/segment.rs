//! Text segmentation shared by the pipeline stages: sentences and words.
//!
//! Sentence splitting is rule-based and language-agnostic: every line is a
//! block of its own, and inside a block a sentence ends at terminal
//! punctuation unless the context says the period belongs to an
//! abbreviation, an initial or a number. Everything runs in linear time so
//! that multi-megabyte inputs stay cheap.

use std::ops::Range;
use std::sync::LazyLock;

use unicode_segmentation::UnicodeSegmentation;

/// Longest token (in chars) checked against the abbreviation lists; longer
/// tokens are never abbreviations, and the bound keeps look-behind O(1).
const MAX_ABBREVIATION_CHARS: usize = 12;

/// Abbreviations that do not end a sentence even before a capitalised word
/// (titles, honorifics, company suffixes...), lower-cased, without the dot.
const ABBREVIATIONS: &[&str] = &[
    // English titles and common short forms.
    "mr", "mrs", "ms", "messrs", "dr", "prof", "st", "sr", "jr", "mt", "ft", "gen", "gov", "sen",
    "rep", "rev", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "hon", "pres", "supt", "insp",
    "det", "cpl", "pte", "vs", "approx", "dept", "inc", "ltd", "co", "corp", "bros", "ave", "blvd",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "cf",
    // French.
    "mme", "mmes", "mlle", "mlles", "mgr", "pr", "dr", "ste", // German.
    "hr", "hrn", "bzw", "ggf", "vgl", "ca", "evtl", "inkl", "sog", "str",
    // Spanish, Portuguese, Italian.
    "sra", "sras", "sres", "srta", "ud", "uds", "dra", "av", "avda", "sig", "sigg", "dott",
    // Vietnamese (TP. = city, TS./ThS./PGS./GS. = academic titles).
    "tp", "ts", "ths", "pgs", "gs", "bs", "ks", "ls",
];

/// Abbreviations that only hold before a number ("No. 5", "p. 12"): before a
/// capitalised word they are more often a sentence end ("He said no.").
const NUMBER_ABBREVIATIONS: &[&str] = &[
    "no", "nos", "nr", "p", "pp", "fig", "figs", "vol", "vols", "art", "ch", "sec", "n", "q",
];

/// Byte ranges of the sentences of `text`, in order.
///
/// Ranges are non-overlapping, trimmed of surrounding whitespace, never
/// empty and always on char boundaries. Every line break ends a sentence:
/// paragraphs and plain-text blocks never share one.
pub(crate) fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut block_start = 0;
    let mut i = 0;
    // Bytes, not chars: the line breaks' UTF-8 forms cannot occur inside
    // other characters, and most bytes need one comparison.
    loop {
        i = skip_bytes(bytes, i, |x| has_less(x, 0x0E) | x);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let len = match b {
            b'\n' | b'\r' | 0x0B | 0x0C => 1,
            // U+0085
            0xC2 if bytes.get(i + 1) == Some(&0x85) => 2,
            // U+2028, U+2029
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                3
            }
            _ => {
                i += 1;
                continue;
            }
        };
        split_block(text, block_start, i, &mut out);
        i += len;
        block_start = i;
    }
    split_block(text, block_start, text.len(), &mut out);
    out
}

/// A byte of ones in every lane of a `u64`.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// The high bit of every lane.
const HIGHS: u64 = ONES * 0x80;

/// High bit set in the lanes where a byte of `x` is zero (at least in the
/// lowest such lane: exact as a yes/no test).
fn has_zero(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x
}

/// High bit set where a byte of `x` is below `n` (`n` <= 128; exact as a
/// yes/no test).
fn has_less(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x
}

/// From `i`, skips eight bytes at a time while `hit` sets no high bit,
/// returning where byte-wise checks must resume (`hit` may report
/// false positives, never miss a byte of interest).
fn skip_bytes(bytes: &[u8], mut i: usize, hit: impl Fn(u64) -> u64) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if hit(u64::from_ne_bytes(word)) & HIGHS != 0 {
            break;
        }
        i += 8;
    }
    i
}

/// Word tokens of `text`: runs of letters and digits along Unicode word
/// boundaries (UAX #29). CJK ideographs come out one per token.
///
/// Same tokens as `unicode_words`, faster: no rule of UAX #29 joins across
/// an ASCII space, so the text is cut into space-delimited chunks; ASCII
/// chunks (most of Latin-script text) take a byte-level scanner with the
/// ASCII rules of `unicode-segmentation`, the others its full algorithm.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    Words {
        text,
        pos: 0,
        unicode: None,
        // An ASCII text (most sentences) needs no check per chunk.
        ascii_until: if text.is_ascii() { text.len() } else { 0 },
    }
}

/// Iterator of [`words`].
struct Words<'a> {
    text: &'a str,
    /// Where scanning resumes in `text`.
    pos: usize,
    /// Tokens left of the non-ASCII chunk being read.
    unicode: Option<unicode_segmentation::UnicodeWords<'a>>,
    /// End of the last chunk found to be pure ASCII: each chunk is checked
    /// once, however many tokens it holds.
    ascii_until: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if let Some(w) = self.unicode.as_mut().and_then(Iterator::next) {
            return Some(w);
        }
        self.unicode = None;
        let bytes = self.text.as_bytes();
        loop {
            // Skip to the next letter, digit or non-ASCII byte.
            let mut i = self.pos;
            while bytes
                .get(i)
                .is_some_and(|&b| WORD_CLASS[usize::from(b)] == OTHER)
            {
                i += 1;
            }
            let &first = bytes.get(i)?;
            if first >= 0x80 || (i >= self.ascii_until && !self.chunk_is_ascii(i)) {
                // Non-ASCII chunk: the full algorithm, from the ASCII
                // character before it (a combining mark would attach to
                // it), or the run of spaces before it (spaces join).
                let mut from = i;
                if from > self.pos && bytes.get(from - 1) == Some(&b' ') {
                    while from > self.pos && bytes.get(from - 1) == Some(&b' ') {
                        from -= 1;
                    }
                } else if from > self.pos {
                    from -= 1;
                }
                let to = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == b' '))
                    .map_or(bytes.len(), |n| i + n);
                self.pos = to;
                let mut it = self.text.get(from..to).unwrap_or("").unicode_words();
                if let Some(w) = it.next() {
                    self.unicode = Some(it);
                    return Some(w);
                }
                continue;
            }
            // A core run: letters, digits and `_`, joined by `.`, `,`, `;`,
            // `'` between digits or `.`, `:`, `'` between letters.
            let start = i;
            i += 1;
            while let Some(&b) = bytes.get(i) {
                let joined = matches!(WORD_CLASS[usize::from(b)], ALNUM | UNDERSCORE)
                    || match (bytes.get(i - 1), bytes.get(i + 1)) {
                        (Some(&p), Some(&n)) => {
                            (matches!(b, b'.' | b',' | b';' | b'\'')
                                && p.is_ascii_digit()
                                && n.is_ascii_digit())
                                || (matches!(b, b'\'' | b'.' | b':')
                                    && p.is_ascii_alphabetic()
                                    && n.is_ascii_alphabetic())
                        }
                        _ => false,
                    };
                if !joined {
                    break;
                }
                i += 1;
            }
            self.pos = i;
            let word = self.text.get(start..i).unwrap_or("");
            // A run of underscores alone is not a word.
            if first != b'_' || word.bytes().any(|b| b.is_ascii_alphanumeric()) {
                return Some(word);
            }
        }
    }
}

impl Words<'_> {
    /// Whether the space-delimited chunk from `i` on is pure ASCII (what
    /// precedes `i` in it was skipped as ASCII); if so, remembers its end.
    fn chunk_is_ascii(&mut self, i: usize) -> bool {
        let rest = self.text.as_bytes().get(i..).unwrap_or(&[]);
        let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        let ascii = rest.get(..end).is_some_and(<[u8]>::is_ascii);
        if ascii {
            self.ascii_until = i + end;
        }
        ascii
    }
}

/// Classes of [`WORD_CLASS`]: letters and digits, and `_`, make word
/// tokens (ASCII).
const OTHER: u8 = 0;
const ALNUM: u8 = 1;
const UNDERSCORE: u8 = 2;
const NON_ASCII: u8 = 3;

/// Byte classes for the word scanner: one load instead of range tests.
static WORD_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            NON_ASCII
        } else if c.is_ascii_alphanumeric() {
            ALNUM
        } else if c == b'_' {
            UNDERSCORE
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// Terminators that only end a sentence when the context agrees.
fn is_weak_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‼' | '⁇' | '⁈' | '⁉' | '؟')
}

/// Terminators of scripts that write no space after them (CJK) or whose
/// only use is ending a sentence (danda): always a boundary.
fn is_strong_terminal(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '｡'
            | '।'
            | '॥'
            | '۔'
            | '።'
            | '။'
            | '។'
            | '︒'
            | '﹒'
            | '﹖'
            | '﹗'
    )
}

/// Closing quotes and brackets that stay with the sentence they close.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '＂'
            | '］'
    )
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Splits `text[start..end]`, a block without line breaks, into sentences.
fn split_block(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    let Some(block) = text.get(start..end) else {
        return;
    };
    let bytes = block.as_bytes();
    let char_at = |i: usize| block.get(i..).and_then(|rest| rest.chars().next());
    let mut seg_start = 0;
    // The last character read, except that the terminator opening a run is
    // not recorded (as in the char-by-char version the rules were tuned on).
    let mut prev: Option<char> = None;
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        // Fast path: ASCII other than terminators decides nothing, except
        // whitespace right after Thai (below).
        if b < 0x80
            && !matches!(b, b'.' | b'!' | b'?')
            && !((b as char).is_whitespace() && prev.is_some_and(is_thai))
        {
            let mut run = pos + 1;
            loop {
                run = skip_bytes(bytes, run, |x| {
                    has_zero(x ^ (ONES * u64::from(b'.')))
                        | has_zero(x ^ (ONES * u64::from(b'!')))
                        | has_zero(x ^ (ONES * u64::from(b'?')))
                        | x
                });
                match bytes.get(run) {
                    Some(&d) if d < 0x80 && !matches!(d, b'.' | b'!' | b'?') => run += 1,
                    _ => break,
                }
            }
            prev = bytes.get(run - 1).map(|&d| d as char);
            pos = run;
            continue;
        }
        let Some(c) = char_at(pos) else {
            break;
        };
        if is_weak_terminal(c) || is_strong_terminal(c) {
            // Take the whole run of terminators and closers: `?!`, `...`, `."`, `。」`.
            let mut run_end = pos + c.len_utf8();
            let mut strong = is_strong_terminal(c);
            let mut periods = usize::from(c == '.');
            let mut others = usize::from(c != '.');
            while let Some(d) = char_at(run_end) {
                if is_weak_terminal(d) || is_strong_terminal(d) {
                    strong |= is_strong_terminal(d);
                    if d == '.' {
                        periods += 1;
                    } else {
                        others += 1;
                    }
                } else if !is_closer(d) {
                    break;
                }
                run_end += d.len_utf8();
                prev = Some(d);
            }
            // French spacing puts a (narrow) space before a closing guillemet:
            // "« Non. » Puis" ends after the guillemet.
            if let Some(rest) = block.get(run_end..) {
                let spaced = rest.trim_start();
                if spaced.len() < rest.len() && spaced.starts_with(['»', '›']) {
                    let target = run_end + (rest.len() - spaced.len());
                    while run_end <= target {
                        let Some(d) = char_at(run_end) else {
                            break;
                        };
                        run_end += d.len_utf8();
                        prev = Some(d);
                    }
                }
            }
            let single_period = periods == 1 && others == 0;
            if strong || ends_sentence(block, pos, run_end, single_period) {
                push_trimmed(block, start, seg_start..run_end, out);
                seg_start = run_end;
            }
            pos = run_end;
            continue;
        }
        // Thai writes no sentence punctuation; a space between Thai letters
        // is the closest thing to a boundary. Only the first space of a run
        // looks ahead, so long whitespace runs stay linear.
        if c.is_whitespace()
            && prev.is_some_and(is_thai)
            && block
                .get(pos..)
                .and_then(|rest| rest.chars().find(|d| !d.is_whitespace()))
                .is_some_and(is_thai)
        {
            push_trimmed(block, start, seg_start..pos, out);
            seg_start = pos;
        }
        prev = Some(c);
        pos += c.len_utf8();
    }
    push_trimmed(block, start, seg_start..block.len(), out);
}

/// Appends `block[range]` (the block starting at `block_start` in the
/// text) without its surrounding whitespace, unless nothing is left.
fn push_trimmed(block: &str, block_start: usize, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let Some(piece) = block.get(range.clone()) else {
        return;
    };
    let trimmed = piece.trim_start();
    let lead = piece.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        let from = block_start + range.start + lead;
        out.push(from..from + trimmed.len());
    }
}

/// Whether the terminator run `block[pos..run_end]` ends a sentence.
fn ends_sentence(block: &str, pos: usize, run_end: usize, single_period: bool) -> bool {
    let after = block.get(run_end..).unwrap_or("");
    let mut rest = after.chars();
    let Some(first) = rest.next() else {
        return true;
    };
    let token = token_before(block, pos);
    if first.is_whitespace() {
        let Some(next) = after.chars().find(|d| !d.is_whitespace()) else {
            return true;
        };
        // A lower-case continuation means the period was not final ("e.g. the").
        if next.is_lowercase() {
            return false;
        }
        let ordinal_date = token.len() <= 2
            && token.chars().all(|c| c.is_ascii_digit())
            && after.split_whitespace().next().is_some_and(is_month);
        return !(single_period
            && (is_abbreviation(token, next) || is_initial(token) || ordinal_date));
    }
    // Glued text ("PACA".Le, "said.The"): split only before what looks like
    // a capitalised word, after a lower-case word or a closing quote, so that
    // "U.S.A", "3.5", "example.com" and "Mr.Smith" stay whole.
    let glued_word = first.is_uppercase() && rest.next().is_some_and(char::is_lowercase);
    let before = block.get(..pos).and_then(|s| s.chars().next_back());
    let after_word = before.is_some_and(|b| b.is_lowercase() || is_closer(b));
    glued_word && after_word && !(single_period && is_abbreviation(token, first))
}

/// The token right before byte `pos`, up to [`MAX_ABBREVIATION_CHARS`]
/// chars; empty when longer, so that look-behind stays bounded.
fn token_before(block: &str, pos: usize) -> &str {
    let Some(head) = block.get(..pos) else {
        return "";
    };
    let mut start = pos;
    for (count, (i, c)) in head.char_indices().rev().enumerate() {
        if c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\'' | '“' | '‘' | '«') {
            break;
        }
        if count >= MAX_ABBREVIATION_CHARS {
            return "";
        }
        start = i;
    }
    head.get(start..).unwrap_or("")
}

/// Whether `token` followed by a period and then `next` is an abbreviation.
fn is_abbreviation(token: &str, next: char) -> bool {
    if token.is_empty() {
        return false;
    }
    // "e.g", "i.e", "U.S", "z.B", "a.m": dotted forms of one or two letters.
    if token.contains('.')
        && token.split('.').all(|part| {
            (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        })
    {
        return true;
    }
    // The lists are short ASCII words: an ASCII token is lower-cased on the
    // stack, and only if it is short enough to be one of them.
    let mut buf = [0u8; MAX_LISTED];
    let lower_ascii;
    let lower_string;
    let lower: &str = if token.is_ascii() {
        let Some(slot) = buf.get_mut(..token.len()) else {
            return false;
        };
        slot.copy_from_slice(token.as_bytes());
        slot.make_ascii_lowercase();
        lower_ascii = std::str::from_utf8(slot).unwrap_or("");
        lower_ascii
    } else {
        lower_string = token.to_lowercase();
        &lower_string
    };
    // Sorted once: a binary search instead of a hundred comparisons.
    static SORTED: LazyLock<[Vec<&str>; 2]> = LazyLock::new(|| {
        [ABBREVIATIONS, NUMBER_ABBREVIATIONS].map(|list| {
            let mut v = list.to_vec();
            v.sort_unstable();
            v
        })
    });
    let [titles, before_numbers] = &*SORTED;
    titles.binary_search(&lower).is_ok()
        || (next.is_numeric() && before_numbers.binary_search(&lower).is_ok())
}

/// Bytes of the longest entry of the abbreviation lists.
const MAX_LISTED: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < ABBREVIATIONS.len() {
        if ABBREVIATIONS[i].len() > max {
            max = ABBREVIATIONS[i].len();
        }
        i += 1;
    }
    let mut i = 0;
    while i < NUMBER_ABBREVIATIONS.len() {
        if NUMBER_ABBREVIATIONS[i].len() > max {
            max = NUMBER_ABBREVIATIONS[i].len();
        }
        i += 1;
    }
    max
};

/// German (and Danish, Norwegian...) write dates with ordinal periods:
/// "am 3. Oktober" does not end a sentence.
fn is_month(word: &str) -> bool {
    const MONTHS: &[&str] = &[
        "januar",
        "jänner",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
        "marts",
        "maj",
        "oktober",
        "desember",
        "december",
    ];
    let word = word.trim_end_matches(|c: char| !c.is_alphabetic());
    word.chars().count() <= 9 && MONTHS.contains(&word.to_lowercase().as_str())
}

/// A lone capital letter before a period is an initial ("J. R. R. Tolkien").
fn is_initial(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let ranges = sentences(text);
        for r in &ranges {
            assert!(r.start < r.end, "empty range {r:?}");
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let s = &text[r.clone()];
            assert_eq!(s, s.trim(), "untrimmed {s:?}");
        }
        for w in ranges.windows(2) {
            assert!(w[0].end <= w[1].start, "overlap {w:?}");
        }
        ranges.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn basic_english() {
        assert_eq!(
            split("The cat sat. The dog ran! Did it? Yes."),
            ["The cat sat.", "The dog ran!", "Did it?", "Yes."]
        );
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones on St. Mark's day. J. R. R. Tolkien wrote it."),
            [
                "Mr. Smith met Dr. Jones on St. Mark's day.",
                "J. R. R. Tolkien wrote it."
            ]
        );
        assert_eq!(
            split("Use tools, e.g. hammers, i.e. heavy ones. The U.S. Army agreed."),
            [
                "Use tools, e.g. hammers, i.e. heavy ones.",
                "The U.S. Army agreed."
            ]
        );
        assert_eq!(
            split("See No. 5 here. He said no. Then left."),
            ["See No. 5 here.", "He said no.", "Then left."]
        );
    }

    #[test]
    fn every_listed_abbreviation_holds() {
        for a in ABBREVIATIONS {
            let text = format!("Ask {a}. Smith now. Then {}. Jones too.", a.to_uppercase());
            assert_eq!(split(&text).len(), 2, "{text}");
        }
        for a in NUMBER_ABBREVIATIONS {
            let text = format!("See {a}. 5 here. Not {a}. Here.");
            assert_eq!(split(&text).len(), 3, "{text}");
        }
    }

    #[test]
    fn numbers_and_ellipses() {
        assert_eq!(
            split("It grew 3.5 percent to 1.000,50 euros. Wait... What? Well... maybe not."),
            [
                "It grew 3.5 percent to 1.000,50 euros.",
                "Wait...",
                "What?",
                "Well... maybe not."
            ]
        );
        assert_eq!(
            split("Hmm… Yes. Really?! Okay."),
            ["Hmm…", "Yes.", "Really?!", "Okay."]
        );
    }

    #[test]
    fn closing_quotes_and_brackets() {
        assert_eq!(
            split("He said \"stop.\" She left. (It rained.) Then \u{201c}why?\u{201d} Done."),
            [
                "He said \"stop.\"",
                "She left.",
                "(It rained.)",
                "Then \u{201c}why?\u{201d}",
                "Done."
            ]
        );
    }

    #[test]
    fn glued_sentences() {
        assert_eq!(
            split("non plus l'acronyme \"PACA\".Le président a parlé. Voir maregionsud.fr aussi."),
            [
                "non plus l'acronyme \"PACA\".",
                "Le président a parlé.",
                "Voir maregionsud.fr aussi."
            ]
        );
        assert_eq!(
            split("He works in the U.S.A and Mr.Smith too."),
            ["He works in the U.S.A and Mr.Smith too."]
        );
    }

    #[test]
    fn blocks_and_paragraphs() {
        assert_eq!(
            split("Headline without stop\nFirst line. Second line\n\n  Next paragraph.  \r\nLast"),
            [
                "Headline without stop",
                "First line.",
                "Second line",
                "Next paragraph.",
                "Last"
            ]
        );
    }

    #[test]
    fn cjk_hindi_thai_vietnamese() {
        assert_eq!(
            split("今天天气很好。我们去公园吧！你来吗？"),
            ["今天天气很好。", "我们去公园吧！", "你来吗？"]
        );
        assert_eq!(
            split("「行こう。」と彼は言った。"),
            ["「行こう。」", "と彼は言った。"]
        );
        assert_eq!(
            split("यह एक वाक्य है। यह दूसरा है।"),
            ["यह एक वाक्य है।", "यह दूसरा है।"]
        );
        assert_eq!(split("วันนี้อากาศดี เราไปเที่ยวกัน"), ["วันนี้อากาศดี", "เราไปเที่ยวกัน"]);
        assert_eq!(
            split("Ông Nam sống ở TP. Hồ Chí Minh. Ông có 2 con."),
            ["Ông Nam sống ở TP. Hồ Chí Minh.", "Ông có 2 con."]
        );
    }

    #[test]
    fn french_spanish_german_punctuation() {
        assert_eq!(
            split("Il a dit : « Non. » Puis il est parti. M. Dupont est d'accord."),
            [
                "Il a dit : « Non. »",
                "Puis il est parti.",
                "M. Dupont est d'accord."
            ]
        );
        assert_eq!(
            split("¿Vienes mañana? ¡Claro que sí! La Sra. García llega a las 3.30 h."),
            [
                "¿Vienes mañana?",
                "¡Claro que sí!",
                "La Sra. García llega a las 3.30 h."
            ]
        );
        assert_eq!(
            split("Das kostet ca. 3,50 Euro, vgl. Tabelle 2. Am 3. Oktober ist Feiertag."),
            [
                "Das kostet ca. 3,50 Euro, vgl. Tabelle 2.",
                "Am 3. Oktober ist Feiertag."
            ]
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(split("").is_empty());
        assert!(split(" \n\t\r\n ").is_empty());
        assert_eq!(split("...!!!"), ["...!!!"]);
        assert_eq!(split("🙂🙂 . 🙂"), ["🙂🙂 .", "🙂"]);
        assert_eq!(split("a\u{0}b. C\u{7}"), ["a\u{0}b.", "C\u{7}"]);
        let long = "x".repeat(100_000) + ". " + &"A.".repeat(50_000) + &" ".repeat(10_000);
        assert_eq!(split(&long).len(), 2);
    }

    #[test]
    fn line_breaks_of_every_kind() {
        assert_eq!(
            split("One\u{85}Two\u{2028}Three\u{2029}Four\u{b}Five\u{c}Six\r\nSeven"),
            ["One", "Two", "Three", "Four", "Five", "Six", "Seven"]
        );
        // Bytes of the line-break forms inside other characters do not split.
        assert_eq!(
            split("Aé\u{2027}\u{202a}b ¥ c"),
            ["Aé\u{2027}\u{202a}b ¥ c"]
        );
    }

    #[test]
    fn terminators_anywhere_in_long_runs() {
        // The byte scanner skips eight bytes at a time: put the terminator at
        // every offset of a long run.
        for pad in 0..20 {
            let text = format!(
                "{}x end{}. Next one here.",
                "a".repeat(pad),
                "b".repeat(pad)
            );
            let head = format!("{}x end{}.", "a".repeat(pad), "b".repeat(pad));
            assert_eq!(split(&text), [head.as_str(), "Next one here."], "{pad}");
        }
        // Thai after a skipped ASCII run still splits at its spaces.
        assert_eq!(
            split("Report 2024 อากาศดี เราไปกัน"),
            ["Report 2024 อากาศดี", "เราไปกัน"]
        );
    }

    #[test]
    fn skip_bytes_never_misses() {
        for len in 0..40 {
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b'.';
                let hit = |x: u64| has_zero(x ^ (ONES * u64::from(b'.')));
                assert!(skip_bytes(&bytes, 0, hit) <= at, "{len} {at}");
                bytes[at] = b'\n';
                assert!(skip_bytes(&bytes, 0, |x| has_less(x, 0x0E) | x) <= at);
                bytes[at] = 0xC3;
                assert!(skip_bytes(&bytes, 0, |x| has_less(x, 0x0E) | x) <= at);
            }
            let plain = vec![b'a'; len];
            assert_eq!(
                skip_bytes(&plain, 0, |x| has_less(x, 0x0E) | x),
                len - len % 8
            );
        }
    }

    #[test]
    fn words_match_unicode_words() {
        // Differential check of the fast paths against the full algorithm on
        // generated mixes of the characters the rules treat specially.
        const PIECES: &[&str] = &[
            "a", "Z", "q", "7", "0", "_", ".", ",", ";", ":", "'", "\"", " ", "  ", "-", "(", "\t",
            "é", "’", "‘", "\u{301}", "\u{345}", "\u{200d}", "\u{ad}", "東", "カ", "\u{a0}", "🙂",
            "🇫", "א", "£", "…", "\u{5f4}", "ß", "1", "x",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 14) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let fast: Vec<&str> = words(&text).collect();
            let full: Vec<&str> = text.unicode_words().collect();
            assert_eq!(fast, full, "{text:?}");
            // Same slices, not only equal strings.
            let at = |v: &[&str]| v.iter().map(|w| w.as_ptr() as usize).collect::<Vec<_>>();
            assert_eq!(at(&fast), at(&full), "{text:?}");
        }
        for text in [
            "It's 3.5 km, e.g. 1,000 m; a:b don't 1'000 x_y __ _a 4.",
            "L’été “quoted” text—dash don’t l'été  \u{301}é a.é 1.é",
        ] {
            let fast: Vec<&str> = words(text).collect();
            let full: Vec<&str> = text.unicode_words().collect();
            assert_eq!(fast, full, "{text:?}");
        }
    }

    #[test]
    fn words_stay_linear_without_spaces() {
        // One huge chunk of tokens: each chunk is checked for ASCII once.
        let text = "ab,".repeat(400_000);
        assert_eq!(words(&text).count(), 400_000);
        let text = "ab,".repeat(100_000) + "é";
        assert_eq!(words(&text).count(), 100_001);
    }

    #[test]
    fn words_are_alphanumeric_runs() {
        let w: Vec<_> = words("L'été 2024, c'est «super»! 東京").collect();
        assert_eq!(w, ["L'été", "2024", "c'est", "super", "東", "京"]);
    }
}
