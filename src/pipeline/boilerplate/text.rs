//! Plain-text mode: every line is a block and only its words are evidence.
//!
//! The method: label each block (prose, short, or a keyword category), turn
//! runs of short lines into navigation, cut a boilerplate-dominated tail,
//! then keep the cluster of prose holding most of the words, with the
//! headings right before it.

use std::collections::HashMap;

use super::classify::{Features, features, is_comment_head, is_web_address, keyword_reason};
use super::{RemovalReason, StripOptions, Stripped, Verdict, assemble, collapse};

/// A short line in a run at least this long is navigation.
const NAV_RUN: usize = 3;
/// Non-prose blocks allowed between two prose blocks of one cluster.
const MAX_GAP: usize = 3;

#[derive(Debug)]
struct Block {
    f: Features,
    kw: Option<RemovalReason>,
    /// Looks like the header of a user comment ("Name says:").
    comment_head: bool,
    /// A commenter's link and name, as scrapers flatten a comment's
    /// header ("https://example.org/ann Ann Reed").
    commenter: bool,
    /// The same line occurs three times or more: a repeated widget label.
    repeated: bool,
}

impl Block {
    fn prose(&self) -> bool {
        self.kw.is_none() && self.f.is_prose()
    }
    /// Short, unpunctuated lines: menu items, tags, headings.
    fn menu_like(&self) -> bool {
        !self.f.is_prose() && self.f.words <= 5 && !self.f.ends_sentence
    }
}

pub(super) fn strip(text: &str, opts: &StripOptions) -> Stripped {
    let texts: Vec<String> = text
        .lines()
        .map(collapse)
        .filter(|t| !t.is_empty())
        .collect();
    let mut verdicts = verdicts(texts.iter().map(String::as_str));
    if opts.keep_comments {
        for v in &mut verdicts {
            if *v == Verdict::Drop(RemovalReason::Comments) {
                *v = Verdict::Keep;
            }
        }
    }
    assemble(
        texts
            .iter()
            .zip(verdicts)
            .map(|(t, v)| (t.as_str(), v, None)),
        None,
    )
}

/// Verdicts for a sequence of collapsed, non-empty blocks, judged on their
/// words alone. HTML mode falls back to this when markup gives no answer.
pub(super) fn verdicts<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<Verdict> {
    let texts: Vec<&str> = texts.collect();
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for t in &texts {
        *counts.entry(t).or_default() += 1;
    }
    let blocks: Vec<Block> = texts
        .iter()
        .map(|text| {
            let f = features(text);
            let kw = keyword_reason(text, &f);
            Block {
                f,
                kw,
                comment_head: f.words <= 8 && is_comment_head(text),
                commenter: commenter_line(text),
                repeated: counts.get(text).is_some_and(|&c| c >= 3),
            }
        })
        .collect();
    decide(&blocks)
}

fn decide(blocks: &[Block]) -> Vec<Verdict> {
    let mut v: Vec<Option<Verdict>> = blocks
        .iter()
        .map(|b| {
            b.kw.or(b.repeated.then_some(RemovalReason::Other))
                .map(Verdict::Drop)
        })
        .collect();

    mark_nav_runs(blocks, &mut v);
    let end = tail_start(blocks);
    for slot in v.iter_mut().skip(end) {
        if slot.is_none() {
            *slot = Some(Verdict::Drop(RemovalReason::Other));
        }
    }

    let Some((start, stop)) = main_region(blocks, end) else {
        // No prose at all: keep whatever is not flagged.
        return v.into_iter().map(|x| x.unwrap_or(Verdict::Keep)).collect();
    };
    let region_stop = stop;
    let stop = comments_cut(blocks, start, stop);

    // Headings directly above the region belong to it.
    let mut head = start;
    while head > 0 && start - head < 2 {
        let b = blocks.get(head - 1);
        let ok = b.is_some_and(|b| b.kw.is_none() && !b.f.is_prose())
            && v.get(head - 1).is_some_and(Option::is_none);
        if !ok {
            break;
        }
        head -= 1;
    }
    blocks
        .iter()
        .zip(v)
        .enumerate()
        .map(|(i, (b, slot))| match slot {
            Some(x) => x,
            None if (head..stop).contains(&i) => Verdict::Keep,
            // Everything between a comment-thread heading and the region's
            // end belongs to the thread.
            None if i >= stop && (i < region_stop || comments_marker(b)) => {
                Verdict::Drop(RemovalReason::Comments)
            }
            None if i < start && b.menu_like() => Verdict::Drop(RemovalReason::Navigation),
            None => Verdict::Drop(RemovalReason::Other),
        })
        .collect()
}

fn comments_marker(b: &Block) -> bool {
    b.kw == Some(RemovalReason::Comments) || b.comment_head
}

