//! HTML mode: one streaming pass of the tokenizer ([`super::tok`]) builds text blocks
//! that remember their element ancestry, then a readability-style scoring
//! picks the content container and the shared classifier prunes within it.
//!
//! No tree is built and nothing recurses: the open-element stack is an
//! explicit, depth-capped vector, and element facts are propagated over a
//! flat table whose ids are assigned in document (pre-)order.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::tok::{self, Raw, Tag};

use super::classify::{Features, features, keyword_reason};
use super::meta::Collector;
use super::{
    Favor, RemovalReason, StripOptions, Stripped, Verdict, assemble, collapse, push_collapsed,
};

/// Deeper elements are flattened into their ancestor at the cap: real pages
/// never nest this deep, and it bounds every walk over ancestors.
const MAX_DEPTH: usize = 256;
/// End tags look this far down the stack for their start tag, so stray end
/// tags cost constant time.
const END_TAG_REACH: usize = 48;
/// html5ever was fed pieces of about this size, which split its text
/// tokens; the tokenizer splits at the same places.
const CHUNK: usize = 1 << 16;
/// Element and block counters and link byte counts are `u32`; a page is
/// read up to this size so none can overflow. Requests are far smaller
/// (`--max-message-bytes`); a larger page from a library caller is cut.
const MAX_INPUT: usize = 1 << 30;
const NO_PARENT: u32 = u32::MAX;
/// Name of the synthetic root element; no tag can have it.
const ROOT: &str = "#root";
/// The root's id: it is opened before any tag.
const ROOT_ID: u32 = 0;
/// How much more prose a parent must hold for the content to widen to it.
const WIDEN_FACTOR: f64 = 2.5;
/// A page with less prose than this outside comment-marked parts, and at
/// least `DISCUSSION_MIN_THREAD` inside them, is a discussion.
const DISCUSSION_MAX_OTHER: u64 = 400;
/// Prose bytes outside a comment section that make the rest of the page an
/// article of its own, so the section stays comments however long it is.
const ARTICLE_BESIDE_COMMENTS: u64 = 2000;
const DISCUSSION_MIN_THREAD: u64 = 800;
/// How far up a container built like the winner may be joined with it.
const NEAR_LEVELS: usize = 3;
/// Share of the winner's score such a container needs when the two share
/// a class (bare tags need 0.75).
const KIN_SHARE: f32 = 0.1;
/// Prose bytes above which a mark from a byline-like class name is taken to
/// be wrong about the element.
const PROSE_OVERRULE: u32 = 500;
/// Text bytes above which a `<figcaption>` is taken to be misused as a
/// wrapper of body text rather than a note on a picture.
const CAPTION_MAX_BYTES: u32 = 1500;
/// Share of the container's text, in percent, from which captions are the
/// content (a photo essay) rather than notes on its pictures.
const GALLERY_CAPTION_PCT: u64 = 25;
/// Pages keeping fewer words than this are checked for a list of items.
const LIST_GATE_WORDS: u64 = 60;
/// Prose under the headline, before the region, is kept when it has at
/// least this many words and a fifth as many as the region.
const BELOW_HEADLINE_MIN_WORDS: u64 = 30;
const BELOW_HEADLINE_SHARE_INV: u64 = 5;
/// Longest label, in words, that announces a related-links list (the
/// keyword test reads no longer ones as labels).
const RELATED_LABEL_MAX_WORDS: u32 = 6;
/// Longest line, in words, read as an item of a related-links list.
const RELATED_ITEM_MAX_WORDS: u32 = 30;
/// How far above a block's element its table cell may be (`td > div > p`).
const CELL_DEPTH: usize = 3;
/// Longest linked row head, in words.
const ROW_HEAD_MAX_WORDS: u32 = 10;
/// Words of prose the rest of a row must keep for its linked head to stay.
const ROW_PROSE_MIN_WORDS: u32 = 6;
/// Rows of one row group (`<tbody>`, or the table) that must read so.
const ROW_HEAD_MIN_ROWS: u32 = 2;
/// Longest label (in words) that names the box it heads.
const LABEL_MAX_WORDS: u32 = 4;
/// Elements looked at for a label's box: its own, then two ancestors.
const LABEL_BOX_LEVELS: usize = 3;

/// Words of link cards a region needs before it is read as a catalogue.
const CARD_MIN_WORDS: u64 = 50;

/// Facts about one element, indexed by its pre-order id.
#[derive(Debug, Clone, Copy, Default)]
struct Elem {
    parent: u32,
    /// Boilerplate category the element's own tag or class/id announces.
    mark: Option<RemovalReason>,
    /// Whether `mark` may be overruled when the element holds most text
    /// (wrappers such as `<form>` around a whole page).
    weak_mark: bool,
    /// The mark comes from a class naming a small part (byline, meta line,
    /// tag list): wrong when the element holds a lot of prose.
    small_mark: bool,
    /// Readability-style class weight: content-ish names up, chrome down.
    weight: i8,
    /// `<article>`/`<main>` or below one.
    in_article: bool,
    /// `<table>` or below one.
    in_table: bool,
    /// Hash of the tag name and first class token: repeated parts of one
    /// page (posts, story sections) share it.
    shape: u32,
    /// Has a class; a bare tag's shape (`td`, `div`) says little.
    classed: bool,
    /// `<table>` or a row group (`<tbody>`...): a table's body is one unit.
    table_body: bool,
    /// Inside a link: a link wrapping blocks is a card (teaser, tile).
    in_link: bool,
    /// `<figcaption>`.
    caption: bool,
    /// `<td>` or `<th>`.
    cell: bool,
    /// `<select>`: a drop-down list, whose options are not text.
    select: bool,
}

/// One run of text between block boundaries.
#[derive(Debug)]
struct Block {
    text: String,
    /// Bytes of text inside links.
    link_bytes: u32,
    /// Innermost block-level element around the text.
    elem: u32,
    /// Heading level, 0 for none.
    heading: u8,
}

#[derive(Debug, Clone)]
struct Open {
    name: Name,
    /// `kind(name)` is `Kind::Block`.
    block: bool,
    id: u32,
    block_elem: u32,
    skip: bool,
    link: bool,
    heading: u8,
}

#[derive(Debug, Default)]
struct State {
    elems: Vec<Elem>,
    stack: Vec<Open>,
    /// Start tags not pushed because the stack was at its cap.
    overflow: usize,
    blocks: Vec<Block>,
    cur: String,
    cur_links: u32,
    cur_elem: u32,
    cur_heading: u8,
    pending_space: bool,
    in_title: bool,
    title: String,
    og_title: Option<String>,
    meta: Collector,
    /// A JSON-LD script is open; its text goes to `meta`.
    in_ld: bool,
    /// A `<head>` is open: body content closes it, as browsers do.
    in_head: bool,
    /// A `<body>` start tag was seen.
    saw_body: bool,
    /// Bytes swallowed by the raw-text element now open, if any.
    raw_open: Option<(html5ever::LocalName, usize)>,
    /// Raw-text tag names to parse as ordinary markup (second pass after one
    /// was left unclosed and swallowed the page).
    no_raw: Vec<html5ever::LocalName>,
}

impl tok::Sink for State {
    fn tag(&mut self, tag: &Tag<'_>) -> Option<Raw> {
        State::tag(self, tag)
    }

    fn text(&mut self, text: &str) {
        self.chars(text);
    }
}

/// An open element's tag name, kept inline: names are compared on every
/// end tag, and a heap string or an interned atom per element cost more.
#[derive(Debug, Clone)]
enum Name {
    Short { len: u8, buf: [u8; 22] },
    Long(Box<str>),
}

impl Name {
    fn new(s: &str) -> Self {
        let mut buf = [0u8; 22];
        match (buf.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(dst), Ok(len)) => {
                dst.copy_from_slice(s.as_bytes());
                Name::Short { len, buf }
            }
            _ => Name::Long(s.into()),
        }
    }

    fn is(&self, s: &str) -> bool {
        match self {
            Name::Short { len, buf } => buf.get(..usize::from(*len)) == Some(s.as_bytes()),
            Name::Long(l) => &**l == s,
        }
    }
}

/// How a tag name affects the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Element without content (`<img>`, `<br>`...): never pushed.
    Void,
    /// Content never shown as text; raw text when `Some`.
    Skip(Option<Raw>),
    Block,
    Inline,
}

fn kind(name: &str) -> Kind {
    match name {
        "script" => Kind::Skip(Some(Raw::Script)),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            Kind::Skip(Some(Raw::Rawtext))
        }
        "textarea" | "title" => Kind::Skip(Some(Raw::Rcdata)),
        "template" | "svg" | "math" | "head" | "select" | "button" | "object" | "canvas"
        | "audio" | "video" | "datalist" | "dialog" => Kind::Skip(None),
        "area" | "base" | "br" | "col" | "embed" | "hr" | "img" | "input" | "link" | "meta"
        | "param" | "source" | "track" | "wbr" | "keygen" => Kind::Void,
        "address" | "article" | "aside" | "blockquote" | "body" | "caption" | "center" | "dd"
        | "details" | "dir" | "div" | "dl" | "dt" | "fieldset" | "figcaption" | "figure"
        | "footer" | "form" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "header" | "hgroup"
        | "html" | "legend" | "li" | "main" | "menu" | "nav" | "ol" | "p" | "pre" | "section"
        | "summary" | "table" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr" | "ul"
        | "option" | "frameset" | "frame" => Kind::Block,
        _ => Kind::Inline,
    }
}

/// Tags that may appear inside `<head>`; any other start tag ends it.
fn head_content(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "html"
            | "meta"
            | "link"
            | "title"
            | "script"
            | "style"
            | "base"
            | "noscript"
            | "template"
            | "object"
            | "param"
    )
}

/// Start tags that implicitly close an open peer (`<li>` ends the previous
/// `<li>`), with the open elements of that peer kind and the elements the
/// search must not cross: a row in a nested table must not close a row of
/// the table around it, which would cut the page's tree apart.
fn implied_end(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "li" => (&["li"], &["ul", "ol", "menu", "table", "td", "th"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl", "table", "td", "th"]),
        "tr" => (&["tr"], &["table"]),
        "td" | "th" => (&["td", "th"], &["tr", "table"]),
        "option" => (&["option"], &["select", "datalist"]),
        // A paragraph never holds blocks, so any block above stops it.
        "p" => (&["p"], &[]),
        _ => return None,
    })
}

/// How many open elements an implied end looks through: unclosed inline
/// tags (`<font>`, `<b>`) may sit above the peer.
const PEER_REACH: usize = 8;

impl State {
    fn tag(&mut self, tag: &Tag<'_>) -> Option<Raw> {
        let name: &str = tag.name;
        let k = kind(name);
        match tag.end {
            false => {
                if self.in_head && !head_content(name) {
                    self.end_head();
                }
                if name == "head" {
                    self.in_head = true;
                }
                self.saw_body |= name == "body";
                if self.no_raw.iter().any(|n| &**n == name) {
                    // Parsed as markup this time; the tag itself is ignored.
                    return None;
                }
                // An icon's <title> inside <svg> is not the page's.
                if name == "title"
                    && self.title.is_empty()
                    && !self.stack.iter().any(|o| o.name.is("svg"))
                {
                    self.in_title = true;
                }
                match name {
                    "meta" => self.meta(tag),
                    "html" | "link" | "script" => self.head_facts(tag),
                    _ => {}
                }
                if k == Kind::Block || name == "br" || name == "hr" {
                    self.flush();
                }
                // `<br/>`, `<svg/>`, `<div/>` hold nothing. Raw-text elements
                // ignore the slash, as in browsers, and still open.
                let raw = matches!(k, Kind::Skip(Some(_)));
                if k == Kind::Void || (tag.self_closing && !raw) {
                    return None;
                }
                if let Some((peers, bounds)) = implied_end(name) {
                    self.close_peer(peers, bounds, name == "p");
                }
                self.open(tag, k);
                match k {
                    Kind::Skip(Some(raw)) => {
                        self.raw_open = Some((html5ever::LocalName::from(name), 0));
                        Some(raw)
                    }
                    _ => None,
                }
            }
            true => {
                self.raw_open = None;
                if name == "head" {
                    // Pages that paste two documents together nest heads;
                    // either end tag ends them all.
                    self.end_head();
                    return None;
                }
                if name == "title" {
                    self.in_title = false;
                }
                if name == "script" && self.in_ld {
                    self.in_ld = false;
                    self.meta.ld_end();
                }
                if k == Kind::Block || name == "br" {
                    self.flush();
                }
                if self.overflow > 0 {
                    // Pair it with an unpushed start tag; exact only for
                    // well-formed input, which is all that matters this deep.
                    self.overflow -= 1;
                } else {
                    self.close(name, END_TAG_REACH);
                }
                None
            }
        }
    }

    fn meta(&mut self, tag: &Tag<'_>) {
        let mut is_og = false;
        let mut content = None;
        let mut key = None;
        for (name, value) in tag.attrs() {
            match name {
                "property" | "name" | "itemprop" | "http-equiv" => {
                    is_og |= value.eq_ignore_ascii_case("og:title");
                    key.get_or_insert(value);
                }
                "content" => content = Some(value),
                _ => {}
            }
        }
        if let (Some(k), Some(c)) = (key, content) {
            self.meta.meta(k, c);
        }
        if let (true, Some(c), None) = (is_og, content, &self.og_title) {
            let c = collapse(c);
            if !c.is_empty() {
                self.og_title = Some(c);
            }
        }
    }

    /// Metadata carried by `<html lang>`, `<link rel>` and JSON-LD scripts.
    fn head_facts(&mut self, tag: &Tag<'_>) {
        let attr = |n: &str| tag.attr(n);
        match tag.name {
            "html" => {
                if let Some(l) = attr("lang").or_else(|| attr("xml:lang")) {
                    self.meta.html_lang(l);
                }
            }
            "link" => {
                if let (Some(r), Some(h)) = (attr("rel"), attr("href")) {
                    self.meta.link(r, h);
                }
            }
            _ => {
                self.in_ld = attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
            }
        }
    }

