#!/usr/bin/env bash
# The full test suite: build dependencies (libclang) and PostgreSQL up (installed and started
# if needed), then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-build-deps.sh
./scripts/ensure-postgres.sh
cargo test --locked --all-targets -- --test-threads="${STRATA_TEST_THREADS:-4}"
