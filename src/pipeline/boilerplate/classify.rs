//! Per-block text features and keyword categories, shared by both modes.
//!
//! The keyword families are phrases that, in a short block, say what the
//! block is for (asking to share, to donate, stating rights...). Long blocks
//! are article prose that may mention such words in passing, so most rules
//! only fire below a word budget.

use std::sync::OnceLock;

use super::RemovalReason;

/// Chars below this have their [`is_alnum`] answer in a table (Latin,
/// Greek, Cyrillic, ..., kana and the common CJK ideographs).
const ALNUM_TABLE_END: usize = 0xA000;
static ALNUM: OnceLock<Vec<u64>> = OnceLock::new();

/// `char::is_alphanumeric`, which for non-ASCII chars searches Unicode's
/// range tables; text outside ASCII is common enough for a bit table.
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let n = c as usize;
    if n >= ALNUM_TABLE_END {
        return c.is_alphanumeric();
    }
    let table = ALNUM.get_or_init(|| {
        let mut t = vec![0u64; ALNUM_TABLE_END / 64];
        for (i, w) in t.iter_mut().enumerate() {
            for bit in 0..64 {
                let alnum = u32::try_from(i * 64 + bit)
                    .ok()
                    .and_then(char::from_u32)
                    .is_some_and(char::is_alphanumeric);
                *w |= u64::from(alnum) << bit;
            }
        }
        t
    });
    table.get(n / 64).is_some_and(|w| (w >> (n % 64)) & 1 == 1)
}

/// Only the head of a block is searched for phrases: the rules that matter
/// for long blocks look at how they start, and it bounds the work.
const SCAN_BYTES: usize = 1200;

/// Cheap shape measures of one block of text.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Features {
    /// Words (runs of alphanumerics).
    pub(crate) words: u32,
    /// Words found in the stop-word lists.
    pub(crate) stop: u32,
    /// Sentence-ending punctuation marks followed by a space or the end.
    pub(crate) sentences: u32,
    /// Commas, a readability-style prose signal.
    pub(crate) commas: u32,
    /// The block ends like a sentence.
    pub(crate) ends_sentence: bool,
    /// Tokens that look like URLs or e-mail addresses.
    pub(crate) links: u32,
    /// The block has no letter or digit at all (separators, bullets).
    pub(crate) no_alnum: bool,
}

impl Features {
    /// Share of stop words among words.
    pub(crate) fn stop_ratio(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            self.stop as f32 / self.words as f32
        }
    }

    /// Reads like prose: long enough, with function words or sentences.
    pub(crate) fn is_prose(&self) -> bool {
        (self.words >= 10 && (self.stop_ratio() >= 0.18 || self.sentences >= 2))
            || (self.words >= 6 && self.ends_sentence && self.stop_ratio() >= 0.25)
            || self.words >= 40
    }
}

/// Measures `text` (already whitespace-collapsed) in one pass.
pub(crate) fn features(text: &str) -> Features {
    let mut f = Features {
        no_alnum: true,
        ..Features::default()
    };
    let mut word = [0u8; 16];
    let mut wlen = 0usize;
    let mut in_word = false;
    let mut word_ascii = true;
    let mut prev: char = ' ';
    for c in text.chars() {
        if is_alnum(c) {
            f.no_alnum = false;
            if !in_word {
                in_word = true;
                wlen = 0;
                word_ascii = true;
            }
            if c.is_ascii() && wlen < word.len() {
                word[wlen] = c.to_ascii_lowercase() as u8;
                wlen += 1;
            } else {
                word_ascii = false;
            }
        } else {
            if in_word {
                f.words += 1;
                if word_ascii && is_stop(word.get(..wlen).unwrap_or_default()) {
                    f.stop += 1;
                }
                in_word = false;
            }
            match c {
                ',' | '，' | '、' => f.commas += 1,
                ' ' if matches!(prev, '.' | '!' | '?' | '…' | '。') => f.sentences += 1,
                _ => {}
            }
        }
        prev = c;
    }
    if in_word {
        f.words += 1;
        if word_ascii && is_stop(word.get(..wlen).unwrap_or_default()) {
            f.stop += 1;
        }
    }
    let tail = text.trim_end_matches(['"', '\'', '”', '’', ')', '»', '“']);
    f.ends_sentence = tail.ends_with(['.', '!', '?', '…', '。', ':']) && !tail.ends_with("...");
    if f.ends_sentence && !tail.ends_with(':') {
        f.sentences += 1;
    }
    // Most blocks hold no address at all; one scan per marker rules the
    // token pass out for them.
    let maybe_links = text.contains("http://")
        || text.contains("https://")
        || text.contains("www.")
        || text.contains('@')
        || text.contains("[email");
    if maybe_links {
        f.links = text
            .split(' ')
            .filter(|t| {
                is_web_address(t)
                    || (t.len() > 3 && t.contains('@') && t.contains('.'))
                    || t.contains("[email")
            })
            .count() as u32;
    }
    f
}

/// Whether a token is written as a web address ("https://…", "www.…").
pub(crate) fn is_web_address(token: &str) -> bool {
    ["http://", "https://", "www."]
        .iter()
        .any(|p| token.starts_with(p))
}

