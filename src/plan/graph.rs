//! Ordering steps by dependencies.
//!
//! Every step says which objects it creates, drops, alters and needs. Edges:
//! 1. a step that creates `K` runs before every step that needs `K`;
//! 2. a step that drops `K` runs after every step that drops or alters an object that currently
//!    depends on `K` (dependents go first);
//! 3. a step that drops `K` runs before a step that creates `K` again.
//!
//! Among the steps that are ready, the one with the lowest rank (a conventional phase: schemas,
//! extensions, types, drops, tables, indexes, foreign keys, views, triggers, drops of types,
//! drops of schemas) and then the lowest position goes first, so plans read in a familiar order.
//!
//! In online mode some steps run outside the transaction (phase 2). A step that must follow
//! one of them moves to the final transaction (phase 3); an online step that must follow a
//! final one runs its in-transaction fallback there instead.

use super::{Phase, Step};
use crate::postgres::inspect::deps::{Deps, ObjKey};
use miette::Diagnostic;
use std::collections::{BTreeSet, HashMap, HashSet};
use thiserror::Error;

/// Steps that each have to run after the next, the last after the first: no order satisfies
/// them. Named by the objects of the steps, each followed by the one it needs, the first
/// repeated at the end.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("dependency cycle: {}", .objects.join(" → "))]
#[diagnostic(
    code(strata::plan::cycle),
    help(
        "each object needs the next one to exist first (or to be dropped after it); break the cycle in the schema, e.g. by removing one of the references"
    )
)]
pub(crate) struct Cycle {
    pub(crate) objects: Vec<String>,
}

/// Conventional phase of a step; lower runs earlier when nothing else decides.
pub(crate) mod rank {
    pub(crate) const SCHEMA: u8 = 0;
    pub(crate) const EXTENSION: u8 = 1;
    pub(crate) const TYPES: u8 = 2;
    pub(crate) const DROP_TRIGGER_POLICY: u8 = 3;
    pub(crate) const DROP_VIEW: u8 = 4;
    pub(crate) const DROP_FK: u8 = 5;
    pub(crate) const DROP_INDEX: u8 = 6;
    pub(crate) const DROP_TABLE: u8 = 7;
    pub(crate) const DROP_FUNCTION: u8 = 8;
    pub(crate) const SEQUENCE: u8 = 9;
    pub(crate) const FUNCTION: u8 = 10;
    pub(crate) const CREATE_TABLE: u8 = 11;
    pub(crate) const ALTER_TABLE: u8 = 12;
    pub(crate) const CREATE_INDEX: u8 = 13;
    pub(crate) const ADD_FK: u8 = 14;
    pub(crate) const SEQUENCE_OWNER: u8 = 15;
    pub(crate) const VIEW: u8 = 16;
    pub(crate) const TRIGGER_POLICY: u8 = 17;
    pub(crate) const DROP_TYPES: u8 = 18;
    pub(crate) const DROP_EXTENSION: u8 = 19;
    pub(crate) const DROP_SCHEMA: u8 = 20;
}

/// A step with what it does to which objects.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) step: Step,
    pub(crate) rank: u8,
    pub(crate) creates: Vec<ObjKey>,
    pub(crate) drops: Vec<ObjKey>,
    pub(crate) alters: Vec<ObjKey>,
    pub(crate) needs: Vec<ObjKey>,
    /// Statements to run instead when an online step has to move into the final transaction.
    pub(crate) fallback: Option<Vec<String>>,
}

impl Node {
    pub(crate) fn new(step: Step, rank: u8) -> Self {
        Node {
            step,
            rank,
            creates: vec![],
            drops: vec![],
            alters: vec![],
            needs: vec![],
            fallback: None,
        }
    }

    /// Runs in `phase`, or `fallback` in the final transaction when it cannot.
    pub(crate) fn phase(mut self, phase: Phase, fallback: Option<Vec<String>>) -> Self {
        self.step.phase = phase;
        self.fallback = fallback;
        self
    }

