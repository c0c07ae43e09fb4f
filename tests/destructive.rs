//! Every kind of statement the planner emits, and which of them destroy data: each destructive
//! statement must sit in a step that carries a data-loss hazard (which the policy then judges:
//! unattended applies refuse it). The statements are classified here with PostgreSQL's own
//! parser, independently of the planner, and a statement kind this test has never seen fails it
//! until someone decides whether it loses data. No database: plans are built from HCL models.

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ObjectType};
use std::collections::BTreeMap;
use strata::plan::Step;

#[path = "common/transitions.rs"]
mod transitions;
use transitions::transitions;

/// Whether a kind of statement loses data.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Loss {
    /// Always: the step must carry a data-loss hazard.
    Always,
    /// Only for some inputs (a narrowing type change): checked on a case that does.
    Sometimes,
    /// Never: definitions only, or data that stays where it was (a detached partition).
    Never,
}
use Loss::*;

/// Every statement kind the planner may emit. Add new ones here, deciding their loss.
const KINDS: &[(&str, Loss)] = &[
    ("ALTER OBJECT_MATVIEW AT_ResetRelOptions", Never),
    ("ALTER OBJECT_MATVIEW AT_SetRelOptions", Never),
    ("ALTER OBJECT_TABLE AT_AddColumn", Never),
    ("ALTER OBJECT_TABLE AT_AddConstraint", Never),
    ("ALTER OBJECT_TABLE AT_AddIdentity", Never),
    ("ALTER OBJECT_TABLE AT_AlterColumnType", Sometimes),
    ("ALTER OBJECT_TABLE AT_AttachPartition", Never),
    ("ALTER OBJECT_TABLE AT_ColumnDefault", Never),
    ("ALTER OBJECT_TABLE AT_DetachPartition", Never),
    ("ALTER OBJECT_TABLE AT_DisableRowSecurity", Never),
    ("ALTER OBJECT_TABLE AT_DropColumn", Always),
    ("ALTER OBJECT_TABLE AT_DropConstraint", Never),
    ("ALTER OBJECT_TABLE AT_DropIdentity", Never),
    ("ALTER OBJECT_TABLE AT_DropNotNull", Never),
    ("ALTER OBJECT_TABLE AT_EnableRowSecurity", Never),
    ("ALTER OBJECT_TABLE AT_ForceRowSecurity", Never),
    ("ALTER OBJECT_TABLE AT_NoForceRowSecurity", Never),
    ("ALTER OBJECT_TABLE AT_SetIdentity", Never),
    ("ALTER OBJECT_TABLE AT_SetNotNull", Never),
    ("ALTER OBJECT_TABLE AT_SetRelOptions", Never),
    ("ALTER OBJECT_TABLE AT_ValidateConstraint", Never),
    ("ALTER OBJECT_TYPE AT_AddColumn", Never),
    ("ALTER OBJECT_TYPE AT_AlterColumnType", Sometimes),
    ("ALTER OBJECT_TYPE AT_DropColumn", Always),
    ("ALTER OBJECT_VIEW AT_ResetRelOptions", Never),
    ("ALTER OBJECT_VIEW AT_SetRelOptions", Never),
    ("AlterDomainStmt", Never),
    ("AlterEnumStmt", Never),
    // An extension's update scripts may change its objects; EX101 warns.
    ("AlterExtensionStmt", Never),
    ("AlterEventTrigStmt", Never),
    ("AlterFunctionStmt", Never),
    ("AlterPolicyStmt", Never),
    ("AlterObjectSchemaStmt", Never),
    ("AlterSeqStmt", Never),
    ("CommentStmt", Never),
    ("CompositeTypeStmt", Never),
    ("CreateDomainStmt", Never),
    ("CreateEnumStmt", Never),
    ("CreateEventTrigStmt", Never),
    ("CreateExtensionStmt", Never),
    ("CreateFunctionStmt", Never),
    ("CreatePolicyStmt", Never),
    ("CreateSchemaStmt", Never),
    ("CreateSeqStmt", Never),
    ("CreateStmt", Never),
    ("CreateTableAsStmt", Never),
    ("CreateTrigStmt", Never),
    ("DROP OBJECT_AGGREGATE", Never),
    ("DROP OBJECT_COLLATION", Never),
    ("DROP OBJECT_DOMAIN", Never),
    ("DROP OBJECT_EVENT_TRIGGER", Never),
    ("DROP OBJECT_EXTENSION", Never),
    ("DROP OBJECT_FUNCTION", Never),
    ("DROP OBJECT_INDEX", Never),
    // A materialized view's rows are derived: REFRESH brings them back.
    ("DROP OBJECT_MATVIEW", Never),
    ("DROP OBJECT_POLICY", Never),
    ("DROP OBJECT_PROCEDURE", Never),
    ("DROP OBJECT_SCHEMA", Always),
    // A sequence's current value is state that a recreated sequence does not have.
    ("DROP OBJECT_SEQUENCE", Always),
    ("DROP OBJECT_TABLE", Always),
    ("DROP OBJECT_TRIGGER", Never),
    ("DROP OBJECT_TYPE", Never),
    ("DROP OBJECT_VIEW", Never),
    // CREATE [OR REPLACE] AGGREGATE, CREATE COLLATION.
    ("DefineStmt", Never),
    ("DeleteStmt", Always),
    ("IndexStmt", Never),
    ("RenameStmt", Never),
    ("TruncateStmt", Always),
    ("ViewStmt", Never),
];

