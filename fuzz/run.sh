#!/usr/bin/env bash
# Runs every fuzz target for a fixed budget and prints executions and
# findings per target.
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, all targets)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Works on stable Rust: the
# build uses RUSTC_BOOTSTRAP=1 for the instrumentation flags and no
# sanitizer (`-s none`); debug assertions are on (`-a`) so overflows count.
# The corpus grows in fuzz/corpus/<target> (seeded from fuzz/seeds/<target>),
# crashes land in fuzz/artifacts/<target>, logs in fuzz/logs/; all out of git.
set -euo pipefail
cd "$(dirname "$0")"

budget="${1:-60}"
shift || true
all=(strip_html strip_text detect summarize process decode)
targets=("${@:-${all[@]}}")
[ "${#targets[@]}" -gt 0 ] || targets=("${all[@]}")
flags=(-s none -a)
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 2; }
mkdir -p logs
echo "building (log: fuzz/logs/build.log)"
nice cargo fuzz build "${flags[@]}" >logs/build.log 2>&1 || { tail -20 logs/build.log >&2; exit 2; }

status=0
printf '%-12s %8s %12s %10s %8s %s\n' target seconds execs execs/s corpus findings
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  [ -d "seeds/$t" ] && cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
  before=$(find "artifacts/$t" -type f | wc -l)
  log="logs/$t.log"
  # -timeout: one input taking over 10 s is a finding; -rss_limit_mb: so is 2 GiB.
  nice cargo fuzz run "${flags[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$budget" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || status=1
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  after=$(find "artifacts/$t" -type f | wc -l)
  corpus=$(find "corpus/$t" -type f | wc -l)
  new=$((after - before))
  printf '%-12s %8s %12s %10s %8s %s\n' "$t" "$budget" "${execs:-?}" "${rate:-?}" "$corpus" \
    "$([ "$new" -eq 0 ] && echo none || echo "$new new in artifacts/$t (see $log)")"
  [ "$new" -eq 0 ] || status=1
done
exit "$status"
