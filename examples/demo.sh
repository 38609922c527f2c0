#!/usr/bin/env bash
# The gst-opentok demo: two GStreamer pipelines meet in an OpenTok session
# served by the embedded server, one sending the lines of a file as signals,
# the other receiving them as bus messages and as buffers on its src pad.
#
#   examples/demo.sh BUILD_DIR      (tools/bootstrap.sh demo runs it)
#
# Non-interactive; it stops everything it started and exits with 0 only when
# every signal arrived. Needs gst-launch-1.0 (gstreamer1.0-tools).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
server_exe=$build/tools/gst-opentok-server
api_key=123456
lines=("Hello from a GStreamer pipeline"
  "Each line of the file is one OpenTok signal"
  "type chat, to the whole session"
  "héllo, wörld: UTF-8 is fine")

# the signalbin built here, with the system's plugins, in a registry of our
# own (the user's is left alone)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gst-opentok-demo.XXXXXX")
export GST_PLUGIN_PATH_1_0=$build/plugin${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}
export GST_REGISTRY=$tmp/registry.bin

server_pid='' receiver_pid=''
cleanup() {
  local pid
  for pid in $receiver_pid $server_pid; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for FILE PATTERN SECONDS PID: until a line of FILE matches, while the
# process PID that writes it lives
wait_for() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || fail "$(basename "$1" .log) stopped"
    sleep 0.1
  done
  fail "gave up waiting for \"$2\" in $(basename "$1")"
}

fail() {
  local f
  echo "demo FAILED: $1" >&2
  for f in server sender receiver; do
    [ -f "$tmp/$f.log" ] || continue
    echo "--- $f" >&2
    short <"$tmp/$f.log" >&2 || true
  done
  exit 1
}

# stop PID SIGNAL: sends SIGNAL to a child of ours and waits for it at most
# 10 seconds (then kills it); sets $status to its exit status
stop() {
  local i
  kill "-$2" "$1" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$1" 2>/dev/null; then
    echo "demo: pid $1 ignored SIG$2, killing it" >&2
    kill -KILL "$1" 2>/dev/null || true
  fi
  status=0
  wait "$1" || status=$?
}

# shorten long values (tokens, session ids) for display
short() { sed -E 's/([A-Za-z0-9_.-]{16})[A-Za-z0-9_.-]{16,}/\1…/g'; }

# the opentok messages of a gst-launch-1.0 -m log, without the noise
bus_messages() {
  sed -n -E 's/^Got message #[0-9]+ from element "[^"]*" \(element\): (opentok-.*)$/\1/p' "$1" \
    | sed -E 's/\((string|boolean|gint64)\)//g' \
    | perl -pe 's/\\([0-7]{3})/chr(oct($1))/ge; s/\\(.)/$1/g' | short
}

[ -x "$server_exe" ] || fail "no $server_exe: build first (ninja -C $build)"
command -v gst-launch-1.0 >/dev/null \
  || fail "no gst-launch-1.0: install gstreamer1.0-tools"

echo "== gst-opentok demo: two pipelines talk through an OpenTok session"
echo

# --- the server -----------------------------------------------------------
secret=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
echo "1. The embedded server, on a free port, with a random API secret:"
echo "   gst-opentok-server --port 0 --api-key $api_key"
OPENTOK_API_SECRET=$secret "$server_exe" --port 0 --api-key "$api_key" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
wait_for "$tmp/server.log" '^token:' 10 "$server_pid"
url=$(sed -n 's/^gst-opentok-server .* serving on //p' "$tmp/server.log")
session=$(sed -n 's/^session id: *//p' "$tmp/server.log")
token=$(sed -n 's/^token: *//p' "$tmp/server.log")
sed 's/^/   | /' "$tmp/server.log" | short
echo

# --- the receiver ---------------------------------------------------------
echo "2. The receiver joins with the server's token; -m prints its bus"
echo "   messages, and its src pad writes the data of each signal to a file:"
echo "   gst-launch-1.0 -m -e signalbin api-url=$url api-key=$api_key \\"
echo "       session-id=$session token=$token ! fdsink fd=3" | short
gst-launch-1.0 -m -e \
  signalbin api-url="$url" api-key="$api_key" session-id="$session" \
  token="$token" ! fdsink fd=3 sync=false \
  3>"$tmp/received.txt" >"$tmp/receiver.log" 2>&1 &
receiver_pid=$!
wait_for "$tmp/receiver.log" 'opentok-session-connected' 20 "$receiver_pid"
echo "   joined."
echo

# --- the sender -----------------------------------------------------------
printf '%s\n' "${lines[@]}" >"$tmp/lines.txt"
echo "3. The sender makes its own token with api-secret and sends the ${#lines[@]}"
echo "   lines of a file as \"chat\" signals; it ends once all were sent:"
echo "   gst-launch-1.0 -m filesrc location=lines.txt ! text/x-raw,format=utf8 ! \\"
echo "       signalbin api-url=$url api-key=$api_key session-id=$session \\" | short
echo "       api-secret=… connection-data=name=sender signal-type=chat ! fakesink"
sent_ok=0
# (timeout: a bound, should the sender hang)
if timeout 30 gst-launch-1.0 -m \
  filesrc location="$tmp/lines.txt" ! text/x-raw,format=utf8 ! \
  signalbin api-url="$url" api-key="$api_key" session-id="$session" \
  api-secret="$secret" connection-data=name=sender signal-type=chat ! \
  fakesink >"$tmp/sender.log" 2>&1; then
  sent_ok=1
fi
sent=$(grep -c 'opentok-signal-sent' "$tmp/sender.log" || true)
refused=$(grep 'opentok-signal-sent' "$tmp/sender.log" | grep -c 'code=' || true)
echo "   sender: $sent opentok-signal-sent messages, $refused refused," \
  "exit $([ $sent_ok = 1 ] && echo 0 || echo 'with an error')"
echo

# --- what arrived ---------------------------------------------------------
# give the last signals a moment to reach the receiver's src pad
for ((i = 0; i < 50; i++)); do
  [ "$(wc -l <"$tmp/received.txt")" -ge ${#lines[@]} ] && break
  sleep 0.1
done

echo "4. Ctrl-C (SIGINT) to the receiver: with -e it leaves the session cleanly."
stop "$receiver_pid" INT
receiver_status=$status receiver_pid=
echo

echo "   The receiver's bus, its opentok messages (gst-launch-1.0 -m):"
bus_messages "$tmp/receiver.log" | sed 's/^/   | /'
echo
echo "   The receiver's src pad (fdsink):"
sed 's/^/   | /' "$tmp/received.txt"
echo

echo "5. SIGTERM to the server."
stop "$server_pid" TERM
server_status=$status server_pid=
echo

# --- the verdict ----------------------------------------------------------
arrived=0
for line in "${lines[@]}"; do
  grep -Fxq -- "$line" "$tmp/received.txt" && arrived=$((arrived + 1))
done
echo "== ${arrived} of ${#lines[@]} signals arrived, in order: $(
  [ "$(cat "$tmp/received.txt")" = "$(cat "$tmp/lines.txt")" ] && echo yes || echo no
); sender exit $([ $sent_ok = 1 ] && echo 0 || echo 1)," \
  "receiver exit $receiver_status, server exit $server_status"

if [ "$arrived" -ne ${#lines[@]} ] || [ "$sent_ok" != 1 ] \
  || [ "$receiver_status" != 0 ] || [ "$server_status" != 0 ]; then
  fail "not every signal arrived, or a program failed"
fi
echo "Next: examples/ has a C and a Python application and gst-launch recipes."
