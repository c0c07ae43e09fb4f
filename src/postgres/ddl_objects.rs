//! SQL text for objects beyond tables: extensions, sequences, domains, composite types,
//! routines, aggregates, event triggers, views, triggers, policies, exclusion constraints, partitions, enum rebuilds.

use crate::model::{
    ArgMode, Collation, Composite, Domain, Enum, Exclude, Extension, Function, IndexKey, Parallel,
    PartitionOf, Policy, QualifiedName, Returns, RoutineKind, Sequence, Trigger, TriggerEvents,
    TriggerTiming, View, Volatility,
};
use crate::postgres::quote::{ident, ident_list, literal, qualified, qualified_parts};
use crate::postgres::types;

mod extension;
pub(crate) use extension::*;
mod sequence;
pub(crate) use sequence::*;
mod collation;
pub(crate) use collation::*;
mod domain;
pub(crate) use domain::*;
mod composite;
pub(crate) use composite::*;
mod function;
pub(crate) use function::*;
mod aggregate;
pub(crate) use aggregate::*;
mod view;
pub(crate) use view::*;
mod trigger;
pub(crate) use trigger::*;
mod policy;
mod role;
pub(crate) use policy::*;
pub(crate) use role::*;

fn comment(c: &Option<String>) -> String {
    match c {
        Some(c) => literal(c),
        None => "NULL".into(),
    }
}

pub(crate) fn exclude_def(x: &Exclude) -> String {
    let elems: Vec<String> = x
        .elements
        .iter()
        .map(|(k, op)| {
            let e = match k {
                IndexKey::Column(c) => ident(c),
                IndexKey::Expr(e) => format!("({e})"),
            };
            format!("{e} WITH {op}")
        })
        .collect();
    let mut s = format!(
        "CONSTRAINT {} EXCLUDE USING {} ({})",
        ident(&x.name),
        x.method,
        elems.join(", ")
    );
    if !x.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&x.include)));
    }
    if let Some(w) = &x.predicate {
        s.push_str(&format!(" WHERE ({w})"));
    }
    s.push_str(x.deferrable.sql());
    s
}

pub(crate) fn attach_partition(q: &QualifiedName, p: &PartitionOf) -> String {
    format!(
        "ALTER TABLE {} ATTACH PARTITION {} {}",
        qualified(&p.parent),
        qualified(q),
        p.bound
    )
}

pub(crate) fn detach_partition(q: &QualifiedName, p: &PartitionOf) -> String {
    format!(
        "ALTER TABLE {} DETACH PARTITION {}",
        qualified(&p.parent),
        qualified(q)
    )
}
