//! Fits the n-gram order weights, per-hit bonuses and language priors of
//! the langid scorer by multinomial logistic regression (softmax over the
//! model's languages), so that the softmax of the score is a calibrated
//! probability. Usage: `langid_fit DEV.tsv [lambda]`. Reports 2-fold held-out
//! accuracy (even/odd lines), then prints the constants fitted on all.
#![allow(clippy::needless_range_loop)]
use textpipe_fit::fitshim::{features, languages};

struct Ex {
    f: Vec<[f32; 10]>,
    off: Vec<f32>,
    words: usize,
    gold: usize,
    cat: usize,
}

const NP: usize = 10;

fn scores(p: &[f64], b: &[f64], e: &Ex, out: &mut Vec<f64>) {
    out.clear();
    for (l, f) in e.f.iter().enumerate() {
        let mut s = b[l] + f64::from(e.off[l]);
        for k in 0..NP {
            s += p[k] * f64::from(f[k]);
        }
        out.push(s);
    }
}

fn fit(data: &[&Ex], nl: usize, lambda: f64, iters: usize) -> (Vec<f64>, Vec<f64>) {
    // start from the hand-set scorer: weight 1, bonus 11, temperature 7.5
    let mut p: Vec<f64> = (0..NP)
        .map(|k| if k < 5 { 1.0 / 7.5 } else { 11.0 / 7.5 })
        .collect();
    let mut b = vec![0.0; nl];
    let (mut m, mut v) = (vec![0.0; NP + nl], vec![0.0; NP + nl]);
    let (b1, b2, lr) = (0.9, 0.999, 0.01);
    let mut s = Vec::new();
    for it in 1..=iters {
        let mut g = vec![0.0; NP + nl];
        let mut loss = 0.0;
        for e in data {
            scores(&p, &b, e, &mut s);
            let mx = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = s.iter().map(|x| (x - mx).exp()).sum();
            loss += z.ln() + mx - s[e.gold];
            for l in 0..nl {
                let q = (s[l] - mx).exp() / z - if l == e.gold { 1.0 } else { 0.0 };
                if q.abs() < 1e-12 {
                    continue;
                }
                for k in 0..NP {
                    g[k] += q * f64::from(e.f[l][k]);
                }
                g[NP + l] += q;
            }
        }
        let n = data.len() as f64;
        for (j, gj) in g.iter_mut().enumerate() {
            *gj /= n;
            if j >= NP {
                *gj += 2.0 * lambda * b[j - NP];
            }
        }
        for j in 0..NP + nl {
            m[j] = b1 * m[j] + (1.0 - b1) * g[j];
            v[j] = b2 * v[j] + (1.0 - b2) * g[j] * g[j];
            let mh = m[j] / (1.0 - b1.powi(it as i32));
            let vh = v[j] / (1.0 - b2.powi(it as i32));
            let step = lr * mh / (vh.sqrt() + 1e-8);
            if j < NP {
                p[j] -= step;
            } else {
                b[j - NP] -= step;
            }
        }
        if it % 100 == 0 {
            eprintln!("iter {it} loss {:.4}", loss / n);
        }
    }
    (p, b)
}

