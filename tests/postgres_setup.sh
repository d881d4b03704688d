#!/usr/bin/env bash
# Install Debian's PostgreSQL if missing and start a throw-away cluster for the web tests on a
# Unix socket (no TCP port, no password); prints the DATABASE_URL to use. Called by `make test`.
set -euo pipefail
DIR="${1:-/tmp/vanplan-pg}"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
RUN=""
OWNER="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root: use the postgres account
    RUN="runuser -u postgres --"
    OWNER="postgres"
fi
mkdir -p "$DIR"
chown "$OWNER" "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
    $RUN "$BIN/initdb" -D "$DIR/data" -U vanplan --auth=trust >&2
fi
if ! $RUN "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    $RUN "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -c fsync=off" start >&2
fi
echo "postgres://vanplan@/postgres?host=$DIR"
