#!/usr/bin/env bash
# minibox limited to one core (cgroup v1 cpu quota when writable, else
# taskset), on a throwaway PostgreSQL: the seed's CRUD workload from gop-load
# (closed model) and Patient CRUD from wrk with a Lua script, side by side.
#   bench/minibox_one_core.sh [BUILD_DIR]   (DURATION=15 VUS=16 THREADS=4 POOL=8)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
DURATION=${DURATION:-15}
VUS=${VUS:-16}
THREADS=${THREADS:-4}
POOL=${POOL:-8}

work=$(mktemp -d /tmp/gop-minibox-bench.XXXXXX)
chmod 755 "$work"
minibox_pid=
cleanup() {
  [ -n "$minibox_pid" ] && kill "$minibox_pid" 2>/dev/null || true
  "$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  [ -d /sys/fs/cgroup/cpu/gop-bench ] && rmdir /sys/fs/cgroup/cpu/gop-bench 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/scripts/pg-cluster.sh" start "$work/pg" >/dev/null
pg_port=$(cat "$work/pg/port")

limit="taskset -c 0"
if mkdir -p /sys/fs/cgroup/cpu/gop-bench 2>/dev/null && echo 100000 > /sys/fs/cgroup/cpu/gop-bench/cpu.cfs_period_us \
   && echo 100000 > /sys/fs/cgroup/cpu/gop-bench/cpu.cfs_quota_us; then
  limit="cgroup v1 cpu.cfs_quota_us=100000/100000 + taskset -c 0"
fi
( [ -d /sys/fs/cgroup/cpu/gop-bench ] && echo $BASHPID > /sys/fs/cgroup/cpu/gop-bench/cgroup.procs
  exec taskset -c 0 env BOX_DB_HOST=127.0.0.1 BOX_DB_PORT="$pg_port" BOX_DB_USER=postgres BOX_DB_DATABASE=postgres \
    BOX_WEB_PORT=0 BOX_WEB_THREAD="$THREADS" BOX_DB_POOL_MAXIMUM_POOL_SIZE="$POOL" "$build/minibox/minibox" ) \
  > "$work/minibox.log" 2>&1 &
minibox_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/minibox.log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/minibox.log" | head -1)
echo "minibox at $url, BOX_WEB_THREAD=$THREADS pool=$POOL, limit: $limit"

echo "== gop-load --scenario crud --vus $VUS --duration ${DURATION}s (load on core 1)"
taskset -c 1 "$build/loadgen/gop-load" --url "$url/fhir" --scenario crud --vus "$VUS" --duration "${DURATION}s" \
  --warmup 3s --threads 1 --summary-export "$work/k6.json" --data-dir "$root" 2>&1 | grep -v "^\r"
echo "== wrk -t1 -c$VUS -d${DURATION}s -s bench/minibox/wrk_crud.lua (load on core 1)"
taskset -c 1 wrk -t1 -c"$VUS" -d"${DURATION}s" --latency -s "$here/minibox/wrk_crud.lua" "$url" 2>&1 | tail -n 15
