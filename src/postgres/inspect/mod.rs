//! Reads a live database into the [`Model`] with one bulk catalog query per object kind (all
//! tables at once, never a query per table). The queries run pipelined on one connection.

pub mod deps;
pub mod objects;
pub mod unmanaged;

use crate::model::{
    Check, Column, DataType, Deferrable, Enum, ForeignKey, Identity, Index, IndexKey, IndexPart,
    Model, PartitionKey, PartitionOf, PartitionStrategy, PrimaryKey, QualifiedName,
    ReferentialAction, ReplicaIdentity, Schema, SerialKind, Table, Unique, View,
};
use crate::postgres::connect::error_text;
use crate::postgres::rows::{Cols, RowError, col};
use miette::{Diagnostic, Result};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;
use tokio_postgres::{GenericClient, Row};
pub use unmanaged::Unmanaged;

/// A catalog query failed.
#[derive(Debug, Error, Diagnostic)]
#[error("could not inspect the database ({what}): {reason}")]
#[diagnostic(code(strata::inspect))]
pub struct InspectError {
    pub what: &'static str,
    pub reason: String,
    /// The query gave up waiting for a lock another session holds (`lock_timeout`).
    pub locked: bool,
}

impl InspectError {
    /// A failed catalog query reading `what`.
    pub fn query(what: &'static str, e: &tokio_postgres::Error) -> InspectError {
        InspectError {
            what,
            reason: error_text(e),
            locked: e
                .as_db_error()
                .is_some_and(|d| d.code() == &tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE),
        }
    }
}

impl From<RowError> for InspectError {
    fn from(e: RowError) -> InspectError {
        InspectError {
            what: e.what,
            reason: e.detail(),
            locked: false,
        }
    }
}

/// Which schemas to read.
#[derive(Debug, Clone, Default)]
pub struct SchemaFilter {
    /// Only these schemas; `None` reads every schema that is not a system or extension schema.
    pub schemas: Option<Vec<String>>,
}

impl SchemaFilter {
    /// The schemas of a plan's scope (an empty list reads no schema).
    pub fn of(scope: &crate::model::Scope) -> SchemaFilter {
        SchemaFilter {
            schemas: Some(scope.schemas.clone()),
        }
    }

    /// The `schemas` setting: an empty list reads every schema.
    pub fn listed(schemas: &[String]) -> SchemaFilter {
        SchemaFilter {
            schemas: (!schemas.is_empty()).then(|| schemas.to_vec()),
        }
    }
}

/// The PostgreSQL comment PostgreSQL gives the `public` schema; treated as no comment.
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

/// Reads the schemas in `scope` from the database behind `client`.
pub async fn inspect<C: GenericClient + Sync>(client: &C, scope: &SchemaFilter) -> Result<Model> {
    inspect_on(client, client, scope).await
}

/// [`inspect`] with the largest query (columns) on a second connection, so the server works
/// on both at once. Both must be connected to the same database.
pub async fn inspect_on<C: GenericClient + Sync>(
    client: &C,
    second: &C,
    scope: &SchemaFilter,
) -> Result<Model> {
    Ok(inspect_full(client, second, scope, false).await?.0)
}

/// [`inspect_on`] for the *target* database: also reads, in the same pipeline, the non-default
/// values of attributes strata does not manage ([`Unmanaged`]), for the commands to warn about.
/// Scratch databases are inspected without them.
pub async fn inspect_target<C: GenericClient + Sync>(
    client: &C,
    second: &C,
    scope: &SchemaFilter,
) -> Result<(Model, Vec<Unmanaged>)> {
    Ok(inspect_full(client, second, scope, true).await?)
}

