#!/bin/sh
# A throwaway PostgreSQL cluster for the tests of `octo-git team` (make test).
#
#   sh scripts/test-postgres.sh start [DIR]   initdb into DIR (default: a new temporary folder, named on
#                                             stderr), start it on a free loopback port, print its URL
#   sh scripts/test-postgres.sh stop DIR      stop it and remove DIR
#
# Installs nothing: it needs Debian's postgresql package (initdb, pg_ctl). Run as root, the cluster runs as
# the unprivileged `postgres` user (runuser); otherwise as the current user. It listens on 127.0.0.1 only,
# keeps its socket inside DIR, and lets the role `octo_test` in without a password (trust): the URL is
# postgresql://octo_test@127.0.0.1:PORT/postgres. The tests read it from OCTO_TEST_POSTGRES_URL.
set -eu

usage() {
  echo "usage: $0 start [DIR] | stop DIR" >&2
  exit 2
}

bindir() {
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  echo "test-postgres: no initdb/pg_ctl found: install Debian's postgresql package" >&2
  return 1
}

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

random_port() {
  # 20000-59999
  number=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  echo $((20000 + number % 40000))
}

start() {
  bin=$(bindir)
  dir=${1:-}
  if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/octo-test-postgres.XXXXXX")
    echo "test-postgres: cluster in $dir" >&2
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "test-postgres: no postgres user: install Debian's postgresql package" >&2
      exit 1
    fi
    chown postgres "$dir"
  fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U octo_test --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$dir/data" -U octo_test --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Loopback only, the socket inside the folder; durability is not wanted for a throwaway cluster.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  attempt=0
  while :; do
    port=$(random_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -o "-p $port" -l "$dir/server.log" -w -t 30 start >/dev/null 2>&1; then
      break
    fi
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 10 ]; then
      echo "test-postgres: the server did not start:" >&2
      tail -n 20 "$dir/server.log" >&2 || true
      exit 1
    fi
  done
  echo "$port" >"$dir/port"
  echo "postgresql://octo_test@127.0.0.1:$port/postgres"
}

stop() {
  dir=${1:-}
  [ -n "$dir" ] || usage
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) usage ;;
esac
