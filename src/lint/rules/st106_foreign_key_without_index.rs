//! ST106: a foreign key's columns are not indexed.

use crate::lint::{Category, Check, Rule};
use crate::model::{IndexKey, Model, ObjectId, ObjectKind, Table};

pub(crate) const RULE: Rule = Rule {
    code: "ST106",
    category: Category::Style,
    title: "has a foreign key without an index on its columns",
    explain: "PostgreSQL indexes the referenced side of a foreign key, not the referencing \
side. Without an index whose leading columns are the foreign key's, every DELETE or key UPDATE \
on the referenced table scans the referencing table, and joins along the key are slow. Add an \
index on the foreign key's columns.",
    check: Check::Schema(check),
};

/// Whether some index, unique constraint or primary key starts with `cols`.
fn covered(t: &Table, cols: &[String]) -> bool {
    let leads =
        |keys: Vec<&str>| keys.len() >= cols.len() && cols.iter().zip(&keys).all(|(a, b)| a == b);
    t.indexes.iter().any(|i| {
        i.predicate.is_none()
            && leads(
                i.parts
                    .iter()
                    .map(|p| match &p.key {
                        IndexKey::Column(c) => c.as_str(),
                        _ => "",
                    })
                    .collect(),
            )
    }) || t
        .uniques
        .iter()
        .any(|u| leads(u.columns.iter().map(String::as_str).collect()))
        || t.primary_key
            .iter()
            .any(|pk| leads(pk.columns.iter().map(String::as_str).collect()))
}

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    for t in model.tables() {
        for fk in &t.foreign_keys {
            if !covered(t, &fk.columns) {
                out.push((
                    ObjectId::part(&t.qualified(), ObjectKind::ForeignKey, &fk.name),
                    format!(
                        "foreign key \"{}\" of \"{}.{}\" has no index on ({})",
                        fk.name,
                        t.schema,
                        t.name,
                        fk.columns.join(", ")
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::mf106_foreign_key_on_existing::fk;
    use super::super::pg101_index_not_concurrent::index;
    use super::super::testing::*;
    use crate::model::IndexPart;

    #[test]
    fn flags_unindexed_foreign_keys() {
        let mut t = users();
        t.columns.push(col("org_id", "bigint"));
        t.foreign_keys.push(fk());
        assert_eq!(schema_codes(&model_with(t.clone()), "ST106").len(), 1);
        let mut i = index();
        i.parts = vec![IndexPart::column("org_id"), IndexPart::column("id")];
        t.indexes.push(i);
        assert!(schema_codes(&model_with(t), "ST106").is_empty());
    }
}
