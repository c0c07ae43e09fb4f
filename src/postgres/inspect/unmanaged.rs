//! What the model leaves out but a database may set: storage parameters,
//! column storage and compression, statistics targets, tablespaces, rules, publications, …
//! (the "warned" entries of [`crate::postgres::coverage::LEDGER`]). One bulk query finds the
//! non-default values in the inspected schemas, so "not modeled" never means "silently
//! ignored": commands show them as warnings about the target database.

use super::objects::not_member;
use crate::model::Scope;
use crate::postgres::rows::{Cols, RowError};
use tokio_postgres::Row;

/// A non-default value of an attribute strata does not manage; it is left as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmanaged {
    /// Schema of the object, for `--schema`/`--exclude` filtering.
    pub(crate) schema: String,
    /// The table, view or sequence the object belongs to (`None` for a schema), for `--exclude`.
    pub(crate) relation: Option<String>,
    /// Kind and name, e.g. `table "public.t"`, `column "public.t.c"`, `index "public.i"`.
    pub object: String,
    /// e.g. `replica identity`, `storage parameter`, `storage`.
    pub attribute: String,
    /// e.g. `FULL`, `fillfactor=70`, `EXTERNAL`; empty when the attribute is a flag.
    pub value: String,
}

/// Keeps the warnings about objects a plan manages (see [`Scope::manages`]).
pub(crate) fn restrict(warnings: &mut Vec<Unmanaged>, scope: &Scope) {
    warnings.retain(|w| scope.manages(&w.schema, w.relation.as_deref()));
}

impl Unmanaged {
    /// `table "public.t": replica identity FULL is not managed by strata; it is left as is`.
    pub fn message(&self) -> String {
        let value = if self.value.is_empty() {
            String::new()
        } else {
            format!(" {}", self.value)
        };
        format!(
            "{}: {}{value} is not managed by strata; it is left as is",
            self.object, self.attribute
        )
    }

    /// A table column's `n_distinct` or `n_distinct_inherited` option, which the columns query
    /// reads; labelled like the column warnings of [`unmanaged_sql`].
    pub(crate) fn column_option(schema: &str, table: &str, column: &str, value: String) -> Self {
        Unmanaged {
            schema: schema.to_string(),
            relation: Some(table.to_string()),
            object: format!("column \"{schema}.{table}.{column}\""),
            attribute: "attribute option".to_string(),
            value,
        }
    }

    pub(crate) fn from_row(r: &Row) -> Result<Unmanaged, RowError> {
        let r = Cols::new(r, "unmanaged attributes");
        Ok(Unmanaged {
            schema: r.col(0)?,
            relation: r.col(1)?,
            object: r.col(2)?,
            attribute: r.col(3)?,
            value: r.col::<Option<String>>(4)?.unwrap_or_default(),
        })
    }
}

/// The one query: `(schema, relation, object, attribute, value)` for every non-default value of
/// an unmanaged attribute in the inspected schemas. Unordered (the caller sorts): a sort would
/// only raise the estimated cost into JIT territory on large catalogs.
pub(crate) fn unmanaged_sql(version: i32) -> String {
    let not_system = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND ($1::text[] IS NULL OR n.nspname = ANY($1))";
    // attcompression exists from PostgreSQL 14.
    let compression = if version >= 140000 {
        "UNION ALL SELECT 'compression', CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4'
                                          ELSE a.attcompression::text END WHERE a.attcompression <> ''"
    } else {
        ""
    };
    let compressed = if version >= 140000 {
        "OR a.attcompression <> ''"
    } else {
        ""
    };
    // A child's inherited column copies its parent's storage (and a partition's, its
    // compression) when created, and ALTER on the parent recurses: a value of its own is set on
    // the child alone, and the model (which holds the parent's) does not see it.
    let child_compression = if version >= 140000 {
        "UNION ALL SELECT 'compression (not the parent''s)', CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4'
                                          ELSE a.attcompression::text END
                  WHERE a.attcompression <> '' AND a.attcompression <> pa.attcompression"
    } else {
        ""
    };
    let pg15 = if version >= 150000 {
        "UNION ALL
SELECT n.nspname::text, NULL, format('schema \"%s\"', n.nspname), 'publication', p.pubname::text
FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid
WHERE {NOT_SYSTEM}
UNION ALL
SELECT r.nsp, r.relname, format('constraint \"%s.%s.%s\"', r.nsp, r.relname, con.conname), 'ON DELETE SET column list',
       '(' || array_to_string(ARRAY(SELECT quote_ident(a.attname) FROM unnest(con.confdelsetcols) WITH ORDINALITY k(num, i)
                                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.i), ', ') || ')'
FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
WHERE con.contype = 'f' AND con.conislocal AND con.conparentid = 0 AND cardinality(con.confdelsetcols) > 0"
            .replace("{NOT_SYSTEM}", not_system)
    } else {
        String::new()
    };
    let member = not_member("pg_class", "c.oid");
    format!(
        "{ctes}{RELATIONS}
UNION ALL
{INDEXES}
UNION ALL
{columns}
UNION ALL
{others}
UNION ALL
{SEQUENCE_OPTIONS}
UNION ALL
{aggregates}",
        ctes = ctes(not_system, &member),
        aggregates = aggregate_options(not_system),
        columns = columns(compression, compressed, child_compression),
        others = others(&pg15),
    )
}

