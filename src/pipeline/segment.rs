//! Text segmentation shared by the pipeline stages: sentences and words.
//!
//! Sentence splitting is rule-based and language-agnostic: every line is a
//! block of its own, and inside a block a sentence ends at terminal
//! punctuation unless the context says the period belongs to an
//! abbreviation, an initial or a number. Everything runs in linear time so
//! that multi-megabyte inputs stay cheap.

use std::ops::Range;

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
    let mut block_start = 0;
    for (pos, c) in text.char_indices() {
        if is_line_break(c) {
            split_block(text, block_start, pos, &mut out);
            block_start = pos + c.len_utf8();
        }
    }
    split_block(text, block_start, text.len(), &mut out);
    out
}

/// Word tokens of `text`: runs of letters and digits along Unicode word
/// boundaries (UAX #29). CJK ideographs come out one per token.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_words()
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

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
    let mut seg_start = 0;
    let mut prev: Option<char> = None;
    let mut chars = block.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if is_weak_terminal(c) || is_strong_terminal(c) {
            // Take the whole run of terminators and closers: `?!`, `...`, `."`, `。」`.
            let mut run_end = pos + c.len_utf8();
            let mut strong = is_strong_terminal(c);
            let mut periods = usize::from(c == '.');
            let mut others = usize::from(c != '.');
            while let Some(&(p, d)) = chars.peek() {
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
                run_end = p + d.len_utf8();
                prev = Some(d);
                chars.next();
            }
            // French spacing puts a (narrow) space before a closing guillemet:
            // "« Non. » Puis" ends after the guillemet.
            if let Some(rest) = block.get(run_end..) {
                let spaced = rest.trim_start();
                if spaced.len() < rest.len() && spaced.starts_with(['»', '›']) {
                    let target = run_end + (rest.len() - spaced.len());
                    while let Some(&(p, d)) = chars.peek() {
                        if p > target {
                            break;
                        }
                        run_end = p + d.len_utf8();
                        prev = Some(d);
                        chars.next();
                    }
                }
            }
            let single_period = periods == 1 && others == 0;
            if strong || ends_sentence(block, pos, run_end, single_period) {
                push_trimmed(block, start, seg_start..run_end, out);
                seg_start = run_end;
            }
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
    let lower = token.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
        || (next.is_numeric() && NUMBER_ABBREVIATIONS.contains(&lower.as_str()))
}

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
    fn words_are_alphanumeric_runs() {
        let w: Vec<_> = words("L'été 2024, c'est «super»! 東京").collect();
        assert_eq!(w, ["L'été", "2024", "c'est", "super", "東", "京"]);
    }
}
