//! Online variants: concurrent unique indexes attached with `USING INDEX`, `VALIDATE CONSTRAINT`,
//! and the `_strata_not_null` check.

use super::*;

/// Name of the temporary check online mode uses to set NOT NULL without a long lock.
pub(super) fn not_null_check_name(column: &str) -> String {
    let mut name = format!("{column}_strata_not_null");
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// Online mode: a unique index built concurrently (phase 2), then attached as a `kind`
/// (`UNIQUE` or `PRIMARY KEY`) constraint. A unique constraint is attached right after it in
/// phase 2 (a brief catalog change), so foreign keys that reference it are added and validated
/// online too; a primary key waits for the final transaction, where its columns' NOT NULL
/// (itself set through a validated check) is already in place.
#[allow(clippy::too_many_arguments)]
pub(super) fn online_unique(
    out: &mut Vec<Node>,
    q: &QualifiedName,
    kind: &str,
    name: &str,
    columns: &[String],
    include: &[String],
    nulls_distinct: bool,
    deferrable: crate::model::Deferrable,
    comment: &Option<String>,
    mut hazards: Vec<Hazard>,
) {
    let addr = ObjectId::table(q);
    let ix = crate::model::Index {
        name: name.to_string(),
        unique: true,
        method: "btree".into(),
        parts: columns
            .iter()
            .map(|c| crate::model::IndexPart::column(c.clone()))
            .collect(),
        include: include.to_vec(),
        predicate: None,
        nulls_distinct,
        comment: None,
        storage_params: Default::default(),
        invalid: false,
    };
    hazards.extend(lint::hazards(&Subject::Online {
        table: q,
        what: &format!("builds unique index \"{name}\" concurrently"),
    }));
    let ik = ObjKey::Index(q.clone(), name.to_string());
    let mut needs = vec![ObjKey::Table(q.clone())];
    needs.extend(columns.iter().chain(include).map(|c| col(q, c)));
    out.push(
        Node::new(
            step(
                addr.clone(),
                Action::Update,
                format!(
                    "Build the index of {} {} on {} concurrently",
                    kind.to_lowercase(),
                    quote::ident(name),
                    display(q)
                ),
                vec![ddl::create_index_concurrently(q, &ix)],
                hazards,
            ),
            rank::CREATE_INDEX,
        )
        .creates([ik.clone()])
        .needs(needs)
        .phase(Phase::Online, Some(vec![ddl::create_index(q, &ix)])),
    );
    let mut stmts = vec![ddl::alter_table(
        q,
        &[ddl::add_constraint_using_index(
            kind,
            name,
            name,
            deferrable.sql(),
        )],
    )];
    if comment.is_some() {
        stmts.push(ddl::comment_on_constraint(q, name, comment));
    }
    out.push(
        Node::new(
            step(
                addr,
                Action::Update,
                format!(
                    "Add {} {} to {} using its new index",
                    kind.to_lowercase(),
                    quote::ident(name),
                    display(q)
                ),
                stmts,
                vec![],
            ),
            rank::ADD_FK,
        )
        .creates([con(q, name)])
        .needs([ik])
        .phase(
            if kind == "UNIQUE" {
                Phase::Online
            } else {
                Phase::Final
            },
            None,
        ),
    );
}

/// Online mode: `VALIDATE CONSTRAINT` outside the transaction, after the constraint was added
/// `NOT VALID`.
pub(super) fn online_validate(out: &mut Vec<Node>, q: &QualifiedName, name: &str, what: &str) {
    out.push(
        Node::new(
            step(
                ObjectId::table(q),
                Action::Update,
                format!("Validate {what} {} on {}", quote::ident(name), display(q)),
                vec![ddl::validate_constraint(q, name)],
                lint::hazards(&Subject::Online {
                    table: q,
                    what: &format!("validates {what} \"{name}\""),
                }),
            ),
            rank::ADD_FK,
        )
        .needs([con(q, name)])
        .phase(Phase::Online, None),
    );
}
