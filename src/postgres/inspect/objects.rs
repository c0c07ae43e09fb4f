//! Catalog queries for everything beyond tables: extensions, sequences, views, routines,
//! triggers, policies, exclusion constraints, domains and composite types. One query per kind.

use super::{split_top_level, unquote_ident};
use crate::model::{
    ArgMode, Check, Collation, Composite, DataType, Deferrable, Domain, Exclude, Extension,
    Function, FunctionArg, IndexKey, Parallel, Policy, QualifiedName, Returns, RoutineKind,
    Sequence, Trigger, TriggerEvents, TriggerTiming, View, Volatility,
};
use crate::postgres::rows::{Cols, RowError};
use tokio_postgres::Row;

/// SQL for a JSON descriptor of the type `oid` (with `typmod`): `[is_array, schema, name, fmt]`
/// of the element type for arrays, of the type itself otherwise.
pub(crate) fn type_desc_sql(oid: &str, typmod: &str) -> String {
    format!(
        "(SELECT json_build_array(\
            (td.typsubscript = 'array_subscript_handler'::regproc AND td.typelem <> 0), \
            CASE WHEN td.typsubscript = 'array_subscript_handler'::regproc AND td.typelem <> 0 THEN ten.nspname ELSE tdn.nspname END, \
            CASE WHEN td.typsubscript = 'array_subscript_handler'::regproc AND td.typelem <> 0 THEN te.typname ELSE td.typname END, \
            CASE WHEN td.typsubscript = 'array_subscript_handler'::regproc AND td.typelem <> 0 THEN format_type(td.typelem, {typmod}) ELSE format_type(td.oid, {typmod}) END)::text \
         FROM pg_type td JOIN pg_namespace tdn ON tdn.oid = td.typnamespace \
         LEFT JOIN pg_type te ON te.oid = td.typelem LEFT JOIN pg_namespace ten ON ten.oid = te.typnamespace \
         WHERE td.oid = {oid})"
    )
}

/// Turns a descriptor from [`type_desc_sql`] into a type.
pub(crate) fn type_from_desc(desc: &str) -> DataType {
    let v: serde_json::Value = serde_json::from_str(desc).unwrap_or_default();
    let is_array = v[0].as_bool().unwrap_or(false);
    let schema = v[1].as_str().unwrap_or("pg_catalog");
    let name = v[2].as_str().unwrap_or("");
    let fmt = v[3].as_str().unwrap_or("");
    let elem = if schema == "pg_catalog" {
        DataType::Builtin(fmt.to_string())
    } else {
        DataType::Named(QualifiedName::new(schema, name))
    };
    if is_array {
        DataType::Array(Box::new(elem))
    } else {
        elem
    }
}

const NOT_SYSTEM: &str = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

pub(crate) fn not_member(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '{class}'::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"
    )
}

/// Every extension of the database, whatever schema it is installed in: an extension is one per
/// database, so a declared one is matched wherever it lives (`Scope::restrict` and the pipeline
/// decide which are managed), so the query takes no schema list.
pub(crate) fn extensions_sql() -> String {
    "SELECT e.extname::text, n.nspname::text, e.extversion FROM pg_extension e \
     JOIN pg_namespace n ON n.oid = e.extnamespace \
     WHERE e.extname <> 'plpgsql' ORDER BY 1"
        .to_string()
}

pub(crate) fn extension_from_row(r: &Row) -> Result<Extension, RowError> {
    let r = Cols::new(r, "extensions");
    Ok(Extension {
        name: r.col(0)?,
        schema: Some(r.col(1)?),
        version: Some(r.col(2)?),
        comment: None,
    })
}

pub(crate) fn sequences_sql() -> String {
    format!(
        "SELECT n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, \
                s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
                own_n.nspname::text, own_c.relname::text, own_a.attname::text, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) \
         FROM pg_sequence s \
         JOIN pg_class c ON c.oid = s.seqrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid \
              AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') \
         LEFT JOIN pg_class own_c ON own_c.oid = dep.refobjid \
         LEFT JOIN pg_namespace own_n ON own_n.oid = own_c.relnamespace \
         LEFT JOIN pg_attribute own_a ON own_a.attrelid = dep.refobjid AND own_a.attnum = dep.refobjsubid \
         WHERE {NOT_SYSTEM} AND {} \
           AND (dep.deptype IS NULL OR dep.deptype = 'a') \
           AND NOT (own_a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) AND EXISTS ( \
                SELECT 1 FROM pg_attrdef ad WHERE ad.adrelid = dep.refobjid AND ad.adnum = dep.refobjsubid \
                  AND pg_get_expr(ad.adbin, ad.adrelid) = 'nextval(' || quote_literal(c.oid::regclass::text) || '::regclass)'))",
        not_member("pg_class", "c.oid")
    )
}

