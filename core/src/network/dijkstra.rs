//! Dijkstra's shortest paths on a [`WalkingNetwork`], single- or
//! multi-source, resumable, with a reusable workspace.
//!
//! Hand-written rather than taken from `petgraph`: the search must run
//! directly on the network's CSR arrays (no copy into another graph type on
//! the phone), start from several labelled seeds with initial distances
//! (a point snapped onto the middle of an edge seeds both ends), stop at a
//! distance limit and resume later (the k-nearest search widens its limit
//! as it goes), and reset in time proportional to what it touched. It is
//! checked against a textbook implementation and against networkx.

use super::graph::{Snap, WalkingNetwork};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A start of a search: a node, the distance already walked to reach it,
/// and a label (e.g. the index of the facility it stands for) carried to
/// every node it reaches first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub dist_m: f64,
    pub label: u32,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    dist: f64,
    node: u32,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the nearest first.
        other
            .dist
            .total_cmp(&self.dist)
            .then_with(|| other.node.cmp(&self.node))
    }
}

/// Reusable state of a shortest-path search. Allocate one per network (or
/// per thread) and reuse it: starting a new search costs time proportional
/// to the nodes the previous one touched, not to the network size.
#[derive(Debug, Clone)]
pub struct DijkstraWorkspace {
    dist: Vec<f64>,
    label: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Item>,
    is_target: Vec<bool>,
}

/// Label of nodes no seed has reached.
const NO_LABEL: u32 = u32::MAX;