/// The kinds in one statement (an `ALTER TABLE` has one per subcommand).
fn kinds(sql: &str) -> Vec<String> {
    let parsed = pg_query::parse(sql, 0).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let mut out = Vec::new();
    for raw in &parsed.protobuf.stmts {
        let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
            continue;
        };
        let object = |t: i32| {
            ObjectType::try_from(t)
                .map(|o| o.as_str_name().to_string())
                .unwrap_or_else(|_| t.to_string())
        };
        match node {
            NodeEnum::DropStmt(d) => out.push(format!("DROP {}", object(d.remove_type))),
            NodeEnum::AlterTableStmt(a) => {
                for c in &a.cmds {
                    if let Some(NodeEnum::AlterTableCmd(cmd)) = &c.node {
                        let sub = AlterTableType::try_from(cmd.subtype)
                            .map(|s| s.as_str_name().to_string())
                            .unwrap_or_else(|_| cmd.subtype.to_string());
                        out.push(format!("ALTER {} {sub}", object(a.objtype)));
                    }
                }
            }
            NodeEnum::DoStmt(_) => {
                // A DO block's body is not parsed: what it runs is classified by its words.
                let upper = sql.to_ascii_uppercase();
                for (word, kind) in [
                    ("DROP TABLE", "DROP OBJECT_TABLE"),
                    ("DELETE FROM", "DeleteStmt"),
                    ("TRUNCATE", "TruncateStmt"),
                    ("DROP COLUMN", "ALTER OBJECT_TABLE AT_DropColumn"),
                    ("RESTART", "AlterSeqStmt"),
                ] {
                    if upper.contains(word) {
                        out.push(kind.to_string());
                    }
                }
                out.push("DoStmt".to_string());
            }
            other => {
                let name = format!("{other:?}");
                out.push(name.split('(').next().unwrap_or("").to_string());
            }
        }
    }
    out
}

/// Plans that together emit every kind of statement: create everything, change each object in
/// the ways a schema changes, take everything away.
fn step_text(step: &Step) -> String {
    format!(
        "{} [{}]\n  {}",
        step.description,
        step.hazards
            .iter()
            .map(|h| h.code.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        step.statements.join(";\n  ")
    )
}

#[test]
fn every_destructive_statement_carries_a_data_loss_hazard() {
    let known: BTreeMap<&str, Loss> = KINDS.iter().copied().collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown = Vec::new();
    let mut unhazarded = Vec::new();
    for (name, p) in transitions() {
        for step in &p.steps {
            for st in &step.statements {
                for kind in kinds(st) {
                    *seen.entry(kind.clone()).or_default() += 1;
                    match known.get(kind.as_str()) {
                        None if kind == "DoStmt" => {}
                        None => unknown.push(format!("{kind} ({name}): {st}")),
                        Some(Always) if !step.is_destructive() => {
                            unhazarded.push(format!("{name}: {kind} in\n{}", step_text(step)))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "statement kinds this test does not know; add them to KINDS with their loss:\n{}",
        unknown.join("\n")
    );
    assert!(
        unhazarded.is_empty(),
        "destructive statements without a data-loss hazard:\n{}",
        unhazarded.join("\n\n")
    );
    // The transitions really exercise the destructive kinds (a test that sees none proves
    // nothing).
    for kind in [
        "DROP OBJECT_TABLE",
        "DROP OBJECT_SCHEMA",
        "DROP OBJECT_SEQUENCE",
        "ALTER OBJECT_TABLE AT_DropColumn",
        "ALTER OBJECT_TYPE AT_DropColumn",
        "ALTER OBJECT_TABLE AT_AlterColumnType",
        "ALTER OBJECT_TABLE AT_DetachPartition",
    ] {
        assert!(
            seen.contains_key(kind),
            "no transition emits {kind}: {seen:#?}"
        );
    }
}

#[test]
fn lossy_changes_of_sometimes_kinds_carry_a_hazard() {
    // citext → varchar(20) may truncate; an enum value removed loses the rows' values.
    for (name, p) in transitions() {
        if name == "narrow a column" || name == "remove an enum value" {
            assert!(
                p.steps.iter().any(|s| s.is_destructive()),
                "{name}: no data-loss hazard in\n{}",
                p.steps.iter().map(step_text).collect::<Vec<_>>().join("\n")
            );
        }
    }
}

#[test]
fn the_classifier_knows_what_destroys_data() {
    let loss = |sql: &str| -> Vec<Loss> {
        let known: BTreeMap<&str, Loss> = KINDS.iter().copied().collect();
        kinds(sql)
            .iter()
            .filter_map(|k| known.get(k.as_str()).copied())
            .collect()
    };
    assert_eq!(loss("DROP TABLE a.b"), vec![Always]);
    assert_eq!(loss("ALTER TABLE t DROP COLUMN c"), vec![Always]);
    assert_eq!(loss("ALTER TYPE c DROP ATTRIBUTE f"), vec![Always]);
    assert_eq!(loss("ALTER TABLE t ADD COLUMN c int"), vec![Never]);
    assert_eq!(loss("TRUNCATE t"), vec![Always]);
    assert_eq!(
        loss("DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$"),
        vec![Always]
    );
}
