#!/usr/bin/env bash
# The main job on the embedded default: a throwaway PostgreSQL, minibox as the
# target, local agents, the short grid; ends with the best configurations and
# the path of analysis/report.html.
#   scripts/run.sh [GRID] [extra gop-coordinator flags]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
scripts/build.sh
if [ ! -x build/coordinator/gop-coordinator ]; then
  echo "gop: the distributed run (gop-coordinator) is not built yet in this version." >&2
  exit 3
fi
exec scripts/quickstart.sh "$@"
