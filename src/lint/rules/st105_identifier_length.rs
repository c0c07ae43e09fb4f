//! ST105: a name is longer than PostgreSQL keeps.

use crate::lint::{Category, Check, Rule};
use crate::model::Model;

pub const RULE: Rule = Rule {
    code: "ST105",
    category: Category::Style,
    title: "uses a name longer than 63 bytes",
    explain: "PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1). Two long \
names that share a prefix collide, and the database never matches the configuration, so \
every plan shows a change. Shorten the name.",
    check: Check::Schema(check),
};

const MAX: usize = 63;

fn check(model: &Model) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut flag = |object: String, name: &str| {
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
        flag(format!("schema.{}", s.name), &s.name);
    }
    for t in model.tables() {
        let base = format!("table.{}.{}", t.schema, t.name);
        flag(base.clone(), &t.name);
        for c in &t.columns {
            flag(format!("{base}.column.{}", c.name), &c.name);
        }
        for i in &t.indexes {
            flag(format!("{base}.index.{}", i.name), &i.name);
        }
        for fk in &t.foreign_keys {
            flag(format!("{base}.foreign_key.{}", fk.name), &fk.name);
        }
        for u in &t.uniques {
            flag(format!("{base}.unique.{}", u.name), &u.name);
        }
        for c in &t.checks {
            if let Some(n) = &c.name {
                flag(format!("{base}.check.{n}"), n);
            }
        }
    }
    for v in model.views() {
        flag(format!("view.{}.{}", v.schema, v.name), &v.name);
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
}
