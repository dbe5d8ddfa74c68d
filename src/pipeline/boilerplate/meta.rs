//! Page metadata read during the tokenizer pass: `<meta>` tags, JSON-LD,
//! `<link rel=canonical>` and `<html lang>`. Each field keeps the value of
//! the most trusted source seen so far, so tag order does not matter.

use serde_json::Value;

use super::collapse;

/// What a page states about itself. Fields are `None` when it does not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMetadata {
    /// The author(s) as named by the page; several are joined by ", ".
    pub author: Option<String>,
    /// Publication date as the page states it (ISO 8601 where the page
    /// gives it so, e.g. from `article:published_time` or JSON-LD).
    pub published: Option<String>,
    /// The site's name (`og:site_name`, `application-name`, JSON-LD publisher).
    pub site_name: Option<String>,
    /// `<link rel="canonical">`, else `og:url`.
    pub canonical_url: Option<String>,
    /// Declared language as a lower-case primary tag ("en", "pt"), from
    /// `<html lang>`, `og:locale` or `content-language`.
    pub language: Option<String>,
    /// The page's summary of itself (`og:description`, `<meta name=description>`,
    /// an article's JSON-LD `description`), at most `MAX_DESCRIPTION` bytes.
    /// Pages whose body is built by scripts often state nothing else.
    pub description: Option<String>,
}

/// Longest metadata value kept; longer ones are not metadata.
const MAX_VALUE: usize = 512;
/// Longest description kept: summaries run to a few sentences, longer
/// values are body text misplaced in a tag.
const MAX_DESCRIPTION: usize = 2048;
/// JSON-LD beyond this size is not read.
const MAX_LD: usize = 1 << 18;
/// JSON-LD nodes visited at most per script.
const MAX_LD_NODES: usize = 4096;

/// A field value with the trust of its source (higher wins; ties keep the first).
type Slot = Option<(u8, String)>;

/// Collects metadata candidates while the page streams past.
#[derive(Debug, Default)]
pub(super) struct Collector {
    author: Slot,
    published: Slot,
    site_name: Slot,
    canonical: Slot,
    language: Slot,
    description: Slot,
    /// Text of the JSON-LD script now open.
    pub(super) ld: String,
}

fn offer(slot: &mut Slot, prio: u8, value: &str) {
    offer_upto(slot, prio, value, MAX_VALUE);
}

fn offer_upto(slot: &mut Slot, prio: u8, value: &str, max: usize) {
    if slot.as_ref().is_some_and(|(p, _)| *p >= prio) || value.len() > max {
        return;
    }
    let v = collapse(value);
    if !v.is_empty() {
        *slot = Some((prio, v));
    }
}

/// The lower-case primary subtag of a language tag or locale ("en_GB" -> "en").
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then(|| primary.to_ascii_lowercase())
}

/// A byline's leading "By " is the page's wording, not part of the name.
fn without_by(s: &str) -> &str {
    let t = s.trim_start();
    match t.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => t.get(3..).unwrap_or_default(),
        _ => t,
    }
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim_start();
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("//")
}

impl Collector {
    /// `<html lang=...>`.
    pub(super) fn html_lang(&mut self, lang: &str) {
        if let Some(l) = primary_language(lang) {
            offer(&mut self.language, 3, &l);
        }
    }

