//! Language identification: a character 1- to 5-gram naive-Bayes model for
//! the 56 languages it covers (built from lingua's models, see `ngram`),
//! with whatlang for scripts and languages outside it.
//!
//! "Could not decide" is a normal answer: [`Detection::best`] is `None` when
//! the text gives no evidence (no letters, or nothing in the allow-list fits).

use whatlang::dev::{RawLangInfo, raw_detect};
use whatlang::{Detector as WhatlangDetector, Lang};

mod ngram;
mod segment;

use ngram::Model;

use super::floor_char_boundary;
pub use segment::Segment;

/// Longest stretch of text handed to the models. Trigram statistics settle
/// long before this, and it keeps a 4 MiB document as cheap as a 32 KiB one.
const SAMPLE_BYTES: usize = 32 * 1024;

/// How many windows a long text is sampled from, spread evenly across it so
/// that a document whose head is in another language is still judged whole.
const SAMPLE_WINDOWS: usize = 4;

/// Most alternatives returned beside the best language.
const MAX_ALTERNATIVES: usize = 4;

/// ISO 639-3 (as whatlang spells it) → ISO 639-1, for every language whatlang
/// knows. Languages without a 639-1 code map to their 639-3 code.
#[rustfmt::skip]
const CODES: &[(&str, &str)] = &[
    ("afr", "af"), ("aka", "ak"), ("amh", "am"), ("ara", "ar"), ("aze", "az"),
    ("bel", "be"), ("ben", "bn"), ("bul", "bg"), ("cat", "ca"), ("ces", "cs"),
    ("cmn", "zh"), ("cym", "cy"), ("dan", "da"), ("deu", "de"), ("ell", "el"),
    ("eng", "en"), ("epo", "eo"), ("est", "et"), ("fin", "fi"), ("fra", "fr"),
    ("guj", "gu"), ("heb", "he"), ("hin", "hi"), ("hrv", "hr"), ("hun", "hu"),
    ("hye", "hy"), ("ind", "id"), ("ita", "it"), ("jav", "jv"), ("jpn", "ja"),
    ("kan", "kn"), ("kat", "ka"), ("khm", "km"), ("kor", "ko"), ("lat", "la"),
    ("lav", "lv"), ("lit", "lt"), ("mal", "ml"), ("mar", "mr"), ("mkd", "mk"),
    ("mya", "my"), ("nep", "ne"), ("nld", "nl"), ("nob", "nb"), ("ori", "or"),
    ("pan", "pa"), ("pes", "fa"), ("pol", "pl"), ("por", "pt"), ("ron", "ro"),
    ("rus", "ru"), ("sin", "si"), ("slk", "sk"), ("slv", "sl"), ("sna", "sn"),
    ("spa", "es"), ("srp", "sr"), ("swe", "sv"), ("tam", "ta"), ("tel", "te"),
    ("tgl", "tl"), ("tha", "th"), ("tuk", "tk"), ("tur", "tr"), ("ukr", "uk"),
    ("urd", "ur"), ("uzb", "uz"), ("vie", "vi"), ("yid", "yi"), ("zul", "zu"),
];

/// Codes callers commonly use for a language that whatlang files under
/// another code: ISO 639-3 macrolanguages and individual-language variants.
#[rustfmt::skip]
const ALIASES: &[(&str, &str)] = &[
    ("zho", "cmn"), ("chi", "cmn"), ("fas", "pes"), ("per", "pes"), ("no", "nob"),
    ("nor", "nob"), ("arb", "ara"), ("azj", "aze"), ("ekk", "est"), ("lvs", "lav"),
    ("fil", "tgl"), ("ger", "deu"), ("fre", "fra"), ("dut", "nld"), ("cze", "ces"),
    ("gre", "ell"), ("rum", "ron"), ("slo", "slk"), ("wel", "cym"), ("arm", "hye"),
    ("geo", "kat"), ("mac", "mkd"), ("bur", "mya"), ("uzn", "uzb"), ("zsm", "ind"),
];