    pub(crate) fn creates(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.creates.extend(k);
        self
    }

    pub(crate) fn drops(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.drops.extend(k);
        self
    }

    pub(crate) fn alters(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.alters.extend(k);
        self
    }

    pub(crate) fn needs(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.needs.extend(k);
        self
    }
}

/// Orders nodes; `current` holds the dependencies of the database as it is. Fails, naming the
/// objects, when the dependencies form a cycle.
#[cfg(test)]
pub(crate) fn order(nodes: Vec<Node>, current: &Deps) -> Result<Vec<Step>, Cycle> {
    match sort(nodes, current) {
        (steps, None) => Ok(steps),
        (_, Some(cycle)) => Err(cycle),
    }
}

/// Orders nodes like [`order`], but breaks a cycle by taking the step of the lowest rank
/// first (what [`sort`] returns beside the cycle; the unit tests check that order).
#[cfg(test)]
pub(crate) fn order_lenient(nodes: Vec<Node>, current: &Deps) -> Vec<Step> {
    sort(nodes, current).0
}

/// A cycle among the `pending` nodes through `needs` alone (rule 1: a step needs what another
/// creates, which needs what the first creates): no order can run it, unlike cycles through
/// drops and alters, which the conventional order resolves. Each step is followed by the one
/// it needs.
fn needs_cycle(nodes: &[Node], needs: &[HashSet<usize>], pending: &[bool]) -> Option<Cycle> {
    // Depth-first search over `x → y` (x creates what y needs); a back edge closes a cycle.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Closed,
    }
    let n = nodes.len();
    let mut mark = vec![Mark::New; n];
    let sorted = |x: usize| -> Vec<usize> {
        let mut v: Vec<usize> = needs[x].iter().copied().filter(|&y| pending[y]).collect();
        v.sort_unstable();
        v
    };
    for root in (0..n).filter(|&i| pending[i]) {
        if mark[root] != Mark::New {
            continue;
        }
        let mut path: Vec<usize> = vec![root];
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(root, sorted(root))];
        mark[root] = Mark::Open;
        while let Some((x, rest)) = stack.last_mut() {
            let x = *x;
            let Some(y) = rest.pop() else {
                mark[x] = Mark::Closed;
                stack.pop();
                path.pop();
                continue;
            };
            match mark[y] {
                Mark::Open => {
                    // path[pos..] runs y → … → x → y in run order; the message reads "needs".
                    let pos = path.iter().position(|&p| p == y).unwrap_or(0);
                    let mut cycle: Vec<usize> = path[pos..].to_vec();
                    cycle.reverse();
                    if let Some(first) = (0..cycle.len()).min_by_key(|&i| cycle[i]) {
                        cycle.rotate_left(first);
                    }
                    let mut objects: Vec<String> = cycle
                        .iter()
                        .map(|&i| nodes[i].step.object.to_string())
                        .collect();
                    if let Some(first) = objects.first().cloned() {
                        objects.push(first);
                    }
                    return Some(Cycle { objects });
                }
                Mark::New => {
                    mark[y] = Mark::Open;
                    path.push(y);
                    stack.push((y, sorted(y)));
                }
                Mark::Closed => {}
            }
        }
    }
    None
}

