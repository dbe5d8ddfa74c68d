//! The fuzz targets' committed seeds (`fuzz/seeds/<target>/`), replayed
//! through the targets' own code (`fuzz/src/lib.rs`, included here) on every
//! test run: the invariants the fuzzer checks hold on the seeds without a
//! nightly toolchain, and the fuzz crate cannot drift out of step with the
//! library's types unnoticed. (`decode` needs `--cfg fuzzing` and is left
//! to `fuzz/run.sh`.)

use std::path::Path;

#[path = "../../fuzz/src/lib.rs"]
#[allow(unreachable_pub)] // `pub` for the fuzz binaries, private here
pub(crate) mod fuzz_shared;

use fuzz_shared::targets;

/// A fuzz target: panics when an invariant breaks.
type Target = fn(&[u8]);

#[test]
fn fuzz_seeds_keep_the_targets_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let runs: [(&str, Target); 5] = [
        ("strip_html", targets::strip_html),
        ("strip_text", targets::strip_text),
        ("summarize", targets::summarize),
        ("detect", targets::detect),
        ("process", targets::process),
    ];
    for (name, run) in runs {
        let mut seeds = 0;
        for entry in std::fs::read_dir(root.join(name)).expect("seed directory") {
            let path = entry.expect("directory entry").path();
            let data = std::fs::read(&path).expect("seed file");
            run(&data);
            // Each option bit alone, none, and mixes, on each seed.
            for bits in [0u8, 0x01, 0x02, 0x04, 0x08, 0x10, 0x80, 0x9f, 0xff] {
                let mut input = data.clone();
                if let Some(first) = input.first_mut() {
                    *first = bits;
                }
                run(&input);
            }
            seeds += 1;
        }
        assert!(seeds > 0, "no seeds for {name}");
    }
}
