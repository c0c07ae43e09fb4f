//! `moved { from = …  to = … }` blocks: renames the plan should make instead of dropping and
//! creating (see `diff::moves`).

use super::{Loader, path_of};
use crate::diff::moves::{Move, Target};
use crate::hcl::diag::SourceFile;
use crate::model::{Model, ObjectKind, QualifiedName};
use hcl::edit::Span;
use hcl::edit::structure::Block;

/// Blocks inside a table a move may name besides columns.
const PARTS: &[ObjectKind] = &[
    ObjectKind::Index,
    ObjectKind::PrimaryKey,
    ObjectKind::Unique,
    ObjectKind::Check,
    ObjectKind::ForeignKey,
    ObjectKind::Exclude,
];

/// The part kind a path segment names.
fn part_kind(segment: &str) -> Option<ObjectKind> {
    PARTS.iter().copied().find(|k| k.as_str() == segment)
}

const HELP: &str = "write moved { from = table.users.column.name  to = table.users.column.full_name } (also table.<name>, table.<schema>.<name>, schema.<name>, and table.<name>.index.<name> or a constraint)";

impl Loader<'_> {
    pub(super) fn build_moves(
        &mut self,
        blocks: &[(&SourceFile, &Block)],
        model: &Model,
    ) -> Vec<Move> {
        let mut out = Vec::new();
        for (file, block) in blocks {
            if let Some(l) = block.labels.first() {
                self.err(
                    file,
                    l.span(),
                    "a moved block takes no label".into(),
                    "remove this label",
                );
                continue;
            }
            for attr in block.body.attributes() {
                if !["from", "to"].contains(&attr.key.as_str()) {
                    self.err(
                        file,
                        attr.key.span(),
                        format!("unknown attribute `{}` in moved", attr.key.as_str()),
                        "expected from or to",
                    );
                }
            }
            let mut ends = Vec::new();
            for key in ["from", "to"] {
                let Some(attr) = block.body.get_attribute(key) else {
                    self.err(
                        file,
                        block.ident.span(),
                        format!("moved needs `{key}`"),
                        "incomplete moved block",
                    );
                    continue;
                };
                match path_of(&attr.value).and_then(|p| parse(&p)) {
                    Some(t) => ends.push((t, attr.value.span())),
                    None => self.errors.push(
                        crate::hcl::HclError::new(
                            crate::hcl::diag::Location::new(file, attr.value.span()),
                            format!("`{key}` of moved is not an object reference"),
                            "expected a reference",
                        )
                        .with_help(HELP),
                    ),
                }
            }
            let (Some((to, to_span)), Some((from, _)), None) = (ends.pop(), ends.pop(), ends.pop())
            else {
                continue;
            };
            match resolve(from, to, model) {
                Ok(m) => out.push(m),
                Err(msg) => self.err(file, to_span, msg, "cannot move here"),
            }
        }
        out
    }
}

/// What a reference names, before its table is resolved: tables may omit their schema.
#[derive(Debug, Clone)]
enum Raw {
    Schema(String),
    Table(Option<String>, String),
    Column(Option<String>, String, String),
    Part(Option<String>, String, ObjectKind, String),
}

fn parse(path: &[String]) -> Option<Raw> {
    match path {
        [k, s] if k == "schema" => Some(Raw::Schema(s.clone())),
        [k, rest @ ..] if k == "table" => {
            let cut = rest
                .iter()
                .position(|x| x == "column" || part_kind(x).is_some());
            let (tpath, tail) = match cut {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, &rest[rest.len()..]),
            };
            let (schema, table) = match tpath {
                [t] => (None, t.clone()),
                [s, t] => (Some(s.clone()), t.clone()),
                _ => return None,
            };
            match tail {
                [] => Some(Raw::Table(schema, table)),
                [c, n] if c == "column" => Some(Raw::Column(schema, table, n.clone())),
                [k, n] => Some(Raw::Part(schema, table, part_kind(k)?, n.clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The desired table `schema.name` (or the only table called `name`).
fn desired_table(
    model: &Model,
    schema: &Option<String>,
    name: &str,
) -> Result<QualifiedName, String> {
    if let Some(s) = schema {
        let q = QualifiedName::new(s, name);
        return model
            .table(&q)
            .map(|_| q)
            .ok_or_else(|| format!("table \"{s}.{name}\" is not declared"));
    }
    let found: Vec<QualifiedName> = model
        .tables()
        .filter(|t| t.name == name)
        .map(|t| t.qualified())
        .collect();
    match found.as_slice() {
        [q] => Ok(q.clone()),
        [] => Err(format!("table \"{name}\" is not declared")),
        _ => Err(format!(
            "table \"{name}\" is ambiguous; qualify it as table.<schema>.{name}"
        )),
    }
}

fn resolve(from: Raw, to: Raw, model: &Model) -> Result<Move, String> {
    let mismatch =
        || "`from` and `to` of a moved block must name the same kind of object".to_string();
    Ok(match (from, to) {
        (Raw::Schema(a), Raw::Schema(b)) => {
            if !model.schemas.contains_key(&b) {
                return Err(format!("schema \"{b}\" is not declared"));
            }
            Move {
                from: Target::Schema(a),
                to: Target::Schema(b),
            }
        }
        (Raw::Table(fs, f), Raw::Table(ts, t)) => {
            let to = desired_table(model, &ts, &t)?;
            let from = QualifiedName::new(fs.unwrap_or_else(|| to.schema.clone()), f);
            Move {
                from: Target::Table(from),
                to: Target::Table(to),
            }
        }
        (Raw::Column(fs, ft, fc), Raw::Column(ts, tt, tc)) => {
            let to = desired_table(model, &ts, &tt)?;
            if model.table(&to).and_then(|t| t.column(&tc)).is_none() {
                return Err(format!("table \"{}\" has no column \"{tc}\"", to.name));
            }
            let from = QualifiedName::new(fs.unwrap_or_else(|| to.schema.clone()), ft);
            Move {
                from: Target::Column(from, fc),
                to: Target::Column(to, tc),
            }
        }
        (Raw::Part(fs, ft, fk, fnm), Raw::Part(ts, tt, tk, tn)) => {
            if fk != tk {
                return Err(mismatch());
            }
            let to = desired_table(model, &ts, &tt)?;
            let from = QualifiedName::new(fs.unwrap_or_else(|| to.schema.clone()), ft);
            Move {
                from: Target::Part {
                    table: from,
                    kind: fk,
                    name: fnm,
                },
                to: Target::Part {
                    table: to,
                    kind: tk,
                    name: tn,
                },
            }
        }
        _ => return Err(mismatch()),
    })
}