/// Function words of English, German, French and Spanish: their density
/// separates prose from menus and link lists in any of these languages.
fn is_stop(w: &[u8]) -> bool {
    matches!(
        w,
        b"the"
            | b"a"
            | b"an"
            | b"and"
            | b"or"
            | b"but"
            | b"of"
            | b"to"
            | b"in"
            | b"on"
            | b"at"
            | b"for"
            | b"with"
            | b"by"
            | b"from"
            | b"as"
            | b"is"
            | b"are"
            | b"was"
            | b"were"
            | b"be"
            | b"been"
            | b"has"
            | b"have"
            | b"had"
            | b"it"
            | b"its"
            | b"this"
            | b"that"
            | b"these"
            | b"those"
            | b"he"
            | b"she"
            | b"they"
            | b"we"
            | b"you"
            | b"i"
            | b"his"
            | b"her"
            | b"their"
            | b"our"
            | b"not"
            | b"no"
            | b"will"
            | b"would"
            | b"can"
            | b"could"
            | b"which"
            | b"who"
            | b"what"
            | b"when"
            | b"there"
            | b"if"
            | b"so"
            | b"than"
            | b"into"
            | b"about"
            | b"after"
            | b"also"
            | b"more"
            | b"do"
            | b"does"
            | b"did"
            | b"said"
            | b"all"
            | b"one"
            | b"der"
            | b"die"
            | b"das"
            | b"und"
            | b"ist"
            | b"nicht"
            | b"ein"
            | b"eine"
            | b"zu"
            | b"den"
            | b"dem"
            | b"mit"
            | b"sich"
            | b"auf"
            | b"des"
            | b"im"
            | b"auch"
            | b"es"
            | b"sie"
            | b"er"
            | b"von"
            | b"wird"
            | b"werden"
            | b"dass"
            | b"le"
            | b"la"
            | b"les"
            | b"et"
            | b"du"
            | b"un"
            | b"une"
            | b"est"
            | b"que"
            | b"qui"
            | b"dans"
            | b"pour"
            | b"pas"
            | b"sur"
            | b"au"
            | b"il"
            | b"elle"
            | b"ne"
            | b"se"
            | b"par"
            | b"el"
            | b"los"
            | b"las"
            | b"y"
            | b"en"
            | b"del"
            | b"una"
            | b"por"
            | b"con"
            | b"para"
            | b"lo"
            | b"su"
            | b"al"
            | b"como"
            | b"pero"
            | b"sus"
    ) || w == b"de"
}

/// Lower-cased text prepared for whole-word phrase tests: the byte offsets
/// where words start, so each test compares only at those offsets instead
/// of running a substring search per phrase.
struct Hay<'a> {
    text: &'a str,
    /// Word starts grouped by their first byte: those starting with byte
    /// `b` are `starts[first[b]..first[b + 1]]`, so a phrase is compared
    /// only where a word starts like it.
    starts: Vec<u32>,
    first: [u32; 257],
}

impl<'a> Hay<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut at = Vec::new();
        let mut first = [0u32; 257];
        let mut prev_alnum = false;
        for (i, c) in text.char_indices() {
            let alnum = is_alnum(c);
            if alnum && !prev_alnum {
                let b = bytes.get(i).copied().unwrap_or_default();
                if let (Ok(i), Some(n)) = (u32::try_from(i), first.get_mut(usize::from(b) + 1)) {
                    at.push(i);
                    *n += 1;
                }
            }
            prev_alnum = alnum;
        }
        for k in 1..first.len() {
            let before = first.get(k - 1).copied().unwrap_or_default();
            if let Some(n) = first.get_mut(k) {
                *n += before;
            }
        }
        let mut next = first;
        let mut starts = vec![0u32; at.len()];
        for &i in &at {
            let b = bytes.get(i as usize).copied().unwrap_or_default();
            if let Some(n) = next.get_mut(usize::from(b)) {
                if let Some(slot) = starts.get_mut(*n as usize) {
                    *slot = i;
                }
                *n += 1;
            }
        }
        Hay {
            text,
            starts,
            first,
        }
    }

    /// Whether `pat` (lower case, starting with a letter or digit) occurs
    /// with word boundaries on both sides.
    fn has(&self, pat: &str) -> bool {
        let pat_b = pat.as_bytes();
        let Some(&b) = pat_b.first() else {
            return false;
        };
        let (Some(&lo), Some(&hi)) = (
            self.first.get(usize::from(b)),
            self.first.get(usize::from(b) + 1),
        ) else {
            return false;
        };
        let bytes = self.text.as_bytes();
        let cands = self
            .starts
            .get(lo as usize..hi as usize)
            .unwrap_or_default();
        cands.iter().any(|&i| {
            let i = i as usize;
            // A byte loop: patterns are short, and most candidates differ
            // within a byte or two, where a memcmp call costs more.
            let same = bytes
                .get(i..i + pat_b.len())
                .is_some_and(|w| w.iter().zip(pat_b).all(|(a, b)| a == b));
            same && self.text.get(i..).is_some_and(|rest| {
                !rest
                    .get(pat.len()..)
                    .and_then(|s| s.chars().next())
                    .is_some_and(char::is_alphanumeric)
            })
        })
    }

    fn any(&self, pats: &[&str]) -> bool {
        pats.iter().any(|p| self.has(p))
    }
}

/// Whether `hay` contains `pat` with word boundaries on both sides.
#[cfg(test)]
fn has_phrase(hay: &str, pat: &str) -> bool {
    Hay::new(hay).has(pat)
}

fn starts_any(hay: &str, pats: &[&str]) -> bool {
    pats.iter().any(|p| {
        hay.starts_with(p)
            && !hay
                .get(p.len()..)
                .and_then(|s| s.chars().next())
                .is_some_and(char::is_alphanumeric)
    })
}

