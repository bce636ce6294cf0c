//! A contraction hierarchy of the junction graph ([`super::chains`]) and
//! one-to-all searches on it by linear sweeps (PHAST: Delling, Goldberg,
//! Nowatzyk and Werneck, "PHAST: Hardware-accelerated shortest path
//! trees", IPDPS 2011), several searches at once.
//!
//! Coverage needs, per service product, the distance from the nearest
//! facility offering it to every village: a multi-source search over the
//! whole district per product. Dijkstra's algorithm does that with a
//! priority queue, one product after the other. Here the junctions are
//! ranked once per network (contracting the least important first and
//! adding a *shortcut* between two of its neighbours wherever the path
//! through it is the only shortest one), and then a search is two linear
//! passes over the junctions in rank order, with no queue:
//!
//! * **upward**, from the least to the most important junction: each
//!   junction passes its distance on to its more important neighbours
//!   (the sources' upward search spaces, computed as a sweep over the
//!   acyclic upward graph rather than with a queue);
//! * **downward**, from the most to the least important: each junction
//!   takes the best of its own distance and its more important
//!   neighbours' distances plus the arc, which are final by then (every
//!   shortest path has a shortest equivalent that climbs and then
//!   descends the hierarchy).
//!
//! The junctions are stored in sweep order (most important first), so
//! both passes walk the arrays front to back or back to front, and each
//! junction carries [`LANES`] distances side by side: up to eight searches
//! (eight products) share one pair of passes, the additions and
//! comparisons of a relaxation done for all lanes together (the compiler
//! vectorises the fixed-size lane loops).
//!
//! Distances are `f64` sums of the same chain lengths as the other
//! searches, taken in another order (a shortcut's length is the sum of the
//! two it replaces), so they agree with Dijkstra's within rounding.
//!
//! **Ties.** Each lane keeps, per junction, the smallest pair
//! (distance, label): among sources at exactly the same distance the
//! lowest label wins (coverage labels a source with its facility's
//! position in the catalogue). Distances that differ only in their last
//! bits through being summed in another order are not ties; facilities at
//! the same place are, in every search.
//!
//! Hand-written rather than taken from a crate: the crates that build
//! contraction hierarchies in Rust (`fast_paths`, for one) weigh arcs in
//! integers and answer one-to-one queries; coverage needs `f64` metres (to
//! agree with the other searches within 1e-6 m), multi-source searches with
//! initial distances, and the ranked arcs themselves for the sweeps.

use super::chains::{Contraction, Place, Source};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Searches run together in one pair of sweeps.
pub const LANES: usize = 8;

/// Label of junctions no source has reached.
const NO_LABEL: u32 = u32::MAX;
/// [`NO_LABEL`] as a lane holds it.
const NO_LABEL_F: f64 = NO_LABEL as f64;

/// How many junctions a witness search settles before giving up (and
/// keeping the shortcut, which is never wrong, only an extra arc). On
/// Helsinki 60 gives 4,870 shortcuts against 4,883 with 300.
const WITNESS_SETTLE_LIMIT: usize = 60;

/// The ranked junction graph of a [`Contraction`]: per junction, in sweep
/// order (most important first), its arcs to more important junctions,
/// original chains and shortcuts alike.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// Per junction (index of the contraction): its position in the sweep.
    position: Vec<u32>,
    /// Per position: the range of its arcs in `up_to` and `up_m`.
    up_offsets: Vec<u32>,
    /// Arcs to more important junctions, by position (always lower).
    up_to: Vec<u32>,
    up_m: Vec<f64>,
    shortcuts: usize,
}

/// Adjacency of a junction during the contraction: neighbour and length.
type Arcs = Vec<(u32, f64)>;

/// Adds the arc to `v` of length `w`, or shortens the one there is.
fn add_arc(arcs: &mut Arcs, v: u32, w: f64) {
    match arcs.iter_mut().find(|a| a.0 == v) {
        Some(a) => a.1 = a.1.min(w),
        None => arcs.push((v, w)),
    }
}

