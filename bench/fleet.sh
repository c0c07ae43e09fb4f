#!/usr/bin/env bash
# Fleet benchmark: one fleet `plan` of N tenant databases against N separate `strata plan` runs,
# and a fleet `apply` with --parallelism P against --parallelism 1.
#
#   bench/fleet.sh                                   # 200 tenants of a 50-table schema
#   FLEET_TENANTS=50 FLEET_TABLES=20 bench/fleet.sh  # smaller
#
# Results: printed, and appended to bench/out/fleet.md. See bench/README.md.
set -euo pipefail

FLEET_TENANTS=${FLEET_TENANTS:-200}
FLEET_TABLES=${FLEET_TABLES:-50}
FLEET_PARALLELISM=${FLEET_PARALLELISM:-4}
BENCH_SEED=${BENCH_SEED:-42}
BENCH_HOST=${BENCH_HOST:-127.0.0.1}
BENCH_PORT=${BENCH_PORT:-5432}
BENCH_USER=${BENCH_USER:-root}
BENCH_ADMIN_DB=${BENCH_ADMIN_DB:-test}
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out/fleet
STRATA=${BENCH_STRATA:-${CARGO_TARGET_DIR:-$REPO/target}/release/strata}
BASE_URL="postgres://${BENCH_USER}@${BENCH_HOST}:${BENCH_PORT}"
PREFIX=strata_fleet_bench_

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
psql_admin() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$BENCH_ADMIN_DB" "$@"
}
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$1" "$2"; }

tenants() { for i in $(seq -w 1 "$FLEET_TENANTS"); do echo "${PREFIX}${i}"; done; }

drop_all() {
  psql_admin -At -c "SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX//_/\\_}%'" \
    | while read -r db; do psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done
}
trap drop_all EXIT

# The tenants, copies of a template holding the base schema.
make_tenants() {
  drop_all
  psql_admin -c "CREATE DATABASE ${PREFIX}template"
  psql -X -q -v ON_ERROR_STOP=1 -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" \
    -d "${PREFIX}template" -f "$OUT/base.sql" >/dev/null
  for db in $(tenants); do
    psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE ${PREFIX}template"
  done
}

if [[ $BENCH_NO_BUILD != 1 ]]; then
  log "building the release binary"
  (cd "$REPO" && cargo build --release --locked --quiet)
fi
mkdir -p "$OUT"
log "generating a ${FLEET_TABLES}-table schema"
python3 "$BENCH_DIR/gen_schema.py" --tables "$FLEET_TABLES" --seed "$BENCH_SEED" --output "$OUT/base.sql"
python3 "$BENCH_DIR/gen_schema.py" --tables "$FLEET_TABLES" --seed "$BENCH_SEED" \
  --change-percent 10 --output "$OUT/changed.sql"
cat > "$OUT/env.hcl" <<HCL
variable "base" {
  type = string
}
data "sql" "tenants" {
  url   = var.base
  query = "SELECT datname FROM pg_database WHERE datname LIKE \$1 AND datname <> '${PREFIX}template' ORDER BY 1"
  args  = ["${PREFIX//_/\\\\_}%"]
}
env "tenants" {
  for_each = toset(data.sql.tenants.values)
  url      = urlsetpath(var.base, each.value)
  dev      = var.base
}
HCL
STRATA_ARGS=(--config "$OUT/env.hcl" --var "base=$BASE_URL/$BENCH_ADMIN_DB")

log "creating $FLEET_TENANTS tenant databases"
make_tenants
load=$(cut -d' ' -f1 /proc/loadavg)

# Fresh copies read their catalogs from disk the first time: warm every tenant once, so that
# neither measurement pays for it alone.
log "warming the tenants (one untimed fleet plan)"
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/base.sql" plan --parallelism "$FLEET_PARALLELISM" >/dev/null 2>&1

log "fleet plan (no changes)"
t0=$(now)
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/base.sql" plan --parallelism "$FLEET_PARALLELISM" >"$OUT/plan.out" 2>"$OUT/plan.err"
fleet_plan=$(since "$t0")
grep -q "$FLEET_TENANTS targets: No changes." "$OUT/plan.out" || { cat "$OUT/plan.out" "$OUT/plan.err"; exit 1; }

log "$FLEET_TENANTS separate plans"
t0=$(now)
for db in $(tenants); do
  "$STRATA" --url "$BASE_URL/$db" --dev-url "$BASE_URL/$BENCH_ADMIN_DB" --src "$OUT/base.sql" plan \
    >"$OUT/single.out" 2>"$OUT/single.err"
