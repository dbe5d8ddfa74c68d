//! Scoring: the content container, the region around it, and a verdict
//! for every block.

use std::cell::OnceCell;

use super::super::classify::{Features, features, keyword_reason};
use super::super::{Favor, RemovalReason, StripOptions, Verdict};
use super::passes::{
    drop_orphan_headings, drop_own_address, drop_widget_labels, item_list, linked_row_heads,
    related_lists,
};
use super::tree::{Block, MAX_DEPTH, State};

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
/// Prose under the headline, before the region, is kept when it has at
/// least this many words and a fifth as many as the region.
const BELOW_HEADLINE_MIN_WORDS: u64 = 30;
const BELOW_HEADLINE_SHARE_INV: u64 = 5;
/// Words of link cards a region needs before it is read as a catalogue.
const CARD_MIN_WORDS: u64 = 50;

/// Blocks between two checks of the call's budget while deciding.
const BUDGET_BLOCKS: usize = 512;

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
pub(super) struct Sums {
    pub(super) text: u32,
    pub(super) links: u32,
}

/// Features of each block, in block order, with keyword categories worked
/// out only for the blocks whose fate can hang on them: most menu lines
/// never need one, and the phrase tests are the costliest per block.
pub(super) struct Feats<'a> {
    pub(super) blocks: &'a [Block],
    pub(super) f: Vec<Features>,
    pub(super) kw: Vec<OnceCell<Option<RemovalReason>>>,
}

impl<'a> Feats<'a> {
    pub(super) fn new(blocks: &'a [Block]) -> Self {
        Feats {
            blocks,
            f: blocks.iter().map(|b| features(&b.text)).collect(),
            kw: blocks.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    /// Features of block `i` (defaults past the end, which never happens).
    pub(super) fn f(&self, i: usize) -> Features {
        self.f.get(i).copied().unwrap_or_default()
    }

    /// Keyword category of block `i`, computed on first use.
    pub(super) fn kw(&self, i: usize) -> Option<RemovalReason> {
        let (Some(cell), Some(b), Some(f)) = (self.kw.get(i), self.blocks.get(i), self.f.get(i))
        else {
            return None;
        };
        *cell.get_or_init(|| keyword_reason(&b.text, f))
    }
}

/// The parent of element `i`, if it has one.
pub(super) fn parent_of(st: &State, i: usize) -> Option<usize> {
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

pub(super) fn decide(st: &State, opts: &StripOptions) -> Vec<Verdict> {
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
    let fallback = || super::super::text::verdicts(st.blocks.iter().map(|b| b.text.as_str()));
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
            // Link-heavy yet text: table cells (when asked for), cited
            // sources, the cards of a catalogue.
            let cited = st.elems.get(b.elem as usize).is_some_and(|e| e.citations);
            let linked_text = table || cited || (catalogue && card(b));
            if link_heavy && !linked_text {
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
    // Blocks of plain prose, in order: where `next_post_alike` looks for the
    // posts around a widget. Built on first use, and once, so that a page of
    // many comment prompts costs a search each, not a scan.
    let prose_blocks = OnceCell::new();
    let prose_blocks = || {
        prose_blocks.get_or_init(|| {
            (0..st.blocks.len())
                .filter(|&k| {
                    st.blocks
                        .get(k)
                        .is_some_and(|n| counts_as_prose(feats, &[], k, n) && mark_of(n).is_none())
                })
                .collect::<Vec<usize>>()
        })
    };
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
        let widget = || {
            b.heading == 0
                && mark_of(b) == Some(RemovalReason::Comments)
                && next_post_alike(st, prose_blocks(), i)
        };
        if seen >= 50
            && (heading || seen * 2 >= region_prose)
            && feats.kw(i) == Some(RemovalReason::Comments)
            && !widget()
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
fn next_post_alike(st: &State, prose_blocks: &[usize], i: usize) -> bool {
    let parent = |x: usize| parent_of(st, x);
    let Some(b) = st.blocks.get(i) else {
        return false;
    };
    let elem = |k: usize| st.blocks.get(k).map(|n| n.elem as usize);
    let after = prose_blocks.partition_point(|&k| k <= i);
    let Some(next) = prose_blocks.get(after).and_then(|&k| elem(k)) else {
        return false;
    };
    // The post must also hold the prose before the widget: its own text.
    let before = prose_blocks.partition_point(|&k| k < i);
    let Some(prev) = before
        .checked_sub(1)
        .and_then(|j| prose_blocks.get(j))
        .and_then(|&k| elem(k))
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
pub(super) fn ancestors(i: usize, parent: &impl Fn(usize) -> Option<usize>) -> Vec<usize> {
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
    // Only each kin's nearest ancestors are compared, so only they are kept:
    // a page may hold many thousands of kin.
    let under_top = inherit(st, |i| (i == top).then_some(()));
    let kin: Vec<[Option<usize>; NEAR_LEVELS]> = finals
        .iter()
        .filter(|&&(i, s)| {
            i != top
                && s >= top_score * share
                && shape(i) == shape(top)
                && !top_chain.contains(&i)
                && under_top.get(i).copied().flatten().is_none()
        })
        .map(|&(i, _)| {
            let mut near = [None; NEAR_LEVELS];
            let mut cur = parent(i);
            for slot in &mut near {
                *slot = cur;
                cur = cur.and_then(parent);
            }
            near
        })
        .collect();
    for &a in top_chain.iter().take(NEAR_LEVELS) {
        if kin.iter().any(|near| near.contains(&Some(a))) {
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

pub(super) fn len32(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}