/// A language the detector knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language(Lang);

impl Language {
    /// Looks a language up by ISO 639-1 or ISO 639-3 code (case-insensitive;
    /// common macrolanguage codes such as `zho` or `nor` are accepted).
    pub fn from_code(code: &str) -> Option<Language> {
        let code = code.trim();
        // Every known code is 2 or 3 letters; refuse anything longer before
        // copying it, however long the caller made it.
        if code.len() > 3 {
            return None;
        }
        let code = code.to_ascii_lowercase();
        let alpha3 = match code.len() {
            2 => CODES
                .iter()
                .find(|(_, two)| *two == code)
                .map(|(three, _)| *three),
            _ => Some(code.as_str()),
        };
        let alpha3 = alpha3.or_else(|| alias(&code))?;
        let alpha3 = alias(alpha3).unwrap_or(alpha3);
        Lang::from_code(alpha3).map(Language)
    }

    /// ISO 639-1 code where the language has one, else ISO 639-3.
    pub fn code(&self) -> &'static str {
        let alpha3 = self.0.code();
        CODES
            .iter()
            .find(|(three, _)| *three == alpha3)
            .map_or(alpha3, |(_, two)| *two)
    }

    /// ISO 639-3 code.
    pub fn alpha3(&self) -> &'static str {
        self.0.code()
    }

    /// English name.
    pub fn name(&self) -> &'static str {
        self.0.eng_name()
    }
}

fn alias(code: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(from, _)| *from == code)
        .map(|(_, to)| *to)
}

/// One candidate language with the detector's confidence in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The language.
    pub language: Language,
    /// Confidence in [0, 1].
    pub confidence: f64,
}

/// The detector's answer for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The most likely language; `None` when undetermined.
    pub best: Option<Candidate>,
    /// Name of the text's main writing system, when it has letters.
    pub script: Option<&'static str>,
    /// Whether the answer is trustworthy enough to act on without review.
    pub reliable: bool,
    /// Next candidates, most likely first, never including `best`.
    pub alternatives: Vec<Candidate>,
}

impl Detection {
    /// An answer the caller supplied: certain by definition.
    pub(crate) fn given(language: Language) -> Self {
        Self {
            best: Some(Candidate {
                language,
                confidence: 1.0,
            }),
            script: None,
            reliable: true,
            alternatives: Vec::new(),
        }
    }

    fn undetermined(script: Option<&'static str>) -> Self {
        Self {
            best: None,
            script,
            reliable: false,
            alternatives: Vec::new(),
        }
    }

    /// The best language, if any.
    pub fn language(&self) -> Option<Language> {
        self.best.map(|c| c.language)
    }
}

/// Temperature dividing the summed n-gram log-likelihoods before the
/// softmax: the overlapping n-grams of orders 1 to 5 are far from
/// independent, so raw sums are overconfident.
pub(crate) const TEMPERATURE: f32 = 7.5;

/// Softmax temperature for the scores of `words` words. Successive words'
/// evidence is far from independent (one topic, repeated names), so
/// certainty should grow with about the square root of the length, not
/// linearly. The best logit scale per word count on dev (scratch `fit`,
/// log-loss) is 1.15 for one word, 0.95 for two, 0.55 for 6-10 and 0.30
/// past 20; the slope 0.3 (log-loss optimum 0.465) calibrates the top
/// answer best (`calib.py`: expected calibration error 1.2 points). Only
/// confidences change; the ranking is the same at any temperature.
fn temperature(words: usize) -> f32 {
    let extra = words.saturating_sub(1) as f32;
    TEMPERATURE / 1.15 * (1.0 + 0.3 * extra).sqrt()
}

/// Confidence from which an answer counts as reliable.
const RELIABLE: f64 = 0.9;

/// Bytes of text scored between checks for a decided answer.
const CHUNK_BYTES: usize = 256;

