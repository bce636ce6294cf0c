//! The network with its degree-2 chains contracted: a graph of junctions
//! only, for searches that need distances at a few points (coverage,
//! siting) rather than at every node.
//!
//! Most nodes of an OpenStreetMap walking network are shape points of a
//! way, with exactly two neighbours (61% of Helsinki's). Between two
//! *junctions* (nodes whose degree is not 2) they form a *chain*; the
//! contracted graph has one edge per chain, as long as the chain. A point
//! on the network (a snapped village or facility, or a node inside a
//! chain) is a [`Place`]: a junction, or a chain and a position along it
//! (metres from the chain's start). Distances between places are then
//! exactly those of the full graph:
//!
//! * a search seeds a place on a chain at both ends of its chain (with the
//!   distance along the chain to each end);
//! * the distance to a place on a chain is the best of arriving from
//!   either end, or of walking along the chain itself from a source on the
//!   same chain ([`ChainSearch::distance`]).
//!
//! Any shortest path to a point inside a chain enters the chain through
//! one of its ends or starts on it, so nothing is lost; only the order of
//! the floating-point additions differs from a search on the full graph
//! (sums along a chain are taken from its start), so distances agree to
//! within rounding (a few nanometres per kilometre).
//!
//! The contraction is derived from the network (one pass over its arcs,
//! well under a millisecond for a district) the first time it is needed,
//! rather than stored in the network file: a stored copy would have to be
//! checked against the graph on every load, which costs as much as
//! deriving it, and the file format stays the one every reader (server,
//! phone) already knows.
//!
//! Networks that are not symmetric (an arc without its reverse of the
//! same length) or that have self-loops are not contracted
//! ([`WalkingNetwork::contraction`] is `None`); callers then search the
//! full graph. Networks built by [`WalkingNetwork::from_edges`] and the
//! OpenStreetMap importer are always symmetric and loop-free.

use super::dijkstra::{DijkstraWorkspace, Seed};
use super::graph::{Snap, WalkingNetwork};
use super::hierarchy::Hierarchy;

/// Marks a node that is not a junction.
const INTERIOR: u32 = u32::MAX;

/// Where a point lies on the contracted graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// At a junction (by junction index, not node index).
    Junction(u32),
    /// On a chain, `pos_m` metres from its start junction.
    Chain { chain: u32, pos_m: f64 },
}

/// The junction graph of a [`WalkingNetwork`] and the map from the
/// network's nodes and arcs to chains.
#[derive(Debug, Clone)]
pub struct Contraction {
    /// Per network node: its junction index, or [`INTERIOR`].
    junction_of: Vec<u32>,
    /// Per junction: its network node.
    junction_node: Vec<u32>,
    /// Per network arc: the chain it belongs to.
    arc_chain: Vec<u32>,
    /// Per network arc: metres from the chain's start to the arc's tail.
    arc_pos: Vec<f64>,
    /// Per network arc: whether it runs from the chain's start to its end.
    arc_forward: Vec<bool>,
    /// Per chain: start and end junction.
    chain_ends: Vec<[u32; 2]>,
    /// Per chain: its length in metres.
    chain_len: Vec<f64>,
    /// The junction graph in CSR form: each junction's arcs lead along one
    /// chain to the junction at its other end.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<f64>,
    /// The junctions ranked for sweeps ([`super::hierarchy`]), derived
    /// on first use or by [`WalkingNetwork::prepare_coverage`].
    hierarchy: std::sync::OnceLock<Hierarchy>,
}

