//! Builders shared by the rules' tests.

use crate::diff::TableChange;
use crate::lint::{Hazard, Subject, hazards};
use crate::model::{Column, DataType, QualifiedName, Table};

/// `public.users (id integer NOT NULL, email text NULL)`.
pub(crate) fn users() -> Table {
    let mut email = Column::new("email", DataType::builtin("text"));
    email.nullable = true;
    Table {
        schema: "public".into(),
        name: "users".into(),
        columns: vec![Column::new("id", DataType::builtin("integer")), email],
        ..Default::default()
    }
}

pub(crate) fn col(name: &str, ty: &str) -> Column {
    Column::new(name, DataType::builtin(ty))
}

pub(crate) fn q(name: &str) -> QualifiedName {
    QualifiedName::new("public", name)
}

/// Hazards of `change` on an existing `users` table.
pub(crate) fn alter(change: TableChange) -> Vec<Hazard> {
    hazards(&Subject::AlterTable {
        table: &users(),
        change: &change,
        online: false,
    })
}

/// Same, in online mode.
pub(crate) fn alter_online(change: TableChange) -> Vec<Hazard> {
    hazards(&Subject::AlterTable {
        table: &users(),
        change: &change,
        online: true,
    })
}

pub(crate) fn has(hazards: &[Hazard], code: &str) -> bool {
    hazards.iter().any(|h| h.code == code)
}

/// Codes a schema check reports for `model`.
pub(crate) fn schema_codes(model: &crate::model::Model, code: &str) -> Vec<String> {
    crate::lint::schema_findings(model)
        .into_iter()
        .filter(|f| f.hazard.code == code)
        .map(|f| f.object.to_string())
        .collect()
}

/// A model with one table in `public`.
pub(crate) fn model_with(table: Table) -> crate::model::Model {
    let mut m = crate::model::Model::default();
    let s = m.schemas.entry("public".into()).or_default();
    s.name = "public".into();
    s.tables.insert(table.name.clone(), table);
    m
}
