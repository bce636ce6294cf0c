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

/// A start of a search: a node, the distance already walked to reach it,
/// and a label (e.g. the index of the facility it stands for) carried to
/// every node it reaches first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub dist_m: f64,
    pub label: u32,
}

/// A monotone priority queue for Dijkstra (a bucket queue in the manner
/// of Dial, 1969, exact within each bucket). Distances are cut into
/// buckets [`BUCKET_M`] metres wide: the bucket being drained is a small
/// vector kept sorted (descending, so the minimum is popped from its end),
/// so entries come out in exact order of distance (ties: lower node
/// first); later buckets are singly linked lists threaded through one
/// pool of entries, sorted when their turn comes. Dijkstra never pushes a
/// distance below the last one removed, so nothing ever lands in an
/// earlier bucket. At 1 m a bucket holds one or two entries, so sorting
/// it costs next to nothing where a binary heap per bucket spent a fifth
/// of a coverage report in its sifting and heapifying. The distances
/// themselves are untouched (`f64`): only the order of work changes, and
/// it is the same order as a binary heap of `(distance, node)` gives.
///
/// Invariant between calls: whenever it is not empty, the drained bucket
/// holds the minimum (see [`BucketQueue::refill`]), so the minimum can be
/// read without mutation.
#[derive(Debug, Clone)]
struct BucketQueue {
    /// Number of the bucket being drained.
    current: usize,
    /// The bucket being drained, sorted by descending `(bits, node)`.
    drained: Vec<(u64, u32)>,
    /// Per later bucket, the first entry of its list in `pool`, or
    /// [`NO_ENTRY`]; grown as needed, kept across searches.
    head: Vec<u32>,
    /// Entries of the later buckets: distance bits, node, next entry.
    pool: Vec<(u64, u32, u32)>,
    /// Highest bucket that may hold entries.
    top: usize,
    len: usize,
}

/// End of a bucket's list in [`BucketQueue`].
const NO_ENTRY: u32 = u32::MAX;

/// Width of a [`BucketQueue`] bucket in metres. Measured on Helsinki
/// (coverage searches, least disturbed of 41 runs, with a binary heap per
/// bucket): 16 m buckets hold dozens of entries and the heap's sifting
/// dominates (1.45–1.49 ms for the 8 searches); 4 m 1.36 ms; 1 m
/// 1.25–1.27 ms; 0.25 m 1.35 ms (mostly empty buckets). A search over a
/// district crosses a few thousand.
const BUCKET_M: f64 = 1.0;

/// Buckets beyond this one share it (distances past about 1,000 km: the
/// sort then orders them, still exactly).
const LAST_BUCKET: usize = 1 << 20;

impl BucketQueue {
    fn new() -> Self {
        BucketQueue {
            current: 0,
            drained: Vec::new(),
            head: Vec::new(),
            pool: Vec::new(),
            top: 0,
            len: 0,
        }
    }

    fn clear(&mut self) {
        self.drained.clear();
        let end = (self.top + 1).min(self.head.len());
        self.head[..end].fill(NO_ENTRY);
        self.pool.clear();
        self.current = 0;
        self.top = 0;
        self.len = 0;
    }

    /// `dist` must be finite, non-negative and ≥ the last popped distance
    /// (Dijkstra guarantees it); +0.0, not -0.0, whose bits order wrongly.
    #[inline]
    fn push(&mut self, dist: f64, node: u32) {
        let b = ((dist * (1.0 / BUCKET_M)) as usize)
            .min(LAST_BUCKET)
            .max(self.current);
        let key = (dist.to_bits(), node);
        if b == self.current {
            // Sorted insertion from the small end (new entries are rarely
            // far from the minimum).
            let mut i = self.drained.len();
            while i > 0 && self.drained[i - 1] < key {
                i -= 1;
            }
            self.drained.insert(i, key);
        } else {
            if b >= self.head.len() {
                self.head.resize(b + 1, NO_ENTRY);
            }
            let entry = self.pool.len() as u32;
            self.pool.push((key.0, key.1, self.head[b]));
            self.head[b] = entry;
            self.top = self.top.max(b);
        }
        self.len += 1;
    }

    /// Moves the next non-empty bucket into `drained` when `drained` is
    /// empty.
    #[inline]
    fn refill(&mut self) {
        if self.len == 0 || !self.drained.is_empty() {
            return;
        }
        let Some(b) = (self.current + 1..=self.top).find(|&b| self.head[b] != NO_ENTRY) else {
            return;
        };
        self.current = b;
        let mut next = std::mem::replace(&mut self.head[b], NO_ENTRY);
        while let Some(&(bits, node, n)) = self.pool.get(next as usize) {
            self.drained.push((bits, node));
            next = n;
        }
        if self.drained.len() > 1 {
            self.drained.sort_unstable_by(|a, b| b.cmp(a));
        }
    }

    /// The smallest distance, when the invariant holds.
    #[inline]
    fn peek(&self) -> Option<(f64, u32)> {
        self.drained.last().map(|&(k, n)| (f64::from_bits(k), n))
    }

