//! Repair of pages whose UTF-8 bytes were decoded as Latin-1 or
//! Windows-1252 before they reached us ("Ã©" for "é"). Only attempted when
//! the page declares UTF-8 and shows the tell-tale pairs, and only applied
//! when re-encoding gives valid UTF-8, so correct pages are never touched.

/// How far into the page a charset declaration is looked for.
const DECL_REACH: usize = 1 << 14;

/// How many mis-decoded sequences a page must hold per non-ASCII char that
/// is not one, for it to be repaired. Templates often mix the two (a
/// correctly encoded widget on a mis-decoded page); a correct page that
/// merely quotes an "Ã©" has more real accents than mojibake and is left
/// alone.
const REPAIRED_PER_KEPT: usize = 4;

/// The repaired page, or `None` when it needs (or allows) no repair.
pub(super) fn repair(html: &str) -> Option<String> {
    // The byte scan is the cheaper test on the many pages without mojibake.
    if !has_mojibake(html) || !declares_utf8(html) {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let (mut repaired, mut kept) = (0usize, 0usize);
    let mut chars = html.chars();
    while let Some(c) = chars.next() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        // The bytes the sequence would have had: a lead byte read as `c`,
        // then as many continuation bytes as the lead announces.
        let (lead, len) = match single_byte(c) {
            Some(b @ 0xC2..=0xDF) => (b, 2),
            Some(b @ 0xE0..=0xEF) => (b, 3),
            Some(b @ 0xF0..=0xF4) => (b, 4),
            _ => (0, 0),
        };
        let mut buf = [lead, 0, 0, 0];
        let mut got = 1;
        let mut ahead = chars.clone();
        while got < len {
            match ahead.next().and_then(single_byte) {
                Some(b @ 0x80..=0xBF) => {
                    if let Some(slot) = buf.get_mut(got) {
                        *slot = b;
                    }
                    got += 1;
                }
                _ => break,
            }
        }
        let decoded = (len > 0 && got == len)
            .then(|| std::str::from_utf8(buf.get(..len).unwrap_or_default()).ok())
            .flatten();
        if let Some(fixed) = decoded {
            out.push_str(fixed);
            repaired += 1;
            // `ahead` stands just past the sequence's last byte.
            chars = ahead;
        } else {
            out.push(c);
            kept += 1;
        }
    }
    (repaired > 0 && kept.saturating_mul(REPAIRED_PER_KEPT) <= repaired).then_some(out)
}

/// The Windows-1252 (or, failing that, Latin-1) byte a decoder turned into `c`.
fn single_byte(c: char) -> Option<u8> {
    if let Ok(b) = u8::try_from(u32::from(c)) {
        return Some(b);
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// Whether the start of the page holds `charset=utf-8` (any case, quoted or not).
fn declares_utf8(html: &str) -> bool {
    let head = crate::pipeline::prefix(html, DECL_REACH).as_bytes();
    let needle = b"charset";
    let mut i = 0;
    while let Some(rest) = head.get(i..) {
        let Some(pos) = rest
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
        else {
            return false;
        };
        let after = rest.get(pos + needle.len()..).unwrap_or_default();
        let value: Vec<u8> = after
            .iter()
            .copied()
            .skip_while(|b| matches!(b, b' ' | b'=' | b'"' | b'\'' | b'\t'))
            .take(5)
            .map(|b| b.to_ascii_lowercase())
            .collect();
        if value.starts_with(b"utf-8") || value.starts_with(b"utf8") {
            return true;
        }
        i += pos + needle.len();
    }
    false
}

/// Whether a UTF-8 lead byte read as one char ("Ã", "Â", "â"...) is followed
/// by a continuation byte read as one char: the mark of mis-decoded UTF-8.
/// Scans bytes: those lead chars are encoded C3 82..=C3 B4.
fn has_mojibake(html: &str) -> bool {
    let b = html.as_bytes();
    // Whole chunks are tested branch-free (vectorised), then the rare chunk
    // holding a 0xC3 byte is looked at closely.
    const LANES: usize = 32;
    let mut base = 0;
    for chunk in b.chunks(LANES) {
        if chunk.iter().fold(false, |acc, &x| acc | (x == 0xC3)) {
            for (k, &x) in chunk.iter().enumerate() {
                if x == 0xC3 && pair_at(html, base + k) {
                    return true;
                }
            }
        }
        base += chunk.len();
    }
    false
}

/// Whether the 0xC3 byte at `at` starts a mis-decoded lead + continuation pair.
fn pair_at(html: &str, at: usize) -> bool {
    let b = html.as_bytes();
    if !b.get(at + 1).is_some_and(|x| (0x82..=0xB4).contains(x)) {
        return false;
    }
    let next = html.get(at + 2..).and_then(|s| s.chars().next());
    next.and_then(single_byte)
        .is_some_and(|x| (0x80..=0xBF).contains(&x))
}

/// Decodes UTF-8 bytes the wrong way, as a careless client would.
#[cfg(test)]
pub(super) fn mis_decode(s: &str) -> String {
    const CP1252: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    s.bytes()
        .map(|b| {
            CP1252
                .chars()
                .find(|&c| single_byte(c) == Some(b))
                .unwrap_or(char::from(b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_declared_utf8() {
        let good = "<meta charset=\"UTF-8\"><p>Café crème — 20 € “quoted” naïve</p>";
        let bad = mis_decode(good);
        assert!(bad.contains("Ã©"));
        assert_eq!(repair(&bad).as_deref(), Some(good));
    }

    #[test]
    fn repairs_a_page_with_a_few_correct_chars_among_the_mojibake() {
        // A widget pasted in correctly encoded ("Küche") on a page whose
        // article was decoded twice.
        let article = "<p>Schön,\u{a0}größer, Äpfel, Öl und Soße für die Brühe 😀.</p>";
        let page = format!("<meta charset=utf-8>{}<a>Küche</a>", mis_decode(article));
        let fixed = repair(&page).expect("repaired");
        assert!(fixed.contains(article), "{fixed}");
        assert!(fixed.ends_with("<a>Küche</a>"), "{fixed}");
    }

    #[test]
    fn leaves_correct_pages_alone() {
        // Correct UTF-8, no mojibake.
        assert_eq!(repair("<meta charset=utf-8><p>Café crème</p>"), None);
        // Mojibake but no UTF-8 declaration.
        let bad = mis_decode("<meta charset=iso-8859-1><p>Café</p>");
        assert_eq!(repair(&bad), None);
        // A real "Ã©" next to text that cannot be re-encoded.
        assert_eq!(repair("<meta charset=utf-8><p>Ã© 東京</p>"), None);
        // Declared in http-equiv form.
        let bad = mis_decode("<meta http-equiv=Content-Type content='text/html; charset=utf-8'>é");
        assert!(repair(&bad).is_some_and(|s| s.ends_with('é')));
    }
}