const SHARE: &[&str] = &[
    "click to share",
    "share",
    "tweet",
    "facebook",
    "twitter",
    "pinterest",
    "linkedin",
    "whatsapp",
    "reddit",
    "telegram",
    "email this",
    "print this",
    "forward this article",
    "follow us",
    "follow me",
    "like us on",
    "teilen",
    "folgen sie uns",
    "partager",
    "suivez-nous",
    "suivez nous",
    "compartir",
    "síguenos",
    "siguenos",
    "compártelo",
    "siga-nos",
    "nos siga",
];
/// Social networks a follow prompt names.
const NETWORKS: &[&str] = &[
    "facebook",
    "twitter",
    "instagram",
    "linkedin",
    "youtube",
    "tiktok",
    "pinterest",
    "bluesky",
    "mastodon",
];
/// Messengers whose channels and groups sites invite readers to.
const MESSENGERS: &[&str] = &["whatsapp", "telegram", "signal", "viber"];
const CHANNEL: &[&str] = &[
    "channel", "channels", "group", "groups", "canal", "canales", "canais", "kanal", "grupo",
    "grupos", "gruppe", "groupe", "chaîne",
];
/// The site speaking of itself ("our channel", "tenemos canal").
const SITE_SPEAKS: &[&str] = &[
    "our", "we", "us", "nuestro", "nuestra", "tenemos", "notre", "nous", "unser", "unseren",
    "unserem", "unsere", "nosso", "nossa", "temos",
];
/// The ask: join, follow or subscribe, in the languages above.
const JOIN: &[&str] = &[
    "join",
    "follow",
    "subscribe",
    "únete",
    "únase",
    "súmate",
    "suscríbete",
    "entra",
    "participe",
    "siga",
    "rejoignez",
    "rejoins",
    "abonnez-vous",
    "abonniere",
    "abonnieren",
    "folge",
    "folgen",
];
const SHARE_LONG: &[&str] = &[
    "share buttons",
    "forward this article",
    "share this article",
    "share this story",
    "share this post",
    "click to share",
    "follow us on",
];
/// Words about giving money: an appeal only with [`DONATION_APPEAL`].
const DONATION: &[&str] = &[
    "donate",
    "donation",
    "donations",
    "spenden",
    "spende",
    "faire un don",
    "soutenir",
    "donar",
];
/// Phrases that ask the reader for support by themselves.
const DONATION_ASK: &[&str] = &[
    "patreon",
    "support us",
    "support our",
    "become a patron",
    "become a member",
    "make a contribution",
    "unterstützen sie uns",
    "soutenez",
    "apóyanos",
    "haz una donación",
];
/// Appeals for money explicit enough to mark a paragraph-long block: a
/// site explaining why it asks ("We do this work at no cost to you ...
/// We need your financial support.").
const DONATION_ASK_LONG: &[&str] = &[
    "need your financial support",
    "needs your financial support",
    "need your financial help",
    "rely on your financial support",
    "depend on your financial support",
    "with your financial support",
];
/// Longest block that a [`DONATION_ASK_LONG`] phrase marks.
const DONATION_LONG_MAX_WORDS: u32 = 80;
/// Words that turn a donation word into an appeal to the reader.
const DONATION_APPEAL: &[&str] = &[
    "please",
    "today",
    "now",
    "us",
    "our",
    "we",
    "help",
    "thank",
    "thanks",
    "click",
    "contribute",
    "bitte",
    "uns",
    "jetzt",
    "heute",
    "unsere",
    "merci",
    "nous",
    "notre",
    "maintenant",
    "por favor",
    "nos",
    "ahora",
    "hoy",
    "nuestro",
    "nuestra",
];
/// Longest line read as a donation label without an appeal word.
const DONATION_LABEL_WORDS: u32 = 4;
const LEGAL_START: &[&str] = &[
    "disclaimer",
    "haftungsausschluss",
    "avertissement",
    "aviso legal",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "privacy policy",
    "legal notice",
];
const LEGAL: &[&str] = &[
    "terms of use",
    "terms of service",
    "terms and conditions",
    "privacy policy",
    "privacy notice",
    "privacy statement",
    "legal notice",
    "disclaimer",
    "impressum",
    "datenschutz",
    "datenschutzerklärung",
    "agb",
    "nutzungsbedingungen",
    "mentions légales",
    "politique de confidentialité",
    "conditions générales",
    "política de privacidad",
    "aviso legal",
    "términos y condiciones",
    "accessibility statement",
    "sitemap",
    "site map",
];
/// Longest block that one disclaimer phrase makes a disclaimer.
const LEGAL_PROSE_MAX_WORDS: u32 = 40;
const LEGAL_PROSE: &[&str] = &[
    "sole responsibility",
    "not be responsible",
    "not responsible for",
    "no responsibility",
    "views expressed",
    "opinions expressed",
    "do not necessarily reflect",
    "does not necessarily reflect",
    "keine haftung",
    "n'engagent que",
];
/// Phrases of a rights notice. The bare word "copyright" is not one: text
/// about copyright law uses it too (see [`copyright_word_notice`]).
const COPYRIGHT: &[&str] = &[
    "©",
    "all rights reserved",
    "image copyright",
    "photo copyright",
    "content copyright",
    "is subject to copyright",
    "reproduced without",
    "(c) 19",
    "(c) 20",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "reproduction interdite",
    "may not be reproduced",
    "may not be published",
];
const COOKIE: &[&str] = &["cookie", "cookies"];
const COOKIE_CTX: &[&str] = &[
    "use",
    "uses",
    "accept",
    "consent",
    "browsing",
    "experience",
    "policy",
    "settings",
    "verwendet",
    "akzeptieren",
    "utilise",
    "utilisons",
    "accepter",
    "utiliza",
    "usamos",
    "aceptar",
];
const RELATED: &[&str] = &[
    "related articles",
    "related posts",
    "related stories",
    "related content",
    "related",
    "read more",
    "read next",
    "see also",
    "more stories",
    "more news",
    "more from",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended for you",
    "most popular",
    "most read",
    "trending",
    "popular posts",
    "recent posts",
    "weitere artikel",
    "ähnliche artikel",
    "mehr zum thema",
    "das könnte sie auch interessieren",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "articles similaires",
    "sur le même sujet",
    "te puede interesar",
    "artículos relacionados",
    "leer más",
    "noticias relacionadas",
    "explore further",
    "don't miss",
    "don’t miss",
    "more on this story",
    "mehr themen",
    "weitere themen",
    "lesen sie auch",
    "auch interessant",
    "veja também",
    "leia também",
    "leia mais",
    "más noticias",
    "lee también",
];
/// What a "More ..." label lists.
const RELATED_ITEMS: &[&str] = &["stories", "articles", "news", "posts", "videos", "reads"];
const COMMENTS: &[&str] = &[
    "comments",
    "comment",
    "leave a comment",
    "leave a reply",
    "post a comment",
    "add a comment",
    "add comment",
    "reader comments",
    "show comments",
    "view comments",
    "kommentare",
    "kommentar",
    "kommentieren",
    "commentaires",
    "commentaire",
    "laisser un commentaire",
    "comentarios",
    "comentario",
    "deja un comentario",
];
/// "12 comments", "35 responses to ...": a count announcing a thread.
const COMMENT_COUNT: &[&str] = &[
    "comments",
    "comment",
    "responses",
    "replies",
    "kommentare",
    "commentaires",
    "comentarios",
];
/// Invitations to write a comment.
const COMMENT_FORM: &[&str] = &[
    "leave a comment",
    "leave a reply",
    "post a comment",
    "add a comment",
    "add one",
    "write a comment",
    "kommentar schreiben",
    "laisser un commentaire",
    "deja un comentario",
];
const ADVERT: &[&str] = &[
    "advertisement",
    "advertising",
    "sponsored",
    "sponsored content",
    "ad",
    "ads",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
];
/// Labels that open a short advertising disclosure ("Anzeige, enthält
/// Affiliate-Links").
const ADVERT_LABEL: &[&str] = &[
    "anzeige",
    "werbung",
    "advertisement",
    "publicité",
    "publicidad",
];
const OTHER_SHORT: &[&str] = &[
    // Edit notes under forum posts.
    "last edited",
    "zuletzt bearbeitet",
    "dernière édition par",
    "última edición",
    "articles by",
    "more articles by",
    "all posts by",
    "posts by",
    "about the author",
    "über den autor",
    "über die autorin",
    "à propos de l'auteur",
    "sobre el autor",
    "sobre o autor",
    "media inquiries",
    "media enquiries",
    "press inquiries",
    "press enquiries",
    "contact us",
    "contact",
    "kontakt",
    "contactez-nous",
    "contacto",
    "subscribe",
    "newsletter",
    "sign up",
    "sign in",
    "log in",
    "login",
    "register",
    "abonnieren",
    "s'abonner",
    "abonnez-vous",
    "suscríbete",
    "suscribirse",
    "skip to content",
    "skip to main content",
    "back to top",
    "jump to",
    "tags",
    "filed under",
    "categories",
    "posted in",
    "previous article",
    "next article",
    "previous post",
    "next post",
];
/// Invitations to send feedback ("We'd like to hear what you think"):
/// notes to the reader, not the text, even in a long block.
const FEEDBACK: &[&str] = &[
    "to hear what you think",
    "to hear from you",
    "let me know what you think",
    "let us know what you think",
    "tell us what you think",
];
/// Reading-time notes ("8 min read", "Lesezeit: 3 Minuten").
const READ_TIME: &[&str] = &[
    "min read",
    "mins read",
    "minute read",
    "minutes read",
    "reading time",
    "read time",
    "lesezeit",
    "temps de lecture",
    "tiempo de lectura",
    "tempo de leitura",
];
/// Labelled fields of a post's meta line ("05/10/2018 - Posted by: Jane -
/// Category: Health"); the colon tells the field from prose ("it was
/// posted by a reader").
const META_FIELD: &[&str] = &[
    "posted by:",
    "published by:",
    "posted on:",
    "published on:",
    "publicado por:",
    "publicado em:",
    "publicado el:",
    "publié par :",
    "publié par\u{a0}:",
    "publié par:",
    "publié le :",
    "publié le\u{a0}:",
    "veröffentlicht von:",
    "veröffentlicht am:",
];
/// Longest meta line, in words: one with many tags is still short.
const META_LINE_MAX_WORDS: u32 = 25;
/// Commenting rules named in a comment form.
const COMMENT_RULES: &[&str] = &["netiquette", "kommentarregeln"];
/// Links to the neighbouring article, anywhere in a short block
/// ("Vorschau auf den nächsten Artikel").
const NEIGHBOUR: &[&str] = &[
    "next article",
    "previous article",
    "next post",
    "previous post",
    "nächsten artikel",
    "nächster artikel",
    "vorherigen artikel",
    "vorheriger artikel",
    "nächster beitrag",
    "vorheriger beitrag",
    "article suivant",
    "article précédent",
    "artículo siguiente",
    "artículo anterior",
];
const NAV: &[&str] = &[
    "home",
    "menu",
    "search",
    "startseite",
    "accueil",
    "inicio",
    "next",
    "previous",
    "prev",
    "back",
    "top",
    "more",
    "page",
    "you are here",
    "you are at",
];

