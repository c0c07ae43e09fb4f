//! ST103: a column uses `varchar(n)` or `char(n)`.

use crate::lint::{Category, Check, Rule};
use crate::model::{DataType, Model, ObjectId};

pub(crate) const RULE: Rule = Rule {
    code: "ST103",
    category: Category::Style,
    title: "uses varchar(n) or char(n) instead of text",
    explain: "In PostgreSQL `varchar(n)` is no faster than `text`, and `char(n)` pads values \
with spaces. Shrinking the limit later rewrites the table. Use `text`, with a CHECK on \
`length(col)` when the limit is a business rule.",
    check: Check::Schema(check),
};

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    for t in model.tables() {
        for c in &t.columns {
            let DataType::Builtin(b) = &c.ty else {
                continue;
            };
            if b.starts_with("character varying(")
                || (b.starts_with("character") && !b.starts_with("character varying"))
            {
                out.push((
                    ObjectId::column(&t.qualified(), &c.name),
                    format!(
                        "\"{}\" of \"{}.{}\" is {b}: prefer text",
                        c.name, t.schema, t.name
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

    #[test]
    fn flags_bounded_strings_not_text() {
        let mut t = users();
        t.columns.push(col("code", "character(2)"));
        t.columns.push(col("name", "character varying(100)"));
        t.columns.push(col("free", "character varying"));
        assert_eq!(
            schema_codes(&model_with(t), "ST103"),
            vec![
                "table.public.users.column.code",
                "table.public.users.column.name"
            ]
        );
    }
}
