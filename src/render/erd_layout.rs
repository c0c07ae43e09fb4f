//! Where the boxes of an entity-relationship diagram go (`strata erd`), computed by strata
//! itself: no Graphviz. A layered (Sugiyama-style) layout per connected component, components
//! packed inside their group's cluster box (one per schema), clusters packed on the page.
//!
//! Per component: cycles broken by a depth-first search, layers by longest path (a referenced
//! table left of the tables that refer to it), a few barycenter sweeps to order each layer,
//! then coordinates: a layer is a column (wrapped into several when it would be taller than
//! [`MAX_COLUMN_HEIGHT`]), each box pulled toward the mean height of its neighbours. Packing is
//! by shelves, largest first, to a roughly square area, so hundreds of tables stay readable.

/// A box to place: its size and the group (cluster) it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) group: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
}

/// Top-left corners of the nodes, the groups' boxes (empty groups have none) and the size of
/// the whole drawing.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) pos: Vec<(f64, f64)>,
    pub(crate) groups: Vec<Option<Rect>>,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// Space between layers (for the edges), between boxes of a layer, around components.
const LAYER_GAP: f64 = 90.0;
const NODE_GAP: f64 = 28.0;
const PACK_GAP: f64 = 60.0;
/// Inside a cluster box: the margin and the room for its title.
const PAD: f64 = 24.0;
const TITLE: f64 = 30.0;
/// A layer taller than this wraps into several columns.
const MAX_COLUMN_HEIGHT: f64 = 2400.0;
const SWEEPS: usize = 4;

/// Lays out `nodes`; `edges` are `(from, to)` pairs, `from` depending on `to` (a foreign key's
/// table on the referenced one, a view on what it reads). Edges between groups do not affect
/// the layout.
pub(crate) fn layout(nodes: &[Node], edges: &[(usize, usize)], groups: usize) -> Layout {
    let mut pos = vec![(0.0, 0.0); nodes.len()];
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    for g in 0..groups {
        let members: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].group == g).collect();
        if members.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        for comp in components(&members, nodes, edges) {
            let (local, w, h) = layered(&comp, nodes, edges);
            parts.push((comp, local, w, h));
        }
        let sizes: Vec<(f64, f64)> = parts.iter().map(|p| (p.2, p.3)).collect();
        let (at, w, h) = pack(&sizes);
        for ((comp, local, _, _), (cx, cy)) in parts.iter().zip(at) {
            for (&n, &(x, y)) in comp.iter().zip(local) {
                pos[n] = (cx + x + PAD, cy + y + PAD + TITLE);
            }
        }
        boxes.push((
            g,
            Rect {
                x: 0.0,
                y: 0.0,
                w: w + 2.0 * PAD,
                h: h + 2.0 * PAD + TITLE,
            },
        ));
    }
    let sizes: Vec<(f64, f64)> = boxes.iter().map(|(_, r)| (r.w, r.h)).collect();
    let (at, width, height) = pack(&sizes);
    let mut out = vec![None; groups];
    for ((g, r), (x, y)) in boxes.iter().zip(at) {
        out[*g] = Some(Rect { x, y, ..*r });
        for (n, node) in nodes.iter().enumerate() {
            if node.group == *g {
                pos[n].0 += x;
                pos[n].1 += y;
            }
        }
    }
    Layout {
        pos,
        groups: out,
        width,
        height,
    }
}

/// The connected components among `members` (edges inside the group only), each in the
/// members' order; components in order of their first member.
fn components(members: &[usize], nodes: &[Node], edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b) in edges {
        if a < nodes.len() && b < nodes.len() && nodes[a].group == nodes[b].group {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra] = rb;
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for &m in members {
        let root = find(&mut parent, m);
        let i = *slot.entry(root).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[i].push(m);
    }
    out
}