fn accuracy(p: &[f64], b: &[f64], data: &[&Ex]) -> [f64; 3] {
    let mut ok = [0usize; 3];
    let mut n = [0usize; 3];
    let mut s = Vec::new();
    for e in data {
        scores(p, b, e, &mut s);
        let best = (0..s.len()).fold(0, |a, i| if s[i] > s[a] { i } else { a });
        n[e.cat] += 1;
        ok[e.cat] += usize::from(best == e.gold);
    }
    [0, 1, 2].map(|c| 100.0 * ok[c] as f64 / n[c].max(1) as f64)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("fit DEV.tsv [lambda] [iters]");
    let lambda: f64 = std::env::args().nth(2).map_or(1e-3, |s| s.parse().unwrap());
    let iters: usize = std::env::args().nth(3).map_or(600, |s| s.parse().unwrap());
    let langs = languages();
    let nl = langs.len();
    let data = std::fs::read_to_string(path).unwrap();
    let mut exs = Vec::new();
    let mut idx = Vec::new();
    for (i, line) in data.lines().enumerate() {
        let mut f = line.splitn(3, '\t');
        let (Some(code), Some(cat), Some(text)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let Some(gold) = langs.iter().position(|l| l.code() == code) else {
            continue;
        };
        let cat = ["sentence", "word_pair", "word"]
            .iter()
            .position(|c| *c == cat)
            .unwrap();
        let only: Option<usize> = std::env::var("CAT").ok().and_then(|c| c.parse().ok());
        if only.is_some_and(|o| o != cat) {
            continue;
        }
        if let Some(f) = features(text) {
            let words = text.split_whitespace().count();
            exs.push(Ex {
                words,
                f,
                off: textpipe_fit::fitshim::offsets(text),
                gold,
                cat,
            });
            idx.push(i);
        }
    }
    eprintln!("{} examples", exs.len());
    let init_p: Vec<f64> = (0..NP)
        .map(|k| if k < 5 { 1.0 / 7.5 } else { 11.0 / 7.5 })
        .collect();
    let zero = vec![0.0; nl];
    let all: Vec<&Ex> = exs.iter().collect();
    println!(
        "hand-set       sent/pair/word {:.2?}",
        accuracy(&init_p, &zero, &all)
    );
    let even: Vec<&Ex> = exs
        .iter()
        .zip(&idx)
        .filter(|(_, i)| *i % 2 == 0)
        .map(|(e, _)| e)
        .collect();
    let odd: Vec<&Ex> = exs
        .iter()
        .zip(&idx)
        .filter(|(_, i)| *i % 2 == 1)
        .map(|(e, _)| e)
        .collect();
    let (p, b) = fit(&even, nl, lambda, iters);
    println!(
        "fit even→odd   {:.2?}  (odd hand-set {:.2?})",
        accuracy(&p, &b, &odd),
        accuracy(&init_p, &zero, &odd)
    );
    let (p2, b2) = fit(&odd, nl, lambda, iters);
    println!(
        "fit odd→even   {:.2?}  (even hand-set {:.2?})",
        accuracy(&p2, &b2, &even),
        accuracy(&init_p, &zero, &even)
    );
    let (p, b) = fit(&all, nl, lambda, iters);
    println!("fit all (train) {:.2?}", accuracy(&p, &b, &all));
    // Best logit scale per word count (NLL), for a length-dependent temperature.
    for (lo, hi) in [(1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 10_000)] {
        let sub: Vec<&Ex> = all
            .iter()
            .copied()
            .filter(|e| e.words >= lo && e.words <= hi)
            .collect();
        let mut best = (f64::INFINITY, 1.0);
        let mut sc = Vec::new();
        for k in 0..=28 {
            let scale = 0.2 + 0.05 * k as f64;
            let mut nll = 0.0;
            for e in &sub {
                scores(&p, &b, e, &mut sc);
                let mx = sc.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = sc.iter().map(|x| ((x - mx) * scale).exp()).sum();
                nll += z.ln() - (sc[e.gold] - mx) * scale;
            }
            if nll < best.0 {
                best = (nll, scale);
            }
        }
        println!(
            "words {lo}-{hi}: n {} best scale {:.2} nll {:.4}",
            sub.len(),
            best.1,
            best.0 / sub.len().max(1) as f64
        );
    }
    println!(
        "WEIGHT {:?}",
        &p[..5].iter().map(|x| *x as f32).collect::<Vec<_>>()
    );
    println!(
        "BONUS {:?}",
        &p[5..].iter().map(|x| *x as f32).collect::<Vec<_>>()
    );
    let pr: Vec<String> = langs
        .iter()
        .zip(&b)
        .map(|(l, x)| format!("{}:{:.3}", l.code(), x))
        .collect();
    println!("PRIOR {}", pr.join(" "));
}
