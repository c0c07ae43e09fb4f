#!/usr/bin/env bash
# strata vs `pg_dump --schema-only` on generated N-table schemas.
#
#   bench/run.sh                          # N = 1000 and 5000
#   BENCH_SIZES="500 2000" bench/run.sh   # other sizes
#
# See bench/README.md for what is measured and the targets.  Results: bench/out/results.md.
set -euo pipefail

# ---------------------------------------------------------------- settings
BENCH_SIZES=${BENCH_SIZES:-"1000 5000"}
BENCH_RUNS=${BENCH_RUNS:-3}                     # best of this many runs
BENCH_SEED=${BENCH_SEED:-42}
BENCH_CHANGE_PERCENT=${BENCH_CHANGE_PERCENT:-10}
BENCH_EMPTY_RUNS=${BENCH_EMPTY_RUNS:-1}         # runs of the plan from an empty database (0: skip)
BENCH_EMPTY_MAX=${BENCH_EMPTY_MAX:-5000}        # largest N that also plans from an empty database
BENCH_HOST=${BENCH_HOST:-127.0.0.1}
BENCH_PORT=${BENCH_PORT:-5432}
BENCH_USER=${BENCH_USER:-root}
BENCH_ADMIN_DB=${BENCH_ADMIN_DB:-test}          # existing database used for CREATE/DROP DATABASE
BENCH_DEV_URL=${BENCH_DEV_URL:-postgres://${BENCH_USER}@${BENCH_HOST}:${BENCH_PORT}/test}
BENCH_NO_BUILD=${BENCH_NO_BUILD:-0}             # 1: use target/release/strata as it is
BENCH_KEEP_DBS=${BENCH_KEEP_DBS:-0}             # 1: do not drop the databases at the end

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out
STRATA=${BENCH_STRATA:-${CARGO_TARGET_DIR:-$REPO/target}/release/strata}
TIME_BIN=/usr/bin/time
BASE_URL="postgres://${BENCH_USER}@${BENCH_HOST}:${BENCH_PORT}"

# ---------------------------------------------------------------- helpers
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

psql_admin() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$BENCH_ADMIN_DB" "$@"
}

