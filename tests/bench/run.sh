#!/usr/bin/env bash
# Benchmarks the embedded server against a bare libsoup relay (the ceiling of
# our stack) and a Node relay on the `ws` package, in one run:
#
#   tests/bench/run.sh [--quick] [--cluster]
#
# Builds in build-bench (buildtype=release), starts each server as its own
# process on 127.0.0.1 port 0 pinned to CPU 1, runs opentok-bench pinned to
# CPU 0 against it, stops everything it started, and writes
# tests/bench/results/<date>/ (results.jsonl, results.md, PNG plots), copied
# to tests/bench/results/latest/. Prints the tables at the end.
#
# --cluster measures the nodes of a cluster instead (docs/cluster.md): it
# starts its own redis-server (a free port on 127.0.0.1, no persistence),
# pinned to CPU 1 with the nodes (gst-opentok-server --redis-url, each a
# fresh process on port 0 for each run), and gives: Redis commands, bytes
# and CPU per signal, per join and per ack in sessions of 2, 10 and 50
# members spread over 2 nodes (redis-cli INFO around a known number of
# each); latency at 500 signals/s to 10 receivers, sender and receivers on
# one node or on two; server CPU per delivery with 1, 2 and 3 nodes (and
# one without Redis); and the throughput model, from one node's capacity,
# redis-benchmark running the nodes' own append script and acks' HSET, and
# the commands per signal. It needs redis-server, redis-cli and
# redis-benchmark (Debian's redis-server and redis-tools) and a build with
# hiredis (libhiredis-dev). Its results go to results/<date>/ likewise,
# copied to results/latest-cluster/.
#
# Environment: GST_OPENTOK_BENCH_BUILD_DIR (default <top>/build-bench).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$top/tests/bench
build=${GST_OPENTOK_BENCH_BUILD_DIR:-$top/build-bench}
quick=0
cluster=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --cluster) cluster=1 ;;
    *) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
command="tests/bench/run.sh${*:+ $*}"

api_key=123456
api_secret=bench-secret-$$
if [ $quick = 1 ]; then
  duration=1; warmup=0.5; idle_conns=2000; idle_wait=2
  redis_ops=50000; latency_rounds=1
else
  duration=3; warmup=1; idle_conns=10000; idle_wait=5
  redis_ops=200000; latency_rounds=3
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

if [ $cluster = 1 ]; then
  if ! grep -q 'HAVE_HIREDIS 1' "$build/config.h"; then
    echo "$build has no Redis support: install libhiredis-dev and remove" \
      "$build" >&2
    exit 1
  fi
  for tool in redis-server redis-cli redis-benchmark; do
    if ! command -v $tool >/dev/null; then
      echo "--cluster needs $tool (apt-get install redis-server)" >&2
      exit 1
    fi
  done
else
  # npm ci wipes node_modules: only when the lock file changed
  stamp=$here/node_modules/.gst-opentok-lock.sha256
  if ! (cd "$here" && sha256sum --status -c "$stamp" 2>/dev/null); then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    (cd "$here" && sha256sum package-lock.json > "$stamp")
  fi
fi

ulimit -n "$(ulimit -Hn)"
out=$here/results/$(date +%Y-%m-%d-%H%M%S)
mkdir -p "$out"
jsonl=$out/results.jsonl
: > "$jsonl"
log=$out/servers.log

# --- servers ----------------------------------------------------------------
server_pids=()                  # every server running, the last one's:
server_pid=
server_url=
server_ws=
redis_pid=
redis_port=
subscriber_pids=()              # redis-cli SUBSCRIBE, in redis_capacity

# stop_pid PID: asks it to end, then makes it
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do
    stop_pid "$pid"
  done
  server_pids=()
  server_pid=
}

stop_everything() {
  local pid
  stop_servers
  for pid in "${subscriber_pids[@]}"; do
    stop_pid "$pid"
  done
  subscriber_pids=()
  if [ -n "$redis_pid" ]; then
    stop_pid "$redis_pid"
    redis_pid=
  fi
}
trap stop_everything EXIT
trap 'stop_everything; exit 130' INT TERM

