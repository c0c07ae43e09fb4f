//! Steps for extensions, sequences, domains, composite types, routines, views, triggers and
//! policies.

use super::Action;
use super::graph::{Node, rank};
use super::order::{Ctx, collation_needs, display, step, type_needs};
use crate::diff::{Change, Rel};
use crate::lint::{self, Subject};
use crate::model::{Function, ObjectId, ObjectKind, QualifiedName, Returns, Trigger, View};
use crate::postgres::ddl_objects as d;
use crate::postgres::inspect::deps::ObjKey;
use crate::postgres::quote;

/// `function.<schema>.<signature>` or `procedure.…`.
pub fn function_id(f: &Function) -> ObjectId {
    ObjectId::routine(f.kind, &f.schema, &crate::postgres::types::signature(f))
}

/// `view.<schema>.<name>` or `materialized.…`.
pub fn view_id(v: &View) -> ObjectId {
    ObjectId::view(&v.schema, &v.name, v.materialized)
}

/// `trigger.<schema>.<table>.<name>`.
pub fn trigger_id(on: &QualifiedName, t: &Trigger) -> ObjectId {
    ObjectId::trigger(on, &t.name)
}

fn function_key(f: &Function) -> ObjKey {
    ObjKey::Function(f.schema.clone(), crate::postgres::types::signature(f))
}

fn function_needs(f: &Function, ctx: &Ctx) -> Vec<ObjKey> {
    let mut n = vec![ObjKey::Schema(f.schema.clone())];
    for a in &f.args {
        n.extend(type_needs(&a.ty));
    }
    match &f.returns {
        Some(Returns::Type(t)) | Some(Returns::SetOf(t)) => n.extend(type_needs(t)),
        Some(Returns::Table(cols)) => cols.iter().for_each(|(_, t)| n.extend(type_needs(t))),
        None => {}
    }
    n.extend(ctx.desired_deps(&function_key(f)));
    n
}

fn view_key(v: &View) -> ObjKey {
    ObjKey::View(QualifiedName::new(&v.schema, &v.name))
}

fn rel_key(on: &Rel) -> ObjKey {
    if on.is_view {
        ObjKey::View(on.name.clone())
    } else {
        ObjKey::Table(on.name.clone())
    }
}

fn trigger_function_key(t: &Trigger) -> ObjKey {
    ObjKey::Function(t.function.schema.clone(), format!("{}()", t.function.name))
}

