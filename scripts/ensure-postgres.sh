#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 (idempotent).
# If it does not, start the local Debian/Ubuntu cluster and wait for it.
set -euo pipefail

HOST="${PGHOST_CHECK:-127.0.0.1}"
PORT="${PGPORT_CHECK:-5432}"
WAIT_SECONDS="${PG_WAIT_SECONDS:-30}"

ready() { pg_isready -q -h "$HOST" -p "$PORT" -t 2 >/dev/null 2>&1; }

if ! command -v pg_isready >/dev/null 2>&1; then
    echo "ensure-postgres: pg_isready not found; install the PostgreSQL client tools" >&2
    exit 1
fi

if ready; then
    echo "ensure-postgres: PostgreSQL is up on $HOST:$PORT"
    exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
    echo "ensure-postgres: nothing answers on $HOST:$PORT and no local cluster" \
         "(pg_ctlcluster, /etc/postgresql) to start; set TEST_DATABASE_URL to a running server" >&2
    exit 1
fi

VERSION="$(ls /etc/postgresql | sort -V | tail -n 1)"
if [ -z "$VERSION" ]; then
    echo "ensure-postgres: /etc/postgresql holds no cluster version" >&2
    exit 1
fi

echo "ensure-postgres: starting PostgreSQL $VERSION/main"
if ! pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start; then
    # Already running but not yet answering is fine; anything else shows up below.
    echo "ensure-postgres: pg_ctlcluster start returned non-zero; waiting anyway" >&2
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
    if ready; then
        echo "ensure-postgres: PostgreSQL is up on $HOST:$PORT"
        exit 0
    fi
    sleep 1
done

echo "ensure-postgres: PostgreSQL $VERSION/main did not answer on $HOST:$PORT" \
     "within ${WAIT_SECONDS}s (see /var/log/postgresql/)" >&2
exit 1
