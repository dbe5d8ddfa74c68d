//! Boilerplate stripping: keeps a page's main content and drops navigation,
//! share prompts, donation appeals, legal notices, related links and comments.
//!
//! Two entry points share one block classifier ([`classify`]): plain text,
//! where every line is a block and only the words can be judged, and HTML,
//! where the markup around each block (tags, class names, links) is evidence
//! too. Both are single passes plus linear post-processing, and neither
//! recurses over the input, so hostile documents cannot blow the stack.

mod classify;
mod html;
mod text;

/// Options of the strip stage.
#[derive(Debug, Clone, Default)]
pub struct StripOptions {}

/// Why a block was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemovalReason {
    /// Menus, breadcrumbs, runs of short link lines.
    Navigation,
    /// Share and follow prompts.
    Share,
    /// Donation and support appeals.
    Donation,
    /// Disclaimers, terms, privacy notices.
    Legal,
    /// Copyright and fair-use notices.
    Copyright,
    /// Cookie and consent notices.
    Cookie,
    /// Lists of related or recommended articles.
    Related,
    /// User comments and comment forms.
    Comments,
    /// Advertisements and sponsored blocks.
    Advertising,
    /// Anything else outside the main content: bylines, contact lines,
    /// separators, newsletter prompts, link lists.
    Other,
}

/// One dropped block.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedBlock {
    /// The block's text, whitespace collapsed.
    pub text: String,
    /// The category it was dropped for.
    pub reason: RemovalReason,
}

/// The result of stripping a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stripped {
    /// Main content blocks, whitespace collapsed, joined by a blank line.
    pub text: String,
    /// The page title when one was found (HTML only).
    pub title: Option<String>,
    /// Every dropped block, in document order.
    pub removed: Vec<RemovedBlock>,
}

/// Strips boilerplate from plain text holding one block per line.
pub(crate) fn strip_text(text: &str, opts: &StripOptions) -> Stripped {
    text::strip(text, opts)
}

/// Strips boilerplate from a raw HTML page.
pub(crate) fn strip_html(html: &str, opts: &StripOptions) -> Stripped {
    html::strip(html, opts)
}

/// A block's fate once classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    Drop(RemovalReason),
}

/// Assembles the result from blocks and their verdicts, in document order.
fn assemble<'a>(
    blocks: impl IntoIterator<Item = (&'a str, Verdict)>,
    title: Option<String>,
) -> Stripped {
    let mut out = Stripped {
        title,
        ..Stripped::default()
    };
    for (text, verdict) in blocks {
        if text.is_empty() {
            continue;
        }
        match verdict {
            Verdict::Keep => {
                if !out.text.is_empty() {
                    out.text.push_str("\n\n");
                }
                out.text.push_str(text);
            }
            Verdict::Drop(reason) => out.removed.push(RemovedBlock {
                text: text.to_owned(),
                reason,
            }),
        }
    }
    out
}

/// Appends `s` to `out` with runs of whitespace and control characters
/// collapsed to one space; `pending_space` carries a break across calls so
/// text arriving in pieces collapses the same as text arriving whole.
fn push_collapsed(out: &mut String, s: &str, pending_space: &mut bool) {
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() || c == '\u{200b}' || c == '\u{feff}' {
            *pending_space = true;
        } else {
            if *pending_space && !out.is_empty() {
                out.push(' ');
            }
            *pending_space = false;
            out.push(c);
        }
    }
}

/// `s` with whitespace collapsed and trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    push_collapsed(&mut out, s, &mut pending);
    out
}