/// Calibrated log-odds (score gap over [`temperature`]) at which detection
/// stops reading: odds of e^9 (about 8,000 to 1) for the leader, far past
/// what more text would overturn.
const DECISIVE_NATS: f32 = 9.0;

/// Scripts none of the n-gram model's languages use: whatlang answers.
const WHATLANG_SCRIPTS: &[whatlang::Script] = &[
    whatlang::Script::Kannada,
    whatlang::Script::Malayalam,
    whatlang::Script::Myanmar,
    whatlang::Script::Khmer,
    whatlang::Script::Sinhala,
    whatlang::Script::Oriya,
    whatlang::Script::Ethiopic,
];

/// The language detector. Cheap to build; holds no per-call state (the
/// embedded model is parsed once, on first use, without copying).
#[derive(Debug, Default, Clone, Copy)]
pub struct Detector;

impl Detector {
    /// Builds the detector.
    pub fn new() -> Self {
        let _ = Model::get();
        Self
    }

    /// Identifies the language of `text`. With a non-empty `allowed`, the
    /// answer is one of those languages or undetermined.
    pub fn detect(&self, text: &str, allowed: &[Language]) -> Detection {
        let sample = sample(text);
        if !sample.chars().any(char::is_alphabetic) {
            return Detection::undetermined(None);
        }
        let raw_script = whatlang::detect_script(&sample);
        let script = raw_script.map(script_name);
        let Some(model) = Model::get() else {
            return detect_whatlang(&sample, script, allowed);
        };
        let outside_model = allowed.iter().any(|l| !model.languages.contains(l))
            || raw_script.is_some_and(|s| WHATLANG_SCRIPTS.contains(&s));
        if outside_model {
            return detect_whatlang(&sample, script, allowed);
        }
        let main = ngram::main_script(&sample);
        if main.is_devanagari() {
            let devanagari: Vec<Language> = [Lang::Hin, Lang::Mar]
                .into_iter()
                .map(Language)
                .filter(|l| allowed.is_empty() || allowed.contains(l))
                .collect();
            if !devanagari.is_empty() {
                // Only the Devanagari letters: whatlang judges the script
                // of the whole text first, and Latin boilerplate
                // ("Share to Twitter") would leave it no Hindi to find.
                let native = devanagari_letters(&sample);
                if devanagari.len() == 2
                    && let Some(d) = hindi_or_marathi(model, &native, script)
                {
                    return d;
                }
                return detect_whatlang(&native, script, &devanagari);
            }
        }
        let mut scores = priors(model, &sample, main);
        let mut matched = 0;
        let mut words = 0;
        // Read the evidence a slice at a time and stop once the leader is out
        // of reach: a long single-language document is decided after a few
        // KiB instead of the whole sample, which keeps detection cheap inside
        // Summarize and Process.
        for chunk in chunks(&sample, CHUNK_BYTES) {
            // A short text is one chunk, whose main script is known.
            let chunk_main = if chunk.len() == sample.len() {
                main
            } else {
                ngram::main_script(chunk)
            };
            let (w, m) = model.score_in(chunk, chunk_main, &mut scores);
            words += w;
            matched += m;
            if matched > 0
                && leader_margin(&model.languages, &scores, allowed)
                    >= DECISIVE_NATS * temperature(words)
            {
                break;
            }
        }
        if matched == 0 {
            return detect_whatlang(&sample, script, allowed);
        }
        let mut ranked: Vec<(Language, f32)> = model
            .languages
            .iter()
            .zip(&scores)
            .filter(|(l, _)| allowed.is_empty() || allowed.contains(l))
            .map(|(l, s)| (*l, *s))
            .collect();
        if ranked.is_empty() {
            return Detection::undetermined(script);
        }
        // Stable: ties keep the model's order (by code), so answers are
        // deterministic.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top = ranked[0].1;
        let temp = temperature(words);
        let total: f64 = ranked
            .iter()
            .map(|(_, s)| f64::from((s - top) / temp).exp())
            .sum();
        let mut candidates = ranked.iter().map(|(l, s)| Candidate {
            language: *l,
            confidence: (f64::from((s - top) / temp).exp() / total).clamp(0.0, 1.0),
        });
        let Some(best) = candidates.next() else {
            return Detection::undetermined(script);
        };
        Detection {
            best: Some(best),
            script,
            reliable: best.confidence >= RELIABLE,
            alternatives: candidates
                .take(MAX_ALTERNATIVES)
                .filter(|c| c.confidence > 0.0)
                .collect(),
        }
    }
}