impl Contraction {
    /// Contracts `net`, or `None` when it is not symmetric or has
    /// self-loops (see the module documentation).
    pub(crate) fn build(net: &WalkingNetwork) -> Option<Contraction> {
        let (offsets, targets, weights) = net.csr();
        let n = net.node_count();
        let m = targets.len();
        let arcs_of = |u: usize| offsets[u] as usize..offsets[u + 1] as usize;
        // The reverse of each arc: the k-th arc u → v pairs with the k-th
        // arc v → u (parallel edges are stored in the same order both ways).
        let mut rev = vec![u32::MAX; m];
        for u in 0..n {
            for a in arcs_of(u) {
                let v = targets[a] as usize;
                if v == u {
                    return None;
                }
                let k = arcs_of(u)
                    .take_while(|&b| b < a)
                    .filter(|&b| targets[b] as usize == v);
                let k = k.count();
                let r = arcs_of(v).filter(|&b| targets[b] as usize == u).nth(k)?;
                if weights[r].to_bits() != weights[a].to_bits() {
                    return None;
                }
                rev[a] = r as u32;
            }
        }
        let mut junction_of = vec![INTERIOR; n];
        let mut junction_node = Vec::new();
        for (u, j) in junction_of.iter_mut().enumerate() {
            if arcs_of(u).len() != 2 {
                *j = junction_node.len() as u32;
                junction_node.push(u as u32);
            }
        }
        let mut c = Contraction {
            junction_of,
            junction_node,
            arc_chain: vec![u32::MAX; m],
            arc_pos: vec![0.0; m],
            arc_forward: vec![false; m],
            chain_ends: Vec::new(),
            chain_len: Vec::new(),
            offsets: Vec::new(),
            targets: Vec::new(),
            weights: Vec::new(),
            hierarchy: std::sync::OnceLock::new(),
        };
        // Chains from every junction, then the rings of degree-2 nodes
        // that touch no junction (one of their nodes becomes a junction).
        for j in 0..c.junction_node.len() {
            let u = c.junction_node[j] as usize;
            for a in arcs_of(u) {
                if c.arc_chain[a] == u32::MAX {
                    c.walk_chain(u, a, offsets, targets, weights, &rev)?;
                }
            }
        }
        for a in 0..m {
            if c.arc_chain[a] == u32::MAX {
                let u = (0..n).find(|&u| arcs_of(u).contains(&a))?;
                c.junction_of[u] = c.junction_node.len() as u32;
                c.junction_node.push(u as u32);
                c.walk_chain(u, a, offsets, targets, weights, &rev)?;
            }
        }
        // The junction graph: a junction's arcs in the order of its node's.
        c.offsets.push(0);
        for j in 0..c.junction_node.len() {
            let u = c.junction_node[j] as usize;
            for a in arcs_of(u) {
                let ch = c.arc_chain[a] as usize;
                let [start, end] = c.chain_ends[ch];
                c.targets.push(if c.arc_forward[a] { end } else { start });
                c.weights.push(c.chain_len[ch]);
            }
            c.offsets.push(c.targets.len() as u32);
        }
        Some(c)
    }

    /// Follows the chain that leaves junction `u` by arc `first` up to the
    /// next junction, recording it. `None` if it does not end (which a
    /// symmetric graph rules out; checked rather than assumed).
    fn walk_chain(
        &mut self,
        u: usize,
        first: usize,
        offsets: &[u32],
        targets: &[u32],
        weights: &[f32],
        rev: &[u32],
    ) -> Option<()> {
        let chain = self.chain_len.len() as u32;
        let mut pos = 0.0f64;
        let mut arc = first;
        for _ in 0..=targets.len() {
            let back = rev[arc] as usize;
            self.arc_chain[arc] = chain;
            self.arc_pos[arc] = pos;
            self.arc_forward[arc] = true;
            pos += f64::from(weights[arc]);
            self.arc_chain[back] = chain;
            self.arc_pos[back] = pos;
            self.arc_forward[back] = false;
            let v = targets[arc] as usize;
            if self.junction_of[v] != INTERIOR {
                self.chain_ends
                    .push([self.junction_of[u], self.junction_of[v]]);
                self.chain_len.push(pos);
                return Some(());
            }
            // v has exactly two arcs: leave by the one that is not the way
            // back.
            let a = offsets[v] as usize;
            arc = if a != back { a } else { a + 1 };
        }
        None
    }

    /// Number of junctions (nodes of the contracted graph).
    pub fn junction_count(&self) -> usize {
        self.junction_node.len()
    }