async fn inspect_full<C: GenericClient + Sync>(
    client: &C,
    second: &C,
    scope: &SchemaFilter,
    with_unmanaged: bool,
) -> Result<(Model, Vec<Unmanaged>), InspectError> {
    let version = server_version(client).await?;
    let schemas: Option<Vec<String>> = scope.schemas.clone();
    let p: &(dyn tokio_postgres::types::ToSql + Sync) = &schemas;
    let nulls_not_distinct = if version >= 150000 {
        "i.indnullsnotdistinct"
    } else {
        "false"
    };
    let index_sql = INDEXES.replace("{NULLS_NOT_DISTINCT}", nulls_not_distinct);
    let column_sql = COLUMNS.replace(
        "{COMPRESSION}",
        if version >= 140000 {
            "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END"
        } else {
            "NULL::text"
        },
    );
    let unique_sql = CONSTRAINTS.replace("{NULLS_NOT_DISTINCT}", nulls_not_distinct);
    let (
        ext_sql,
        seq_sql,
        view_sql,
        fn_sql,
        trig_sql,
        pol_sql,
        excl_sql,
        dom_sql,
        comp_sql,
        coll_sql,
    ) = (
        objects::extensions_sql(),
        objects::sequences_sql(),
        objects::views_sql(),
        objects::functions_sql(version),
        objects::triggers_sql(version),
        objects::policies_sql(),
        objects::excludes_sql(),
        objects::domains_sql(),
        objects::composites_sql(),
        objects::collations_sql(),
    );
    let unmanaged_sql = if with_unmanaged {
        unmanaged::unmanaged_sql(version)
    } else {
        String::new()
    };
    // All queries pipelined on the one connection.
    let (
        (
            schema_rows,
            table_rows,
            column_rows,
            constraint_rows,
            index_rows,
            enum_rows,
            opclass_rows,
        ),
        (
            ext_rows,
            seq_rows,
            view_rows,
            fn_rows,
            trig_rows,
            pol_rows,
            excl_rows,
            dom_rows,
            comp_rows,
            coll_rows,
            mut unmanaged_rows,
        ),
    ) = tokio::try_join!(
        async {
            tokio::try_join!(
                query(client, "schemas", SCHEMAS, p),
                query(client, "tables", TABLES, p),
                query_map(second, "columns", &column_sql, p, |r| {
                    Ok((
                        col::<u32, _>(r, "attrelid", "columns")?,
                        col::<i16, _>(r, "attnum", "columns")?,
                        column_from_row(r)?,
                    ))
                }),
                query_map(client, "constraints", &unique_sql, p, ConRow::from_row),
                query_map(second, "indexes", &index_sql, p, IdxRow::from_row),
                query(client, "enums", ENUMS, p),
                query(client, "operator classes", OPCLASSES, p),
            )
        },
        async {
            tokio::try_join!(
                query(client, "extensions", &ext_sql, p),
                query(client, "sequences", &seq_sql, p),
                query(client, "views", &view_sql, p),
                query(client, "functions", &fn_sql, p),
                query(client, "triggers", &trig_sql, p),
                query(client, "policies", &pol_sql, p),
                query(client, "exclusion constraints", &excl_sql, p),
                query(client, "domains", &dom_sql, p),
                query(client, "composite types", &comp_sql, p),
                query(second, "collations", &coll_sql, p),
                async {
                    if with_unmanaged {
                        query_map(
                            client,
                            "unmanaged attributes",
                            &unmanaged_sql,
                            p,
                            Unmanaged::from_row,
                        )
                        .await
                    } else {
                        Ok(Vec::new())
                    }
                },
            )
        }
    )?;

    crate::timing::stage("inspect: rows fetched");
    let mut model = Model::default();
    for r in &schema_rows {
        let r = Cols::new(r, "schemas");
        let name: String = r.col(0)?;
        let mut comment: Option<String> = r.col(1)?;
        if name == "public" && comment.as_deref() == Some(PUBLIC_SCHEMA_COMMENT) {
            comment = None;
        }
        model.schemas.insert(
            name.clone(),
            Schema {
                name,
                comment,
                ..Default::default()
            },
        );
    }

    // Tables, keyed by oid so the other rows can find theirs.
    let mut by_oid: HashMap<u32, Table> = HashMap::with_capacity(table_rows.len());
    for r in &table_rows {
        let r = Cols::new(r, "tables");
        let oid: u32 = r.col(0)?;
        let schema: String = r.col(1)?;
        let name: String = r.col(2)?;
        let partkey: Option<String> = r.col(4)?;
        let partition = match partkey {
            Some(def) => Some(parse_partition_key(&def).ok_or_else(|| InspectError {
                what: "tables",
                reason: format!("cannot read the partition key {def:?} of {schema}.{name}"),
                locked: false,
            })?),
            None => None,
        };
        let partition_of = match (
            r.col::<Option<String>>(8)?,
            r.col::<Option<String>>(9)?,
            r.col::<Option<String>>(10)?,
        ) {
            (Some(ps), Some(pn), Some(bound)) => Some(PartitionOf {
                parent: QualifiedName::new(ps, pn),
                bound,
            }),
            _ => None,
        };
        by_oid.insert(
            oid,
            Table {
                schema,
                name,
                comment: r.col(3)?,
                partition,
                partition_of,
                storage_params: storage_params(
                    r.col::<Option<Vec<String>>>("storage_params")?.as_deref(),
                ),
                replica_identity: match r.col::<i8>("relreplident")? as u8 {
                    b'f' => ReplicaIdentity::Full,
                    b'n' => ReplicaIdentity::Nothing,
                    // An index that was dropped leaves 'i' without one: nothing is logged.
                    b'i' => match r.col::<Option<String>>("replident_index")? {
                        Some(ix) => ReplicaIdentity::Index(ix),
                        None => ReplicaIdentity::Nothing,
                    },
                    _ => ReplicaIdentity::Default,
                },
                inherits: r
                    .col::<Option<Vec<String>>>("inherits")?
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|j| {
                        let v: serde_json::Value = serde_json::from_str(j).ok()?;
                        Some(QualifiedName::new(v[0].as_str()?, v[1].as_str()?))
                    })
                    .collect(),
                rls_enabled: r.col(5)?,
                rls_forced: r.col(6)?,
                unlogged: r.col(7)?,
                ..Default::default()
            },
        );
    }
    let mut views: HashMap<u32, View> = HashMap::with_capacity(view_rows.len());
    for r in &view_rows {
        views.insert(col(r, 0, "views")?, objects::view_from_row(r)?);
    }

    // Column names by (relation, attnum), for constraints and indexes that list attnums.
    let mut attnames: HashMap<(u32, i16), String> = HashMap::with_capacity(column_rows.len());
    for (oid, num, col) in column_rows {
        attnames.insert((oid, num), col.name.clone());
        if let Some(table) = by_oid.get_mut(&oid) {
            table.columns.push(col);
        }
    }
    // Inherited columns are not the child's own, but its constraints and indexes may use them.
    let mut known: std::collections::HashSet<u32> = attnames.keys().map(|(o, _)| *o).collect();
    for (oid, t) in &by_oid {
        if !t.inherits.is_empty() {
            known.remove(oid);
        }
    }
    let missing: Vec<u32> = constraint_rows
        .iter()
        .flat_map(|r| [r.conrelid, r.confrelid])
        .chain(index_rows.iter().map(|r| r.rel))
        .filter(|oid| *oid != 0 && !known.contains(oid))
        .collect::<std::collections::BTreeSet<u32>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let rows = client
            .query(
                "SELECT attrelid, attnum, attname::text FROM pg_attribute WHERE attrelid = ANY($1) AND attnum > 0 AND NOT attisdropped",
                &[&missing],
            )
            .await
            .map_err(|e| InspectError::query("constraint columns", &e))?;
        for r in &rows {
            let r = Cols::new(r, "constraint columns");
            attnames.insert((r.col(0)?, r.col(1)?), r.col(2)?);
        }
    }
    let names_of = |rel: u32, nums: &[i16]| -> Vec<String> {
        nums.iter()
            .map(|n| attnames.get(&(rel, *n)).cloned().unwrap_or_default())
            .collect()
    };
    let attname = |rel: u32, n: i16| attnames.get(&(rel, n)).cloned().unwrap_or_default();
    // Non-default operator classes by oid, as they are spelled in DDL.
    let opclasses: HashMap<u32, String> = opclass_rows
        .iter()
        .map(|r| {
            Ok((
                col(r, 0, "operator classes")?,
                col(r, 1, "operator classes")?,
            ))
        })
        .collect::<Result<_, RowError>>()?;
    let opclass = |oid: u32| opclasses.get(&oid).cloned();
    for r in index_rows {
        let oid = r.rel;
        if let Some(table) = by_oid.get_mut(&oid) {
            let attached = r.attached;
            let index = r.into_index(&attname, &opclass);
            // A partition's index attached to its parent's is implied by the parent's index,
            // unless PostgreSQL would name it otherwise: then its name is the partition's own.
            if attached
                && index.name
                    == crate::postgres::names::partition_index(
                        &table.name,
                        &index.parts,
                        &index.include,
                    )
            {
                continue;
            }
            table.indexes.push(index);
        } else if let Some(view) = views.get_mut(&oid) {
            view.indexes.push(r.into_index(&attname, &opclass));
        }
    }
    for r in constraint_rows {
        let oid = r.conrelid;
        let Some(table) = by_oid.get_mut(&oid) else {
            continue;
        };
        let columns = names_of(oid, &r.conkey);
        let include = match (&r.indkey, r.indnkeyatts) {
            (Some(k), Some(n)) => names_of(oid, &k[(n.max(0) as usize).min(k.len())..]),
            _ => Vec::new(),
        };
        match r.contype {
            b'p' => {
                table.primary_key = Some(PrimaryKey {
                    name: r.name,
                    columns,
                    include,
                    deferrable: r.deferrable,
                    comment: r.comment,
                });
            }
            b'u' => table.uniques.push(Unique {
                name: r.name,
                columns,
                include,
                nulls_distinct: !r.nulls_not_distinct,
                deferrable: r.deferrable,
                comment: r.comment,
            }),
            b'c' => table.checks.push(Check {
                name: Some(r.name),
                expr: r.check_expr.unwrap_or_default(),
                comment: r.comment,
                not_valid: !r.validated,
                no_inherit: r.no_inherit,
            }),
            b'f' => table.foreign_keys.push(ForeignKey {
                name: r.name,
                columns,
                ref_table: QualifiedName::new(
                    r.ref_schema.unwrap_or_default(),
                    r.ref_table.unwrap_or_default(),
                ),
                ref_columns: names_of(r.confrelid, &r.confkey),
                on_update: action(r.confupdtype),
                on_delete: action(r.confdeltype),
                deferrable: r.deferrable,
                comment: r.comment,
                not_valid: !r.validated,
            }),
            _ => {}
        }
    }

    for r in &trig_rows {
        let oid: u32 = col(r, 0, "triggers")?;
        if let Some(table) = by_oid.get_mut(&oid) {
            table.triggers.push(objects::trigger_from_row(r)?);
        } else if let Some(view) = views.get_mut(&oid) {
            view.triggers.push(objects::trigger_from_row(r)?);
        }
    }
    for r in &pol_rows {
        if let Some(table) = by_oid.get_mut(&col(r, 0, "policies")?) {
            table.policies.push(objects::policy_from_row(r)?);
        }
    }
    for r in &excl_rows {
        if let Some(table) = by_oid.get_mut(&col(r, 0, "exclusion constraints")?) {
            table.excludes.push(objects::exclude_from_row(r)?);
        }
    }
    for (_, view) in views {
        if let Some(schema) = model.schemas.get_mut(&view.schema) {
            schema.views.insert(view.name.clone(), view);
        }
    }
    for r in &ext_rows {
        let e = objects::extension_from_row(r)?;
        model.extensions.insert(e.name.clone(), e);
    }
    for r in &seq_rows {
        let s = objects::sequence_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&s.schema) {
            schema.sequences.insert(s.name.clone(), s);
        }
    }
    for r in &fn_rows {
        let f = objects::function_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&f.schema) {
            schema
                .functions
                .insert(crate::postgres::types::signature(&f), f);
        }
    }
    for r in &coll_rows {
        let c = objects::collation_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&c.schema) {
            schema.collations.insert(c.name.clone(), c);
        }
    }
    for r in &dom_rows {
        let d = objects::domain_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&d.schema) {
            schema.domains.insert(d.name.clone(), d);
        }
    }
    for r in &comp_rows {
        let c = objects::composite_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&c.schema) {
            schema.composites.insert(c.name.clone(), c);
        }
    }

    for (_, mut table) in by_oid {
        table.sort();
        if let Some(schema) = model.schemas.get_mut(&table.schema) {
            schema.tables.insert(table.name.clone(), table);
        }
    }

    for r in &enum_rows {
        let r = Cols::new(r, "enums");
        let schema: String = r.col(0)?;
        let e = Enum {
            schema: schema.clone(),
            name: r.col(1)?,
            values: r.col(2)?,
            comment: r.col(3)?,
        };
        if let Some(s) = model.schemas.get_mut(&schema) {
            s.enums.insert(e.name.clone(), e);
        }
    }
    model.sort();
    unmanaged_rows.sort();
    crate::timing::stage("inspect: model built");
    Ok((model, unmanaged_rows))
}

