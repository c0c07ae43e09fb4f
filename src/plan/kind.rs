//! One object kind's planning in one place: [`KindPlan`] says what a kind's steps are (address,
//! SQL, graph keys, rank, hazards) and what the reviewer sees of it (attributes); the generic
//! builders here turn a create, alter or drop into the graph [`Node`] and the reviewer's
//! [`ObjectChange`]. [`kind_op!`] lists the `Change` variants of the kinds planned this way, once,
//! for both `order` and `describe_objects`.
//!
//! A kind planned this way lives in one file, `plan/order/<kind>.rs` (its `impl KindPlan`), plus
//! its three lines in [`kind_op!`]. The kinds whose changes are more than create, alter in place
//! and drop (tables, enums, functions, views, …) keep their own node builders beside it.

use super::describe::{Attrs, as_new, as_old, diff_attrs, node};
use super::graph::Node;
use super::order::{Ctx, step};
use super::{Action, Hazard, ObjectChange};
use crate::model::{ObjectId, ObjectKind};
use crate::postgres::inspect::deps::ObjKey;

/// What a change does to one object of kind `K`.
pub(super) enum Op<'a, K> {
    Create(&'a K),
    Alter { from: &'a K, to: &'a K },
    Drop(&'a K),
}

impl<K> Clone for Op<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Op<'_, K> {}

/// An object that lives on a relation, with the relation: a trigger (`R` is `diff::Rel`) or a
/// policy (`R` is the table's name).
pub(super) struct On<'a, R, T> {
    pub on: &'a R,
    pub it: &'a T,
}

/// The planner's knowledge of one object kind.
pub(super) trait KindPlan: Sized {
    /// The kind of its addresses and of its node in the reviewer's view.
    const KIND: ObjectKind;
    /// The noun of its step descriptions ("Create collation …").
    const NOUN: &'static str;
    /// The verb of an alter step's description.
    const ALTER_VERB: &'static str = "Modify";
    /// Ranks of its create, alter and drop steps among steps the graph does not order.
    const RANKS: [u8; 3];
    /// Whether an alter step also counts as creating the object (it is redefined in place, so
    /// what depends on it waits for it).
    const ALTER_CREATES: bool = false;

