#!/usr/bin/env bash
# Benchmarks the embedded server against a bare libsoup relay (the ceiling of
# our stack) and a Node relay on the `ws` package, in one run:
#
#   tests/bench/run.sh [--quick]
#
# Builds in build-bench (buildtype=release), starts each server as its own
# process on 127.0.0.1 port 0 pinned to CPU 1, runs opentok-bench pinned to
# CPU 0 against it, stops everything it started, and writes
# tests/bench/results/<date>/ (results.jsonl, results.md, PNG plots), copied
# to tests/bench/results/latest/. Prints the tables at the end.
#
# Environment: GST_OPENTOK_BENCH_BUILD_DIR (default <top>/build-bench).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$top/tests/bench
build=${GST_OPENTOK_BENCH_BUILD_DIR:-$top/build-bench}
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

api_key=123456
api_secret=bench-secret-$$
if [ $quick = 1 ]; then
  duration=1; warmup=0.5; idle_conns=2000; idle_wait=2
else
  duration=3; warmup=1; idle_conns=10000; idle_wait=5
fi
server_cpu=1
bench_cpu=0
if [ "$(nproc)" -lt 2 ]; then server_cpu=0; fi

# --- build ------------------------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --buildtype=release -Dtests=enabled \
    -Dinterop=disabled -Dexamples=disabled -Dintrospection=disabled >/dev/null
else
  meson configure "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" tests/bench/opentok-bench tests/bench/bare-relay \
  tools/gst-opentok-server plugin/libgstopentok.so >/dev/null

# npm ci wipes node_modules: only when the lock file changed
stamp=$here/node_modules/.gst-opentok-lock.sha256
if ! (cd "$here" && sha256sum --status -c "$stamp" 2>/dev/null); then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  (cd "$here" && sha256sum package-lock.json > "$stamp")
fi

ulimit -n "$(ulimit -Hn)"
out=$here/results/$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
jsonl=$out/results.jsonl
: > "$jsonl"
log=$out/servers.log

# --- servers ----------------------------------------------------------------
server_pid=
server_url=
server_ws=

stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# start_server ours|bare|node: sets server_pid, server_url, server_ws
start_server() {
  local kind=$1 line= fifo
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  case "$kind" in
    ours)
      taskset -c $server_cpu "$build/tools/gst-opentok-server" --port 0 \
        --api-key $api_key --api-secret "$api_secret" --signal-rate 0 \
        >"$fifo" 2>>"$log" & ;;
    bare)
      taskset -c $server_cpu "$build/tests/bench/bare-relay" \
        >"$fifo" 2>>"$log" & ;;
    node)
      taskset -c $server_cpu node "$here/node-relay.mjs" 0 \
        >"$fifo" 2>>"$log" & ;;
  esac
  server_pid=$!
  exec 3<"$fifo"
  rm -f "$fifo"
  # the first line names the URL; the rest goes to the log
  if ! read -r -t 20 line <&3; then
    echo "$kind did not start (see $log)" >&2
    exit 1
  fi
  cat <&3 >>"$log" &
  exec 3<&-
  case "$kind" in
    ours)
      server_url=$(echo "$line" | sed -n 's/.*serving on \(http[^ ]*\).*/\1/p')
      server_ws= ;;
    *)
      server_ws=$(echo "$line" | sed -n 's/.*listening on \(ws[^ ]*\).*/\1/p')
      server_url= ;;
  esac
}

# bench KIND ARGS...: one run against a fresh server
bench() {
  local kind=$1 mode
  shift
  start_server "$kind"
  if [ "$kind" = ours ]; then
    mode=(--mode full --url "$server_url")
  else
    mode=(--mode raw --ws-url "$server_ws")
  fi
  echo "== $kind $*" >&2
  if ! timeout 300 taskset -c $bench_cpu "$build/tests/bench/opentok-bench" \
      --target "$kind" "${mode[@]}" --api-key $api_key \
      --api-secret "$api_secret" --server-pid "$server_pid" \
      --duration $duration --warmup $warmup "$@" >>"$jsonl" 2>>"$log"; then
    echo "   failed (see $log)" >&2
  fi
  stop_server
}

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for kind in ours bare node; do
  for size in 100 8192; do
    for members in 11 101 1001; do
      bench $kind --workload fanout --size $size --members $members
    done
    bench $kind --workload sessions --size $size --sessions 100 --members 10
    # one receiver: the offered rate is the rate delivered
    for rate in 1000 10000 50000; do
      bench $kind --workload latency --size $size --members 2 --rate $rate
    done
  done
  # GLib's main loop walks a list of every polled descriptor each time a
  # source is added or removed: more workers keep the generator's lists short
  bench $kind --workload idle --connections $idle_conns --members 10 \
    --duration $idle_wait --workers 8
done

# the element, on an in-process server
echo "== element" >&2
GST_PLUGIN_PATH_1_0=$build/plugin GST_PLUGIN_SYSTEM_PATH_1_0= \
  GST_REGISTRY=$build/bench.registry \
  timeout 120 taskset -c $bench_cpu,$server_cpu \
  "$build/tests/bench/opentok-bench" --target ours --workload element \
  --rate 1000 --duration $((duration > 1 ? 2 : 1)) --api-key $api_key \
  --api-secret "$api_secret" >>"$jsonl" 2>>"$log" \
  || echo "   failed (see $log)" >&2

elapsed=$(( $(date +%s) - started ))
command="tests/bench/run.sh${1:+ $1}"
python3 "$here/report.py" "$jsonl" "$out" "$command" "$elapsed" \
  "$load_before"
rm -rf "$here/results/latest"
mkdir -p "$here/results/latest"
cp "$out"/results.md "$out"/results.jsonl "$out"/*.png "$here/results/latest/"
cat "$out/results.md"
