//! The catalog queries for schemas, tables, columns, constraints, indexes, operator classes and
//! enums (one query per kind for all tables).

/// The names of the user schemas of a database (no `pg_*`, no `information_schema`).
pub(crate) const USER_SCHEMA_NAMES: &str = "SELECT nspname::text FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'";

pub(super) const SCHEMAS: &str = "
SELECT n.nspname::text, (SELECT d.description FROM pg_description d WHERE d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0)
FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_namespace'::regclass AND dep.objid = n.oid AND dep.deptype = 'e')
ORDER BY 1";

pub(super) const TABLES: &str = "
SELECT c.oid, n.nspname::text, c.relname::text, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0),
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       c.relrowsecurity, c.relforcerowsecurity, c.relpersistence = 'u' AS unlogged,
       pn.nspname::text AS parent_schema, pc.relname::text AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
       CASE WHEN NOT c.relispartition THEN ARRAY(
           SELECT json_build_array(pn2.nspname, pc2.relname)::text FROM pg_inherits i2
           JOIN pg_class pc2 ON pc2.oid = i2.inhparent JOIN pg_namespace pn2 ON pn2.oid = pc2.relnamespace
           WHERE i2.inhrelid = c.oid ORDER BY i2.inhseqno) END AS inherits,
       c.relreplident::\"char\" AS relreplident, c.reloptions AS storage_params,
       CASE WHEN c.relreplident = 'i' THEN (SELECT ic.relname::text FROM pg_index ri JOIN pg_class ic ON ic.oid = ri.indexrelid
                                            WHERE ri.indrelid = c.oid AND ri.indisreplident) END AS replident_index
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits ih ON ih.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class pc ON pc.oid = ih.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.deptype = 'e')";

pub(super) const COLUMNS: &str = "
SELECT a.attrelid, a.attname::text, a.attnum,
       CASE WHEN tn.nspname = 'pg_catalog' THEN format_type(a.atttypid, a.atttypmod) END AS fmt,
       tn.nspname::text AS typschema, t.typname::text AS typname,
       (t.typsubscript = 'array_subscript_handler'::regproc AND t.typelem <> 0) AS is_array,
       en.nspname::text AS elemschema, et.typname::text AS elemname,
       CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc AND t.typelem <> 0 THEN format_type(t.typelem, a.atttypmod) END AS elemfmt,
       a.attnotnull, def.def,
       a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN co.collname::text END AS collation,
       d.description AS comment,
       CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
            WHEN 'm' THEN 'main' WHEN 'x' THEN 'extended' END END AS storage,
       {COMPRESSION} AS compression,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::int END AS statistics,
       -- Not modeled, warned (see unmanaged.rs): read here so that no second query scans every column.
       -- Debian's PostgreSQL 15.20 sets an option (pg_attver) on every column: a text test first.
       CASE WHEN a.attoptions::text LIKE '%n_distinct%' THEN ARRAY(SELECT opt FROM unnest(a.attoptions) opt
            WHERE split_part(opt, '=', 1) IN ('n_distinct', 'n_distinct_inherited')) END AS n_distinct,
       seq.seqstart, seq.seqincrement, seq.seqmin, seq.seqmax, seq.seqcache, seq.seqcycle,
       format_type(seq.seqtypid, NULL) AS seqtype,
       COALESCE(CASE WHEN seq.deptype = 'a' THEN def.def = 'nextval(' || quote_literal(seq.objid::regclass::text) || '::regclass)' END, false) AS is_serial
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem
LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
-- Deparsed once (OFFSET 0 keeps the planner from copying the call into is_serial).
LEFT JOIN LATERAL (SELECT pg_get_expr(ad.adbin, ad.adrelid) AS def OFFSET 0) def ON true
-- Joined, not a subquery per column: a hash join reads pg_description once.
LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN (
    SELECT DISTINCT ON (dep.refobjid, dep.refobjsubid) dep.refobjid, dep.refobjsubid, dep.deptype, dep.objid, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, s.seqtypid
    FROM pg_depend dep
    JOIN pg_sequence s ON s.seqrelid = dep.objid
    WHERE dep.refclassid = 'pg_class'::regclass AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    ORDER BY dep.refobjid, dep.refobjsubid, dep.deptype DESC
) seq ON seq.refobjid = a.attrelid AND seq.refobjsubid = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND (a.attislocal OR a.attinhcount = 0)
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