/// Default bounds of a sequence of type `ty` going up (`asc`) or down.
pub(crate) fn sequence_defaults(ty: &str, asc: bool) -> (i64, i64) {
    let (lo, hi) = match ty {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    if asc { (1, hi) } else { (lo, -1) }
}

pub(crate) fn sequence_from_row(r: &Row) -> Result<Sequence, RowError> {
    let r = Cols::new(r, "sequences");
    let ty: String = r.col(2)?;
    let start: i64 = r.col(3)?;
    let increment: i64 = r.col(4)?;
    let (min, max): (i64, i64) = (r.col(5)?, r.col(6)?);
    let (dmin, dmax) = sequence_defaults(&ty, increment > 0);
    let min = (min != dmin).then_some(min);
    let max = (max != dmax).then_some(max);
    let default_start = if increment > 0 {
        min.unwrap_or(dmin)
    } else {
        max.unwrap_or(dmax)
    };
    let owned_by = match (
        r.col::<Option<String>>(9)?,
        r.col::<Option<String>>(10)?,
        r.col::<Option<String>>(11)?,
    ) {
        (Some(s), Some(t), Some(c)) => Some((QualifiedName::new(s, t), c)),
        _ => None,
    };
    Ok(Sequence {
        schema: r.col(0)?,
        name: r.col(1)?,
        ty,
        start: (start != default_start).then_some(start),
        increment,
        min,
        max,
        cache: r.col(7)?,
        cycle: r.col(8)?,
        owned_by,
        comment: r.col(12)?,
    })
}

pub(crate) fn views_sql() -> String {
    format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm' AS materialized, \
                pg_get_viewdef(c.oid, true) AS def, COALESCE(c.reloptions::text[], '{{}}') AS options, \
                c.relispopulated, (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), \
                ARRAY(SELECT json_build_array(a.attname, cd.description)::text FROM pg_attribute a \
                      JOIN pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_class'::regclass AND cd.objsubid = a.attnum \
                      WHERE a.attrelid = c.oid ORDER BY a.attnum) AS column_comments \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {NOT_SYSTEM} AND {}",
        not_member("pg_class", "c.oid")
    )
}

pub(crate) fn view_from_row(r: &Row) -> Result<View, RowError> {
    let r = Cols::new(r, "views");
    let options: Vec<String> = r.col("options")?;
    let opt = |k: &str| {
        options
            .iter()
            .find_map(|o| o.strip_prefix(&format!("{k}=")).map(str::to_string))
    };
    let is_true = |k: &str| opt(k).is_some_and(|v| v == "true" || v == "on");
    let comments: Vec<String> = r.col("column_comments")?;
    let column_comments = comments
        .iter()
        .filter_map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).ok()?;
            Some((v[0].as_str()?.to_string(), v[1].as_str()?.to_string()))
        })
        .collect();
    let materialized: bool = r.col("materialized")?;
    Ok(View {
        schema: r.col(1)?,
        name: r.col(2)?,
        query: normalize_view_query(&r.col::<String>("def")?),
        materialized,
        check_option: opt("check_option").map(|v| v.to_ascii_uppercase()),
        security_barrier: is_true("security_barrier"),
        security_invoker: is_true("security_invoker"),
        with_data: materialized && r.col::<bool>("relispopulated")?,
        storage_params: if materialized {
            super::storage_params(Some(&options))
        } else {
            Default::default()
        },
        indexes: Vec::new(),
        triggers: Vec::new(),
        comment: r.col("description")?,
        column_comments,
    })
}

/// `pg_get_viewdef` ends with `;`; keep the query itself.
pub(crate) fn normalize_view_query(def: &str) -> String {
    def.trim().trim_end_matches(';').trim_end().to_string()
}