    /// Number of chains (undirected edges of the contracted graph).
    pub fn chain_count(&self) -> usize {
        self.chain_len.len()
    }

    /// The start and end junctions of `chain`.
    pub fn chain_ends(&self, chain: u32) -> Option<[u32; 2]> {
        self.chain_ends.get(chain as usize).copied()
    }

    /// The length of `chain` in metres (0 for a chain that does not
    /// exist).
    pub fn chain_length(&self, chain: u32) -> f64 {
        self.chain_len.get(chain as usize).copied().unwrap_or(0.0)
    }

    /// The junctions ranked into a contraction hierarchy for
    /// [`super::hierarchy::Sweep`], derived on first use (81–192 ms for
    /// Helsinki's 2,296 junctions on a heavily loaded machine;
    /// [`WalkingNetwork::prepare_coverage`] does it when a network is
    /// loaded).
    pub fn hierarchy(&self) -> &Hierarchy {
        self.hierarchy
            .get_or_init(|| Hierarchy::build(&self.offsets, &self.targets, &self.weights))
    }

    /// Where node `node` of `net` (the network this contraction was
    /// built from) lies.
    pub fn place_of_node(&self, net: &WalkingNetwork, node: u32) -> Option<Place> {
        let u = node as usize;
        let j = *self.junction_of.get(u)?;
        if j != INTERIOR {
            return Some(Place::Junction(j));
        }
        // An interior node is the tail of its two arcs, both on its chain.
        let a = *net.csr().0.get(u)? as usize;
        Some(Place::Chain {
            chain: *self.arc_chain.get(a)?,
            pos_m: self.arc_pos[a],
        })
    }

    /// Where a snapped point lies (its access leg not included).
    pub fn place_of_snap(&self, snap: &Snap) -> Option<Place> {
        let a = snap.arc as usize;
        let chain = *self.arc_chain.get(a)?;
        let along = snap.from_m();
        let pos = if self.arc_forward[a] {
            self.arc_pos[a] + along
        } else {
            self.arc_pos[a] - along
        };
        Some(Place::Chain {
            chain,
            pos_m: pos.clamp(0.0, self.chain_len[chain as usize]),
        })
    }
}

/// A source of a [`ChainSearch`]: a place, the distance already walked to
/// reach it (e.g. a facility's access leg) and a label carried to every
/// place it is nearest to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    pub place: Place,
    pub dist_m: f64,
    pub label: u32,
}

/// Reusable multi-source search on a [`Contraction`]: one per network (or
/// per thread), reused across searches like [`DijkstraWorkspace`].
#[derive(Debug, Clone)]
pub struct ChainSearch {
    ws: DijkstraWorkspace,
    seeds: Vec<Seed>,
    junction_targets: Vec<u32>,
    /// Sources inside chains of the current search, as linked lists by
    /// chain: (position, distance, label, next entry or `NO_ENTRY`).
    on_chain: Vec<(f64, f64, u32, u32)>,
    /// Per chain, the first entry of its list in `on_chain`, valid only
    /// when the chain's stamp in `chain_stamp` is the current `stamp`: a
    /// new search bumps the stamp instead of clearing a per-chain table
    /// (what a hash map per search used to cost).
    chain_head: Vec<u32>,
    chain_tail: Vec<u32>,
    chain_stamp: Vec<u32>,
    stamp: u32,
}

/// End of a chain's list of sources in [`ChainSearch`].
const NO_ENTRY: u32 = u32::MAX;

impl ChainSearch {
    /// A search workspace for `contraction`.
    pub fn new(contraction: &Contraction) -> Self {
        ChainSearch {
            ws: DijkstraWorkspace::with_node_count(contraction.junction_count()),
            seeds: Vec::new(),
            junction_targets: Vec::new(),
            on_chain: Vec::new(),
            chain_head: vec![NO_ENTRY; contraction.chain_count()],
            chain_tail: vec![NO_ENTRY; contraction.chain_count()],
            chain_stamp: vec![0; contraction.chain_count()],
            stamp: 0,
        }
    }

