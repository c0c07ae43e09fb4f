//! ST105: a name is longer than PostgreSQL keeps.

use crate::lint::{Category, Check, Rule};
use crate::model::{Model, ObjectId, ObjectKind};

pub(crate) const RULE: Rule = Rule {
    code: "ST105",
    category: Category::Style,
    title: "uses a name longer than 63 bytes",
    explain: "PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1). Two long \
names that share a prefix collide, and the database never matches the configuration, so \
every plan shows a change. Shorten the name.",
    check: Check::Schema(check),
};

const MAX: usize = 63;

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    let mut flag = |object: ObjectId, name: &str| {
        if name.len() > MAX {
            out.push((
                object,
                format!(
                    "\"{name}\" is {} bytes: PostgreSQL keeps only {MAX}",
                    name.len()
                ),
            ));
        }
    };
    for s in model.schemas.values() {
        flag(ObjectId::schema(&s.name), &s.name);
    }
    for t in model.tables() {
        let q = t.qualified();
        flag(ObjectId::table(&q), &t.name);
        for c in &t.columns {
            flag(ObjectId::column(&q, &c.name), &c.name);
        }
        for i in &t.indexes {
            flag(ObjectId::part(&q, ObjectKind::Index, &i.name), &i.name);
        }
        for fk in &t.foreign_keys {
            flag(
                ObjectId::part(&q, ObjectKind::ForeignKey, &fk.name),
                &fk.name,
            );
        }
        for u in &t.uniques {
            flag(ObjectId::part(&q, ObjectKind::Unique, &u.name), &u.name);
        }
        for c in &t.checks {
            if let Some(n) = &c.name {
                flag(ObjectId::part(&q, ObjectKind::Check, n), n);
            }
        }
    }
    // A materialized view is addressed as the plan addresses it (`materialized.s.n`).
    for v in model.views() {
        flag(ObjectId::view(&v.schema, &v.name, v.materialized), &v.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn flags_names_over_63_bytes() {
        let mut t = users();
        t.columns.push(col(&"x".repeat(64), "text"));
        t.columns.push(col(&"y".repeat(63), "text"));
        assert_eq!(schema_codes(&model_with(t), "ST105").len(), 1);
    }

    #[test]
    fn a_materialized_view_is_addressed_as_the_plan_does() {
        let mut m = model_with(users());
        for (name, materialized) in [("m", true), ("v", false)] {
            let name = name.repeat(64);
            let view = crate::model::View {
                schema: "public".into(),
                name: name.clone(),
                query: "SELECT 1".into(),
                materialized,
                check_option: None,
                security_barrier: false,
                security_invoker: false,
                with_data: materialized,
                storage_params: Default::default(),
                indexes: Vec::new(),
                triggers: Vec::new(),
                comment: None,
                column_comments: Default::default(),
            };
            if let Some(s) = m.schemas.get_mut("public") {
                s.views.insert(name, view);
            }
        }
        assert_eq!(
            schema_codes(&m, "ST105"),
            vec![
                format!("materialized.public.{}", "m".repeat(64)),
                format!("view.public.{}", "v".repeat(64)),
            ]
        );
    }
}
