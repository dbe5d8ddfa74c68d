//! Passes over the first verdicts that judge blocks by their neighbours:
//! table rows, item lists, related-link lists, labels and headings.

use std::collections::HashMap;

use super::super::{RemovalReason, Verdict};
use super::decide::{Feats, Sums, len32, parent_of};
use super::tree::{Block, MAX_DEPTH, NO_PARENT, State};

/// Pages keeping fewer words than this are checked for a list of items.
const LIST_GATE_WORDS: u64 = 60;
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

/// The table row of each block that is its cell's only block (`None` for
/// the others): such cells are a row's fields. Cells holding several
/// blocks are layout (a page column) and keep their paragraphs apart.
pub(super) fn table_rows(st: &State) -> Vec<Option<u32>> {
    let cells: Vec<Option<u32>> = st.blocks.iter().map(|b| cell_of(st, b.elem)).collect();
    let mut per_cell = vec![0u32; st.elems.len()];
    for c in cells.iter().flatten() {
        if let Some(n) = per_cell.get_mut(*c as usize) {
            *n = n.saturating_add(1);
        }
    }
    cells
        .into_iter()
        .map(|c| {
            let c = c.filter(|&c| per_cell.get(c as usize) == Some(&1))?;
            parent_of(st, c as usize).and_then(|r| u32::try_from(r).ok())
        })
        .collect()
}

/// A data table names each row by a linked cell (a film, a player, a
/// product) beside cells of prose: the link is the row's head, not a menu.
/// Rescued only where the head's cell holds that one mostly-linked block,
/// the prose sits in cells of one block each, and several rows of the row
/// group read so: a layout table's menu cell also sits beside the page's
/// text, but that text comes in headings and paragraphs.
pub(super) fn linked_row_heads(
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
pub(super) fn item_list(
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
pub(super) fn related_lists(st: &State, feats: &Feats<'_>, verdicts: &mut [Verdict]) {
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
pub(super) fn drop_orphan_headings(st: &State, feats: &Feats<'_>, verdicts: &mut [Verdict]) {
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
pub(super) fn drop_widget_labels(
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
pub(super) fn drop_own_address(st: &State, verdicts: &mut [Verdict]) {
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
