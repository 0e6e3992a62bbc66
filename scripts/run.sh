#!/usr/bin/env bash
# The main job on the embedded default: a throwaway PostgreSQL, minibox as the
# target, local agents, the short grid; ends with the best configurations and
# the path of analysis/report.html.
#   scripts/run.sh [GRID] [extra gop-coordinator flags]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
echo "== building gop (incremental)"
scripts/build.sh --target gop-coordinator gop-agent minibox gopctl gop-load gop-analyze
exec scripts/quickstart.sh "$@"