/// The boilerplate category `text` announces, if any, judged on its words.
pub(crate) fn keyword_reason(text: &str, f: &Features) -> Option<RemovalReason> {
    // Separators and bullets carry no content, nor does a no-break space
    // decoded twice with the wrong charset ("Ã‚Â").
    if f.no_alnum || (text.len() <= MOJIBAKE_MAX_BYTES && mojibake_space(text)) {
        return Some(RemovalReason::Other);
    }
    let head = crate::pipeline::prefix(text, SCAN_BYTES);
    // Most blocks are ASCII, where the byte-wise mapping is the same and
    // much cheaper than the Unicode one.
    let lower = if head.is_ascii() {
        head.to_ascii_lowercase()
    } else {
        head.to_lowercase()
    };
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '©');
    let w = f.words;

    // Long blocks are prose unless they open like a notice; only the rules
    // meant for them run, which also keeps the work per block small.
    if w <= 160 {
        let copyright_hits = COPYRIGHT.iter().filter(|p| lower.contains(*p)).count()
            + usize::from(copyright_word_notice(lower));
        if (w <= 40 && copyright_hits >= 1) || copyright_hits >= 2 {
            return Some(RemovalReason::Copyright);
        }
    }
    if starts_any(lower, LEGAL_START) {
        return Some(RemovalReason::Legal);
    }
    if let Some(r) = cjk_label(lower) {
        return Some(r);
    }
    if w > 200 {
        return None;
    }
    let hay = Hay::new(lower);
    // One such phrase in a long paragraph is reporting ("holds the views
    // expressed by the party"); a disclaimer is short or piles them up.
    let legal_prose = LEGAL_PROSE.iter().filter(|p| hay.has(p)).count();
    if (w <= LEGAL_PROSE_MAX_WORDS && legal_prose >= 1) || legal_prose >= 2 {
        return Some(RemovalReason::Legal);
    }
    if w <= 80 && hay.any(COOKIE) && hay.any(COOKIE_CTX) {
        return Some(RemovalReason::Cookie);
    }
    // "Follow the Opinion section on Facebook, Twitter and Instagram."
    let follow =
        w <= 25 && lower.starts_with("follow ") && lower.contains(" on ") && hay.any(NETWORKS);
    // "Join our WhatsApp channel for the latest news": an invitation names
    // a messenger, a channel or group, and asks the reader in.
    let channel = w <= 40
        && hay.any(MESSENGERS)
        && hay.any(CHANNEL)
        && hay.any(JOIN)
        && (hay.any(SITE_SPEAKS) || starts_any(lower, JOIN));
    if (w <= 12 && hay.any(SHARE)) || (w <= 60 && hay.any(SHARE_LONG)) || follow || channel {
        return Some(RemovalReason::Share);
    }
    // A donation word in a statement ("made a donation to the Red Cross",
    // "donate the rest") reports or instructs; an appeal asks the reader
    // for the site. Short labels ("Donate today") are appeals as they are.
    // A line opening with the word is a command ("Donate to keep ...").
    let appeal = w <= DONATION_LABEL_WORDS
        || hay.any(DONATION_APPEAL)
        || starts_any(lower, &["donate", "spenden", "donar"]);
    // "Support Snopes so we can keep going.": a sentence asking the reader
    // to support a named outlet. The capital tells the outlet from a topic
    // ("Support for the bill grew").
    let named_ask = f.ends_sentence
        && text
            .trim_start()
            .strip_prefix("Support ")
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_uppercase)
        && (hay.any(DONATION_APPEAL) || hay.has("make a difference"));
    let donation = hay.any(DONATION_ASK) || (appeal && hay.any(DONATION)) || named_ask;
    if (w <= 25 && donation)
        || (w <= DONATION_LONG_MAX_WORDS && hay.any(DONATION_ASK_LONG))
        || (w <= 3 && starts_any(lower, &["support"]))
    {
        return Some(RemovalReason::Donation);
    }
    if w <= 12 && hay.any(LEGAL) {
        return Some(RemovalReason::Legal);
    }
    let counted = w <= 8 && lower.contains(|c: char| c.is_ascii_digit()) && hay.any(COMMENT_COUNT);
    if counted
        || (w <= 8 && hay.any(COMMENT_FORM))
        || (w <= 30 && hay.any(COMMENT_RULES))
        || (w <= 5 && starts_any(lower, COMMENTS))
        || (w <= 4 && ends_any(lower, COMMENTS))
    {
        return Some(RemovalReason::Comments);
    }
    // "More stories", but also "More great Daily stories".
    let more_of = starts_any(lower, &["more"]) && ends_any(lower, RELATED_ITEMS);
    if w <= 6 && (more_of || starts_any(lower, RELATED)) {
        return Some(RemovalReason::Related);
    }
    if (w <= 3 && hay.any(ADVERT)) || (w <= 6 && starts_any(lower, ADVERT_LABEL)) {
        return Some(RemovalReason::Advertising);
    }
    if (w <= 8 && starts_any(lower, OTHER_SHORT)) || (w <= 4 && placeholder(lower)) {
        return Some(RemovalReason::Other);
    }
    let meta_line = w <= META_LINE_MAX_WORDS && META_FIELD.iter().any(|p| lower.contains(p));
    if (w <= 60 && hay.any(FEEDBACK))
        || (w <= 10 && hay.any(READ_TIME))
        || meta_line
        || (w <= CAPTION_MAX_WORDS && picture_credit(lower))
    {
        return Some(RemovalReason::Other);
    }
    if (w <= 3 && starts_any(lower, NAV))
        || (w <= 6 && hay.any(NEIGHBOUR))
        || (w <= MENU_LINE_MAX_WORDS && menu_line(text))
    {
        return Some(RemovalReason::Navigation);
    }
    // A line that is mostly addresses is a contact or link line.
    if f.links > 0 && (w <= 12 || f.links * 4 >= w) {
        return Some(RemovalReason::Other);
    }
    None
}