pub(crate) fn functions_sql(version: i32) -> String {
    let sqlbody = if version >= 140000 {
        "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END"
    } else {
        "NULL::text"
    };
    format!(
        "SELECT p.oid, n.nspname::text, p.proname::text, p.prokind::\"char\" AS kind, l.lanname::text AS lang, \
                p.prosrc, {sqlbody} AS sqlbody, p.provolatile::\"char\" AS volatile, p.proisstrict, p.prosecdef, \
                p.proparallel::\"char\" AS parallel, p.proleakproof, p.procost::text AS cost, p.prorows::text AS rows, \
                p.proretset, COALESCE(p.proconfig, '{{}}') AS config, COALESCE(p.proargnames, '{{}}') AS argnames, \
                COALESCE(p.proargmodes::text[], '{{}}') AS argmodes, \
                ARRAY(SELECT {} FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY u(t, i) ORDER BY i) AS argtypes, \
                pg_get_expr(p.proargdefaults, 0) AS argdefaults, \
                CASE WHEN p.prokind = 'f' THEN {} END AS rettype, (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0) \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang \
         WHERE p.prokind IN ('f', 'p') AND {NOT_SYSTEM} AND {}",
        type_desc_sql("u.t", "NULL"),
        type_desc_sql("p.prorettype", "NULL"),
        not_member("pg_proc", "p.oid")
    )
}

pub(crate) fn function_from_row(r: &Row) -> Result<Function, RowError> {
    let r = Cols::new(r, "functions");
    let kind: i8 = r.col("kind")?;
    let kind = if kind as u8 == b'p' {
        RoutineKind::Procedure
    } else {
        RoutineKind::Function
    };
    let names: Vec<String> = r.col("argnames")?;
    let modes: Vec<String> = r.col("argmodes")?;
    let types: Vec<String> = r.col("argtypes")?;
    let mut args = Vec::new();
    let mut table_cols = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let ty = type_from_desc(t);
        let name = names.get(i).filter(|n| !n.is_empty()).cloned();
        let mode = match modes.get(i).map(String::as_str) {
            Some("o") => ArgMode::Out,
            Some("b") => ArgMode::InOut,
            Some("v") => ArgMode::Variadic,
            Some("t") => {
                table_cols.push((name.unwrap_or_default(), ty));
                continue;
            }
            _ => ArgMode::In,
        };
        args.push(FunctionArg {
            name,
            ty,
            mode,
            default: None,
        });
    }
    // Defaults belong to the last input arguments.
    if let Some(defs) = r.col::<Option<String>>("argdefaults")? {
        let defs = split_top_level(&defs);
        let inputs: Vec<usize> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| a.mode != ArgMode::Out)
            .map(|(i, _)| i)
            .collect();
        let skip = inputs.len().saturating_sub(defs.len());
        for (idx, d) in inputs.iter().skip(skip).zip(defs) {
            args[*idx].default = Some(d.trim().to_string());
        }
    }
    let retset: bool = r.col("proretset")?;
    let returns = match (kind, r.col::<Option<String>>("rettype")?) {
        (RoutineKind::Procedure, _) | (_, None) => None,
        _ if !table_cols.is_empty() => Some(Returns::Table(table_cols)),
        (_, Some(desc)) => {
            let t = type_from_desc(&desc);
            Some(if retset {
                Returns::SetOf(t)
            } else {
                Returns::Type(t)
            })
        }
    };
    let language: String = r.col("lang")?;
    let body = match r.col::<Option<String>>("sqlbody")? {
        Some(body) => body,
        None => r.col("prosrc")?,
    };
    let volatility = match r.col::<i8>("volatile")? as u8 {
        b'i' => Volatility::Immutable,
        b's' => Volatility::Stable,
        _ => Volatility::Volatile,
    };
    let parallel = match r.col::<i8>("parallel")? as u8 {
        b's' => Parallel::Safe,
        b'r' => Parallel::Restricted,
        _ => Parallel::Unsafe,
    };
    let cost: String = r.col("cost")?;
    let default_cost = if language == "c" || language == "internal" {
        "1"
    } else {
        "100"
    };
    let rows: String = r.col("rows")?;
    let default_rows = if retset { "1000" } else { "0" };
    let mut config: Vec<(String, String)> = r
        .col::<Vec<String>>("config")?
        .iter()
        .filter_map(|c| {
            c.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    config.sort();
    Ok(Function {
        schema: r.col(1)?,
        name: r.col(2)?,
        kind,
        args,
        returns,
        language,
        body,
        volatility,
        strict: r.col("proisstrict")?,
        security_definer: r.col("prosecdef")?,
        parallel,
        leakproof: r.col("proleakproof")?,
        cost: (cost != default_cost).then_some(cost),
        rows: (rows != default_rows).then_some(rows),
        config,
        comment: r.col("description")?,
    })
}

pub(crate) fn triggers_sql(version: i32) -> String {
    let parent = if version >= 130000 {
        "t.tgparentid = 0"
    } else {
        "true"
    };
    format!(
        "SELECT t.tgrelid, t.tgname::text, t.tgtype::int AS tgtype, t.tgenabled::\"char\" AS enabled, \
                ARRAY(SELECT a.attname::text FROM unnest(t.tgattr) WITH ORDINALITY k(num, i) \
                      JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.num ORDER BY k.i) AS update_of, \
                fn.nspname::text AS fschema, f.proname::text AS fname, encode(t.tgargs, 'escape') AS args, t.tgnargs, \
                t.tgoldtable::text AS old_table, t.tgnewtable::text AS new_table, t.tgconstraint <> 0 AS is_constraint, \
                t.tgdeferrable, t.tginitdeferred, pg_get_triggerdef(t.oid) AS def, (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0) \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace \
         WHERE NOT t.tgisinternal AND {parent} AND {NOT_SYSTEM} AND {}",
        not_member("pg_class", "c.oid")
    )
}

/// Splits `encode(tgargs, 'escape')`: arguments end with a NUL byte each.
fn trigger_args(escaped: &str, n: i16) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = escaped.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let rest: String = chars.clone().take(3).collect();
            if rest == "000" {
                for _ in 0..3 {
                    chars.next();
                }
                out.push(std::mem::take(&mut cur));
                continue;
            }
            if chars.peek() == Some(&'\\') {
                chars.next();
                cur.push('\\');
                continue;
            }
            // Other octal escapes.
            if rest.len() == 3
                && rest.chars().all(|d| d.is_digit(8))
                && let Ok(b) = u8::from_str_radix(&rest, 8)
            {
                for _ in 0..3 {
                    chars.next();
                }
                cur.push(b as char);
                continue;
            }
        }
        cur.push(c);
    }
    out.truncate(n.max(0) as usize);
    out
}

