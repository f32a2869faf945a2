#!/usr/bin/env bash
# pg-test.sh - a throwaway PostgreSQL server for the tests, on loopback.
#
#   eval "$(bash scripts/pg-test.sh start DIR)"
#       initdb into DIR (absent or empty), start a server on 127.0.0.1 on a
#       free port (its unix socket inside DIR), create database custos_test,
#       and print the lines to eval:
#         export CUSTOS_TEST_PG='postgresql://custos:PASSWORD@127.0.0.1:PORT/custos_test'
#         export CUSTOS_TEST_PG_DIR='DIR'
#   bash scripts/pg-test.sh stop DIR
#       stop that server (DIR stays; the caller removes it).
#   bash scripts/pg-test.sh createdb NAME
#       (re)create database NAME on $CUSTOS_TEST_PG's server, print its URL:
#       for a test that wants a database of its own.
#
# It uses the binaries of Debian's postgresql package (the newest
# /usr/lib/postgresql/*/bin), never the cluster Debian creates, nor systemd.
# PostgreSQL refuses to run as root: as root, the server files belong to
# the "postgres" user (made by the package) and initdb/pg_ctl run through
# runuser.  TCP logins need the password (scram-sha-256, a random one per
# server), so the URL is a realistic one; durability is off (fsync=off):
# the server's data dies with the test run anyway.
set -euo pipefail

die() {
  echo "pg-test: $*" >&2
  exit 1
}

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  die "no PostgreSQL server binaries (initdb) found; install Debian's postgresql package (scripts/install-deps.sh)"
}

# Runs a command as the user that owns the server.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 bin pw port started=0 i
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root and there is no 'postgres' user (the postgresql package creates it)"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "user postgres cannot write $dir (a parent directory is not accessible to it); use a directory under /tmp"
  fi
  cd "$dir"
  pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
  as_pg sh -c "umask 077; echo '$pw' > '$dir/pwfile'"
  mkdir -p "$dir/sock"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/sock"
  if ! as_pg "$bin/initdb" -D "$dir/data" -U custos --pwfile="$dir/pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1; then
    tail -20 "$dir/initdb.log" >&2
    die "initdb failed (log: $dir/initdb.log)"
  fi
  for i in 1 2 3 4 5; do
    port=$(free_port)
    as_pg sh -c "cat >> '$dir/data/postgresql.conf'" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
shared_buffers = 32MB
EOF
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
      started=1
      break
    fi
    grep -q 'could not bind\|already in use' "$dir/server.log" 2>/dev/null || break
  done
  if [ "$started" -ne 1 ]; then
    tail -20 "$dir/server.log" "$dir/pg_ctl.log" >&2 2>/dev/null || true
    die "the server did not start (log: $dir/server.log)"
  fi
  if ! as_pg "$bin/createdb" -h "$dir/sock" -p "$port" -U custos custos_test >"$dir/createdb.log" 2>&1; then
    cat "$dir/createdb.log" >&2
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    die "createdb custos_test failed"
  fi
  echo "export CUSTOS_TEST_PG='postgresql://custos:$pw@127.0.0.1:$port/custos_test'"
  echo "export CUSTOS_TEST_PG_DIR='$dir'"
}

stop() {
  local dir=$1 bin
  bin=$(bindir)
  [ -f "$dir/data/postmaster.pid" ] || return 0
  cd "$dir"
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
}

createdb() {
  local name=$1 bin
  bin=$(bindir)
  [ -n "${CUSTOS_TEST_PG:-}" ] || die "CUSTOS_TEST_PG is not set (start a server first)"
  case "$name" in
    *[!A-Za-z0-9_]* | "") die "database name must be letters, digits and _: '$name'" ;;
  esac
  PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -q -v ON_ERROR_STOP=1 "$CUSTOS_TEST_PG" \
    -c "DROP DATABASE IF EXISTS \"$name\"" -c "CREATE DATABASE \"$name\"" >/dev/null ||
    die "cannot create database $name"
  echo "${CUSTOS_TEST_PG%/*}/$name"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || die "usage: pg-test.sh start DIR"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: pg-test.sh stop DIR"; stop "$2" ;;
  createdb) [ $# -eq 2 ] || die "usage: pg-test.sh createdb NAME"; createdb "$2" ;;
  *) die "usage: pg-test.sh start DIR | stop DIR | createdb NAME" ;;
esac