/// Longest block, in chars, read as a Chinese, Japanese or Korean label.
const CJK_LABEL_MAX_CHARS: usize = 40;

/// Labels of page furniture in Chinese, Japanese and Korean. These scripts
/// write words without spaces, so the word-bounded phrase tests never see
/// "分享到" inside "分享到微信": a short block is searched as a string instead.
const CJK_LABELS: &[(&str, RemovalReason)] = &[
    ("分享到", RemovalReason::Share),
    ("分享至", RemovalReason::Share),
    ("转发到", RemovalReason::Share),
    ("转播到", RemovalReason::Share),
    ("シェアする", RemovalReason::Share),
    ("공유하기", RemovalReason::Share),
    ("相关阅读", RemovalReason::Related),
    ("相关文章", RemovalReason::Related),
    ("相关新闻", RemovalReason::Related),
    ("相关推荐", RemovalReason::Related),
    ("猜你喜欢", RemovalReason::Related),
    ("延伸阅读", RemovalReason::Related),
    ("相關閱讀", RemovalReason::Related),
    ("相關新聞", RemovalReason::Related),
    ("関連記事", RemovalReason::Related),
    ("관련기사", RemovalReason::Related),
    ("版权所有", RemovalReason::Copyright),
    ("版權所有", RemovalReason::Copyright),
    ("無断転載", RemovalReason::Copyright),
    ("无权转载", RemovalReason::Copyright),
    ("发表评论", RemovalReason::Comments),
    ("网友评论", RemovalReason::Comments),
    ("コメントを書く", RemovalReason::Comments),
    ("댓글쓰기", RemovalReason::Comments),
    ("责任编辑", RemovalReason::Other),
    ("責任編輯", RemovalReason::Other),
];

/// The category a short Chinese, Japanese or Korean block announces, if any.
fn cjk_label(lower: &str) -> Option<RemovalReason> {
    let short = lower.chars().nth(CJK_LABEL_MAX_CHARS).is_none();
    // Every label starts with a char of U+1100 or above: a block with none
    // (most of them) needs no search.
    if !short || !lower.chars().any(|c| c >= '\u{1100}') {
        return None;
    }
    CJK_LABELS
        .iter()
        .find(|(label, _)| lower.contains(label))
        .map(|&(_, r)| r)
}

