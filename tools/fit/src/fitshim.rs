//! Access to the n-gram model's internals for fitting the detector's
//! weights (`src/bin/langid_fit.rs`). Mounts `ngram.rs` a second time so
//! the service's module keeps its items private.
pub use crate::langid::Language;
// ngram.rs reads the temperature from its parent module.
use crate::langid::TEMPERATURE;
#[path = "../../../src/pipeline/langid/ngram.rs"]
#[allow(clippy::duplicate_mod)]
mod ngram;

/// `text` with every letter outside the Devanagari block blanked, as the
/// detector passes Hindi and Marathi to whatlang.
pub fn devanagari_letters(text: &str) -> String {
    crate::langid::devanagari_letters(text)
}

/// Languages of the model, by index.
pub fn languages() -> Vec<Language> {
    ngram::Model::get().map_or(Vec::new(), |m| m.languages.clone())
}

/// Like [`features`] without the Devanagari exclusion.
pub fn features_any(text: &str) -> Option<Vec<[f32; 10]>> {
    features_inner(text, false)
}

/// Per-language features of `text` as `detect` would score it: for
/// orders 1..=5, the sum of ln p over the language's hits (A) and the
/// number of hits (B), laid out A1..A5 B1..B5. `None` when the n-gram
/// model would not decide the text (no match, Devanagari, ...).
pub fn features(text: &str) -> Option<Vec<[f32; 10]>> {
    features_inner(text, true)
}

fn features_inner(text: &str, skip_devanagari: bool) -> Option<Vec<[f32; 10]>> {
    let m = ngram::Model::get()?;
    if skip_devanagari && ngram::devanagari_main(text) {
        return None;
    }
    let mut out = vec![[0f32; 10]; m.languages.len()];
    let main = ngram::main_script(text);
    let mut matched = 0;
    ngram::for_each_word(text, |_, _, script, word| {
        if script == main {
            matched += m
                .word_hits(word, |order, hits| {
                    for p in hits.chunks_exact(2) {
                        let f = &mut out[usize::from(p[0])];
                        f[order - 1] += (-f32::from(p[1]) / 16.0).max(-11.0);
                        f[order + 4] += 1.0;
                    }
                })
                .1;
        }
    });
    (matched > 0).then_some(out)
}

/// Script priors `detect` adds, in nats (see `priors` in mod.rs).
pub fn offsets(text: &str) -> Vec<f32> {
    let langs = languages();
    let mut o = vec![0.0; langs.len()];
    if let Some(kana) = ngram::han_has_kana(text, ngram::main_script(text)) {
        let (likely, unlikely) = if kana { ("ja", "zh") } else { ("zh", "ja") };
        for (x, l) in o.iter_mut().zip(&langs) {
            if l.code() == unlikely {
                *x = -5.0;
            } else if l.code() != likely {
                *x = -10.0;
            }
        }
    }
    o
}
