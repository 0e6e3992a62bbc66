#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests, benchmarks and the quickstart.
#   pg-cluster.sh start DIR [PORT]   initdb (once) + start on 127.0.0.1:PORT (free port
#                                    when omitted); writes the port to DIR/port. Idempotent.
#   pg-cluster.sh stop DIR           stops the cluster and removes DIR. Idempotent.
#   pg-cluster.sh restart DIR        restarts it on the same port (tests of reconnects).
#   pg-cluster.sh halt DIR           stops the server but keeps DIR; `start DIR` resumes
#                                    it on the same port.
# Trust auth, user "postgres", fsync off: never for real data. As root, the server runs as
# the "postgres" user (initdb refuses root).
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | stop DIR | restart DIR | halt DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port_arg=${3:-}

bindir=/usr/lib/postgresql/15/bin
if [ ! -x "$bindir/initdb" ]; then
  bindir=$(pg_config --bindir 2>/dev/null || true)
fi
[ -x "$bindir/initdb" ] || { echo "pg-cluster.sh: initdb not found (install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

is_running() {
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q . 
}

pick_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( (RANDOM * 32768 + RANDOM) % 30000 + 20000 ))
    if ! port_in_use "$p"; then echo "$p"; return 0; fi
  done
  echo "pg-cluster.sh: no free port found" >&2
  return 1
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  exec 9>"$dir/.lock"
  flock 9
  if is_running && [ -s "$dir/port" ]; then
    echo "postgresql already running on port $(cat "$dir/port") ($dir)"
    return 0
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir/data"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync 9>&- \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  local attempt port
  for attempt in 1 2 3 4 5; do
    if [ -n "$port_arg" ]; then port=$port_arg
    elif [ -s "$dir/port" ]; then port=$(cat "$dir/port")
    else port=$(pick_port); fi
    # Settings for speed; durability does not matter for throwaway data.
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
       -c max_connections=200 -c fsync=off -c synchronous_commit=off \
       -c full_page_writes=off -c shared_buffers=128MB -c max_wal_size=1GB \
       -c checkpoint_timeout=30min -c log_min_messages=warning -c TimeZone=UTC" \
      9>&- >/dev/null 2>&1 && { echo "$port" >"$dir/port"; echo "postgresql started on port $port ($dir)"; return 0; }
    # Port taken between the check and the start, or a real failure: retry elsewhere.
    if [ -n "$port_arg" ]; then break; fi
    rm -f "$dir/port"
  done
  echo "pg-cluster.sh: could not start postgresql in $dir; log:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

restart() {
  [ -s "$dir/port" ] || { echo "pg-cluster.sh: no cluster in $dir" >&2; exit 1; }
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart 9>&- >/dev/null 2>&1
}

halt() {
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  halt) halt ;;
  *) usage ;;
esac