# start_server ours|bare|node [OPTION...]: adds to server_pids, sets
# server_pid, server_url, server_ws; the options go to gst-opentok-server
start_server() {
  local kind=$1 line= fifo
  shift
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  case "$kind" in
    ours)
      taskset -c $server_cpu "$build/tools/gst-opentok-server" --port 0 \
        --api-key $api_key --api-secret "$api_secret" --signal-rate 0 \
        "$@" >"$fifo" 2>>"$log" & ;;
    bare)
      taskset -c $server_cpu "$build/tests/bench/bare-relay" \
        >"$fifo" 2>>"$log" & ;;
    node)
      taskset -c $server_cpu node "$here/node-relay.mjs" 0 \
        >"$fifo" 2>>"$log" & ;;
  esac
  server_pid=$!
  server_pids+=("$server_pid")
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
  stop_servers
}

# --- the cluster ------------------------------------------------------------
redis_cli() {
  redis-cli -h 127.0.0.1 -p "$redis_port" "$@"
}

# a free port on 127.0.0.1 (redis-server cannot pick one itself)
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_redis: sets redis_pid, redis_port
start_redis() {
  redis_port=$(free_port)
  taskset -c $server_cpu redis-server --port "$redis_port" --save "" \
    --appendonly no --bind 127.0.0.1 >>"$log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do
    if [ "$(redis_cli ping 2>/dev/null)" = PONG ]; then
      return
    fi
    sleep 0.1
  done
  echo "redis-server did not start (see $log)" >&2
  exit 1
}

# cluster_bench NODES spread|same|apart ARGS...: one run against NODES fresh
# nodes on the Redis: each session's members join through every node in turn
# (spread), all through the first (same), or its sender through the first
# and the others through the second (apart)
cluster_bench() {
  local nodes=$1 placement=$2 urls=() pids where
  shift 2
  for _ in $(seq "$nodes"); do
    start_server ours --redis-url "redis://127.0.0.1:$redis_port"
    urls+=("$server_url")
  done
  pids=$(IFS=,; echo "${server_pids[*]}")
  case "$placement" in
    spread) where=(--url "$(IFS=,; echo "${urls[*]}")") ;;
    same) where=(--url "${urls[0]}") ;;
    apart) where=(--sender-url "${urls[0]}" --url "${urls[1]}") ;;
  esac
  echo "== cluster of $nodes, $placement: $*" >&2
  if ! timeout 300 taskset -c $bench_cpu "$build/tests/bench/opentok-bench" \
      --target cluster --mode full "${where[@]}" --api-key $api_key \
      --api-secret "$api_secret" --server-pid "$pids" \
      --redis-port "$redis_port" --duration $duration --warmup $warmup \
      "$@" >>"$jsonl" 2>>"$log"; then
    echo "   failed (see $log)" >&2
  fi
  stop_servers
}

# proc_cpu PID: the user + system CPU seconds of a process
proc_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' \
    "/proc/$1/stat"
}

# proc_wait PID: the seconds its threads were runnable but waited for a CPU
proc_wait() {
  cat "/proc/$1/task/"*/schedstat | awk '{ s += $2 } END { print s / 1e9 }'
}