done
separate_plan=$(since "$t0")

log "the schema as HCL (strata inspect of the template)"
"$STRATA" --url "$BASE_URL/${PREFIX}template" inspect >"$OUT/base.hcl"

log "fleet plan (HCL source: normalized once)"
t0=$(now)
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/base.hcl" plan --parallelism "$FLEET_PARALLELISM" >"$OUT/plan-hcl.out" 2>"$OUT/plan-hcl.err"
fleet_plan_hcl=$(since "$t0")
grep -q "$FLEET_TENANTS targets: No changes." "$OUT/plan-hcl.out" || { cat "$OUT/plan-hcl.out" "$OUT/plan-hcl.err"; exit 1; }

log "$FLEET_TENANTS separate plans (HCL source)"
t0=$(now)
for db in $(tenants); do
  "$STRATA" --url "$BASE_URL/$db" --dev-url "$BASE_URL/$BENCH_ADMIN_DB" --src "$OUT/base.hcl" plan \
    >"$OUT/single.out" 2>"$OUT/single.err"
done
separate_plan_hcl=$(since "$t0")

log "fleet apply of a 10% change, --parallelism 1"
t0=$(now)
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/changed.sql" apply -auto-approve --parallelism 1 \
  >"$OUT/apply1.out" 2>"$OUT/apply1.err"
apply_1=$(since "$t0")
grep -q "Fleet apply: $FLEET_TENANTS succeeded" "$OUT/apply1.out" || { tail -5 "$OUT/apply1.out"; exit 1; }

log "fleet apply of the same change, --parallelism $FLEET_PARALLELISM (fresh tenants, warmed like the first)"
make_tenants
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/base.sql" plan --parallelism "$FLEET_PARALLELISM" >/dev/null 2>&1 || true
t0=$(now)
"$STRATA" "${STRATA_ARGS[@]}" --env tenants --src "$OUT/changed.sql" apply -auto-approve --parallelism "$FLEET_PARALLELISM" \
  >"$OUT/applyN.out" 2>"$OUT/applyN.err"
apply_n=$(since "$t0")
grep -q "Fleet apply: $FLEET_TENANTS succeeded" "$OUT/applyN.out" || { tail -5 "$OUT/applyN.out"; exit 1; }

{
  echo "## Fleet: $FLEET_TENANTS tenants × $FLEET_TABLES tables ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $load)"
  echo
  echo "| measurement | seconds | ratio |"
  echo "|---|---|---|"
  echo "| $FLEET_TENANTS separate \`strata plan\` runs, SQL source | $separate_plan | 1 |"
  echo "| one fleet \`plan\` (--parallelism $FLEET_PARALLELISM), SQL source | $fleet_plan | $(ratio "$fleet_plan" "$separate_plan") |"
  echo "| $FLEET_TENANTS separate \`strata plan\` runs, HCL source | $separate_plan_hcl | 1 |"
  echo "| one fleet \`plan\` (--parallelism $FLEET_PARALLELISM), HCL source | $fleet_plan_hcl | $(ratio "$fleet_plan_hcl" "$separate_plan_hcl") |"
  echo "| fleet \`apply\` --parallelism 1 | $apply_1 | 1 |"
  echo "| fleet \`apply\` --parallelism $FLEET_PARALLELISM | $apply_n | speed-up $(ratio "$apply_1" "$apply_n")× |"
  # The two phases of each apply, as strata reports them: planning every target, then applying.
  phase() { grep -oE "$2" "$1" | grep -oE '[0-9]+\.[0-9]+' | tail -1; }
  p1=$(phase "$OUT/apply1.err" 'in [0-9.]+s \(parallelism') pn=$(phase "$OUT/applyN.err" 'in [0-9.]+s \(parallelism')
  a1=$(phase "$OUT/apply1.out" 'unchanged \([0-9.]+s\)') an=$(phase "$OUT/applyN.out" 'unchanged \([0-9.]+s\)')
  echo "| … of which planning, --parallelism 1 / $FLEET_PARALLELISM | $p1 / $pn | speed-up $(ratio "$p1" "$pn")× |"
  echo "| … of which applying, --parallelism 1 / $FLEET_PARALLELISM | $a1 / $an | speed-up $(ratio "$a1" "$an")× |"
  echo
} | tee -a "$BENCH_DIR/out/fleet.md"
