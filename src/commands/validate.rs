//! `strata validate`: load and check the schema files, no database. Also runs the schema
//! lints (`ST…` codes) and reports them under the env's policy.

use super::{Settings, load_desired, usage};
use crate::cli::{EXIT_OK, ValidateArgs};
use crate::hcl::SourceMap;
use crate::hcl::diag::Location;
use crate::lint::{self, policy::Level};
use crate::model::{ObjectId, ObjectKind};
use miette::Result;

/// Table parts that are named blocks of their table (`column "a"`, `foreign_key "fk"`, …).
const PART_BLOCKS: &[ObjectKind] = &[
    ObjectKind::Column,
    ObjectKind::ForeignKey,
    ObjectKind::Index,
    ObjectKind::Check,
    ObjectKind::Unique,
    ObjectKind::Exclude,
];

/// `file:line:column` of the closest declared object that holds `object`: a table part's own
/// block (a column, a foreign key, …) when it can be found in its table's text, else the table.
fn whereabouts(sources: &SourceMap, object: &ObjectId) -> Option<String> {
    if PART_BLOCKS.contains(&object.kind())
        && let Some(table) = object.parent()
        && let Some(loc) = sources.objects.get(&table)
        && let Some(at) = part_block(
            &loc.file.text,
            loc.span.start,
            object.kind().as_str(),
            object.name(),
        )
    {
        return Some(
            Location {
                file: loc.file.clone(),
                span: at..at,
            }
            .display(),
        );
    }
    // The object, else the table that holds it.
    sources
        .objects
        .get(object)
        .or_else(|| sources.objects.get(&object.parent()?))
        .map(|loc| loc.display())
}

/// Offset of `keyword "name"` (`column "a"`) in `text` after `from` (a table's label), before
/// the next top-level `table` block.
fn part_block(text: &str, from: usize, keyword: &str, name: &str) -> Option<usize> {
    let rest = text.get(from..)?;
    let end = rest.find("\ntable ").unwrap_or(rest.len());
    let rest = &rest[..end];
    let label = format!("\"{name}\"");
    let mut start = 0;
    while let Some(i) = rest[start..].find(&label) {
        let at = start + i;
        let before = rest[..at].trim_end();
        if before.ends_with(keyword) {
            return Some(from + before.len() - keyword.len());
        }
        start = at + label.len();
    }
    None
}

pub(crate) fn run(s: &Settings, args: &ValidateArgs) -> Result<u8> {
    let loaded = load_desired(s)?;
    let m = &loaded.model;
    let mut findings = lint::schema_findings(m);
    findings.retain(|f| s.policy.level(&f.hazard) != Level::Allow || args.all);
    let p = &s.painter;
    let mut denied = 0;
    for f in &findings {
        let h = &f.hazard;
        let at = whereabouts(&loaded.sources, &f.object)
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        let text = format!("{} {}: {}{at}", h.code, h.category.label(), h.message);
        match s.policy.level(h) {
            Level::Deny => {
                denied += 1;
                println!("{}", p.bold_red(&format!("✖ {text}")));
            }
            Level::Warn => println!("{}", p.yellow(&format!("! {text}"))),
            Level::Allow => println!("{}", p.dim(&format!("· {text} (allowed)"))),
        }
    }
    if !findings.is_empty() {
        println!();
    }
    if denied > 0 {
        return Err(usage(
            format!("{denied} lint finding(s) the policy denies"),
            "fix them, or change the env's lint block; `strata explain CODE` says why each matters",
        ));
    }
    println!(
        "{} The configuration is valid: {} schema(s), {} table(s), {} enum(s){}.",
        p.bold_green("Success!"),
        m.schemas.len(),
        m.table_count(),
        m.enums().count(),
        if findings.is_empty() {
            String::new()
        } else {
            format!(
                "; {} lint warning(s), `strata explain CODE` for details",
                findings.len()
            )
        }
    );
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::{part_block, whereabouts};
    use crate::hcl::diag::SourceFile;
    use crate::hcl::{LoadOptions, load};
    use crate::model::{ObjectId, ObjectKind, QualifiedName, RoutineKind};

    #[test]
    fn finds_where_findings_and_steps_are_declared() {
        let long = "mv";
        let text = format!(
            "schema \"app\" {{}}\n\
             table \"t\" {{\n  schema = schema.app\n  column \"id\" {{\n    type = int\n  }}\n  foreign_key \"fk\" {{\n    columns     = [column.id]\n    ref_columns = [column.id]\n  }}\n}}\n\
             materialized \"{long}\" {{\n  schema = schema.app\n  as = \"SELECT 1 AS x\"\n}}\n\
             procedure \"p\" {{\n  schema = schema.app\n  lang = sql\n  as = \"SELECT 1\"\n}}\n"
        );
        let loaded = load(
            &[SourceFile::new("schema.hcl", text)],
            &LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let at = |id: ObjectId| whereabouts(&loaded.sources, &id);
        let t = QualifiedName::new("app", "t");
        assert_eq!(at(ObjectId::table(&t)).as_deref(), Some("schema.hcl:2:7"));
        assert_eq!(
            at(ObjectId::column(&t, "id")).as_deref(),
            Some("schema.hcl:4:3")
        );
        // A foreign key at its block (ST106), a part without a block of its own at its table.
        let fk = ObjectId::part(&t, ObjectKind::ForeignKey, "fk");
        assert_eq!(at(fk).as_deref(), Some("schema.hcl:7:3"));
        let pk = ObjectId::part(&t, ObjectKind::Check, "nope");
        assert_eq!(at(pk).as_deref(), Some("schema.hcl:2:7"));
        // The address ST105 gives a materialized view, and the plan's of a procedure.
        assert_eq!(
            at(ObjectId::view("app", long, true)).as_deref(),
            Some("schema.hcl:12:14")
        );
        assert_eq!(at(ObjectId::view("app", long, false)), None);
        assert_eq!(
            at(ObjectId::routine(RoutineKind::Procedure, "app", "p()")).as_deref(),
            Some("schema.hcl:16:11")
        );
    }

    #[test]
    fn finds_the_column_block_of_its_own_table() {
        let text = "table \"a\" {\n  column \"id\" {}\n}\ntable \"b\" {\n  column  \"id\" {}\n  column \"x\" {}\n}\n";
        let b = text.find("\"b\"").unwrap();
        let at = part_block(text, b, "column", "id").unwrap();
        assert!(text[at..].starts_with("column  \"id\""));
        assert!(at > b);
        let a = text.find("\"a\"").unwrap();
        assert_eq!(part_block(text, a, "column", "x"), None, "not in table a");
        assert_eq!(part_block(text, b, "column", "nope"), None);
    }
}
