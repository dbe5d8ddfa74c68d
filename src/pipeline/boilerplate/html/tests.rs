use super::super::*;
use super::classes::*;
use super::tree::*;
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
        "Readers wrote in with many questions about the new timetable, and here are the answers. "
            .repeat(5)
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
    assert_eq!(
        class_signal("product-reviews").0,
        Some(RemovalReason::Comments)
    );
    // One review is what a review site publishes; the plural is a feed
    // of customers' reviews.
    assert_eq!(class_signal("review-body").0, None);
    // A forum poster's panel, but not text its users wrote.
    assert_eq!(
        class_signal("message-userDetails").0,
        Some(RemovalReason::Other)
    );
    assert_eq!(class_signal("postprofile").0, Some(RemovalReason::Other));
    assert_eq!(class_signal("user-content").0, None);
    assert_eq!(class_signal("details user").0, None);
    assert!(class_signal("entry-content").1 > 0);
    assert_eq!(
        clean_title("Night Trains Return | Courier", None),
        "Night Trains Return"
    );
    assert_eq!(clean_title("Home | Courier", None), "Home | Courier");
    // With a declared site name, only that name goes, from either end.
    let two_part = "New to Birding – Which Binoculars Should I Buy?";
    assert_eq!(clean_title(two_part, Some("Birding")), two_part);
    assert_eq!(
        clean_title(&format!("{two_part} - Birding"), Some("Birding")),
        two_part
    );
    assert_eq!(
        clean_title(
            "THE HARBOUR TIMES | Ferry Fares Rise",
            Some("The Harbour Times")
        ),
        "Ferry Fares Rise"
    );
}

const BLOG: &str = r#"<!DOCTYPE html><html lang="en-GB"><head>
<meta charset="utf-8"><title>Rebuilding a Dry Stone Wall | Field Notes</title>
<meta name="author" content="Maren Holt">
<meta property="article:published_time" content="2025-05-14T09:30:00+01:00">
<meta property="og:site_name" content="Field Notes">
<meta name="description" content="How we took a slumped field wall down to its footings &amp; rebuilt it.">
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
    assert_eq!(
        m.description.as_deref(),
        Some("How we took a slumped field wall down to its footings & rebuilt it.")
    );

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
            description: None,
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
            .any(|r| r.text == "The mill on its first morning" && r.reason == RemovalReason::Other)
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
        .map(|n| {
            format!(
                "<li class=entry><a href=\"/p/{n}\">Older post number {n} from the archive</a></li>"
            )
        })
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

#[test]
fn customer_reviews_are_comments() {
    let review = |n: u32| {
        format!(
            "<div class=review-item><p>Reviewer {n}</p><p>I bought the lamp for my study in \
             the autumn and it has been bright, steady and quiet every evening since then.</p></div>"
        )
    };
    // Fewer words than the description: a review feed holding most of a
    // page is read as the page (a forum thread).
    let reviews: String = (1..4).map(review).collect();
    let html = format!(
        "<body><main><h1>Brass desk lamp</h1>\
         <div class=product-description><p>The lamp has a weighted base, a hinged arm that \
         holds any angle, and a warm bulb that is easy on the eyes during long evenings of \
         reading.</p><p>It is made in a small workshop from recycled brass, and every part \
         can be replaced when it wears out.</p><p>The shade turns on two axes, so the light \
         can fall on a page, a keyboard or a wall, and the switch sits on the base where a \
         hand finds it in the dark.</p></div>\
         <section id=customer-reviews><h2>Customer reviews</h2>{reviews}</section></main></body>"
    );
    let s = run(&html);
    assert!(s.text.contains("weighted base"), "{}", s.text);
    assert!(!s.text.contains("bright, steady"), "{}", s.text);
    assert!(
        s.removed
            .iter()
            .any(|r| r.text.contains("bright, steady") && r.reason == RemovalReason::Comments),
        "{:?}",
        s.removed
    );
    let kept = strip(
        &html,
        &StripOptions {
            keep_comments: true,
            ..StripOptions::default()
        },
    );
    assert!(kept.text.contains("bright, steady"), "{}", kept.text);

    // A review site's own review (class "review") is the article.
    let article = "<body><div class=review><h1>The lamp, tested</h1>\
        <p class=review-text>We used the lamp for a month of evenings, and its light stayed \
        even and warm, though the arm loosened after a few weeks of daily turning.</p>\
        <p class=review-text>For its price it is a sound choice, and the replaceable parts \
        should keep it going for many years of reading.</p></div></body>";
    assert!(run(article).text.contains("light stayed even"));
}

