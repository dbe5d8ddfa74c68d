# Shared by load.sh and soak.sh (sourced, from the repository root): h2load,
# the release server with its metrics endpoint, and readings of the server.
# The caller sets OUT, ADDR and METRICS_PORT first.

command -v h2load >/dev/null || {
  echo "installing nghttp2-client for h2load" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null
}

# Builds and starts the release server (extra `serve` flags as arguments),
# logging at warn so the figures are the service's, not the terminal's; waits
# for SERVING and sets SERVER to its pid, killed when the script exits.
start_server() {
  cargo build --release --locked --quiet --bin textpipe
  target/release/textpipe serve --listen "$ADDR" --metrics-listen "127.0.0.1:$METRICS_PORT" \
    --log warn --log-format json "$@" 2>"$OUT/server.log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    target/release/textpipe health-check --addr "$ADDR" --timeout-ms 500 >/dev/null 2>&1 && break
    sleep 0.1
  done
  kill -0 "$SERVER" || { echo "server did not start" >&2; exit 1; }
}

metrics() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://127.0.0.1:$METRICS_PORT/metrics"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
rss_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVER/status"; }
TICK=$(getconf CLK_TCK)