/// The steps in dependency order with a cycle broken by rank, and a cycle of `needs` (which
/// no order can run) when there is one.
pub(crate) fn sort(nodes: Vec<Node>, current: &Deps) -> (Vec<Step>, Option<Cycle>) {
    let n = nodes.len();
    let mut creators: HashMap<&ObjKey, Vec<usize>> = HashMap::new();
    let mut droppers: HashMap<&ObjKey, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        for k in &node.creates {
            creators.entry(k).or_default().push(i);
        }
        for k in &node.drops {
            droppers.entry(k).or_default().push(i);
        }
    }
    let mut edges: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    // Rule 1 alone: a cycle through these is a cycle no order can run.
    let mut need_edges: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    let add = |from: usize, to: usize, edges: &mut Vec<HashSet<usize>>| {
        if from != to {
            edges[from].insert(to);
        }
    };
    for (y, node) in nodes.iter().enumerate() {
        // 1. creators before the steps that need what they create.
        for k in &node.needs {
            for &x in creators.get(k).into_iter().flatten() {
                add(x, y, &mut edges);
                add(x, y, &mut need_edges);
            }
        }
        // 2. dependents are dropped or altered before what they depend on is dropped.
        for j in node.drops.iter().chain(&node.alters) {
            for k in current.of(j) {
                for &x in droppers.get(k).into_iter().flatten() {
                    add(y, x, &mut edges);
                }
            }
        }
        // 3. drop before re-create.
        for k in &node.drops {
            for &x in creators.get(k).into_iter().flatten() {
                add(y, x, &mut edges);
            }
        }
    }
    let mut indegree = vec![0usize; n];
    for targets in &edges {
        for &t in targets {
            indegree[t] += 1;
        }
    }
    let mut ready: BTreeSet<(u8, usize)> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| (nodes[i].rank, i))
        .collect();
    let mut done = vec![false; n];
    let mut cycle = None;
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = match ready.pop_first() {
            Some((_, i)) => i,
            None => {
                if cycle.is_none() {
                    let pending: Vec<bool> = done.iter().map(|d| !d).collect();
                    cycle = needs_cycle(&nodes, &need_edges, &pending);
                }
                // A cycle the rules could not untangle: fall back to the conventional order.
                match (0..n)
                    .filter(|&i| !done[i])
                    .min_by_key(|&i| (nodes[i].rank, i))
                {
                    Some(i) => i,
                    None => break,
                }
            }
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        order.push(next);
        for &t in &edges[next] {
            indegree[t] = indegree[t].saturating_sub(1);
            if indegree[t] == 0 && !done[t] {
                ready.insert((nodes[t].rank, t));
            }
        }
    }
    // Phases: whatever follows an online step runs after it, so no earlier than phase 3 unless
    // it is online itself.
    let mut phase: Vec<Phase> = nodes.iter().map(|n| n.step.phase).collect();
    for &x in &order {
        // What follows a step of the transaction, or of the committed step before it, needs
        // no later phase.
        if phase[x] <= Phase::Transaction {
            continue;
        }
        for &t in &edges[x] {
            let needed = match (phase[x], phase[t]) {
                (Phase::Online, Phase::Online) => Phase::Online,
                _ => Phase::Final,
            };
            phase[t] = phase[t].max(needed);
        }
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut steps: Vec<(Phase, Step)> = order
        .into_iter()
        .filter_map(|i| {
            let node = slots[i].take()?;
            let mut step = node.step;
            if step.phase == Phase::Online
                && phase[i] == Phase::Final
                && let Some(f) = node.fallback
            {
                step.statements = f;
            }
            step.phase = phase[i];
            Some((phase[i], step))
        })
        .collect();
    // Stable: dependency order holds within each phase.
    steps.sort_by_key(|(p, _)| *p);
    (steps.into_iter().map(|(_, s)| s).collect(), cycle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;
    use crate::plan::Action;

    /// A step for `name`: the object it names when `name` is an address, else a schema called
    /// `name` (the description is `name` either way).
    fn step(name: &str) -> Step {
        Step {
            object: name
                .parse()
                .unwrap_or_else(|_| crate::model::ObjectId::schema(name)),
            action: Action::Create,
            description: name.into(),
            statements: vec![],
            hazards: vec![],
            phase: Default::default(),
        }
    }

    #[test]
    fn creators_before_users_and_dependents_dropped_first() {
        let t = ObjKey::Table(QualifiedName::new("public", "t"));
        let v = ObjKey::View(QualifiedName::new("public", "v"));
        let nodes = vec![
            Node::new(step("create view"), rank::VIEW)
                .creates([v.clone()])
                .needs([t.clone()]),
            Node::new(step("drop table"), rank::DROP_TABLE).drops([t.clone()]),
            Node::new(step("create table"), rank::CREATE_TABLE).creates([t.clone()]),
            Node::new(step("drop view"), rank::DROP_VIEW).drops([v.clone()]),
        ];
        let mut deps = Deps::default();
        deps.add(v.clone(), t.clone());
        let order: Vec<String> = super::order(nodes, &deps)
            .unwrap()
            .into_iter()
            .map(|s| s.description)
            .collect();
        assert_eq!(
            order,
            vec!["drop view", "drop table", "create table", "create view"]
        );
    }

    #[test]
    fn cycles_are_reported_with_their_objects() {
        let a = ObjKey::View(QualifiedName::new("app", "a"));
        let b = ObjKey::View(QualifiedName::new("app", "b"));
        let nodes = vec![
            Node::new(step("schema.app"), rank::SCHEMA),
            Node::new(step("view.app.a"), rank::VIEW)
                .creates([a.clone()])
                .needs([b.clone()]),
            Node::new(step("view.app.b"), rank::VIEW)
                .creates([b.clone()])
                .needs([a.clone()]),
        ];
        let err = super::order(nodes, &Deps::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dependency cycle: view.app.a → view.app.b → view.app.a"
        );
        // A longer one, and a step outside the cycle that waits for it.
        let k = |n: &str| ObjKey::View(QualifiedName::new("s", n));
        let nodes = vec![
            Node::new(step("view.s.x"), rank::VIEW)
                .creates([k("x")])
                .needs([k("a")]),
            Node::new(step("view.s.a"), rank::VIEW)
                .creates([k("a")])
                .needs([k("c")]),
            Node::new(step("view.s.b"), rank::VIEW)
                .creates([k("b")])
                .needs([k("a")]),
            Node::new(step("view.s.c"), rank::VIEW)
                .creates([k("c")])
                .needs([k("b")]),
        ];
        let err = super::order(nodes, &Deps::default()).unwrap_err();
        assert_eq!(err.objects.len(), 4, "{err}");
        assert_eq!(err.objects.first(), err.objects.last());
        assert!(!err.objects.contains(&"view.s.x".to_string()), "{err}");
    }

    #[test]
    fn cycles_through_drops_are_ordered_not_reported() {
        // An enum rebuilt (dropped and created) under a table whose altered column needs the
        // new type: the table goes first (its dependents before the drop), as PostgreSQL
        // accepts when the step detaches the column first.
        let s = ObjKey::Type(QualifiedName::new("public", "s"));
        let t = ObjKey::Table(QualifiedName::new("public", "t"));
        let nodes = vec![
            Node::new(step("enum.public.s"), rank::TYPES)
                .drops([s.clone()])
                .creates([s.clone()]),
            Node::new(step("table.public.t"), rank::ALTER_TABLE)
                .alters([t.clone()])
                .needs([s.clone()]),
        ];
        let mut deps = Deps::default();
        deps.add(t.clone(), s.clone());
        let order = super::order(nodes, &deps).expect("no cycle of needs");
        assert_eq!(order.len(), 2);
    }

    #[test]
    fn rank_breaks_ties_and_cycles_do_not_hang() {
        let a = ObjKey::Table(QualifiedName::new("s", "a"));
        let b = ObjKey::Table(QualifiedName::new("s", "b"));
        let nodes = vec![
            Node::new(step("a"), rank::CREATE_TABLE)
                .creates([a.clone()])
                .needs([b.clone()]),
            Node::new(step("b"), rank::CREATE_TABLE)
                .creates([b.clone()])
                .needs([a.clone()]),
            Node::new(step("schema"), rank::SCHEMA),
        ];
        let order: Vec<String> = super::order_lenient(nodes, &Deps::default())
            .into_iter()
            .map(|s| s.description)
            .collect();
        assert_eq!(order.len(), 3);
        assert_eq!(order[0], "schema");
    }
}