#[test]
fn forum_poster_panels_are_not_posts() {
    let post = |n: u32, who: &str| {
        format!(
            "<article class=message><div class=message-userDetails><h4>{who}</h4>\
             <h5 class=userTitle>Trail regular</h5><dl><dd>Joined Mar 3, 2021</dd></dl></div>\
             <div class=message-body><p>Reply {n}: the ridge path is open again after the \
             storm, but the lower bridge is still closed, so start from the north car park \
             and allow an extra hour for the detour.</p></div></article>"
        )
    };
    let posts: String = ["ana", "bert", "cleo"]
        .iter()
        .zip(1..)
        .map(|(who, n)| post(n, who))
        .collect();
    let html =
        format!("<body><div class=thread><h1>Ridge path after the storm</h1>{posts}</div></body>");
    let s = run(&html);
    assert!(s.text.contains("Reply 3: the ridge path"), "{}", s.text);
    assert!(!s.text.contains("Trail regular"), "{}", s.text);
    assert!(!s.text.contains("Joined Mar"), "{}", s.text);
}

#[test]
fn table_rows_keep_their_cells_on_one_line() {
    let html = "<body><nav><a href=/>Home</a> <a href=/w>Weather</a></nav><article><h1>Rainfall in three towns</h1>\
        <p>We measured the rainfall in three small towns over the whole of last spring, and the results surprised us a little.</p>\
        <table><tr><th>Town</th><th>March</th><th>April</th></tr>\
        <tr><td>Ashford</td><td>42 mm</td><td>51 mm</td></tr>\
        <tr><td>Brockley</td><td>38 mm</td><td>47 mm</td></tr></table>\
        <p>The wettest month everywhere was April, which matches the long-term average for the region quite closely.</p></article></body>";
    let s = run(html);
    let paras: Vec<&str> = s.text.split("\n\n").collect();
    for row in [
        "Town\tMarch\tApril",
        "Ashford\t42 mm\t51 mm",
        "Brockley\t38 mm\t47 mm",
    ] {
        assert!(paras.contains(&row), "{row:?} not a line of {:?}", s.text);
    }
    // Paragraphs around the table are still apart from it and each other.
    assert!(paras.iter().any(|p| p.starts_with("We measured")));
    assert!(paras.iter().any(|p| p.starts_with("The wettest")));
}

#[test]
fn layout_cells_keep_their_paragraphs_apart() {
    let para = |n: u32| {
        format!(
            "<p>Paragraph {n} of the column: the harbour wall was rebuilt in stone after the winter storms, and the fishing boats came back within a month of the work ending.</p>"
        )
    };
    // A page laid out as a table: one cell holds the article's paragraphs.
    let column: String = (1..4).map(para).collect();
    let html = format!(
        "<body><table><tr><td class=menu><a href=/>Home</a></td><td>{column}</td></tr></table></body>"
    );
    let s = run(&html);
    assert!(!s.text.contains('\t'), "{:?}", s.text);
    assert_eq!(s.text.split("\n\n").count(), 3, "{:?}", s.text);
    // Two stories side by side, a cell each, are not fields of one record.
    let story = |t: &str| {
        format!(
            "<td>{t}. The village hall reopened on Saturday after a year of repairs, and the first event was a concert by the school choir, which drew a full house and a long queue outside in the rain. Tickets for the next concert are already on sale.</td>"
        )
    };
    let html = format!(
        "<body><div><h1>Village news</h1><table><tr>{}{}</tr></table></div></body>",
        story("HALL REOPENS"),
        story("CHOIR SINGS")
    );
    let s = run(&html);
    assert!(!s.text.contains('\t'), "{:?}", s.text);
    assert!(s.text.contains("HALL REOPENS") && s.text.contains("CHOIR SINGS"));
}

