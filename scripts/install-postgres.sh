#!/usr/bin/env bash
# Installs PostgreSQL's server programs from Debian's packages when they are missing.
# strata's private cluster (env "local") needs initdb, pg_ctl and postgres; nothing else.
# Building strata also needs libclang (install-build-deps.sh, run first).
set -euo pipefail
"$(dirname "$0")/install-build-deps.sh"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
echo "Installing PostgreSQL from Debian's packages..."
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
