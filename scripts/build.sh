#!/usr/bin/env bash
# Configures (once) and builds gop incrementally into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${GOP_BUILD_DIR:-build}
# ccache: share hits between checkouts at different paths (CI clones elsewhere).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# Quiet unless something fails (ninja still prints errors and their commands).
cmake --build "$BUILD_DIR" -j"$(nproc)" "$@" -- --quiet