/// The `WHEN (…)` condition of a trigger definition.
pub(crate) fn trigger_when(def: &str) -> Option<String> {
    let start = def.find(" WHEN (")? + " WHEN (".len();
    let end = def.rfind(") EXECUTE ")?;
    (end > start).then(|| def[start..end].to_string())
}

pub(crate) fn trigger_from_row(r: &Row) -> Result<Trigger, RowError> {
    let r = Cols::new(r, "triggers");
    let t: i32 = r.col("tgtype")?;
    let timing = if t & 64 != 0 {
        TriggerTiming::InsteadOf
    } else if t & 2 != 0 {
        TriggerTiming::Before
    } else {
        TriggerTiming::After
    };
    let update_of: Vec<String> = r.col("update_of")?;
    let events = TriggerEvents {
        insert: t & 4 != 0,
        delete: t & 8 != 0,
        update: t & 16 != 0 && update_of.is_empty(),
        update_of,
        truncate: t & 32 != 0,
    };
    let deferrable = match (
        r.col::<bool>("tgdeferrable")?,
        r.col::<bool>("tginitdeferred")?,
    ) {
        (false, _) => Deferrable::NotDeferrable,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    };
    let def: String = r.col("def")?;
    Ok(Trigger {
        name: r.col(1)?,
        timing,
        events,
        for_each_row: t & 1 != 0,
        when: trigger_when(&def),
        function: QualifiedName::new(r.col::<String>("fschema")?, r.col::<String>("fname")?),
        args: trigger_args(&r.col::<String>("args")?, r.col("tgnargs")?),
        old_table: r.col("old_table")?,
        new_table: r.col("new_table")?,
        constraint: r.col("is_constraint")?,
        deferrable,
        enabled: (r.col::<i8>("enabled")? as u8) as char,
        comment: r.col("description")?,
    })
}

pub(crate) fn policies_sql() -> String {
    format!(
        "SELECT p.polrelid, p.polname::text, p.polpermissive, p.polcmd::\"char\" AS cmd, \
                ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1) AS roles, \
                pg_get_expr(p.polqual, p.polrelid) AS using_expr, pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0) \
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {NOT_SYSTEM}"
    )
}

