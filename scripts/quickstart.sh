#!/usr/bin/env bash
# The main job on the embedded default, on this machine alone: a throwaway
# PostgreSQL, minibox as the target, one local agent per core, a grid (default
# grids/short.yaml). Ends with the best configurations and the report's path.
# Cleans up PostgreSQL and every process it started, on exit and on Ctrl-C.
#   scripts/quickstart.sh [GRID] [extra gop-coordinator flags]
# Environment: GOP_AGENTS (default: cores), GOP_STATE_DIR (default runs/quickstart-<time>).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${GOP_BUILD_DIR:-build}
grid=${1:-grids/short.yaml}
shift || true

agents=${GOP_AGENTS:-$(nproc)}
state_dir=${GOP_STATE_DIR:-runs/quickstart-$(date +%Y%m%d-%H%M%S)}
work=$(mktemp -d /tmp/gop-quickstart.XXXXXX)
chmod 755 "$work"   # PostgreSQL runs as the postgres user
coordinator_pid=

cleanup() {
  # Ignore further Ctrl-C / TERM while cleaning up: a second press must not
  # abandon PostgreSQL half-way.
  trap '' INT TERM
  trap - EXIT
  if [ -n "$coordinator_pid" ] && kill -0 "$coordinator_pid" 2>/dev/null; then
    kill -TERM "$coordinator_pid" 2>/dev/null || true   # cancels the run, stops its agents
    for _ in $(seq 1 30); do kill -0 "$coordinator_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$coordinator_pid" 2>/dev/null || true
  fi
  # Any agent of this run still alive goes too (their targets die with them).
  pkill -TERM -f -- "--work-dir=$state_dir/agents/" 2>/dev/null || true
  "$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "interrupted: stopping the run and cleaning up"; exit 130' INT TERM

echo "== starting a throwaway PostgreSQL"
"$root/scripts/pg-cluster.sh" start "$work/pg" >/dev/null
export BOX_DB_HOST=127.0.0.1 BOX_DB_PORT=$(cat "$work/pg/port") BOX_DB_USER=postgres BOX_DB_DATABASE=postgres
echo "   127.0.0.1:$BOX_DB_PORT"

echo "== gop-coordinator --grid $grid --local-agents $agents (state dir $state_dir)"
echo "   watch from another terminal: $build/ctl/gopctl watch"
"$root/$build/coordinator/gop-coordinator" --grid="$grid" --local-agents="$agents" \
  --state-dir="$state_dir" --listen=127.0.0.1:7400 --metrics-listen=127.0.0.1:7401 "$@" &
coordinator_pid=$!
set +e
wait "$coordinator_pid"
rc=$?
set -e
coordinator_pid=
if [ -f "$state_dir/analysis/report.html" ]; then
  echo
  echo "Open the report: $(cd "$state_dir/analysis" && pwd)/report.html"
fi
exit "$rc"
