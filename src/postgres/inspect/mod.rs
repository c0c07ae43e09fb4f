//! Reads a live database into the [`Model`] with one bulk catalog query per object kind (all
//! tables at once, never a query per table). The queries run pipelined on one connection.

pub(crate) mod aggregates;
pub(crate) mod deps;
mod filter;
pub(crate) mod objects;
pub(crate) mod roles;
pub use filter::SchemaFilter;
pub(crate) mod unmanaged;

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
pub(crate) use unmanaged::Unmanaged;

mod queries;
pub(crate) use queries::USER_SCHEMA_NAMES;
use queries::*;
mod columns;
use columns::*;
mod indexes;
use indexes::*;
mod constraints;
use constraints::*;
mod parse;
pub(crate) use parse::*;

/// A catalog query failed.
#[derive(Debug, Error, Diagnostic)]
#[error("could not inspect the database ({what}): {reason}")]
#[diagnostic(code(strata::inspect))]
pub(crate) struct InspectError {
    pub(crate) what: &'static str,
    pub(crate) reason: String,
    /// The query gave up waiting for a lock another session holds (`lock_timeout`).
    pub(crate) locked: bool,
}

impl InspectError {
    /// A failed catalog query reading `what`.
    pub(crate) fn query(what: &'static str, e: &tokio_postgres::Error) -> InspectError {
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

/// Which database this is, whatever URL reached it: the cluster's system identifier and the
/// database's name and OID (`7714274227915647103/app/16384`). Saved plans record it, so one
/// applied to another database is told apart from one whose database changed.
pub(crate) async fn database_identity<C: GenericClient + Sync>(client: &C) -> Result<String> {
    let row = client
        .query_one(
            "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || d.datname || '/' || d.oid::text \
             FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )
        .await
        .map_err(|e| InspectError::query("database identity", &e))?;
    Ok(row
        .try_get(0)
        .map_err(|e| InspectError::query("database identity", &e))?)
}

/// Reads the schemas in `scope` from the database behind `client`.
pub async fn inspect<C: GenericClient + Sync>(client: &C, scope: &SchemaFilter) -> Result<Model> {
    inspect_on(client, client, scope).await
}

/// [`inspect`] with the largest query (columns) on a second connection, so the server works
/// on both at once. Both must be connected to the same database.
pub(crate) async fn inspect_on<C: GenericClient + Sync>(
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
    let Fetched {
        schema_rows,
        table_rows,
        column_rows,
        constraint_rows,
        index_rows,
        enum_rows,
        opclass_rows,
        role_rows,
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
        aggregate_rows,
        mut unmanaged_rows,
    } = fetch_with_roles(client, second, scope, with_unmanaged).await?;
    crate::timing::stage("inspect: rows fetched");
    let mut model = schemas_from_rows(&schema_rows)?;

    let mut by_oid = tables_from_rows(&table_rows)?;
    let mut views: HashMap<u32, View> = HashMap::with_capacity(view_rows.len());
    for r in &view_rows {
        views.insert(col(r, 0, "views")?, objects::view_from_row(r)?);
    }

    let attnames = attnames(
        client,
        &mut by_oid,
        column_rows,
        &constraint_rows,
        &index_rows,
        with_unmanaged.then_some(&mut unmanaged_rows),
    )
    .await?;
    attach_keys(
        &mut by_oid,
        &mut views,
        &attnames,
        &opclass_rows,
        index_rows,
        constraint_rows,
    )?;

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
    database_wide_and_aggregates(&mut model, &ext_rows, &aggregate_rows)?;
    roles::add(&mut model, scope.roles.as_ref(), &role_rows)?;
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
        table.shrink_to_fit();
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

/// Extensions and event triggers (database-wide), and aggregates, into `model`.
fn database_wide_and_aggregates(
    model: &mut Model,
    ext_rows: &[Row],
    (agg_rows, evt_rows): &(Vec<Row>, Vec<Row>),
) -> Result<(), InspectError> {
    for r in ext_rows {
        let e = objects::extension_from_row(r)?;
        model.extensions.insert(e.name.clone(), e);
    }
    for r in agg_rows {
        let a = aggregates::aggregate_from_row(r)?;
        if let Some(schema) = model.schemas.get_mut(&a.schema) {
            schema
                .aggregates
                .insert(crate::postgres::types::aggregate_signature(&a), a);
        }
    }
    for r in evt_rows {
        let e = aggregates::event_trigger_from_row(r)?;
        model.event_triggers.insert(e.name.clone(), e);
    }
    Ok(())
}

/// [`fetch`] and, beside it, the roles and privileges the scope manages.
async fn fetch_with_roles<C: GenericClient + Sync>(
    client: &C,
    second: &C,
    scope: &SchemaFilter,
    with_unmanaged: bool,
) -> Result<Fetched, InspectError> {
    let schemas: Option<Vec<String>> = scope.schemas.clone();
    let p: &(dyn tokio_postgres::types::ToSql + Sync) = &schemas;
    let params = [p];
    let (mut fetched, role_rows) = tokio::try_join!(
        fetch(client, second, scope, with_unmanaged),
        roles::rows(second, scope.roles.as_ref(), &params),
    )?;
    fetched.role_rows = role_rows;
    Ok(fetched)
}

/// Every catalog query of an inspection, pipelined on the two connections.
async fn fetch<C: GenericClient + Sync>(
    client: &C,
    second: &C,
    scope: &SchemaFilter,
    with_unmanaged: bool,
) -> Result<Fetched, InspectError> {
    let version = server_version(client).await?;
    let schemas: Option<Vec<String>> = scope.schemas.clone();
    let p: &(dyn tokio_postgres::types::ToSql + Sync) = &schemas;
    let schemas_param: &[&(dyn tokio_postgres::types::ToSql + Sync)] = &[p];
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
            aggregate_rows,
            unmanaged_rows,
        ),
    ) = tokio::try_join!(
        async {
            tokio::try_join!(
                query(client, "schemas", SCHEMAS, schemas_param),
                query(client, "tables", TABLES, schemas_param),
                query_map(second, "columns", &column_sql, p, ColRow::from_row),
                query_map(client, "constraints", &unique_sql, p, ConRow::from_row),
                query_map(second, "indexes", &index_sql, p, IdxRow::from_row),
                query(client, "enums", ENUMS, schemas_param),
                query(client, "operator classes", OPCLASSES, schemas_param),
            )
        },
        async {
            tokio::try_join!(
                query(client, "extensions", &ext_sql, &[]),
                query(client, "sequences", &seq_sql, schemas_param),
                query(client, "views", &view_sql, schemas_param),
                query(client, "functions", &fn_sql, schemas_param),
                query(client, "triggers", &trig_sql, schemas_param),
                query(client, "policies", &pol_sql, schemas_param),
                query(client, "exclusion constraints", &excl_sql, schemas_param),
                query(client, "domains", &dom_sql, schemas_param),
                query(client, "composite types", &comp_sql, schemas_param),
                query(second, "collations", &coll_sql, schemas_param),
                aggregates::rows(second, schemas_param),
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

    Ok(Fetched {
        schema_rows,
        table_rows,
        column_rows,
        constraint_rows,
        index_rows,
        enum_rows,
        opclass_rows,
        role_rows: Default::default(),
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
        aggregate_rows,
        unmanaged_rows,
    })
}

/// The rows of an inspection's queries, before they become a model.
struct Fetched {
    schema_rows: Vec<Row>,
    table_rows: Vec<Row>,
    column_rows: Vec<ColRow>,
    constraint_rows: Vec<ConRow>,
    index_rows: Vec<IdxRow>,
    enum_rows: Vec<Row>,
    opclass_rows: Vec<Row>,
    /// Roles' and privileges'.
    role_rows: roles::RoleRows,
    ext_rows: Vec<Row>,
    seq_rows: Vec<Row>,
    view_rows: Vec<Row>,
    fn_rows: Vec<Row>,
    trig_rows: Vec<Row>,
    pol_rows: Vec<Row>,
    excl_rows: Vec<Row>,
    dom_rows: Vec<Row>,
    comp_rows: Vec<Row>,
    coll_rows: Vec<Row>,
    /// Aggregates' and event triggers'.
    aggregate_rows: (Vec<Row>, Vec<Row>),
    unmanaged_rows: Vec<Unmanaged>,
}

/// Tables from their rows, keyed by oid so the other rows can find theirs.
/// A model with the schemas of `rows` (name, comment) and nothing in them yet.
fn schemas_from_rows(rows: &[Row]) -> Result<Model, InspectError> {
    let mut model = Model::default();
    for r in rows {
        let r = Cols::new(r, "schemas");
        let name: String = r.col(0)?;
        let comment = Schema::own_comment(&name, r.col(1)?);
        model.schemas.insert(
            name.clone(),
            Schema {
                name,
                comment,
                ..Default::default()
            },
        );
    }
    Ok(model)
}

fn tables_from_rows(table_rows: &[Row]) -> Result<HashMap<u32, Table>, InspectError> {
    let mut by_oid: HashMap<u32, Table> = HashMap::with_capacity(table_rows.len());
    for r in table_rows {
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
    Ok(by_oid)
}

/// Indexes (of tables and materialized views) and constraints, to their relations.
fn attach_keys(
    by_oid: &mut HashMap<u32, Table>,
    views: &mut HashMap<u32, View>,
    attnames: &HashMap<(u32, i16), String>,
    opclass_rows: &[Row],
    index_rows: Vec<IdxRow>,
    constraint_rows: Vec<ConRow>,
) -> Result<(), InspectError> {
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

    Ok(())
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
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, InspectError> {
    let started = std::time::Instant::now();
    let rows = client
        .query(sql, params)
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
    out.shrink_to_fit();
    if std::env::var_os("STRATA_TIMING").is_some() {
        eprintln!(
            "[timing] inspect {what}: {:?} ({} rows)",
            started.elapsed(),
            out.len()
        );
    }
    Ok(out)
}

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
