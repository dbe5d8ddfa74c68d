//! HTML mode: one streaming pass of the tokenizer ([`super::tok`]) builds text blocks
//! that remember their element ancestry, then a readability-style scoring
//! picks the content container and the shared classifier prunes within it.
//!
//! No tree is built and nothing recurses: the open-element stack is an
//! explicit, depth-capped vector, and element facts are propagated over a
//! flat table whose ids are assigned in document (pre-)order.

use super::{StripOptions, Stripped, assemble};
use decide::decide;
use tree::{State, tokenize};

mod classes;
mod decide;
mod passes;
mod tree;

#[cfg(test)]
mod tests;

pub(super) fn strip(html: &str, opts: &StripOptions) -> Stripped {
    let repaired = super::charset::repair(html);
    let mut st = tokenize(repaired.as_deref().unwrap_or(html));
    // Past the call's budget the caller discards the result (see
    // `pipeline::budget`): skip the scoring, the costliest part after
    // tokenizing.
    if crate::pipeline::budget::spent() {
        return Stripped::default();
    }
    let verdicts = decide(&st, opts);
    let title = pick_title(&st);
    let rows = passes::table_rows(&st);
    let mut out = assemble(
        st.blocks
            .iter()
            .zip(verdicts)
            .zip(rows)
            .map(|((b, v), r)| (b.text.as_str(), v, r)),
        title,
    );
    out.metadata = std::mem::take(&mut st.meta).finish();
    out
}

/// `og:title`, else `<title>`, without a site name; else the first h1.
fn pick_title(st: &State) -> Option<String> {
    let site = st.meta.site_name();
    if let Some(t) = &st.og_title {
        return Some(clean_title(t, site));
    }
    if !st.title.is_empty() {
        return Some(clean_title(&st.title, site));
    }
    st.blocks
        .iter()
        .find(|b| b.heading == 1)
        .map(|b| b.text.clone())
}

/// Drops the site's name from a title. A declared site name goes from
/// either end ("Story | Site", "Site - Story"). Otherwise a " | Site" style
/// suffix goes when what remains still reads as a title (3 words or more);
/// when the page declared a different name, only a short suffix (up to 3
/// words: "Wikipedia", a section) is taken for one, so the second half of
/// "New to Birding – Which Binoculars Should I Buy?" stays.
fn clean_title(title: &str, site: Option<&str>) -> String {
    const SEPARATORS: [&str; 7] = [" | ", " – ", " — ", " - ", " :: ", " » ", " · "];
    let title = title.trim();
    if let Some(site) = site.map(str::trim).filter(|s| !s.is_empty()) {
        let lower = title.to_lowercase();
        let site = site.to_lowercase();
        for sep in SEPARATORS {
            if let Some(head) = lower.strip_suffix(&site).and_then(|h| h.strip_suffix(sep))
                && let Some(kept) = title.get(..head.len())
                && !kept.trim().is_empty()
            {
                return kept.trim().to_owned();
            }
            if let Some(tail) = lower.strip_prefix(&site).and_then(|t| t.strip_prefix(sep))
                && let Some(kept) = title.get(title.len() - tail.len()..)
                && !kept.trim().is_empty()
            {
                return kept.trim().to_owned();
            }
        }
    }
    let longest_suffix = if site.is_some() { 3 } else { usize::MAX };
    for sep in SEPARATORS {
        if let Some(pos) = title.rfind(sep) {
            let head = title.get(..pos).unwrap_or_default().trim();
            let tail = title.get(pos + sep.len()..).unwrap_or_default();
            if head.split_whitespace().count() >= 3
                && tail.split_whitespace().count() <= longest_suffix
            {
                return head.to_owned();
            }
        }
    }
    title.to_owned()
}