    /// The smallest distance, restoring the invariant first.
    fn peek_refilled(&mut self) -> Option<(f64, u32)> {
        self.refill();
        self.peek()
    }

    #[inline]
    fn pop(&mut self) -> Option<(f64, u32)> {
        self.refill();
        let (k, n) = self.drained.pop()?;
        self.len -= 1;
        Some((f64::from_bits(k), n))
    }
}

/// Reusable state of a shortest-path search. Allocate one per network (or
/// per thread) and reuse it: starting a new search costs time proportional
/// to the nodes the previous one touched, not to the network size.
#[derive(Debug, Clone)]
pub struct DijkstraWorkspace {
    /// Per node: its distance and label, side by side (a relaxation
    /// reads and writes both).
    node: Vec<(f64, u32)>,
    touched: Vec<u32>,
    heap: BucketQueue,
}

/// Label of nodes no seed has reached.
const NO_LABEL: u32 = u32::MAX;

impl DijkstraWorkspace {
    /// A workspace for `network`.
    pub fn new(network: &WalkingNetwork) -> Self {
        Self::with_node_count(network.node_count())
    }

    /// A workspace for any graph of `n` nodes (e.g. the contracted graph
    /// of a network's junctions, see [`super::chains`]).
    pub fn with_node_count(n: usize) -> Self {
        DijkstraWorkspace {
            node: vec![(f64::INFINITY, NO_LABEL); n],
            touched: Vec::new(),
            heap: BucketQueue::new(),
        }
    }

    /// Starts a new search from `seeds` (seeds with a node outside the
    /// network or a non-finite distance are ignored). Nothing is expanded
    /// until [`Self::settle_until`].
    pub fn start(&mut self, seeds: &[Seed]) {
        for &n in &self.touched {
            self.node[n as usize] = (f64::INFINITY, NO_LABEL);
        }
        self.touched.clear();
        self.heap.clear();
        for s in seeds {
            let i = s.node as usize;
            if i >= self.node.len() || !s.dist_m.is_finite() || s.dist_m < 0.0 {
                continue;
            }
            // + 0.0 turns -0.0 into +0.0, whose bits order correctly.
            let d = s.dist_m + 0.0;
            if d < self.node[i].0 {
                if self.node[i].0.is_infinite() {
                    self.touched.push(s.node);
                }
                self.node[i].0 = d;
                self.node[i].1 = s.label;
                self.heap.push(d, s.node);
            }
        }
        self.heap.refill();
    }

    /// Expands the search until every node within `limit_m` is settled
    /// (its distance final). `f64::INFINITY` explores the whole connected
    /// part of the network.
    pub fn settle_until(&mut self, network: &WalkingNetwork, limit_m: f64) {
        let (offsets, targets, weights) = network.csr();
        while let Some((dist, node)) = self.heap.peek_refilled() {
            if dist > limit_m {
                break;
            }
            self.heap.pop();
            let u = node as usize;
            if dist > self.node[u].0 {
                continue; // stale entry
            }
            self.relax(u, dist, offsets, targets, weights);
        }
    }

    /// Relaxes the arcs of the settled node `u`. Chains of degree-2 nodes
    /// (the shape points of a way, about 60% of an OSM walking network)
    /// are walked straight through to the next junction, writing their
    /// distances without queueing them; dead ends are not queued either
    /// (their only arc leads back); only nodes of degree 3 or more enter
    /// the queue. Such an unqueued node's distance is final once it is at
    /// most the frontier: any shorter route would come through the chain's
    /// other end, which is then still at or beyond the frontier.
    #[inline]
    fn relax<W: Copy + Into<f64>>(
        &mut self,
        u: usize,
        dist: f64,
        offsets: &[u32],
        targets: &[u32],
        weights: &[W],
    ) {
        let lab = self.node[u].1;
        for arc in offsets[u] as usize..offsets[u + 1] as usize {
            let mut prev = u;
            let mut v = targets[arc] as usize;
            let mut nd = dist + weights[arc].into();
            loop {
                if nd >= self.node[v].0 {
                    break; // reached at least as cheaply from elsewhere
                }
                if self.node[v].0.is_infinite() {
                    self.touched.push(v as u32);
                }
                self.node[v] = (nd, lab);
                let (a, b) = (offsets[v] as usize, offsets[v + 1] as usize);
                if b - a != 2 {
                    // A dead end's only arc leads back where we came from:
                    // nothing to relax, so it is not queued either (final,
                    // like a chain's interior, once at most the frontier).
                    if b - a != 1 {
                        self.heap.push(nd, v as u32);
                    }
                    break;
                }
                // The arc of v that does not lead back where we came from.
                let next = if targets[a] as usize != prev {
                    a
                } else {
                    a + 1
                };
                prev = v;
                v = targets[next] as usize;
                nd += weights[next].into();
            }
        }
    }