/// What a page shows while a script fetches the real content.
const PLACEHOLDERS: &[&str] = &[
    "loading",
    "loading please wait",
    "please wait",
    "wird geladen",
    "lädt",
    "chargement",
    "chargement en cours",
    "cargando",
    "carregando",
    "正在加载",
    "加载中",
    "読み込み中",
];

/// Whether the whole block is a loading placeholder ("Loading...",
/// "正在加载…"): the state of a widget, not text.
fn placeholder(lower: &str) -> bool {
    let bare = lower.trim_end_matches(['.', '…', ' ', '!']);
    if bare.contains(',') {
        // "Loading, please wait".
        return PLACEHOLDERS.contains(&bare.replace(',', "").as_str());
    }
    PLACEHOLDERS.contains(&bare)
}

/// Longest line read as a menu written out with separators.
const MENU_LINE_MAX_WORDS: u32 = 30;
/// Longest item of such a menu, in words.
const MENU_ITEM_MAX_WORDS: usize = 4;
/// Characters that sites put between the items of a menu or breadcrumb.
const MENU_SEPARATORS: &[char] = &['|', '•', '·', '»', '›', '¦', '∙'];

/// Whether a line is a menu or breadcrumb flattened into text ("Home |
/// News | Sport", "Home » World » Europe"): three or more items of a few
/// words each, none a sentence. In plain text there are no links to tell
/// it by. Not menus: a line opening with a bar (a Markdown table row),
/// bylines, items with a field or code sign ("Prep Time: 2 Hours | Serves:
/// 4", "union Result = Human | Droid | Ship"), and code blocks, which keep
/// their lines.
fn menu_line(text: &str) -> bool {
    let text = text.trim();
    // "By Jane Doe | Monday | 07/01/2008" is a byline, which stays.
    let byline = text.get(..3).is_some_and(|h| h.eq_ignore_ascii_case("by "));
    if text.starts_with('|') || text.contains('\n') || byline {
        return false;
    }
    let mut items = 0usize;
    for item in text.split(MENU_SEPARATORS) {
        let item = item.trim();
        let words = item.split_whitespace().count();
        if words > MENU_ITEM_MAX_WORDS
            || item.ends_with(['.', '!', '?', ','])
            || item.contains([':', ';', '=', '{', '}', '<', '>'])
        {
            return false;
        }
        // "Home | | News": an empty slot is a doubled separator.
        items += usize::from(words > 0);
    }
    items >= 3
}

/// Whether a short block is a picture's caption by its credit: "Photo:
/// Jane Doe, AP" on its own, or a caption ending "(Image: Getty)".
fn picture_credit(lower: &str) -> bool {
    let lower = lower.trim_end();
    // "photo:", "photos:", "image credit:", "picture credits :"; a bare
    // "credit:" only inside a caption's closing brackets, as a line it
    // also heads text ("Credit: what you need to know").
    let field = |s: &str, bare_credit: bool| {
        let s = s.trim_start();
        let named = PICTURE_CREDIT.iter().any(|p| {
            s.strip_prefix(p).is_some_and(|rest| {
                let rest = rest.strip_prefix('s').unwrap_or(rest).trim_start();
                let rest = rest.strip_prefix("credit").unwrap_or(rest);
                let rest = rest.strip_prefix('s').unwrap_or(rest);
                rest.trim_start().starts_with(':')
            })
        });
        named
            || (bare_credit
                && s.strip_prefix("credit")
                    .is_some_and(|r| r.trim_start().starts_with(':')))
    };
    let closing = lower.trim_end_matches('.').trim_end();
    if let Some(inner) = closing
        .strip_suffix(')')
        .and_then(|s| s.rfind('(').and_then(|i| s.get(i + 1..)))
        && field(inner, true)
    {
        return true;
    }
    lower.split_whitespace().count() <= CREDIT_LINE_MAX_WORDS && field(lower, false)
}

/// Words naming a picture in a credit ("Photo: ...", "Image credit: ...").
const PICTURE_CREDIT: &[&str] = &[
    "photo",
    "image",
    "picture",
    "pic",
    "foto",
    "bild",
    "photograph",
    "photographer",
];
/// Longest caption, in words, that a trailing credit marks.
const CAPTION_MAX_WORDS: u32 = 40;
/// Longest credit line on its own, in words.
const CREDIT_LINE_MAX_WORDS: usize = 6;

/// Longest block checked for being only a misdecoded space.
const MOJIBAKE_MAX_BYTES: usize = 64;

/// Whether `text` is only what a no-break space turns into when its UTF-8
/// bytes are read as Latin-1 or Windows-1252, once or twice over.
fn mojibake_space(text: &str) -> bool {
    text.chars()
        .all(|c| matches!(c, 'Ã' | 'Â' | '‚' | '\u{a0}') || c.is_whitespace())
        && text.contains('Â')
}

/// Whether "copyright" is used as a notice: opening the line ("Copyright
/// 2004 Jane Doe", "Fair use notice") or followed by a year or the sign
/// ("... text copyright (c) 2001 by ..."), not as a topic.
fn copyright_word_notice(lower: &str) -> bool {
    if starts_any(lower, &["copyright", "copyrighted", "fair use"]) {
        // "Copyright law after the ruling" is a title about it.
        let next = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .nth(if lower.starts_with("fair") { 2 } else { 1 });
        return !next.is_some_and(|w| COPYRIGHT_TOPIC.contains(&w));
    }
    // "Site contents copyright Harbour Society, 2004."
    let short = lower.split_whitespace().count() <= COPYRIGHT_YEAR_LINE_WORDS;
    if short && lower.contains("copyright") && has_year(lower) {
        return true;
    }
    lower.match_indices("copyright").any(|(at, w)| {
        lower.get(at + w.len()..).is_some_and(|rest| {
            // "(Copyright: Agency)" credits a holder.
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("(c)").unwrap_or(rest).trim_start();
            rest.starts_with(|c: char| c.is_ascii_digit() || c == '©' || c == ':')
        })
    })
}