/// The relations and indexes of the user schemas, with their labels.
fn ctes(not_system: &str, member: &str) -> String {
    format!(
        "WITH rel AS (
    SELECT c.oid, c.relkind, c.relname::text AS relname, n.nspname::text AS nsp, c.reloptions, c.reltablespace,
           c.relreplident, c.relam, c.reloftype, c.reltoastrelid, c.relispartition, c.relpersistence,
           format('%s \"%s.%s\"', CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'v' THEN 'view'
                                                 WHEN 'S' THEN 'sequence' ELSE 'table' END, n.nspname, c.relname) AS label
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'v', 'S') AND {not_system} AND {member}
), idx AS (
    SELECT ic.oid, ic.relname::text AS relname, r.nsp, r.relname AS tablename, r.label AS tablelabel, ic.reloptions,
           ic.reltablespace, i.indisclustered,
           format('index \"%s.%s\"', r.nsp, ic.relname) AS label,
           pi.reloptions AS parent_options, ih.inhrelid IS NOT NULL AS is_child
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN rel r ON r.oid = i.indrelid
    LEFT JOIN pg_inherits ih ON ih.inhrelid = ic.oid LEFT JOIN pg_class pi ON pi.oid = ih.inhparent
)
"
    )
}

/// Tables, views and sequences: TOAST storage, tablespace, access method, typed tables, unlogged sequences.
const RELATIONS: &str = "-- Materialized views model their storage parameters (View.storage_params); TOAST's are warned.
SELECT r.nsp, r.relname, r.label, 'storage parameter', 'toast.' || opt
FROM rel r JOIN pg_class t ON t.oid = r.reltoastrelid, unnest(t.reloptions) opt
WHERE r.relkind IN ('r', 'p', 'm') AND t.reloptions IS NOT NULL
UNION ALL
SELECT nsp, relname, label, 'tablespace', (SELECT ts.spcname::text FROM pg_tablespace ts WHERE ts.oid = r.reltablespace)
FROM rel r WHERE r.reltablespace <> 0 AND r.relkind IN ('r', 'p', 'm')
UNION ALL
SELECT r.nsp, r.relname, r.label, 'access method', am.amname::text
FROM rel r JOIN pg_am am ON am.oid = r.relam WHERE r.relkind IN ('r', 'm') AND am.amname <> 'heap'
UNION ALL
SELECT nsp, relname, label, 'typed table OF', format_type(r.reloftype, NULL) FROM rel r WHERE r.reloftype <> 0
UNION ALL
SELECT nsp, relname, label, 'persistence', 'UNLOGGED' FROM rel r
WHERE r.relkind = 'S' AND r.relpersistence = 'u'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class owner ON owner.oid = d.refobjid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
                    AND d.deptype IN ('a', 'i') AND owner.relpersistence = 'u')";

/// Constraint indexes' storage parameters and operator-class options, tablespaces, CLUSTER ON.
const INDEXES: &str = "SELECT x.nsp, x.tablename, x.label, 'storage parameter', opt
FROM idx x, unnest(x.reloptions) opt WHERE x.reloptions IS NOT NULL AND x.parent_options IS DISTINCT FROM x.reloptions
  -- Plain indexes model their storage parameters (Index.storage_params); constraint indexes do not.
  AND EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.oid AND con.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT x.nsp, x.tablename, x.label, 'tablespace', (SELECT ts.spcname::text FROM pg_tablespace ts WHERE ts.oid = x.reltablespace)
