//! The streaming pass: tokenizer events become text blocks and a flat,
//! pre-ordered table of element facts.

use super::super::meta::Collector;
use super::super::tok::{self, Raw, Tag};
use super::super::{RemovalReason, collapse, push_collapsed};
use super::classes::{
    FNV_SEED, class_hides, class_signal_full, fnv, names_citations, streamed_segment, style_hides,
    tag_mark,
};

/// Deeper elements are flattened into their ancestor at the cap: real pages
/// never nest this deep, and it bounds every walk over ancestors.
pub(super) const MAX_DEPTH: usize = 256;
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
pub(super) const NO_PARENT: u32 = u32::MAX;
/// Name of the synthetic root element; no tag can have it.
const ROOT: &str = "#root";
/// The root's id: it is opened before any tag.
const ROOT_ID: u32 = 0;

/// Facts about one element, indexed by its pre-order id.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Elem {
    pub(super) parent: u32,
    /// Boilerplate category the element's own tag or class/id announces.
    pub(super) mark: Option<RemovalReason>,
    /// Whether `mark` may be overruled when the element holds most text
    /// (wrappers such as `<form>` around a whole page).
    pub(super) weak_mark: bool,
    /// The mark comes from a class naming a small part (byline, meta line,
    /// tag list): wrong when the element holds a lot of prose.
    pub(super) small_mark: bool,
    /// Readability-style class weight: content-ish names up, chrome down.
    pub(super) weight: i8,
    /// `<article>`/`<main>` or below one.
    pub(super) in_article: bool,
    /// `<table>` or below one.
    pub(super) in_table: bool,
    /// Hash of the tag name and first class token: repeated parts of one
    /// page (posts, story sections) share it.
    pub(super) shape: u32,
    /// Has a class; a bare tag's shape (`td`, `div`) says little.
    pub(super) classed: bool,
    /// `<table>` or a row group (`<tbody>`...): a table's body is one unit.
    pub(super) table_body: bool,
    /// Inside a link: a link wrapping blocks is a card (teaser, tile).
    pub(super) in_link: bool,
    /// `<figcaption>`.
    pub(super) caption: bool,
    /// `<td>` or `<th>`.
    pub(super) cell: bool,
    /// `<select>`: a drop-down list, whose options are not text.
    pub(super) select: bool,
    /// A list of references or footnotes, or below one: its entries cite
    /// their sources by links, and are the text's apparatus, not a menu.
    pub(super) citations: bool,
}

/// One run of text between block boundaries.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) text: String,
    /// Bytes of text inside links.
    pub(super) link_bytes: u32,
    /// Innermost block-level element around the text.
    pub(super) elem: u32,
    /// Heading level, 0 for none.
    pub(super) heading: u8,
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
    /// `<pre>` or inside one: line breaks and indentation are the text's.
    pre: bool,
}

#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) elems: Vec<Elem>,
    stack: Vec<Open>,
    /// Start tags not pushed because the stack was at its cap.
    overflow: usize,
    pub(super) blocks: Vec<Block>,
    cur: String,
    cur_links: u32,
    cur_elem: u32,
    cur_heading: u8,
    pending_space: bool,
    /// Preformatted text only: a line break, and the spaces after it, seen
    /// but not yet written (they are written before the next visible
    /// character, so blocks and lines never end in them).
    pre_break: bool,
    pre_spaces: usize,
    in_title: bool,
    pub(super) title: String,
    pub(super) og_title: Option<String>,
    pub(super) meta: Collector,
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
            .map(|p| (p.id, p.block_elem, p.skip, p.link, p.heading, p.pre));
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
        let mut citations = parent_elem.is_some_and(|e| e.citations);
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
                    citations |= names_citations(value);
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
            citations,
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
            pre: name == "pre" || parent.is_some_and(|p| p.5),
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
            pre: false,
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
        let Some((skip, block_elem, heading, link, pre)) = self
            .stack
            .last()
            .map(|o| (o.skip, o.block_elem, o.heading, o.link, o.pre))
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
        if pre {
            self.push_pre(t);
        } else {
            push_collapsed(&mut self.cur, t, &mut self.pending_space);
        }
        if link {
            let added = self.cur.len().saturating_sub(before);
            self.cur_links = self
                .cur_links
                .saturating_add(u32::try_from(added).unwrap_or(u32::MAX));
        }
    }

    /// Appends preformatted text (code, verse, ASCII tables): line breaks
    /// and the spaces that indent or align are kept. Runs of blank lines
    /// become one line break, as a blank line separates paragraphs in the
    /// output; a tab becomes four spaces, as tabs separate table cells
    /// there. Trailing spaces go; other controls go as elsewhere.
    fn push_pre(&mut self, t: &str) {
        for c in t.chars() {
            match c {
                '\n' | '\r' => {
                    self.pre_break = true;
                    self.pre_spaces = 0;
                }
                ' ' | '\u{a0}' => self.pre_spaces = (self.pre_spaces + 1).min(MAX_PRE_INDENT),
                '\t' => self.pre_spaces = (self.pre_spaces + 4).min(MAX_PRE_INDENT),
                c if c.is_whitespace() => {
                    self.pre_spaces = (self.pre_spaces + 1).min(MAX_PRE_INDENT);
                }
                c if c.is_control()
                    || matches!(c, '\u{200b}' | '\u{feff}' | '\u{ad}' | '\u{2060}') => {}
                c => {
                    // A block starts at its first visible character; a
                    // space left pending by collapsed text before this
                    // (an end tag that closed the `<pre>` without ending
                    // the block) is kept as one.
                    if self.cur.is_empty() {
                        self.pre_spaces = 0;
                    } else if self.pre_break {
                        self.cur.push('\n');
                    } else if self.pending_space && self.pre_spaces == 0 {
                        self.pre_spaces = 1;
                    }
                    self.pre_break = false;
                    self.pending_space = false;
                    self.cur.extend(std::iter::repeat_n(' ', self.pre_spaces));
                    self.pre_spaces = 0;
                    self.cur.push(c);
                }
            }
        }
    }

    fn flush(&mut self) {
        self.pending_space = false;
        self.pre_break = false;
        self.pre_spaces = 0;
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

/// Most spaces kept in a row in preformatted text: indentation deeper than
/// this says nothing more, and a line of tabs must not grow fourfold.
pub(super) const MAX_PRE_INDENT: usize = 80;

/// Runs the tokenizer over `html` and returns the collected state. A
/// raw-text element left unclosed swallows the rest of the page in a
/// browser; lenient parsers (and the page's authors) expect otherwise, so
/// the page is parsed again with that tag read as ordinary markup.
pub(super) fn tokenize(html: &str) -> State {
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