# redis_rate NAME CLIENTS PIPELINE KEYSPACE COMMAND...: redis-benchmark's
# operations per second on COMMAND, with the CPU time redis-server took and
# the time it waited for a CPU meanwhile, as a JSON line (of its CSV, the rps
# is the seventh field from the end: the first, COMMAND, may hold commas)
redis_rate() {
  local name=$1 clients=$2 pipeline=$3 keyspace=$4 rate t0 cpu0 wait0 figures
  shift 4
  t0=$(date +%s.%N)
  cpu0=$(proc_cpu "$redis_pid")
  wait0=$(proc_wait "$redis_pid")
  rate=$(taskset -c $bench_cpu redis-benchmark -h 127.0.0.1 \
    -p "$redis_port" --csv -n $redis_ops -c "$clients" -P "$pipeline" \
    -r "$keyspace" "$@" 2>>"$log" |
    tail -n 1 | awk -F, '{ print $(NF - 6) }' | tr -d '"') || true
  case "$rate" in
    [0-9]*) ;;
    *) echo "   redis-benchmark $name failed (see $log)" >&2; rate= ;;
  esac
  figures=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" -v c0="$cpu0" \
    -v c1="$(proc_cpu "$redis_pid")" -v w0="$wait0" \
    -v w1="$(proc_wait "$redis_pid")" 'BEGIN {
      printf "\"seconds\":%.3f,\"redis_cpu_s\":%.3f,\"redis_wait_s\":%.3f",
        t1 - t0, c1 - c0, w1 - w0 }')
  echo "{\"target\":\"redis\",\"workload\":\"redis-benchmark\"," \
    "\"tag\":\"cluster-capacity\",\"command\":\"$name\"," \
    "\"clients\":$clients,\"pipeline\":$pipeline,\"ops\":$redis_ops," \
    "\"ops_per_s\":${rate:-null},$figures}" >>"$jsonl"
}

# What Redis alone (no node running) does per second of what the nodes send
# it: the append script of a signal (the script read from its C source,
# which the nodes loaded before; the event a real one from an earlier run;
# two subscribers on its channel, as two nodes) and an acknowledgement's
# HSET. redis-benchmark runs on the generator's CPU.
redis_capacity() {
  local script=$out/append.lua sha prefix=gst-opentok:$api_key: session
  local key event connection=00000000-0000-4000-8000-000000000000 i
  local clients_pipeline clients pipeline
  /usr/bin/python3 - "$top/gst/opentok/gstopentokrediscluster.c" \
    >"$script" <<'EOF'
import re
import sys
source = open(sys.argv[1]).read()
body = re.search(r'append_script\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);',
                 source).group(1)
text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))
sys.stdout.write(text.encode().decode("unicode_escape"))
EOF
  sha=$(sha1sum <"$script" | cut -c1-40)
  if [ "$(redis_cli SCRIPT EXISTS "$sha")" != 1 ]; then
    echo "   the append script read from the source is not the nodes'" >&2
    redis_cli -x SCRIPT LOAD <"$script" >/dev/null
  fi
  event=
  for key in $(redis_cli --scan --pattern "${prefix}s:*:log"); do
    event=$(redis_cli --raw XREVRANGE "$key" + - COUNT 100 |
      grep '^S[0-9]' | head -n 1) || true
    [ -n "$event" ] && break
  done
  if [ -z "$event" ]; then
    echo "   no signal event in Redis: the append script gets an empty one" >&2
  fi
  session=${prefix}s:bench-capacity
  redis_cli HSET "$session" created 0 prefix 0 offset 0 >/dev/null
  for i in 1 2; do
    taskset -c $bench_cpu redis-cli -h 127.0.0.1 -p "$redis_port" \
      SUBSCRIBE "${prefix}ch:bench-capacity" >/dev/null 2>>"$log" &
    subscriber_pids+=("$!")
  done
  echo "== redis-benchmark" >&2
  # redis-benchmark's default (50 clients, a command per round trip), then
  # as two nodes' connections under load (commands written in batches)
  for clients_pipeline in 50:1 2:16; do
    clients=${clients_pipeline%:*}
    pipeline=${clients_pipeline#*:}
    # a random request key (of two random numbers: a request is carried
    # out once, a second one is refused as a duplicate)
    redis_rate append "$clients" "$pipeline" 1000000000 EVALSHA "$sha" 7 \
      "$session" "$session:m" "$session:log" "$session:own" \
      "$session:acks" "${prefix}sock:" \
      "${prefix}req:bench-capacity:__rand_int__-__rand_int__" \
      S "$connection" "" "$event" "${prefix}ch:bench-capacity" 10000 node \
      "" 0 bench-capacity 1 120
    redis_rate ack "$clients" "$pipeline" 50 HSET "$session:acks" \
      "00000000-0000-4000-8000-__rand_int__" 123456
  done
  for i in "${subscriber_pids[@]}"; do
    stop_pid "$i"
  done
  subscriber_pids=()
}