/// Nats by which the n-grams must favour Japanese over Chinese for a text
/// written in Han characters without any kana to count as Japanese (and
/// the reverse for a text with kana): Japanese prose is never kanji alone,
/// while shared characters make the n-grams of a short text a coin toss.
const KANA_PRIOR: f32 = 5.0;

/// Nats charged on Han-script text to languages not written in Han: the
/// model's Chinese table lacks many simplified characters, and without
/// this a text no table knows would tie all 56 languages.
const NOT_HAN_PRIOR: f32 = 10.0;

/// Starting scores (prior log-odds, in score units) for every modelled
/// language given the script evidence of `text`.
fn priors(model: &Model, text: &str, main: ngram::Script) -> Vec<f32> {
    let languages = &model.languages;
    let mut scores = model.prior.clone();
    if let Some(kana) = ngram::han_has_kana(text, main) {
        let (likely, unlikely) = if kana {
            (Lang::Jpn, Lang::Cmn)
        } else {
            (Lang::Cmn, Lang::Jpn)
        };
        for (s, l) in scores.iter_mut().zip(languages) {
            if l.0 == unlikely {
                *s -= KANA_PRIOR * TEMPERATURE;
            } else if l.0 != likely {
                *s -= NOT_HAN_PRIOR * TEMPERATURE;
            }
        }
    }
    scores
}

/// Weights of whatlang's and the n-gram model's log-odds of Hindi over
/// Marathi in the logistic model that decides between them; fitted by
/// `langid_hi_mr` in `tools/fit` (a broad optimum). whatlang's trigrams
/// keep the vowel signs lingua's tables lack; the n-grams add evidence
/// where whatlang is unsure, mostly on short text.
const WHATLANG_HI_MR: f64 = 4.0;
const NGRAM_HI_MR: f64 = 1.5;

/// Hindi vs Marathi from both whatlang and the n-gram model, with the
/// logistic probability as confidence. `None` when whatlang has no answer.
fn hindi_or_marathi(
    model: &Model,
    native: &str,
    script: Option<&'static str>,
) -> Option<Detection> {
    let info = WhatlangDetector::with_allowlist(vec![Lang::Hin, Lang::Mar]).detect(native)?;
    // whatlang's confidence (0 = tie, 1 = sure) read as a log-odds.
    let c = info.confidence().clamp(0.0, 0.999);
    let sure = ((1.0 + c) / (1.0 - c)).ln() + 0.01;
    let whatlang = if info.lang() == Lang::Hin {
        sure
    } else {
        -sure
    };
    let mut scores = vec![0.0f32; model.languages.len()];
    model.score(native, &mut scores);
    let ngram = |lang: Lang| {
        model
            .languages
            .iter()
            .position(|l| l.0 == lang)
            .map_or(0.0, |i| f64::from(scores[i]))
    };
    let odds = WHATLANG_HI_MR * whatlang
        + NGRAM_HI_MR * (ngram(Lang::Hin) - ngram(Lang::Mar)) / f64::from(TEMPERATURE);
    let p_hindi = 1.0 / (1.0 + (-odds).exp());
    let (best, other, p) = if odds >= 0.0 {
        (Lang::Hin, Lang::Mar, p_hindi)
    } else {
        (Lang::Mar, Lang::Hin, 1.0 - p_hindi)
    };
    let best = Candidate {
        language: Language(best),
        confidence: p.clamp(0.0, 1.0),
    };
    Some(Detection {
        best: Some(best),
        script,
        reliable: best.confidence >= RELIABLE,
        alternatives: vec![Candidate {
            language: Language(other),
            confidence: (1.0 - p).clamp(0.0, 1.0),
        }],
    })
}

