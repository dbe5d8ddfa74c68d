#!/usr/bin/env bash
# Load test of the release server with h2load (Debian package nghttp2-client),
# which replays a prebuilt gRPC frame as the body of every request.
#
# For each call type — health Check (the ceiling), DetectLanguage on 1 KB,
# Summarize on a 5 KB article, StripBoilerplate and Process on a 100 KB page —
# at concurrency 1, 16 and 64, on one multiplexed connection (-c1 -mN) and on
# N connections (-cN -m1), it prints RPS, p50, p99 (from h2load's per-request
# log) and the server's CPU per call (from /proc). h2load sees only HTTP
# status, so every answer is also checked through the server's own metrics:
# the count of calls answered OK must grow by exactly the number of requests
# sent, and no other status code may appear. Then it reports RSS: idle, after
# the load, and under 64 concurrent ~4 MiB Process requests.
#
# Usage: benches/load.sh [SECONDS per run, default 5]
# Output: a table on stdout; raw h2load logs under target/load/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-5}
OUT=target/load
PORT=${PORT:-50251}
METRICS_PORT=${METRICS_PORT:-9664}
ADDR=127.0.0.1:$PORT
mkdir -p "$OUT"

source benches/server.sh
# Admission well above the highest concurrency, so nothing is shed and every
# call is measured.
start_server --max-concurrent-requests 1024

# Request bodies (gRPC frames of hand-encoded protobuf), shared with soak.sh.
python3 benches/frames.py "$OUT"

declare -A PATHS=(
  [health]=/grpc.health.v1.Health/Check
  [detect]=/textpipe.v1.TextPipeService/DetectLanguage
  [summarize]=/textpipe.v1.TextPipeService/Summarize
  [strip]=/textpipe.v1.TextPipeService/StripBoilerplate
  [process]=/textpipe.v1.TextPipeService/Process
)
declare -A METHODS=([detect]=DetectLanguage [summarize]=Summarize [strip]=StripBoilerplate [process]=Process)

# Calls of METHOD answered with CODE so far.
count() { metrics | awk -v m="$1" -v c="$2" '$1 == "textpipe_calls_total{method=\""m"\",code=\""c"\"}" {print $2; f=1} END {if (!f) print 0}'; }
# Calls of METHOD answered with any code but OK so far. CANCELLED is left
# out: h2load resets the calls still in flight at its deadline, and the
# server counts those as cancelled (checked apart, bounded by concurrency).
not_ok() { metrics | awk -v m="$1" 'index($1, "textpipe_calls_total{method=\""m"\"") == 1 && $1 !~ /code="(OK|CANCELLED)"/ {s += $2} END {print s + 0}'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${SECONDS_PER_RUN}s per run"
echo "idle RSS: $(( $(rss_kb VmRSS) / 1024 )) MB"
printf '%-10s %-6s %5s %5s %10s %9s %9s %12s %s\n' call mode conns streams rps p50_ms p99_ms cpu_us/call check
failed=0
declare -A CPU_US=()
for call in health detect summarize strip process; do
  for conc in 1 16 64; do
    for mode in one many; do
      [ "$conc" = 1 ] && [ "$mode" = many ] && continue
      if [ "$mode" = one ]; then conns=1; streams=$conc; else conns=$conc; streams=1; fi
      log="$OUT/$call-$mode-$conc.tsv"
      method=${METHODS[$call]:-}
      [ -n "$method" ] && ok0=$(count "$method" OK) && bad0=$(not_ok "$method") \
        && gone0=$(count "$method" CANCELLED)
      cpu0=$(cpu_ticks)
      rm -f "$log"  # h2load appends to its log file
      h2load -D "$SECONDS_PER_RUN" -c "$conns" -m "$streams" -t 1 \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        -d "$OUT/$call.bin" --log-file="$log" "http://$ADDR${PATHS[$call]}" >"$OUT/$call-$mode-$conc.out" 2>&1 || true
      cpu1=$(cpu_ticks)
      read -r n rps p50 p99 http_ok < <(python3 - "$log" "$SECONDS_PER_RUN" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
lat = sorted(int(r[2]) / 1000 for r in rows)
ok = sum(1 for r in rows if r[1] == "200")
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0
print(len(rows), round(len(rows) / float(sys.argv[2])), f"{pick(0.5):.2f}", f"{pick(0.99):.2f}", ok)
PY
)
      check=ok
      [ "$http_ok" = "$n" ] || check="HTTP-non-200:$((n - http_ok))"
      if [ -n "$method" ]; then
        ok1=$(count "$method" OK); bad1=$(not_ok "$method"); gone1=$(count "$method" CANCELLED)
        # h2load stops at the deadline; calls it abandoned may still finish
        # OK, or end CANCELLED: at most one per stream it had open.
        [ $((bad1 - bad0)) = 0 ] || check="grpc-errors:$((bad1 - bad0))"
        [ $((gone1 - gone0)) -le $((conns * streams)) ] || check="cancelled:$((gone1 - gone0))"
        [ $((ok1 - ok0)) -ge "$n" ] || check="grpc-ok:$((ok1 - ok0))/$n"
      fi
      [ "$check" = ok ] || failed=1
      cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) / $TICK * 1e6 / max(1, $n), 1))")
      printf '%-10s %-6s %5s %5s %10s %9s %9s %12s %s\n' "$call" "$mode" "$conns" "$streams" "$rps" "$p50" "$p99" "$cpu_us" "$check"
      CPU_US["$call-$mode-$conc"]=$cpu_us
    done
  done