    fn open(&mut self, tag: &Tag<'_>, k: Kind) {
        if self.stack.len() >= MAX_DEPTH {
            self.overflow += 1;
            return;
        }
        let name: &str = tag.name;
        let parent = self
            .stack
            .last()
            .map(|p| (p.id, p.block_elem, p.skip, p.link, p.heading));
        let id = u32::try_from(self.elems.len()).unwrap_or(NO_PARENT - 1);
        let parent_id = parent.map_or(NO_PARENT, |p| p.0);
        let parent_elem = self.elems.get(parent_id as usize).copied();
        let in_article_above = parent_elem.is_some_and(|e| e.in_article);
        let (mut mark, mut weak_mark) = tag_mark(name, in_article_above);
        let mut small_mark = false;
        let mut shape = fnv(FNV_SEED, name.as_bytes());
        let mut classed = false;
        let mut weight = 0i8;
        let mut hidden = false;
        let (mut hidden_attr, mut segment, mut panel) = (false, false, false);
        let tab_strip = matches!(name, "ul" | "ol" | "menu" | "nav");
        for (attr, value) in tag.attrs() {
            match attr {
                "class" | "id" => {
                    if attr == "id" {
                        segment = streamed_segment(value);
                    } else {
                        let first = value.split_ascii_whitespace().next().unwrap_or("");
                        shape = fnv(shape, first.as_bytes());
                        classed |= !first.is_empty();
                        hidden |= class_hides(value);
                    }
                    let (m, w, small) = class_signal_full(value, tab_strip);
                    if mark.is_none() && m.is_some() {
                        mark = m;
                        weak_mark = true;
                        small_mark = small;
                    }
                    weight = weight.saturating_add(w);
                }
                "hidden" => hidden_attr = true,
                "aria-hidden" => hidden |= value.trim().eq_ignore_ascii_case("true"),
                "style" => hidden |= style_hides(value),
                "role" => {
                    let r = value.trim();
                    panel |= r.eq_ignore_ascii_case("tabpanel");
                    if mark.is_none()
                        && [
                            "navigation",
                            "banner",
                            "contentinfo",
                            "complementary",
                            "menu",
                        ]
                        .iter()
                        .any(|x| r.eq_ignore_ascii_case(x))
                    {
                        mark = Some(RemovalReason::Navigation);
                        weak_mark = true;
                    }
                }
                _ => {}
            }
        }
        // Streaming server renderers send late parts of the page in hidden
        // holders that a script moves into place: they are shown.
        hidden |= hidden_attr && !segment;
        // A tab panel holds the tab's content; "tabs" in its class names
        // the widget, not a menu.
        if panel && mark == Some(RemovalReason::Navigation) {
            mark = None;
        }
        self.elems.push(Elem {
            parent: parent_id,
            mark,
            weak_mark,
            small_mark,
            weight,
            in_article: in_article_above || matches!(name, "article" | "main"),
            in_table: name == "table" || parent_elem.is_some_and(|e| e.in_table),
            shape,
            classed,
            table_body: matches!(name, "table" | "tbody" | "thead" | "tfoot"),
            in_link: parent.is_some_and(|p| p.3),
            caption: name == "figcaption",
            cell: matches!(name, "td" | "th"),
            select: name == "select",
        });
        let heading = match name.as_bytes() {
            [b'h', d @ b'1'..=b'6'] => d - b'0',
            _ => parent.map_or(0, |p| p.4),
        };
        self.stack.push(Open {
            name: Name::new(name),
            block: k == Kind::Block,
            id,
            block_elem: if k == Kind::Block {
                id
            } else {
                parent.map_or(id, |p| p.1)
            },
            skip: hidden || matches!(k, Kind::Skip(_)) || parent.is_some_and(|p| p.2),
            link: name == "a" || parent.is_some_and(|p| p.3),
            heading,
        });
    }

    /// Opens the document's root, which no end tag closes: text outside
    /// any element (a page with no `<body>`, text after `</html>`) is
    /// shown by browsers and belongs somewhere in the tree.
    fn open_root(&mut self) {
        self.elems.push(Elem {
            parent: NO_PARENT,
            shape: fnv(FNV_SEED, ROOT.as_bytes()),
            ..Elem::default()
        });
        self.stack.push(Open {
            name: Name::new(ROOT),
            block: true,
            id: ROOT_ID,
            block_elem: ROOT_ID,
            skip: false,
            link: false,
            heading: 0,
        });
    }

    /// Closes every open `<head>` and what is inside them.
    fn end_head(&mut self) {
        self.in_head = false;
        if let Some(pos) = self.stack.iter().position(|o| o.name.is("head")) {
            self.stack.truncate(pos);
        }
    }

    /// Pops up to and including the nearest open element named in `peers`,
    /// unless one named in `bounds` (or, with `block_bounds`, any other
    /// block) comes first.
    fn close_peer(&mut self, peers: &[&str], bounds: &[&str], block_bounds: bool) {
        let mut found = None;
        for (pos, o) in self.stack.iter().rev().take(PEER_REACH).enumerate() {
            if peers.iter().any(|p| o.name.is(p)) {
                found = Some(pos);
                break;
            }
            if bounds.iter().any(|b| o.name.is(b)) || (block_bounds && o.block) {
                break;
            }
        }
        if let Some(pos) = found {
            let keep = self.stack.len().saturating_sub(pos + 1);
            self.stack.truncate(keep);
        }
    }

    /// Pops up to and including the nearest open `name` within `reach`.
    /// As in browsers, an end tag does not reach out of the table cell or
    /// table it appears in (a stray `</div>` in a cell closes nothing), so
    /// sloppy markup cannot detach the rest of the page from its tree.
    fn close(&mut self, name: &str, reach: usize) {
        let bounds: &[&str] = match name {
            "table" => &[],
            "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "caption" => &["table"],
            _ => &["table", "td", "th", "caption"],
        };
        let mut found = None;
        for (pos, o) in self.stack.iter().rev().take(reach).enumerate() {
            if o.name.is(name) {
                found = Some(pos);
                break;
            }
            if bounds.iter().any(|b| o.name.is(b)) {
                break;
            }
        }
        if let Some(pos) = found {
            let keep = self.stack.len().saturating_sub(pos + 1);
            self.stack.truncate(keep);
        }
    }

    fn chars(&mut self, t: &str) {
        if let Some((_, n)) = &mut self.raw_open {
            *n = n.saturating_add(t.len());
        }
        if self.in_ld {
            self.meta.ld_text(t);
            return;
        }
        if self.in_title {
            if self.title.len() < 4096 {
                let mut pending = !self.title.is_empty();
                push_collapsed(&mut self.title, t, &mut pending);
            }
            return;
        }
        let Some((skip, block_elem, heading, link)) = self
            .stack
            .last()
            .map(|o| (o.skip, o.block_elem, o.heading, o.link))
        else {
            return;
        };
        if skip {
            return;
        }
        if self.cur.is_empty() {
            if t.chars().all(|c| c.is_whitespace()) {
                return;
            }
            self.cur_elem = block_elem;
            self.cur_heading = heading;
        }
        let before = self.cur.len();
        push_collapsed(&mut self.cur, t, &mut self.pending_space);
        if link {
            let added = self.cur.len().saturating_sub(before);
            self.cur_links = self
                .cur_links
                .saturating_add(u32::try_from(added).unwrap_or(u32::MAX));
        }
    }

    fn flush(&mut self) {
        self.pending_space = false;
        if self.cur.is_empty() {
            return;
        }
        // An exact-size copy: the buffer keeps its capacity for the next
        // block instead of every block growing a new one from empty.
        let text = self.cur.as_str().to_owned();
        self.cur.clear();
        self.blocks.push(Block {
            text,
            link_bytes: std::mem::take(&mut self.cur_links),
            elem: self.cur_elem,
            heading: self.cur_heading,
        });
    }
}

/// The boilerplate category an element's tag implies, and whether it is weak.
fn tag_mark(name: &str, in_article: bool) -> (Option<RemovalReason>, bool) {
    match name {
        "nav" | "menu" => (Some(RemovalReason::Navigation), true),
        "footer" if !in_article => (Some(RemovalReason::Other), true),
        "aside" => (Some(RemovalReason::Other), true),
        "header" if !in_article => (Some(RemovalReason::Navigation), true),
        "form" => (Some(RemovalReason::Other), true),
        _ => (None, false),
    }
}

const FNV_SEED: u32 = 0x811c_9dc5;

