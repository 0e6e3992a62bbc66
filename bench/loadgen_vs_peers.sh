#!/usr/bin/env bash
# gop-load vs wrk vs hey against nginx (one worker) serving a small static FHIR
# JSON on loopback: same connections (50 and 1000), one load thread, same
# duration. Prints req/s, CPU seconds per 100k requests and peak memory per
# tool, the gop/wrk and gop/hey ratios, and gop-load's memory per VU at
# 10,000 VUs. Run on demand:
#   bench/loadgen_vs_peers.sh [path/to/gop-load]   (DURATION=10 CONNS="50 1000")
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
GOP_LOAD=${1:-${GOP_LOAD:-$root/build/loadgen/gop-load}}
DURATION=${DURATION:-10}
CONNS=${CONNS:-"50 1000"}
MANY_VUS=${MANY_VUS:-10000}
PORT=${PORT:-$((20000 + RANDOM % 20000))}

for tool in nginx wrk hey /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install nginx wrk hey time)" >&2; exit 1; }
done
[ -x "$GOP_LOAD" ] || { echo "gop-load not found at $GOP_LOAD (build it or pass its path)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/gop-loadgen-bench.XXXXXX)
chmod 755 "$work"  # nginx workers run as an unprivileged user
mkdir -p "$work/html"
cp "$here/loadgen/patient.json" "$work/html/patient.json"
sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$PORT|g" "$here/loadgen/nginx.conf.in" > "$work/nginx.conf"

# Two or more cores: nginx on the first, the load tool on the second, so
# neither steals the other's core.
server_cpu=() tool_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0) tool_cpu=(taskset -c 1)
fi
"${server_cpu[@]}" nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
cleanup() { kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
url="http://127.0.0.1:$PORT/patient.json"
for _ in $(seq 50); do curl -fs "$url" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$url" >/dev/null || { echo "nginx did not come up" >&2; exit 1; }

# measure NAME CMD...: runs CMD under /usr/bin/time; sets cpu (s) and rss (KiB).
measure() {
  local out=$work/$1.out
  shift
  /usr/bin/time -f "%U %S %M" -o "$work/time" "${tool_cpu[@]}" "$@" >"$out" 2>&1 || true
  read -r user sys rss < <(tail -1 "$work/time")
  cpu=$(echo "$user + $sys" | bc -l)
}

printf '| conns | tool | req/s | CPU s / 100k req | peak RSS MiB |\n|---|---|---|---|---|\n'
ratios=()
for c in $CONNS; do
  measure "wrk$c" wrk -t1 -c"$c" -d"${DURATION}s" "$url"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk$c.out")
  wrk_n=$(awk '/requests in/ {print $1}' "$work/wrk$c.out")
  wrk_cpu=$(echo "$cpu / $wrk_n * 100000" | bc -l); wrk_rss=$rss

  measure "hey$c" hey -c "$c" -z "${DURATION}s" -cpus 1 "$url"
  hey_rps=$(awk '/Requests\/sec/ {print $2}' "$work/hey$c.out")
  hey_total=$(awk '/Total:/ {print $2; exit}' "$work/hey$c.out")
  hey_n=$(echo "$hey_rps * $hey_total" | bc -l)
  hey_cpu=$(echo "$cpu / $hey_n * 100000" | bc -l); hey_rss=$rss

  measure "gop$c" "$GOP_LOAD" --url "$url" --scenario get --vus "$c" --threads 1 \
    --duration "${DURATION}s" --graceful-stop 2s --quiet --summary-json "$work/gop$c.json" \
    --data-dir "$root"
  gop_rps=$(python3 -c "import json;print(json.load(open('$work/gop$c.json'))['requests_per_second'])")
  gop_n=$(python3 -c "import json;print(json.load(open('$work/gop$c.json'))['overall']['requests'])")
  gop_err=$(python3 -c "import json;print(json.load(open('$work/gop$c.json'))['overall']['errors'])")
  gop_cpu=$(echo "$cpu / $gop_n * 100000" | bc -l); gop_rss=$rss

  for row in "wrk $wrk_rps $wrk_cpu $wrk_rss" "hey $hey_rps $hey_cpu $hey_rss" "gop-load $gop_rps $gop_cpu $gop_rss"; do
    set -- $row
    printf '| %s | %s | %.0f | %.3f | %.1f |\n' "$c" "$1" "$2" "$3" "$(echo "$4 / 1024" | bc -l)"
  done
  [ "$gop_err" = 0 ] || echo "| $c | gop-load errors | $gop_err | | |"
  ratios+=("$(printf '| %s | %.2f | %.2f | %.2f | %.2f |' "$c" \
    "$(echo "$gop_rps / $wrk_rps" | bc -l)" "$(echo "$gop_cpu / $wrk_cpu" | bc -l)" \
    "$(echo "$gop_rps / $hey_rps" | bc -l)" "$(echo "$gop_cpu / $hey_cpu" | bc -l)")")
done
printf '\n| conns | req/s gop/wrk | CPU per req gop/wrk | req/s gop/hey | CPU per req gop/hey |\n|---|---|---|---|---|\n'
printf '%s\n' "${ratios[@]}"

# Memory per VU: peak RSS at MANY_VUS minus peak RSS at 100 VUs.
measure gop_small "$GOP_LOAD" --url "$url" --scenario get --vus 100 --threads 1 \
  --duration 5s --graceful-stop 2s --quiet --data-dir "$root"
small_rss=$rss
measure gop_many "$GOP_LOAD" --url "$url" --scenario get --vus "$MANY_VUS" --threads 1 \
  --duration 5s --graceful-stop 2s --quiet --summary-json "$work/many.json" --data-dir "$root"
many_rss=$rss
many_err=$(python3 -c "import json;print(json.load(open('$work/many.json'))['overall']['errors'])")
printf '\nmemory per VU at %s VUs: %.1f KiB (peak RSS %.1f MiB vs %.1f MiB at 100 VUs; %s errors)\n' \
  "$MANY_VUS" "$(echo "($many_rss - $small_rss) / ($MANY_VUS - 100)" | bc -l)" \
  "$(echo "$many_rss / 1024" | bc -l)" "$(echo "$small_rss / 1024" | bc -l)" "$many_err"
