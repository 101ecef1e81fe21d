#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 on 127.0.0.1:55432 (as root, via the postgres user); print its URL.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
  apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null
fi
DIR=${PGDATA_DIR:-/tmp/emotrace-pg}
if ! su postgres -c "$PGBIN/pg_ctl -D $DIR status" >/dev/null 2>&1; then
  rm -rf "$DIR" && mkdir -p "$DIR" && chown postgres "$DIR"
  su postgres -c "$PGBIN/initdb -D $DIR -U postgres --auth-local=trust --auth-host=trust" >/dev/null
  su postgres -c "$PGBIN/pg_ctl -D $DIR -o '-c listen_addresses=127.0.0.1 -p 55432 -k $DIR' -l $DIR/log -w start" >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
