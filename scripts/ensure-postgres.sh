#!/usr/bin/env bash
# Makes sure a PostgreSQL server runs on 127.0.0.1:5432 with trust authentication for the role
# `root` and a database `test` (what the test suite talks to), installing PostgreSQL from
# Debian's packages when it is missing and starting it when it is stopped.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

server_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(server_bin)" ] || ! command -v psql >/dev/null 2>&1 || ! command -v pg_dump >/dev/null 2>&1; then
  echo "ensure-postgres: installing PostgreSQL from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
fi

ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

if ! ready; then
  version=$(basename "$(dirname "$(server_bin)")")
  if ! ls /etc/postgresql/"$version"/main >/dev/null 2>&1; then
    echo "ensure-postgres: creating cluster $version/main"
    as_root pg_createcluster "$version" main >/dev/null
  fi
  echo "ensure-postgres: starting cluster $version/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
fi
ready || { echo "ensure-postgres: PostgreSQL does not answer on $PGHOST:$PGPORT" >&2; exit 1; }

# Trust authentication for local TCP connections and a superuser role `root`: the tests need
# both. Changing a server's authentication is not done behind anyone's back: only with
# STRATA_TEST_SETUP_TRUST=1 (what CI sets), and the script says what it changed.
if ! psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  hba=$(as_postgres psql -p "$PGPORT" -Atqc 'show hba_file')
  if [ "${STRATA_TEST_SETUP_TRUST:-}" != 1 ]; then
    cat >&2 <<EOF
ensure-postgres: the tests connect to $PGHOST:$PGPORT as the superuser 'root' without a password,
and this server does not let them in. Either set that up yourself, or let this script do it:

  STRATA_TEST_SETUP_TRUST=1 ./scripts/test.sh

It would add these two lines to the top of $hba (every local TCP connection to this server
then needs no password: do it on a test machine, not on a workstation with data you care about)

  host all all 127.0.0.1/32 trust
  host all all ::1/128 trust

reload the server, and create the role 'root' (superuser, login).
EOF
    exit 1
  fi
  if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    echo "ensure-postgres: added 'host all all 127.0.0.1/32 trust' and 'host all all ::1/128 trust' to the top of $hba (STRATA_TEST_SETUP_TRUST=1)"
  fi
  as_postgres psql -p "$PGPORT" -qc 'select pg_reload_conf()' >/dev/null
  sleep 0.5
  if ! as_postgres psql -p "$PGPORT" -Atqc "select 1 from pg_roles where rolname = 'root'" | grep -q 1; then
    as_postgres psql -p "$PGPORT" -qc 'create role root superuser login' >/dev/null
    echo "ensure-postgres: created the superuser role root (STRATA_TEST_SETUP_TRUST=1)"
  fi
fi
if ! psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -qc 'create database test' >/dev/null
fi
echo "ensure-postgres: PostgreSQL is ready on $PGHOST:$PGPORT ($(psql -h "$PGHOST" -p "$PGPORT" -U root -d test -Atqc 'show server_version'))"
