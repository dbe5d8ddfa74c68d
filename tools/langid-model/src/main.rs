//! Builds textpipe's compact language-ID table from lingua's n-gram models
//! (crates.io `lingua-*-language-model` 1.3, Apache-2.0).
//!
//! For every language and n-gram order 1..=5 it keeps the `TOP[n]` most
//! frequent n-grams (frequency = product of lingua's conditional
//! probabilities along the n-gram) with their conditional log-probability,
//! quantised to a byte. Usage (from the repository root):
//!
//! ```text
//! cargo run --release --manifest-path tools/langid-model/Cargo.toml -- \
//!     src/pipeline/langid/model.bin
//! ```
//!
//! The output is deterministic; the layout is described in
//! `src/pipeline/langid/ngram.rs`.

use fst::Streamer;
use std::collections::{BTreeMap, HashMap};

mod langs;

/// n-grams kept per language and order (index = order).
const TOP: [usize; 6] = [0, 3000, 5000, 30000, 30000, 20000];
/// Quantisation step of -ln p.
const STEP: f64 = 1.0 / 16.0;

fn fnv(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: langid-model-gen OUT.bin");
    // key hash -> (lang index, quantised -ln p)
    let mut table: BTreeMap<u32, Vec<(u8, u8)>> = BTreeMap::new();
    for (li, (code, dir)) in langs::LANGS.iter().enumerate() {
        let bytes = dir.get_file("ngrams.fst").expect("ngrams.fst").contents().to_vec();
        let map = fst::Map::new(bytes).expect("fst");
        let mut cond: HashMap<String, f64> = HashMap::new();
        let mut stream = map.stream();
        while let Some((k, v)) = stream.next() {
            cond.insert(String::from_utf8_lossy(k).into_owned(), f64::from_bits(v));
        }
        // joint log-probability by the chain rule
        let mut by_order: Vec<Vec<(f64, &String)>> = vec![Vec::new(); 6];
        for k in cond.keys() {
            let chars: Vec<char> = k.chars().collect();
            let n = chars.len();
            if n == 0 || n > 5 {
                continue;
            }
            let mut joint = 0.0;
            let mut ok = true;
            for end in 1..=n {
                let s: String = chars[..end].iter().collect();
                match cond.get(&s) {
                    Some(p) => joint += p,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                by_order[n].push((joint, k));
            }
        }
        let mut kept = 0;
        for n in 1..=5 {
            let v = &mut by_order[n];
            v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            for (_, k) in v.iter().take(TOP[n]) {
                let lp = cond[*k];
                let q = (-lp / STEP).round().clamp(0.0, 255.0) as u8;
                table.entry(fnv(k.as_bytes())).or_default().push((li as u8, q));
                kept += 1;
            }
        }
        eprintln!("{code}: {} n-grams, kept {kept}", cond.len());
    }
    let mut buf = Vec::new();
    buf.extend_from_slice(b"LID1");
    buf.extend_from_slice(&(langs::LANGS.len() as u32).to_le_bytes());
    for (code, _) in langs::LANGS {
        buf.extend_from_slice(code.as_bytes());
    }
    buf.extend_from_slice(&(table.len() as u32).to_le_bytes());
    for k in table.keys() {
        buf.extend_from_slice(&k.to_le_bytes());
    }
    let mut off: u32 = 0;
    for v in table.values() {
        buf.extend_from_slice(&off.to_le_bytes());
        off += v.len() as u32;
    }
    buf.extend_from_slice(&off.to_le_bytes());
    for v in table.values() {
        for (l, q) in v {
            buf.push(*l);
            buf.push(*q);
        }
    }
    std::fs::write(&out, &buf).expect("write");
    eprintln!("{} keys, {off} entries, {} bytes", table.len(), buf.len());
}
