//! ST101: a key column is `integer` or `smallint`.

use crate::lint::{Category, Check, Rule};
use crate::model::{DataType, Model, ObjectId, SerialKind};

pub(crate) const RULE: Rule = Rule {
    code: "ST101",
    category: Category::Style,
    title: "uses integer or smallint for a key column",
    explain: "An `integer` key runs out after about 2.1 billion values, and changing a key to \
`bigint` later rewrites the table and every table that references it. `bigint` costs four more \
bytes per row. Prefer `bigint` (or `bigint` identity) for primary keys and identity columns.",
    check: Check::Schema(check),
};

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    for t in model.tables() {
        let keys: Vec<&str> = t
            .primary_key
            .iter()
            .flat_map(|pk| pk.columns.iter().map(String::as_str))
            .collect();
        for c in &t.columns {
            let small = match &c.ty {
                DataType::Serial(k) => *k != SerialKind::Big,
                DataType::Builtin(b) => b == "integer" || b == "smallint",
                _ => false,
            };
            // Single-column keys and identity columns: the ones that count up.
            let is_key = (keys.len() == 1 && keys[0] == c.name) || c.identity.is_some();
            if small && is_key {
                out.push((
                    ObjectId::column(&t.qualified(), &c.name),
                    format!(
                        "key column \"{}\" of \"{}.{}\" is {}: prefer bigint",
                        c.name,
                        t.schema,
                        t.name,
                        crate::postgres::types::display(&c.ty.storage())
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::{Deferrable, PrimaryKey};

    fn with_pk(ty: &str) -> crate::model::Model {
        let mut t = users();
        t.columns[0] = col("id", ty);
        t.primary_key = Some(PrimaryKey {
            name: "users_pkey".into(),
            columns: vec!["id".into()],
            include: vec![],
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        });
        model_with(t)
    }

    #[test]
    fn flags_integer_keys_not_bigint() {
        assert_eq!(
            schema_codes(&with_pk("integer"), "ST101"),
            vec!["table.public.users.column.id"]
        );
        assert!(schema_codes(&with_pk("bigint"), "ST101").is_empty());
        assert!(schema_codes(&model_with(users()), "ST101").is_empty());
    }
}
