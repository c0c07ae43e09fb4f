//! ST104: a column uses `timestamp` without time zone.

use crate::lint::{Category, Check, Rule};
use crate::model::{DataType, Model, ObjectId};

pub(crate) const RULE: Rule = Rule {
    code: "ST104",
    category: Category::Style,
    title: "uses timestamp without time zone",
    explain: "`timestamp` stores a wall-clock reading with no offset: the same value means \
different instants for clients in different time zones, and daylight-saving changes make \
values ambiguous. `timestamptz` stores an instant and converts on display.",
    check: Check::Schema(check),
};

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    for t in model.tables() {
        for c in &t.columns {
            let DataType::Builtin(b) = &c.ty else {
                continue;
            };
            if b.starts_with("timestamp") && b.ends_with("without time zone") {
                out.push((
                    ObjectId::column(&t.qualified(), &c.name),
                    format!(
                        "\"{}\" of \"{}.{}\" is timestamp without time zone: prefer timestamptz",
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
    fn flags_timestamp_not_timestamptz() {
        let mut t = users();
        t.columns.push(col("a", "timestamp(3) without time zone"));
        t.columns.push(col("b", "timestamp with time zone"));
        assert_eq!(
            schema_codes(&model_with(t), "ST104"),
            vec!["table.public.users.column.a"]
        );
    }
}