async fn server_version<C: GenericClient + Sync>(client: &C) -> Result<i32, InspectError> {
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .map_err(|e| InspectError::query("server version", &e))?;
    Ok(col(&row, 0, "server version")?)
}

async fn query<C: GenericClient + Sync>(
    client: &C,
    what: &'static str,
    sql: &str,
    schemas: &(dyn tokio_postgres::types::ToSql + Sync),
) -> Result<Vec<Row>, InspectError> {
    let started = std::time::Instant::now();
    let rows = client
        .query(sql, &[schemas])
        .await
        .map_err(|e| InspectError::query(what, &e))?;
    if std::env::var_os("STRATA_TIMING").is_some() {
        eprintln!(
            "[timing] inspect {what}: {:?} ({} rows)",
            started.elapsed(),
            rows.len()
        );
    }
    Ok(rows)
}

/// Runs a query and maps each row as it arrives, so large results never sit in memory as rows.
async fn query_map<C: GenericClient + Sync, T>(
    client: &C,
    what: &'static str,
    sql: &str,
    schemas: &(dyn tokio_postgres::types::ToSql + Sync),
    f: impl Fn(&Row) -> Result<T, RowError>,
) -> Result<Vec<T>, InspectError> {
    use futures_util::TryStreamExt;
    let started = std::time::Instant::now();
    let err = |e: tokio_postgres::Error| InspectError::query(what, &e);
    let stream = client.query_raw(sql, [schemas]).await.map_err(err)?;
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(err)? {
        out.push(f(&row)?);
    }
    if std::env::var_os("STRATA_TIMING").is_some() {
        eprintln!(
            "[timing] inspect {what}: {:?} ({} rows)",
            started.elapsed(),
            out.len()
        );
    }
    Ok(out)
}