/// One component's layout: local top-left corners (in `comp`'s order), width and height.
fn layered(
    comp: &[usize],
    nodes: &[Node],
    edges: &[(usize, usize)],
) -> (Vec<(f64, f64)>, f64, f64) {
    let n = comp.len();
    let local: std::collections::HashMap<usize, usize> =
        comp.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    let mut out_edges = vec![Vec::new(); n];
    for &(a, b) in edges {
        if let (Some(&a), Some(&b)) = (local.get(&a), local.get(&b))
            && a != b
            && !out_edges[a].contains(&b)
        {
            out_edges[a].push(b);
        }
    }
    let dag = acyclic(&out_edges);
    let rank = longest_path(&dag);
    let layers_n = rank.iter().copied().max().map_or(0, |r| r + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
    for (i, &r) in rank.iter().enumerate() {
        layers[r].push(i);
    }
    // Neighbours in both directions, for ordering and alignment.
    let mut neighbours = vec![Vec::new(); n];
    for (a, outs) in out_edges.iter().enumerate() {
        for &b in outs {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    order_layers(&mut layers, &rank, &neighbours);
    coordinates(&layers, &rank, &neighbours, comp, nodes)
}

/// `out_edges` without the edges that close a cycle (found by an iterative depth-first search).
fn acyclic(out_edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = out_edges.len();
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut dag = vec![Vec::new(); n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(top) = stack.last_mut() {
            let u = top.0;
            if let Some(&v) = out_edges[u].get(top.1) {
                top.1 += 1;
                match state[v] {
                    0 => {
                        dag[u].push(v);
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => {} // a back edge: left out
                    _ => dag[u].push(v),
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    dag
}

/// Layer of each node: 0 for nodes that depend on nothing, else one more than the deepest
/// node they depend on.
fn longest_path(dag: &[Vec<usize>]) -> Vec<usize> {
    let n = dag.len();
    // Kahn's algorithm on the reversed edges: a node is ready once all it depends on are.
    let mut waiting: Vec<usize> = dag.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (a, outs) in dag.iter().enumerate() {
        for &b in outs {
            dependents[b].push(a);
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(b) = ready.pop() {
        for &a in &dependents[b] {
            rank[a] = rank[a].max(rank[b] + 1);
            waiting[a] -= 1;
            if waiting[a] == 0 {
                ready.push(a);
            }
        }
    }
    rank
}

/// Barycenter sweeps: each node moves toward the mean position of its neighbours in the other
/// layers (positions relative to their layer's length, so layers of any size compare).
fn order_layers(layers: &mut [Vec<usize>], rank: &[usize], neighbours: &[Vec<usize>]) {
    let n = rank.len();
    let mut place = vec![0.0f64; n];
    let update = |layers: &[Vec<usize>], place: &mut [f64]| {
        for layer in layers {
            let len = layer.len().max(1) as f64;
            for (i, &v) in layer.iter().enumerate() {
                place[v] = (i as f64 + 0.5) / len;
            }
        }
    };
    update(layers, &mut place);
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (0..layers.len()).collect()
        } else {
            (0..layers.len()).rev().collect()
        };
        for r in order {
            let fixed = |v: usize| if down { rank[v] < r } else { rank[v] > r };
            let mut keyed: Vec<(f64, usize)> = layers[r]
                .iter()
                .map(|&v| {
                    let ns: Vec<f64> = neighbours[v]
                        .iter()
                        .filter(|&&u| fixed(u))
                        .map(|&u| place[u])
                        .collect();
                    let key = if ns.is_empty() {
                        place[v]
                    } else {
                        ns.iter().sum::<f64>() / ns.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            let len = layers[r].len().max(1) as f64;
            for (i, &v) in layers[r].iter().enumerate() {
                place[v] = (i as f64 + 0.5) / len;
            }
        }
    }
}

fn coordinates(
    layers: &[Vec<usize>],
    rank: &[usize],
    neighbours: &[Vec<usize>],
    comp: &[usize],
    nodes: &[Node],
) -> (Vec<(f64, f64)>, f64, f64) {
    let size = |v: usize| (nodes[comp[v]].w, nodes[comp[v]].h);
    let mut pos = vec![(0.0f64, 0.0f64); comp.len()];
    // Columns: a layer taller than the limit is split into several, left to right.
    let mut x = 0.0;
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for layer in layers {
        let total: f64 = layer.iter().map(|&v| size(v).1 + NODE_GAP).sum();
        let count = ((total / MAX_COLUMN_HEIGHT).ceil() as usize).clamp(1, layer.len().max(1));
        let per = layer.len().div_ceil(count).max(1);
        let chunks: Vec<&[usize]> = layer.chunks(per).collect();
        for (k, chunk) in chunks.iter().enumerate() {
            let w = chunk.iter().map(|&v| size(v).0).fold(0.0, f64::max);
            for &v in chunk.iter() {
                pos[v].0 = x;
            }
            columns.push(chunk.to_vec());
            x += w + if k + 1 < chunks.len() {
                NODE_GAP * 2.0
            } else {
                LAYER_GAP
            };
        }
    }
    // First stacked, then pulled toward the neighbours' centers, never overlapping.
    for col in &columns {
        let mut y = 0.0;
        for &v in col {
            pos[v].1 = y;
            y += size(v).1 + NODE_GAP;
        }
    }
    for _ in 0..2 {
        for col in &columns {
            let mut bottom = f64::NEG_INFINITY;
            for &v in col {
                let ns: Vec<f64> = neighbours[v]
                    .iter()
                    .filter(|&&u| rank[u] != rank[v])
                    .map(|&u| pos[u].1 + size(u).1 / 2.0)
                    .collect();
                let want = if ns.is_empty() {
                    pos[v].1
                } else {
                    ns.iter().sum::<f64>() / ns.len() as f64 - size(v).1 / 2.0
                };
                let y = want.max(bottom + NODE_GAP);
                pos[v].1 = y;
                bottom = y + size(v).1;
            }
        }
    }
    let top = pos.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let top = if top.is_finite() { top } else { 0.0 };
    let mut width: f64 = 0.0;
    let mut height: f64 = 0.0;
    for (v, p) in pos.iter_mut().enumerate() {
        p.1 -= top;
        width = width.max(p.0 + size(v).0);
        height = height.max(p.1 + size(v).1);
    }
    (pos, width, height)
}

/// Shelf packing, tallest first, rows about as wide as the square root of the total area
/// (times 1.5: screens are wider than tall). Returns the corners in `sizes`' order and the
/// packed width and height.
fn pack(sizes: &[(f64, f64)]) -> (Vec<(f64, f64)>, f64, f64) {
    let area: f64 = sizes
        .iter()
        .map(|(w, h)| (w + PACK_GAP) * (h + PACK_GAP))
        .sum();
    let widest = sizes.iter().map(|s| s.0).fold(0.0, f64::max);
    let row_width = (area.sqrt() * 1.5).max(widest);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].1.total_cmp(&sizes[a].1));
    let mut at = vec![(0.0, 0.0); sizes.len()];
    let (mut x, mut y, mut shelf) = (0.0f64, 0.0f64, 0.0f64);
    let (mut width, mut height) = (0.0f64, 0.0f64);
    for i in order {
        let (w, h) = sizes[i];
        if x > 0.0 && x + w > row_width {
            x = 0.0;
            y += shelf + PACK_GAP;
            shelf = 0.0;
        }
        at[i] = (x, y);
        x += w + PACK_GAP;
        shelf = shelf.max(h);
        width = width.max(x - PACK_GAP);
        height = height.max(y + h);
    }
    (at, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(group: usize) -> Node {
        Node {
            w: 100.0,
            h: 60.0,
            group,
        }
    }

    fn overlap(a: Rect, b: Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn referenced_tables_come_first_and_cycles_do_not_hang() {
        // 0 ← 1 ← 2, 2 → 0, and a cycle 3 ↔ 4, a self loop on 5.
        let nodes: Vec<Node> = (0..6).map(|_| node(0)).collect();
        let edges = [(1, 0), (2, 1), (2, 0), (3, 4), (4, 3), (5, 5)];
        let l = layout(&nodes, &edges, 1);
        assert!(
            l.pos[0].0 < l.pos[1].0 && l.pos[1].0 < l.pos[2].0,
            "{:?}",
            l.pos
        );
        for i in 0..6 {
            for j in 0..i {
                let r = |k: usize| Rect {
                    x: l.pos[k].0,
                    y: l.pos[k].1,
                    w: 100.0,
                    h: 60.0,
                };
                assert!(!overlap(r(i), r(j)), "{i} and {j} overlap: {:?}", l.pos);
            }
        }
    }

    #[test]
    fn groups_are_separate_boxes_holding_their_nodes() {
        let nodes: Vec<Node> = (0..40).map(|i| node(i % 3)).collect();
        let edges: Vec<(usize, usize)> = (3..40).map(|i| (i, i - 3)).collect();
        let l = layout(&nodes, &edges, 4);
        assert!(l.groups[3].is_none());
        let boxes: Vec<Rect> = l.groups.iter().flatten().copied().collect();
        assert_eq!(boxes.len(), 3);
        assert!(!overlap(boxes[0], boxes[1]) && !overlap(boxes[1], boxes[2]));
        for (i, n) in nodes.iter().enumerate() {
            let g = l.groups[n.group].unwrap_or_default();
            let (x, y) = l.pos[i];
            assert!(x >= g.x && y >= g.y && x + n.w <= g.x + g.w && y + n.h <= g.y + g.h);
        }
    }

    #[test]
    fn a_wide_layer_wraps_into_columns() {
        // 200 tables referring to one: the layer wraps instead of one 17,000px column.
        let nodes: Vec<Node> = (0..201).map(|_| node(0)).collect();
        let edges: Vec<(usize, usize)> = (1..201).map(|i| (i, 0)).collect();
        let l = layout(&nodes, &edges, 1);
        assert!(l.height <= MAX_COLUMN_HEIGHT + 400.0, "{}", l.height);
        assert!(l.width < 5000.0, "{}", l.width);
    }
}