/// Bounded Dijkstra searches for witnesses (paths that avoid the junction
/// being contracted and are no longer than the path through it).
struct Witness {
    dist: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Witness {
    /// Distances from `from` among the remaining junctions, avoiding
    /// `avoid`, settled up to `limit` (distances above it, or beyond the
    /// settle limit, stay unknown: infinite or an upper bound).
    fn run(&mut self, adj: &[Arcs], from: u32, avoid: u32, limit: f64) {
        for &t in &self.touched {
            self.dist[t as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[from as usize] = 0.0;
        self.touched.push(from);
        self.heap.push(Reverse((0f64.to_bits(), from)));
        let mut settled = 0;
        while let Some(Reverse((bits, u))) = self.heap.pop() {
            let d = f64::from_bits(bits);
            if d > self.dist[u as usize] {
                continue;
            }
            if d > limit || settled >= WITNESS_SETTLE_LIMIT {
                break;
            }
            settled += 1;
            for &(v, w) in &adj[u as usize] {
                if v == avoid {
                    continue;
                }
                let nd = d + w;
                if nd < self.dist[v as usize] {
                    if self.dist[v as usize].is_infinite() {
                        self.touched.push(v);
                    }
                    self.dist[v as usize] = nd;
                    self.heap.push(Reverse((nd.to_bits(), v)));
                }
            }
        }
    }

    /// The shortcuts contracting `v` needs: pairs of its neighbours whose
    /// shortest connection among the remaining junctions runs through it.
    fn shortcuts(&mut self, adj: &[Arcs], v: u32, out: &mut Vec<(u32, u32, f64)>) {
        out.clear();
        let arcs = &adj[v as usize];
        let longest = arcs.iter().map(|a| a.1).fold(0.0, f64::max);
        for (i, &(a, wa)) in arcs.iter().enumerate() {
            if i + 1 == arcs.len() {
                break;
            }
            self.run(adj, a, v, wa + longest);
            for &(b, wb) in &arcs[i + 1..] {
                let via = wa + wb;
                if self.dist[b as usize] > via {
                    out.push((a, b, via));
                }
            }
        }
    }
}

impl Hierarchy {
    /// Ranks the junctions of an undirected graph in CSR form (every arc
    /// has its reverse of the same length, as in a [`Contraction`]) and
    /// adds the shortcuts.
    pub(crate) fn build(offsets: &[u32], targets: &[u32], weights: &[f64]) -> Hierarchy {
        let n = offsets.len().saturating_sub(1);
        let mut adj: Vec<Arcs> = vec![Vec::new(); n];
        for (u, arcs) in adj.iter_mut().enumerate() {
            for a in offsets[u] as usize..offsets[u + 1] as usize {
                // A chain from a junction back to itself never shortens a
                // path.
                if targets[a] as usize != u {
                    add_arc(arcs, targets[a], weights[a]);
                }
            }
        }
        let mut witness = Witness {
            dist: vec![f64::INFINITY; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        };
        let mut found = Vec::new();
        // Importance: shortcuts added minus arcs removed, plus neighbours
        // already contracted (spreads the contraction over the graph).
        let mut deleted = vec![0i64; n];
        let mut importance =
            |adj: &[Arcs], v: u32, deleted: &[i64], found: &mut Vec<(u32, u32, f64)>| {
                witness.shortcuts(adj, v, found);
                found.len() as i64 - adj[v as usize].len() as i64 + deleted[v as usize]
            };
        let mut queue: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32)
            .map(|v| Reverse((importance(&adj, v, &deleted, &mut found), v)))
            .collect();
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut up: Vec<Arcs> = vec![Vec::new(); n];
        let mut shortcuts = 0;
        while let Some(Reverse((_, v))) = queue.pop() {
            // Lazy update: re-evaluate; if it is no longer the least
            // important, put it back.
            let now = importance(&adj, v, &deleted, &mut found);
            if let Some(&Reverse((next, _))) = queue.peek()
                && now > next
            {
                queue.push(Reverse((now, v)));
                continue;
            }
            // `found` holds v's shortcuts (the evaluation just made).
            let arcs = std::mem::take(&mut adj[v as usize]);
            for &(u, _) in &arcs {
                adj[u as usize].retain(|a| a.0 != v);
                deleted[u as usize] += 1;
            }
            for &(a, b, w) in &found {
                add_arc(&mut adj[a as usize], b, w);
                add_arc(&mut adj[b as usize], a, w);
            }
            shortcuts += found.len();
            up[v as usize] = arcs;
            order.push(v);
        }
        // Sweep order: most important (contracted last) first.
        let mut position = vec![0u32; n];
        for (p, &v) in order.iter().rev().enumerate() {
            position[v as usize] = p as u32;
        }
        let mut up_offsets = Vec::with_capacity(n + 1);
        let mut up_to = Vec::new();
        let mut up_m = Vec::new();
        up_offsets.push(0);
        for &v in order.iter().rev() {
            let mut arcs: Vec<(u32, f64)> = up[v as usize]
                .iter()
                .map(|&(u, w)| (position[u as usize], w))
                .collect();
            arcs.sort_by_key(|a| a.0);
            for (p, w) in arcs {
                up_to.push(p);
                up_m.push(w);
            }
            up_offsets.push(up_to.len() as u32);
        }
        Hierarchy {
            position,
            up_offsets,
            up_to,
            up_m,
            shortcuts,
        }
    }

    /// Number of junctions ranked.
    pub fn junction_count(&self) -> usize {
        self.position.len()
    }

    /// Number of arcs to more important junctions (chains and shortcuts):
    /// what each sweep relaxes.
    pub fn arc_count(&self) -> usize {
        self.up_to.len()
    }

    /// Number of shortcuts added.
    pub fn shortcut_count(&self) -> usize {
        self.shortcuts
    }
}

/// A source of a [`Sweep`] lane lying inside a chain: position, distance,
/// label, lane, next entry of the chain's list.
type OnChain = (f64, f64, u32, u8, u32);

/// End of a chain's list of sources in [`Sweep`].
const NO_ENTRY: u32 = u32::MAX;

/// Reusable state of [`LANES`] searches sharing one pair of sweeps over a
/// [`Hierarchy`]: one per report (or kept and reused).
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Per sweep position, the distance of each lane.
    dist: Vec<[f64; LANES]>,
    /// Per sweep position, the label of each lane, held as `f64` (exact
    /// for every `u32`) so that a relaxation is the same 64-bit operation
    /// on distances and labels, which the compiler vectorises, where
    /// 32-bit labels beside 64-bit distances would need their masks
    /// narrowed lane by lane.
    label: Vec<[f64; LANES]>,
    /// Sources inside chains, as linked lists by chain (as in
    /// [`super::ChainSearch`]).
    on_chain: Vec<OnChain>,
    chain_head: Vec<u32>,
    chain_tail: Vec<u32>,
    chain_stamp: Vec<u32>,
    stamp: u32,
}

/// `(d, l)` at `to` becomes the smaller of itself and `(from + w, from's
/// label)`, lane by lane: smaller distance, or the same distance and a
/// lower label. Branch-free so that it vectorises.
#[inline(always)]
fn relax(
    to_d: &mut [f64; LANES],
    to_l: &mut [f64; LANES],
    from_d: &[f64; LANES],
    from_l: &[f64; LANES],
    w: f64,
) {
    // The choice as an all-ones or all-zeros mask per lane and a bitwise
    // blend: written as `if`, the compiler emitted a branch per lane.
    let mut mask = [0u64; LANES];
    for k in 0..LANES {
        let nd = from_d[k] + w;
        let better = (nd < to_d[k]) | ((nd == to_d[k]) & (from_l[k] < to_l[k]));
        mask[k] = u64::from(better).wrapping_neg();
    }
    for k in 0..LANES {
        let nd = from_d[k] + w;
        to_d[k] = f64::from_bits((nd.to_bits() & mask[k]) | (to_d[k].to_bits() & !mask[k]));
        to_l[k] = f64::from_bits((from_l[k].to_bits() & mask[k]) | (to_l[k].to_bits() & !mask[k]));
    }
}

impl Sweep {
    /// A workspace for `contraction`'s hierarchy.
    pub fn new(contraction: &Contraction) -> Self {
        let n = contraction.junction_count();
        let chains = contraction.chain_count();
        Sweep {
            dist: vec![[f64::INFINITY; LANES]; n],
            label: vec![[NO_LABEL_F; LANES]; n],
            on_chain: Vec::new(),
            chain_head: vec![NO_ENTRY; chains],
            chain_tail: vec![NO_ENTRY; chains],
            chain_stamp: vec![0; chains],
            stamp: 0,
        }
    }

    /// Seeds lane `lane` at junction `j`.
    fn seed(&mut self, h: &Hierarchy, lane: usize, j: u32, d: f64, label: u32) {
        let Some(&p) = h.position.get(j as usize) else {
            return;
        };
        let p = p as usize;
        let label = f64::from(label);
        let (cd, cl) = (&mut self.dist[p][lane], &mut self.label[p][lane]);
        if d < *cd || (d == *cd && label < *cl) {
            *cd = d;
            *cl = label;
        }
    }

    /// Runs one search per lane: lane `k` from `sources[k]` (at most
    /// [`LANES`] lanes; unused lanes reach nothing). Every junction's
    /// distance in every lane is known afterwards.
    pub fn run(&mut self, c: &Contraction, sources: &[&[Source]]) {
        let h = c.hierarchy();
        self.dist.fill([f64::INFINITY; LANES]);
        self.label.fill([NO_LABEL_F; LANES]);
        self.on_chain.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.chain_stamp.fill(0);
            self.stamp = 1;
        }
        for (lane, lane_sources) in sources.iter().enumerate().take(LANES) {
            for s in lane_sources.iter() {
                if !s.dist_m.is_finite() || s.dist_m < 0.0 {
                    continue;
                }
                // + 0.0 turns -0.0 into +0.0.
                let d0 = s.dist_m + 0.0;
                match s.place {
                    Place::Junction(j) => self.seed(h, lane, j, d0, s.label),
                    Place::Chain { chain, pos_m } => {
                        let Some([start, end]) = c.chain_ends(chain) else {
                            continue;
                        };
                        let len = c.chain_length(chain);
                        self.seed(h, lane, start, d0 + pos_m, s.label);
                        self.seed(h, lane, end, d0 + (len - pos_m), s.label);
                        let ch = chain as usize;
                        let entry = self.on_chain.len() as u32;
                        if self.chain_stamp[ch] == self.stamp {
                            let tail = self.chain_tail[ch] as usize;
                            self.on_chain[tail].4 = entry;
                        } else {
                            self.chain_stamp[ch] = self.stamp;
                            self.chain_head[ch] = entry;
                        }
                        self.chain_tail[ch] = entry;
                        self.on_chain
                            .push((pos_m, d0, s.label, lane as u8, NO_ENTRY));
                    }
                }
            }
        }
        self.sweeps(h);
    }

    /// The two sweeps over `h`, from the seeds in place: with the
    /// processor's 256-bit vectors (AVX2: four lanes per instruction)
    /// where it has them, else with the 128-bit ones every x86-64 has (or
    /// whatever the target offers).
    fn sweeps(&mut self, h: &Hierarchy) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2 (checked just above),
            // which is all `sweeps_avx2` requires.
            unsafe { self.sweeps_avx2(h) };
            return;
        }
        self.sweeps_portable(h);
    }

    /// [`Self::sweeps_portable`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sweeps_avx2(&mut self, h: &Hierarchy) {
        self.sweeps_portable(h);
    }

    /// The sweeps themselves, inlined into each compiled variant.
    #[inline(always)]
    fn sweeps_portable(&mut self, h: &Hierarchy) {
        let n = self.dist.len().min(h.junction_count());
        // Upward: least important first, each junction passes its
        // distances on to its more important neighbours.
        for p in (0..n).rev() {
            let (lo_d, hi_d) = self.dist.split_at_mut(p);
            let (lo_l, hi_l) = self.label.split_at_mut(p);
            let (from_d, from_l) = (&hi_d[0], &hi_l[0]);
            if from_d.iter().all(|d| d.is_infinite()) {
                continue; // no source below it
            }
            for a in h.up_offsets[p] as usize..h.up_offsets[p + 1] as usize {
                let q = h.up_to[a] as usize;
                relax(&mut lo_d[q], &mut lo_l[q], from_d, from_l, h.up_m[a]);
            }
        }
        // Downward: most important first, each junction takes the best of
        // its more important neighbours (final by now).
        for p in 0..n {
            let (lo_d, hi_d) = self.dist.split_at_mut(p);
            let (lo_l, hi_l) = self.label.split_at_mut(p);
            let (to_d, to_l) = (&mut hi_d[0], &mut hi_l[0]);
            for a in h.up_offsets[p] as usize..h.up_offsets[p + 1] as usize {
                let q = h.up_to[a] as usize;
                relax(to_d, to_l, &lo_d[q], &lo_l[q], h.up_m[a]);
            }
        }
    }

    /// The distance from lane `lane`'s nearest source to `place` and that
    /// source's label (lowest label among equally near sources), or `None`
    /// when none reaches it.
    pub fn distance(&self, c: &Contraction, lane: usize, place: Place) -> Option<(f64, u32)> {
        let h = c.hierarchy();
        let at = |j: u32| {
            let p = *h.position.get(j as usize)? as usize;
            let d = *self.dist.get(p)?.get(lane)?;
            // Labels are whole numbers below 2^32 (from `seed`).
            d.is_finite().then_some((d, self.label[p][lane] as u32))
        };
        let better = |a: (f64, u32), b: Option<(f64, u32)>| {
            b.is_none_or(|(bd, bl)| a.0 < bd || (a.0 == bd && a.1 < bl))
        };
        match place {
            Place::Junction(j) => at(j),
            Place::Chain { chain, pos_m } => {
                let [start, end] = c.chain_ends(chain)?;
                let len = c.chain_length(chain);
                let mut best = at(start).map(|(d, l)| (d + pos_m, l));
                if let Some(e) = at(end).map(|(d, l)| (d + (len - pos_m), l))
                    && better(e, best)
                {
                    best = Some(e);
                }
                let ch = chain as usize;
                let mut next = match self.chain_stamp.get(ch) {
                    Some(&s) if s == self.stamp => self.chain_head[ch],
                    _ => NO_ENTRY,
                };
                while let Some(&(p, d, l, k, n)) = self.on_chain.get(next as usize) {
                    next = n;
                    let cand = (d + (pos_m - p).abs(), l);
                    if k as usize == lane && better(cand, best) {
                        best = Some(cand);
                    }
                }
                best
            }
        }
    }
}

#[cfg(test)]
mod tests;