/// FNV-1a over `bytes`, continuing from `h`.
fn fnv(h: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Utility classes that hide an element on every screen (`hidden`,
/// `d-none`, screen-reader-only text). A responsive variant next to them
/// (`md:block`, `d-lg-flex`) shows it on some screens, so it stays.
fn class_hides(value: &str) -> bool {
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
fn streamed_segment(id: &str) -> bool {
    id.strip_prefix("S:")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Inline styles that hide the element.
fn style_hides(style: &str) -> bool {
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
fn class_signal(value: &str) -> (Option<RemovalReason>, i8) {
    let (mark, weight, _) = class_signal_full(value, false);
    (mark, weight)
}

/// [`class_signal`], plus whether the mark names a part that is small by
/// nature (byline, meta line, tag list). `strip` says the element is a list
/// or menu: "tabs" marks a tab strip as navigation, but on any other element
/// it names a widget whose panels hold the content (product descriptions).
fn class_signal_full(value: &str, strip: bool) -> (Option<RemovalReason>, i8, bool) {
    let footnote = || {
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
    let mut handle = |w: &[u8]| {
        if w == b"tabs" && !strip {
            return;
        }
        // "nota-de-rodape", "notas-rodape": footnotes, not the footer.
        if w == b"rodape" && footnote() {
            return;
        }
        if let Some(r) = class_word(w) {
            if mark.is_none() {
                small = matches!(w, b"byline" | b"meta" | b"tags" | b"author");
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
        b"comment" | b"comments" | b"disqus" | b"respond" | b"replies" | b"discussion" => {
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

/// Runs the tokenizer over `html` and returns the collected state. A
/// raw-text element left unclosed swallows the rest of the page in a
/// browser; lenient parsers (and the page's authors) expect otherwise, so
/// the page is parsed again with that tag read as ordinary markup.
fn tokenize(html: &str) -> State {
    let html = crate::pipeline::prefix(html, MAX_INPUT);
    let mut no_raw = Vec::new();
    loop {
        let st = tokenize_once(html, no_raw.clone());
        match &st.raw_open {
            Some((name, swallowed)) if *swallowed > html.len() / 4 && no_raw.len() < 3 => {
                no_raw.push(name.clone());
            }
            _ => return st,
        }
    }
}

fn tokenize_once(html: &str, no_raw: Vec<html5ever::LocalName>) -> State {
    let mut st = State {
        no_raw,
        ..State::default()
    };
    st.open_root();
    tok::tokenize(html, &chunk_cuts(html), &mut st);
    st.flush();
    // Beside a `<body>`, loose text is the debris of a broken template
    // (script source that lost its opening tag), not the page's text.
    if st.saw_body {
        st.blocks.retain(|b| b.elem != ROOT_ID);
    }
    st
}

/// Where html5ever's input was cut into `CHUNK`-sized pieces.
fn chunk_cuts(html: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut at = 0;
    while at < html.len() {
        let mut cut = (at + CHUNK).min(html.len());
        while !html.is_char_boundary(cut) {
            cut += 1;
        }
        at = cut;
        if at < html.len() {
            cuts.push(at);
        }
    }
    cuts
}

/// Blocks between two checks of the call's budget while deciding.
const BUDGET_BLOCKS: usize = 512;

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

/// Thresholds that move with [`Favor`].
#[derive(Debug, Clone, Copy)]
struct Knobs {
    /// A block with more than this share of link text is navigation.
    max_link_share: f64,
    /// Siblings of the container join it above this share of its score.
    sibling_share: f32,
    /// Short plain blocks that may bridge the region to adjacent prose.
    bridge: usize,
}

impl Knobs {
    fn new(favor: Favor) -> Self {
        match favor {
            Favor::Balanced => Self {
                max_link_share: 0.5,
                sibling_share: 0.2,
                bridge: 2,
            },
            Favor::Precision => Self {
                max_link_share: 0.3,
                sibling_share: 0.4,
                bridge: 0,
            },
            Favor::Recall => Self {
                max_link_share: 0.7,
                sibling_share: 0.1,
                bridge: 4,
            },
        }
    }
}

/// Per-element sums over its subtree.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    text: u32,
    links: u32,
}

/// Features of each block, in block order, with keyword categories worked
/// out only for the blocks whose fate can hang on them: most menu lines
/// never need one, and the phrase tests are the costliest per block.
struct Feats<'a> {
    blocks: &'a [Block],
    f: Vec<Features>,
    kw: Vec<OnceCell<Option<RemovalReason>>>,
}

impl<'a> Feats<'a> {
    fn new(blocks: &'a [Block]) -> Self {
        Feats {
            blocks,
            f: blocks.iter().map(|b| features(&b.text)).collect(),
            kw: blocks.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    /// Features of block `i` (defaults past the end, which never happens).
    fn f(&self, i: usize) -> Features {
        self.f.get(i).copied().unwrap_or_default()
    }

    /// Keyword category of block `i`, computed on first use.
    fn kw(&self, i: usize) -> Option<RemovalReason> {
        let (Some(cell), Some(b), Some(f)) = (self.kw.get(i), self.blocks.get(i), self.f.get(i))
        else {
            return None;
        };
        *cell.get_or_init(|| keyword_reason(&b.text, f))
    }
}

/// The parent of element `i`, if it has one.
fn parent_of(st: &State, i: usize) -> Option<usize> {
    st.elems
        .get(i)
        .map(|e| e.parent as usize)
        .filter(|&p| p < st.elems.len())
}

/// Propagates a per-element flag down the tree: ids are in pre-order, so a
/// parent is always settled before its children.
fn inherit<T: Copy>(st: &State, own: impl Fn(usize) -> Option<T>) -> Vec<Option<T>> {
    let mut out: Vec<Option<T>> = vec![None; st.elems.len()];
    for i in 0..out.len() {
        let inherited = parent_of(st, i).and_then(|p| out.get(p).copied().flatten());
        if let Some(slot) = out.get_mut(i) {
            *slot = inherited.or_else(|| own(i));
        }
    }
    out
}

/// Subtree text and link totals: children have larger ids than parents, so
/// one backwards sweep adds every subtree into its parent.
fn subtree_sums(st: &State) -> Vec<Sums> {
    let mut sums = vec![Sums::default(); st.elems.len()];
    for b in &st.blocks {
        if let Some(s) = sums.get_mut(b.elem as usize) {
            s.text = s.text.saturating_add(len32(&b.text));
            s.links = s.links.saturating_add(b.link_bytes);
        }
    }
    for i in (0..sums.len()).rev() {
        let (Some(p), Some(s)) = (parent_of(st, i), sums.get(i).copied()) else {
            continue;
        };
        if let Some(ps) = sums.get_mut(p) {
            ps.text = ps.text.saturating_add(s.text);
            ps.links = ps.links.saturating_add(s.links);
        }
    }
    sums
}

fn decide(st: &State, opts: &StripOptions) -> Vec<Verdict> {
    let knobs = Knobs::new(opts.favor);
    let parent = |i: usize| parent_of(st, i);
    let sums = subtree_sums(st);
    let total_text: u64 = st.blocks.iter().map(|b| b.text.len() as u64).sum();
    let holds_most = |i: usize| {
        sums.get(i)
            .is_some_and(|s| u64::from(s.text) * 2 > total_text.max(1))
    };

    let feats = Feats::new(&st.blocks);
    // Sentence-like text under each element, links and keywords aside, and
    // the page's (the roots' sum): comments are not known yet.
    let (prose_under, _) = prose_sums(st, |i, _| feats.f(i).is_prose(), parent);
    let prose_total: u64 = (0..prose_under.len())
        .filter(|&i| parent(i).is_none())
        .filter_map(|i| prose_under.get(i))
        .map(|&p| u64::from(p))
        .sum();
    // A comment-named part holding most of the page is the page (a forum
    // thread), unless a whole article stands beside it: a long post
    // followed by many comments.
    let article_beside = |i: usize| {
        prose_total.saturating_sub(prose_under.get(i).map_or(0, |&p| u64::from(p)))
            >= ARTICLE_BESIDE_COMMENTS
    };

    // Comment sections are prose-rich and would win the scoring, so they
    // are excluded from it; other marks wait until the container is known.
    let in_comments: Vec<bool> = inherit(st, |i| {
        let own = st
            .elems
            .get(i)
            .is_some_and(|e| e.mark == Some(RemovalReason::Comments));
        (own && (!holds_most(i) || article_beside(i))).then_some(())
    })
    .into_iter()
    .map(|x| x.is_some())
    .collect();

    // A page whose prose is nearly all inside comment-marked parts is a
    // discussion (forum thread, Q&A page): there the posts are the content.
    let (mut thread_prose, mut other_prose) = (0u64, 0u64);
    for (i, b) in st.blocks.iter().enumerate() {
        // The phrase tests below are the costliest per block: a call past
        // its budget stops here (the caller discards what it returns).
        if i % BUDGET_BLOCKS == 0 && crate::pipeline::budget::spent() {
            return Vec::new();
        }
        if counts_as_prose(&feats, &[], i, b) {
            if in_comments.get(b.elem as usize).copied().unwrap_or(false) {
                thread_prose += u64::from(len32(&b.text));
            } else {
                other_prose += u64::from(len32(&b.text));
            }
        }
    }
    // The page's title inside the thread tells a forum (title, opening
    // post and replies in one list) from a short post with long comments.
    let titled = st
        .blocks
        .iter()
        .any(|b| b.heading == 1 && in_comments.get(b.elem as usize).copied().unwrap_or(false));
    let discussion =
        titled && other_prose < DISCUSSION_MAX_OTHER && thread_prose >= DISCUSSION_MIN_THREAD;
    let in_comments = if discussion {
        vec![false; in_comments.len()]
    } else {
        in_comments
    };
    let keep_comments = opts.keep_comments || discussion;
    let fallback = || super::text::verdicts(st.blocks.iter().map(|b| b.text.as_str()));
    let Some((top, top_score, score)) = best_container(st, &feats, &sums, &in_comments, parent)
    else {
        return fallback();
    };
    let (prose, prose_blocks) = prose_sums(
        st,
        |i, b| counts_as_prose(&feats, &in_comments, i, b),
        parent,
    );
    let total_prose: u64 = (0..prose.len())
        .filter(|&i| parent(i).is_none())
        .filter_map(|i| prose.get(i))
        .map(|&p| u64::from(p))
        .sum::<u64>()
        .max(1);
    let top = widen(top, &prose, parent);
    if crate::pipeline::budget::spent() {
        return Vec::new();
    }

    // Marks on the container or its ancestors describe a page wrapper.
    let mut wrapper = vec![false; st.elems.len()];
    for a in ancestors(top, &parent).into_iter().chain([top]) {
        if let Some(slot) = wrapper.get_mut(a) {
            *slot = true;
        }
    }
    let is_caption = |i: usize| {
        !opts.keep_captions
            && st.elems.get(i).is_some_and(|e| e.caption)
            && sums.get(i).is_some_and(|s| s.text <= CAPTION_MAX_BYTES)
    };
    // Captions are notes on pictures, except where they carry the text.
    let any_caption = !opts.keep_captions && st.elems.iter().any(|e| e.caption);
    let gallery = any_caption && {
        let under_top = inherit(st, |i| (i == top).then_some(()));
        let in_caption = inherit(st, |i| is_caption(i).then_some(()));
        let caption_text: u64 = st
            .blocks
            .iter()
            .filter(|b| {
                let e = b.elem as usize;
                under_top.get(e).copied().flatten().is_some()
                    && in_caption.get(e).copied().flatten().is_some()
            })
            .map(|b| b.text.len() as u64)
            .sum();
        let top_text = sums.get(top).map_or(0, |s| u64::from(s.text));
        caption_text * 100 >= top_text.max(1) * GALLERY_CAPTION_PCT
    };
    let boiler = inherit(st, |i| {
        let e = st.elems.get(i)?;
        if e.mark.is_none() && !gallery && is_caption(i) && wrapper.get(i) != Some(&true) {
            return Some(RemovalReason::Other);
        }
        // Class names such as "author" or "meta" also tag whole posts
        // (a forum's opening post); a byline never holds this much prose,
        // and an author's bio is one paragraph.
        let big_other = e.small_mark
            && prose.get(i).is_some_and(|&p| p >= PROSE_OVERRULE)
            && prose_blocks.get(i).is_some_and(|&n| n >= 2);
        // An ad never holds most of a page's prose: such a class is a
        // site's naming quirk ("has-ads" on the article wrapper).
        let most_prose = e.mark == Some(RemovalReason::Advertising)
            && prose
                .get(i)
                .is_some_and(|&p| u64::from(p) * 2 > total_prose);
        // Comments under a whole article stay comments, however many.
        let comments_beside = e.mark == Some(RemovalReason::Comments) && article_beside(i);
        let overruled = wrapper.get(i).copied().unwrap_or(false)
            || (e.weak_mark && (holds_most(i) || big_other || most_prose) && !comments_beside);
        e.mark.filter(|_| !overruled)
    });
    let mark_of = |b: &Block| boiler.get(b.elem as usize).copied().flatten();

    // Content elements: the best container, plus its siblings that carry
    // a fair share of prose themselves.
    let top_parent = parent(top);
    let threshold = (top_score * knobs.sibling_share).max(10.0);
    let content = inherit(st, |i| {
        let sibling = top_parent.is_some()
            && parent(i) == top_parent
            && (score.get(i).is_some_and(|s| *s >= threshold) || direct_prose(i, &sums));
        (i == top || sibling).then_some(())
    });
    let mut in_region: Vec<bool> = st
        .blocks
        .iter()
        .map(|b| content.get(b.elem as usize).copied().flatten().is_some())
        .collect();
    extend_region(st, &feats, &mark_of, knobs.bridge, &mut in_region);
    let thread_from = thread_start(st, &feats, &mark_of, &in_region);
    if crate::pipeline::budget::spent() {
        return Vec::new();
    }

    let link_heavy = |i: usize, b: &Block| {
        let (f, chars) = (feats.f(i), len32(&b.text));
        b.heading == 0
            && f64::from(b.link_bytes) > f64::from(chars) * knobs.max_link_share
            // Long blocks may link a lot in passing; one that is nearly
            // all link text is a tag cloud or a list of titles.
            && (f.words < 40 || u64::from(b.link_bytes) * 10 > u64::from(chars) * 9)
            // A sentence of ten words or more that links most of its
            // words (to the sources it cites) is still text.
            && !(f.ends_sentence
                && f.words >= 10
                && u64::from(b.link_bytes) * 10 < u64::from(chars) * 8)
    };
    // A link wrapping whole blocks is a card (title and blurb in one
    // link). Where such cards carry at least half as many words as the
    // region's other text, the region is a catalogue of them (docs index,
    // product grid) and the cards are its content, not link lists.
    let card = |b: &Block| st.elems.get(b.elem as usize).is_some_and(|e| e.in_link);
    let catalogue = {
        let (mut cards, mut other) = (0u64, 0u64);
        for (i, b) in st.blocks.iter().enumerate() {
            if !in_region.get(i).copied().unwrap_or(false)
                || i >= thread_from
                || mark_of(b).is_some()
                || feats.kw(i).is_some()
            {
                continue;
            }
            let w = u64::from(feats.f(i).words);
            match (link_heavy(i, b), card(b)) {
                (true, true) => cards += w,
                (false, _) => other += w,
                (true, false) => {}
            }
        }
        cards >= CARD_MIN_WORDS && cards * 2 >= other
    };

    // The headline often sits outside the body container: keep the last
    // top-level heading before the content.
    let headline = in_region.iter().position(|x| *x).and_then(|fc| {
        st.blocks
            .iter()
            .take(fc)
            .rposition(|b| b.heading == 1 && mark_of(b).is_none())
    });

    // Prose between that headline and the region: when there is a fair
    // amount of it next to what the region holds, the container was
    // chosen too low and the text starts under the headline.
    let first_reg = in_region.iter().position(|x| *x).unwrap_or(0);
    let prose_words = |r: std::ops::Range<usize>| -> u64 {
        r.filter(|&i| {
            st.blocks.get(i).is_some_and(|b| {
                mark_of(b).is_none() && !link_heavy(i, b) && counts_as_prose(&feats, &[], i, b)
            })
        })
        .map(|i| u64::from(feats.f(i).words))
        .sum()
    };
    let below_headline = headline.map_or(0, |h| prose_words(h + 1..first_reg));
    let region_words = prose_words(first_reg..st.blocks.len().min(thread_from));
    let lead_in = below_headline >= BELOW_HEADLINE_MIN_WORDS
        && below_headline * BELOW_HEADLINE_SHARE_INV >= region_words;
    let mut verdicts: Vec<Verdict> = st
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mark = mark_of(b);
            let in_reg = in_region.get(i).copied().unwrap_or(false);
            let link_heavy = link_heavy(i, b);
            let comment = mark == Some(RemovalReason::Comments) || (in_reg && i >= thread_from);
            if keep_comments && comment && !link_heavy {
                return Verdict::Keep;
            }
            let lead = lead_in
                && headline.is_some_and(|h| i > h)
                && i < first_reg
                && mark.is_none()
                && !link_heavy
                && feats.kw(i).is_none()
                && (feats.f(i).is_prose() || (b.heading > 1 && feats.f(i).words >= 5));
            if lead {
                return Verdict::Keep;
            }
            if !in_reg && headline != Some(i) {
                return Verdict::Drop(mark.unwrap_or(RemovalReason::Other));
            }
            if i >= thread_from {
                return Verdict::Drop(RemovalReason::Comments);
            }
            let table =
                opts.keep_tables && st.elems.get(b.elem as usize).is_some_and(|e| e.in_table);
            if let Some(r) = mark.or_else(|| feats.kw(i).filter(|_| !table)) {
                return Verdict::Drop(r);
            }
            if link_heavy && !table && !(catalogue && card(b)) {
                return Verdict::Drop(RemovalReason::Navigation);
            }
            Verdict::Keep
        })
        .collect();
    let link_only = |i: usize, v: &Verdict| {
        *v == Verdict::Drop(RemovalReason::Navigation)
            && in_region.get(i).copied().unwrap_or(false)
            && i < thread_from
            && st
                .blocks
                .get(i)
                .is_some_and(|b| mark_of(b).is_none() && link_heavy(i, b))
            && feats.kw(i).is_none()
    };
    linked_row_heads(st, &feats, &mut verdicts, link_only);
    drop_orphan_headings(st, &feats, &mut verdicts);
    drop_widget_labels(st, &feats, headline, &mut verdicts);
    drop_own_address(st, &mut verdicts);
    related_lists(st, &feats, &mut verdicts);
    item_list(st, &feats, &sums, &boiler, &mut verdicts);
    if verdicts.contains(&Verdict::Keep) {
        verdicts
    } else {
        fallback()
    }
}

/// The table cell holding element `e` (itself or an ancestor close by).
fn cell_of(st: &State, e: u32) -> Option<u32> {
    let mut e = e as usize;
    for _ in 0..CELL_DEPTH {
        if st.elems.get(e)?.cell {
            return u32::try_from(e).ok();
        }
        e = parent_of(st, e)?;
    }
    None
}

/// A data table names each row by a linked cell (a film, a player, a
/// product) beside cells of prose: the link is the row's head, not a menu.
/// Rescued only where the head's cell holds that one mostly-linked block,
/// the prose sits in cells of one block each, and several rows of the row
/// group read so: a layout table's menu cell also sits beside the page's
/// text, but that text comes in headings and paragraphs.
fn linked_row_heads(
    st: &State,
    feats: &Feats<'_>,
    verdicts: &mut [Verdict],
    link_only: impl Fn(usize, &Verdict) -> bool,
) {
    if !st.elems.iter().any(|e| e.cell) {
        return;
    }
    // Cell -> blocks in it (headings count twice: a cell holding one is
    // a layout column); row -> words kept in its one-block cells.
    let cells: Vec<Option<u32>> = st.blocks.iter().map(|b| cell_of(st, b.elem)).collect();
    let mut cell_blocks: HashMap<u32, u32> = HashMap::new();
    for (b, c) in st.blocks.iter().zip(&cells) {
        if let Some(c) = c {
            let n = cell_blocks.entry(*c).or_default();
            *n = n.saturating_add(if b.heading > 0 { 2 } else { 1 });
        }
    }
    let mut row_words: HashMap<u32, u32> = HashMap::new();
    let mut cands = Vec::new();
    for (i, ((b, v), c)) in st
        .blocks
        .iter()
        .zip(verdicts.iter())
        .zip(&cells)
        .enumerate()
    {
        let Some(c) = *c else {
            continue;
        };
        let row = st.elems.get(c as usize).map_or(c, |e| e.parent);
        let f = feats.f(i);
        // The head opens its row: no text of the row comes before it.
        let opens_row = !row_words.contains_key(&row);
        let words = row_words.entry(row).or_default();
        let single = cell_blocks.get(&c) == Some(&1);
        if *v == Verdict::Keep && f.is_prose() && single {
            *words = words.saturating_add(f.words);
        } else if opens_row
            && link_only(i, v)
            && f.words <= ROW_HEAD_MAX_WORDS
            && b.text.contains(char::is_alphabetic)
        {
            cands.push((i, c, row));
        }
    }
    let cands: Vec<_> = cands
        .into_iter()
        .filter(|&(_, c, row)| {
            cell_blocks.get(&c) == Some(&1)
                && row_words.get(&row).copied().unwrap_or(0) >= ROW_PROSE_MIN_WORDS
        })
        .collect();
    // Rows per table body.
    let mut per_body: HashMap<u32, u32> = HashMap::new();
    let body_of = |row: u32| st.elems.get(row as usize).map_or(row, |e| e.parent);
    for &(_, _, row) in &cands {
        let n = per_body.entry(body_of(row)).or_default();
        *n = n.saturating_add(1);
    }
    for (i, _, row) in cands {
        if per_body.get(&body_of(row)).copied().unwrap_or(0) >= ROW_HEAD_MIN_ROWS
            && let Some(slot) = verdicts.get_mut(i)
        {
            *slot = Verdict::Keep;
        }
    }
}

/// A page that kept little text may be a list of items (thread index,
/// event listing, product grid): the largest unmarked run of same-shaped
/// siblings that each hold a link and a few words is then its content.
fn item_list(
    st: &State,
    feats: &Feats<'_>,
    sums: &[Sums],
    boiler: &[Option<RemovalReason>],
    verdicts: &mut [Verdict],
) {
    let kept: u64 = verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| **v == Verdict::Keep)
        .map(|(i, _)| u64::from(feats.f(i).words))
        .sum();
    if kept >= LIST_GATE_WORDS {
        return;
    }
    let kept_bytes: u64 = st
        .blocks
        .iter()
        .zip(verdicts.iter())
        .filter(|(_, v)| **v == Verdict::Keep)
        .map(|(b, _)| u64::from(len32(&b.text)))
        .sum();
    // (parent, shape) -> items, text bytes, link bytes, items with links.
    let mut groups: HashMap<(u32, u32), (u32, u64, u64, u32)> = HashMap::new();
    for (i, e) in st.elems.iter().enumerate() {
        let Some(s) = sums.get(i) else { continue };
        if e.parent == NO_PARENT || s.text == 0 {
            continue;
        }
        let g = groups.entry((e.parent, e.shape)).or_default();
        g.0 += 1;
        g.1 += u64::from(s.text);
        g.2 += u64::from(s.links);
        g.3 += u32::from(s.links > 0);
    }
    let best = groups
        .into_iter()
        .filter(|&((p, _), (n, text, links, linked))| {
            // Items: at least six, most of them linked, a title's worth
            // of text each but not whole link lists (sidebar widgets),
            // and together clearly more than what was kept.
            n >= 6
                && linked * 2 >= n
                && (10..=200).contains(&(text / u64::from(n)))
                && links * 10 >= text
                && text >= kept_bytes * 3
                && text >= 300
                && boiler.get(p as usize).is_some_and(Option::is_none)
        })
        // Ties go to the earlier list, so the choice never depends on the
        // map's order.
        .max_by_key(|&((p, shape), (_, text, _, _))| (text, std::cmp::Reverse(p), shape));
    let Some(((p, shape), _)) = best else { return };
    let p = p as usize;
    let parent = |i: usize| parent_of(st, i);
    for (i, b) in st.blocks.iter().enumerate() {
        let el = b.elem as usize;
        // The block must sit in one of the items, not beside them.
        let mut cur = Some(el);
        let mut inside = false;
        for _ in 0..MAX_DEPTH {
            let Some(c) = cur else { break };
            if parent(c) == Some(p) {
                inside = st.elems.get(c).is_some_and(|e| e.shape == shape);
                break;
            }
            cur = parent(c);
        }
        if !inside || boiler.get(el).copied().flatten().is_some() || feats.kw(i).is_some() {
            continue;
        }
        // Item titles and blurbs have words; counters, dates, initials
        // and lone user names around them are the items' furniture.
        let words = b.text.split_whitespace();
        if words.filter(|w| w.chars().any(char::is_alphabetic)).count() < 2 {
            continue;
        }
        if let Some(v) = verdicts.get_mut(i) {
            *v = Verdict::Keep;
        }
    }
}

/// The linked lines right after a "More stories" label are the list it
/// announces, even when each line has a few words of its own besides the
/// link ("Paid ads are not the problem. Our habits are"). The label has no
/// link itself (an inline "Read more: <link>" is one teaser, not a list
/// title), and the items are alike: one shape, a fifth or more linked.
fn related_lists(st: &State, feats: &Feats<'_>, verdicts: &mut [Verdict]) {
    let shape = |b: &Block| st.elems.get(b.elem as usize).map(|e| e.shape);
    let mut i = 0;
    while i < verdicts.len() {
        // Cheap tests first: the phrase tests then run only on short
        // link-free blocks already dropped as related.
        let label = verdicts.get(i) == Some(&Verdict::Drop(RemovalReason::Related))
            && st.blocks.get(i).is_some_and(|b| b.link_bytes == 0)
            && feats.f(i).words <= RELATED_LABEL_MAX_WORDS
            && feats.kw(i) == Some(RemovalReason::Related);
        i += 1;
        if !label {
            continue;
        }
        let first_shape = st.blocks.get(i).and_then(shape);
        while let (Some(b), Some(v)) = (st.blocks.get(i), verdicts.get_mut(i)) {
            let item = b.heading == 0
                && shape(b) == first_shape
                && u64::from(b.link_bytes) * 5 >= u64::from(len32(&b.text))
                && feats.f(i).words <= RELATED_ITEM_MAX_WORDS;
            if !item {
                break;
            }
            if *v == Verdict::Keep {
                *v = Verdict::Drop(RemovalReason::Related);
            }
            i += 1;
        }
    }
}

/// A heading whose whole section was dropped ("More stories", "About the
/// author" above a removed list) titles boilerplate, so it goes too. The
/// headings above the first kept text are left alone: they hold the title.
fn drop_orphan_headings(st: &State, feats: &Feats<'_>, verdicts: &mut [Verdict]) {
    let is_head =
        |i: usize| st.blocks.get(i).is_some_and(|b| b.heading > 0) && !feats.f(i).is_prose();
    let Some(first_text) =
        (0..verdicts.len()).find(|&i| verdicts.get(i) == Some(&Verdict::Keep) && !is_head(i))
    else {
        return;
    };
    // Linked headings one after another, with nothing between them, are
    // teaser titles (a "more stories" list), not the text's own headings.
    let linked_head = |i: usize, verdicts: &[Verdict]| {
        verdicts.get(i) == Some(&Verdict::Keep)
            && st.blocks.get(i).is_some_and(|b| {
                b.heading > 0 && u64::from(b.link_bytes) * 10 >= u64::from(len32(&b.text)) * 9
            })
    };
    let mut i = first_text + 1;
    while i < verdicts.len() {
        let run = (i..verdicts.len())
            .take_while(|&j| linked_head(j, verdicts))
            .count();
        if run >= 2 {
            for slot in verdicts.iter_mut().skip(i).take(run) {
                *slot = Verdict::Drop(RemovalReason::Related);
            }
        }
        i += run.max(1);
    }
    // Walk backwards, remembering whether anything of the current section
    // (the blocks after this one, up to the next heading) was dropped or kept.
    let (mut kept, mut dropped) = (false, None);
    for i in (first_text + 1..verdicts.len()).rev() {
        let Some(&v) = verdicts.get(i) else { continue };
        let head = st.blocks.get(i).is_some_and(|b| b.heading > 0);
        if v == Verdict::Keep
            && is_head(i)
            && !kept
            && let (Some(r), Some(slot)) = (dropped, verdicts.get_mut(i))
        {
            *slot = Verdict::Drop(r);
        }
        match v {
            _ if head => (kept, dropped) = (false, None),
            Verdict::Keep => kept = true,
            Verdict::Drop(r) => dropped = dropped.or(Some(r)),
        }
    }
}

/// A short label opening a box whose other blocks were all dropped as
/// link lists ("Categories" over a list of links, in a sidebar the
/// container took in) names that dropped part, so it goes with it. The box
/// is the nearest element around the label's own one holding other blocks.
fn drop_widget_labels(
    st: &State,
    feats: &Feats<'_>,
    headline: Option<usize>,
    verdicts: &mut [Verdict],
) {
    // Stripping must leave the text it found: without kept prose, the
    // labels may be all there is.
    let prose_kept = (0..verdicts.len())
        .any(|i| verdicts.get(i) == Some(&Verdict::Keep) && feats.f(i).is_prose());
    if !prose_kept {
        return;
    }
    let label = |i: usize| {
        let f = feats.f(i);
        verdicts.get(i) == Some(&Verdict::Keep)
            && headline != Some(i)
            // A table's cells are its data, however short.
            && st.blocks.get(i).is_some_and(|b| {
                b.heading != 1 && !st.elems.get(b.elem as usize).is_some_and(|e| e.in_table)
            })
            && (1..=LABEL_MAX_WORDS).contains(&f.words)
            && !f.ends_sentence
    };
    let labels: Vec<usize> = (0..verdicts.len()).filter(|&i| label(i)).collect();
    if labels.is_empty() {
        return;
    }
    // The blocks under an element are a contiguous run (text comes in
    // document order): each element's first and last block, and whether a
    // drop-down sits in it.
    let n = st.elems.len();
    let (mut first, mut last) = (vec![usize::MAX; n], vec![0usize; n]);
    let mut select: Vec<bool> = st.elems.iter().map(|e| e.select).collect();
    for (j, b) in st.blocks.iter().enumerate() {
        let e = b.elem as usize;
        if let (Some(f), Some(l)) = (first.get_mut(e), last.get_mut(e)) {
            *f = (*f).min(j);
            *l = (*l).max(j);
        }
    }
    // Parents have lower pre-order ids, so children are settled first.
    for e in (1..n).rev() {
        let (Some(p), Some(&f), Some(&l), Some(&sel)) =
            (parent_of(st, e), first.get(e), last.get(e), select.get(e))
        else {
            continue;
        };
        if let (Some(pf), Some(pl), Some(ps)) =
            (first.get_mut(p), last.get_mut(p), select.get_mut(p))
        {
            *pf = (*pf).min(f);
            *pl = (*pl).max(l);
            *ps |= sel;
        }
    }
    // Running totals over the verdicts as they stand, so that the order in
    // which labels are judged does not matter: kept blocks, blocks dropped
    // for something other than being links, and bytes dropped as links.
    let listy = |v: &Verdict| {
        matches!(
            v,
            Verdict::Drop(
                RemovalReason::Navigation | RemovalReason::Related | RemovalReason::Share
            )
        )
    };
    let mut totals = Vec::with_capacity(verdicts.len() + 1);
    let mut acc = (0u32, 0u32, 0u64);
    totals.push(acc);
    for (b, v) in st.blocks.iter().zip(verdicts.iter()) {
        acc.0 += u32::from(*v == Verdict::Keep);
        acc.1 += u32::from(*v != Verdict::Keep && !listy(v));
        acc.2 += if listy(v) { b.text.len() as u64 } else { 0 };
        totals.push(acc);
    }
    // (kept, other drops, link bytes) over blocks `lo..=hi`.
    let span = |lo: usize, hi: usize| {
        let (Some(a), Some(z)) = (totals.get(lo), totals.get(hi + 1)) else {
            return (0, 0, 0);
        };
        (z.0 - a.0, z.1 - a.1, z.2 - a.2)
    };
    let mut drops = Vec::new();
    for i in labels {
        let Some(b) = st.blocks.get(i) else { continue };
        let mut cur = Some(b.elem as usize);
        for level in 0..LABEL_BOX_LEVELS {
            let Some(a) = cur else { break };
            let (Some(&lo), Some(&hi)) = (first.get(a), last.get(a)) else {
                break;
            };
            if lo == i && hi == i {
                // A label alone with a drop-down ("Archives" over a
                // <select> of months) names that widget.
                if level > 0 && select.get(a) == Some(&true) {
                    drops.push((i, RemovalReason::Navigation));
                    break;
                }
                cur = parent_of(st, a);
                continue;
            }
            let (kept, other, dropped) = span(lo, hi);
            // A label inline with what it names ("<b>Topic</b><br>" and
            // links in one paragraph) is a list's own heading, not a box's.
            // The label opens its box, nothing else there stays (short
            // items of a list keep each other), and everything else went
            // as links.
            if level > 0
                && lo == i
                && kept == 1
                && other == 0
                && dropped >= 2 * b.text.len() as u64
                && let Some(&Verdict::Drop(r)) = verdicts.get(i + 1..=hi).and_then(|vs| vs.first())
            {
                drops.push((i, r));
            }
            break;
        }
    }
    for (i, r) in drops {
        if let Some(slot) = verdicts.get_mut(i) {
            *slot = Verdict::Drop(r);
        }
    }
}

/// The page's own address printed as a block (a share or print widget's
/// "copy link" field) is not text.
fn drop_own_address(st: &State, verdicts: &mut [Verdict]) {
    // A site's root address would match its name printed as a block
    // ("Example.org"): only an address with a path is the page's own.
    let Some(own) = st.meta.canonical().map(bare_address) else {
        return;
    };
    if !own.contains('/') {
        return;
    }
    for (b, v) in st.blocks.iter().zip(verdicts.iter_mut()) {
        if *v == Verdict::Keep && b.text.len() < own.len() + 16 && bare_address(&b.text) == own {
            *v = Verdict::Drop(RemovalReason::Share);
        }
    }
}

/// An address without scheme, `www.` and trailing slash, lower-cased, so
/// that the forms a page prints its address in compare equal.
fn bare_address(url: &str) -> String {
    let u = url.trim().to_ascii_lowercase();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(&u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches('/').to_owned()
}

/// Content split over neighbouring containers: prose right next to the
/// region, unmarked and with few links, joins it, as do up to two short
/// plain blocks (headings) between it and the region.
fn extend_region(
    st: &State,
    feats: &Feats<'_>,
    mark_of: &impl Fn(&Block) -> Option<RemovalReason>,
    bridge: usize,
    in_region: &mut [bool],
) {
    let good = |i: usize| {
        let Some(b) = st.blocks.get(i) else {
            return false;
        };
        feats.f(i).is_prose()
            && u64::from(b.link_bytes) * 4 < u64::from(len32(&b.text))
            && mark_of(b).is_none()
            && feats.kw(i).is_none()
    };
    let small = |i: usize| {
        let Some(b) = st.blocks.get(i) else {
            return false;
        };
        // A linked word or two ("View all") is a button between sections;
        // it bridges, and is still dropped as a link line.
        (b.link_bytes == 0 || feats.f(i).words <= 3)
            && mark_of(b).is_none()
            && feats.kw(i).is_none()
    };
    let (Some(first), Some(last)) = (
        in_region.iter().position(|x| *x),
        in_region.iter().rposition(|x| *x),
    ) else {
        return;
    };
    let n = st.blocks.len();
    let forward: Vec<usize> = ((last + 1)..n).collect();
    let backward: Vec<usize> = (0..first).rev().collect();
    for order in [forward, backward] {
        let mut pending: Vec<usize> = Vec::new();
        for i in order {
            if good(i) {
                for p in pending.drain(..).chain([i]) {
                    if let Some(x) = in_region.get_mut(p) {
                        *x = true;
                    }
                }
            } else if small(i) && pending.len() < bridge {
                pending.push(i);
            } else {
                break;
            }
        }
    }
}

/// Where a comment thread inside the region starts (`usize::MAX` if none):
/// its heading ("12 comments", "Leave a reply") ends the content once most
/// of the prose came first. "Name says:" lines are not enough here: forum
/// posts look the same and are content.
fn thread_start(
    st: &State,
    feats: &Feats<'_>,
    mark_of: &impl Fn(&Block) -> Option<RemovalReason>,
    in_region: &[bool],
) -> usize {
    let counted = |i: usize, b: &Block, f: &Features| {
        in_region.get(i).copied().unwrap_or(false) && f.is_prose() && mark_of(b).is_none()
    };
    let region_prose: u64 = st
        .blocks
        .iter()
        .zip(&feats.f)
        .enumerate()
        .filter(|(i, (b, f))| counted(*i, b, f))
        .map(|(_, (_, f))| u64::from(f.words))
        .sum();
    let mut seen = 0u64;
    for (i, (b, f)) in st.blocks.iter().zip(&feats.f).enumerate() {
        if !in_region.get(i).copied().unwrap_or(false) {
            continue;
        }
        // A real heading announcing comments ends the text even when the
        // thread outweighs a short post; other mentions need most prose first.
        let heading = b.heading > 0 && b.link_bytes == 0 && f.words <= 5;
        // A comment prompt inside a comment-marked widget ("Add a comment"
        // under each answer of a Q&A page) goes with its widget; only a
        // heading there may announce a thread that runs on past it.
        let widget = b.heading == 0
            && mark_of(b) == Some(RemovalReason::Comments)
            && next_post_alike(st, feats, mark_of, i);
        if seen >= 50
            && !widget
            && (heading || seen * 2 >= region_prose)
            && feats.kw(i) == Some(RemovalReason::Comments)
        {
            return i;
        }
        if counted(i, b, f) {
            seen += u64::from(f.words);
        }
    }
    usize::MAX
}

/// Whether the next prose block after block `i` sits in a post built like
/// the one holding block `i` and the prose before it (same tag and class,
/// a different element): the answers of a Q&A page, each with its own
/// comment widget.
fn next_post_alike(
    st: &State,
    feats: &Feats<'_>,
    mark_of: &impl Fn(&Block) -> Option<RemovalReason>,
    i: usize,
) -> bool {
    let parent = |x: usize| parent_of(st, x);
    let Some(b) = st.blocks.get(i) else {
        return false;
    };
    let Some(next) = st
        .blocks
        .iter()
        .enumerate()
        .skip(i + 1)
        .find(|(k, n)| counts_as_prose(feats, &[], *k, n) && mark_of(n).is_none())
        .map(|(_, n)| n.elem as usize)
    else {
        return false;
    };
    // The post must also hold the prose before the widget: its own text.
    let Some(prev) = st
        .blocks
        .iter()
        .enumerate()
        .take(i)
        .rev()
        .find(|(k, n)| counts_as_prose(feats, &[], *k, n) && mark_of(n).is_none())
        .map(|(_, n)| n.elem as usize)
    else {
        return false;
    };
    let mine = ancestors(b.elem as usize, &parent);
    let theirs = ancestors(next, &parent);
    let before = ancestors(prev, &parent);
    let own: Vec<u32> = mine
        .iter()
        .take(8)
        .filter(|a| !theirs.contains(a) && (before.contains(a) || **a == prev))
        .filter_map(|&a| st.elems.get(a).filter(|e| e.classed).map(|e| e.shape))
        .collect();
    theirs
        .iter()
        .take(8)
        .filter(|a| !mine.contains(a))
        .filter_map(|&a| st.elems.get(a).filter(|e| e.classed))
        .any(|e| own.contains(&e.shape))
}

/// Readability-style scoring: prose blocks vote for their container and, at
/// half weight, the container's parent. Returns the winner, its final score
/// and every element's raw score.
fn best_container(
    st: &State,
    feats: &Feats<'_>,
    sums: &[Sums],
    excluded: &[bool],
    parent: impl Fn(usize) -> Option<usize>,
) -> Option<(usize, f32, Vec<f32>)> {
    let mut score = vec![0f32; st.elems.len()];
    for (b, f) in st.blocks.iter().zip(&feats.f) {
        let chars = len32(&b.text);
        if chars < 25 || b.heading > 0 || u64::from(b.link_bytes) * 2 > u64::from(chars) {
            continue;
        }
        if excluded.get(b.elem as usize).copied().unwrap_or(false) {
            continue;
        }
        let commas = f.commas.min(20) as f32;
        let s = 1.0 + commas + (chars as f32 / 100.0).min(3.0);
        // Only the document root has no parent: text loose in it votes
        // for the root itself.
        let e = b.elem as usize;
        let c = parent(e).unwrap_or(e);
        if let Some(x) = score.get_mut(c) {
            *x += s;
        }
        if let Some(x) = parent(c).and_then(|g| score.get_mut(g)) {
            *x += s / 2.0;
        }
    }
    let mut finals: Vec<(usize, f32)> = Vec::new();
    for (i, s) in score.iter().enumerate() {
        if *s <= 0.0 {
            continue;
        }
        let (Some(e), Some(sum)) = (st.elems.get(i), sums.get(i)) else {
            continue;
        };
        let ld = if sum.text > 0 {
            sum.links as f32 / sum.text as f32
        } else {
            0.0
        };
        let fs = (s + f32::from(e.weight)) * (1.0 - ld.min(1.0));
        finals.push((i, fs));
    }
    let &(top, top_score) = finals.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let mut top = promote(st, top, top_score, &finals, &parent);
    // Rows of prose cells vote for their table body; the text around a
    // data table (its introduction) belongs with it, so start from the
    // element holding the table.
    for _ in 0..4 {
        match (st.elems.get(top), parent(top)) {
            (Some(e), Some(p)) if e.table_body => top = p,
            _ => break,
        }
    }
    Some((top, top_score, score))
}

/// Whether block `i` is unlinked text reading as sentences, outside the
/// elements flagged in `in_comments` (none when it is empty).
fn counts_as_prose(feats: &Feats<'_>, in_comments: &[bool], i: usize, b: &Block) -> bool {
    feats.f(i).is_prose()
        && u64::from(b.link_bytes) * 4 < u64::from(len32(&b.text))
        && !in_comments.get(b.elem as usize).copied().unwrap_or(false)
        && feats.kw(i).is_none()
}

/// The text of blocks that `counts` as prose in each element's subtree:
/// bytes, and how many blocks they come in.
fn prose_sums(
    st: &State,
    counts: impl Fn(usize, &Block) -> bool,
    parent: impl Fn(usize) -> Option<usize>,
) -> (Vec<u32>, Vec<u32>) {
    let mut prose = vec![0u32; st.elems.len()];
    let mut count = vec![0u32; st.elems.len()];
    for (i, b) in st.blocks.iter().enumerate() {
        let el = b.elem as usize;
        let chars = len32(&b.text);
        if let (true, Some(x), Some(n)) = (counts(i, b), prose.get_mut(el), count.get_mut(el)) {
            *x = x.saturating_add(chars);
            *n += 1;
        }
    }
    for i in (0..prose.len()).rev() {
        let (Some(p), Some(v), Some(n)) = (parent(i), prose.get(i).copied(), count.get(i).copied())
        else {
            continue;
        };
        if let (Some(x), Some(m)) = (prose.get_mut(p), count.get_mut(p)) {
            *x = x.saturating_add(v);
            *m = m.saturating_add(n);
        }
    }
    (prose, count)
}

/// Climbs from `top` while the parent holds clearly more prose than it:
/// pages built from many sections spread their text over sibling wrappers.
/// Prose here is unlinked, non-comment text reading as sentences; chrome
/// fails that test, so the climb stops where only chrome would be added.
fn widen(top: usize, prose: &[u32], parent: impl Fn(usize) -> Option<usize>) -> usize {
    // Wrappers that add nothing are passed through, not stopped at.
    let mut best = top;
    let mut cur = parent(top);
    for _ in 0..MAX_DEPTH {
        let Some(a) = cur else { break };
        let (Some(&mine), Some(&theirs)) = (prose.get(best), prose.get(a)) else {
            break;
        };
        if f64::from(theirs) > f64::from(mine) * WIDEN_FACTOR {
            best = a;
        }
        cur = parent(a);
    }
    best
}

/// Ancestors of `i`, nearest first, at most `MAX_DEPTH` of them.
fn ancestors(i: usize, parent: &impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = parent(i);
    while let Some(c) = cur {
        if out.len() >= MAX_DEPTH {
            break;
        }
        out.push(c);
        cur = parent(c);
    }
    out
}

/// When content is split over several near-equal containers (forum posts,
/// list entries, article parts), moves up to the nearest element holding
/// the winner and at least two of its rivals.
fn promote(
    st: &State,
    top: usize,
    top_score: f32,
    finals: &[(usize, f32)],
    parent: &impl Fn(usize) -> Option<usize>,
) -> usize {
    let top_chain = ancestors(top, parent);
    let mut rivals: Vec<(usize, f32)> = finals
        .iter()
        .copied()
        .filter(|&(i, s)| i != top && s >= top_score * 0.75 && !top_chain.contains(&i))
        .collect();
    rivals.sort_by(|a, b| b.1.total_cmp(&a.1));
    rivals.truncate(5);
    let rival_chains: Vec<Vec<usize>> = rivals
        .iter()
        .map(|&(i, _)| {
            let mut c = ancestors(i, parent);
            c.push(i);
            c
        })
        .filter(|c| !c.contains(&top))
        .collect();
    if rival_chains.len() >= 2 {
        for &a in &top_chain {
            if rival_chains.iter().filter(|c| c.contains(&a)).count() >= 2 {
                return a;
            }
        }
    }
    // Kin of the winner (built like it, a fair share of its score) joined
    // through a near common ancestor: a story continued after an ad break,
    // a short thread. Distant wrappers are never chosen this way.
    let shape = |i: usize| st.elems.get(i).map(|e| e.shape);
    let share = if st.elems.get(top).is_some_and(|e| e.classed) {
        KIN_SHARE
    } else {
        0.75
    };
    let kin: Vec<Vec<usize>> = finals
        .iter()
        .filter(|&&(i, s)| {
            i != top && s >= top_score * share && shape(i) == shape(top) && !top_chain.contains(&i)
        })
        .map(|&(i, _)| ancestors(i, parent))
        .filter(|c| !c.contains(&top))
        .collect();
    for &a in top_chain.iter().take(NEAR_LEVELS) {
        if kin
            .iter()
            .any(|c| c.iter().take(NEAR_LEVELS).any(|&x| x == a))
        {
            return a;
        }
    }
    top
}

/// Whether element `i` itself holds prose with few links.
fn direct_prose(i: usize, sums: &[Sums]) -> bool {
    let Some(s) = sums.get(i) else { return false };
    s.text >= 80 && u64::from(s.links) * 4 < u64::from(s.text)
}

fn len32(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
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

#[cfg(test)]
mod tests {
    use super::super::PageMetadata;
    use super::*;

    const PAGE: &str = r##"<!doctype html><html><head>
<title>Night Trains Return to the Alps | The Valley Courier</title>
<style>p { color: red }</style>
<script>var x = "<p>not text</p>"; document.write("hidden script words");</script>
</head><body>
<div id="cookie-consent"><p>We use cookies to give you the best experience. Accept all?</p></div>
<header class="site-header"><nav class="mainNav"><ul><li><a href="/">Home</a></li>
<li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="wrapper has-sidebar">
<article class="post">
<h1>Night Trains Return to the Alps</h1>
<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
<div class="entry-content">
<p>After a gap of almost twenty years, a sleeper service between the two mountain towns will run again from next spring, the operator said on Monday.</p>
<p>The carriages, rebuilt in a workshop near the border, offer compartments for four &amp; six travellers, and a small dining car that serves breakfast before arrival.</p>
<p hidden>This paragraph is hidden and must not appear.</p>
<p style="display: none">Neither must this one, which is styled away.</p>
<p aria-hidden="true">Nor this one, hidden from assistive technology.</p>
<p>Tickets go on sale in January, and the first departures are expected to sell out quickly, according to travel agents in the region.</p>
</div>
</article>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Bridge closed for repairs after storm damage</a></li>
<li><a href="/b">Mayor opens new library in the old station</a></li></ul></aside>
</div>
<section id="comments"><h2>3 Comments</h2>
<p>What a lovely idea, I took that train as a child, and I still remember the snow at dawn.</p>
<p>Finally some good news for people who do not want to fly, well done to everyone involved.</p></section>
<footer><p>© 2026 The Valley Courier. All rights reserved.</p><p><a href="/privacy">Privacy policy</a></p></footer>
</body></html>"##;

    fn run(html: &str) -> Stripped {
        strip(html, &StripOptions::default())
    }

    #[test]
    fn article_page() {
        let s = run(PAGE);
        assert_eq!(s.title.as_deref(), Some("Night Trains Return to the Alps"));
        let paras: Vec<&str> = s.text.split("\n\n").collect();
        assert_eq!(paras.first(), Some(&"Night Trains Return to the Alps"));
        assert_eq!(paras.len(), 4, "{paras:?}");
        assert!(s.text.contains("four & six travellers"));
        assert!(s.text.ends_with("travel agents in the region."));
        for gone in [
            "hidden",
            "styled away",
            "assistive",
            "Tweet",
            "cookies",
            "Home",
            "Most read",
            "lovely",
            "©",
            "not text",
            "color",
        ] {
            assert!(!s.text.contains(gone), "{gone} kept");
        }
        let reason = |needle: &str| {
            s.removed
                .iter()
                .find(|r| r.text.contains(needle))
                .map(|r| r.reason)
        };
        assert_eq!(reason("cookies"), Some(RemovalReason::Cookie));
        assert_eq!(reason("Tweet"), Some(RemovalReason::Share));
        assert_eq!(reason("lovely"), Some(RemovalReason::Comments));
        assert_eq!(reason("Sport"), Some(RemovalReason::Navigation));
        assert!(reason("©").is_some());
        assert!(reason("hidden script words").is_none());
    }

    #[test]
    fn deep_nesting_and_huge_inputs() {
        let deep = format!(
            "{}<p>deep words here</p>{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let s = run(&deep);
        assert!(s.text.contains("deep words here"));

        let line = format!("<p>{}</p>", "long line of text, ".repeat(220_000));
        assert!(run(&line).text.len() > 4_000_000);

        let attr = format!("<div class=\"{}\"><p>x y z</p></div>", "a".repeat(1 << 20));
        let _ = run(&attr);
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            "",
            "   ",
            "<",
            "<<<>>>",
            "</p></div></body>",
            "<p",
            "<!--",
            "<script>",
            "<title>",
            "&amp;&#0;&#xD800;&bogus;",
            "\u{0}\u{1}<p>\u{7}</p>",
            "<a href='x",
            "<table><td><td><tr><li><li>",
            "<svg><p>inside svg</svg>",
            "\u{feff}<html>",
        ] {
            let _ = run(input);
        }
        let tags = "<div><span><p><li><a><b><td>".repeat(20_000);
        let _ = run(&tags);
    }

    #[test]
    fn unclosed_title_does_not_swallow_page() {
        let html = format!(
            "<html><head><title>Short title<body><p>{}</p></body></html>",
            "Readers wrote in with many questions about the new timetable, and here are the answers. ".repeat(5)
        );
        assert!(run(&html).text.contains("new timetable"));
    }

    #[test]
    fn self_closing_tags() {
        let html = "<body><script src=a.js /><p>var hidden = 1;</p></script>\
                    <svg/><p>The ferry timetable changes next week, with two extra \
                    crossings on Saturdays and Sundays during the summer.</p></body>";
        let s = run(html);
        assert!(!s.text.contains("hidden"));
        assert!(s.text.contains("ferry timetable"));
    }

    #[test]
    fn nested_heads_end_together() {
        let html = "<head><title>A</title><html><head><meta charset=utf-8></head>\
                    <body><p>The council approved the new cycle lanes after a long debate, \
                    and work will start in the spring.</p></body>";
        assert!(run(html).text.starts_with("The council approved"));
    }

    #[test]
    fn class_tokens() {
        assert_eq!(class_signal("site-header shadow").0, None);
        assert_eq!(class_signal("ad-slot").0, Some(RemovalReason::Advertising));
        assert_eq!(class_signal("topAd").0, Some(RemovalReason::Advertising));
        assert_eq!(class_signal("mainNav").0, Some(RemovalReason::Navigation));
        assert_eq!(class_signal("photo-credit").0, Some(RemovalReason::Other));
        assert_eq!(class_signal("imageCredits").0, Some(RemovalReason::Other));
        assert_eq!(class_signal("incredible").0, None);
        assert!(class_signal("entry-content").1 > 0);
        assert_eq!(
            clean_title("Night Trains Return | Courier"),
            "Night Trains Return"
        );
        assert_eq!(clean_title("Home | Courier"), "Home | Courier");
    }

    const BLOG: &str = r#"<!DOCTYPE html><html lang="en-GB"><head>
<meta charset="utf-8"><title>Rebuilding a Dry Stone Wall | Field Notes</title>
<meta name="author" content="Maren Holt">
<meta property="article:published_time" content="2025-05-14T09:30:00+01:00">
<meta property="og:site_name" content="Field Notes">
<link rel="stylesheet" href="/s.css"><link rel="canonical" href="https://fieldnotes.example/dry-stone-wall">
</head><body>
<nav><a href="/">Home</a> <a href="/walls">Walls</a> <a href="/gates">Gates</a></nav>
<article><h1>Rebuilding a Dry Stone Wall</h1>
<p>The wall along the lower meadow had slumped in three places after the winter, so we took it down to the footings and started again, sorting every stone by size.</p>
<p>Through-stones go in every metre or so, tying both faces together, and the hearting between the faces is packed by hand rather than thrown in loose.</p>
<table><tr><td><a href="/t/1">Lime</a></td><td><a href="/t/2">Slate</a></td><td><a href="/t/3">Sandstone</a></td></tr></table>
<p>By the end of the second weekend the wall stood straight again, and the sheep had already found the one gap we had not closed.</p>
</article>
<section class="comments"><h2>Responses</h2>
<p>We did the same on our farm last autumn, and the through-stones made all the difference to how solid it feels.</p>
<p>Lovely write-up, the photos of the sorted piles of stone are really helpful for a beginner like me.</p>
</section>
<footer><p>Copyright 2025 Field Notes</p></footer>
</body></html>"#;

    #[test]
    fn metadata_from_head() {
        let m = run(BLOG).metadata;
        assert_eq!(m.author.as_deref(), Some("Maren Holt"));
        assert_eq!(m.published.as_deref(), Some("2025-05-14T09:30:00+01:00"));
        assert_eq!(m.site_name.as_deref(), Some("Field Notes"));
        assert_eq!(
            m.canonical_url.as_deref(),
            Some("https://fieldnotes.example/dry-stone-wall")
        );
        assert_eq!(m.language.as_deref(), Some("en"));

        let ld = r#"<html><head><meta property="og:locale" content="de_DE">
<meta property="og:url" content="https://zeitung.example/a/1">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-11-02",
"author":{"@type":"Person","name":"Jonas Berg"},"publisher":{"name":"Die Zeitung"}}</script>
</head><body><p>Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt beschlossen.</p></body></html>"#;
        let s = run(ld);
        assert!(!s.text.contains("NewsArticle"));
        assert_eq!(
            s.metadata,
            PageMetadata {
                author: Some("Jonas Berg".into()),
                published: Some("2024-11-02".into()),
                site_name: Some("Die Zeitung".into()),
                canonical_url: Some("https://zeitung.example/a/1".into()),
                language: Some("de".into()),
            }
        );
        assert_eq!(
            run("<p>no metadata at all here</p>").metadata,
            PageMetadata::default()
        );
    }

    #[test]
    fn options_change_the_output() {
        let plain = run(BLOG);
        assert!(plain.text.contains("second weekend"));
        assert!(!plain.text.contains("Lovely write-up"));
        assert!(!plain.text.contains("Sandstone"));

        let with_comments = strip(
            BLOG,
            &StripOptions {
                keep_comments: true,
                ..StripOptions::default()
            },
        );
        assert!(with_comments.text.contains("Lovely write-up"));
        assert!(with_comments.text.contains("second weekend"));
        assert!(!with_comments.text.contains("Gates"));

        let with_tables = strip(
            BLOG,
            &StripOptions {
                keep_tables: true,
                ..StripOptions::default()
            },
        );
        assert!(with_tables.text.contains("Sandstone"));
        assert!(!with_tables.text.contains("Lovely write-up"));

        // Recall never keeps less than the balanced setting, precision never more.
        let words = |s: &Stripped| s.text.split_whitespace().count();
        let favor = |f: Favor| {
            strip(
                BLOG,
                &StripOptions {
                    favor: f,
                    ..StripOptions::default()
                },
            )
        };
        assert!(words(&favor(Favor::Recall)) >= words(&plain));
        assert!(words(&favor(Favor::Precision)) <= words(&plain));
        assert!(favor(Favor::Precision).text.contains("second weekend"));
    }

    #[test]
    fn nested_table_rows_stay_in_their_table() {
        // Unclosed rows and cells in a nested table must not close the outer
        // layout row, or the article after it loses its container.
        let para = "The harbour wall was rebuilt over the winter, and the fishing boats returned in March after a long season spent moored upriver. ";
        let html = format!(
            "<table><tr><td><a href=/>Home</a></td></tr><tr><td>\
             <table class=box><tr><td>Box one<tr><td>Box two</table>\
             <p>{para}</p><p>{para}</p><p>{para}</p><p>{para}</p>\
             <table><tr><td>x</td></tr><td>y</td></tr></table>\
             <p>{para}</p><p>Final words of the story, which also belong to it.</p>\
             </td></tr></table>"
        );
        let s = run(&html);
        assert_eq!(s.text.matches("harbour wall").count(), 5, "{}", s.text);
        assert!(s.text.contains("Final words"));
    }

    #[test]
    fn byline_class_on_a_whole_post() {
        let post = |who: &str, class: &str, body: &str| {
            format!(
                "<div class=\"reply {class}\"><div class=meta>{who} wrote on Monday</div><div class=body>{body}</div></div>"
            )
        };
        let two = "<p>I have built three raised beds this spring, each about a metre wide and two long, and filled them with compost from the council site, which was cheaper than bagged compost by a long way.</p>\
                   <p>Should I cover them over the summer, or can I sow straight into the compost without waiting for it to settle? The beds are in full sun, and the old lawn underneath was only dug over once.</p>\
                   <p>Any advice on what to grow first would be welcome, since this is my first year with a vegetable garden and I would rather not waste a season finding out the hard way.</p>";
        let one = "<p>Sow straight away, the compost settles as the roots go down, and covering it would only keep the rain out, which the beds need in a dry summer like the last one.</p>\
                   <p>Keep it watered in the first weeks, though, since fresh compost dries out faster than you would expect, and seedlings suffer first when it does.</p>\
                   <p>Salad leaves, radishes and beans are the easiest start, and all of them like a bed that has not had time to settle.</p>";
        let html = format!(
            "<body><nav><a href=/>Forum</a> <a href=/t>Topics</a></nav><h1>Raised beds: cover or sow?</h1>\
             <div class=thread>{}{}{}</div>\
             <div class=author-bio><p>Sam writes about small gardens and keeps bees on an allotment by the river, where the soil is heavy clay.</p></div></body>",
            post("Kim", "topic-author", two),
            post("Sam", "", one),
            post("Lee", "", one)
        );
        let s = run(&html);
        assert!(s.text.contains("three raised beds"), "{}", s.text);
        assert!(s.text.contains("Sow straight away"));
        assert!(!s.text.contains("keeps bees"));
    }

    #[test]
    fn story_split_by_an_ad_break() {
        let para = |n: usize| {
            format!(
                "<p>Part {n}: the ferry company, which has run the crossing since the war, said on Friday that the older of its two boats would be retired, and that a new one, built in a yard further up the coast, would take its place in the spring.</p>"
            )
        };
        let part = |a: usize, b: usize| {
            format!(
                "<div class=section><div class=\"story-part\">{}{}{}</div></div>",
                para(a),
                para(b),
                para(b + 10)
            )
        };
        let html = format!(
            "<body><nav><a href=/>Home</a> <a href=/n>News</a></nav><article><h1>The old ferry retires</h1>\
             {}<div class=\"ad-slot\"><p>Advertisement</p></div>{}</article>\
             <aside><h3>Most read</h3><ul><li><a href=/x>Storm closes the coast road for a day</a></li></ul></aside></body>",
            part(1, 2),
            part(3, 4)
        );
        let s = run(&html);
        for n in ["Part 1:", "Part 2:", "Part 3:", "Part 4:"] {
            assert!(s.text.contains(n), "{n} lost: {}", s.text);
        }
        assert!(!s.text.contains("Advertisement"));
        assert!(!s.text.contains("coast road"));
    }

    #[test]
    fn heading_of_a_dropped_section_goes_too() {
        let para = "<p>The orchard was planted by the school in the spring, and the pupils now look after the young trees every week, watering them through the summer holidays.</p>";
        let html = format!(
            "<body><article><h1>Pupils plant an orchard</h1>{para}<h2>What comes next</h2>{para}{para}\
             <h2>Elsewhere on the site</h2><ul><li><a href=/a>Bake sale raises money for the library</a></li>\
             <li><a href=/b>New bus stop outside the gates</a></li><li><a href=/c>Choir sings at the town hall</a></li></ul>\
             </article></body>"
        );
        let s = run(&html);
        assert!(s.text.starts_with("Pupils plant an orchard"), "{}", s.text);
        assert!(s.text.contains("What comes next"));
        assert!(!s.text.contains("Bake sale"));
        assert!(!s.text.contains("Elsewhere on the site"), "{}", s.text);
    }

    #[test]
    fn runs_of_linked_headings_are_teasers() {
        let para = "<p>The harbour wall will be raised by a metre before the winter storms, and the works start next week with the western pier.</p>";
        let html = format!(
            "<body><article><h1><a href=/self>Harbour wall to be raised</a></h1>{para}\
             <ul><li><h4><a href=/a>Fishing fleet returns early</a></h4></li>\
             <li><h4><a href=/b>Ferry fares to rise in spring</a></h4></li></ul>\
             {para}<h3>What the works involve</h3>{para}</article></body>"
        );
        let s = run(&html);
        assert!(
            s.text.starts_with("Harbour wall to be raised"),
            "{}",
            s.text
        );
        assert!(s.text.contains("What the works involve"));
        assert_eq!(s.text.matches("harbour wall will").count(), 3);
        assert!(!s.text.contains("Fishing fleet"), "{}", s.text);
        assert!(!s.text.contains("Ferry fares"), "{}", s.text);
    }

    #[test]
    fn linked_sentences_stay() {
        let para = "<p>The reservoir is at its lowest level for a decade, and the water company has asked households to take shorter showers this month.</p>";
        let html = format!(
            "<body><article><h1>Reservoir running low</h1>{para}\
             <p>The <a href=/a>regional drought plan of the water company</a>, published last year, sets out <a href=/b>four stages of restrictions</a>.</p>\
             {para}<p><a href=/c>Weather forecast for the week</a> ahead</p>{para}</article></body>"
        );
        let s = run(&html);
        assert!(
            s.text.contains("four stages of restrictions."),
            "{}",
            s.text
        );
        assert!(!s.text.contains("Weather forecast"), "{}", s.text);
    }

    #[test]
    fn captions_and_photo_credits_are_dropped() {
        let para = "<p>The old mill by the river has reopened as a bakery, and the queue on its first morning stretched past the bridge.</p>";
        let html = format!(
            "<body><article><h1>Mill reopens as a bakery</h1>{para}\
             <figure><img src=a.jpg><figcaption>The mill on its first morning</figcaption>\
             <div class=photo-credit>Picture: Town Archive</div></figure>{para}{para}</article></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("queue on its first morning"), "{}", s.text);
        assert!(
            !s.text.contains("The mill on its first morning"),
            "{}",
            s.text
        );
        assert!(!s.text.contains("Town Archive"), "{}", s.text);
        assert!(
            s.removed
                .iter()
                .any(|r| r.text == "The mill on its first morning"
                    && r.reason == RemovalReason::Other)
        );

        let kept = strip(
            &html,
            &StripOptions {
                keep_captions: true,
                ..StripOptions::default()
            },
        );
        assert!(
            kept.text.contains("The mill on its first morning"),
            "{}",
            kept.text
        );
        assert!(!kept.text.contains("Town Archive"), "{}", kept.text);
    }

    #[test]
    fn a_page_without_body_keeps_its_loose_text() {
        // Old hand-written pages put their text straight into the
        // document, between a few blocks, with no <html> or <body>.
        let html = "<a href=/>Back to the index</a><hr><center><h1>Notes on the river survey</h1></center>\n\
            The survey started in April, when the water was still high, and we counted \
            the birds along both banks every morning for three weeks.\n<h3>Method</h3>\n\
            Each team walked its own stretch, wrote down what it saw, and met the others \
            at the bridge at noon to compare notes before the afternoon walk.\n\
            <blockquote>Count what you see, not what you expect to see.</blockquote>\n\
            The herons, which we had expected to find everywhere, turned out to keep to \
            the slow water below the weir, while the kingfishers stayed upstream.";
        let s = run(html);
        for needle in [
            "The survey started in April",
            "Each team walked its own stretch",
            "The herons, which we had expected",
        ] {
            assert!(s.text.contains(needle), "{needle}: {}", s.text);
        }
        assert!(!s.text.contains("Back to the index"), "{}", s.text);
        // Loose text alone, with no block element beside it to vote.
        let bare = html
            .replace("<blockquote>", "")
            .replace("</blockquote>", "");
        let s = run(&bare);
        assert!(s.text.contains("The herons, which we had"), "{}", s.text);
        assert!(!s.text.contains("Back to the index"), "{}", s.text);
    }

    #[test]
    fn debris_before_the_body_is_not_text() {
        // A template that lost a script's opening tag spills its source
        // before <html>; browsers would show it, nobody wants it.
        let code = "*/ var offsetX=12, offsetY=10; document.write('tip') \
            if (ie || ns6) { var tip = document.all ? document.all['tip'] : null, shown = false }";
        let html = format!(
            "{code}<html><body><article><h1>Harbour news</h1><p>{}</p></article></body></html>",
            "The harbour reopened on Monday after the winter repairs, and the first ferries \
             sailed on time despite the wind, to the relief of the island's shops. "
                .repeat(3)
        );
        let s = run(&html);
        assert!(s.text.contains("The harbour reopened"), "{}", s.text);
        assert!(!s.text.contains("document.write"), "{}", s.text);
        // Gone before scoring, where it could pull the container up to
        // the document's root.
        let st = tokenize(&html);
        assert!(st.blocks.iter().all(|b| !b.text.contains("offsetX")));
        assert!(st.blocks.iter().any(|b| b.text.contains("Harbour news")));
    }

    #[test]
    fn the_pages_own_address_is_not_text() {
        let para = "The harbour board met on Tuesday to settle the winter timetable, \
                    and the ferry will keep two crossings a day until the spring.";
        let html = format!(
            "<head><link rel=canonical href=\"https://news.example.org/ferries/winter-timetable-for-the-island-crossings-set-by-the-board/\"></head>\
             <body><div id=main><h1>Winter ferries</h1>\
             <div>http://www.news.example.org/ferries/winter-timetable-for-the-island-crossings-set-by-the-board</div>\
             <p>{para}</p><p>{para} See news.example.org/ferries/winter-archive for more.</p>\
             <p>news.example.org/ferries/spring-timetable-for-the-island-crossings-set-by-the-board</p></div></body>"
        );
        let s = run(&html);
        assert!(!s.text.contains("www.news"), "{}", s.text);
        assert!(
            s.removed
                .iter()
                .any(|r| r.reason == RemovalReason::Share && r.text.contains("/winter-timetable")),
            "{:?}",
            s.removed
        );
        // A site's root address names the site: its name stays.
        let root = "<head><link rel=canonical href=https://www.harbour-news.example/></head>\
                    <body><div id=main><h1>Winter ferries</h1><p>Harbour-news.example</p>\
                    <p>The harbour board met on Tuesday to settle the winter timetable, \
                    and the ferry will keep two crossings a day until the spring.</p></div></body>";
        assert!(run(root).text.contains("Harbour-news.example"));
        // Other addresses, and the address inside a sentence, stay.
        assert!(s.text.contains("ferries/spring-timetable"), "{}", s.text);
        assert!(s.text.contains("winter-archive"), "{}", s.text);
    }

    #[test]
    fn labels_of_dropped_widgets_go_with_them() {
        let links = |n: usize| {
            (0..n)
                .map(|i| format!("<li><a href=/c/{i}>Topic number {i}</a></li>"))
                .collect::<String>()
        };
        let para = "The harbour board met on Tuesday to settle the winter timetable, \
                    and the ferry will keep two crossings a day until the spring.";
        let html = format!(
            "<body><div id=main><h1>Winter ferries</h1><p>{para}</p><p>{para}</p><p>{para}</p>\
             <div><blockquote>Island walks</blockquote><ul>{}</ul></div>\
             <div><h4>Walks by month</h4><form><select><option>March</option>\
             <option>April</option></select></form></div>\
             <div><h4>Opening hours</h4><p>The ticket office opens daily at nine, \
             and closes when the last boat has left.</p><ul>{}</ul></div>\
             <p><b>Sources</b><br><a href=/s/1>Harbour board minutes</a> | \
             <a href=/s/2>Ferry company notice</a></p>\
             <table><tr><td>Crossing time</td><td><a href=/t>Winter timetable and fares for every crossing</a></td></tr>\
             </table></div></body>",
            links(6),
            links(4),
        );
        let s = run(&html);
        assert!(!s.text.contains("Island walks"), "{}", s.text);
        assert!(!s.text.contains("Walks by month"), "{}", s.text);
        assert!(
            s.removed.iter().any(|r| r.text == "Island walks"),
            "{:?}",
            s.removed
        );
        // A label whose box keeps text, one inline with its links, and a
        // table cell all stay.
        for kept in ["Opening hours", "Sources", "Crossing time"] {
            assert!(s.text.contains(kept), "{kept}: {}", s.text);
        }
        // Short items of a list keep each other, whatever else the list
        // held; a picture's title stays when only its credit went.
        let html = format!(
            "<body><div id=main><h1>Harbour soup</h1><p>{para}</p><p>{para}</p>\
             <div><h3>You need</h3><ul><li>two onions</li>\
             <li><a href=/shop>Buy our harbour spice mix in the online shop</a></li>\
             <li>fresh fish</li></ul></div>\
             <div><p>Harbour at dawn</p><p>Photo: Jan Berg, Harbour Daily</p></div>\
             <p>{para}</p></div></body>"
        );
        let s = run(&html);
        for kept in ["two onions", "fresh fish", "Harbour at dawn"] {
            assert!(s.text.contains(kept), "{kept}: {}", s.text);
        }
        assert!(!s.text.contains("Jan Berg"), "{}", s.text);
    }

    #[test]
    fn linked_row_heads_of_a_data_table_stay() {
        let row = |title: &str, year: u32, about: &str| {
            format!(
                "<tr><th scope=row><i><a href=/wiki/{year}>{title}</a></i></th>\
                 <td>{year}</td><td>{about}</td></tr>"
            )
        };
        let html = format!(
            "<body><nav><ul><li><a href=/>Home</a><li><a href=/a>About</a></ul></nav>\
             <div id=content><h1>Films set on night trains</h1>\
             <p>This list collects films whose story mostly takes place on a sleeper train, \
             from the early talkies to recent thrillers, with the year of release.</p>\
             <table><tr><th>Film<th>Year<th>Description</tr>{}{}{}</table></div></body>",
            row(
                "Midnight Couchette",
                1951,
                "Two strangers share a compartment and discover they are chasing the same thief."
            ),
            row(
                "The Last Sleeper",
                1987,
                "A conductor on his final run tries to keep a family feud from wrecking the trip."
            ),
            row(
                "Border Lights",
                2014,
                "A customs officer is stuck on a train that keeps arriving at the same frontier."
            ),
        );
        let s = run(&html);
        for title in ["Midnight Couchette", "The Last Sleeper", "Border Lights"] {
            assert!(s.text.contains(title), "{title}: {}", s.text);
        }
        assert!(!s.text.contains("About"), "{}", s.text);
        // Menu cells beside the columns of a layout table are not row heads.
        let column = |link: &str, head: &str, text: &str| {
            format!(
                "<tr><td><a href=/{}>{link}</a></td><td><h1>{head}</h1><p>{}</p></td></tr>",
                link.len(),
                text.repeat(2)
            )
        };
        let layout = format!(
            "<body><table>{}{}{}</table></body>",
            column(
                "Harbour webcam",
                "Summer sailings",
                "In summer the boats run every hour from seven until the last light. "
            ),
            column(
                "Island Ferries Ltd",
                "Winter sailings",
                "The winter timetable starts in November, with two crossings a day on weekdays. "
            ),
            column(
                "Timetable archive",
                "Old timetables",
                "Older timetables, back to the first steam crossings, are kept for local historians. "
            ),
        );
        let s = run(&layout);
        assert!(s.text.contains("winter timetable"), "{}", s.text);
        assert!(!s.text.contains("Island Ferries Ltd"), "{}", s.text);
        assert!(!s.text.contains("Timetable archive"), "{}", s.text);
        assert!(!s.text.contains("Harbour webcam"), "{}", s.text);
        // Each row's text sits in a one-block cell here, as in a data
        // table, but a lone row does not make the table one.
        let lone = format!(
            "<body><div id=main><p>{}</p><table><tr><td><a href=/w>Harbour webcam</a></td>\
             <td>{}</td></tr></table></div></body>",
            "The harbour board met on Tuesday to settle the winter timetable. ".repeat(3),
            "In summer the boats run every hour from seven until the last light."
        );
        let s = run(&lone);
        assert!(s.text.contains("boats run every hour"), "{}", s.text);
        assert!(!s.text.contains("Harbour webcam"), "{}", s.text);
    }

    #[test]
    fn a_photo_essay_keeps_its_captions() {
        let intro = "<p>We spent a week walking the coast path from the lighthouse to the harbour, and these are the moments we want to remember.</p>";
        let shot = |n: u32, caption: &str| {
            format!("<figure><img src={n}.jpg><figcaption>{caption}</figcaption></figure>")
        };
        let html = format!(
            "<body><article><h1>A week on the coast path</h1>{intro}{}{}{}{}</article></body>",
            shot(
                1,
                "Fog lifting off the cliffs at dawn, with the lighthouse still lit behind us."
            ),
            shot(
                2,
                "A seal watching the fishing boats come back in, unbothered by the gulls above."
            ),
            shot(
                3,
                "The harbour wall at low tide, covered in weed and old rope from the winter storms."
            ),
            shot(
                4,
                "Our last evening: chips on the sea wall while the sun went down over the bay."
            ),
        );
        let s = run(&html);
        assert!(
            s.text.contains("A seal watching the fishing boats"),
            "{}",
            s.text
        );
        assert!(s.text.contains("chips on the sea wall"), "{}", s.text);
    }

    #[test]
    fn an_inline_teaser_leaves_the_next_paragraph() {
        let para = "<p>The committee met on Tuesday to review the budget, and after a long debate it agreed to fund the new library wing in full.</p>";
        let html = format!(
            "<body><article><h1>Library wing funded</h1>{para}\
             <p>Read more: <a href=/a>Old wing history</a></p>\
             <p>The <a href=/plan>council's plan</a> names the builder next month.</p>\
             {para}{para}</article></body>"
        );
        let s = run(&html);
        assert!(
            s.text.contains("names the builder next month"),
            "{}",
            s.text
        );
        assert!(!s.text.contains("Old wing history"), "{}", s.text);
    }

    #[test]
    fn a_more_stories_label_takes_its_list() {
        let para = "<p>The committee met on Tuesday to review the budget, and after a long debate it agreed to fund the new library wing in full.</p>";
        let html = format!(
            "<body><article><h1>Library wing funded</h1>{para}{para}{para}<hr>\
             <div class=heading>More Great Daily Stories</div><ul>\
             <li>Bakers must organise, <a href=/a>no matter what the mill says</a></li>\
             <li>Paid ads are not the problem. <a href=/b>Our habits are</a></li>\
             <li>Could a lost hiker <a href=/c>use the stars to get home</a>?</li></ul></article></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("new library wing"), "{}", s.text);
        for gone in [
            "More Great Daily Stories",
            "Paid ads are not",
            "Could a lost hiker",
        ] {
            assert!(!s.text.contains(gone), "{gone}: {}", s.text);
        }
        assert!(
            s.removed
                .iter()
                .any(|r| r.text.starts_with("Paid ads") && r.reason == RemovalReason::Related)
        );
    }

    #[test]
    fn answers_with_comment_widgets() {
        let answer = |n: u32, text: &str| {
            format!(
                "<div class=answer id=a{n}><div class=answer-body><p>{text}</p><p>{text}</p></div>\
                 <div class=comments><a href=#>Add a comment</a></div></div>"
            )
        };
        let html = format!(
            "<body><div id=question class=question><h1>Why do kettles whistle?</h1>\
             <p>My kettle whistles loudly when the water boils, but my neighbour's kettle does not, and I would like to know why.</p></div>\
             <div id=answers>{}{}</div></body>",
            answer(
                1,
                "The whistle is a small chamber in the spout, and steam rushing through its narrow holes makes the sound."
            ),
            answer(
                2,
                "Kettles without a whistle simply have an open spout, so the steam leaves quietly through the wide opening."
            ),
        );
        let s = run(&html);
        assert!(s.text.contains("steam rushing through"), "{}", s.text);
        assert!(s.text.contains("open spout"), "{}", s.text);
        assert!(!s.text.contains("Add a comment"), "{}", s.text);
    }

    #[test]
    fn prose_under_the_headline_joins_a_low_region() {
        let intro = "<p>The town's only cinema closed its doors last night after ninety years, with a free screening of the first film it ever showed.</p>";
        let body = "<p>Regulars queued around the block, and many of them said they had seen their first film there as children with their parents.</p>";
        let links: String = (0..4)
            .map(|i| format!("<div><a href=/t{i}>More about the cinema and its many long years, part {i}</a></div>"))
            .collect();
        let html = format!(
            "<body><h1>Last show at the Regal</h1><div class=top><div class=lead>{intro}{intro}</div></div>{links}\
             <div class=main><div class=body>{body}{body}{body}{body}{body}</div></div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("Regulars queued"), "{}", s.text);
        assert!(s.text.contains("only cinema closed"), "{}", s.text);
        assert!(!s.text.contains("More about the cinema"), "{}", s.text);
    }

    #[test]
    fn ad_class_on_the_article_wrapper() {
        let para = "<p>The lighthouse keeper's cottage, empty for thirty years, has been turned into a small museum about the families who kept the light burning through every storm.</p>";
        let menu: String = (0..60)
            .map(|i| format!("<li><a href=/s{i}>Section number {i} of the site</a></li>"))
            .collect();
        let html = format!(
            "<body><nav><ul>{menu}</ul></nav><section class=\"story has-ads\"><h1>A museum in the cottage</h1>{para}{para}{para}\
             <div class=ad-slot><p>Advertisement</p></div>{para}</section></body>"
        );
        let s = run(&html);
        assert_eq!(s.text.matches("lighthouse keeper").count(), 4, "{}", s.text);
        assert!(!s.text.contains("Advertisement"));
    }

    #[test]
    fn long_thread_under_a_short_post() {
        let post = "<p>The village hall will open on Saturdays from next month, the committee decided at its meeting on Tuesday evening, after a long discussion about heating costs and volunteers.</p>\
                    <p>A rota of helpers will open the doors at nine, and the café corner will serve tea and cake until noon, with all takings going towards a new roof for the hall.</p>";
        let comment = |n: usize| {
            format!(
                "<p>Comment {n}: this is very welcome news for the families on our street, and I will gladly help with opening up on a Saturday morning now and then, if the rota allows it.</p><p class=posted>Posted by: Reader {n} at 10:1{n} AM</p>"
            )
        };
        let thread: String = (1..9).map(comment).collect();
        let html = format!(
            "<body><div class=content><h1>Saturday opening</h1>{post}\
             <p class=posted>Posted by the committee at 9:00 AM</p><h2>Comments</h2>{thread}</div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("village hall"), "{}", s.text);
        assert!(!s.text.contains("Comment 3:"), "{}", s.text);
        let kept = strip(
            &html,
            &StripOptions {
                keep_comments: true,
                ..StripOptions::default()
            },
        );
        assert!(kept.text.contains("Comment 3:"));
    }

    #[test]
    fn a_long_post_keeps_its_many_comments_out() {
        let para = |n: usize| {
            format!(
                "<p>Part {n} of the story: the allotment society planted a row of apple trees along the old railway path this spring, and the volunteers expect the first small harvest within three years if the summers stay kind.</p>"
            )
        };
        let post: String = (1..13).map(para).collect();
        let comment = |n: usize| {
            format!(
                "<div class=note><p>Reader {n}: what a lovely idea, my grandfather worked on that line for thirty years and he would have been delighted to see fruit trees growing where the goods trains used to run.</p></div>"
            )
        };
        let thread: String = (1..40).map(comment).collect();
        let html = format!(
            "<body><div class=post><h1>Apples on the old line</h1>{post}</div>\
             <div id=comment_list><h2>39 readers answered</h2>{thread}</div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("Part 12 of the story"), "{}", s.text);
        assert!(!s.text.contains("Reader 7:"), "{}", s.text);
    }

    #[test]
    fn button_between_sections_bridges() {
        let para = |t: &str| {
            format!(
                "<p>{t}: our translators work in more than forty languages, and every document is checked by a second reader before it is returned, usually within two working days of the order.</p>"
            )
        };
        let html = format!(
            "<body><nav><a href=/>Home</a> <a href=/q>Quote</a></nav>\
             <div class=a><div class=b>{}{}{}</div></div>\
             <div class=c><a href=/all>View all</a></div>\
             <div class=d><p>{}</p></div></body>",
            para("First"),
            para("Second"),
            para("Third"),
            "Last section: the company was founded twenty years ago by two interpreters, and it still answers every enquiry the same day, including weekends."
        );
        let s = run(&html);
        assert!(s.text.contains("Last section"), "{}", s.text);
        assert!(!s.text.contains("View all"));
    }

    #[test]
    fn data_table_keeps_its_introduction() {
        let row = |y: u32| {
            format!(
                "<tr><td>{y}</td><td>The river flooded the lower town in the spring of that year, and the new embankment, finished only months before, held back most of the water.</td></tr>"
            )
        };
        let rows: String = (1901..1909).map(row).collect();
        let html = format!(
            "<body><nav><a href=/>Home</a> <a href=/h>History</a></nav><div class=page><h1>Floods of the river</h1>\
             <p>This list records the years in which the river left its banks, with a short note on the damage each flood did to the town.</p>\
             <table><tbody>{rows}</tbody></table></div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("This list records"), "{}", s.text);
        assert!(s.text.contains("embankment"));
    }

    #[test]
    fn forum_thread_is_content() {
        let post = |n: usize, class: &str| {
            format!(
                "<li class=\"item {class}\"><div class=author>member{n}</div><div class=message><p>Post {n}: I switched to a quieter keyboard last winter, and the difference in a shared office is bigger than I expected, although the keys feel softer than before.</p></div></li>"
            )
        };
        let replies: String = (2..6).map(|n| post(n, "item-comment")).collect();
        let html = format!(
            "<body><div class=side><ul><li><a href=/c>Categories</a></li><li><a href=/r>Recent</a></li></ul></div>\
             <div class=\"message-list discussion\"><h1>Quiet keyboards for an open office?</h1><ul>{}{replies}</ul></div></body>",
            post(1, "item-discussion")
        );
        let s = run(&html);
        for n in ["Post 1:", "Post 3:", "Post 5:"] {
            assert!(s.text.contains(n), "{n} lost: {}", s.text);
        }
        assert!(!s.text.contains("Categories"));
        // A short post with a long comment thread below it stays a post.
        let thread: String = (2..9).map(|n| post(n, "comment")).collect();
        let blog = format!(
            "<body><article><h1>Office news</h1><p>The office moves to the third floor in May, and every desk will get a new lamp.</p></article>\
             <div class=comments><ul>{thread}</ul></div></body>"
        );
        assert!(!run(&blog).text.contains("Post 3:"));
    }

    #[test]
    fn hiding_utility_classes() {
        assert!(class_hides("print-copy hidden"));
        assert!(class_hides("d-none"));
        assert!(class_hides("sr-only"));
        assert!(!class_hides("hidden md:block"));
        assert!(!class_hides("d-none d-lg-block"));
        assert!(!class_hides("hidden-gem story"));
        let para = "<p>The bakery on the corner reopened on Monday after a fire in the spring, with a new oven and the same sourdough recipe as before.</p>";
        let html = format!(
            "<body><div class=\"print-version hidden\"><h1>Print copy</h1>{para}{para}</div>\
             <article><h1>Bakery reopens</h1>{para}{para}<span class=sr-only>Skip this label</span></article></body>"
        );
        let s = run(&html);
        assert_eq!(
            s.text.matches("bakery on the corner").count(),
            2,
            "{}",
            s.text
        );
        assert!(!s.text.contains("Print copy"));
        assert!(!s.text.contains("Skip this label"));
    }

    #[test]
    fn long_tag_cloud_is_dropped() {
        let cloud: String = (1..30)
            .map(|n| format!("<a href=\"/tag/{n}\">topic{n} word{n}</a> "))
            .collect();
        let para = "<p>The river ferry will run every hour this summer, and the town council hopes that visitors leave their cars at home.</p>";
        let html = format!(
            "<body><div class=story><h1>Ferry timetable</h1>{para}{para}<p>{cloud}</p>{para}</div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("river ferry"), "{}", s.text);
        assert!(!s.text.contains("topic7"), "{}", s.text);
    }

    #[test]
    fn streamed_segments_are_shown() {
        assert!(streamed_segment("S:0"));
        assert!(streamed_segment("S:12"));
        assert!(!streamed_segment("S:"));
        assert!(!streamed_segment("S:x"));
        assert!(!streamed_segment("main"));
        let para = "<p>The library extends its opening hours in winter, and students may now borrow laptops for a whole week at a time.</p>";
        let html = format!(
            "<body><h1>Library hours</h1><template id=\"B:0\"></template><p>Loading</p>\
             <div hidden id=\"S:0\"><div class=post>{para}{para}</div></div>\
             <div hidden id=\"menu\"><p>Secret drawer text that nobody should ever see on the page at all, really.</p></div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("library extends"), "{}", s.text);
        assert!(!s.text.contains("Secret drawer"), "{}", s.text);
    }

    #[test]
    fn tab_panel_is_content() {
        let para = "<p>The kettle boils a litre of water in under three minutes, and its handle stays cool even when the water is hot.</p>";
        let html = format!(
            "<body><ul class=tabs><li><a href=#a>Overview</a></li><li><a href=#b>Specs</a></li></ul>\
             <div class=tab-content><div role=tabpanel class=\"productTabs-pane\"><h2>Overview</h2>{para}{para}</div>\
             <div role=tabpanel class=\"productTabs-pane\"><h2>Care</h2>{para}<p>Rinse the kettle with vinegar once a month, then boil clean water twice.</p></div></div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("kettle boils"), "{}", s.text);
        assert!(s.text.contains("Rinse the kettle"), "{}", s.text);
        assert!(!s.text.contains("Specs"), "{}", s.text);
    }

    #[test]
    fn a_tabs_wrapper_keeps_its_panels() {
        // The wrapper of a product's tab widget is named for the tabs; its
        // panels are the description. Only the strip of tab links goes.
        let para = "<p>The tent pitches in four minutes with two poles, and its fly sheds a night of steady rain without a drip inside.</p>";
        let quote = "<p>We took it up the coast for a week and it kept the whole family dry through two storms, would rent again.</p>";
        let html = format!(
            "<body><div class=summary><h1>Ridge Tent</h1><p>From $40</p></div>\
             <div class=\"shop-tabs tabs-wrapper\"><ul class=\"tabs shop-tabs-list\">\
             <li><a href=#d>Description</a></li><li><a href=#r>Reviews</a></li></ul>\
             <div class=\"shop-tabs-panel\" role=tabpanel><h2>About this tent</h2>{para}{para}\
             <p>Both doors zip from inside and out, and the porch holds two packs.</p></div></div>\
             <div class=testimonials>{quote}{quote}{quote}</div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("pitches in four minutes"), "{}", s.text);
        assert!(s.text.contains("Both doors zip"), "{}", s.text);
        assert!(!s.text.contains("Reviews"), "{}", s.text);
    }

    #[test]
    fn soft_hyphens_in_markup_leave_whole_words() {
        let para = "<p>The com&shy;mit&shy;tee met on Tues&#173;day and agreed the bridge repairs would start before the spring floods arrive.</p>";
        let s = run(&format!("<body><article>{para}{para}</article></body>"));
        assert!(
            s.text.contains("The committee met on Tuesday"),
            "{}",
            s.text
        );
    }

    #[test]
    fn catalogue_of_link_cards() {
        let cards: String = ["Hammer", "Chisel", "Plane", "Saw", "Rasp", "Drill"]
            .iter()
            .map(|t| {
                format!(
                    "<a class=card href=\"/{t}\"><div class=card-title>{t}</div>\
                     <div class=card-text><p>A sturdy hand tool for the workshop that lasts for many years of daily use.</p></div></a>"
                )
            })
            .collect();
        let html = format!(
            "<body><nav><ul><li><a href=/>Home</a></li><li><a href=/shop>Shop</a></li></ul></nav>\
             <main><article><h1>Hand tools</h1><p>Our catalogue of hand tools for wood, with a short note on each of them below.</p>\
             <div class=grid>{cards}</div></article></main></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("Chisel"), "{}", s.text);
        assert!(s.text.contains("sturdy hand tool"), "{}", s.text);
        assert!(!s.text.contains("Shop"), "{}", s.text);
        // A few linked teasers under a long story stay dropped.
        let para = "<p>The harbour wall was repaired over the winter, and the fishing boats can now moor safely again, even during storms.</p>";
        let story = format!(
            "<body><article><h1>Harbour</h1>{para}{para}{para}{para}{para}{para}\
             <a href=/x><div><p>Another story about the town that you may like to read next.</p></div></a></article></body>"
        );
        assert!(!run(&story).text.contains("Another story"));
    }

    #[test]
    fn thread_index_keeps_its_items() {
        let items: String = (1..=8)
            .map(|n| {
                format!(
                    "<div class=thread-item><div class=title><a href=\"/t/{n}\">Question number {n} about sourdough starters</a></div>\
                     <div class=meta>baker{n}</div><div class=count>{n}</div></div>"
                )
            })
            .collect();
        let html = format!(
            "<body><nav><ul><li><a href=/>Home</a></li><li><a href=/forum>Forums</a></li></ul></nav>\
             <div class=page><div class=head><h1>Bread forum</h1><p>Ask and answer questions about baking bread at home, from starters to ovens.</p></div>\
             <div class=threads>{items}</div></div></body>"
        );
        let s = run(&html);
        assert!(s.text.contains("Question number 5"), "{}", s.text);
        assert!(!s.text.contains("baker3"), "{}", s.text);
        assert!(!s.text.contains("Forums"), "{}", s.text);
        // A page with an article keeps no sidebar list.
        let para = "<p>The town choir sang in the cathedral on Sunday, and more than four hundred people came to listen to the concert.</p>";
        let side: String = (1..=8)
            .map(|n| format!("<li class=entry><a href=\"/p/{n}\">Older post number {n} from the archive</a></li>"))
            .collect();
        let blog = format!(
            "<body><article><h1>Choir</h1>{para}{para}</article><ul class=list>{side}</ul></body>"
        );
        assert!(!run(&blog).text.contains("Older post"));
    }

    #[test]
    fn mojibake_is_repaired() {
        let good = "<html><head><meta charset=utf-8></head><body><p>Das Café an der                     Straße öffnet wieder – täglich ab acht Uhr, mit Kuchen für 3 €.</p></body></html>";
        let bad = super::super::charset::mis_decode(good);
        assert!(bad.contains("CafÃ©"));
        let s = run(&bad);
        assert!(
            s.text
                .contains("Das Café an der Straße öffnet wieder – täglich"),
            "{}",
            s.text
        );
        assert!(s.text.contains("3 €"));
    }
}
