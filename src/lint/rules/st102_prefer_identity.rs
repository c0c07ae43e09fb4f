//! ST102: a column uses `serial`.

use crate::lint::{Category, Check, Rule};
use crate::model::{DataType, Model, ObjectId};

pub(crate) const RULE: Rule = Rule {
    code: "ST102",
    category: Category::Style,
    title: "uses serial instead of an identity column",
    explain: "`serial` creates a separately owned sequence with its own privileges, which \
dumps, grants and ownership changes keep tripping over. SQL-standard identity columns \
(`identity { generated = ALWAYS }`) tie the sequence to the column and can refuse manual \
values.",
    check: Check::Schema(check),
};

fn check(model: &Model) -> Vec<(ObjectId, String)> {
    let mut out = Vec::new();
    for t in model.tables() {
        for c in &t.columns {
            if let DataType::Serial(k) = c.ty {
                out.push((
                    ObjectId::column(&t.qualified(), &c.name),
                    format!(
                        "\"{}\" of \"{}.{}\" is {}: prefer an identity column",
                        c.name,
                        t.schema,
                        t.name,
                        k.name()
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
    use crate::model::{DataType, SerialKind};

    #[test]
    fn flags_serial_columns() {
        let mut t = users();
        t.columns[0].ty = DataType::Serial(SerialKind::Big);
        assert_eq!(schema_codes(&model_with(t), "ST102").len(), 1);
        assert!(schema_codes(&model_with(users()), "ST102").is_empty());
    }
}
