//! DS103: a column is dropped.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "DS103",
    category: Category::DataLoss,
    title: "drops a column",
    explain: "Dropping a column deletes the values stored in it. Generated columns are exempt: \
their values can be computed again. If the column was renamed in the configuration, write a \
`moved { from = table.t.column.old  to = table.t.column.new }` block and strata renames it. \
Otherwise deploy application code that no longer reads or writes the column, then allow DS103.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::DropColumn(c),
            ..
        } if c.generated.is_none() => Some(format!(
            "drops column \"{}\" of \"{}\" and the data in it",
            c.name,
            qname(&table.qualified())
        )),
        Subject::AlterTable {
            table,
            change: TableChange::AlterColumn { from, to },
            ..
        } if from.generated.is_none() && to.generated.is_some() => Some(format!(
            "turns \"{}\" of \"{}\" into a generated column: its stored values are replaced",
            to.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_dropping_stored_columns_not_generated_ones() {
        assert!(has(
            &alter(TableChange::DropColumn(col("email", "text"))),
            "DS103"
        ));
        let mut g = col("total", "integer");
        g.generated = Some("(a + b)".into());
        assert!(!has(&alter(TableChange::DropColumn(g)), "DS103"));
        assert!(!has(
            &alter(TableChange::AddColumn(col("x", "text"))),
            "DS103"
        ));
    }
}
