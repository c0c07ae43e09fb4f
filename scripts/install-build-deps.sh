#!/usr/bin/env bash
# Installs what building strata needs beyond Rust: libclang (bindgen, for the pg_query crate,
# PostgreSQL's own SQL parser used by `strata migrate lint`). Debian's packages; no-op when present.
set -euo pipefail
if ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1 || ls /usr/lib/x86_64-linux-gnu/libclang*.so >/dev/null 2>&1 \
   && ls /usr/lib/llvm-*/lib/clang/*/include/stdbool.h >/dev/null 2>&1; then
  exit 0
fi
echo "install-build-deps: installing libclang-dev from Debian's packages"
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libclang-dev >/dev/null
