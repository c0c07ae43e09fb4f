//! The attributes a reviewer sees of each part of a table (and of an enum), as HCL spells them.

use super::{Attrs, list, opt_comment, q};
use crate::hcl::types as hcl_types;
use crate::hcl::writer::default_hcl;
use crate::model::{
    Check, Column, Enum, ForeignKey, Index, IndexKey, PrimaryKey, QualifiedName, Unique,
};
use crate::postgres::types;

pub(super) fn type_text(c: &Column) -> String {
    hcl_types::to_hcl(&c.ty, &|n: &QualifiedName| {
        Some(types::display(&crate::model::DataType::Named(n.clone())))
    })
}

pub(super) fn column_attrs(c: &Column) -> Attrs {
    let mut a = vec![
        ("type".into(), type_text(c)),
        ("null".into(), c.nullable.to_string()),
    ];
    if let Some(d) = &c.default {
        a.push(("default".into(), default_hcl(d, &c.ty)));
    }
    if let Some(id) = &c.identity {
        a.push((
            "identity".into(),
            format!(
                "{}{}{}",
                if id.always { "ALWAYS" } else { "BY_DEFAULT" },
                if id.start != 1 {
                    format!(", start {}", id.start)
                } else {
                    String::new()
                },
                if id.increment != 1 {
                    format!(", increment {}", id.increment)
                } else {
                    String::new()
                }
            ) + &identity_bounds(id),
        ));
    }
    if let Some(g) = &c.generated {
        a.push(("as".into(), q(g)));
    }
    if let Some(coll) = &c.collation {
        a.push(("collate".into(), q(coll)));
    }
    if let Some(s) = c.storage {
        a.push(("storage".into(), s.sql().into()));
    }
    if let Some(s) = c.compression {
        a.push(("compression".into(), s.name().into()));
    }
    if let Some(n) = c.statistics {
        a.push(("statistics".into(), n.to_string()));
    }
    opt_comment(&mut a, &c.comment);
    a
}

/// `, min 2, max 90, cache 5, cycle` for the options that are not the defaults.
pub(super) fn identity_bounds(id: &crate::model::Identity) -> String {
    let mut s = String::new();
    if let Some(v) = id.min_value {
        s.push_str(&format!(", min {v}"));
    }
    if let Some(v) = id.max_value {
        s.push_str(&format!(", max {v}"));
    }
    if id.cache != 1 {
        s.push_str(&format!(", cache {}", id.cache));
    }
    if id.cycle {
        s.push_str(", cycle");
    }
    s
}

pub(super) fn pk_attrs(pk: &PrimaryKey) -> Attrs {
    let mut a = vec![("columns".into(), list(&pk.columns))];
    if !pk.include.is_empty() {
        a.push(("include".into(), list(&pk.include)));
    }
    if pk.deferrable != crate::model::Deferrable::NotDeferrable {
        a.push(("deferrable".into(), format!("{:?}", pk.deferrable)));
    }
    opt_comment(&mut a, &pk.comment);
    a
}

pub(super) fn unique_attrs(u: &Unique) -> Attrs {
    let mut a = vec![("columns".into(), list(&u.columns))];
    if !u.include.is_empty() {
        a.push(("include".into(), list(&u.include)));
    }
    if !u.nulls_distinct {
        a.push(("nulls_distinct".into(), "false".into()));
    }
    opt_comment(&mut a, &u.comment);
    a
}

pub(super) fn check_attrs(c: &Check) -> Attrs {
    let mut a = vec![("expr".into(), q(&c.expr))];
    opt_comment(&mut a, &c.comment);
    a
}

pub(super) fn fk_attrs(fk: &ForeignKey) -> Attrs {
    let target = format!("{}.{}", fk.ref_table.schema, fk.ref_table.name);
    let mut a = vec![
        ("columns".into(), list(&fk.columns)),
        (
            "references".into(),
            format!("{target}({})", fk.ref_columns.join(", ")),
        ),
    ];
    if fk.on_update != crate::model::ReferentialAction::NoAction {
        a.push(("on_update".into(), fk.on_update.hcl().into()));
    }
    if fk.on_delete != crate::model::ReferentialAction::NoAction {
        a.push(("on_delete".into(), fk.on_delete.hcl().into()));
    }
    opt_comment(&mut a, &fk.comment);
    a
}

pub(super) fn exclude_attrs(x: &crate::model::Exclude) -> Attrs {
    let parts: Vec<String> = x
        .elements
        .iter()
        .map(|(k, op)| match k {
            IndexKey::Column(c) => format!("{c} WITH {op}"),
            IndexKey::Expr(e) => format!("({e}) WITH {op}"),
        })
        .collect();
    let mut a = vec![
        ("on".into(), list(&parts)),
        ("type".into(), x.method.to_ascii_uppercase()),
    ];
    if let Some(w) = &x.predicate {
        a.push(("where".into(), q(w)));
    }
    opt_comment(&mut a, &x.comment);
    a
}

pub(in crate::plan) fn index_attrs(ix: &Index) -> Attrs {
    let parts: Vec<String> = ix
        .parts
        .iter()
        .map(|p| {
            let mut s = match &p.key {
                IndexKey::Column(c) => c.clone(),
                IndexKey::Expr(e) => format!("({e})"),
            };
            if let Some(o) = &p.opclass {
                s.push_str(&format!(" {o}"));
                if !p.opclass_params.is_empty() {
                    s.push_str(&format!(
                        " ({})",
                        crate::postgres::ddl::param_list(&p.opclass_params)
                    ));
                }
            }
            if p.desc {
                s.push_str(" DESC");
            }
            if p.nulls_first != p.desc {
                s.push_str(if p.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            s
        })
        .collect();
    let mut a = vec![("on".into(), list(&parts))];
    if ix.unique {
        a.push(("unique".into(), "true".into()));
    }
    if ix.method != "btree" {
        a.push(("type".into(), ix.method.to_ascii_uppercase()));
    }
    if let Some(w) = &ix.predicate {
        a.push(("where".into(), q(w)));
    }
    if !ix.include.is_empty() {
        a.push(("include".into(), list(&ix.include)));
    }
    if !ix.nulls_distinct {
        a.push(("nulls_distinct".into(), "false".into()));
    }
    if ix.invalid {
        a.push(("valid".into(), "false".into()));
    }
    opt_comment(&mut a, &ix.comment);
    a
}

pub(super) fn enum_attrs(e: &Enum) -> Attrs {
    let mut a = vec![
        ("schema".into(), e.schema.clone()),
        (
            "values".into(),
            list(&e.values.iter().map(|v| q(v)).collect::<Vec<_>>()),
        ),
    ];
    opt_comment(&mut a, &e.comment);
    a
}