/// Words after an opening "copyright" that make it the topic of the line.
const COPYRIGHT_TOPIC: &[&str] = &[
    "law",
    "laws",
    "act",
    "reform",
    "holder",
    "holders",
    "infringement",
    "office",
    "protection",
    "works",
    "work",
    "is",
    "and",
    "owners",
    "claims",
    "issues",
    "term",
    "rules",
];
/// Longest line where "copyright" and a year anywhere make a notice.
const COPYRIGHT_YEAR_LINE_WORDS: usize = 12;

/// Whether `text` holds a year from 1900 to 2099 as a word of its own.
fn has_year(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")))
}

fn ends_any(hay: &str, pats: &[&str]) -> bool {
    let hay = hay.trim_end_matches(|c: char| !c.is_alphanumeric());
    pats.iter().any(|p| {
        hay.ends_with(p)
            && !hay
                .get(..hay.len() - p.len())
                .and_then(|s| s.chars().next_back())
                .is_some_and(char::is_alphanumeric)
    })
}

/// "Anna says:", "Jo wrote:", and their equivalents in de, fr, es.
pub(crate) fn is_comment_head(text: &str) -> bool {
    let lower = text.to_lowercase();
    let lower = lower.trim_end();
    [
        "says:",
        "said:",
        "said...",
        "said…",
        "wrote:",
        "writes:",
        "sagt:",
        "schreibt:",
        "dit :",
        "dit:",
        "écrit :",
        "dijo:",
        "escribió:",
    ]
    .iter()
    .any(|end| lower.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<RemovalReason> {
        keyword_reason(s, &features(s))
    }

    #[test]
    fn categories() {
        assert_eq!(
            reason("Share this story on Facebook"),
            Some(RemovalReason::Share)
        );
        assert_eq!(
            reason("© 2024 Example Media Ltd."),
            Some(RemovalReason::Copyright)
        );
        assert_eq!(reason("***"), Some(RemovalReason::Other));
        assert_eq!(
            reason("Please donate to keep us going"),
            Some(RemovalReason::Donation)
        );
        assert_eq!(reason("Donate today"), Some(RemovalReason::Donation));
        for text in [
            "Join our WhatsApp channel for the latest headlines from the valley.",
            "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este enlace.",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Share), "{text}");
        }
        // Reporting about a messenger is text.
        assert_eq!(
            reason(
                "The ministry said the group used Telegram to plan the protest, and police follow the channel closely."
            ),
            None
        );
        assert_eq!(
            reason("Last edited by a moderator: Oct 26, 2022"),
            Some(RemovalReason::Other)
        );
        // The note is a short line: a sentence about an edit is text.
        assert_eq!(
            reason(
                "Last edited in 1998, the guide still describes the old harbour route and the ferry times."
            ),
            None
        );
        for text in [
            "Donate to keep independent journalism free.",
            "Become a member to support independent local journalism.",
            "Soutenez le journalisme indépendant de votre région.",
            "Support Harbour Daily so we can keep reporting on the islands.",
            "Support Harbour Daily and make a difference for readers everywhere.",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Donation), "{text}");
        }
        assert_eq!(
            reason("The views expressed here are those of the author alone."),
            Some(RemovalReason::Legal)
        );
        assert_eq!(
            reason("Support Tidewater Radio"),
            Some(RemovalReason::Donation)
        );
        for (text, want) in [
            ("分享到：微信 微博", RemovalReason::Share),
            ("分享到微信", RemovalReason::Share),
            ("相关阅读", RemovalReason::Related),
            ("関連記事", RemovalReason::Related),
            ("版权所有 城市新闻网", RemovalReason::Copyright),
            ("[责任编辑：王明]", RemovalReason::Other),
            ("发表评论", RemovalReason::Comments),
        ] {
            assert_eq!(reason(text), Some(want), "{text}");
        }
        // A sentence of text that names a label is text.
        assert_eq!(
            reason(
                "市政府周二表示，市民可以在网站上分享到公园散步的照片，并就新的步道设计发表意见，听证会将在下个月举行。"
            ),
            None
        );
        for text in [
            "Loading...",
            "Loading, please wait…",
            "正在加载...",
            "Wird geladen",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Other), "{text}");
        }
        // Loading as a word of text.
        assert_eq!(reason("Loading bay"), None);
        for text in [
            "Home | News | Sport | Weather | Contact",
            "Home » World » Europe",
            "Page | 1 | 2 | 3 | Next",
            "首页 | 新闻 | 体育 | 科技",
            "About us · Careers · Press · Help",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Navigation), "{text}");
        }
        for text in [
            "| Town | March | April |",
            "Prep Time: 2 Hours | Cook Time: 10 Minutes | Serves: 4",
            "union Result = Human | Droid | Ship",
            "By Ann Reed | Tuesday | 14/05/2024",
            "Paris | London",
            "We met at noon. | Then we left. | It rained.",
            "The lake was quiet | the boats were in | and the town slept through the long afternoon heat",
        ] {
            assert!(!menu_line(text), "{text}");
        }
        // A paragraph explaining the ask is an appeal when it asks outright.
        assert_eq!(
            reason(
                "Our reporters cover the valley every week, and every story is free to read. \
                 Printing and paying them is not free, and the grants that started us have run \
                 out. To keep the Valley Ledger going into next year, we need your financial \
                 support."
            ),
            Some(RemovalReason::Donation)
        );
        // Reporting on money for someone else is text, however long.
        assert_eq!(
            reason(
                "The ministry promised financial support to the farmers whose fields flooded, \
                 and said the first payments would reach them before the end of the month."
            ),
            None
        );
        for text in [
            "Copyright 2004 Jane Doe",
            "Image copyright Harbour Pictures",
            "Site contents copyright Harbour Society, 2004.",
            "The walkers at the summit (Copyright: Fell Photo Agency)",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Copyright), "{text}");
        }
        // Statements and instructions that mention giving, or copyright as
        // a topic, are text.
        for text in [
            "The court found that copying the photographs broke copyright law, and the copyright holder won.",
            "Senate hearing on copyright reform",
            "Copyright law after the ruling",
            "The effect may be reproduced in other labs with the same equipment.",
            "Photos of a public event can be subject to copyright when they show care and skill.",
            "The mayor told the council on Tuesday that she still holds the views expressed in her \
             campaign about the harbour, and that the new ferry contract, signed last winter after \
             months of talks with two operators, would not change her mind about the fares or the \
             timetable that the islanders have asked for since the old company left.",
            "The bakery made a large donation to the food bank after the flood last spring.",
            "Keep a bag by the door for clothes you mean to donate to the charity shop.",
            "Supported file formats",
            "Pay by card or with PayPal at checkout",
        ] {
            assert_eq!(reason(text), None, "{text}");
        }
        assert_eq!(reason("12 Comments"), Some(RemovalReason::Comments));
        assert_eq!(reason("Lire aussi"), Some(RemovalReason::Related));
        assert_eq!(
            reason(
                "Our readers matter to us, and we would very much like to hear what you think \
                 about this report and about the way we covered the floods this spring."
            ),
            Some(RemovalReason::Other)
        );
        assert_eq!(reason("Siga-nos no Instagram"), Some(RemovalReason::Share));
        assert_eq!(
            reason("Mar 3, 2021 · 6 min read"),
            Some(RemovalReason::Other)
        );
        assert_eq!(reason("Lesezeit: 4 Minuten"), Some(RemovalReason::Other));
        // Meta lines, picture credits and control labels are not text;
        // prose that mentions the same words is.
        for text in [
            "12/03/2021 - Posted by: Ana Lima - Category: Harbour - Tags: ferry, winter",
            "Publié le : 4 mars 2021",
            "Photo: Jan Berg, Harbour Daily",
            "Image credit: Fell Photo Agency",
            "The ferry leaves the harbour at dawn (Image: Jan Berg)",
            "Walkers on the ridge above the lake (Photos: Harbour Society)",
            "The ferry at dawn (Credit: Jan Berg).",
            "Photo: Jan Berg (AP)",
            "Ã‚Â ",
        ] {
            assert_eq!(reason(text), Some(RemovalReason::Other), "{text}");
        }
        for text in [
            "The notice was posted by a neighbour on the church door.",
            "The photo shows the old ferry in the harbour before the storm.",
            "We close the hut in November (weather permitting).",
            "Close to the harbour",
            "A walk along the ridge (about two hours: bring water)",
            "Credit: what you need to know",
            "Support for the ferry plan grew after we published the figures.",
            "Support Groups for Islanders",
            "Collapse",
        ] {
            assert_eq!(reason(text), None, "{text}");
        }
        assert_eq!(
            reason("Zum Kommentieren bitte anmelden und die Netiquette beachten."),
            Some(RemovalReason::Comments)
        );
        assert_eq!(
            reason("Weiter zum nächsten Artikel"),
            Some(RemovalReason::Navigation)
        );
        assert_eq!(
            reason("Anzeige – dieser Beitrag enthält Partnerlinks"),
            Some(RemovalReason::Advertising)
        );
        assert_eq!(
            reason("Werbung für den Wanderverein war früher ganz einfach."),
            None
        );
        assert_eq!(
            reason("Questions about the trail? We would love to hear from you."),
            Some(RemovalReason::Other)
        );
        assert_eq!(
            reason(
                "The council said it wanted to hear from the families before any decision was made."
            ),
            None
        );
        assert_eq!(
            reason("Disclaimer: the views here are the writer's own."),
            Some(RemovalReason::Legal)
        );
        assert_eq!(
            reason("We use cookies to improve your experience."),
            Some(RemovalReason::Cookie)
        );
        assert_eq!(
            reason("Alle Rechte vorbehalten."),
            Some(RemovalReason::Copyright)
        );
        assert_eq!(
            reason("Suivez-nous sur Instagram"),
            Some(RemovalReason::Share)
        );
        assert_eq!(reason("Política de privacidad"), Some(RemovalReason::Legal));
        assert_eq!(reason("Leave a Reply"), Some(RemovalReason::Comments));
        assert_eq!(reason("Jetzt spenden"), Some(RemovalReason::Donation));
        assert_eq!(reason("Explore further"), Some(RemovalReason::Related));
        assert_eq!(reason("Mehr Themen:"), Some(RemovalReason::Related));
        assert_eq!(reason("DON'T MISS"), Some(RemovalReason::Related));
        assert_eq!(reason("Über den Autor"), Some(RemovalReason::Other));
        assert_eq!(
            reason("Explore further into the caves, we found a lake."),
            None
        );
        assert_eq!(
            reason("More Great Gazette Stories"),
            Some(RemovalReason::Related)
        );
        assert_eq!(reason("More rain expected by Tuesday"), None);
        assert_eq!(
            reason(
                "Follow the Gazette's Opinion section on Facebook, Twitter (@GazetteOp) and Instagram."
            ),
            Some(RemovalReason::Share)
        );
        assert_eq!(
            reason(
                "Followers of the band on Twitter have been quick to defend its new album, which many critics panned."
            ),
            None
        );
        assert_eq!(
            reason("Follow-up: Twitter reverses its ban after a week of protests from users"),
            None
        );
        assert_eq!(
            reason("Follow the money: TikTok's owner moved its profits through three countries"),
            None
        );
    }

    #[test]
    fn phrases_respect_word_boundaries() {
        assert!(has_phrase("please share this", "share this"));
        assert!(!has_phrase("shareholders", "share"));
        assert!(!has_phrase("reshare", "share"));
        assert!(has_phrase("suivez-nous sur", "suivez-nous"));
    }

    #[test]
    fn alnum_table_agrees() {
        for n in 0..0x11000u32 {
            if let Some(c) = char::from_u32(n) {
                assert_eq!(is_alnum(c), c.is_alphanumeric(), "{n:#x}");
            }
        }
    }

    #[test]
    fn prose_is_not_flagged() {
        let s =
            "Shareholders met on Tuesday to discuss the harvest, which was the best in a decade.";
        assert_eq!(reason(s), None);
        assert!(features(s).is_prose());
        assert_eq!(reason("Headers and shadows"), None);
    }
}