    /// The sources lying inside `chain` in the current search.
    fn sources_on_chain(&self, chain: u32) -> impl Iterator<Item = (f64, f64, u32)> + '_ {
        let c = chain as usize;
        let mut next = match self.chain_stamp.get(c) {
            Some(&s) if s == self.stamp => self.chain_head[c],
            _ => NO_ENTRY,
        };
        std::iter::from_fn(move || {
            let &(p, d, l, n) = self.on_chain.get(next as usize)?;
            next = n;
            Some((p, d, l))
        })
    }

    /// Searches from `sources` until the distance to every place of
    /// `targets` is known (or everything reachable is settled).
    pub fn run(&mut self, c: &Contraction, sources: &[Source], targets: &[Place]) {
        self.seeds.clear();
        self.on_chain.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Wrapped around: stamps from 2^32 searches ago would match.
            self.chain_stamp.fill(0);
            self.stamp = 1;
        }
        for s in sources {
            if !s.dist_m.is_finite() || s.dist_m < 0.0 {
                continue;
            }
            match s.place {
                Place::Junction(j) => self.seeds.push(Seed {
                    node: j,
                    dist_m: s.dist_m,
                    label: s.label,
                }),
                Place::Chain { chain, pos_m } => {
                    let Some(&[start, end]) = c.chain_ends.get(chain as usize) else {
                        continue;
                    };
                    let len = c.chain_len[chain as usize];
                    self.seeds.push(Seed {
                        node: start,
                        dist_m: s.dist_m + pos_m,
                        label: s.label,
                    });
                    self.seeds.push(Seed {
                        node: end,
                        dist_m: s.dist_m + (len - pos_m),
                        label: s.label,
                    });
                    let c = chain as usize;
                    if c < self.chain_stamp.len() {
                        // Appended at the tail: read in the order given,
                        // so ties go to the same source as before.
                        let entry = self.on_chain.len() as u32;
                        if self.chain_stamp[c] == self.stamp {
                            let tail = self.chain_tail[c] as usize;
                            self.on_chain[tail].3 = entry;
                        } else {
                            self.chain_stamp[c] = self.stamp;
                            self.chain_head[c] = entry;
                        }
                        self.chain_tail[c] = entry;
                        self.on_chain.push((pos_m, s.dist_m, s.label, NO_ENTRY));
                    }
                }
            }
        }
        self.junction_targets.clear();
        for t in targets {
            match *t {
                Place::Junction(j) => self.junction_targets.push(j),
                Place::Chain { chain, .. } => {
                    if let Some(ends) = c.chain_ends.get(chain as usize) {
                        self.junction_targets.extend_from_slice(ends);
                    }
                }
            }
        }
        self.ws.run_until_settled_csr(
            &c.offsets,
            &c.targets,
            &c.weights,
            &self.seeds,
            &self.junction_targets,
        );
    }

    /// The distance from the nearest source to `place` and that source's
    /// label, if known (the place was a target of the last
    /// [`Self::run`], or lies within what it settled).
    pub fn distance(&self, c: &Contraction, place: Place) -> Option<(f64, u32)> {
        let at = |j: u32| {
            let d = self.ws.distance(j)?;
            Some((d, self.ws.label(j)?))
        };
        match place {
            Place::Junction(j) => at(j),
            Place::Chain { chain, pos_m } => {
                let &[start, end] = c.chain_ends.get(chain as usize)?;
                let len = c.chain_len[chain as usize];
                let mut best = at(start).map(|(d, l)| (d + pos_m, l));
                let mut consider = |cand: Option<(f64, u32)>| {
                    if let Some((d, l)) = cand
                        && best.is_none_or(|(b, _)| d < b)
                    {
                        best = Some((d, l));
                    }
                };
                consider(at(end).map(|(d, l)| (d + (len - pos_m), l)));
                for (p, d, l) in self.sources_on_chain(chain) {
                    consider(Some((d + (pos_m - p).abs(), l)));
                }
                best
            }
        }
    }
}

#[cfg(test)]
mod tests;