    /// Expands the search only until each of `nodes` is settled, or until
    /// every node within `limit_m` is: enough to know a target's distance
    /// if it is at most `limit_m`, without exploring farther.
    pub fn settle_nodes(&mut self, network: &WalkingNetwork, nodes: &[u32], limit_m: f64) {
        let (offsets, targets, weights) = network.csr();
        while let Some((dist, node)) = self.heap.peek_refilled() {
            if dist > limit_m || nodes.iter().all(|&n| self.distance(n).is_some()) {
                break;
            }
            self.heap.pop();
            let u = node as usize;
            if dist > self.node[u].0 {
                continue;
            }
            self.relax(u, dist, offsets, targets, weights);
        }
    }

    /// Runs a search from `seeds` until every node of `targets` is settled
    /// (or the connected part is exhausted): what coverage needs, where
    /// only the nodes next to villages matter.
    pub fn run_until_settled(&mut self, network: &WalkingNetwork, seeds: &[Seed], targets: &[u32]) {
        let (offsets, arcs, weights) = network.csr();
        self.run_until_settled_csr(offsets, arcs, weights, seeds, targets);
    }

    /// [`Self::run_until_settled`] on any graph in CSR form (`offsets`
    /// n + 1, arc `arcs` and `weights` in metres), sized like this
    /// workspace; weights may be `f32` or `f64`.
    pub fn run_until_settled_csr<W: Copy + Into<f64>>(
        &mut self,
        offsets: &[u32],
        arcs: &[u32],
        weights: &[W],
        seeds: &[Seed],
        targets: &[u32],
    ) {
        self.start(seeds);
        // Settled targets stay settled (the frontier only rises), so one
        // pointer over the list suffices.
        let mut next = 0;
        loop {
            while next < targets.len() && self.distance(targets[next]).is_some() {
                next += 1;
            }
            if next == targets.len() {
                break;
            }
            let Some((dist, node)) = self.heap.pop() else {
                break;
            };
            let u = node as usize;
            if dist <= self.node[u].0 {
                self.relax(u, dist, offsets, arcs, weights);
            }
            self.heap.refill();
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
            let d = self.node[n as usize].0;
            (d <= frontier).then_some((n, d))
        })
    }

    /// The smallest distance not yet settled (infinite once the search has
    /// exhausted its part of the network).
    pub fn frontier(&self) -> f64 {
        self.heap.peek().map_or(f64::INFINITY, |(d, _)| d)
    }

    /// The final distance of `node`, if it is settled.
    pub fn distance(&self, node: u32) -> Option<f64> {
        let d = self.node.get(node as usize)?.0;
        (d.is_finite() && d <= self.frontier()).then_some(d)
    }

    /// The label of the seed that reached a settled `node` first.
    pub fn label(&self, node: u32) -> Option<u32> {
        self.distance(node)?;
        let l = self.node[node as usize].1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bucket_queue_orders_ties_and_distances_past_its_last_bucket() {
        let mut h = BucketQueue::new();
        // Far beyond the last bucket (they share it), equal distances, and
        // one in the bucket being drained.
        for (d, n) in [
            (3e10, 1),
            (2e10, 2),
            (5.0, 9),
            (5.0, 3),
            (2e10, 0),
            (40.0, 4),
        ] {
            h.push(d, n);
        }
        h.refill();
        assert_eq!(h.pop(), Some((5.0, 3)));
        h.push(7.5, 5);
        h.push(1e11, 6);
        let order: Vec<(f64, u32)> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(
            order,
            [
                (5.0, 9),
                (7.5, 5),
                (40.0, 4),
                (2e10, 0),
                (2e10, 2),
                (3e10, 1),
                (1e11, 6)
            ]
        );
        h.clear();
        assert_eq!(h.pop(), None);
        h.push(0.0, 1);
        assert_eq!(h.peek_refilled(), Some((0.0, 1)));
    }

    proptest! {
        #[test]
        fn bucket_queue_pops_in_order_under_dijkstra_use(
            start in prop::collection::vec(0.0f64..5000.0, 1..50),
            steps in prop::collection::vec((0usize..4, 0.0f64..300.0), 0..300),
        ) {
            let mut h = BucketQueue::new();
            let mut reference: Vec<f64> = Vec::new();
            for (i, &d) in start.iter().enumerate() {
                h.push(d, i as u32);
                reference.push(d);
            }
            h.refill();
            let mut last = 0.0;
            let mut steps = steps.into_iter();
            while let Some((d, _)) = h.pop() {
                reference.sort_by(|a, b| b.total_cmp(a));
                let want = reference.pop().unwrap();
                prop_assert_eq!(d, want);
                prop_assert!(d >= last);
                last = d;
                // Like a relaxation: push keys at or above the popped one.
                if let Some((n, w)) = steps.next() {
                    for j in 0..n {
                        let nd = d + w * j as f64;
                        h.push(nd, 0);
                        reference.push(nd);
                    }
                }
                h.refill();
                prop_assert_eq!(h.peek().map(|p| p.0), reference.iter().copied().min_by(f64::total_cmp));
            }
            prop_assert!(reference.is_empty());
        }
    }
}
