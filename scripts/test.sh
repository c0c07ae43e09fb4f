#!/usr/bin/env bash
# The full test suite: PostgreSQL up (installed and started if needed), then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-postgres.sh
cargo test --locked --all-targets -- --test-threads="${STRATA_TEST_THREADS:-4}"