fn column_from_row(r: &Row) -> Result<Column, RowError> {
    let r = Cols::new(r, "columns");
    let fmt: String = r.col::<Option<String>>("fmt")?.unwrap_or_default();
    let typschema: String = r.col("typschema")?;
    let typname: String = r.col("typname")?;
    let is_array: bool = r.col("is_array")?;
    let ty = if is_array {
        let elem_schema: String = r.col("elemschema")?;
        let elem = if elem_schema == "pg_catalog" {
            DataType::Builtin(r.col::<Option<String>>("elemfmt")?.unwrap_or_default())
        } else {
            DataType::Named(QualifiedName::new(
                elem_schema,
                r.col::<String>("elemname")?,
            ))
        };
        DataType::Array(Box::new(elem))
    } else if typschema == "pg_catalog" {
        DataType::Builtin(fmt.clone())
    } else {
        DataType::Named(QualifiedName::new(typschema, typname))
    };
    let mut default: Option<String> = r.col("def")?;
    let serial: bool = r.col("is_serial")?;
    let ty = match (&ty, serial) {
        (DataType::Builtin(b), true) => match SerialKind::from_integer_type(b) {
            Some(kind) => {
                default = None;
                DataType::Serial(kind)
            }
            None => ty,
        },
        _ => ty,
    };
    let identity_kind: i8 = r.col("attidentity")?;
    let identity = match identity_kind as u8 {
        b'a' | b'd' => {
            let increment = r.col::<Option<i64>>("seqincrement")?.unwrap_or(1);
            let seqtype: Option<String> = r.col("seqtype")?;
            let (lo, hi) =
                objects::sequence_defaults(seqtype.as_deref().unwrap_or("bigint"), increment > 0);
            let min = r.col::<Option<i64>>("seqmin")?.unwrap_or(lo);
            let max = r.col::<Option<i64>>("seqmax")?.unwrap_or(hi);
            Some(Box::new(Identity {
                always: identity_kind as u8 == b'a',
                start: r.col::<Option<i64>>("seqstart")?.unwrap_or(1),
                increment,
                min_value: (min != lo).then_some(min),
                max_value: (max != hi).then_some(max),
                cache: r.col::<Option<i64>>("seqcache")?.unwrap_or(1),
                cycle: r.col::<Option<bool>>("seqcycle")?.unwrap_or(false),
            }))
        }
        _ => None,
    };
    let generated_kind: i8 = r.col("attgenerated")?;
    let generated = if generated_kind as u8 == b's' {
        default.take()
    } else {
        None
    };
    Ok(Column {
        name: r.col("attname")?,
        ty,
        nullable: !r.col::<bool>("attnotnull")?,
        default,
        identity,
        generated,
        collation: r.col("collation")?,
        comment: r.col("comment")?,
        storage: r
            .col::<Option<String>>("storage")?
            .as_deref()
            .and_then(crate::model::Storage::parse),
        compression: r
            .col::<Option<String>>("compression")?
            .as_deref()
            .and_then(crate::model::Compression::parse),
        statistics: r.col::<Option<i32>>("statistics")?,
    })
}

