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
use std::collections::{BTreeSet, HashMap, HashSet};

/// Conventional phase of a step; lower runs earlier when nothing else decides.
pub mod rank {
    pub const SCHEMA: u8 = 0;
    pub const EXTENSION: u8 = 1;
    pub const TYPES: u8 = 2;
    pub const DROP_TRIGGER_POLICY: u8 = 3;
    pub const DROP_VIEW: u8 = 4;
    pub const DROP_FK: u8 = 5;
    pub const DROP_INDEX: u8 = 6;
    pub const DROP_TABLE: u8 = 7;
    pub const DROP_FUNCTION: u8 = 8;
    pub const SEQUENCE: u8 = 9;
    pub const FUNCTION: u8 = 10;
    pub const CREATE_TABLE: u8 = 11;
    pub const ALTER_TABLE: u8 = 12;
    pub const CREATE_INDEX: u8 = 13;
    pub const ADD_FK: u8 = 14;
    pub const SEQUENCE_OWNER: u8 = 15;
    pub const VIEW: u8 = 16;
    pub const TRIGGER_POLICY: u8 = 17;
    pub const DROP_TYPES: u8 = 18;
    pub const DROP_EXTENSION: u8 = 19;
    pub const DROP_SCHEMA: u8 = 20;
}

/// A step with what it does to which objects.
#[derive(Debug, Clone)]
pub struct Node {
    pub step: Step,
    pub rank: u8,
    pub creates: Vec<ObjKey>,
    pub drops: Vec<ObjKey>,
    pub alters: Vec<ObjKey>,
    pub needs: Vec<ObjKey>,
    /// Statements to run instead when an online step has to move into the final transaction.
    pub fallback: Option<Vec<String>>,
}

impl Node {
    pub fn new(step: Step, rank: u8) -> Self {
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
    pub fn phase(mut self, phase: Phase, fallback: Option<Vec<String>>) -> Self {
        self.step.phase = phase;
        self.fallback = fallback;
        self
    }

    pub fn creates(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.creates.extend(k);
        self
    }

    pub fn drops(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.drops.extend(k);
        self
    }

    pub fn alters(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.alters.extend(k);
        self
    }

    pub fn needs(mut self, k: impl IntoIterator<Item = ObjKey>) -> Self {
        self.needs.extend(k);
        self
    }
}

/// Orders nodes; `current` holds the dependencies of the database as it is.
pub fn order(nodes: Vec<Node>, current: &Deps) -> Vec<Step> {
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
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = match ready.pop_first() {
            Some((_, i)) => i,
            None => {
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
    steps.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;
    use crate::plan::Action;

    fn step(name: &str) -> Step {
        Step {
            object: name.into(),
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
            .into_iter()
            .map(|s| s.object)
            .collect();
        assert_eq!(
            order,
            vec!["drop view", "drop table", "create table", "create view"]
        );
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
        let order: Vec<String> = super::order(nodes, &Deps::default())
            .into_iter()
            .map(|s| s.object)
            .collect();
        assert_eq!(order.len(), 3);
        assert_eq!(order[0], "schema");
    }
}
