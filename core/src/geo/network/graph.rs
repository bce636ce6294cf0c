//! The compact walking graph, its file format, and snapping.
//!
//! # In memory
//! Nodes are WGS-84 coordinates in fixed point (1e-7 degree, about 1 cm,
//! the precision of OpenStreetMap itself). Edges are undirected and stored
//! as two arcs in CSR form: `offsets[n]..offsets[n+1]` indexes `targets` and
//! `weights` (metres, `f32`: centimetre precision up to 100 km). Weights
//! are the haversine length of the segment between the two nodes, so a
//! walking distance is never shorter than the straight line (the k-nearest
//! search relies on it).
//!
//! # File format (`.lcwn`, version 1), all integers little-endian
//! | bytes | content |
//! |---|---|
//! | 4 | magic `LCWN` |
//! | 2 | format version (`1`) |
//! | 2 | flags (`0`; readers refuse unknown flags) |
//! | 4 | `n`: node count (u32) |
//! | 4 | `m`: arc count (u32; two per undirected edge) |
//! | 8·n | per node: latitude, longitude as i32 × 1e-7 degree |
//! | 4·(n+1) | CSR offsets (u32) |
//! | 4·m | arc targets (u32) |
//! | 4·m | arc lengths in metres (f32 bits) |
//! | 32 | SHA-256 of every byte before it |
//!
//! A reader checks the magic, version, flags, exact length, checksum, and
//! that offsets rise from 0 to `m`, targets are `< n`, lengths are finite
//! and non-negative, and coordinates are in range: a corrupt file is an
//! error ([`NetworkError::Corrupt`]), never a panic or an out-of-bounds
//! read. Loading a saved network gives back a bit-identical one.
//!
//! # Snapping
//! Points are snapped to the nearest edge (not the nearest node) using a
//! packed uniform grid of the edges ([`super::edge_grid`]) in a local
//! equirectangular projection (metres), accurate to well under 0.1 %
//! across a district. Among edges equally near (a point exactly on a node
//! is as near every edge of that node) the one whose lower-numbered end
//! comes first, then its lowest arc, is taken, so the answer does not
//! depend on the index ([`WalkingNetwork::snap_linear`] scans every edge
//! for the same answer).

use super::chains::Contraction;
use super::edge_grid::{EdgeGrid, NearestEdge};
use super::{DEFAULT_MAX_SNAP_M, NetworkError};
use crate::geo::coord::{EARTH_RADIUS_M, GeoPoint, haversine_m, validate_lat_lng};
use sha2::{Digest, Sha256};

/// Magic bytes at the start of a network file.
pub const MAGIC: &[u8; 4] = b"LCWN";
/// The file format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: usize = 16;
const CHECKSUM_LEN: usize = 32;
const E7: f64 = 1e7;

/// The snapping index: the grid of edges, and per edge (in the grid's
/// numbering) its lower-numbered end node and the arc from it.
#[derive(Debug, Clone)]
struct SnapIndex {
    grid: EdgeGrid,
    ends: Vec<(u32, u32)>,
}

/// Local equirectangular projection to metres around a reference point.
#[derive(Debug, Clone, Copy)]
struct Projection {
    lat0: f64,
    lng0: f64,
    kx: f64,
    ky: f64,
}

impl Projection {
    fn new(lat0: f64, lng0: f64) -> Self {
        // Metres per degree of latitude: R·π/180.
        let ky = EARTH_RADIUS_M.to_radians();
        Projection {
            lat0,
            lng0,
            kx: ky * lat0.to_radians().cos(),
            ky,
        }
    }
    fn fwd(&self, lat: f64, lng: f64) -> [f64; 2] {
        [(lng - self.lng0) * self.kx, (lat - self.lat0) * self.ky]
    }
    fn inv(&self, p: [f64; 2]) -> (f64, f64) {
        (p[1] / self.ky + self.lat0, p[0] / self.kx + self.lng0)
    }
}

/// A point snapped onto the network: the nearest position on the nearest
/// edge `from`–`to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// One end of the edge.
    pub from: u32,
    /// The other end.
    pub to: u32,
    /// Index of the arc `from → to` (identifies the edge).
    pub arc: u32,
    /// Position along the edge: 0 at `from`, 1 at `to`.
    pub t: f64,
    /// Length of the edge in metres.
    pub edge_m: f64,
    /// Straight distance from the point to its snapped position (the
    /// access leg), in metres.
    pub offset_m: f64,
    /// The snapped position (WGS-84).
    pub lat: f64,
    pub lng: f64,
}