FROM idx x WHERE x.reltablespace <> 0 AND NOT x.is_child
UNION ALL
SELECT x.nsp, x.tablename, x.tablelabel, 'CLUSTER ON', quote_ident(x.relname) FROM idx x WHERE x.indisclustered
UNION ALL
SELECT x.nsp, x.tablename, x.label, 'operator class option', opt || ' (key ' || a.attname || ')'
FROM idx x JOIN pg_attribute a ON a.attrelid = x.oid, unnest(a.attoptions) opt
WHERE a.attoptions IS NOT NULL AND NOT x.is_child AND opt !~ '^pg_'
  -- Plain indexes model them (IndexPart.opclass_params); constraint indexes do not.
  AND EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.oid AND con.contype IN ('p', 'u', 'x'))";

/// Columns: materialized views' storage, compression, statistics and `n_distinct` (a table
/// column's `n_distinct` is read by the columns query); a child's own settings.
fn columns(compression: &str, compressed: &str, child_compression: &str) -> String {
    format!(
        "SELECT r.nsp, r.relname, format('column \"%s.%s.%s\"', r.nsp, r.relname, a.attname), v.attribute, v.value
FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid JOIN pg_type t ON t.oid = a.atttypid
CROSS JOIN LATERAL (
    SELECT 'storage' AS attribute,
           CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' WHEN 'x' THEN 'EXTENDED'
                ELSE a.attstorage::text END AS value
    -- Table columns model storage, compression and statistics (Column); materialized views do not.
    WHERE a.attstorage <> t.typstorage
    {compression}
    UNION ALL SELECT 'statistics target', a.attstattarget::text WHERE a.attstattarget >= 0
    UNION ALL SELECT 'attribute option', opt FROM unnest(a.attoptions) opt
              WHERE split_part(opt, '=', 1) IN ('n_distinct', 'n_distinct_inherited')
) v
WHERE r.relkind = 'm' AND a.attnum > 0 AND NOT a.attisdropped
  AND (a.attstorage <> t.typstorage OR a.attstattarget >= 0 OR a.attoptions IS NOT NULL {compressed})
UNION ALL
SELECT DISTINCT r.nsp, r.relname, format('column \"%s.%s.%s\"', r.nsp, r.relname, a.attname), v.attribute, v.value
FROM rel r JOIN pg_inherits ih ON ih.inhrelid = r.oid
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
JOIN pg_attribute pa ON pa.attrelid = ih.inhparent AND pa.attname = a.attname AND NOT pa.attisdropped
CROSS JOIN LATERAL (
    SELECT 'storage (not the parent''s)' AS attribute,
           CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' WHEN 'x' THEN 'EXTENDED'
                ELSE a.attstorage::text END AS value
    WHERE a.attstorage <> pa.attstorage
    UNION ALL SELECT 'statistics target (not the parent''s)', a.attstattarget::text
              WHERE a.attstattarget >= 0 AND a.attstattarget <> pa.attstattarget
    {child_compression}
) v
WHERE r.relkind IN ('r', 'p')"
    )
}

/// Rules, publications, security labels, MATCH FULL (and, from PostgreSQL 15, `pg15`).
fn others(pg15: &str) -> String {
    format!(
        "SELECT r.nsp, r.relname, r.label, 'rule', rw.rulename::text
FROM rel r JOIN pg_rewrite rw ON rw.ev_class = r.oid WHERE rw.rulename <> '_RETURN'
UNION ALL
SELECT r.nsp, r.relname, r.label, 'publication', p.pubname::text
FROM rel r JOIN pg_publication_rel pr ON pr.prrelid = r.oid JOIN pg_publication p ON p.oid = pr.prpubid
UNION ALL
SELECT r.nsp, r.relname,
       CASE WHEN sl.objsubid = 0 THEN r.label
            ELSE format('column \"%s.%s.%s\"', r.nsp, r.relname, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum = sl.objsubid)) END,
       'security label', sl.provider || ': ' || sl.label
FROM rel r JOIN pg_seclabel sl ON sl.classoid = 'pg_class'::regclass AND sl.objoid = r.oid
UNION ALL
SELECT r.nsp, r.relname, format('constraint \"%s.%s.%s\"', r.nsp, r.relname, con.conname), 'MATCH', 'FULL'
FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
WHERE con.contype = 'f' AND con.confmatchtype = 'f' AND con.conislocal AND con.conparentid = 0
{pg15}"
    )
}