done
echo "peak RSS after the load above: $(( $(rss_kb VmHWM) / 1024 )) MB"

# What the gRPC layer adds: the server's CPU per call (one connection, 16
# streams) against the stage's own CPU per call on the same document in
# this process (benches/throughput.rs --calls) plus the health Check's.
echo "server CPU per call vs stage CPU + health CPU (one connection, 16 streams):"
cargo bench --quiet --bench throughput -- --calls "$OUT" 2>/dev/null | while read -r tag call stage_us; do
  [ "$tag" = call ] || continue
  if [ "$call" = process4m ]; then
    echo "  process4m  stage $stage_us µs for 4 MB (the 100 KB page's cost scaled by size is the linear bound)"
    continue
  fi
  server_us=${CPU_US["$call-one-16"]}
  health_us=${CPU_US["health-one-16"]}
  python3 -c "s, st, h = $server_us, $stage_us, $health_us; print(f'  {\"$call\":<10} server {s:8.1f} µs   stage {st:8.1f} µs + health {h:5.1f} µs   ratio {s / (st + h):.2f}')"
done

# 64 concurrent requests of ~4 MiB each, on 8 connections. Past
# --max-in-flight-bytes (64 MiB by default) documents are shed with
# RESOURCE_EXHAUSTED: every call must end OK or shed, none otherwise.
ok0=$(count Process OK); shed0=$(count Process RESOURCE_EXHAUSTED); bad0=$(not_ok Process)
h2load -n 64 -c 8 -m 8 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
  -d "$OUT/process4m.bin" "http://$ADDR${PATHS[process]}" >"$OUT/process4m.out" 2>&1 || true
ok1=$(count Process OK); shed1=$(count Process RESOURCE_EXHAUSTED); bad1=$(not_ok Process)
ok=$((ok1 - ok0)); shed=$((shed1 - shed0)); other=$((bad1 - bad0 - shed))
echo "64 concurrent 4 MiB Process calls: $ok OK, $shed shed, $other other; peak RSS $(( $(rss_kb VmHWM) / 1024 )) MB; RSS now $(( $(rss_kb VmRSS) / 1024 )) MB"
[ $((ok + shed)) = 64 ] && [ "$other" = 0 ] && [ "$ok" -gt 0 ] || failed=1

# Linear in size: one 4 MB Process call at a time against the 100 KB one
# (concurrency 1, one connection), server CPU per call scaled by size.
ok0=$(count Process OK)
c0=$(cpu_ticks)
h2load -n 3 -c 1 -m 1 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
  -d "$OUT/process4m.bin" "http://$ADDR${PATHS[process]}" >"$OUT/process4m-seq.out" 2>&1 || true
c1=$(cpu_ticks)
[ $(( $(count Process OK) - ok0 )) = 3 ] || failed=1
python3 - "$(( (c1 - c0) * 1000000 / TICK / 3 ))" "${CPU_US[process-one-1]}" \
  "$(stat -c %s "$OUT/process4m.bin")" "$(stat -c %s "$OUT/process.bin")" <<'PY'
import sys
big, small, big_size, small_size = (float(x) for x in sys.argv[1:])
scale = big_size / small_size
print(f"4 MB Process: {big / 1000:.1f} ms of server CPU per call = {big / (small * scale):.2f} x "
      f"({scale:.1f} x the 100 KB call's {small / 1000:.2f} ms)")
PY
exit $failed