/// `reloptions` (`{fillfactor=70,autovacuum_enabled=off}`) as a map.
fn storage_params(options: Option<&[String]>) -> std::collections::BTreeMap<String, String> {
    options
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An index row, kept small until column names are known.
struct IdxRow {
    rel: u32,
    name: String,
    unique: bool,
    method: String,
    nkey: i16,
    attnums: Vec<i16>,
    exprs: Vec<Option<String>>,
    options: Vec<i16>,
    opclasses: Vec<u32>,
    collations: Vec<Option<String>>,
    predicate: Option<String>,
    nulls_not_distinct: bool,
    comment: Option<String>,
    valid: bool,
    storage_params: Option<Vec<String>>,
    /// `[[attnum, opclass, [option, …]], …]` for the keys with operator-class parameters.
    opclass_params: Option<serde_json::Value>,
    /// Attached to an index of the partitioned parent.
    attached: bool,
}

impl IdxRow {
    fn from_row(r: &Row) -> Result<IdxRow, RowError> {
        let r = Cols::new(r, "indexes");
        Ok(IdxRow {
            rel: r.col("indrelid")?,
            name: r.col("indname")?,
            unique: r.col("indisunique")?,
            method: r.col("amname")?,
            nkey: r.col("indnkeyatts")?,
            attnums: r.col("attnums")?,
            exprs: r
                .col::<Option<Vec<Option<String>>>>("exprs")?
                .unwrap_or_default(),
            options: r.col("options")?,
            opclasses: r.col("opclasses")?,
            collations: r
                .col::<Option<Vec<Option<String>>>>("collations")?
                .unwrap_or_default(),
            predicate: r.col("pred")?,
            nulls_not_distinct: r.col("nulls_not_distinct")?,
            comment: r.col("comment")?,
            valid: r.col("indisvalid")?,
            storage_params: r.col("storage_params")?,
            opclass_params: r.col("opclass_params")?,
            attached: r.col("attached")?,
        })
    }

    /// The operator class and its parameters of key `attnum` (1-based), when it has any.
    fn opclass_params(&self, attnum: usize) -> Option<(String, BTreeMap<String, String>)> {
        let rows = self.opclass_params.as_ref()?.as_array()?;
        rows.iter().find_map(|row| {
            let [num, opclass, options] = row.as_array()?.as_slice() else {
                return None;
            };
            if num.as_u64()? != attnum as u64 {
                return None;
            }
            let opclass = opclass.as_str()?.to_string();
            let options: Vec<String> = options
                .as_array()?
                .iter()
                .filter_map(|o| o.as_str().map(str::to_string))
                .collect();
            Some((opclass, storage_params(Some(&options))))
        })
    }

    fn into_index(
        self,
        attname: &dyn Fn(u32, i16) -> String,
        opclass: &dyn Fn(u32) -> Option<String>,
    ) -> Index {
        let mut parts = Vec::new();
        let mut include = Vec::new();
        for (i, n) in self.attnums.iter().enumerate() {
            let key = if *n == 0 {
                IndexKey::Expr(self.exprs.get(i).cloned().flatten().unwrap_or_default())
            } else {
                IndexKey::Column(attname(self.rel, *n))
            };
            if i as i16 >= self.nkey {
                if let IndexKey::Column(c) = key {
                    include.push(c);
                }
                continue;
            }
            let opt = self.options.get(i).copied().unwrap_or(0);
            // A parametrized operator class is written even when it is the type's default:
            // the parameters cannot be spelled without it.
            let (opclass, opclass_params) = match self.opclass_params(i + 1) {
                Some((name, params)) => (Some(name), params),
                None => (
                    self.opclasses.get(i).and_then(|o| opclass(*o)),
                    BTreeMap::new(),
                ),
            };
            parts.push(IndexPart {
                key,
                desc: opt & 1 != 0,
                nulls_first: opt & 2 != 0,
                opclass,
                opclass_params,
                collation: self.collations.get(i).cloned().flatten(),
            });
        }
        Index {
            name: self.name,
            unique: self.unique,
            method: self.method,
            parts,
            include,
            predicate: self.predicate,
            nulls_distinct: !self.nulls_not_distinct,
            comment: self.comment,
            storage_params: storage_params(self.storage_params.as_deref()),
            invalid: !self.valid,
        }
    }
}

/// A constraint row, kept small until column names are known.
struct ConRow {
    conrelid: u32,
    name: String,
    contype: u8,
    conkey: Vec<i16>,
    confkey: Vec<i16>,
    confrelid: u32,
    ref_schema: Option<String>,
    ref_table: Option<String>,
    confupdtype: i8,
    confdeltype: i8,
    deferrable: Deferrable,
    check_expr: Option<String>,
    indkey: Option<Vec<i16>>,
    indnkeyatts: Option<i16>,
    nulls_not_distinct: bool,
    comment: Option<String>,
    validated: bool,
    no_inherit: bool,
}

impl ConRow {
    fn from_row(r: &Row) -> Result<ConRow, RowError> {
        let r = Cols::new(r, "constraints");
        Ok(ConRow {
            conrelid: r.col("conrelid")?,
            name: r.col("conname")?,
            contype: r.col::<i8>("contype")? as u8,
            conkey: r.col::<Option<Vec<i16>>>("conkey")?.unwrap_or_default(),
            confkey: r.col::<Option<Vec<i16>>>("confkey")?.unwrap_or_default(),
            confrelid: r.col("confrelid")?,
            ref_schema: r.col("ref_schema")?,
            ref_table: r.col("ref_table")?,
            confupdtype: r.col("confupdtype")?,
            confdeltype: r.col("confdeltype")?,
            deferrable: deferrable(r)?,
            check_expr: r.col("check_expr")?,
            indkey: r.col("indkey")?,
            indnkeyatts: r.col("indnkeyatts")?,
            nulls_not_distinct: r.col("nulls_not_distinct")?,
            comment: r.col("comment")?,
            validated: r.col("convalidated")?,
            no_inherit: r.col("connoinherit")?,
        })
    }
}

fn action(code: i8) -> ReferentialAction {
    match code as u8 {
        b'r' => ReferentialAction::Restrict,
        b'c' => ReferentialAction::Cascade,
        b'n' => ReferentialAction::SetNull,
        b'd' => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

fn deferrable(r: Cols<'_>) -> Result<Deferrable, RowError> {
    Ok(
        match (
            r.col::<bool>("condeferrable")?,
            r.col::<bool>("condeferred")?,
        ) {
            (false, _) => Deferrable::NotDeferrable,
            (true, false) => Deferrable::InitiallyImmediate,
            (true, true) => Deferrable::InitiallyDeferred,
        },
    )
}

/// `pg_get_indexdef` prints column keys with `quote_ident`: undo it.
pub fn unquote_ident(s: &str) -> String {
    crate::postgres::ident::parse(s).unwrap_or_else(|| s.to_string())
}

/// Parses `pg_get_partkeydef` output such as `RANGE (a, ((d + 1)))`.
pub fn parse_partition_key(def: &str) -> Option<PartitionKey> {
    let (strategy, rest) = def.split_once(' ')?;
    let strategy = match strategy {
        "RANGE" => PartitionStrategy::Range,
        "LIST" => PartitionStrategy::List,
        "HASH" => PartitionStrategy::Hash,
        _ => return None,
    };
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let parts = split_top_level(inner)
        .into_iter()
        .map(|p| {
            let p = p.trim();
            if let Some(e) = p.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
                IndexKey::Expr(e.to_string())
            } else if p.contains('(') {
                IndexKey::Expr(p.to_string())
            } else {
                IndexKey::Column(unquote_ident(p))
            }
        })
        .collect();
    Some(PartitionKey { strategy, parts })
}

/// Splits on commas that are outside parentheses and quotes.
pub fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for ch in s.chars() {
        match quote {
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                cur.push(ch);
            }
            None => match ch {
                '\'' | '"' => {
                    quote = Some(ch);
                    cur.push(ch);
                }
                '(' | '[' => {
                    depth += 1;
                    cur.push(ch);
                }
                ')' | ']' => {
                    depth -= 1;
                    cur.push(ch);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(ch),
            },
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

const SCHEMAS: &str = "
SELECT n.nspname::text, (SELECT d.description FROM pg_description d WHERE d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0)
FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_namespace'::regclass AND dep.objid = n.oid AND dep.deptype = 'e')
ORDER BY 1";

const TABLES: &str = "
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

const COLUMNS: &str = "
SELECT a.attrelid, a.attname::text, a.attnum,
       CASE WHEN tn.nspname = 'pg_catalog' THEN format_type(a.atttypid, a.atttypmod) END AS fmt,
       tn.nspname::text AS typschema, t.typname::text AS typname,
       (t.typsubscript = 'array_subscript_handler'::regproc AND t.typelem <> 0) AS is_array,
       en.nspname::text AS elemschema, et.typname::text AS elemname,
       CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc AND t.typelem <> 0 THEN format_type(t.typelem, a.atttypmod) END AS elemfmt,
       a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid) AS def,
       a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN co.collname::text END AS collation,
       (SELECT d.description FROM pg_description d WHERE d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum) AS comment,
       CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
            WHEN 'm' THEN 'main' WHEN 'x' THEN 'extended' END END AS storage,
       {COMPRESSION} AS compression,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::int END AS statistics,
       seq.seqstart, seq.seqincrement, seq.seqmin, seq.seqmax, seq.seqcache, seq.seqcycle,
       format_type(seq.seqtypid, NULL) AS seqtype,
       COALESCE(seq.deptype = 'a' AND pg_get_expr(ad.adbin, ad.adrelid) = 'nextval(' || quote_literal(seq.objid::regclass::text) || '::regclass)', false) AS is_serial
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem
LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
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
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))
ORDER BY a.attrelid, a.attnum";

const CONSTRAINTS: &str = "
SELECT con.conrelid, con.conname::text, con.contype::\"char\" AS contype, con.convalidated, con.connoinherit,
       con.conkey, con.confkey, con.confrelid,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       con.confupdtype::\"char\" AS confupdtype, con.confdeltype::\"char\" AS confdeltype,
       con.condeferrable, con.condeferred,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       i.indkey::int2[] AS indkey, i.indnkeyatts,
       COALESCE({NULLS_NOT_DISTINCT}, false) AS nulls_not_distinct,
       (SELECT d.description FROM pg_description d WHERE d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0) AS comment
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE con.contype IN ('p', 'u', 'f', 'c') AND c.relkind IN ('r', 'p')
  AND con.conislocal AND con.conparentid = 0
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

const INDEXES: &str = "
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
const OPCLASSES: &str = "
SELECT oc.oid, CASE WHEN ocn.nspname = 'pg_catalog' THEN oc.opcname::text
                    ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
FROM pg_opclass oc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE NOT oc.opcdefault AND $1::text[] IS DISTINCT FROM ARRAY['-']";

const ENUMS: &str = "
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partition_keys() {
        let k = parse_partition_key("RANGE (a, ((d + 1)))").unwrap();
        assert_eq!(k.strategy, PartitionStrategy::Range);
        assert_eq!(
            k.parts,
            vec![
                IndexKey::Column("a".into()),
                IndexKey::Expr("(d + 1)".into())
            ]
        );
        let k = parse_partition_key("LIST (\"Region\")").unwrap();
        assert_eq!(k.parts, vec![IndexKey::Column("Region".into())]);
        let k = parse_partition_key("HASH (lower(name))").unwrap();
        assert_eq!(k.parts, vec![IndexKey::Expr("lower(name)".into())]);
    }

    #[test]
    fn splits_top_level_commas() {
        assert_eq!(
            split_top_level("a, f(b, c), 'x,y'"),
            vec!["a", " f(b, c)", " 'x,y'"]
        );
    }
}