/// What an aggregate may set beyond `Aggregate`'s fields: ordered-set kinds, partial and
/// moving-aggregate support, final-function flags, sort operators, state size estimates.
fn aggregate_options(not_system: &str) -> String {
    format!(
        "SELECT n.nspname::text, NULL::text, format('aggregate \"%s.%s\"', n.nspname, p.proname), o.attribute, o.value
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL (
    SELECT 'aggregate kind' AS attribute, CASE a.aggkind WHEN 'o' THEN 'ordered-set' ELSE 'hypothetical-set' END AS value
    WHERE a.aggkind <> 'n'
    UNION ALL SELECT 'COMBINEFUNC', a.aggcombinefn::text WHERE a.aggcombinefn <> 0
    UNION ALL SELECT 'SERIALFUNC', a.aggserialfn::text WHERE a.aggserialfn <> 0
    UNION ALL SELECT 'DESERIALFUNC', a.aggdeserialfn::text WHERE a.aggdeserialfn <> 0
    UNION ALL SELECT 'MSFUNC', a.aggmtransfn::text WHERE a.aggmtransfn <> 0
    UNION ALL SELECT 'MINVFUNC', a.aggminvtransfn::text WHERE a.aggminvtransfn <> 0
    UNION ALL SELECT 'MFINALFUNC', a.aggmfinalfn::text WHERE a.aggmfinalfn <> 0
    UNION ALL SELECT 'FINALFUNC_EXTRA', NULL WHERE a.aggfinalextra
    UNION ALL SELECT 'MFINALFUNC_EXTRA', NULL WHERE a.aggmfinalextra
    UNION ALL SELECT 'FINALFUNC_MODIFY', CASE a.aggfinalmodify WHEN 's' THEN 'SHAREABLE' WHEN 'w' THEN 'READ_WRITE' ELSE a.aggfinalmodify::text END
              WHERE a.aggkind = 'n' AND a.aggfinalmodify <> 'r'
    UNION ALL SELECT 'MFINALFUNC_MODIFY', CASE a.aggmfinalmodify WHEN 's' THEN 'SHAREABLE' WHEN 'w' THEN 'READ_WRITE' ELSE a.aggmfinalmodify::text END
              WHERE a.aggmtransfn <> 0 AND a.aggmfinalmodify <> 'r'
    UNION ALL SELECT 'SORTOP', a.aggsortop::regoperator::text WHERE a.aggsortop <> 0
    UNION ALL SELECT 'SSPACE', a.aggtransspace::text WHERE a.aggtransspace <> 0
    UNION ALL SELECT 'MSTYPE', format_type(a.aggmtranstype, NULL) WHERE a.aggmtranstype <> 0
    UNION ALL SELECT 'MSSPACE', a.aggmtransspace::text WHERE a.aggmtransspace <> 0
    UNION ALL SELECT 'MINITCOND', a.aggminitval WHERE a.aggminitval IS NOT NULL
) o
WHERE {not_system} AND {member}",
        member = not_member("pg_proc", "p.oid")
    )
}

/// Identity and serial sequence options the model does not hold.
const SEQUENCE_OPTIONS: &str = "SELECT q.nsp, q.relname, format('column \"%s.%s.%s\"', q.nsp, q.relname, q.attname),
       CASE WHEN q.deptype = 'i' THEN 'identity sequence option' ELSE 'serial sequence option' END, opt