impl Snap {
    /// Metres along the edge from `from` to the snapped position.
    pub fn from_m(&self) -> f64 {
        self.t * self.edge_m
    }
    /// Metres along the edge from the snapped position to `to`.
    pub fn to_m(&self) -> f64 {
        (1.0 - self.t) * self.edge_m
    }
    /// The two seeds that start a search at this point.
    pub fn seeds(&self, label: u32) -> [super::Seed; 2] {
        [
            super::Seed {
                node: self.from,
                dist_m: self.offset_m + self.from_m(),
                label,
            },
            super::Seed {
                node: self.to,
                dist_m: self.offset_m + self.to_m(),
                label,
            },
        ]
    }
    /// The walking distance between two points snapped onto the same edge
    /// when walking straight along it (access legs included), or `None`
    /// when they are on different edges.
    pub fn along_same_edge_m(&self, other: &Snap) -> Option<f64> {
        (self.arc == other.arc)
            .then(|| (self.t - other.t).abs() * self.edge_m + self.offset_m + other.offset_m)
    }
}

/// The walking network: compact graph plus a snapping index.
#[derive(Debug, Clone)]
pub struct WalkingNetwork {
    lat_e7: Vec<i32>,
    lng_e7: Vec<i32>,
    offsets: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<f32>,
    proj: Projection,
    /// The snapping index, built on the first snap so that loading a
    /// network file stays fast (building it costs more than reading).
    edges: std::sync::OnceLock<SnapIndex>,
    /// The degree-2 chains contracted (see [`super::chains`]), derived on
    /// first use.
    contraction: std::sync::OnceLock<Option<Contraction>>,
    max_snap_m: f64,
    fingerprint: u64,
}

fn to_e7(deg: f64) -> i32 {
    // Callers validate the range first, so this never saturates.
    (deg * E7).round() as i32
}

impl WalkingNetwork {
    /// Builds a network from nodes (WGS-84 latitude, longitude) and
    /// undirected edges between node indices. Edge lengths are the
    /// haversine distances. Self-loops are dropped.
    pub fn from_edges(nodes: &[(f64, f64)], edges: &[(u32, u32)]) -> Result<Self, NetworkError> {
        let n = nodes.len();
        if n == 0 || edges.is_empty() {
            return Err(NetworkError::Empty);
        }
        if n >= u32::MAX as usize {
            return Err(NetworkError::InvalidGraph("too many nodes".into()));
        }
        let mut lat_e7 = Vec::with_capacity(n);
        let mut lng_e7 = Vec::with_capacity(n);
        for (i, &(lat, lng)) in nodes.iter().enumerate() {
            validate_lat_lng(lat, lng).map_err(|e| {
                NetworkError::InvalidGraph(format!("node {i} has a bad coordinate: {e}"))
            })?;
            lat_e7.push(to_e7(lat));
            lng_e7.push(to_e7(lng));
        }
        let mut degree = vec![0u32; n + 1];
        let mut kept = Vec::with_capacity(edges.len());
        for &(a, b) in edges {
            if a as usize >= n || b as usize >= n {
                return Err(NetworkError::InvalidGraph(format!(
                    "edge {a}-{b} refers to a node beyond {n}"
                )));
            }
            if a == b {
                continue;
            }
            degree[a as usize] += 1;
            degree[b as usize] += 1;
            kept.push((a, b));
        }
        if kept.is_empty() {
            return Err(NetworkError::Empty);
        }
        let m = kept.len() * 2;
        if m >= u32::MAX as usize {
            return Err(NetworkError::InvalidGraph("too many edges".into()));
        }
        let mut offsets = vec![0u32; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        let mut targets = vec![0u32; m];
        let mut weights = vec![0f32; m];
        let coord = |i: u32| {
            (
                f64::from(lat_e7[i as usize]) / E7,
                f64::from(lng_e7[i as usize]) / E7,
            )
        };
        for &(a, b) in &kept {
            let ((la, ga), (lb, gb)) = (coord(a), coord(b));
            let w = haversine_m(la, ga, lb, gb) as f32;
            for (u, v) in [(a, b), (b, a)] {
                let slot = fill[u as usize] as usize;
                targets[slot] = v;
                weights[slot] = w;
                fill[u as usize] += 1;
            }
        }
        Self::from_parts(lat_e7, lng_e7, offsets, targets, weights)
    }

    /// Assembles a network from validated arrays and builds the snapping
    /// index.
    fn from_parts(
        lat_e7: Vec<i32>,
        lng_e7: Vec<i32>,
        offsets: Vec<u32>,
        targets: Vec<u32>,
        weights: Vec<f32>,
    ) -> Result<Self, NetworkError> {
        let n = lat_e7.len();
        if n == 0 || targets.is_empty() {
            return Err(NetworkError::Empty);
        }
        let (mut min_lat, mut max_lat, mut min_lng, mut max_lng) =
            (i32::MAX, i32::MIN, i32::MAX, i32::MIN);
        for i in 0..n {
            min_lat = min_lat.min(lat_e7[i]);
            max_lat = max_lat.max(lat_e7[i]);
            min_lng = min_lng.min(lng_e7[i]);
            max_lng = max_lng.max(lng_e7[i]);
        }
        let lat0 = (f64::from(min_lat) + f64::from(max_lat)) / 2.0 / E7;
        let lng0 = (f64::from(min_lng) + f64::from(max_lng)) / 2.0 / E7;
        let proj = Projection::new(lat0, lng0);
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (n, targets.len()).hash(&mut h);
            lat_e7.hash(&mut h);
            lng_e7.hash(&mut h);
            targets.hash(&mut h);
            h.finish()
        };
        Ok(WalkingNetwork {
            fingerprint,
            lat_e7,
            lng_e7,
            offsets,
            targets,
            weights,
            proj,
            edges: std::sync::OnceLock::new(),
            contraction: std::sync::OnceLock::new(),
            max_snap_m: DEFAULT_MAX_SNAP_M,
        })
    }

