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

# Trust authentication for local TCP connections and a superuser role `root`.
if ! psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  echo "ensure-postgres: configuring trust authentication and the root role"
  hba=$(as_postgres psql -p "$PGPORT" -Atqc 'show hba_file')
  if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  as_postgres psql -p "$PGPORT" -qc 'select pg_reload_conf()' >/dev/null
  sleep 0.5
  as_postgres psql -p "$PGPORT" -qc "do \$\$ begin if not exists (select 1 from pg_roles where rolname = 'root') then create role root superuser login; end if; end \$\$" >/dev/null
fi
if ! psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  psql -h "$PGHOST" -p "$PGPORT" -U root -d postgres -qc 'create database test' >/dev/null
fi
echo "ensure-postgres: PostgreSQL is ready on $PGHOST:$PGPORT ($(psql -h "$PGHOST" -p "$PGPORT" -U root -d test -Atqc 'show server_version'))"
