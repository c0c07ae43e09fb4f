//! Inheritance children compared on their own columns (`inheritance_view`).

use super::*;

/// Adjusts the current version of a table with `INHERITS` parents so that only real changes to
/// its own columns remain: columns of a parent it leaves become its own (`NO INHERIT` keeps
/// them), and a column it has from a parent in both versions is neither added nor dropped
/// (PostgreSQL refuses both: the parent's changes reach it by recursion).
///
/// A column the table declares itself stays its own when the table inherits it as well:
/// PostgreSQL has no statement that makes it inherited-only, so a desired table that leaves
/// such a column to its parent is refused, naming the column.
pub(super) fn inheritance_view(
    have: &mut Table,
    want: &Table,
    current: &Model,
    desired: &Model,
) -> Result<(), UnsupportedChange> {
    if have.inherits.is_empty() && want.inherits.is_empty() {
        return Ok(());
    }
    let leaving: Vec<QualifiedName> = have
        .inherits
        .iter()
        .filter(|p| !want.inherits.contains(p))
        .cloned()
        .collect();
    for (owner, mut c) in ancestor_columns(current, &leaving) {
        if have.column(&c.name).is_none() {
            // A serial column's sequence stays its parent's: here it is a plain integer
            // column whose default draws from that sequence.
            if let DataType::Serial(kind) = c.ty {
                let seq =
                    crate::postgres::names::make_object_name(&owner.name, Some(&c.name), "seq");
                c.ty = DataType::Builtin(kind.integer_type().into());
                c.default = Some(crate::postgres::defaults::nextval_default(
                    &owner.schema,
                    &seq,
                ));
            }
            have.columns.push(c);
        }
    }
    let later: HashSet<String> = ancestor_columns(desired, &want.inherits)
        .into_iter()
        .map(|(_, c)| c.name)
        .collect();
    let staying: Vec<QualifiedName> = have
        .inherits
        .iter()
        .filter(|p| want.inherits.contains(p))
        .cloned()
        .collect();
    let now: HashSet<String> = ancestor_columns(current, &staying)
        .into_iter()
        .map(|(_, c)| c.name)
        .collect();
    let kept_local: Vec<&str> = have
        .columns
        .iter()
        .filter(|c| want.column(&c.name).is_none() && later.contains(&c.name))
        .map(|c| c.name.as_str())
        .collect();
    if !kept_local.is_empty() {
        let parents: Vec<String> = want.inherits.iter().map(|p| format!("\"{p}\"")).collect();
        let names: Vec<String> = kept_local.iter().map(|c| format!("\"{c}\"")).collect();
        return Err(UnsupportedChange {
            message: format!(
                "column {} of \"{}\" would stay declared in the table itself: PostgreSQL cannot make a column the table already has inherited-only (from {})",
                names.join(", "),
                want.qualified(),
                parents.join(", ")
            ),
            help: Some(format!(
                "declare {} in \"{}\" as well (it is then both its own and inherited, which is what PostgreSQL keeps), or re-create the table",
                names.join(", "),
                want.qualified()
            )),
        });
    }
    for c in &want.columns {
        if have.column(&c.name).is_none() && now.contains(&c.name) && later.contains(&c.name) {
            have.columns.push(c.clone());
        }
    }
    Ok(())
}

/// The columns of `parents` and of their own parents, nearest first, each name once, with the
/// table that declares each.
pub(super) fn ancestor_columns(
    model: &Model,
    parents: &[QualifiedName],
) -> Vec<(QualifiedName, Column)> {
    let mut out: Vec<(QualifiedName, Column)> = Vec::new();
    let mut todo: Vec<QualifiedName> = parents.iter().rev().cloned().collect();
    let mut seen = HashSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        if let Some(pt) = model.table(&p) {
            for c in &pt.columns {
                if !out.iter().any(|(_, x)| x.name == c.name) {
                    out.push((p.clone(), c.clone()));
                }
            }
            todo.extend(pt.inherits.iter().rev().cloned());
        }
    }
    out
}

/// A partition's columns are its parent's: fill them in so that attaching and detaching compare
/// columns with the parent's.
pub(super) fn with_parent_columns(t: &Table, model: &Model) -> Table {
    let mut t = t.clone();
    if t.columns.is_empty() {
        let mut parent = t.partition_of.as_ref().map(|p| p.parent.clone());
        while let Some(p) = parent {
            match model.table(&p) {
                Some(pt) if !pt.columns.is_empty() => {
                    t.columns = pt.columns.clone();
                    break;
                }
                Some(pt) => parent = pt.partition_of.as_ref().map(|x| x.parent.clone()),
                None => break,
            }
        }
    }
    t
}