/// Gap between the best and the second allowed language's scores
/// (infinite when only one is allowed).
fn leader_margin(languages: &[Language], scores: &[f32], allowed: &[Language]) -> f32 {
    let (mut first, mut second) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (l, &s) in languages.iter().zip(scores) {
        if !allowed.is_empty() && !allowed.contains(l) {
            continue;
        }
        if s > first {
            second = first;
            first = s;
        } else if s > second {
            second = s;
        }
    }
    first - second
}

/// Splits `text` into slices of about `size` bytes, cut at whitespace so
/// that no word is split between two slices.
fn chunks(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = floor_char_boundary(rest, size.min(rest.len()));
        if end < rest.len() {
            // Extend to the next whitespace (or the end) so words stay whole.
            end = rest[end..]
                .find(char::is_whitespace)
                .map_or(rest.len(), |i| end + i);
        }
        let (head, tail) = rest.split_at(end);
        rest = tail;
        Some(head)
    })
}

/// `text` with every letter outside the Devanagari block blanked.
pub(crate) fn devanagari_letters(text: &str) -> String {
    text.chars()
        .map(|c| {
            if !c.is_alphabetic() || ('\u{900}'..='\u{97F}').contains(&c) {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// whatlang alone, for scripts and allow-lists outside the n-gram model.
fn detect_whatlang(sample: &str, script: Option<&'static str>, allowed: &[Language]) -> Detection {
    let whatlang = if allowed.is_empty() {
        WhatlangDetector::new()
    } else {
        WhatlangDetector::with_allowlist(allowed.iter().map(|l| l.0).collect())
    };
    // whatlang decides single-language scripts (Han, kana, Hangul...) by
    // script alone, even outside its allow-list: such an answer is none.
    let Some(info) = whatlang
        .detect(sample)
        .filter(|info| allowed.is_empty() || allowed.contains(&Language(info.lang())))
    else {
        return Detection::undetermined(script);
    };
    let best = Candidate {
        language: Language(info.lang()),
        confidence: info.confidence().clamp(0.0, 1.0),
    };
    Detection {
        best: Some(best),
        script: Some(script_name(info.script())),
        reliable: info.is_reliable(),
        alternatives: alternatives(sample, best, allowed),
    }
}

/// Ranks the runners-up from whatlang's raw combined scores. Their confidence
/// is scaled from the best's by the ratio of raw scores: a relative measure,
/// not a calibrated probability.
fn alternatives(sample: &str, best: Candidate, allowed: &[Language]) -> Vec<Candidate> {
    // Single-script languages (Greek, Korean, ...) have no rivals to rank.
    let Some(RawLangInfo::MultiScript(raw)) = raw_detect(sample).lang_info else {
        return Vec::new();
    };
    let top = raw
        .scores
        .iter()
        .find(|(lang, _)| *lang == best.language.0)
        .map_or(0.0, |(_, score)| *score);
    if top <= 0.0 {
        return Vec::new();
    }
    raw.scores
        .iter()
        .filter(|(lang, score)| {
            *lang != best.language.0
                && *score > 0.0
                && (allowed.is_empty() || allowed.contains(&Language(*lang)))
        })
        .take(MAX_ALTERNATIVES)
        .map(|(lang, score)| Candidate {
            language: Language(*lang),
            confidence: (best.confidence * score / top).clamp(0.0, 1.0),
        })
        .collect()
}

/// `Script::name` borrows from its receiver; the same script found in
/// whatlang's static table yields a `'static` name that results can keep.
fn script_name(script: whatlang::Script) -> &'static str {
    whatlang::Script::all()
        .iter()
        .find(|s| **s == script)
        .map_or("", |s| s.name())
}

/// Returns `text` itself when short, else up to [`SAMPLE_BYTES`] taken from
/// [`SAMPLE_WINDOWS`] evenly spaced windows, cut on char boundaries.
fn sample(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= SAMPLE_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let window = SAMPLE_BYTES / SAMPLE_WINDOWS;
    let stride = text.len() / SAMPLE_WINDOWS;
    let mut out = String::with_capacity(SAMPLE_BYTES + SAMPLE_WINDOWS);
    for i in 0..SAMPLE_WINDOWS {
        let start = floor_char_boundary(text, i * stride);
        let end = floor_char_boundary(text, (start + window).min(text.len()));
        out.push_str(&text[start..end]);
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(text: &str) -> Option<&'static str> {
        Detector::new()
            .detect(text, &[])
            .language()
            .map(|l| l.code())
    }

    #[test]
    fn detects_common_languages_on_sentences() {
        assert_eq!(
            code_of("The committee will publish its findings after the summer recess."),
            Some("en")
        );
        assert_eq!(
            code_of("Der Ausschuss veröffentlicht seine Ergebnisse nach der Sommerpause."),
            Some("de")
        );
        assert_eq!(
            code_of("Le comité publiera ses conclusions après les vacances d'été."),
            Some("fr")
        );
        assert_eq!(
            code_of("Комитет опубликует свои выводы после летних каникул."),
            Some("ru")
        );
    }

    #[test]
    fn no_letters_is_undetermined_not_an_error() {
        let d = Detector::new().detect("12345 -- 678 !!!", &[]);
        assert_eq!(d.best, None);
        assert!(!d.reliable);
    }

    #[test]
    fn allow_list_is_honoured() {
        let allowed = [
            Language::from_code("de").unwrap(),
            Language::from_code("nl").unwrap(),
        ];
        let d = Detector::new().detect("The weather is lovely today in the park.", &allowed);
        let best = d.best.expect("letters always give an answer from the list");
        assert!(allowed.contains(&best.language));
        assert!(d.alternatives.iter().all(|c| allowed.contains(&c.language)));
    }

    #[test]
    fn codes_round_trip_in_both_forms() {
        for (three, two) in CODES {
            let lang = Language::from_code(two).unwrap();
            assert_eq!(lang.code(), *two);
            assert_eq!(lang.alpha3(), *three);
            assert_eq!(Language::from_code(three), Some(lang));
        }
        assert_eq!(Language::from_code("ZHO").map(|l| l.code()), Some("zh"));
        assert_eq!(Language::from_code("no").map(|l| l.code()), Some("nb"));
        assert_eq!(Language::from_code("xx"), None);
        assert_eq!(Language::from_code(""), None);
    }

    #[test]
    fn alternatives_exclude_best_and_stay_in_range() {
        let d =
            Detector::new().detect("Dit is een korte zin in het Nederlands over het weer.", &[]);
        let best = d.best.unwrap();
        assert!(d.alternatives.iter().all(|c| c.language != best.language));
        assert!(
            d.alternatives
                .iter()
                .all(|c| (0.0..=1.0).contains(&c.confidence))
        );
    }

    #[test]
    fn long_text_is_sampled_on_char_boundaries() {
        let text = "Le conseil municipal a voté le budget de la ville pour l'année prochaine. "
            .repeat(5_000);
        assert!(text.len() > SAMPLE_BYTES);
        let s = sample(&text);
        assert!(s.len() <= SAMPLE_BYTES + SAMPLE_WINDOWS);
        assert_eq!(code_of(&text), Some("fr"));
    }

    #[test]
    fn digits_and_punctuation_only_are_undetermined() {
        for text in [
            "",
            "   ",
            "2024-11-25 12:00",
            "+49 (0)30 1234567",
            "!!! ??? ...",
        ] {
            let d = Detector::new().detect(text, &[]);
            assert_eq!(d.best, None, "{text:?}");
            assert!(d.alternatives.is_empty());
        }
    }

    #[test]
    fn allow_list_is_exact_even_against_the_evidence() {
        let allowed = [Language::from_code("da").unwrap()];
        let d = Detector::new().detect("Dit is een korte zin in het Nederlands.", &allowed);
        assert_eq!(d.language(), Some(allowed[0]));
        assert!(d.alternatives.is_empty());
        let pair = [
            Language::from_code("es").unwrap(),
            Language::from_code("pt").unwrap(),
        ];
        let d = Detector::new().detect("Os meninos não querem ir à escola amanhã.", &pair);
        assert_eq!(d.language().map(|l| l.code()), Some("pt"));
        assert!(d.alternatives.iter().all(|c| pair.contains(&c.language)));
    }

    #[test]
    fn close_pairs_on_sentences() {
        let cases = [
            ("Os meninos não querem ir à escola amanhã de manhã.", "pt"),
            (
                "Los niños no quieren ir a la escuela mañana por la mañana.",
                "es",
            ),
            ("Els nens no volen anar a l'escola demà al matí.", "ca"),
            (
                "Ik weet niet waarom hij gisteren niet naar huis is gegaan.",
                "nl",
            ),
            (
                "Ek weet nie hoekom hy gister nie huis toe gegaan het nie.",
                "af",
            ),
            ("Jeg vet ikke hvorfor han ikke dro hjem i går kveld.", "nb"),
            ("Nevím, proč včera večer nešel domů.", "cs"),
            ("Neviem, prečo včera večer nešiel domov.", "sk"),
        ];
        for (text, code) in cases {
            assert_eq!(code_of(text), Some(code), "{text}");
        }
    }

    #[test]
    fn confidences_are_probabilities_and_sensible() {
        let det = Detector::new();
        let long = det.detect(
            "Die Bundesregierung hat am Mittwoch einen Gesetzentwurf beschlossen.",
            &[],
        );
        let best = long.best.unwrap();
        assert!(best.confidence > 0.95 && long.reliable);
        let total: f64 =
            best.confidence + long.alternatives.iter().map(|c| c.confidence).sum::<f64>();
        assert!(total <= 1.0 + 1e-9);
        // One short, ambiguous word must not be sure of itself.
        let short = det.detect("banana", &[]);
        let best = short.best.unwrap();
        assert!(best.confidence < 0.9 && !short.reliable);
        assert!(!short.alternatives.is_empty());
        assert!(
            short
                .alternatives
                .windows(2)
                .all(|w| w[0].confidence >= w[1].confidence)
        );
    }

    #[test]
    fn native_script_beats_latin_boilerplate() {
        assert_eq!(
            code_of("Share to Twitter Share to Facebook एक बार अवंतिपुर में साधु कोटिकर्ण आए।"),
            Some("hi")
        );
    }

    #[test]
    fn chunks_cover_the_text_and_keep_words_whole() {
        let text = "alpha beta gamma délta epsilon ".repeat(100);
        let parts: Vec<&str> = chunks(&text, 50).collect();
        assert_eq!(parts.concat(), text);
        assert!(parts.len() > 10);
        assert!(
            parts
                .iter()
                .all(|p| p.starts_with(char::is_whitespace) || p == &parts[0])
        );
        assert_eq!(chunks("", 10).count(), 0);
        assert_eq!(
            chunks("onewordonly", 3).collect::<Vec<_>>(),
            ["onewordonly"]
        );
    }

    #[test]
    fn a_long_document_is_decided_early_and_still_right() {
        let text = "Die Gemeinde hat den Haushalt für das kommende Jahr beschlossen und die Straßen saniert. "
            .repeat(400);
        let d = Detector::new().detect(&text, &[]);
        assert_eq!(d.language().map(|l| l.code()), Some("de"));
        assert!(d.reliable);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let det = Detector::new();
        let long_word = "a".repeat(10_000);
        let mixed = "日本語のテキストと한국어 and English ÅÄÖ \u{0301}\u{094D}".repeat(3);
        for text in [
            long_word.as_str(),
            mixed.as_str(),
            "\u{0301}",
            "ﷺ",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        ] {
            let _ = det.detect(text, &[]);
        }
    }
}
