#!/usr/bin/env bash
# Soak test: the release server under steady mixed load for a fixed time.
#
# Every round runs h2load for each call type at once — DetectLanguage 1 KB
# (4 streams), Summarize 5 KB (4), StripBoilerplate 100 KB (2) and Process
# 100 KB (2), each on its own connection — then samples the server: RSS, CPU,
# and the calls answered OK and otherwise (from its metrics, since h2load sees
# only HTTP status). It prints one line per round and, at the end, the drift:
# RSS and p99 of the last rounds against the first, and every non-OK answer.
# It fails if any call is answered with a code other than OK, if a round's
# request count disagrees with the server's OK count, or if RSS grows more
# than 20 % from the second round to the last (the first warms the caches).
#
# Usage: benches/soak.sh [TOTAL_SECONDS, default 600] [ROUND_SECONDS, default 20]
# Output: the table on stdout; raw h2load logs under target/soak/.
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL=${1:-600}
ROUND=${2:-20}
OUT=target/soak
PORT=${PORT:-50261}
METRICS_PORT=${METRICS_PORT:-9674}
ADDR=127.0.0.1:$PORT
mkdir -p "$OUT"

source benches/server.sh
start_server
python3 benches/frames.py "$OUT"

CALLS=(detect summarize strip process)
declare -A PATHS=(
  [detect]=/textpipe.v1.TextPipeService/DetectLanguage
  [summarize]=/textpipe.v1.TextPipeService/Summarize
  [strip]=/textpipe.v1.TextPipeService/StripBoilerplate
  [process]=/textpipe.v1.TextPipeService/Process
)
declare -A STREAMS=([detect]=4 [summarize]=4 [strip]=2 [process]=2)

# All calls answered OK, and all answered otherwise, so far.
ok_total() { metrics | awk 'index($1, "textpipe_calls_total{") == 1 && $1 ~ /code="OK"/ {s += $2} END {print s + 0}'; }
# CANCELLED is left out: h2load resets the calls in flight at its deadline
# (the OK count is checked against the requests it completed).
bad_total() { metrics | awk 'index($1, "textpipe_calls_total{") == 1 && $1 !~ /code="(OK|CANCELLED)"/ {s += $2} END {print s + 0}'; }
rss_mb() { echo $(( $(rss_kb VmRSS) / 1024 )); }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); ${TOTAL}s in rounds of ${ROUND}s"
printf '%6s %7s %8s %8s %6s' t_s rss_mb calls ok non_ok
for c in "${CALLS[@]}"; do printf ' %14s' "$c p50/p99"; done
printf ' %8s\n' cpu_%
rounds=$(( (TOTAL + ROUND - 1) / ROUND ))
failed=0
: >"$OUT/rounds.tsv"
for r in $(seq 1 "$rounds"); do
  ok0=$(ok_total); bad0=$(bad_total); cpu0=$(cpu_ticks)
  pids=()
  for c in "${CALLS[@]}"; do
    rm -f "$OUT/$c.tsv"  # h2load appends to its log file
    h2load -D "$ROUND" -c 1 -m "${STREAMS[$c]}" -t 1 \
      -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$OUT/$c.bin" --log-file="$OUT/$c.tsv" "http://$ADDR${PATHS[$c]}" >"$OUT/$c.out" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  # Calls h2load abandoned at its deadline may still finish: let them land.
  sleep 0.5
  ok1=$(ok_total); bad1=$(bad_total); cpu1=$(cpu_ticks)
  sent=0
  lat=""
  for c in "${CALLS[@]}"; do
    read -r n p50 p99 < <(python3 - "$OUT/$c.tsv" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
lat = sorted(int(r[2]) / 1000 for r in rows if r[1] == "200")
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0
print(len(rows), f"{pick(0.5):.1f}", f"{pick(0.99):.1f}")
PY
)
    sent=$((sent + n))
    lat="$lat $(printf '%14s' "$p50/$p99")"
    echo -e "$r\t$c\t$p50\t$p99" >>"$OUT/rounds.tsv"
  done
  ok=$((ok1 - ok0)); bad=$((bad1 - bad0)); rss=$(rss_mb)
  cpu=$(python3 -c "print(round(($cpu1 - $cpu0) / $TICK / $ROUND * 100))")
  printf '%6s %7s %8s %8s %6s%s %8s\n' $((r * ROUND)) "$rss" "$sent" "$ok" "$bad" "$lat" "$cpu"
  echo -e "$r\trss\t$rss" >>"$OUT/rounds.tsv"
  [ "$bad" = 0 ] || failed=1
  [ "$ok" -ge "$sent" ] || { echo "round $r: $sent requests sent, $ok answered OK" >&2; failed=1; }
done

python3 - "$OUT/rounds.tsv" <<'PY' || failed=1
import collections, sys
rss, p99 = {}, collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, what, *v = line.split()
    if what == "rss":
        rss[int(r)] = int(v[0])
    else:
        p99[what][int(r)] = float(v[1])
rounds = sorted(rss)
base = rss[rounds[1]] if len(rounds) > 1 else rss[rounds[0]]
print(f"RSS: round 2 {base} MB, last {rss[rounds[-1]]} MB, max {max(rss.values())} MB")
for call, by_round in p99.items():
    k = max(1, len(by_round) // 4)
    first = sorted(by_round)[:k]
    last = sorted(by_round)[-k:]
    mean = lambda rs: sum(by_round[r] for r in rs) / len(rs)
    print(f"p99 {call}: first quarter {mean(first):.1f} ms, last quarter {mean(last):.1f} ms")
sys.exit(0 if rss[rounds[-1]] <= base * 1.2 else 1)
PY
grep -q . "$OUT/server.log" && { echo "server warnings/errors:"; head -5 "$OUT/server.log"; }
exit $failed
