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
    let mut out = assemble(
        st.blocks.iter().map(|b| b.text.as_str()).zip(verdicts),
        title,
    );
    out.metadata = std::mem::take(&mut st.meta).finish();
    out
}

/// `og:title`, else `<title>`, without a trailing site name; else the first h1.
fn pick_title(st: &State) -> Option<String> {
    if let Some(t) = &st.og_title {
        return Some(clean_title(t));
    }
    if !st.title.is_empty() {
        return Some(clean_title(&st.title));
    }
    st.blocks
        .iter()
        .find(|b| b.heading == 1)
        .map(|b| b.text.clone())
}

/// Drops a " | Site" style suffix when what remains still reads as a title.
fn clean_title(title: &str) -> String {
    for sep in [" | ", " – ", " — ", " - ", " :: ", " » ", " · "] {
        if let Some(pos) = title.rfind(sep) {
            let head = title.get(..pos).unwrap_or_default().trim();
            if head.split_whitespace().count() >= 3 {
                return head.to_owned();
            }
        }
    }
    title.trim().to_owned()
}
