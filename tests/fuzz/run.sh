#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz long, one after the other.
#
#   tests/fuzz/run.sh [RUNS|SECONDSs] [TARGET...]
#
# RUNS is a number of inputs per target (default 10000000); 600s (or 10m)
# bounds each target by time instead. Without TARGET, all of them.
# Builds build-fuzz/ with clang, AddressSanitizer, UBSan and libFuzzer
# (GST_OPENTOK_FUZZ_BUILD_DIR to change it). New corpus entries, crash
# inputs and logs go to tests/fuzz/out/ (not committed); the committed
# seed corpus is only read. FUZZ_JOBS=2 runs two targets at a time.
# Prints the executions and executions per second of each target; exits
# non-zero if any target crashed, leaked or hit a sanitizer report.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${GST_OPENTOK_FUZZ_BUILD_DIR:-$top/build-fuzz}
out=$here/out
jobs=${FUZZ_JOBS:-1}
all_targets=(rumor raptor token rest_jwt session_id rest_body session_info
  server_frame cluster_event)

bound=${1:-10000000}
[ $# -gt 0 ] && shift
case "$bound" in
  *s) limit=(-max_total_time="${bound%s}") ;;
  *m) limit=(-max_total_time="$(( ${bound%m} * 60 ))") ;;
  *[!0-9]* | '') sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  *) limit=(-runs="$bound") ;;
esac
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

if [ ! -f "$build/build.ninja" ]; then
  CC=${CC:-clang} meson setup "$build" "$top" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtests=disabled -Dinterop=disabled -Dintrospection=disabled
fi
ninja -C "$build" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# without it, leaks hide in GLib's slabs (see tests/fuzz/meson.build)
export G_SLICE=always-malloc

run_target() {
  local t=$1
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/logs"
  "$build/tests/fuzz/fuzz_$t" "${limit[@]}" -print_final_stats=1 \
    -timeout=10 -artifact_prefix="$out/crashes/$t/" \
    "$out/corpus/$t" "$here/corpus/$t" > "$out/logs/$t.log" 2>&1
}

declare -A status
running=()
for t in "${targets[@]}"; do
  echo "== fuzz_$t ${limit[*]} (log: $out/logs/$t.log)"
  run_target "$t" &
  running+=("$!:$t")
  if [ ${#running[@]} -ge "$jobs" ]; then
    entry=${running[0]}
    running=("${running[@]:1}")
    rc=0; wait "${entry%%:*}" || rc=$?
    status[${entry#*:}]=$rc
  fi
done
for entry in "${running[@]}"; do
  rc=0; wait "${entry%%:*}" || rc=$?
  status[${entry#*:}]=$rc
done

failed=0
printf '\n%-14s %12s %10s %8s  %s\n' target executions exec/s seconds result
for t in "${targets[@]}"; do
  log=$out/logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [ "${status[$t]}" = 0 ]; then
    result=ok
  else
    result="FAILED (exit ${status[$t]}, see $log and $out/crashes/$t/)"
    failed=1
  fi
  printf '%-14s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
    "${secs:-?}" "$result"
done
exit $failed