/// Runs of menu-like lines are navigation even without a keyword.
fn mark_nav_runs(blocks: &[Block], v: &mut [Option<Verdict>]) {
    let mut i = 0;
    while i < blocks.len() {
        let mut j = i;
        while blocks
            .get(j)
            .is_some_and(|b| b.menu_like() || b.kw == Some(RemovalReason::Navigation))
        {
            j += 1;
        }
        // The last line of a run right above prose is that prose's heading.
        let run_end = if j > i && blocks.get(j).is_some_and(Block::prose) {
            j - 1
        } else {
            j
        };
        if run_end - i >= NAV_RUN {
            for slot in v.iter_mut().take(run_end).skip(i) {
                if slot.is_none() {
                    *slot = Some(Verdict::Drop(RemovalReason::Navigation));
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// Where a boilerplate-dominated tail starts (`blocks.len()` when none):
/// the earliest flagged block from which flagged blocks outweigh the rest.
fn tail_start(blocks: &[Block]) -> usize {
    let (mut flagged, mut total) = (0usize, 0usize);
    let (mut bad_words, mut good_words) = (0u32, 0u32);
    let mut start = blocks.len();
    for (i, b) in blocks.iter().enumerate().rev() {
        total += 1;
        if b.kw.is_some() {
            flagged += 1;
            bad_words = bad_words.saturating_add(b.f.words.max(1));
        } else if b.f.is_prose() {
            good_words = good_words.saturating_add(b.f.words);
        }
        if good_words > bad_words.saturating_add(40) {
            break;
        }
        if b.kw.is_some() && flagged * 3 >= total * 2 && bad_words >= good_words {
            start = i;
        }
    }
    start
}

/// The cluster of prose blocks (before `end`) holding the most words, with
/// neighbouring clusters that are substantial too; `(first, one past last)`.
fn main_region(blocks: &[Block], end: usize) -> Option<(usize, usize)> {
    let mut clusters: Vec<(usize, usize, u32)> = Vec::new();
    let mut last_prose: Option<usize> = None;
    for (i, b) in blocks.iter().enumerate().take(end) {
        if !b.prose() {
            continue;
        }
        match (last_prose, clusters.last_mut()) {
            (Some(p), Some(c)) if i - p <= MAX_GAP => {
                c.1 = i + 1;
                c.2 = c.2.saturating_add(b.f.words);
            }
            _ => clusters.push((i, i + 1, b.f.words)),
        }
        last_prose = Some(i);
    }
    let best = clusters.iter().map(|c| c.2).max()?;
    // Clusters with a fifth of the best one's words are content too
    // (articles interrupted by an image caption block or a pull quote).
    let keep = |c: &&(usize, usize, u32)| u64::from(c.2) * 5 >= u64::from(best);
    let first = clusters.iter().find(keep)?.0;
    let last = clusters.iter().rev().find(keep)?.1;
    Some((first, last))
}

/// Commenter lines that, from the first of them on, make a comment thread:
/// one such line may be a link in the article.
const MIN_COMMENTERS: usize = 3;
/// Most words of a commenter line, the link included.
const COMMENTER_MAX_WORDS: usize = 5;

/// Whether a line is a link followed by a name, with nothing else: a
/// comment's header once its author link is written out.
fn commenter_line(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let link = words.next().is_some_and(is_web_address);
    let rest = words.count();
    link && (1..COMMENTER_MAX_WORDS).contains(&rest) && !text.ends_with(['.', '!', '?', ':'])
}

/// A comment-section heading, or a run of commenter lines, well into the
/// content ends the main text.
fn comments_cut(blocks: &[Block], start: usize, stop: usize) -> usize {
    let region = blocks.get(start..stop).unwrap_or_default();
    let mut commenters_left = region.iter().filter(|b| b.commenter).count();
    let total: u64 = blocks
        .iter()
        .take(stop)
        .skip(start)
        .filter(|b| b.prose())
        .map(|b| u64::from(b.f.words))
        .sum();
    let mut seen = 0u64;
    for (i, b) in blocks.iter().enumerate().take(stop).skip(start) {
        // Some prose must come first, so a "Comments" menu entry above the
        // article does not end it.
        let thread = comments_marker(b) || (b.commenter && commenters_left >= MIN_COMMENTERS);
        if thread && (seen * 2 >= total || seen >= 50) && seen > 0 {
            return i;
        }
        commenters_left = commenters_left.saturating_sub(usize::from(b.commenter));
        if b.prose() {
            seen += u64::from(b.f.words);
        }
    }
    stop
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Village Bakery Wins Regional Prize

The small bakery on Mill Street was named the best in the region on Saturday, beating forty other entries from across the valley.
Its owner, who opened the shop eleven years ago, said the prize belonged to the whole team and to the farmers who grow the wheat.
Judges praised the rye loaf in particular, noting that it kept its crust for three days and tasted of the field it came from.
The bakery plans to use the prize money to train two more apprentices over the coming year.
***
Enjoyed this story? Share it on Facebook and Twitter.
Support our reporting: donate at https://example.org/give
Articles by: Jane Roe
Copyright 2024 Valley Gazette. All rights reserved. Reuse of this article requires written permission from the copyright holder.
Press inquiries: desk@example.org
";

    #[test]
    fn cuts_boilerplate_tail_and_keeps_headline() {
        let s = strip(ARTICLE, &StripOptions::default());
        assert!(
            s.text
                .starts_with("Village Bakery Wins Regional Prize\n\nThe small bakery")
        );
        assert!(s.text.ends_with("over the coming year."));
        assert_eq!(s.removed.len(), 6);
        assert_eq!(s.removed[0].text, "***");
        assert_eq!(s.removed[1].reason, RemovalReason::Share);
        assert_eq!(s.removed[2].reason, RemovalReason::Donation);
        assert_eq!(s.removed[4].reason, RemovalReason::Copyright);
    }

    #[test]
    fn drops_navigation_runs() {
        let page = format!("Home\nNews\nSport\nWeather\nContact\n{ARTICLE}");
        let s = strip(&page, &StripOptions::default());
        assert!(s.text.starts_with("Village Bakery"));
        let menu: Vec<&str> = s.removed.iter().take(5).map(|r| r.text.as_str()).collect();
        assert_eq!(menu, ["Home", "News", "Sport", "Weather", "Contact"]);
        assert_eq!(s.removed[1].reason, RemovalReason::Navigation);
    }

    #[test]
    fn drops_a_menu_written_on_one_line() {
        // Right above the headline, where a heading would be kept.
        for menu in ["Home | News | Sport | Weather", "Home » Local » Business"] {
            let page = format!("{menu}\n{ARTICLE}");
            let s = strip(&page, &StripOptions::default());
            assert!(s.text.starts_with("Village Bakery"), "{menu}: {}", s.text);
            assert_eq!(s.removed[0].text, menu);
            assert_eq!(s.removed[0].reason, RemovalReason::Navigation);
        }
        // A byline with separators is not a menu.
        let byline = "By Ann Reed | Tuesday | 14/05/2024";
        let s = strip(&format!("{byline}\n{ARTICLE}"), &StripOptions::default());
        assert!(s.text.starts_with(byline), "{}", s.text);
    }

    #[test]
    fn cuts_a_thread_of_linked_commenters() {
        let body: Vec<&str> = ARTICLE.lines().take(5).collect();
        let body = body.join("\n");
        let thread = "https://example.org/ann Ann Reed
We go every Saturday and the rye really is the best thing they make, well deserved.
Tom
Lovely to see a small shop win against the big chains from the city, congratulations.
http://example.net/~jo Jo Park
Two more apprentices is great news for the young people of the valley, I hope they stay.
www.example.com/lee Lee
The crust on that rye lasts the whole week in our house, never mind three days.";
        let s = strip(&format!("{body}\n{thread}\n"), &StripOptions::default());
        assert!(
            s.text
                .ends_with("kept its crust for three days and tasted of the field it came from."),
            "{}",
            s.text
        );
        assert!(!s.text.contains("rye really is"), "{}", s.text);
        let comment = s.removed.iter().find(|r| r.text.starts_with("We go every"));
        assert_eq!(comment.map(|r| r.reason), Some(RemovalReason::Comments));
        // One linked line in an article is a source, not a thread.
        let source = "https://example.org/report The full report";
        let page = format!(
            "{body}\n{source}\nThe bakery plans to use the prize money to train two more apprentices over the coming year.\n"
        );
        let s = strip(&page, &StripOptions::default());
        assert!(s.text.contains("prize money to train"), "{}", s.text);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for input in ["", " \n\t\n", "\u{0}\u{1}\u{7f}", "***", "a", "ü\r\n\r\n©"] {
            let _ = strip(input, &StripOptions::default());
        }
        let one_token = "x".repeat(4 << 20);
        assert_eq!(strip(&one_token, &StripOptions::default()).text, one_token);
        let long = "word, ".repeat(700_000);
        let s = strip(&long, &StripOptions::default());
        assert!(!s.text.is_empty());
    }

    #[test]
    fn keep_comments_option() {
        let page = format!(
            "{}\n5 Comments\nWhat a wonderful bakery, we drive out every Sunday for the rye and it is always worth the trip.\nCongratulations to the whole team, the apprentices deserve the training and the town is proud of you.\n",
            ARTICLE.lines().take(5).collect::<Vec<_>>().join("\n")
        );
        let plain = strip(&page, &StripOptions::default());
        assert!(!plain.text.contains("wonderful bakery"), "{}", plain.text);
        let kept = strip(
            &page,
            &StripOptions {
                keep_comments: true,
                ..StripOptions::default()
            },
        );
        assert!(kept.text.contains("wonderful bakery"));
        assert!(kept.text.contains("Congratulations to the whole team"));
        assert!(kept.text.starts_with("Village Bakery"));
    }
}