pub(super) fn nodes(out: &mut Vec<Node>, changes: &[Change], ctx: &Ctx) {
    for c in changes {
        match c {
            Change::CreateExtension(e) => {
                let mut n = Node::new(
                    step(
                        ObjectId::extension(&e.name),
                        Action::Create,
                        format!("Create extension {}", quote::ident(&e.name)),
                        vec![d::create_extension(e)],
                        vec![],
                    ),
                    rank::EXTENSION,
                )
                .creates([ObjKey::Extension(e.name.clone())]);
                if let Some(s) = &e.schema {
                    n = n.needs([ObjKey::Schema(s.clone())]);
                }
                out.push(n);
            }
            Change::AlterExtension { from, to } => out.push(
                Node::new(
                    step(
                        ObjectId::extension(&to.name),
                        Action::Update,
                        format!("Update extension {}", quote::ident(&to.name)),
                        d::alter_extension(from, to),
                        lint::hazards(&Subject::UpdateExtension {
                            name: &to.name,
                            from: from.version.as_deref(),
                            to: to.version.as_deref(),
                        }),
                    ),
                    rank::EXTENSION,
                )
                .alters([ObjKey::Extension(to.name.clone())]),
            ),
            Change::DropExtension(e) => out.push(
                Node::new(
                    step(
                        ObjectId::extension(&e.name),
                        Action::Delete,
                        format!("Drop extension {}", quote::ident(&e.name)),
                        vec![d::drop_extension(&e.name)],
                        lint::hazards(&Subject::DropExtension { name: &e.name }),
                    ),
                    rank::DROP_EXTENSION,
                )
                .drops([ObjKey::Extension(e.name.clone())]),
            ),
            Change::CreateSequence(s) => {
                let q = QualifiedName::new(&s.schema, &s.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::sequence(&q),
                            Action::Create,
                            format!("Create sequence {}", display(&q)),
                            d::create_sequence(s),
                            vec![],
                        ),
                        rank::SEQUENCE,
                    )
                    .creates([ObjKey::Sequence(q.clone())])
                    .needs([ObjKey::Schema(q.schema.clone())]),
                );
                if let Some((t, c)) = &s.owned_by {
                    out.push(
                        Node::new(
                            step(
                                ObjectId::sequence(&q),
                                Action::Create,
                                format!("Set the owner of sequence {}", display(&q)),
                                vec![d::sequence_owner(s)],
                                vec![],
                            ),
                            rank::SEQUENCE_OWNER,
                        )
                        .alters([ObjKey::Sequence(q.clone())])
                        .needs([
                            ObjKey::Sequence(q.clone()),
                            ObjKey::Table(t.clone()),
                            ObjKey::Column(t.clone(), c.clone()),
                        ]),
                    );
                }
            }
            Change::AlterSequence { from, to } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                let stmts = d::alter_sequence(from, to);
                if !stmts.is_empty() {
                    out.push(
                        Node::new(
                            step(
                                ObjectId::sequence(&q),
                                Action::Update,
                                format!("Modify sequence {}", display(&q)),
                                stmts,
                                vec![],
                            ),
                            rank::SEQUENCE,
                        )
                        .alters([ObjKey::Sequence(q.clone())]),
                    );
                }
                if from.owned_by != to.owned_by {
                    let mut n = Node::new(
                        step(
                            ObjectId::sequence(&q),
                            Action::Update,
                            format!("Set the owner of sequence {}", display(&q)),
                            vec![d::sequence_owner(to)],
                            vec![],
                        ),
                        rank::SEQUENCE_OWNER,
                    )
                    .alters([ObjKey::Sequence(q.clone())]);
                    if let Some((t, c)) = &to.owned_by {
                        n = n.needs([
                            ObjKey::Table(t.clone()),
                            ObjKey::Column(t.clone(), c.clone()),
                        ]);
                    }
                    out.push(n);
                }
            }
            Change::DropSequence(s) => {
                let q = QualifiedName::new(&s.schema, &s.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::sequence(&q),
                            Action::Delete,
                            format!("Drop sequence {}", display(&q)),
                            vec![d::drop_sequence(s)],
                            lint::hazards(&Subject::DropSequence { name: &q }),
                        ),
                        rank::DROP_TYPES,
                    )
                    .drops([ObjKey::Sequence(q)]),
                );
            }
            Change::CreateCollation(c) => {
                let q = QualifiedName::new(&c.schema, &c.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                            Action::Create,
                            format!("Create collation {}", display(&q)),
                            d::create_collation(c),
                            vec![],
                        ),
                        rank::EXTENSION,
                    )
                    .creates([ObjKey::Type(q.clone())])
                    .needs([ObjKey::Schema(q.schema)]),
                );
            }
            Change::AlterCollation { to, .. } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                            Action::Update,
                            format!("Modify collation {}", display(&q)),
                            vec![d::comment_on_collation(to)],
                            vec![],
                        ),
                        rank::TYPES,
                    )
                    .alters([ObjKey::Type(q)]),
                );
            }
            Change::DropCollation(c) => {
                let q = QualifiedName::new(&c.schema, &c.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                            Action::Delete,
                            format!("Drop collation {}", display(&q)),
                            vec![d::drop_collation(c)],
                            vec![],
                        ),
                        rank::DROP_EXTENSION,
                    )
                    .drops([ObjKey::Type(q)]),
                );
            }
            Change::CreateDomain(dm) => {
                let q = QualifiedName::new(&dm.schema, &dm.name);
                let mut needs = vec![ObjKey::Schema(q.schema.clone())];
                needs.extend(type_needs(&dm.base));
                needs.extend(collation_needs(ctx, dm.collation.as_deref()));
                needs.extend(ctx.desired_deps(&ObjKey::Type(q.clone())));
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                            Action::Create,
                            format!("Create domain {}", display(&q)),
                            d::create_domain(dm),
                            vec![],
                        ),
                        rank::TYPES,
                    )
                    .creates([ObjKey::Type(q)])
                    .needs(needs),
                );
            }
            Change::AlterDomain { from, to } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                let hz = if to.checks.iter().any(|c| !from.checks.contains(c))
                    || (to.not_null && !from.not_null)
                {
                    lint::hazards(&Subject::AddDomainConstraint { domain: &q })
                } else {
                    vec![]
                };
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                            Action::Update,
                            format!("Modify domain {}", display(&q)),
                            d::alter_domain(from, to),
                            hz,
                        ),
                        rank::TYPES,
                    )
                    .alters([ObjKey::Type(q.clone())])
                    .needs(ctx.desired_deps(&ObjKey::Type(q))),
                );
            }
            Change::DropDomain(dm) => {
                let q = QualifiedName::new(&dm.schema, &dm.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                            Action::Delete,
                            format!("Drop domain {}", display(&q)),
                            vec![d::drop_domain(dm)],
                            vec![],
                        ),
                        rank::DROP_TYPES,
                    )
                    .drops([ObjKey::Type(q)]),
                );
            }
            Change::CreateComposite(c) => {
                let q = QualifiedName::new(&c.schema, &c.name);
                let mut needs = vec![ObjKey::Schema(q.schema.clone())];
                for (_, t) in &c.fields {
                    needs.extend(type_needs(t));
                }
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                            Action::Create,
                            format!("Create composite type {}", display(&q)),
                            d::create_composite(c),
                            vec![],
                        ),
                        rank::TYPES,
                    )
                    .creates([ObjKey::Type(q)])
                    .needs(needs),
                );
            }
            Change::AlterComposite { from, to } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                let mut needs = Vec::new();
                for (_, t) in &to.fields {
                    needs.extend(type_needs(t));
                }
                let hazards: Vec<_> = from
                    .fields
                    .iter()
                    .filter(|(n, _)| !to.fields.iter().any(|(m, _)| m == n))
                    .flat_map(|(n, _)| {
                        lint::hazards(&Subject::DropCompositeField { name: &q, field: n })
                    })
                    .collect();
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                            Action::Update,
                            format!("Modify composite type {}", display(&q)),
                            d::alter_composite(from, to),
                            hazards,
                        ),
                        rank::TYPES,
                    )
                    .alters([ObjKey::Type(q)])
                    .needs(needs),
                );
            }
            Change::DropComposite(c) => {
                let q = QualifiedName::new(&c.schema, &c.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                            Action::Delete,
                            format!("Drop composite type {}", display(&q)),
                            vec![d::drop_composite(c)],
                            vec![],
                        ),
                        rank::DROP_TYPES,
                    )
                    .drops([ObjKey::Type(q)]),
                );
            }
            Change::CreateFunction(f) => out.push(
                Node::new(
                    step(
                        function_id(f),
                        Action::Create,
                        format!("Create {}", describe_routine(f)),
                        d::create_function(f, false),
                        vec![],
                    ),
                    rank::FUNCTION,
                )
                .creates([function_key(f)])
                .needs(function_needs(f, ctx)),
            ),
            Change::ReplaceFunction { from, to } => {
                let definition = Function {
                    comment: None,
                    ..from.clone()
                } != Function {
                    comment: None,
                    ..to.clone()
                };
                let stmts = if definition {
                    d::create_function(to, true)
                } else {
                    vec![d::comment_on_function(to)]
                };
                out.push(
                    Node::new(
                        step(
                            function_id(to),
                            Action::Update,
                            format!("Replace {}", describe_routine(to)),
                            stmts,
                            vec![],
                        ),
                        rank::FUNCTION,
                    )
                    .alters([function_key(to)])
                    .creates([function_key(to)])
                    .needs(function_needs(to, ctx)),
                );
            }
            Change::DropFunction(f) => out.push(
                Node::new(
                    step(
                        function_id(f),
                        Action::Delete,
                        format!("Drop {}", describe_routine(f)),
                        vec![d::drop_function(f)],
                        lint::hazards(&Subject::DropRoutine {
                            address: &function_id(f),
                        }),
                    ),
                    rank::DROP_FUNCTION,
                )
                .drops([function_key(f)]),
            ),
            Change::CreateView(v) => {
                let mut creates = vec![view_key(v)];
                let vq = QualifiedName::new(&v.schema, &v.name);
                creates.extend(
                    v.indexes
                        .iter()
                        .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
                );
                let mut needs = vec![ObjKey::Schema(v.schema.clone())];
                needs.extend(ctx.desired_deps(&view_key(v)));
                out.push(
                    Node::new(
                        step(
                            view_id(v),
                            Action::Create,
                            format!("Create {} {}", view_word(v), display(&vq)),
                            d::create_view(v),
                            vec![],
                        ),
                        rank::VIEW,
                    )
                    .creates(creates)
                    .needs(needs),
                );
            }
            Change::AlterView { from, to } => {
                let vq = QualifiedName::new(&to.schema, &to.name);
                out.push(
                    Node::new(
                        step(
                            view_id(to),
                            Action::Update,
                            format!("Modify {} {}", view_word(to), display(&vq)),
                            d::alter_view(from, to),
                            vec![],
                        ),
                        rank::VIEW,
                    )
                    .alters([view_key(to)])
                    .creates(
                        to.indexes
                            .iter()
                            .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
                    ),
                );
            }
            Change::DropView(v) => {
                let vq = QualifiedName::new(&v.schema, &v.name);
                let mut drops = vec![view_key(v)];
                drops.extend(
                    v.indexes
                        .iter()
                        .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
                );
                drops.extend(
                    v.triggers
                        .iter()
                        .map(|t| ObjKey::Trigger(vq.clone(), t.name.clone())),
                );
                out.push(
                    Node::new(
                        step(
                            view_id(v),
                            Action::Delete,
                            format!("Drop {} {}", view_word(v), display(&vq)),
                            vec![d::drop_view(v)],
                            lint::hazards(&Subject::DropView {
                                address: &view_id(v),
                            }),
                        ),
                        rank::DROP_VIEW,
                    )
                    .drops(drops),
                );
            }
            Change::CreateTrigger { on, trigger } => {
                out.push(
                    Node::new(
                        step(
                            trigger_id(&on.name, trigger),
                            Action::Create,
                            format!(
                                "Create trigger {} on {}",
                                quote::ident(&trigger.name),
                                display(&on.name)
                            ),
                            d::create_trigger(&on.name, trigger),
                            vec![],
                        ),
                        rank::TRIGGER_POLICY,
                    )
                    .creates([ObjKey::Trigger(on.name.clone(), trigger.name.clone())])
                    .needs(
                        [rel_key(on), trigger_function_key(trigger)]
                            .into_iter()
                            .chain(ctx.desired_deps(&ObjKey::Trigger(
                                on.name.clone(),
                                trigger.name.clone(),
                            ))),
                    ),
                )
            }
            Change::AlterTrigger { on, from, to } => {
                let mut stmts = Vec::new();
                if from.enabled != to.enabled {
                    stmts.push(d::set_trigger_enabled(&on.name, to));
                }
                if from.comment != to.comment {
                    stmts.push(d::comment_on_trigger(&on.name, to));
                }
                out.push(
                    Node::new(
                        step(
                            trigger_id(&on.name, to),
                            Action::Update,
                            format!(
                                "Modify trigger {} on {}",
                                quote::ident(&to.name),
                                display(&on.name)
                            ),
                            stmts,
                            vec![],
                        ),
                        rank::TRIGGER_POLICY,
                    )
                    .alters([ObjKey::Trigger(on.name.clone(), to.name.clone())]),
                );
            }
            Change::DropTrigger { on, trigger } => out.push(
                Node::new(
                    step(
                        trigger_id(&on.name, trigger),
                        Action::Delete,
                        format!(
                            "Drop trigger {} on {}",
                            quote::ident(&trigger.name),
                            display(&on.name)
                        ),
                        vec![d::drop_trigger(&on.name, trigger)],
                        vec![],
                    ),
                    rank::DROP_TRIGGER_POLICY,
                )
                .drops([ObjKey::Trigger(on.name.clone(), trigger.name.clone())]),
            ),
            Change::CreatePolicy { on, policy } => {
                let k = ObjKey::Policy(on.clone(), policy.name.clone());
                out.push(
                    Node::new(
                        step(
                            ObjectId::policy(on, &policy.name),
                            Action::Create,
                            format!(
                                "Create policy {} on {}",
                                quote::ident(&policy.name),
                                display(on)
                            ),
                            d::create_policy(on, policy),
                            lint::hazards(&Subject::ChangePolicy {
                                table: on,
                                name: &policy.name,
                            }),
                        ),
                        rank::TRIGGER_POLICY,
                    )
                    .creates([k.clone()])
                    .needs(
                        [ObjKey::Table(on.clone())]
                            .into_iter()
                            .chain(ctx.desired_deps(&k)),
                    ),
                );
            }
            Change::AlterPolicy { on, from, to } => {
                let k = ObjKey::Policy(on.clone(), to.name.clone());
                out.push(
                    Node::new(
                        step(
                            ObjectId::policy(on, &to.name),
                            Action::Update,
                            format!(
                                "Modify policy {} on {}",
                                quote::ident(&to.name),
                                display(on)
                            ),
                            d::alter_policy(on, from, to),
                            lint::hazards(&Subject::ChangePolicy {
                                table: on,
                                name: &to.name,
                            }),
                        ),
                        rank::TRIGGER_POLICY,
                    )
                    .alters([k.clone()])
                    .creates([k.clone()])
                    .needs(ctx.desired_deps(&k)),
                );
            }
            Change::DropPolicy { on, policy } => out.push(
                Node::new(
                    step(
                        ObjectId::policy(on, &policy.name),
                        Action::Delete,
                        format!(
                            "Drop policy {} on {}",
                            quote::ident(&policy.name),
                            display(on)
                        ),
                        vec![d::drop_policy(on, policy)],
                        lint::hazards(&Subject::ChangePolicy {
                            table: on,
                            name: &policy.name,
                        }),
                    ),
                    rank::DROP_TRIGGER_POLICY,
                )
                .drops([ObjKey::Policy(on.clone(), policy.name.clone())]),
            ),
            _ => {}
        }
    }
}

fn view_word(v: &View) -> &'static str {
    if v.materialized {
        "materialized view"
    } else {
        "view"
    }
}

fn describe_routine(f: &Function) -> String {
    let kind = match f.kind {
        crate::model::RoutineKind::Function => "function",
        crate::model::RoutineKind::Procedure => "procedure",
    };
    format!("{kind} {}", d::routine_ref(f))
}