pub(crate) fn policy_from_row(r: &Row) -> Result<Policy, RowError> {
    let r = Cols::new(r, "policies");
    let command = match r.col::<i8>("cmd")? as u8 {
        b'r' => "SELECT",
        b'a' => "INSERT",
        b'w' => "UPDATE",
        b'd' => "DELETE",
        _ => "ALL",
    };
    Ok(Policy {
        name: r.col(1)?,
        permissive: r.col(2)?,
        command: command.to_string(),
        roles: r.col("roles")?,
        using: r.col("using_expr")?,
        check: r.col("check_expr")?,
        comment: r.col("description")?,
    })
}

pub(crate) fn excludes_sql() -> String {
    format!(
        "SELECT con.conrelid, con.conname::text, am.amname::text AS method, \
                ARRAY(SELECT pg_get_indexdef(con.conindid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS keys, \
                ARRAY(SELECT pg_get_indexdef(con.conindid, k, true) FROM generate_series(i.indnkeyatts + 1, i.indnatts) k ORDER BY k) AS include, \
                i.indkey::int2[] AS attnums, \
                ARRAY(SELECT o.oprname::text FROM unnest(con.conexclop) WITH ORDINALITY u(op, k) JOIN pg_operator o ON o.oid = u.op ORDER BY u.k) AS ops, \
                pg_get_expr(i.indpred, i.indrelid, true) AS pred, con.condeferrable, con.condeferred, (SELECT d.description FROM pg_description d WHERE d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0) \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_index i ON i.indexrelid = con.conindid JOIN pg_class ic ON ic.oid = con.conindid JOIN pg_am am ON am.oid = ic.relam \
         WHERE con.contype = 'x' AND con.conislocal AND con.conparentid = 0 AND {NOT_SYSTEM}"
    )
}

pub(crate) fn exclude_from_row(r: &Row) -> Result<Exclude, RowError> {
    let r = Cols::new(r, "exclusion constraints");
    let keys: Vec<String> = r.col("keys")?;
    let attnums: Vec<i16> = r.col("attnums")?;
    let ops: Vec<String> = r.col("ops")?;
    let elements = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let key = if attnums.get(i).copied().unwrap_or(0) != 0 {
                IndexKey::Column(unquote_ident(&k))
            } else {
                IndexKey::Expr(k)
            };
            (key, ops.get(i).cloned().unwrap_or_default())
        })
        .collect();
    let deferrable = match (
        r.col::<bool>("condeferrable")?,
        r.col::<bool>("condeferred")?,
    ) {
        (false, _) => Deferrable::NotDeferrable,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    };
    Ok(Exclude {
        name: r.col(1)?,
        method: r.col("method")?,
        elements,
        include: r
            .col::<Vec<String>>("include")?
            .iter()
            .map(|s| unquote_ident(s))
            .collect(),
        predicate: r.col("pred")?,
        deferrable,
        comment: r.col("description")?,
    })
}

/// Collations, read version-independently: the ICU locale column is `colliculocale` in
/// PostgreSQL 15 and 16 and `colllocale` from 17.
pub(crate) fn collations_sql() -> String {
    format!(
        "SELECT n.nspname::text, c.collname::text, \
                CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS provider, \
                COALESCE(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale') AS locale, \
                to_jsonb(c) ->> 'collcollate' AS lc_collate, to_jsonb(c) ->> 'collctype' AS lc_ctype, \
                c.collisdeterministic, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0) \
         FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace \
         WHERE {NOT_SYSTEM} AND {}",
        not_member("pg_collation", "c.oid")
    )
}

pub(crate) fn collation_from_row(r: &Row) -> Result<Collation, RowError> {
    let r = Cols::new(r, "collations");
    Ok(Collation {
        schema: r.col(0)?,
        name: r.col(1)?,
        provider: r.col("provider")?,
        locale: r.col("locale")?,
        lc_collate: r.col("lc_collate")?,
        lc_ctype: r.col("lc_ctype")?,
        deterministic: r.col("collisdeterministic")?,
        comment: r.col("description")?,
    }
    .canonical())
}

