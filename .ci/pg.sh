# A throwaway PostgreSQL cluster for the collector's tests and benchmarks. Sourced after
# lib.sh. `pg_start` installs Debian's server if missing, creates a cluster in a temporary
# folder as an unprivileged user (root runs it as `nobody`; initdb refuses root), listening
# on loopback only with trust authentication for that address, and exports
# INFLUENCE_REC_PG_URL (the `postgres` database as the `postgres` superuser: tests create a
# database of their own in it). `pg_stop` stops the cluster and deletes the folder; pg_start
# registers it to run on exit.

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

pg_start() {
  apt_install postgresql
  local bin
  bin="$(pg_bin)"
  [ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }
  PG_DIR="$(mktemp -d /tmp/influence-rec-pg.XXXXXX)"
  export PG_DIR
  chmod 700 "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown nobody:nogroup "$PG_DIR"; fi
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'): throwaway cluster in $PG_DIR"
  pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # A free loopback port: the first of a few random ones the server starts on.
  local port tries=0
  while :; do
    port=$((20000 + RANDOM % 30000))
    if pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
         -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_DIR -c max_connections=300" \
         start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then cat "$PG_DIR/server.log" >&2; return 1; fi
  done
  export INFLUENCE_REC_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  trap pg_stop EXIT
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
  pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
