#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test.
# Extra arguments go to ctest (e.g. -R Histogram).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/build.sh
BUILD_DIR=${GOP_BUILD_DIR:-build}
exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" --timeout 600 "$@"