    fn edge_index(&self) -> &SnapIndex {
        self.edges.get_or_init(|| {
            let n = self.node_count();
            let at = |i: usize| {
                self.proj.fwd(
                    f64::from(self.lat_e7[i]) / E7,
                    f64::from(self.lng_e7[i]) / E7,
                )
            };
            // Edges in the order of their lower-numbered end, then arc:
            // ties between equally near edges go to the first.
            let mut segments = Vec::with_capacity(self.targets.len() / 2);
            let mut ends = Vec::with_capacity(self.targets.len() / 2);
            for u in 0..n {
                for arc in self.offsets[u] as usize..self.offsets[u + 1] as usize {
                    let v = self.targets[arc] as usize;
                    if u < v {
                        let (a, b) = (at(u), at(v));
                        segments.push([a[0], a[1], b[0], b[1]]);
                        ends.push((u as u32, arc as u32));
                    }
                }
            }
            SnapIndex {
                grid: EdgeGrid::build(segments),
                ends,
            }
        })
    }

    /// Builds the snapping index (and the contracted graph the coverage
    /// searches use) now rather than on first use (e.g. on a background
    /// thread after loading).
    pub fn prepare_snapping(&self) {
        self.edge_index();
        self.contraction();
    }

    /// [`Self::prepare_snapping`], and ranks the contracted graph into the
    /// hierarchy that coverage reports sweep ([`Contraction::hierarchy`]):
    /// for a process that will compute coverage (the server), where a
    /// process that only snaps and searches near points (the phone) need
    /// not pay for the ranking. Without it the first coverage report ranks
    /// the graph.
    pub fn prepare_coverage(&self) {
        self.prepare_snapping();
        if let Some(c) = self.contraction() {
            c.hierarchy();
        }
    }

    /// The network with its degree-2 chains contracted, derived on first
    /// use; `None` for a graph that cannot be contracted (asymmetric arcs
    /// or self-loops, which no importer produces): search the full graph
    /// then.
    pub fn contraction(&self) -> Option<&Contraction> {
        self.contraction
            .get_or_init(|| Contraction::build(self))
            .as_ref()
    }

    /// Identifies this graph within the process (same nodes and arcs, same
    /// value): lets caches of snapped points tell networks apart.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.lat_e7.len()
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// Total length of all edges (each counted once), in kilometres.
    pub fn total_km(&self) -> f64 {
        self.weights.iter().map(|&w| f64::from(w)).sum::<f64>() / 2.0 / 1000.0
    }

    /// The WGS-84 latitude and longitude of `node`.
    pub fn node_lat_lng(&self, node: u32) -> Option<(f64, f64)> {
        let i = node as usize;
        Some((
            f64::from(*self.lat_e7.get(i)?) / E7,
            f64::from(*self.lng_e7.get(i)?) / E7,
        ))
    }

    /// The CSR arrays: offsets (n + 1), arc targets, arc lengths (metres).
    pub fn csr(&self) -> (&[u32], &[u32], &[f32]) {
        (&self.offsets, &self.targets, &self.weights)
    }

