#!/usr/bin/env python3
"""Generate a realistic N-table PostgreSQL schema as SQL DDL, for strata's benchmark.

Deterministic: the same --tables/--seed always produce the same DDL.  With
--change-percent P, the same base schema is produced with ~P% of its tables
modified (added column, changed default, added index, dropped check, changed
nullability), so that a plan of one against the other has changes.

    python3 bench/gen_schema.py --tables 1000 --seed 42 > base.sql
    python3 bench/gen_schema.py --tables 1000 --seed 42 --change-percent 10 > changed.sql

Stdlib only (Python 3.11).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field

ENUMS = {
    "record_status": ["draft", "active", "suspended", "archived"],
    "priority_level": ["low", "normal", "high", "urgent"],
}

NOUNS = [
    "account", "invoice", "order", "customer", "product", "shipment", "payment", "ticket",
    "project", "task", "comment", "document", "event", "session", "device", "region",
    "warehouse", "supplier", "contract", "subscription", "plan", "coupon", "review", "message",
    "note", "asset", "report", "budget", "vendor", "team",
]

NAMES_BY_KIND = {
    "int": ["quantity", "position", "version", "retries", "age_days", "rank", "seats", "views"],
    "text": ["description", "summary", "notes", "title", "body", "address", "label"],
    "varchar": ["name", "email", "phone", "city", "country", "code", "slug", "currency",
                "external_id", "reference", "sku"],
    "numeric": ["amount", "price", "balance", "total", "weight", "score", "tax_rate"],
    "bool": ["is_active", "is_public", "verified", "archived", "is_default"],
    "tstz": ["created_at", "updated_at", "starts_at", "ends_at", "last_seen_at", "paid_at"],
    "jsonb": ["payload", "settings", "metadata", "attributes"],
    "uuid": ["public_id", "token", "correlation_id"],
    "date": ["created_on", "due_on", "birth_date", "valid_from"],
    "enum": ["status", "priority", "state"],
}


@dataclass
class Column:
    name: str
    type: str
    kind: str          # int, text, varchar, numeric, bool, tstz, jsonb, uuid, date, enum
    nullable: bool = True
    default: str | None = None
    comment: str | None = None


@dataclass
class Table:
    idx: int
    name: str
    columns: list[Column] = field(default_factory=list)
    fks: list[tuple[str, str, str]] = field(default_factory=list)   # (col, ref table, on delete)
    checks: list[tuple[str, str]] = field(default_factory=list)     # (name, expr)
    uniques: list[tuple[str, list[str]]] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)                 # full CREATE INDEX statements
    comment: str | None = None


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def make_column(rng: random.Random, used: set[str]) -> Column:
    """A column of a random type, with a plausible name, default and nullability."""
    kind = rng.choices(
        ["int", "text", "varchar", "numeric", "bool", "tstz", "jsonb", "uuid", "date", "enum"],
        weights=[12, 14, 14, 10, 8, 10, 6, 6, 6, 6],
    )[0]
    free = [n for n in NAMES_BY_KIND[kind] if n not in used]
    if free:
        name = rng.choice(free)
    else:
        base, n = rng.choice(NAMES_BY_KIND[kind]), 2
        while f"{base}_{n}" in used:
            n += 1
        name = f"{base}_{n}"
    used.add(name)
    nullable = rng.random() < 0.45
    default = None
    if kind == "int":
        typ = rng.choice(["integer", "bigint", "smallint"])
        if rng.random() < 0.4:
            default = str(rng.choice([0, 1, 10, 100]))
    elif kind == "text":
        typ = "text"
        if rng.random() < 0.2:
            default = sql_str(rng.choice(["", "n/a", "unknown"]))
    elif kind == "varchar":
        typ = f"varchar({rng.choice([16, 32, 64, 128, 255])})"
        if rng.random() < 0.15:
            default = sql_str("none")
    elif kind == "numeric":
        p = rng.choice([10, 12, 14, 18])
        s = rng.choice([0, 2, 4])
        typ = f"numeric({p},{s})"
        if rng.random() < 0.4:
            default = "0"
    elif kind == "bool":
        typ = "boolean"
        nullable = False
        default = rng.choice(["true", "false"])
    elif kind == "tstz":
        typ = "timestamptz"
        if rng.random() < 0.6:
            default = rng.choice(["now()", "CURRENT_TIMESTAMP", "(now() + interval '30 days')"])
            nullable = False
    elif kind == "jsonb":
        typ = "jsonb"
        if rng.random() < 0.5:
            default = rng.choice(["'{}'::jsonb", "'[]'::jsonb"])
            nullable = False
    elif kind == "uuid":
        typ = "uuid"
        if rng.random() < 0.5:
            default = "gen_random_uuid()"
            nullable = False
    elif kind == "date":
        typ = "date"
        if rng.random() < 0.3:
            default = "CURRENT_DATE"
    else:
        ename = rng.choice(sorted(ENUMS))
        typ = ename
        if rng.random() < 0.7:
            default = sql_str(ENUMS[ename][rng.randrange(2)]) + "::" + ename
            nullable = False
    comment = None
    if rng.random() < 0.15:
        comment = f"The {name.replace('_', ' ')} of the row"
    return Column(name, typ, kind, nullable, default, comment)


def check_for(t: Table, c: Column) -> str | None:
    """A check constraint expression on column c, or None if its type has no natural one."""
    if c.kind == "int" or c.kind == "numeric":
        return f"{c.name} >= 0"
    if c.kind in ("text", "varchar"):
        return f"length({c.name}) <= 500" if c.kind == "text" else f"{c.name} <> ''"
    if c.kind == "date":
        return f"{c.name} > '2000-01-01'::date"
    if c.kind == "jsonb":
        return f"jsonb_typeof({c.name}) IN ('object', 'array')"
    return None


def generate(n_tables: int, seed: int) -> list[Table]:
    rng = random.Random(seed)
    tables: list[Table] = []
    for i in range(n_tables):
        noun = NOUNS[i % len(NOUNS)]
        t = Table(i, f"{noun}_{i:05d}")
        t.columns.append(Column("id", "bigint GENERATED ALWAYS AS IDENTITY", "identity", False))
        used = {"id"}
        # foreign keys to earlier tables (~1–2 per table, none for the first ones)
        if i > 0:
            nfk = rng.choices([0, 1, 2], weights=[15, 50, 35])[0]
            for _ in range(nfk):
                ref = tables[rng.randrange(max(0, i - 200), i)]
                col = f"{ref.name}_id"
                if col in used:
                    continue
                used.add(col)
                t.columns.append(Column(col, "bigint", "fk", rng.random() < 0.3))
                t.fks.append((col, ref.name, rng.choice(["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"])))
                if t.fks[-1][2] == "SET NULL":
                    t.columns[-1].nullable = True
        ncols = rng.randint(5, 15)
        while len(t.columns) < ncols:
            t.columns.append(make_column(rng, used))

        # check constraints (0–2)
        candidates = [c for c in t.columns if check_for(t, c)]
        rng.shuffle(candidates)
        for c in candidates[: rng.choice([0, 1, 1, 2])]:
            t.checks.append((f"{t.name}_{c.name}_chk", check_for(t, c)))

        # indexes: one per FK column, plus plain / unique / partial / expression ones
        for col, _, _ in t.fks:
            t.indexes.append(f"CREATE INDEX {t.name}_{col}_idx ON {t.name} ({col});")
        others = [c for c in t.columns if c.kind not in ("identity", "fk", "jsonb")]
        rng.shuffle(others)
        kinds = rng.sample(["plain", "unique", "partial", "expr", "multi"], rng.randint(1, 3))
        for k in kinds:
            if not others:
                break
            c = others.pop()
            if k == "plain":
                t.indexes.append(f"CREATE INDEX {t.name}_{c.name}_idx ON {t.name} ({c.name});")
            elif k == "unique":
                t.uniques.append((f"{t.name}_{c.name}_key", [c.name]))
            elif k == "partial":
                t.indexes.append(
                    f"CREATE INDEX {t.name}_{c.name}_part_idx ON {t.name} ({c.name}) "
                    f"WHERE {c.name} IS NOT NULL;"
                )
            elif k == "expr":
                if c.kind in ("text", "varchar"):
                    t.indexes.append(
                        f"CREATE UNIQUE INDEX {t.name}_{c.name}_lower_idx ON {t.name} (lower({c.name}));"
                    )
                else:
                    t.indexes.append(
                        f"CREATE INDEX {t.name}_{c.name}_desc_idx ON {t.name} ({c.name} DESC NULLS LAST);"
                    )
            elif k == "multi" and others:
                c2 = others.pop()
                t.indexes.append(
                    f"CREATE INDEX {t.name}_{c.name}_{c2.name}_idx ON {t.name} ({c.name}, {c2.name});"
                )
        if rng.random() < 0.6:
            t.comment = f"{t.name.split('_')[0].capitalize()} records, partition {i % 17}"
        tables.append(t)
    return tables


def mutate(tables: list[Table], percent: float, seed: int) -> list[str]:
    """Modify ~percent% of the tables in place; returns a description of each change."""
    rng = random.Random(seed * 7919 + 1)
    count = max(1, round(len(tables) * percent / 100)) if percent > 0 else 0
    chosen = sorted(rng.sample(range(len(tables)), min(count, len(tables))))
    log = []
    for n, i in enumerate(chosen):
        t = tables[i]
        change = ["add_column", "change_default", "add_index", "drop_check", "change_null"][n % 5]
        if change == "drop_check" and not t.checks:
            change = "add_column"
        plain = [c for c in t.columns if c.kind not in ("identity", "fk")]
        if change == "change_default":
            c = next((c for c in plain if c.kind in ("int", "numeric", "text", "varchar")), None)
            if c is None:
                change = "add_index"
            else:
                c.default = {"int": "42", "numeric": "1", "text": "'changed'", "varchar": "'changed'"}[c.kind]
        if change == "change_null":
            c = next((c for c in plain if c.nullable), None) or next(
                (c for c in plain if c.default is None), None)
            if c is None:
                change = "add_column"
            else:
                c.nullable = not c.nullable
        if change == "add_index":
            c = next((c for c in plain if c.kind != "jsonb"), None)
            if c is None:
                change = "add_column"
            else:
                t.indexes.append(f"CREATE INDEX {t.name}_{c.name}_bench_idx ON {t.name} ({c.name});")
        if change == "drop_check":
            t.checks.pop()
        if change == "add_column":
            t.columns.append(Column("bench_added", "text", "text", True, "'new'", "added by the benchmark"))
        log.append(f"{t.name}: {change}")
    return log


def render(tables: list[Table], out) -> None:
    w = out.write
    w("-- generated by bench/gen_schema.py\n")
    w("SET client_min_messages = warning;\n\n")
    for name, values in ENUMS.items():
        w(f"CREATE TYPE {name} AS ENUM ({', '.join(sql_str(v) for v in values)});\n")
    w("\n")
    for t in tables:
        lines = []
        for c in t.columns:
            s = f"    {c.name} {c.type}"
            if c.default is not None:
                s += f" DEFAULT {c.default}"
            if not c.nullable and c.kind != "identity":
                s += " NOT NULL"
            lines.append(s)
        lines.append(f"    CONSTRAINT {t.name}_pkey PRIMARY KEY (id)")
        for name, cols in t.uniques:
            lines.append(f"    CONSTRAINT {name} UNIQUE ({', '.join(cols)})")
        for name, expr in t.checks:
            lines.append(f"    CONSTRAINT {name} CHECK ({expr})")
        for col, ref, on_delete in t.fks:
            lines.append(
                f"    CONSTRAINT {t.name}_{col}_fkey FOREIGN KEY ({col}) REFERENCES {ref} (id)"
                f" ON DELETE {on_delete}"
            )
        w(f"CREATE TABLE {t.name} (\n" + ",\n".join(lines) + "\n);\n")
        for stmt in t.indexes:
            w(stmt + "\n")
        if t.comment:
            w(f"COMMENT ON TABLE {t.name} IS {sql_str(t.comment)};\n")
        for c in t.columns:
            if c.comment:
                w(f"COMMENT ON COLUMN {t.name}.{c.name} IS {sql_str(c.comment)};\n")
        w("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", "-n", type=int, default=1000, help="number of tables (default 1000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--change-percent", type=float, default=0.0,
                    help="emit a variant with ~this percent of the tables modified")
    ap.add_argument("--changes-log", metavar="FILE", help="write the list of modified tables here")
    ap.add_argument("--output", "-o", metavar="FILE", help="write DDL here instead of stdout")
    args = ap.parse_args()
    if args.tables < 1:
        ap.error("--tables must be at least 1")
    if not 0 <= args.change_percent <= 100:
        ap.error("--change-percent must be between 0 and 100")

    tables = generate(args.tables, args.seed)
    log = mutate(tables, args.change_percent, args.seed) if args.change_percent > 0 else []
    if args.changes_log:
        with open(args.changes_log, "w") as f:
            f.write("\n".join(log) + ("\n" if log else ""))
    if args.output:
        with open(args.output, "w") as f:
            render(tables, f)
    else:
        render(tables, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
