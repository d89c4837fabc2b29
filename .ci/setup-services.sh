#!/usr/bin/env bash
# Installs the system services the test suites use. Idempotent: installs only what is missing.
# - squid: a real proxy with digest authentication (test/gateway/squid.test.ts)
# - chromium: the console's real-browser journey (test/e2e/browser.test.ts)
# - openssl: throw-away certificates for the TLS proxy tests (test/gateway/proxy.test.ts)
# - postgresql 15: the store's PostgreSQL backend (test/store/postgres.test.ts), started below on
#   127.0.0.1:54329 with its data under /tmp; the URL goes to .tmp/pg-url (nothing is exported)
set -euo pipefail

need=()
[ -x /usr/sbin/squid ] || need+=(squid)
[ -x /usr/lib/squid/digest_file_auth ] || need+=(squid)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/pg_ctl" ] || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2068
  $SUDO apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u)
fi

# The package starts a system squid where an init system runs; the tests start their own.
if command -v service >/dev/null 2>&1 && pgrep -x squid >/dev/null 2>&1 && [ -f /run/squid.pid ]; then
  service squid stop >/dev/null 2>&1 || true
fi
# The Debian package may start a cluster on 5432; the tests start their own on a non-default port,
# as the postgres user (initdb refuses root), trusting only loopback connections.
PG_PORT=54329
PG_DATA=/tmp/stripe-connector-pg/data
PG_LOG=/tmp/stripe-connector-pg/server.log
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  mkdir -p "$PG_DATA"
  chown -R postgres:postgres /tmp/stripe-connector-pg 2>/dev/null || true
  chmod 0700 "$PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k /tmp/stripe-connector-pg -c max_connections=200 -c fsync=off" start >/dev/null
fi
as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'connector_test'" | grep -q 1 ||
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres connector_test
mkdir -p "$REPO_ROOT/.tmp"
echo "postgres://postgres@127.0.0.1:$PG_PORT/connector_test" >"$REPO_ROOT/.tmp/pg-url"

echo "setup-services: squid $(/usr/sbin/squid -v | head -1 | awk '{print $4}'), $(openssl version), $("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT"