# Against each server: fan-out, many sessions, latency, idle connections; then
# the element on an in-process server
servers_and_relays() {
  local kind size members rate
  for kind in ours bare node; do
    for size in 100 8192; do
      for members in 11 101 1001; do
        bench $kind --workload fanout --size $size --members $members
      done
      bench $kind --workload sessions --size $size --sessions 100 \
        --members 10
      # one receiver: the offered rate is the rate delivered
      for rate in 1000 10000 50000; do
        bench $kind --workload latency --size $size --members 2 --rate $rate
      done
    done
    # GLib's main loop walks a list of every polled descriptor each time a
    # source is added or removed: more workers keep the generator's lists
    # short
    bench $kind --workload idle --connections $idle_conns --members 10 \
      --duration $idle_wait --workers 8
  done

  echo "== element" >&2
  GST_PLUGIN_PATH_1_0=$build/plugin GST_PLUGIN_SYSTEM_PATH_1_0= \
    GST_REGISTRY=$build/bench.registry \
    timeout 120 taskset -c $bench_cpu,$server_cpu \
    "$build/tests/bench/opentok-bench" --target ours --workload element \
    --rate 1000 --duration $((duration > 1 ? 2 : 1)) --api-key $api_key \
    --api-secret "$api_secret" >>"$jsonl" 2>>"$log" \
    || echo "   failed (see $log)" >&2
}

# --cluster: the figures of docs/cluster.md, every run tagged cluster-*
cluster_figures() {
  local members nodes
  start_redis
  # 1. Redis per signal, join and ack: 100 joins in sessions of 2, 10 and
  # 50 members, each session's members over 2 nodes, then 500 signals/s
  for members in 2 10 50; do
    cluster_bench 2 spread --tag cluster-ops --workload latency \
      --sessions $((100 / members)) --members $members --rate 500
  done
  # 2. latency at 500 signals/s to 10 receivers: one node without Redis,
  # sender and receivers on one node of two, the sender on the other; in
  # rounds, the three one after the other, for the spread of each
  for _ in $(seq $latency_rounds); do
    bench ours --tag cluster-latency --workload latency --members 11 \
      --rate 500
    cluster_bench 2 same --tag cluster-latency --workload latency \
      --members 11 --rate 500
    cluster_bench 2 apart --tag cluster-latency --workload latency \
      --members 11 --rate 500
  done
  # 3. CPU per delivery of one broadcast load (500 signals/s to 30
  # receivers, about half of CPU 1): one node without Redis, then 1, 2 and 3
  # nodes
  bench ours --tag cluster-cpu --workload latency --members 31 --rate 500
  for nodes in 1 2 3; do
    cluster_bench $nodes spread --tag cluster-cpu --workload latency \
      --members 31 --rate 500
  done
  # 4. the throughput model's inputs: one node's fan-out (its deliveries
  # per CPU second) in sessions of 2, 10 and 50, on Redis and, to compare,
  # without; Redis' own capacity
  for members in 2 10 50; do
    cluster_bench 1 spread --tag cluster-capacity --workload fanout \
      --members $members
    bench ours --tag cluster-capacity --workload fanout --members $members
  done
  redis_capacity
  stop_everything
}

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [ $cluster = 1 ]; then
  cluster_figures
  latest=$here/results/latest-cluster
else
  servers_and_relays
  latest=$here/results/latest
fi

elapsed=$(( $(date +%s) - started ))
python3 "$here/report.py" "$jsonl" "$out" "$command" "$elapsed" \
  "$load_before"
rm -rf "$latest"
mkdir -p "$latest"
cp "$out"/results.md "$out"/results.jsonl "$latest/"
cp "$out"/*.png "$latest/" 2>/dev/null || true
cat "$out/results.md"