FROM (
    -- Options first (cheap), whether the sequence is a serial's (pg_get_expr) only for those
    -- with any: OFFSET 0 keeps the planner from merging the two.
    SELECT r.nsp, r.relname, r.oid, a.attname, a.attnum, a.atttypid, d.deptype, d.objid,
           array_remove(ARRAY[
               CASE WHEN s.seqtypid <> a.atttypid THEN 'AS ' || format_type(s.seqtypid, NULL) END,
               CASE WHEN d.deptype = 'a' AND s.seqincrement <> 1 THEN 'INCREMENT ' || s.seqincrement END,
               CASE WHEN d.deptype = 'a' AND s.seqstart <> CASE WHEN s.seqincrement > 0 THEN s.seqmin ELSE s.seqmax END
                    THEN 'START ' || s.seqstart END,
               -- Identity columns model their bounds, cache and cycle (Identity); serials do not.
               CASE WHEN d.deptype = 'a' AND s.seqmin <> CASE WHEN s.seqincrement > 0 THEN 1 ELSE b.lo END THEN 'MINVALUE ' || s.seqmin END,
               CASE WHEN d.deptype = 'a' AND s.seqmax <> CASE WHEN s.seqincrement > 0 THEN b.hi ELSE -1 END THEN 'MAXVALUE ' || s.seqmax END,
               CASE WHEN d.deptype = 'a' AND s.seqcache <> 1 THEN 'CACHE ' || s.seqcache END,
               CASE WHEN d.deptype = 'a' AND s.seqcycle THEN 'CYCLE' END], NULL) AS opts
    FROM rel r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                     AND d.refobjid = r.oid AND d.refobjsubid = a.attnum AND d.deptype IN ('a', 'i')
    JOIN pg_sequence s ON s.seqrelid = d.objid
    CROSS JOIN LATERAL (SELECT CASE s.seqtypid WHEN 'int2'::regtype THEN 32767::int8 WHEN 'int4'::regtype THEN 2147483647::int8
                                               ELSE 9223372036854775807::int8 END AS hi,
                               CASE s.seqtypid WHEN 'int2'::regtype THEN -32768::int8 WHEN 'int4'::regtype THEN -2147483648::int8
                                               ELSE '-9223372036854775808'::int8 END AS lo) b
    WHERE r.relkind IN ('r', 'p') AND NOT r.relispartition
      AND (s.seqcache <> 1 OR s.seqcycle OR s.seqtypid <> a.atttypid OR d.deptype = 'a' OR s.seqmin NOT IN (1, b.lo)
           OR s.seqmax NOT IN (-1, b.hi))
    OFFSET 0
) q
CROSS JOIN LATERAL unnest(q.opts) opt
WHERE cardinality(q.opts) > 0
  AND (q.deptype = 'i' OR (q.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) AND EXISTS (
       SELECT 1 FROM pg_attrdef ad WHERE ad.adrelid = q.oid AND ad.adnum = q.attnum
         AND pg_get_expr(ad.adbin, ad.adrelid) = 'nextval(' || quote_literal(q.objid::regclass::text) || '::regclass)')))";

#[cfg(test)]
mod tests {
    use super::*;

    fn u(schema: &str, rel: Option<&str>) -> Unmanaged {
        Unmanaged {
            schema: schema.into(),
            relation: rel.map(str::to_string),
            object: format!("table \"{schema}.t\""),
            attribute: "replica identity".into(),
            value: "FULL".into(),
        }
    }

    #[test]
    fn messages_name_object_attribute_and_value() {
        assert_eq!(
            u("public", Some("t")).message(),
            "table \"public.t\": replica identity FULL is not managed by strata; it is left as is"
        );
        let mut flag = u("public", Some("t"));
        flag.attribute = "NO INHERIT".into();
        flag.value.clear();
        assert_eq!(
            flag.message(),
            "table \"public.t\": NO INHERIT is not managed by strata; it is left as is"
        );
    }

    #[test]
    fn warnings_follow_schemas_and_exclude() {
        let all = vec![
            u("public", Some("t")),
            u("public", Some("u")),
            u("public", None),
            u("other", Some("t")),
        ];
        let scope = |exclude: &[&str]| Scope {
            schemas: vec!["public".to_string()],
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            roles: None,
        };
        let mut kept = all.clone();
        restrict(&mut kept, &scope(&[]));
        assert_eq!(kept, all[..3].to_vec());
        let mut kept = all.clone();
        restrict(&mut kept, &scope(&["public.t*"]));
        assert_eq!(kept, vec![all[1].clone(), all[2].clone()]);
        let mut kept = all.clone();
        restrict(&mut kept, &scope(&["pub*"]));
        assert!(kept.is_empty());
    }
}