    /// The object's address.
    fn id(&self) -> ObjectId;
    /// The name the reviewer's node shows.
    fn name(&self) -> &str;
    /// The name in step descriptions, as SQL writes it.
    fn label(&self) -> String;
    /// The object's key in the dependency graph.
    fn key(&self) -> ObjKey;
    /// What must exist before a create or an alter runs.
    fn needs(op: Op<'_, Self>, ctx: &Ctx) -> Vec<ObjKey>;

    /// The statements of each operation.
    fn create_sql(&self) -> Vec<String>;
    fn alter_sql(from: &Self, to: &Self) -> Vec<String>;
    fn drop_sql(&self) -> Vec<String>;

    /// The hazards of an operation's step.
    fn hazards(_op: Op<'_, Self>, _ctx: &Ctx) -> Vec<Hazard> {
        vec![]
    }
    /// The hazards the reviewer's node carries (beyond its steps').
    fn reviewer_hazards(_op: Op<'_, Self>) -> Vec<Hazard> {
        vec![]
    }
    /// The attributes the reviewer sees.
    fn attrs(&self) -> Attrs;
}

/// The graph node of an operation.
pub(super) fn node_of<K: KindPlan>(op: Op<'_, K>, ctx: &Ctx) -> Node {
    let hazards = K::hazards(op, ctx);
    let [create, alter, drop] = K::RANKS;
    match op {
        Op::Create(o) => Node::new(
            step(
                o.id(),
                Action::Create,
                format!("Create {} {}", K::NOUN, o.label()),
                o.create_sql(),
                hazards,
            ),
            create,
        )
        .creates([o.key()])
        .needs(K::needs(op, ctx)),
        Op::Alter { from, to } => {
            let n = Node::new(
                step(
                    to.id(),
                    Action::Update,
                    format!("{} {} {}", K::ALTER_VERB, K::NOUN, to.label()),
                    K::alter_sql(from, to),
                    hazards,
                ),
                alter,
            )
            .alters([to.key()]);
            let n = if K::ALTER_CREATES {
                n.creates([to.key()])
            } else {
                n
            };
            n.needs(K::needs(op, ctx))
        }
        Op::Drop(o) => Node::new(
            step(
                o.id(),
                Action::Delete,
                format!("Drop {} {}", K::NOUN, o.label()),
                o.drop_sql(),
                hazards,
            ),
            drop,
        )
        .drops([o.key()]),
    }
}

/// The reviewer's node of an operation.
pub(super) fn object_of<K: KindPlan>(op: Op<'_, K>) -> ObjectChange {
    let (o, action, attrs) = match op {
        Op::Create(o) => (o, Action::Create, as_new(o.attrs())),
        Op::Alter { from, to } => (to, Action::Update, diff_attrs(from.attrs(), to.attrs())),
        Op::Drop(o) => (o, Action::Delete, as_old(o.attrs())),
    };
    let mut n = node(K::KIND, o.name(), action, attrs);
    n.address = o.id();
    n.hazards.extend(K::reviewer_hazards(op));
    n
}

/// Calls `$f` (a generic function whose first argument is an [`Op`], then `$arg`s) with the
/// operation of a change of a kind planned through [`KindPlan`]; `None` for other changes. The
/// one list of those kinds' `Change` variants.
macro_rules! kind_op {
    ($change:expr, $f:path $(, $arg:expr)*) => {{
        use $crate::diff::Change as C;
        use $crate::plan::kind::{On, Op};
        match $change {
            C::CreateExtension(o) => Some($f(Op::Create(o) $(, $arg)*)),
            C::AlterExtension { from, to } => Some($f(Op::Alter { from, to } $(, $arg)*)),
            C::DropExtension(o) => Some($f(Op::Drop(o) $(, $arg)*)),
            C::CreateCollation(o) => Some($f(Op::Create(o) $(, $arg)*)),
            C::AlterCollation { from, to } => Some($f(Op::Alter { from, to } $(, $arg)*)),
            C::DropCollation(o) => Some($f(Op::Drop(o) $(, $arg)*)),
            C::CreateDomain(o) => Some($f(Op::Create(o) $(, $arg)*)),
            C::AlterDomain { from, to } => Some($f(Op::Alter { from, to } $(, $arg)*)),
            C::DropDomain(o) => Some($f(Op::Drop(o) $(, $arg)*)),
            C::CreateComposite(o) => Some($f(Op::Create(o) $(, $arg)*)),
            C::AlterComposite { from, to } => Some($f(Op::Alter { from, to } $(, $arg)*)),
            C::DropComposite(o) => Some($f(Op::Drop(o) $(, $arg)*)),
            C::CreateTrigger { on, trigger } => Some($f(Op::Create(&On { on, it: trigger }) $(, $arg)*)),
            C::AlterTrigger { on, from, to } => Some($f(
                Op::Alter { from: &On { on, it: from }, to: &On { on, it: to } } $(, $arg)*
            )),
            C::DropTrigger { on, trigger } => Some($f(Op::Drop(&On { on, it: trigger }) $(, $arg)*)),
            C::CreatePolicy { on, policy } => Some($f(Op::Create(&On { on, it: policy }) $(, $arg)*)),
            C::AlterPolicy { on, from, to } => Some($f(
                Op::Alter { from: &On { on, it: from }, to: &On { on, it: to } } $(, $arg)*
            )),
            C::DropPolicy { on, policy } => Some($f(Op::Drop(&On { on, it: policy }) $(, $arg)*)),
            C::CreateEventTrigger(o) => Some($f(Op::Create(o) $(, $arg)*)),
            C::AlterEventTrigger { from, to } => Some($f(Op::Alter { from, to } $(, $arg)*)),
            C::DropEventTrigger(o) => Some($f(Op::Drop(o) $(, $arg)*)),
            _ => None,
        }
    }};
}
pub(super) use kind_op;
