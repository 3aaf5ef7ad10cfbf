#!/usr/bin/env bash
# A private PostgreSQL 15 server for the store tests, on a free loopback port, stopped by its PID.
#
#   postgres.sh start <dir>   <dir> absolute; creates the cluster in <dir>/data once (trust auth on 127.0.0.1, user tc),
#                             starts it; prints PORT=P, TRUSTEDCOMPUTE_STORE=Host=127.0.0.1;Port=P;Username=tc;
#                             Database=postgres and PID=N
#   postgres.sh stop <dir>    fast shutdown of that server by its PID; waits until it has exited
#
# Exit code 77: PostgreSQL 15 is not installed (apt-get install postgresql). As root the server runs as postgres.
set -euo pipefail

bin=${TRUSTEDCOMPUTE_PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "postgres.sh: $*" >&2; exit 1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

[ $# -eq 2 ] || die "usage: postgres.sh start|stop <absolute-dir>"
dir=$2
case "$dir" in /*) ;; *) die "the folder must be absolute: $dir" ;; esac

start() {
  [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] || { echo "postgres.sh: PostgreSQL 15 is not installed ($bin/initdb)" >&2; exit 77; }
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U tc -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || die "initdb failed (see $dir/initdb.log)"
  fi
  local port
  for _ in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null; then
      echo "PORT=$port"
      echo "TRUSTEDCOMPUTE_STORE=Host=127.0.0.1;Port=$port;Username=tc;Database=postgres"
      echo "PID=$(head -1 "$dir/data/postmaster.pid")"
      return 0
    fi
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null || break
  done
  die "could not start PostgreSQL in $dir (see $dir/server.log)"
}

stop() {
  [ -f "$dir/data/postmaster.pid" ] || return 0
  local pid
  pid=$(head -1 "$dir/data/postmaster.pid")
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  die "PostgreSQL (PID $pid) did not stop within 30 s"
}

case "$1" in
  start) start ;;
  stop) stop ;;
  *) die "usage: postgres.sh start|stop <absolute-dir>" ;;
esac
