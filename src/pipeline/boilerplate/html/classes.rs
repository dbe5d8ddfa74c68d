//! What tag names, class/id tokens and inline styles say about an element.

use super::super::RemovalReason;

/// The boilerplate category an element's tag implies, and whether it is weak.
pub(super) fn tag_mark(name: &str, in_article: bool) -> (Option<RemovalReason>, bool) {
    match name {
        "nav" | "menu" => (Some(RemovalReason::Navigation), true),
        "footer" if !in_article => (Some(RemovalReason::Other), true),
        "aside" => (Some(RemovalReason::Other), true),
        "header" if !in_article => (Some(RemovalReason::Navigation), true),
        "form" => (Some(RemovalReason::Other), true),
        _ => (None, false),
    }
}

pub(super) const FNV_SEED: u32 = 0x811c_9dc5;

/// FNV-1a over `bytes`, continuing from `h`.
pub(super) fn fnv(h: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Utility classes that hide an element on every screen (`hidden`,
/// `d-none`, screen-reader-only text). A responsive variant next to them
/// (`md:block`, `d-lg-flex`) shows it on some screens, so it stays.
pub(super) fn class_hides(value: &str) -> bool {
    let mut hides = false;
    for t in value.split_ascii_whitespace().take(64) {
        if t.contains(':') || (t.starts_with("d-") && t != "d-none") {
            return false;
        }
        hides |= matches!(
            t,
            "hidden" | "d-none" | "sr-only" | "visually-hidden" | "screen-reader-text"
        );
    }
    hides
}

/// Whether an id names a holder of streamed-in content (React's `S:0`):
/// hidden until a script moves it into the page.
pub(super) fn streamed_segment(id: &str) -> bool {
    id.strip_prefix("S:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a class or id names a list of references or footnotes
/// ("references", "reflist", "footnotes", "bibliography").
pub(super) fn names_citations(value: &str) -> bool {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .take(64)
        .any(|w| {
            [
                "references",
                "reflist",
                "footnotes",
                "endnotes",
                "bibliography",
            ]
            .iter()
            .any(|x| w.eq_ignore_ascii_case(x))
        })
}

/// Inline styles that hide the element.
pub(super) fn style_hides(style: &str) -> bool {
    let mut compact = String::with_capacity(style.len().min(256));
    compact.extend(
        style
            .chars()
            .take(512)
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase()),
    );
    compact.contains("display:none") || compact.contains("visibility:hidden")
}

/// Reads class/id tokens: a boilerplate category and a content weight.
/// Names are split on punctuation and camelCase so that "ad" matches
/// `ad-slot` or `topAd` but never `header` or `shadow`.
#[cfg(test)]
pub(super) fn class_signal(value: &str) -> (Option<RemovalReason>, i8) {
    let (mark, weight, _) = class_signal_full(value, false);
    (mark, weight)
}

/// [`class_signal`], plus whether the mark names a part that is small by
/// nature (byline, meta line, tag list). `strip` says the element is a list
/// or menu: "tabs" marks a tab strip as navigation, but on any other element
/// it names a widget whose panels hold the content (product descriptions).
pub(super) fn class_signal_full(value: &str, strip: bool) -> (Option<RemovalReason>, i8, bool) {
    // Read once, on the first "rodape": the value may repeat it many times.
    let mut footnote: Option<bool> = None;
    let is_footnote = || {
        value
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"nota"))
    };
    let mut mark = None;
    let mut small = false;
    let mut weight = 0i8;
    let mut word = [0u8; 24];
    let mut len = 0usize;
    let mut prev_lower = false;
    let mut after_user = false;
    let mut handle = |w: &[u8]| {
        if w == b"tabs" && !strip {
            return;
        }
        // "nota-de-rodape", "notas-rodape": footnotes, not the footer.
        if w == b"rodape" && *footnote.get_or_insert_with(is_footnote) {
            return;
        }
        // A forum post's author panel ("message-userDetails", "userinfo"):
        // name, rank, join date and post counts. "user" alone also names
        // user-written content, so only these pairs count.
        let poster = (after_user
            && matches!(w, b"details" | b"extras" | b"info" | b"title" | b"stats"))
            || matches!(
                w,
                b"userinfo" | b"usertitle" | b"userstats" | b"postprofile"
            );
        after_user = w == b"user";
        let word = if poster {
            Some(RemovalReason::Other)
        } else {
            class_word(w)
        };
        if let Some(r) = word {
            if mark.is_none() {
                small = poster || matches!(w, b"byline" | b"meta" | b"tags" | b"author");
            }
            mark.get_or_insert(r);
            weight = weight.saturating_sub(25);
        } else if matches!(
            w,
            b"article"
                | b"content"
                | b"entry"
                | b"main"
                | b"post"
                | b"story"
                | b"body"
                | b"text"
                | b"blog"
                | b"hentry"
                | b"prose"
        ) {
            weight = weight.saturating_add(25);
        }
    };
    // Bytes, not chars: only ASCII letters and digits make words, and any
    // byte of a multi-byte char breaks one just as the char does. The cap
    // still counts chars (lead bytes).
    let mut chars = 0usize;
    for &c in value.as_bytes() {
        if c & 0xC0 != 0x80 {
            chars += 1;
            if chars > 1024 {
                break;
            }
        }
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && len > 0 {
            handle(word.get(..len).unwrap_or_default());
            len = 0;
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if let (true, Some(slot)) = (c.is_ascii_alphanumeric(), word.get_mut(len)) {
            *slot = c.to_ascii_lowercase();
            len += 1;
        }
    }
    if len > 0 {
        handle(word.get(..len).unwrap_or_default());
    }
    (mark, weight, small)
}

fn class_word(w: &[u8]) -> Option<RemovalReason> {
    use RemovalReason as R;
    Some(match w {
        b"nav" | b"navbar" | b"navigation" | b"menu" | b"menubar" | b"breadcrumb"
        | b"breadcrumbs" | b"pagination" | b"pager" | b"skip" | b"topbar" | b"toolbar"
        | b"masthead" | b"tabs" => R::Navigation,
        b"share" | b"sharing" | b"social" | b"sharebar" | b"addthis" | b"sociable" | b"socials" => {
            R::Share
        }
        // Customers' reviews under a product are its comments; a single
        // "review" is a review site's article and stays unmarked.
        b"comment" | b"comments" | b"disqus" | b"respond" | b"replies" | b"discussion"
        | b"reviews" => {
            R::Comments
        }
        b"related" | b"recommended" | b"recommendations" | b"popular" | b"trending"
        | b"outbrain" | b"taboola" | b"relatedposts" => R::Related,
        b"cookie" | b"cookies" | b"consent" | b"gdpr" => R::Cookie,
        b"ad" | b"ads" | b"advert" | b"adverts" | b"advertisement" | b"advertising"
        | b"adsense" | b"sponsor" | b"sponsored" | b"promo" | b"dfp" => R::Advertising,
        b"copyright" => R::Copyright,
        b"legal" | b"disclaimer" => R::Legal,
        b"donate" | b"donation" => R::Donation,
        b"footer" | b"sidebar" | b"newsletter" | b"subscribe" | b"signup" | b"popup" | b"modal"
        | b"rail" | b"byline" | b"meta" | b"tags" | b"author" | b"credit" | b"credits"
        // "Footer" in Portuguese and German.
        | b"rodape" | b"fusszeile" => R::Other,
        _ => return None,
    })
}