pub(crate) fn domains_sql() -> String {
    format!(
        "SELECT n.nspname::text, t.typname::text, {} AS base, t.typnotnull, t.typdefault, \
                CASE WHEN t.typcollation <> bt.typcollation AND t.typcollation <> 0 THEN co.collname::text END AS collation, \
                ARRAY(SELECT json_build_array(con.conname, pg_get_constraintdef(con.oid), (SELECT cd.description FROM pg_description cd WHERE cd.objoid = con.oid AND cd.classoid = 'pg_constraint'::regclass))::text \
                      FROM pg_constraint con                      WHERE con.contypid = t.oid AND con.contype = 'c' ORDER BY con.conname) AS checks, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type bt ON bt.oid = t.typbasetype \
         LEFT JOIN pg_collation co ON co.oid = t.typcollation \
         WHERE t.typtype = 'd' AND {NOT_SYSTEM} AND {}",
        type_desc_sql("t.typbasetype", "t.typtypmod"),
        not_member("pg_type", "t.oid")
    )
}

/// `CHECK ((VALUE > 0)) NOT VALID` → `(VALUE > 0)`.
pub(crate) fn check_body(def: &str) -> String {
    let d = def.trim();
    let d = d.strip_suffix(" NOT VALID").unwrap_or(d);
    let d = d.strip_suffix(" NO INHERIT").unwrap_or(d);
    match d.strip_prefix("CHECK (").and_then(|x| x.strip_suffix(')')) {
        Some(inner) => inner.to_string(),
        None => d.to_string(),
    }
}

pub(crate) fn domain_from_row(r: &Row) -> Result<Domain, RowError> {
    let r = Cols::new(r, "domains");
    let checks = r
        .col::<Vec<String>>("checks")?
        .iter()
        .filter_map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).ok()?;
            Some(Check {
                name: Some(v[0].as_str()?.to_string()),
                expr: check_body(v[1].as_str()?),
                comment: v[2].as_str().map(str::to_string),
                not_valid: v[1].as_str()?.trim_end().ends_with(" NOT VALID"),
                no_inherit: false,
            })
        })
        .collect();
    Ok(Domain {
        schema: r.col(0)?,
        name: r.col(1)?,
        base: type_from_desc(&r.col::<String>("base")?),
        not_null: r.col("typnotnull")?,
        default: r.col("typdefault")?,
        collation: r.col("collation")?,
        checks,
        comment: r.col("description")?,
    })
}

pub(crate) fn composites_sql() -> String {
    format!(
        "SELECT n.nspname::text, t.typname::text, \
                ARRAY(SELECT json_build_array(a.attname, {}::json, \
                                CASE WHEN a.attcollation <> ft.typcollation AND a.attcollation <> 0 \
                                     THEN (SELECT co.collname FROM pg_collation co WHERE co.oid = a.attcollation) END)::text \
                      FROM pg_attribute a JOIN pg_type ft ON ft.oid = a.atttypid \
                      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS fields, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' \
         WHERE t.typtype = 'c' AND {NOT_SYSTEM} AND {}",
        type_desc_sql("a.atttypid", "a.atttypmod"),
        not_member("pg_type", "t.oid")
    )
}

pub(crate) fn composite_from_row(r: &Row) -> Result<Composite, RowError> {
    let r = Cols::new(r, "composite types");
    let mut collations = std::collections::BTreeMap::new();
    let fields = r
        .col::<Vec<String>>("fields")?
        .iter()
        .filter_map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).ok()?;
            let name = v[0].as_str()?.to_string();
            if let Some(c) = v[2].as_str() {
                collations.insert(name.clone(), c.to_string());
            }
            Some((name, type_from_desc(&v[1].to_string())))
        })
        .collect();
    Ok(Composite {
        schema: r.col(0)?,
        name: r.col(1)?,
        fields,
        collations,
        comment: r.col("description")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_parts() {
        assert_eq!(trigger_args("a\\000b c\\000", 2), vec!["a", "b c"]);
        assert_eq!(trigger_args("x\\\\y\\000", 1), vec!["x\\y"]);
        assert_eq!(
            trigger_when("CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION f()").as_deref(),
            Some("(old.* IS DISTINCT FROM new.*)")
        );
    }

    #[test]
    fn type_descriptors() {
        assert_eq!(
            type_from_desc(r#"[false,"pg_catalog","int4","integer"]"#),
            DataType::builtin("integer")
        );
        assert_eq!(
            type_from_desc(r#"[true,"public","mood","mood"]"#),
            DataType::Array(Box::new(DataType::Named(QualifiedName::new(
                "public", "mood"
            ))))
        );
        assert_eq!(check_body("CHECK ((VALUE > 0)) NOT VALID"), "(VALUE > 0)");
    }
}
