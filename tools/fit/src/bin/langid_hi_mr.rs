//! Fits the Hindi-vs-Marathi combination: whatlang alone, the n-gram model
//! alone, or a logistic model of both (`WHATLANG_HI_MR`, `NGRAM_HI_MR`).
//! Usage: `langid_hi_mr DEV.tsv` (reads only hi/mr lines).
use textpipe_fit::fitshim::{features, languages};
use whatlang::Lang;
use whatlang::dev::{RawLangInfo, raw_detect};

fn main() {
    let path = std::env::args().nth(1).expect("langid_hi_mr DEV.tsv");
    let langs = languages();
    let hi = langs.iter().position(|l| l.code() == "hi").unwrap();
    let mr = langs.iter().position(|l| l.code() == "mr").unwrap();
    let data = std::fs::read_to_string(path).unwrap();
    // (gold is hi, category, whatlang log-odds hi:mr, n-gram score diff)
    let mut rows: Vec<(bool, String, f64, f64, usize)> = Vec::new();
    for line in data.lines() {
        let f: Vec<&str> = line.splitn(3, '\t').collect();
        if f.len() < 3 || (f[0] != "hi" && f[0] != "mr") {
            continue;
        }
        let native = textpipe_fit::fitshim::devanagari_letters(f[2]);
        let mut wl = 0.0;
        if std::env::var("RAW").is_ok() {
            if let Some(RawLangInfo::MultiScript(raw)) = raw_detect(&native).lang_info {
                let get = |l: Lang| {
                    raw.scores
                        .iter()
                        .find(|(x, _)| *x == l)
                        .map_or(1e-6, |(_, s)| s.max(1e-6))
                };
                wl = (get(Lang::Hin) / get(Lang::Mar)).ln();
            }
        } else if let Some(info) =
            whatlang::Detector::with_allowlist(vec![Lang::Hin, Lang::Mar]).detect(&native)
        {
            let c = info.confidence().clamp(0.0, 0.999);
            let x = ((1.0 + c) / (1.0 - c)).ln() + 0.01;
            wl = if info.lang() == Lang::Hin { x } else { -x };
        }
        let mut ng = 0.0;
        let mut n = 0;
        if let Some(feat) = textpipe_fit::fitshim::features_any(&native) {
            let s = |l: usize| {
                (0..5)
                    .map(|k| feat[l][k] + 11.0 * feat[l][k + 5])
                    .sum::<f32>()
            };
            ng = f64::from(s(hi) - s(mr)) / 7.5;
            n = feat[hi][5] as usize;
        }
        let _ = features;
        rows.push((f[0] == "hi", f[1].to_string(), wl, ng, n));
    }
    for a in [0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 1e6] {
        let mut ok = std::collections::BTreeMap::new();
        for (g, cat, wl, ng, _) in &rows {
            let d = wl + a * ng;
            let e = ok.entry(cat.clone()).or_insert((0, 0));
            e.1 += 1;
            e.0 += usize::from((d > 0.0) == *g);
        }
        println!("a={a}: {ok:?}");
    }
    // Logistic fit of d = c * whatlang log-odds + b * n-gram log-odds.
    for c in [3.0, 4.0, 6.0, 8.0] {
        for b in [1.0, 1.5, 2.0, 2.5] {
            let (mut nll, mut ok) = (0.0, 0);
            for (g, _, wl, ng, _) in &rows {
                let d = c * wl + b * ng;
                let p = 1.0 / (1.0 + (-d).exp());
                nll -= (if *g { p } else { 1.0 - p }).max(1e-12).ln();
                ok += usize::from((d > 0.0) == *g);
            }
            println!("c={c} b={b}: nll {:.4} acc {ok}", nll / rows.len() as f64);
        }
    }
}
