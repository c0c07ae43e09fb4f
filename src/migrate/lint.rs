//! `migrate lint`: what each migration file does, checked two ways.
//!
//! - Schema effects: every statement runs on a scratch database that holds the files before it;
//!   the schema is inspected before and after, diffed and planned, and the planner's hazards
//!   (DS… data loss, MF… may fail, LK… locks, …) are reported at that statement.
//! - SQL checks on PostgreSQL's own parse tree (`pg_query`): locks and transaction rules the
//!   schema diff cannot see (`CREATE INDEX` without `CONCURRENTLY`, `ADD FOREIGN KEY` without
//!   `NOT VALID`, …).
//!
//! `-- strata:nolint [CODE…]` above a statement (or in the file header, followed by a blank
//! line) silences it.

use super::sql::{SqlError, SqlFile, Statement, nolint};
use crate::diff;
use crate::model::{Model, ObjectId, ObjectKind, QualifiedName};
use crate::plan::{self, Category, PlanContext, PlanDeps};
use crate::postgres::inspect::{SchemaFilter, inspect};
use miette::Result;
use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ConstrType, ObjectType};
use tokio_postgres::GenericClient;

/// How bad a finding is: errors make `migrate lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Warning,
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) code: String,
    pub(crate) severity: Severity,
    /// 1-based line of the statement.
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// The findings of one file.
#[derive(Debug, Clone)]
pub(crate) struct FileReport {
    pub(crate) name: String,
    pub(crate) findings: Vec<Finding>,
    /// Findings silenced by `strata:nolint`.
    pub(crate) silenced: usize,
}