    /// `<link rel=... href=...>`.
    pub(super) fn link(&mut self, rel: &str, href: &str) {
        if rel
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("canonical"))
        {
            offer(&mut self.canonical, 3, href);
        }
    }

    /// `<meta>` with its `name`/`property`/`itemprop`/`http-equiv` key and content.
    pub(super) fn meta(&mut self, key: &str, content: &str) {
        let key = key.trim().to_ascii_lowercase();
        match key.as_str() {
            "author" | "dc.creator" | "dcterms.creator" | "byl" | "parsely-author"
            | "sailthru.author"
                if !looks_like_url(content) =>
            {
                offer(&mut self.author, 2, without_by(content));
            }
            "article:author" | "og:article:author" | "twitter:creator"
                if !looks_like_url(content) && !content.trim_start().starts_with('@') =>
            {
                offer(&mut self.author, 1, without_by(content));
            }
            "article:published_time" | "og:article:published_time" | "datepublished" => {
                offer(&mut self.published, 3, content);
            }
            "date" | "pubdate" | "publishdate" | "publish-date" | "publication_date"
            | "dc.date" | "dc.date.issued" | "dcterms.date" | "dcterms.created"
            | "sailthru.date" | "parsely-pub-date" | "og:published_time" => {
                offer(&mut self.published, 2, content);
            }
            "og:site_name" if !looks_like_url(content) => {
                offer(&mut self.site_name, 3, content);
            }
            "application-name" if !looks_like_url(content) => {
                offer(&mut self.site_name, 2, content);
            }
            "og:url" if looks_like_url(content) => offer(&mut self.canonical, 2, content),
            "og:locale" | "content-language" => {
                // A content-language list names several; the first leads.
                let first = content.split(',').next().unwrap_or_default();
                if let Some(l) = primary_language(first) {
                    offer(&mut self.language, 2, &l);
                }
            }
            "og:description" | "description" => {
                offer_upto(&mut self.description, 2, content, MAX_DESCRIPTION);
            }
            "twitter:description" | "dc.description" | "dcterms.description" => {
                offer_upto(&mut self.description, 1, content, MAX_DESCRIPTION);
            }
            "language" | "dc.language" => {
                if let Some(l) = primary_language(content) {
                    offer(&mut self.language, 1, &l);
                }
            }
            _ => {}
        }
    }

    /// Appends JSON-LD script text, up to a cap.
    pub(super) fn ld_text(&mut self, t: &str) {
        if self.ld.len() + t.len() <= MAX_LD {
            self.ld.push_str(t);
        }
    }

    /// Reads the JSON-LD gathered since the script opened. Nodes are visited
    /// with an explicit stack in document order; the first article-like
    /// values win, at the trust of a dedicated meta tag.
    pub(super) fn ld_end(&mut self) {
        let text = std::mem::take(&mut self.ld);
        let Ok(root) = serde_json::from_str::<Value>(text.trim()) else {
            return;
        };
        let mut stack: Vec<&Value> = vec![&root];
        let mut visited = 0usize;
        while let Some(v) = stack.pop() {
            visited += 1;
            if visited > MAX_LD_NODES {
                break;
            }
            match v {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(map) => {
                    if let Some(Value::String(d)) = map.get("datePublished") {
                        offer(&mut self.published, 3, d);
                    }
                    if let Some(a) = map.get("author") {
                        let names = person_names(a);
                        if !names.is_empty() {
                            offer(&mut self.author, 3, without_by(&names.join(", ")));
                        }
                    }
                    // A site's or organisation's description is not the page's.
                    let article = ["headline", "datePublished", "articleBody"]
                        .iter()
                        .any(|k| map.contains_key(*k));
                    if let (true, Some(Value::String(d))) = (article, map.get("description")) {
                        offer_upto(&mut self.description, 3, d, MAX_DESCRIPTION);
                    }
                    if let Some(Value::String(n)) = map.get("publisher").and_then(|p| p.get("name"))
                    {
                        offer(&mut self.site_name, 1, n);
                    }
                    if let Some(g) = map.get("@graph") {
                        stack.push(g);
                    }
                    if let Some(m) = map.get("mainEntity") {
                        stack.push(m);
                    }
                }
                _ => {}
            }
        }
    }

    /// The site's name, as far as the page has said it.
    pub(super) fn site_name(&self) -> Option<&str> {
        self.site_name.as_ref().map(|(_, v)| v.as_str())
    }

    /// The page's own address, as far as the page has said it.
    pub(super) fn canonical(&self) -> Option<&str> {
        self.canonical.as_ref().map(|(_, v)| v.as_str())
    }

    pub(super) fn finish(self) -> PageMetadata {
        let take = |s: Slot| s.map(|(_, v)| v);
        PageMetadata {
            author: take(self.author),
            published: take(self.published),
            site_name: take(self.site_name),
            canonical_url: take(self.canonical),
            language: take(self.language),
            description: take(self.description),
        }
    }
}

/// Names from a JSON-LD `author`: a string, a person object, or a list of them.
fn person_names(v: &Value) -> Vec<&str> {
    match v {
        Value::Array(items) => items.iter().take(8).filter_map(person_name).collect(),
        other => person_name(other).into_iter().collect(),
    }
}

fn person_name(x: &Value) -> Option<&str> {
    match x {
        Value::String(s) if !looks_like_url(s) => Some(s.as_str()),
        Value::Object(m) => m.get("name").and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(primary_language("en-GB").as_deref(), Some("en"));
        assert_eq!(primary_language(" PT_br ").as_deref(), Some("pt"));
        assert_eq!(primary_language("x-default"), None);
        assert_eq!(primary_language(""), None);
    }

    #[test]
    fn priorities_and_json_ld() {
        let mut c = Collector::default();
        c.meta("article:author", "https://social.example/someone");
        c.meta("twitter:creator", "@handle");
        c.meta("date", "March 3, 2024");
        c.ld_text(
            r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x","description":"All about harbours"},
            {"@type":"NewsArticle","datePublished":"2024-03-03T08:00:00Z",
             "author":[{"@type":"Person","name":"Ada Moss"},{"name":"Ben Ode"}],
             "publisher":{"@type":"Organization","name":"Harbour Times"}}]}"#,
        );
        c.ld_end();
        c.meta("og:site_name", "The Harbour Times");
        c.meta("description", "Ferries return to the winter timetable.");
        c.meta("og:description", "A shorter social blurb.");
        c.ld_text("{not json");
        c.ld_end();
        let m = c.finish();
        assert_eq!(m.author.as_deref(), Some("Ada Moss, Ben Ode"));
        assert_eq!(m.published.as_deref(), Some("2024-03-03T08:00:00Z"));
        assert_eq!(m.site_name.as_deref(), Some("The Harbour Times"));
        assert_eq!(m.canonical_url, None);
        // The first description at the best trust wins; the site's own
        // JSON-LD description (on the WebSite node) is not the page's.
        assert_eq!(
            m.description.as_deref(),
            Some("Ferries return to the winter timetable.")
        );
        assert_eq!(without_by("BY Ada Moss"), "Ada Moss");
        assert_eq!(without_by("Byron Ode"), "Byron Ode");
    }

    #[test]
    fn description_sources_and_bound() {
        let mut c = Collector::default();
        c.meta("og:description", "What the social card says.");
        c.ld_text(
            r#"{"@type":"BlogPosting","headline":"Kettles","description":"Why kettles whistle."}"#,
        );
        c.ld_end();
        assert_eq!(
            c.finish().description.as_deref(),
            Some("Why kettles whistle.")
        );

        let mut c = Collector::default();
        c.meta("description", &"word ".repeat(MAX_DESCRIPTION));
        c.meta("twitter:description", "  A short   blurb. ");
        assert_eq!(c.finish().description.as_deref(), Some("A short blurb."));
    }
}
