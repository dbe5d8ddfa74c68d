//! Boilerplate stripping: keeps a page's main content and drops navigation,
//! share prompts, donation appeals, legal notices, related links and comments.
//!
//! Two entry points share one block classifier ([`classify`]): plain text,
//! where every line is a block and only the words can be judged, and HTML,
//! where the markup around each block (tags, class names, links) is evidence
//! too. Both are single passes plus linear post-processing, and neither
//! recurses over the input, so hostile documents cannot blow the stack.

mod charset;
mod classify;
mod html;
mod meta;
mod text;
mod tok;

pub use meta::PageMetadata;

/// Options of the strip stage.
#[derive(Debug, Clone, Default)]
pub struct StripOptions {
    /// Keep user comments (comment sections and reply threads) as content.
    pub keep_comments: bool,
    /// Keep the text of tables inside the content even where a block on its
    /// own would look like navigation (short, link-heavy cells).
    pub keep_tables: bool,
    /// Keep figure captions, which are otherwise notes on pictures rather
    /// than the text (HTML only; photo essays keep theirs regardless).
    pub keep_captions: bool,
    /// Which error to prefer when a block is in doubt.
    pub favor: Favor,
}

/// The trade-off between dropping too much and keeping too much.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Favor {
    /// The setting that scores best overall.
    #[default]
    Balanced,
    /// Keep less: stricter on link-heavy and short blocks, a tighter region.
    Precision,
    /// Keep more: neighbouring blocks join the content more easily.
    Recall,
}

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
    /// Anything else outside the main content: bylines, figure captions,
    /// contact lines, separators, newsletter prompts, link lists.
    Other,
}

/// One dropped block.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedBlock {
    /// The block's text, whitespace collapsed (preformatted text keeps its
    /// line breaks and indentation).
    pub text: String,
    /// The category it was dropped for.
    pub reason: RemovalReason,
}

/// The result of stripping a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stripped {
    /// Main content blocks, whitespace collapsed, joined by a blank line;
    /// the cells of a table row share a line, separated by tabs, and
    /// preformatted text (code) keeps its line breaks and indentation.
    pub text: String,
    /// The page title when one was found (HTML only).
    pub title: Option<String>,
    /// Every dropped block, in document order.
    pub removed: Vec<RemovedBlock>,
    /// What the page states about itself (HTML only).
    pub metadata: PageMetadata,
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

/// Bytes from which a table cell's text is a paragraph of its own.
const PARAGRAPH_CELL: usize = 200;

/// Assembles the result from blocks and their verdicts, in document order.
/// Kept blocks are separated by a blank line, except cells of one table row
/// (blocks sharing a `row`), which stay on one line separated by tabs so
/// that a row reads as a record rather than as scattered paragraphs. Two
/// paragraph-long cells side by side are a layout grid (a story per cell),
/// not fields of a record, and stay apart.
fn assemble<'a>(
    blocks: impl IntoIterator<Item = (&'a str, Verdict, Option<u32>)>,
    title: Option<String>,
) -> Stripped {
    let mut out = Stripped {
        title,
        ..Stripped::default()
    };
    let mut last_row = None;
    let mut last_len = 0;
    for (text, verdict, row) in blocks {
        if text.is_empty() {
            continue;
        }
        match verdict {
            Verdict::Keep => {
                if !out.text.is_empty() {
                    let side_by_side = text.len() >= PARAGRAPH_CELL && last_len >= PARAGRAPH_CELL;
                    let same_row = row.is_some() && row == last_row && !side_by_side;
                    out.text.push_str(if same_row { "\t" } else { "\n\n" });
                }
                out.text.push_str(text);
                last_row = row;
                last_len = text.len();
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
/// collapsed to one space and invisible break hints dropped; `pending_space` carries a break across calls so
/// text arriving in pieces collapses the same as text arriving whole.
fn push_collapsed(out: &mut String, s: &str, pending_space: &mut bool) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Runs of visible ASCII, most of any page, are copied whole, with
        // the single spaces between their words (which collapse to
        // themselves).
        let start = i;
        let visible = |b: Option<&u8>| b.is_some_and(|b| (0x21..=0x7E).contains(b));
        loop {
            if visible(bytes.get(i)) {
                i += 1;
            } else if i > start && bytes.get(i) == Some(&b' ') && visible(bytes.get(i + 1)) {
                i += 2;
            } else {
                break;
            }
        }
        if i > start {
            if *pending_space && !out.is_empty() {
                out.push(' ');
            }
            *pending_space = false;
            out.push_str(s.get(start..i).unwrap_or_default());
        }
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        if c.is_whitespace() || c.is_control() || c == '\u{200b}' || c == '\u{feff}' {
            *pending_space = true;
        } else if c == '\u{ad}' || c == '\u{2060}' {
            // Soft hyphens and word joiners only mark where a line may (or
            // may not) break; left in, they split words for every reader
            // that searches or counts them.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_break_hints_do_not_split_words() {
        // A soft hyphen (as `&shy;` decodes) and a word joiner inside words;
        // whitespace around them still collapses to one space.
        let s = collapse("an ev\u{ad}al\u{ad}u\u{ad}ation of the\u{2060}ory \u{ad}  done");
        assert_eq!(s, "an evaluation of theory done");
    }
}