#[test]
fn linked_reference_lists_stay_with_the_article() {
    let para = |n: u32| {
        format!(
            "<p>Section {n}: the lighthouse was first lit in the autumn of that year, and its keepers wrote a daily log of the weather and the ships that passed.<sup><a href=\"#note-{n}\">[{n}]</a></sup></p>"
        )
    };
    let body: String = (1..5).map(para).collect();
    let note = |n: u32| {
        format!(
            "<li id=\"note-{n}\"><a href=\"#ref-{n}\">^</a> <a href=\"https://archive.example/log-{n}\">Keepers' log, volume {n}</a></li>"
        )
    };
    let notes: String = (1..5).map(note).collect();
    let html = format!(
        "<body><nav><ul><li><a href=/>Home</a></li><li><a href=/history>History</a></li></ul></nav>\
         <div class=content><h1>The old lighthouse</h1>{body}\
         <div class=reflist><ol>{notes}</ol></div>\
         <ul><li><a href=/a>Harbour walks</a></li><li><a href=/b>Ferry times</a></li></ul></div></body>"
    );
    let s = run(&html);
    assert!(s.text.contains("Keepers' log, volume 3"), "{}", s.text);
    // A link list with no such name is still a menu.
    assert!(!s.text.contains("Ferry times"), "{}", s.text);
    assert!(!s.text.contains("History"));
}

#[test]
fn citation_lists_are_named_by_whole_words() {
    assert!(names_citations("references"));
    assert!(names_citations("mw-references-wrap"));
    assert!(names_citations("post-footnotes clearfix"));
    assert!(names_citations("Bibliography"));
    assert!(!names_citations("user-preferences"));
    assert!(!names_citations("footnote-ref"));
    assert!(!names_citations(""));
}

#[test]
fn preformatted_text_keeps_its_lines_and_indentation() {
    let html = "<body><article><h1>Counting words</h1>\
        <p>This short function counts the words of a file, one line at a time, so that even a large file never has to fit in memory at once.</p>\
        <pre><code>def count(path):\r\n    total = 0\r\n\r\n\r\n    with open(path) as f:\n\tfor line in f:   \n\t    total += len(line.split())\n    return total\n</code></pre>\
        <p>The function returns the total once the last line has been read, and it closes the file on the way out.</p></article></body>";
    let s = run(html);
    let code = "def count(path):\n    total = 0\n    with open(path) as f:\n    for line in f:\n        total += len(line.split())\n    return total";
    assert!(
        s.text.split("\n\n").any(|p| p == code),
        "code block lost its shape: {:?}",
        s.text
    );
    // Outside `<pre>`, line breaks and runs of spaces still collapse.
    let html = "<body><article><h1>Notes</h1><p>A paragraph\n   written over\n\nseveral source lines, as editors wrap them, reads as one line of running text.</p></article></body>";
    let s = run(html);
    assert!(
        s.text
            .contains("A paragraph written over several source lines"),
        "{:?}",
        s.text
    );
}

#[test]
fn preformatted_indentation_is_bounded() {
    // A line of a million tabs must not become four million spaces.
    let html = format!(
        "<body><article><h1>Deep</h1><p>The listing below is indented far more than any reader needs, which the output caps.</p><pre>start\n{}end</pre></article></body>",
        "\t".repeat(1_000_000)
    );
    let s = run(&html);
    let line = s
        .text
        .lines()
        .find(|l| l.trim_start() == "end")
        .expect("the indented line is kept");
    assert_eq!(line.len() - "end".len(), MAX_PRE_INDENT, "{line:?}");
}