impl DijkstraWorkspace {
    /// A workspace for `network`.
    pub fn new(network: &WalkingNetwork) -> Self {
        let n = network.node_count();
        DijkstraWorkspace {
            dist: vec![f64::INFINITY; n],
            label: vec![NO_LABEL; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            is_target: Vec::new(),
        }
    }

    /// Starts a new search from `seeds` (seeds with a node outside the
    /// network or a non-finite distance are ignored). Nothing is expanded
    /// until [`Self::settle_until`].
    pub fn start(&mut self, seeds: &[Seed]) {
        for &n in &self.touched {
            self.dist[n as usize] = f64::INFINITY;
            self.label[n as usize] = NO_LABEL;
        }
        self.touched.clear();
        self.heap.clear();
        for s in seeds {
            let i = s.node as usize;
            if i >= self.dist.len() || !s.dist_m.is_finite() || s.dist_m < 0.0 {
                continue;
            }
            if s.dist_m < self.dist[i] {
                if self.dist[i].is_infinite() {
                    self.touched.push(s.node);
                }
                self.dist[i] = s.dist_m;
                self.label[i] = s.label;
                self.heap.push(Item {
                    dist: s.dist_m,
                    node: s.node,
                });
            }
        }
    }

    /// Expands the search until every node within `limit_m` is settled
    /// (its distance final). `f64::INFINITY` explores the whole connected
    /// part of the network.
    pub fn settle_until(&mut self, network: &WalkingNetwork, limit_m: f64) {
        let (offsets, targets, weights) = network.csr();
        while let Some(&Item { dist, node }) = self.heap.peek() {
            if dist > limit_m {
                break;
            }
            self.heap.pop();
            let u = node as usize;
            if dist > self.dist[u] {
                continue; // stale entry
            }
            self.relax(u, dist, offsets, targets, weights);
        }
    }

    #[inline]
    fn relax(&mut self, u: usize, dist: f64, offsets: &[u32], targets: &[u32], weights: &[f32]) {
        let lab = self.label[u];
        let (a, b) = (offsets[u] as usize, offsets[u + 1] as usize);
        for (&t, &w) in targets[a..b].iter().zip(&weights[a..b]) {
            let v = t as usize;
            let nd = dist + f64::from(w);
            if nd < self.dist[v] {
                if self.dist[v].is_infinite() {
                    self.touched.push(t);
                }
                self.dist[v] = nd;
                self.label[v] = lab;
                self.heap.push(Item { dist: nd, node: t });
            }
        }
    }

    /// Expands the search only until each of `nodes` is settled, or until
    /// every node within `limit_m` is: enough to know a target's distance
    /// if it is at most `limit_m`, without exploring farther.
    pub fn settle_nodes(&mut self, network: &WalkingNetwork, nodes: &[u32], limit_m: f64) {
        let (offsets, targets, weights) = network.csr();
        while let Some(&Item { dist, node }) = self.heap.peek() {
            if dist > limit_m || nodes.iter().all(|&n| self.distance(n).is_some()) {
                break;
            }
            self.heap.pop();
            let u = node as usize;
            if dist > self.dist[u] {
                continue;
            }
            self.relax(u, dist, offsets, targets, weights);
        }
    }

    /// Runs a search from `seeds` until every node of `targets` is settled
    /// (or the connected part is exhausted): what coverage needs, where
    /// only the nodes next to villages matter.
    pub fn run_until_settled(&mut self, network: &WalkingNetwork, seeds: &[Seed], targets: &[u32]) {
        self.start(seeds);
        let n = self.dist.len();
        if self.is_target.len() != n {
            self.is_target = vec![false; n];
        }
        let mut remaining = 0usize;
        for &t in targets {
            if let Some(flag) = self.is_target.get_mut(t as usize)
                && !*flag
            {
                *flag = true;
                remaining += 1;
            }
        }
        let (offsets, arcs, weights) = network.csr();
        while remaining > 0 {
            let Some(Item { dist, node }) = self.heap.pop() else {
                break;
            };
            let u = node as usize;
            if dist > self.dist[u] {
                continue;
            }
            if self.is_target[u] {
                remaining -= 1;
            }
            self.relax(u, dist, offsets, arcs, weights);
        }
        for &t in targets {
            if let Some(flag) = self.is_target.get_mut(t as usize) {
                *flag = false;
            }
        }
    }

    /// Runs a complete search from `seeds`, settling every node within
    /// `limit_m`.
    pub fn run(&mut self, network: &WalkingNetwork, seeds: &[Seed], limit_m: f64) {
        self.start(seeds);
        self.settle_until(network, limit_m);
    }

    /// Every settled node with its final distance, in no particular order.
    pub fn settled(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        let frontier = self.frontier();
        self.touched.iter().filter_map(move |&n| {
            let d = self.dist[n as usize];
            (d <= frontier).then_some((n, d))
        })
    }

    /// The smallest distance not yet settled (infinite once the search has
    /// exhausted its part of the network).
    pub fn frontier(&self) -> f64 {
        self.heap.peek().map_or(f64::INFINITY, |i| i.dist)
    }

    /// The final distance of `node`, if it is settled.
    pub fn distance(&self, node: u32) -> Option<f64> {
        let d = *self.dist.get(node as usize)?;
        (d.is_finite() && d <= self.frontier()).then_some(d)
    }

    /// The label of the seed that reached a settled `node` first.
    pub fn label(&self, node: u32) -> Option<u32> {
        self.distance(node)?;
        let l = self.label[node as usize];
        (l != NO_LABEL).then_some(l)
    }

    /// Distance (and seed label) from the search's seeds to a point snapped
    /// onto the network, including the point's access leg, if it is known
    /// to be at most `limit_m`: the caller must have settled the search to
    /// at least `limit_m`. Routes that stay on the point's own edge without
    /// passing through a node are the caller's business (see
    /// [`Snap::along_same_edge_m`]).
    pub fn distance_to_snap(&self, snap: &Snap, limit_m: f64) -> Option<(f64, Option<u32>)> {
        let mut best: Option<(f64, Option<u32>)> = None;
        for (node, leg) in [(snap.from, snap.from_m()), (snap.to, snap.to_m())] {
            if let Some(d) = self.distance(node) {
                let total = d + leg + snap.offset_m;
                if total <= limit_m && best.is_none_or(|(b, _)| total < b) {
                    best = Some((total, self.label(node)));
                }
            }
        }
        best
    }
}
