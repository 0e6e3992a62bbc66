#!/usr/bin/env bash
# Runs scripts/quickstart.sh on a two-cell grid and checks what it leaves.
set -euo pipefail
src=$1
bin=$2
work=$(mktemp -d /tmp/gop-qs-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/grid.yaml" <<'YAML'
cpu_limits: [1]
web_thread_multipliers: [1, 2]
db_pool_multipliers: [2]
duration: 3s
warmup: 1s
prewarm: 1
graceful_stop: 1s
target: {kind: process, health_timeout: 30s}
YAML
out=$(cd "$src" && GOP_BUILD_DIR=$(realpath --relative-to="$src" "$bin") GOP_STATE_DIR="$work/run" \
  scripts/quickstart.sh "$work/grid.yaml" --listen=127.0.0.1:0 --metrics-listen= 2>&1) || {
  echo "$out"; echo "FAIL: quickstart exited non-zero"; exit 1; }
fail() { echo "$out"; echo "FAIL: $*"; exit 1; }
for f in report.html summary_all_tests.csv best_configurations.csv cpu_1_avg_rps.csv cpu_1_p99_latency.csv \
         cpu_1_rps_heatmap.svg; do
  [ -s "$work/run/analysis/$f" ] || fail "missing analysis/$f"
done
[ "$(ls "$work/run/result" | grep -c '^test_cpu1_wt[12]_db[24]_rep1_.*\.json$')" = 2 ] || fail "expected 2 result files"
grep -q "^1,Best RPS," "$work/run/analysis/best_configurations.csv" || fail "no Best RPS row"
echo "$out" | grep -q "Open the report:" || fail "no report path printed"
echo "$out" | grep -q "throughput" || fail "no best configurations printed"
pgrep -f "$bin/agent/gop-agent" >/dev/null && fail "an agent outlived the quickstart"
echo "1 passed, 0 failed"
