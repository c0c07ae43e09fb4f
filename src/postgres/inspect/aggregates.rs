//! Catalog queries for aggregates (`pg_aggregate` with their `pg_proc` rows) and event triggers
//! (`pg_event_trigger`). One query per kind.

use super::objects::{not_member, type_desc_sql, type_from_desc};
use crate::model::{Aggregate, ArgMode, EventTrigger, FunctionArg, Parallel, QualifiedName};
use crate::postgres::rows::{Cols, RowError};
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

/// The rows of both queries, pipelined on `client`: aggregates, event triggers.
pub(super) async fn rows<C: GenericClient + Sync>(
    client: &C,
    schemas: &[&(dyn ToSql + Sync)],
) -> Result<(Vec<Row>, Vec<Row>), super::InspectError> {
    let (agg_sql, evt_sql) = (aggregates_sql(), event_triggers_sql());
    tokio::try_join!(
        super::query(client, "aggregates", &agg_sql, schemas),
        super::query(client, "event triggers", &evt_sql, schemas),
    )
}

/// Normal aggregates of the inspected schemas (ordered-set and hypothetical-set ones are warned
/// about by `unmanaged`, not read).
pub(crate) fn aggregates_sql() -> String {
    format!(
        "SELECT n.nspname::text, p.proname::text, COALESCE(p.proargnames, '{{}}') AS argnames, \
                COALESCE(p.proargmodes::text[], '{{}}') AS argmodes, \
                ARRAY(SELECT {} FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) ORDER BY i) AS argtypes, \
                {} AS state_type, sn.nspname::text AS sfunc_schema, sf.proname::text AS sfunc_name, \
                fn.nspname::text AS ffunc_schema, ff.proname::text AS ffunc_name, a.agginitval, \
                p.proparallel::\"char\" AS parallel, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0) \
         FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace \
         JOIN pg_proc sf ON sf.oid = a.aggtransfn JOIN pg_namespace sn ON sn.oid = sf.pronamespace \
         LEFT JOIN pg_proc ff ON ff.oid = a.aggfinalfn LEFT JOIN pg_namespace fn ON fn.oid = ff.pronamespace \
         WHERE a.aggkind = 'n' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
           AND ($1::text[] IS NULL OR n.nspname = ANY($1)) AND {}",
        type_desc_sql("u.t", "NULL"),
        type_desc_sql("a.aggtranstype", "NULL"),
        not_member("pg_proc", "p.oid")
    )
}

pub(crate) fn aggregate_from_row(r: &Row) -> Result<Aggregate, RowError> {
    let r = Cols::new(r, "aggregates");
    let names: Vec<String> = r.col("argnames")?;
    let modes: Vec<String> = r.col("argmodes")?;
    let types: Vec<String> = r.col("argtypes")?;
    let args = types
        .iter()
        .enumerate()
        .map(|(i, t)| FunctionArg {
            name: names.get(i).filter(|n| !n.is_empty()).cloned(),
            ty: type_from_desc(t),
            mode: match modes.get(i).map(String::as_str) {
                Some("v") => ArgMode::Variadic,
                _ => ArgMode::In,
            },
            default: None,
        })
        .collect();
    let final_func = match (
        r.col::<Option<String>>("ffunc_schema")?,
        r.col::<Option<String>>("ffunc_name")?,
    ) {
        (Some(s), Some(n)) => Some(QualifiedName::new(s, n)),
        _ => None,
    };
    let parallel = match r.col::<i8>("parallel")? as u8 {
        b's' => Parallel::Safe,
        b'r' => Parallel::Restricted,
        _ => Parallel::Unsafe,
    };
    Ok(Aggregate {
        schema: r.col(0)?,
        name: r.col(1)?,
        args,
        state_type: type_from_desc(&r.col::<String>("state_type")?),
        state_func: QualifiedName::new(
            r.col::<String>("sfunc_schema")?,
            r.col::<String>("sfunc_name")?,
        ),
        final_func,
        initial_value: r.col("agginitval")?,
        parallel,
        comment: r.col("description")?,
    })
}

/// Event triggers whose function lives in an inspected schema: an event trigger has no schema
/// of its own, so it goes with its function's.
pub(crate) fn event_triggers_sql() -> String {
    format!(
        "SELECT e.evtname::text, e.evtevent::text, COALESCE(e.evttags, '{{}}') AS tags, \
                n.nspname::text AS fschema, f.proname::text AS fname, e.evtenabled::\"char\" AS enabled, \
                (SELECT d.description FROM pg_description d WHERE d.objoid = e.oid AND d.classoid = 'pg_event_trigger'::regclass AND d.objsubid = 0) \
         FROM pg_event_trigger e JOIN pg_proc f ON f.oid = e.evtfoid JOIN pg_namespace n ON n.oid = f.pronamespace \
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
           AND ($1::text[] IS NULL OR n.nspname = ANY($1)) AND {}",
        not_member("pg_event_trigger", "e.oid")
    )
}

pub(crate) fn event_trigger_from_row(r: &Row) -> Result<EventTrigger, RowError> {
    let r = Cols::new(r, "event triggers");
    let mut tags: Vec<String> = r.col("tags")?;
    tags.sort();
    Ok(EventTrigger {
        name: r.col(0)?,
        event: r.col(1)?,
        tags,
        function: QualifiedName::new(r.col::<String>("fschema")?, r.col::<String>("fname")?),
        enabled: (r.col::<i8>("enabled")? as u8) as char,
        comment: r.col("description")?,
    })
}
