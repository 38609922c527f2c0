#!/usr/bin/env bash
# Sets up a Debian 12 machine for gst-opentok and runs what you ask for.
#
#   tools/bootstrap.sh demo    install, build, run the demo on the embedded server
#   tools/bootstrap.sh test    install, build (warnings are errors), run every test
#   tools/bootstrap.sh deps    only install the dependencies
#   tools/bootstrap.sh build   install and build
#
# Debian packages come from Debian 12 (bookworm) by name: its archive keeps
# only the current point release of each, so exact versions cannot be pinned
# there; meson checks the minimum versions (GStreamer 1.22, libsoup 3.2,
# json-glib 1.6, GLib 2.74). npm packages are pinned exactly by
# tests/interop/package-lock.json and installed with `npm ci`.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${GST_OPENTOK_BUILD_DIR:-$top/build}

apt_packages=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libsoup-3.0-dev libjson-glib-dev glib-networking
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gobject-introspection libgirepository1.0-dev python3-gi gir1.2-gstreamer-1.0
  nodejs npm chromium
  valgrind clang libclang-rt-14-dev
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
  local missing=()
  local pkg
  for pkg in "${apt_packages[@]}"; do
    # node and npm may come from elsewhere than Debian: accept them on PATH
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
  # npm ci wipes node_modules: only run it when the lock file changed
  local lock="$top/tests/interop/package-lock.json"
  local stamp="$top/tests/interop/node_modules/.gst-opentok-lock.sha256"
  if ! sha256sum --status -c "$stamp" 2>/dev/null; then
    echo "== installing npm packages (tests/interop/package-lock.json)"
    (cd "$top/tests/interop" && npm ci --no-audit --no-fund --loglevel=error)
    sha256sum "$lock" > "$stamp"
  fi
}

build() {
  local werror=${1:-false}
  if [ ! -f "$build_dir/build.ninja" ]; then
    meson setup "$build_dir" "$top" -Dwerror="$werror"
  else
    meson configure "$build_dir" -Dwerror="$werror"
  fi
  ninja -C "$build_dir"
}

run_tests() {
  local status=0
  meson test -C "$build_dir" --print-errorlogs --num-processes 2 "$@" \
    || status=$?
  # one closing line any CI can read: "N passed, N failed"
  python3 - "$build_dir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
  return $status
}

case "${1:-}" in
  deps) install_deps ;;
  build) install_deps; build false ;;
  test) shift; install_deps; build true; run_tests "$@" ;;
  demo) install_deps; build false; exec "$top/examples/demo.sh" "$build_dir" ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