CREATED_DBS=()
cleanup() {
  local rc=$?
  if [[ ${#CREATED_DBS[@]} -gt 0 ]]; then
    if [[ $BENCH_KEEP_DBS == 1 ]]; then
      log "keeping databases (BENCH_KEEP_DBS=1): ${CREATED_DBS[*]}"
    else
      log "dropping databases: ${CREATED_DBS[*]}"
      local db
      for db in "${CREATED_DBS[@]}"; do
        psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 \
          || warn "could not drop database $db"
      done
    fi
  fi
  [[ $rc -eq 0 ]] || printf '\033[31mbenchmark failed (exit %d); partial output in %s\033[0m\n' "$rc" "$OUT" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

create_db() {
  local db=$1
  psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null \
    || die "cannot drop old database $db"
  psql_admin -c "CREATE DATABASE \"$db\"" >/dev/null || die "cannot create database $db"
  CREATED_DBS+=("$db")
}

# Not --single-transaction: one transaction creating thousands of tables needs more entries in
# the server's shared lock table (max_locks_per_transaction x max_connections) than a default
# server has ("out of shared memory").  Commits are made cheap with synchronous_commit=off.
load_ddl() { # db file log
  PGOPTIONS='-c synchronous_commit=off -c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 \
    -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$1" -f "$2" >"$3" 2>&1
}

now_ns() { date +%s%N; }

list_dbs() { psql_admin -At -c "SELECT datname FROM pg_database ORDER BY 1"; }

# measure N OP OUTFILE ALLOWED_EXIT_CODES CMD...
#   Runs CMD BENCH_RUNS times (stdout to OUTFILE.runK, stderr to OUTFILE.runK.err), keeps the
#   best wall time and the highest peak RSS, appends a row to results.tsv, and leaves the output
#   of the last run in OUTFILE.  Sets LAST_RC to the exit code of the last run.
LAST_RC=0
measure() {
  local n=$1 op=$2 out=$3 allowed=$4 runs=${RUNS:-$BENCH_RUNS}
  shift 4
  local best_ns="" peak_kb=0 r t0 t1 rc kb
  for ((r = 1; r <= runs; r++)); do
    t0=$(now_ns)
    set +e
    "$TIME_BIN" -f '%M' -o "$out.rss" "$@" >"$out.run$r" 2>"$out.run$r.err"
    rc=$?
    set -e
    t1=$(now_ns)
    if [[ " $allowed " != *" $rc "* ]]; then
      echo "---- stderr of: $*" >&2
      tail -n 30 "$out.run$r.err" >&2
      die "$op (N=$n) exited with status $rc (expected one of: $allowed); see $out.run$r.err"
    fi
    kb=$(tail -n 1 "$out.rss")
    [[ $kb =~ ^[0-9]+$ ]] || die "could not read peak RSS from $out.rss"
    ((kb > peak_kb)) && peak_kb=$kb
    if [[ -z $best_ns ]] || ((t1 - t0 < best_ns)); then best_ns=$((t1 - t0)); fi
    printf '    %-22s run %d: %6.3f s  %7.1f MB\n' "$op" "$r" \
      "$(awk -v x=$((t1 - t0)) 'BEGIN{print x/1e9}')" "$(awk -v k="$kb" 'BEGIN{print k/1024}')" >&2
  done
  LAST_RC=$rc
  cp "$out.run$runs" "$out"
  cp "$out.run$runs.err" "$out.err"
  printf '%s\t%s\t%s\t%s\n' "$n" "$op" "$(awk -v x="$best_ns" 'BEGIN{printf "%.3f", x/1e9}')" \
    "$(awk -v k="$peak_kb" 'BEGIN{printf "%.1f", k/1024}')" >>"$OUT/results.tsv"
}

check() { # N name ok|FAIL detail
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/checks.tsv"
  if [[ $3 == ok ]]; then log "check ok: $2 (N=$1)"; else warn "CHECK FAILED: $2 (N=$1): $4"; fi
}

# ---------------------------------------------------------------- preflight
for tool in psql pg_dump python3 cargo awk; do
  command -v "$tool" >/dev/null || die "$tool not found in PATH"
done
if [[ ! -x $TIME_BIN ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing GNU time (apt-get install -y time)"
    apt-get install -y time >/dev/null || die "apt-get install -y time failed"
  fi
  [[ -x $TIME_BIN ]] || die "$TIME_BIN (GNU time) is missing: apt-get install -y time"
fi
"$TIME_BIN" -f '%M' -o /dev/null true 2>/dev/null || die "$TIME_BIN is not GNU time (needs -f/-o)"
for n in $BENCH_SIZES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$n' is not a positive integer"; done
[[ $BENCH_RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $BENCH_EMPTY_RUNS =~ ^[0-9]+$ ]] || die "BENCH_EMPTY_RUNS must be a non-negative integer"
psql_admin -c 'SELECT 1' >/dev/null 2>&1 \
  || die "cannot connect to PostgreSQL at $BENCH_HOST:$BENCH_PORT as $BENCH_USER (database $BENCH_ADMIN_DB)"

mkdir -p "$OUT"
rm -f "$OUT/results.md"
: >"$OUT/results.tsv"
: >"$OUT/checks.tsv"
: >"$OUT/meta.tsv"

# ---------------------------------------------------------------- release binary (one build, at start)
if [[ $BENCH_NO_BUILD == 1 ]]; then
  [[ -x $STRATA ]] || die "BENCH_NO_BUILD=1 but $STRATA does not exist"
  log "using $STRATA as it is (BENCH_NO_BUILD=1)"
else
  stale=""
  if [[ ! -x $STRATA ]]; then
    stale="missing"
  else
    stale=$(cd "$REPO" && find src Cargo.toml Cargo.lock $(ls build.rs 2>/dev/null) -newer "$STRATA" -print -quit)
  fi
  if [[ -n $stale ]]; then
    log "building release binary (cargo build --release --locked): ${stale} is newer than the binary"
    (cd "$REPO" && cargo build --release --locked) || die "cargo build --release --locked failed"
  else
    log "release binary is up to date: $STRATA"
  fi
fi
STRATA_VERSION=$("$STRATA" --version 2>/dev/null || echo unknown)

printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" >>"$OUT/meta.tsv"
printf 'strata\t%s (commit %s%s)\n' "$STRATA_VERSION" "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$(git -C "$REPO" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ', with uncommitted changes in src/')" >>"$OUT/meta.tsv"
printf 'postgres\t%s\n' "$(psql_admin -At -c 'SHOW server_version')" >>"$OUT/meta.tsv"
printf 'pg_dump\t%s\n' "$(pg_dump --version)" >>"$OUT/meta.tsv"
printf 'machine\t%s CPUs, %s\n' "$(nproc)" "$(awk '/MemTotal/ {printf "%.1f GB RAM", $2/1048576}' /proc/meminfo)" >>"$OUT/meta.tsv"
printf 'binary\t%s, built %s\n' "$STRATA" "$(date -u -r "$STRATA" '+%Y-%m-%d %H:%M UTC')" >>"$OUT/meta.tsv"
if pgrep -x cargo >/dev/null || pgrep -x rustc >/dev/null; then
  warn "cargo/rustc is running on this machine: timings will be noisy"
  printf 'warning\tcargo/rustc was running when the benchmark started: timings are noisy\n' >>"$OUT/meta.tsv"
fi
printf 'load average at start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/meta.tsv"
printf 'runs\tbest of %s (time); peak RSS = max over the runs\n' "$BENCH_RUNS" >>"$OUT/meta.tsv"
printf 'seed\t%s, change percent %s\n' "$BENCH_SEED" "$BENCH_CHANGE_PERCENT" >>"$OUT/meta.tsv"

# ---------------------------------------------------------------- per size
for n in $BENCH_SIZES; do
  dir=$OUT/$n
  rm -rf "$dir"
  mkdir -p "$dir"
  db=strata_bench_$n
  db_changed=strata_bench_${n}_changed
  url=$BASE_URL/$db
  url_changed=$BASE_URL/$db_changed
  log "N=$n: generating DDL (seed $BENCH_SEED)"
  python3 "$BENCH_DIR/gen_schema.py" --tables "$n" --seed "$BENCH_SEED" -o "$dir/base.sql"
  python3 "$BENCH_DIR/gen_schema.py" --tables "$n" --seed "$BENCH_SEED" \
    --change-percent "$BENCH_CHANGE_PERCENT" --changes-log "$dir/changes.txt" -o "$dir/changed.sql"
  n_changed=$(wc -l <"$dir/changes.txt" | tr -d ' ')

  log "N=$n: creating $db and $db_changed and loading the DDL"
  create_db "$db"
  create_db "$db_changed"
  t0=$(now_ns)
  load_ddl "$db" "$dir/base.sql" "$dir/load-base.log" &
  pid_base=$!
  load_ddl "$db_changed" "$dir/changed.sql" "$dir/load-changed.log" &
  pid_changed=$!
  wait "$pid_base" || { tail -n 20 "$dir/load-base.log" >&2; die "loading $dir/base.sql into $db failed"; }
  wait "$pid_changed" || { tail -n 20 "$dir/load-changed.log" >&2; die "loading $dir/changed.sql into $db_changed failed"; }
  load_s=$(awk -v x=$(($(now_ns) - t0)) 'BEGIN{printf "%.1f", x/1e9}')
  n_tables=$(psql -X -At -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$db" \
    -c "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
  n_indexes=$(psql -X -At -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$db" \
    -c "SELECT count(*) FROM pg_class WHERE relkind = 'i' AND relnamespace = 'public'::regnamespace")
  n_cons=$(psql -X -At -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$db" \
    -c "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
  printf 'schema N=%s\t%s tables, %s indexes, %s constraints; %s tables changed in the variant; both loaded in %s s\n' \
    "$n" "$n_tables" "$n_indexes" "$n_cons" "$n_changed" "$load_s" >>"$OUT/meta.tsv"
  log "N=$n: loaded in ${load_s}s ($n_tables tables, $n_indexes indexes, $n_cons constraints)"

  # strata runs from bench/out/N so that the repository's env.hcl is not picked up.
  cd "$dir"

  log "N=$n: desired state of the changed variant (strata inspect $db_changed > changed.hcl, untimed)"
  "$STRATA" inspect --url "$url_changed" >changed.hcl 2>inspect-changed.err \
    || { cat inspect-changed.err >&2; die "strata inspect of $db_changed failed"; }

  dbs_before=$(list_dbs)

  log "N=$n: pg_dump --schema-only"
  # pg_dump locks every table it dumps: past the server's lock table (about 6,400 slots on a
  # default server) it fails with "out of shared memory". That is recorded, not fatal.
  measure "$n" pg_dump "$dir/pg_dump.sql" "0 1" \
    pg_dump --schema-only --no-password -h "$BENCH_HOST" -p "$BENCH_PORT" -U "$BENCH_USER" -d "$db"
  if [[ $LAST_RC -ne 0 ]]; then
    sed -i '$d' "$OUT/results.tsv"
    printf 'pg_dump N=%s\tfailed: %s\n' "$n" "$(grep -m1 -E 'error|ERROR' "$dir/pg_dump.sql.err" | tr '\t' ' ')" >>"$OUT/meta.tsv"
  fi

  log "N=$n: strata inspect > base.hcl"
  measure "$n" inspect "$dir/base.hcl" "0" "$STRATA" inspect --url "$url"
  same=ok detail="identical HCL in all $BENCH_RUNS runs"
  for ((r = 2; r <= BENCH_RUNS; r++)); do
    if ! cmp -s "$dir/base.hcl.run1" "$dir/base.hcl.run$r"; then
      same=FAIL detail="inspect output differs between run 1 and run $r (diff base.hcl.run1 base.hcl.run$r)"
      diff "$dir/base.hcl.run1" "$dir/base.hcl.run$r" >"$dir/inspect-nondeterminism.diff" || true
    fi
  done
  check "$n" "inspect is deterministic" "$same" "$detail"

  log "N=$n: strata erd --out erd.html (the diagram, laid out by strata)"
  measure "$n" erd "$dir/erd.txt" "0" "$STRATA" erd --url "$url" --out "$dir/erd.html"
  drawn=$(grep -o ' data-table="' "$dir/erd.html" | wc -l | tr -d ' ')
  if [[ $drawn -eq $n_tables ]]; then
    check "$n" "erd draws every table" ok "$drawn data-table boxes"
  else
    check "$n" "erd draws every table" FAIL "$drawn data-table boxes for $n_tables tables (out/$n/erd.html)"
  fi

  log "N=$n: strata plan --src base.hcl (expect no changes)"
  measure "$n" "plan (no changes)" "$dir/plan-nochange.txt" "0 2" \
    "$STRATA" plan --no-color --detailed-exitcode --url "$url" --src "$dir/base.hcl" --dev-url "$BENCH_DEV_URL"
  if [[ $LAST_RC -eq 0 ]] && grep -q '^No changes\.' "$dir/plan-nochange.txt"; then
    check "$n" "inspect -> plan shows no changes" ok "exit 0, 'No changes.'"
  else
    check "$n" "inspect -> plan shows no changes" FAIL \
      "exit $LAST_RC; plan of freshly inspected HCL is not empty: $(grep -m1 '^Plan:' "$dir/plan-nochange.txt" || head -n1 "$dir/plan-nochange.txt") (full output: out/$n/plan-nochange.txt)"
  fi

  log "N=$n: strata plan --src changed.hcl against $db (~${BENCH_CHANGE_PERCENT}% changed)"
  measure "$n" "plan (${BENCH_CHANGE_PERCENT}% changed)" "$dir/plan-changed.txt" "0 2" \
    "$STRATA" plan --no-color --detailed-exitcode --url "$url" --src "$dir/changed.hcl" --dev-url "$BENCH_DEV_URL"
  summary=$(grep -m1 '^Plan:' "$dir/plan-changed.txt" || echo "no 'Plan:' line")
  printf 'plan N=%s\t%s\n' "$n" "$summary" >>"$OUT/meta.tsv"
  # The tables the plan touches must be exactly the tables the generator changed.
  sed -E 's/^([^:]+):.*/\1/' "$dir/changes.txt" | sort -u >"$dir/expected-tables.txt"
  grep -oE '^  # table\.public\.[A-Za-z0-9_]+ will be' "$dir/plan-changed.txt" \
    | sed -E 's/^  # table\.public\.([A-Za-z0-9_]+) will be/\1/' | sort -u >"$dir/planned-tables.txt" || true
  if [[ $LAST_RC -eq 2 ]] && cmp -s "$dir/expected-tables.txt" "$dir/planned-tables.txt"; then
    check "$n" "changed plan touches exactly the $n_changed changed tables" ok "$summary"
  else
    check "$n" "changed plan touches exactly the $n_changed changed tables" FAIL \
      "exit $LAST_RC, $summary; $(comm -23 "$dir/expected-tables.txt" "$dir/planned-tables.txt" | wc -l) missing, $(comm -13 "$dir/expected-tables.txt" "$dir/planned-tables.txt" | wc -l) unexpected (see out/$n/expected-tables.txt vs planned-tables.txt)"
  fi

  if ((BENCH_EMPTY_RUNS > 0 && n <= BENCH_EMPTY_MAX)); then
    # Every table through the scratch database: more than one transaction can hold on a
    # default server, so normalization runs in committed batches.
    db_empty=strata_bench_${n}_empty
    create_db "$db_empty"
    log "N=$n: strata plan --src base.hcl against the empty $db_empty"
    RUNS=$BENCH_EMPTY_RUNS measure "$n" "plan (from empty)" "$dir/plan-empty.txt" "0 2" \
      "$STRATA" plan --no-color --detailed-exitcode --url "$BASE_URL/$db_empty" --src "$dir/base.hcl" --dev-url "$BENCH_DEV_URL"
    summary=$(grep -m1 '^Plan:' "$dir/plan-empty.txt" || echo "no 'Plan:' line")
    printf 'plan from empty N=%s\t%s\n' "$n" "$summary" >>"$OUT/meta.tsv"
    if [[ $LAST_RC -eq 2 ]] && [[ $summary == "Plan: $((n_tables + 2)) to add, 0 to change, 0 to destroy." ]]; then
      check "$n" "plan from an empty database adds every table and enum" ok "$summary"
    else
      check "$n" "plan from an empty database adds every table and enum" FAIL \
        "exit $LAST_RC, $summary (expected $((n_tables + 2)) to add; see out/$n/plan-empty.txt.err)"
    fi
  fi

  leftover=$(comm -13 <(echo "$dbs_before") <(list_dbs) | grep '^strata_scratch_' || true)
  if [[ -z $leftover ]]; then
    check "$n" "no scratch databases left on the dev server" ok ""
  else
    check "$n" "no scratch databases left on the dev server" FAIL "left behind: $(echo "$leftover" | tr '\n' ' ')"
  fi

  log "N=$n: inspect -> plan round trip of the changed database (untimed)"
  set +e
  "$STRATA" plan --no-color --detailed-exitcode --url "$url_changed" --src "$dir/changed.hcl" \
    --dev-url "$BENCH_DEV_URL" >"$dir/plan-changed-roundtrip.txt" 2>&1
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then
    check "$n" "inspect -> plan of the changed database shows no changes" ok ""
  else
    check "$n" "inspect -> plan of the changed database shows no changes" FAIL \
      "exit $rc (see out/$n/plan-changed-roundtrip.txt)"
  fi
  cd "$REPO"

  rm -f "$dir"/*.run[0-9]* "$dir"/*.rss
  if [[ $BENCH_KEEP_DBS != 1 ]]; then
    for d in "$db" "$db_changed" ${db_empty:-}; do
      psql_admin -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null || warn "could not drop $d"
    done
    CREATED_DBS=()
  fi
done

# ---------------------------------------------------------------- report
python3 - "$OUT" "$BENCH_CHANGE_PERCENT" <<'PY'
import csv, sys, os
out, pct = sys.argv[1], sys.argv[2]
rows = [r for r in csv.reader(open(os.path.join(out, "results.tsv")), delimiter="\t")]
checks = [r for r in csv.reader(open(os.path.join(out, "checks.tsv")), delimiter="\t")]
meta = [r for r in csv.reader(open(os.path.join(out, "meta.tsv")), delimiter="\t", quoting=csv.QUOTE_NONE)]
res = {}
sizes, ops = [], []
for n, op, s, mb in rows:
    n = int(n)
    res[(n, op)] = (float(s), float(mb))
    if n not in sizes: sizes.append(n)
    if op not in ops: ops.append(op)
sizes.sort()

L = ["# strata vs pg_dump --schema-only", ""]
for k, v in meta:
    L.append(f"- **{k}**: {v}")
L += ["", "## Results", "",
      "| N | operation | time (s) | peak RSS (MB) | time / pg_dump | RSS / pg_dump |",
      "|---:|---|---:|---:|---:|---:|"]
for n in sizes:
    base = res.get((n, "pg_dump"))
    for op in ops:
        if (n, op) not in res: continue
        s, mb = res[(n, op)]
        rt = f"{s / base[0]:.2f}x" if base and base[0] > 0 else "-"
        rm = f"{mb / base[1]:.2f}x" if base and base[1] > 0 else "-"
        L.append(f"| {n} | {op} | {s:.3f} | {mb:.1f} | {rt} | {rm} |")

if len(sizes) > 1:
    n0 = sizes[0]
    L += ["", f"## Linearity (time at N / time at {n0}; linear = N/{n0})", "",
          "| operation | " + " | ".join(f"N={n}" for n in sizes[1:]) + " |",
          "|---|" + "---:|" * (len(sizes) - 1)]
    for op in ops:
        cells = []
        for n in sizes[1:]:
            if (n, op) in res and (n0, op) in res and res[(n0, op)][0] > 0:
                r = res[(n, op)][0] / res[(n0, op)][0]
                ideal = n / n0
                cells.append(f"{r:.2f} (ideal {ideal:.1f}, {r / ideal:.2f}x linear)")
            else:
                cells.append("-")
        L.append(f"| {op} | " + " | ".join(cells) + " |")

L += ["", "## Targets", "", "| target | N | value | met |", "|---|---:|---|:-:|"]
def yn(b): return "yes" if b else "**NO**"
for n in sizes:
    pd = res.get((n, "pg_dump"))
    if pd and (n, "inspect") in res:
        r = res[(n, "inspect")][0] / pd[0]
        L.append(f"| inspect ≤ 0.5× pg_dump | {n} | {r:.2f}× | {yn(r <= 0.5)} |")
    if (n, "inspect") in res and (n, "erd") in res and res[(n, "inspect")][0] > 0:
        r = res[(n, "erd")][0] / res[(n, "inspect")][0]
        L.append(f"| erd ≤ 2× inspect | {n} | {r:.2f}× | {yn(r <= 2.0)} |")
    if pd and (n, "plan (no changes)") in res:
        r = res[(n, "plan (no changes)")][0] / pd[0]
        L.append(f"| plan (no changes) ≤ 1× pg_dump | {n} | {r:.2f}× | {yn(r <= 1.0)} |")
for n in sizes:
    if n == 5000 or (n == max(sizes) and 5000 not in sizes):
        for op in ops:
            if op == "pg_dump" or (n, op) not in res: continue
            mb = res[(n, op)][1]
            L.append(f"| {op} memory ≤ 150 MB at 5,000 tables | {n} | {mb:.1f} MB | {yn(mb <= 150)} |")
if len(sizes) > 1:
    for n0, n1 in zip(sizes, sizes[1:]):
        for op in ops:
            if op == "pg_dump" or (n0, op) not in res or (n1, op) not in res: continue
            f = (res[(n1, op)][0] / res[(n0, op)][0]) / (n1 / n0)
            L.append(f"| {op} time linear in N (≤ 1.2× the linear ratio) | {n0}→{n1} | {f:.2f}× linear | {yn(f <= 1.2)} |")
# Issue 16's large-schema goals (20,000 tables; pg_dump cannot run there, so 5,000 anchors).
big = 20000
if big in sizes:
    for op, secs, mbs in (("inspect", 5.0, 250), ("plan (no changes)", 8.0, 400)):
        if (big, op) in res:
            s, mb = res[(big, op)]
            L.append(f"| {op} < {secs:.0f} s and < {mbs} MB | {big} | {s:.2f} s, {mb:.1f} MB | {yn(s < secs and mb < mbs)} |")
        if (big, op) in res and (5000, op) in res and res[(5000, op)][0] > 0:
            r = res[(big, op)][0] / res[(5000, op)][0]
            L.append(f"| {op} at {big} ≤ 4.4× its time at 5,000 | {big} | {r:.2f}× | {yn(r <= 4.4)} |")
for n in sizes:
    pd = res.get((n, "pg_dump"))
    op = f"plan ({pct}% changed)"
    if pd and (n, op) in res and n in (1000, 5000):
        r = res[(n, op)][0] / pd[0]
        L.append(f"| {op} ≤ 1× pg_dump | {n} | {r:.2f}× | {yn(r <= 1.0)} |")

L += ["", "## Correctness checks", "", "| N | check | result | detail |", "|---:|---|:-:|---|"]
for n, name, ok, detail in checks:
    L.append(f"| {n} | {name} | {'ok' if ok == 'ok' else '**FAIL**'} | {detail.replace('|', '/')} |")
text = "\n".join(L) + "\n"
open(os.path.join(out, "results.md"), "w").write(text)
print(text)
PY
log "results written to $OUT/results.md"
if grep -q $'\tFAIL\t' "$OUT/checks.tsv"; then
  warn "some correctness checks failed; see the table above and bench/out/<N>/"
fi