    /// Every undirected edge once, as (node, node, metres).
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        (0..self.node_count()).flat_map(move |u| {
            (self.offsets[u] as usize..self.offsets[u + 1] as usize).filter_map(move |arc| {
                let v = self.targets[arc];
                ((u as u32) < v).then(|| (u as u32, v, f64::from(self.weights[arc])))
            })
        })
    }

    /// How far a point may be from the nearest edge to be snapped.
    pub fn max_snap_m(&self) -> f64 {
        self.max_snap_m
    }

    /// Changes the snapping limit (metres; default
    /// [`DEFAULT_MAX_SNAP_M`]).
    pub fn set_max_snap_m(&mut self, metres: f64) {
        if metres.is_finite() && metres > 0.0 {
            self.max_snap_m = metres;
        }
    }

    /// Snaps `point` (any datum; converted to WGS-84) to the nearest edge.
    pub fn snap(&self, point: GeoPoint) -> Result<Snap, NetworkError> {
        self.snap_with(point, EdgeGrid::nearest)
    }

    /// [`Self::snap`] by scanning every edge instead of the grid: the
    /// same answer in time proportional to the network (the reference the
    /// index is tested against, and a baseline for benchmarks).
    pub fn snap_linear(&self, point: GeoPoint) -> Result<Snap, NetworkError> {
        self.snap_with(point, EdgeGrid::nearest_linear)
    }

    fn snap_with(
        &self,
        point: GeoPoint,
        nearest: impl Fn(&EdgeGrid, [f64; 2]) -> Option<NearestEdge>,
    ) -> Result<Snap, NetworkError> {
        let bad = NetworkError::InvalidPoint {
            lat: point.lat,
            lng: point.lng,
        };
        if validate_lat_lng(point.lat, point.lng).is_err() {
            return Err(bad);
        }
        let p = point.to_wgs84();
        let q = self.proj.fwd(p.lat, p.lng);
        let index = self.edge_index();
        let Some(NearestEdge { edge, t, .. }) = nearest(&index.grid, q) else {
            return Err(NetworkError::Empty);
        };
        let (from, arc) = index.ends[edge as usize];
        let s = index.grid.segment(edge);
        let (dx, dy) = (s[2] - s[0], s[3] - s[1]);
        let (lat, lng) = self.proj.inv([s[0] + t * dx, s[1] + t * dy]);
        let offset_m = haversine_m(p.lat, p.lng, lat, lng);
        if offset_m > self.max_snap_m {
            return Err(NetworkError::PointOffNetwork {
                lat: p.lat,
                lng: p.lng,
                distance_m: offset_m,
                max_m: self.max_snap_m,
            });
        }
        let to = self.targets[arc as usize];
        Ok(Snap {
            from,
            to,
            arc,
            t,
            edge_m: f64::from(self.weights[arc as usize]),
            offset_m,
            lat,
            lng,
        })
    }

    /// Keeps only the largest connected part (by node count), renumbering
    /// nodes. Isolated bits (a footway inside a campus whose gates are not
    /// mapped) would otherwise catch snapped points and reach nothing.
    pub fn largest_component(&self) -> Result<WalkingNetwork, NetworkError> {
        let n = self.node_count();
        let mut comp = vec![u32::MAX; n];
        let mut sizes = Vec::new();
        let mut stack = Vec::new();
        for s in 0..n {
            if comp[s] != u32::MAX {
                continue;
            }
            let c = sizes.len() as u32;
            let mut size = 0usize;
            comp[s] = c;
            stack.push(s);
            while let Some(u) = stack.pop() {
                size += 1;
                for arc in self.offsets[u] as usize..self.offsets[u + 1] as usize {
                    let v = self.targets[arc] as usize;
                    if comp[v] == u32::MAX {
                        comp[v] = c;
                        stack.push(v);
                    }
                }
            }
            sizes.push(size);
        }
        let Some((best, _)) = sizes.iter().enumerate().max_by_key(|(_, s)| **s) else {
            return Err(NetworkError::Empty);
        };
        let best = best as u32;
        let mut new_id = vec![u32::MAX; n];
        let mut nodes = Vec::new();
        for u in 0..n {
            if comp[u] == best {
                new_id[u] = nodes.len() as u32;
                nodes.push(u);
            }
        }
        let mut lat_e7 = Vec::with_capacity(nodes.len());
        let mut lng_e7 = Vec::with_capacity(nodes.len());
        let mut offsets = Vec::with_capacity(nodes.len() + 1);
        let mut targets = Vec::new();
        let mut weights = Vec::new();
        offsets.push(0u32);
        for &u in &nodes {
            lat_e7.push(self.lat_e7[u]);
            lng_e7.push(self.lng_e7[u]);
            for arc in self.offsets[u] as usize..self.offsets[u + 1] as usize {
                targets.push(new_id[self.targets[arc] as usize]);
                weights.push(self.weights[arc]);
            }
            offsets.push(targets.len() as u32);
        }
        let mut net = Self::from_parts(lat_e7, lng_e7, offsets, targets, weights)?;
        net.max_snap_m = self.max_snap_m;
        Ok(net)
    }

    /// Serializes the network in the documented `.lcwn` format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.node_count();
        let m = self.targets.len();
        let mut out = Vec::with_capacity(HEADER_LEN + 8 * n + 4 * (n + 1) + 8 * m + CHECKSUM_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(&(m as u32).to_le_bytes());
        for i in 0..n {
            out.extend_from_slice(&self.lat_e7[i].to_le_bytes());
            out.extend_from_slice(&self.lng_e7[i].to_le_bytes());
        }
        for o in &self.offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        for t in &self.targets {
            out.extend_from_slice(&t.to_le_bytes());
        }
        for w in &self.weights {
            out.extend_from_slice(&w.to_bits().to_le_bytes());
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Reads a network written by [`Self::to_bytes`], checking everything.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NetworkError> {
        let corrupt = |why: &str| NetworkError::Corrupt(why.to_string());
        if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
            return Err(corrupt("file too short for a header"));
        }
        if &bytes[0..4] != MAGIC {
            return Err(corrupt("wrong magic: not a LawCircle walking network"));
        }
        let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]);
        let u32_at =
            |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        let version = u16_at(4);
        if version != FORMAT_VERSION {
            return Err(NetworkError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if u16_at(6) != 0 {
            return Err(corrupt("unknown flags"));
        }
        let n = u32_at(8) as usize;
        let m = u32_at(12) as usize;
        let expected = (|| {
            HEADER_LEN
                .checked_add(n.checked_mul(8)?)?
                .checked_add(n.checked_add(1)?.checked_mul(4)?)?
                .checked_add(m.checked_mul(8)?)?
                .checked_add(CHECKSUM_LEN)
        })()
        .ok_or_else(|| corrupt("counts overflow"))?;
        if bytes.len() != expected {
            return Err(NetworkError::Corrupt(format!(
                "length {} does not match {n} nodes and {m} arcs (expected {expected})",
                bytes.len()
            )));
        }
        let body = &bytes[..expected - CHECKSUM_LEN];
        if Sha256::digest(body).as_slice() != &bytes[expected - CHECKSUM_LEN..] {
            return Err(corrupt("checksum mismatch (truncated or altered file)"));
        }
        if n == 0 || m == 0 {
            return Err(NetworkError::Empty);
        }
        let mut pos = HEADER_LEN;
        let mut lat_e7 = Vec::with_capacity(n);
        let mut lng_e7 = Vec::with_capacity(n);
        for c in bytes[pos..pos + 8 * n].chunks_exact(8) {
            let lat = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let lng = i32::from_le_bytes([c[4], c[5], c[6], c[7]]);
            if validate_lat_lng(f64::from(lat) / E7, f64::from(lng) / E7).is_err() {
                return Err(corrupt("node coordinate out of range"));
            }
            lat_e7.push(lat);
            lng_e7.push(lng);
        }
        pos += 8 * n;
        let read_u32s = |from: usize, count: usize| -> Vec<u32> {
            bytes[from..from + 4 * count]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let offsets = read_u32s(pos, n + 1);
        pos += 4 * (n + 1);
        let targets = read_u32s(pos, m);
        pos += 4 * m;
        let weights: Vec<f32> = read_u32s(pos, m).into_iter().map(f32::from_bits).collect();
        if offsets[0] != 0 || offsets[n] as usize != m || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(corrupt(
                "CSR offsets are not a rising sequence from 0 to the arc count",
            ));
        }
        if targets.iter().any(|&t| t as usize >= n) {
            return Err(corrupt("arc target beyond the node count"));
        }
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(corrupt("arc length not a finite non-negative number"));
        }
        Self::from_parts(lat_e7, lng_e7, offsets, targets, weights)
    }

    /// Writes the network file.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), NetworkError> {
        std::fs::write(path, self.to_bytes())?;
        Ok(())
    }

    /// Reads a network file.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, NetworkError> {
        Self::from_bytes(&std::fs::read(path)?)
    }

    /// Same graph (coordinates, adjacency, lengths) as `other`.
    pub fn same_graph(&self, other: &WalkingNetwork) -> bool {
        self.lat_e7 == other.lat_e7
            && self.lng_e7 == other.lng_e7
            && self.offsets == other.offsets
            && self.targets == other.targets
            && self
                .weights
                .iter()
                .map(|w| w.to_bits())
                .eq(other.weights.iter().map(|w| w.to_bits()))
    }
}

#[cfg(test)]
mod tests;