impl FileReport {
    pub(crate) fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

fn severity_of(c: Category) -> Severity {
    match c {
        Category::DataLoss => Severity::Error,
        _ => Severity::Warning,
    }
}

/// Lints `file`, running it on `client` (a scratch database holding everything before it).
pub(crate) async fn lint_file<C: GenericClient + Sync>(
    client: &C,
    file: &SqlFile,
    name: &str,
) -> Result<FileReport> {
    let stmts = file.statements()?;
    let directives = file.directives();
    let scope = SchemaFilter::default();
    let before_file = inspect(client, &scope).await?;
    let mut current = before_file.clone();
    let mut report = FileReport {
        name: name.to_string(),
        findings: Vec::new(),
        silenced: 0,
    };
    for st in &stmts {
        let line = file.line_col(st.offset).0;
        let mut found: Vec<Finding> = Vec::new();
        let parsed = pg_query::parse(&st.text, 0);
        let node = match &parsed {
            Ok(p) => p
                .protobuf
                .stmts
                .first()
                .and_then(|s| s.stmt.as_ref())
                .and_then(|n| n.node.clone()),
            Err(e) => {
                return Err(SqlError::at(
                    file,
                    st.offset..st.offset + st.text.len(),
                    format!("{name}: syntax error: {e}"),
                    "this statement",
                    None,
                )
                .into());
            }
        };
        if let Some(n) = &node {
            found.extend(sql_checks(n, &before_file, directives.txmode_none, line));
        }
        client.batch_execute(&st.text).await.map_err(|e| {
            SqlError::from_postgres(file, st, &e, &format!("replaying {name} failed"))
        })?;
        if node.as_ref().is_some_and(changes_schema) {
            let after = inspect(client, &scope).await?;
            let mut effects = effect_findings(&current, &after, &before_file, line);
            // The planner sees only the index it adds; this statement builds it concurrently,
            // which is what PG101 asks for.
            if matches!(&node, Some(NodeEnum::IndexStmt(i)) if i.concurrent) {
                effects.retain(|f| f.code != "PG101");
            }
            found.extend(effects);
            current = after;
        }
        for f in found {
            if silenced(&f.code, st, &directives.nolint) {
                report.silenced += 1;
            } else {
                report.findings.push(f);
            }
        }
    }
    Ok(report)
}

fn silenced(code: &str, st: &Statement, file_level: &Option<Vec<String>>) -> bool {
    let hit = |codes: &Vec<String>| codes.is_empty() || codes.iter().any(|c| c == code);
    file_level.as_ref().is_some_and(hit) || nolint(&st.comments).as_ref().is_some_and(hit)
}

/// Statements that cannot change the schema need no inspection.
fn changes_schema(n: &NodeEnum) -> bool {
    !matches!(
        n,
        NodeEnum::SelectStmt(_)
            | NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::CopyStmt(_)
            | NodeEnum::VariableSetStmt(_)
            | NodeEnum::TransactionStmt(_)
    )
}

/// The planner's hazards for the change from `before` to `after`. Steps on tables the file
/// created itself are skipped: those tables hold no rows yet.
fn effect_findings(
    before: &Model,
    after: &Model,
    file_before: &Model,
    line: usize,
) -> Vec<Finding> {
    let changes = match diff::diff(before, after) {
        Ok(c) => c,
        Err(e) => {
            return vec![Finding {
                code: "ST100".into(),
                severity: Severity::Warning,
                line,
                message: format!("strata cannot analyze this change: {e}"),
            }];
        }
    };
    if changes.is_empty() {
        return Vec::new();
    }
    let p = plan::build(
        &changes,
        before,
        after,
        &PlanDeps::default(),
        &PlanContext::default(),
    );
    let new_in_file = |object: &ObjectId| {
        object.kind() == ObjectKind::Table
            && !file_before
                .tables()
                .any(|t| ObjectId::table(&t.qualified()) == *object)
    };
    let mut out: Vec<Finding> = Vec::new();
    for (i, h) in p.hazards() {
        if new_in_file(&p.steps[i].object) {
            continue;
        }
        let f = Finding {
            code: h.code.clone(),
            severity: severity_of(h.category),
            line,
            message: h.message.clone(),
        };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn table_of(rv: &Option<pg_query::protobuf::RangeVar>) -> Option<QualifiedName> {
    rv.as_ref().map(|r| {
        let schema = if r.schemaname.is_empty() {
            "public"
        } else {
            &r.schemaname
        };
        QualifiedName::new(schema, &r.relname)
    })
}

fn display(q: &QualifiedName) -> String {
    format!("{}.{}", q.schema, q.name)
}

fn finding(code: &str, severity: Severity, line: usize, message: String) -> Finding {
    Finding {
        code: code.into(),
        severity,
        line,
        message,
    }
}

/// Checks on the parse tree. `before` is the schema before the file: tables created in the same
/// file hold no rows yet, so locking them is harmless.
pub(crate) fn sql_checks(
    n: &NodeEnum,
    before: &Model,
    txmode_none: bool,
    line: usize,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let existing = |q: &QualifiedName| before.table(q).is_some();
    let no_tx = |what: &str| {
        finding(
            "PG103",
            Severity::Error,
            line,
            format!(
                "{what} CONCURRENTLY cannot run inside a transaction: add `-- strata:txmode none` as the file's first line"
            ),
        )
    };
    match n {
        NodeEnum::IndexStmt(i) => {
            let Some(t) = table_of(&i.relation) else {
                return out;
            };
            if i.concurrent && !txmode_none {
                out.push(no_tx("CREATE INDEX"));
            } else if !i.concurrent && existing(&t) {
                out.push(finding(
                    "PG101",
                    Severity::Warning,
                    line,
                    format!(
                        "creating index \"{}\" non-concurrently blocks writes to \"{}\" while it builds: use CREATE INDEX CONCURRENTLY (with -- strata:txmode none)",
                        i.idxname,
                        display(&t)
                    ),
                ));
            }
        }
        NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectIndex as i32 => {
            if d.concurrent && !txmode_none {
                out.push(no_tx("DROP INDEX"));
            } else if !d.concurrent {
                out.push(finding(
                    "PG102",
                    Severity::Warning,
                    line,
                    "dropping an index non-concurrently blocks reads and writes of its table: use DROP INDEX CONCURRENTLY (with -- strata:txmode none)".into(),
                ));
            }
        }
        NodeEnum::AlterTableStmt(a) => {
            let Some(t) = table_of(&a.relation) else {
                return out;
            };
            if !existing(&t) {
                return out;
            }
            for cmd in &a.cmds {
                let Some(NodeEnum::AlterTableCmd(c)) = &cmd.node else {
                    continue;
                };
                if c.subtype == AlterTableType::AtSetNotNull as i32 {
                    out.push(finding(
                        "PG303",
                        Severity::Warning,
                        line,
                        format!(
                            "SET NOT NULL on \"{}\" of \"{}\" scans the whole table under an ACCESS EXCLUSIVE lock: add a CHECK (\"{}\" IS NOT NULL) NOT VALID constraint, VALIDATE it, then SET NOT NULL",
                            c.name,
                            display(&t),
                            c.name
                        ),
                    ));
                }
                if c.subtype != AlterTableType::AtAddConstraint as i32 {
                    continue;
                }
                let Some(NodeEnum::Constraint(con)) = c.def.as_ref().and_then(|d| d.node.as_ref())
                else {
                    continue;
                };
                let ty = con.contype;
                if ty == ConstrType::ConstrForeign as i32 && !con.skip_validation {
                    out.push(finding(
                        "PG306",
                        Severity::Warning,
                        line,
                        format!(
                            "adding foreign key {} to \"{}\" without NOT VALID scans the table while blocking writes to it and the referenced table: add it NOT VALID, then VALIDATE CONSTRAINT in a later statement",
                            quoted(&con.conname),
                            display(&t)
                        ),
                    ));
                } else if ty == ConstrType::ConstrCheck as i32 && !con.skip_validation {
                    out.push(finding(
                        "PG305",
                        Severity::Warning,
                        line,
                        format!(
                            "adding check {} to \"{}\" without NOT VALID scans the table under an ACCESS EXCLUSIVE lock: add it NOT VALID, then VALIDATE CONSTRAINT",
                            quoted(&con.conname),
                            display(&t)
                        ),
                    ));
                } else if (ty == ConstrType::ConstrPrimary as i32
                    || ty == ConstrType::ConstrUnique as i32)
                    && con.indexname.is_empty()
                {
                    out.push(finding(
                        if ty == ConstrType::ConstrPrimary as i32 {
                            "PG104"
                        } else {
                            "PG105"
                        },
                        Severity::Warning,
                        line,
                        format!(
                            "adding a {} constraint to \"{}\" builds its index under an ACCESS EXCLUSIVE lock: CREATE UNIQUE INDEX CONCURRENTLY first, then add the constraint USING INDEX",
                            if ty == ConstrType::ConstrPrimary as i32 {
                                "primary key"
                            } else {
                                "unique"
                            },
                            display(&t)
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

fn quoted(name: &str) -> String {
    if name.is_empty() {
        "(unnamed)".into()
    } else {
        format!("\"{name}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Schema, Table};

    /// Every code this file reports is registered, so `strata explain` and the env's lint
    /// policy know it.
    #[test]
    fn every_code_reported_here_is_registered() {
        let code = include_str!("lint.rs")
            .split("#[cfg(test)]")
            .next()
            .unwrap();
        let mut found = Vec::new();
        for (i, _) in code.match_indices('"') {
            let lit = code[i + 1..].get(..6).unwrap_or("");
            let b = lit.as_bytes();
            if b.len() == 6
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..5].iter().all(u8::is_ascii_digit)
                && b[5] == b'"'
            {
                found.push(&lit[..5]);
            }
        }
        assert!(
            found.contains(&"ST100") && found.contains(&"PG103"),
            "{found:?}"
        );
        for c in found {
            assert!(
                crate::lint::find(c).is_some(),
                "{c} is not in lint::rules::ALL"
            );
        }
    }

    fn node(sql: &str) -> NodeEnum {
        pg_query::parse(sql, 0).unwrap().protobuf.stmts[0]
            .stmt
            .as_ref()
            .unwrap()
            .node
            .clone()
            .unwrap()
    }

    fn codes(sql: &str, txmode_none: bool) -> Vec<String> {
        let mut m = Model::default();
        let mut s = Schema {
            name: "public".into(),
            ..Default::default()
        };
        s.tables.insert(
            "users".into(),
            Table {
                schema: "public".into(),
                name: "users".into(),
                ..Default::default()
            },
        );
        m.schemas.insert("public".into(), s);
        sql_checks(&node(sql), &m, txmode_none, 1)
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn sql_level_checks() {
        assert_eq!(codes("CREATE INDEX i ON users (email)", false), ["PG101"]);
        assert!(codes("CREATE INDEX i ON fresh (email)", false).is_empty());
        assert_eq!(
            codes("CREATE INDEX CONCURRENTLY i ON users (email)", false),
            ["PG103"]
        );
        assert!(codes("CREATE INDEX CONCURRENTLY i ON users (email)", true).is_empty());
        assert_eq!(codes("DROP INDEX i", false), ["PG102"]);
        assert_eq!(
            codes(
                "ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES o (id)",
                false
            ),
            ["PG306"]
        );
        assert!(
            codes(
                "ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES o (id) NOT VALID",
                false
            )
            .is_empty()
        );
        assert_eq!(
            codes("ALTER TABLE users ALTER COLUMN a SET NOT NULL", false),
            ["PG303"]
        );
        assert_eq!(
            codes("ALTER TABLE users ADD CHECK (a > 0)", false),
            ["PG305"]
        );
        assert_eq!(
            codes("ALTER TABLE public.users ADD UNIQUE (a)", false),
            ["PG105"]
        );
    }
}
