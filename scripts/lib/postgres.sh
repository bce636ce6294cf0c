# A throwaway PostgreSQL for the test suites: installed from apt when
# missing, initialised in a temporary folder, listening on loopback only,
# stopped when the test command exits.
#
#   . scripts/lib/postgres.sh
#   start_postgres        # exports LAWCIRCLE_TEST_POSTGRES_URL
#   stop_postgres

PG_DIR=""

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && echo "$bin"
}

start_postgres() {
  if [ -z "$(pg_bin)" ]; then
    echo "installing PostgreSQL from apt..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local bin; bin=$(pg_bin)
  # A free port, unless one is asked for.
  PG_PORT="${LAWCIRCLE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
  PG_DIR=$(mktemp -d /tmp/lawcircle-pg.XXXXXX)
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null || return 1
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=400 -c fsync=off -c synchronous_commit=off" \
    start >/dev/null || { cat "$PG_DIR/log" >&2; return 1; }
  export LAWCIRCLE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export LAWCIRCLE_PG_RUN_AS="${run_as[*]}"
  echo "PostgreSQL running on 127.0.0.1:$PG_PORT ($PG_DIR)"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local bin; bin=$(pg_bin)
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1
  else
    "$bin/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
}