pub(super) const CONSTRAINTS: &str = "
SELECT con.conrelid, con.conname::text, con.contype::\"char\" AS contype, con.convalidated, con.connoinherit,
       con.conkey, con.confkey, con.confrelid,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       con.confupdtype::\"char\" AS confupdtype, con.confdeltype::\"char\" AS confdeltype,
       con.condeferrable, con.condeferred,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       i.indkey::int2[] AS indkey, i.indnkeyatts,
       COALESCE({NULLS_NOT_DISTINCT}, false) AS nulls_not_distinct,
       d.description AS comment
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
LEFT JOIN pg_description d ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
WHERE con.contype IN ('p', 'u', 'f', 'c') AND c.relkind IN ('r', 'p')
  AND con.conislocal AND con.conparentid = 0
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

pub(super) const INDEXES: &str = "
SELECT i.indrelid, ic.relname::text AS indname, i.indisunique, am.amname::text AS amname,
       i.indnkeyatts,
       CASE WHEN 0 = ANY(i.indkey::int2[]) THEN
         ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) END
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord)
       END AS exprs,
       i.indkey::int2[] AS attnums,
       i.indoption::int2[] AS options,
       i.indclass::oid[] AS opclasses,
       CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indcollation) c WHERE c NOT IN (0, 100)) OR EXISTS (
              SELECT 1 FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE a.attcollation NOT IN (0, 100)) THEN
       ARRAY(SELECT CASE WHEN k.coll = 0 THEN NULL
                         WHEN k.coll = COALESCE((SELECT a.attcollation FROM pg_attribute a
                                                 WHERE a.attrelid = i.indrelid AND a.attnum = (i.indkey::int2[])[k.ord - 1]
                                                   AND (i.indkey::int2[])[k.ord - 1] <> 0), 100) THEN NULL
                         ELSE (SELECT co.collname::text FROM pg_collation co WHERE co.oid = k.coll) END
             FROM unnest(i.indcollation) WITH ORDINALITY k(coll, ord) ORDER BY k.ord)
       END AS collations,
       pg_get_expr(i.indpred, i.indrelid, true) AS pred,
       {NULLS_NOT_DISTINCT} AS nulls_not_distinct,
       (SELECT d.description FROM pg_description d WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment,
       i.indisvalid, ic.reloptions AS storage_params,
       (SELECT jsonb_agg(jsonb_build_array(a.attnum,
                 CASE WHEN ocn.nspname = 'pg_catalog' THEN oc.opcname::text
                      ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END,
                 to_jsonb(a.attoptions)))
        FROM pg_attribute a
        JOIN pg_opclass oc ON oc.oid = (i.indclass::oid[])[a.attnum - 1]
        JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
        WHERE a.attrelid = i.indexrelid AND a.attoptions IS NOT NULL) AS opclass_params,
       EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid) AS attached
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))";

/// Operator classes that are not their type's default (the only ones written in DDL).
pub(super) const OPCLASSES: &str = "
SELECT oc.oid, CASE WHEN ocn.nspname = 'pg_catalog' THEN oc.opcname::text
                    ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
FROM pg_opclass oc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE NOT oc.opcdefault AND $1::text[] IS DISTINCT FROM ARRAY['-']";

pub(super) const ENUMS: &str = "
SELECT n.nspname::text, t.typname::text,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_type'::regclass AND dep.objid = t.oid AND dep.deptype = 'e')
ORDER BY 1, 2";
