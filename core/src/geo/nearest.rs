//! The nearest service point (最近服务点), offline: a spatial index over the
//! facilities with k-nearest and within-radius queries and filters.
//!
//! * Straight-line order comes from an R-tree (`rstar`) of the facilities
//!   as points on the unit sphere (3-D): the chord length grows with the
//!   great-circle distance, so the R-tree's nearest-neighbour order is
//!   exactly the haversine order anywhere on Earth. One tree holds all
//!   facilities and one tree per service product holds those offering it,
//!   so a product filter does not wade through facilities without it.
//! * With a [`WalkingNetwork`], candidates are taken in straight-line order
//!   and measured by one resumable Dijkstra search from the query point;
//!   since walking is never shorter than the straight line, the search
//!   stops as soon as the next candidate's straight-line distance exceeds
//!   the k-th best walking distance. Results are then ordered by walking
//!   distance, exactly (up to millimetres: edge lengths are `f32` and the
//!   snapped position is found in a local projection). Facilities the
//!   network cannot reach (another connected part, or too far from any
//!   walkable way) come after the reachable ones with `walking_m: None`.
//! * Without a network, the walking distance is estimated as straight line
//!   × a detour factor ([`crate::geo::network::DEFAULT_DETOUR_FACTOR`]) and
//!   every result says so in [`NearbyFacility::distance_basis`].
//!
//! Filters: facility kinds (any of), service products (all of), open at a
//! local China time (opening hours, overnight spans and dated exceptions
//! such as holidays), and retired facilities are always left out.

use crate::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use crate::geo::coord::{GeoPoint, haversine_m, validate_lat_lng};
use crate::geo::network::{
    DEFAULT_DETOUR_FACTOR, DijkstraWorkspace, DistanceBasis, NetworkError, Snap, WalkingNetwork,
    walking_minutes,
};
use chrono::NaiveDateTime;
use rstar::primitives::GeomWithData;
use rstar::{ParentNode, PointDistance, RTree, RTreeNode};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What can go wrong with a nearest-facility query.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NearestError {
    #[error("query point {lat},{lng} is not a valid coordinate (NaN, infinite or out of range)")]
    InvalidPoint { lat: f64, lng: f64 },
    #[error("facility {id:?} has an invalid coordinate {lat},{lng}")]
    InvalidFacilityPoint { id: String, lat: f64, lng: f64 },
    #[error("a query needs a result count k, a maximum distance, or both")]
    Unbounded,
    #[error("maximum distance {0} must be a finite number of metres ≥ 0")]
    BadMaxDistance(f64),
    #[error("detour factor {0} must be a finite number ≥ 1")]
    BadDetourFactor(f64),
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// A nearest-facility query. Build it with [`NearestQuery::k_nearest`] or
/// [`NearestQuery::within`] and the `with_*` methods, or as a literal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearestQuery {
    /// Where the resident stands (any datum).
    pub point: GeoPoint,
    /// How many facilities at most; `None`: all within `max_distance_m`.
    pub k: Option<usize>,
    /// Only these kinds (any of them); empty: every kind.
    #[serde(default)]
    pub kinds: Vec<FacilityKind>,
    /// Only facilities offering all of these products; empty: any.
    #[serde(default)]
    pub products: Vec<ServiceProduct>,
    /// Only facilities open at this local (China Standard Time) moment.
    #[serde(default)]
    pub open_at: Option<NaiveDateTime>,
    /// Only facilities within this walking distance (or its estimate
    /// without a network), in metres.
    #[serde(default)]
    pub max_distance_m: Option<f64>,
    /// Detour factor of the straight-line fallback.
    #[serde(default = "default_detour")]
    pub detour_factor: f64,
}

fn default_detour() -> f64 {
    DEFAULT_DETOUR_FACTOR
}

impl NearestQuery {
    /// The `k` nearest facilities to `point`.
    pub fn k_nearest(point: GeoPoint, k: usize) -> Self {
        NearestQuery {
            point,
            k: Some(k),
            kinds: vec![],
            products: vec![],
            open_at: None,
            max_distance_m: None,
            detour_factor: DEFAULT_DETOUR_FACTOR,
        }
    }

    /// All facilities within `radius_m` (walking, or its estimate).
    pub fn within(point: GeoPoint, radius_m: f64) -> Self {
        NearestQuery {
            k: None,
            max_distance_m: Some(radius_m),
            ..Self::k_nearest(point, 0)
        }
    }

    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = FacilityKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    pub fn with_products(mut self, products: impl IntoIterator<Item = ServiceProduct>) -> Self {
        self.products = products.into_iter().collect();
        self
    }

    pub fn open_at(mut self, at: NaiveDateTime) -> Self {
        self.open_at = Some(at);
        self
    }

    pub fn max_distance(mut self, metres: f64) -> Self {
        self.max_distance_m = Some(metres);
        self
    }
}

/// One facility found by a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyFacility {
    pub facility_id: String,
    /// Great-circle distance in metres.
    pub straight_m: f64,
    /// Walking distance in metres: on the network when
    /// `distance_basis` is `Walking`, else straight line × detour factor.
    /// `None` when a network is loaded but the facility cannot be reached
    /// on it (a disconnected part, or too far from any walkable way).
    pub walking_m: Option<f64>,
    /// `walking_m` at 4.8 km/h (80 m per minute).
    pub walking_minutes: Option<f64>,
    /// How `walking_m` was obtained.
    pub distance_basis: DistanceBasis,
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    kind: FacilityKind,
    products: u8,
    facility: Facility,
    lat: f64,
    lng: f64,
}

/// What the index needs of a facility while searching, kept in the tree's
/// leaves so that a query touches no other memory until its k results are
/// known (at 100,000 facilities the full records are tens of megabytes, and
/// reaching into them for every candidate cost more than the tree walk).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hot {
    index: u32,
    kind: FacilityKind,
    products: u8,
    lat: f64,
    lng: f64,
}

type Pt = GeomWithData<[f64; 3], Hot>;

/// Squared chord length on the unit sphere of a great-circle distance of
/// `m` metres (the tree's distance measure), rounded up so that pruning by
/// it never drops a point whose haversine distance is within `m`.
fn chord2_at_most(m: f64) -> f64 {
    if !m.is_finite() {
        return f64::INFINITY;
    }
    let half_angle = (m / crate::geo::coord::EARTH_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2);
    let c = 2.0 * half_angle.sin();
    c * c * (1.0 + 1e-9) + 1e-18
}

fn unit_vector(lat: f64, lng: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lng.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

fn product_bit(p: ServiceProduct) -> u8 {
    1u8 << (p as u8)
}

/// The spatial index over facilities (设施空间索引).
#[derive(Debug, Clone)]
pub struct FacilityIndex {
    entries: Vec<Entry>,
    all: RTree<Pt>,
    by_product: Vec<RTree<Pt>>,
    /// Position in `entries` by facility id (the first, if an id repeats).
    by_id: HashMap<String, u32>,
    /// Snapped positions on the network the index was last prepared for
    /// (by its fingerprint).
    snaps: Option<(u64, Vec<Option<Snap>>)>,
}

impl FacilityIndex {
    /// Indexes `facilities` (retired ones are kept but never returned; they
    /// are left out of the trees).
    /// Points are converted to WGS-84.
    pub fn new(facilities: &[Facility]) -> Result<Self, NearestError> {
        let mut entries = Vec::with_capacity(facilities.len());
        let mut all = Vec::with_capacity(facilities.len());
        let mut per: Vec<Vec<Pt>> = vec![Vec::new(); ServiceProduct::ALL.len()];
        for f in facilities {
            if validate_lat_lng(f.point.lat, f.point.lng).is_err() {
                return Err(NearestError::InvalidFacilityPoint {
                    id: f.id.clone(),
                    lat: f.point.lat,
                    lng: f.point.lng,
                });
            }
            let p = f.point.to_wgs84();
            let i = entries.len() as u32;
            let bits = f
                .products
                .iter()
                .fold(0u8, |b, &prod| b | product_bit(prod));
            if !f.retired {
                let pt = GeomWithData::new(
                    unit_vector(p.lat, p.lng),
                    Hot {
                        index: i,
                        kind: f.kind,
                        products: bits,
                        lat: p.lat,
                        lng: p.lng,
                    },
                );
                for &prod in &f.products {
                    per[prod as usize].push(pt);
                }
                all.push(pt);
            }
            entries.push(Entry {
                id: f.id.clone(),
                kind: f.kind,
                products: bits,
                facility: f.clone(),
                lat: p.lat,
                lng: p.lng,
            });
        }
        let mut by_id = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            by_id.entry(e.id.clone()).or_insert(i as u32);
        }
        Ok(FacilityIndex {
            by_id,
            entries,
            all: RTree::bulk_load(all),
            by_product: per.into_iter().map(RTree::bulk_load).collect(),
            snaps: None,
        })
    }

    /// Number of indexed facilities (retired included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The indexed facility with this id.
    pub fn facility(&self, id: &str) -> Option<&Facility> {
        self.by_id
            .get(id)
            .map(|&i| &self.entries[i as usize].facility)
    }

    /// Snaps every facility onto `network` once, so that later queries
    /// with this network do not snap again (queries with another network
    /// ignore them). Optional: queries snap lazily
    /// otherwise. Facilities too far from the network stay unsnapped (they
    /// get `walking_m: None`).
    pub fn prepare_for(&mut self, network: &WalkingNetwork) {
        self.snaps = Some((
            network.fingerprint(),
            self.entries
                .iter()
                .map(|e| {
                    GeoPoint::wgs84(e.lat, e.lng)
                        .ok()
                        .and_then(|p| network.snap(p).ok())
                })
                .collect(),
        ));
    }

    fn matches(&self, e: &Entry, q: &NearestQuery, need: u8) -> bool {
        !e.facility.retired
            && e.products & need == need
            && (q.kinds.is_empty() || q.kinds.contains(&e.kind))
            && q.open_at
                .is_none_or(|at| e.facility.opening_hours.is_open_at(at))
    }

    fn check(q: &NearestQuery) -> Result<GeoPoint, NearestError> {
        if validate_lat_lng(q.point.lat, q.point.lng).is_err() {
            return Err(NearestError::InvalidPoint {
                lat: q.point.lat,
                lng: q.point.lng,
            });
        }
        if let Some(m) = q.max_distance_m
            && (!m.is_finite() || m < 0.0)
        {
            return Err(NearestError::BadMaxDistance(m));
        }
        if !q.detour_factor.is_finite() || q.detour_factor < 1.0 {
            return Err(NearestError::BadDetourFactor(q.detour_factor));
        }
        if q.k.is_none() && q.max_distance_m.is_none() {
            return Err(NearestError::Unbounded);
        }
        Ok(q.point.to_wgs84())
    }

    /// Matching facilities in straight-line order, lazily.
    fn candidates<'a>(
        &'a self,
        q: &'a NearestQuery,
        p: GeoPoint,
    ) -> impl Iterator<Item = (u32, f64)> + 'a {
        let need = q.products.iter().fold(0u8, |b, &p| b | product_bit(p));
        // Search the tree of the rarest requested product.
        let tree = q
            .products
            .iter()
            .map(|&p| &self.by_product[p as usize])
            .min_by_key(|t| t.size())
            .unwrap_or(&self.all);
        let target = unit_vector(p.lat, p.lng);
        tree.nearest_neighbor_iter(&target)
            .filter(move |pt| self.hot_matches(&pt.data, q, need))
            .map(move |pt| {
                let h = &pt.data;
                (h.index, haversine_m(p.lat, p.lng, h.lat, h.lng))
            })
    }

    /// The tree to search for `q`: the one of its rarest product.
    fn tree_for(&self, q: &NearestQuery) -> &RTree<Pt> {
        q.products
            .iter()
            .map(|&p| &self.by_product[p as usize])
            .min_by_key(|t| t.size())
            .unwrap_or(&self.all)
    }

    /// [`Self::matches`] for a facility in the trees (never retired),
    /// reading the full record only for the opening hours.
    fn hot_matches(&self, h: &Hot, q: &NearestQuery, need: u8) -> bool {
        h.products & need == need
            && (q.kinds.is_empty() || q.kinds.contains(&h.kind))
            && q.open_at.is_none_or(|at| {
                self.entries[h.index as usize]
                    .facility
                    .opening_hours
                    .is_open_at(at)
            })
    }

    /// The k matching facilities nearest to `p` in straight line, nearest
    /// first, none farther than `max_straight`: a depth-first
    /// branch-and-bound walk of the tree, children nearest first, pruned by
    /// the k-th best so far (or the distance limit). Nothing is allocated
    /// but the result list, of at most k.
    fn k_straight(
        &self,
        q: &NearestQuery,
        p: GeoPoint,
        k: usize,
        max_straight: f64,
    ) -> Vec<(u32, f64)> {
        let need = q.products.iter().fold(0u8, |b, &p| b | product_bit(p));
        let tree = self.tree_for(q);
        let target = unit_vector(p.lat, p.lng);
        let mut best = KBest {
            k,
            limit: chord2_at_most(max_straight),
            items: Vec::with_capacity(k.min(BOUNDED_K)),
        };
        self.walk(tree.root(), &target, q, need, &mut best);
        let mut out = Vec::with_capacity(best.items.len());
        for (_, h) in best.items {
            let s = haversine_m(p.lat, p.lng, h.lat, h.lng);
            if s > max_straight {
                break;
            }
            out.push((h.index, s));
        }
        out
    }

    fn walk(
        &self,
        node: &ParentNode<Pt>,
        target: &[f64; 3],
        q: &NearestQuery,
        need: u8,
        best: &mut KBest,
    ) {
        let children = node.children();
        // Children nearest first, on the stack (a node holds at most
        // `DefaultParams::MAX_SIZE` children; more would only lose the order).
        let mut order = [(0.0f64, 0u8); MAX_CHILDREN];
        let n = children.len().min(MAX_CHILDREN);
        for (slot, (i, child)) in order.iter_mut().zip(children.iter().enumerate()) {
            *slot = (
                match child {
                    RTreeNode::Parent(pn) => pn.envelope().distance_2(target),
                    RTreeNode::Leaf(pt) => pt.distance_2(target),
                },
                i as u8,
            );
        }
        order[..n].sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let rest = children.iter().skip(MAX_CHILDREN).map(|c| match c {
            RTreeNode::Parent(pn) => (pn.envelope().distance_2(target), c),
            RTreeNode::Leaf(pt) => (pt.distance_2(target), c),
        });
        for (d2, child) in order[..n]
            .iter()
            .map(|&(d2, i)| (d2, &children[i as usize]))
            .chain(rest)
        {
            if d2 > best.bound() {
                // Sorted: the rest of the ordered children are farther.
                if children.len() <= MAX_CHILDREN {
                    break;
                }
                continue;
            }
            match child {
                RTreeNode::Parent(pn) => self.walk(pn, target, q, need, best),
                RTreeNode::Leaf(pt) => {
                    if self.hot_matches(&pt.data, q, need) {
                        best.offer(d2, pt.data);
                    }
                }
            }
        }
    }

    /// The nearest facilities for `query`, measured on `network` when one is
    /// given (see the module documentation), ordered by walking distance
    /// (then straight-line distance, then id).
    pub fn nearest(
        &self,
        query: &NearestQuery,
        network: Option<&WalkingNetwork>,
    ) -> Result<Vec<NearbyFacility>, NearestError> {
        let p = Self::check(query)?;
        let k = query.k.unwrap_or(usize::MAX);
        if k == 0 {
            return Ok(vec![]);
        }
        match network {
            None => Ok(self.nearest_straight(query, p, k)),
            Some(net) => self.nearest_walking(query, p, k, net),
        }
    }

    fn fallback(straight_m: f64, factor: f64) -> (Option<f64>, Option<f64>) {
        let w = straight_m * factor;
        (Some(w), Some(walking_minutes(w)))
    }

    fn nearest_straight(&self, q: &NearestQuery, p: GeoPoint, k: usize) -> Vec<NearbyFacility> {
        let max_straight = q
            .max_distance_m
            .map_or(f64::INFINITY, |m| m / q.detour_factor);
        // Small k (the common case): branch and bound with a sorted list of
        // k. Large or no k (all within a radius): the lazy nearest-first
        // iterator, whose cost grows with the answer, not with k².
        let found: Vec<(u32, f64)> = if k <= BOUNDED_K {
            self.k_straight(q, p, k, max_straight)
        } else {
            self.candidates(q, p)
                .take_while(|&(_, s)| s <= max_straight)
                .take(k)
                .collect()
        };
        found
            .into_iter()
            .map(|(i, s)| {
                let (walking_m, walking_minutes) = Self::fallback(s, q.detour_factor);
                NearbyFacility {
                    facility_id: self.entries[i as usize].id.clone(),
                    straight_m: s,
                    walking_m,
                    walking_minutes,
                    distance_basis: DistanceBasis::StraightLineTimesDetour {
                        factor: q.detour_factor,
                    },
                }
            })
            .collect()
    }

    fn nearest_walking(
        &self,
        q: &NearestQuery,
        p: GeoPoint,
        k: usize,
        net: &WalkingNetwork,
    ) -> Result<Vec<NearbyFacility>, NearestError> {
        let origin = net.snap(p)?;
        let max = q.max_distance_m.unwrap_or(f64::INFINITY);
        let mut ws = DijkstraWorkspace::new(net);
        ws.start(&origin.seeds(0));
        // (walking, straight, index), kept sorted, at most k long.
        let mut best: Vec<(f64, f64, u32)> = Vec::new();
        let mut unreachable: Vec<(f64, u32)> = Vec::new();
        // Snaps prepared for another network are ignored.
        let prepared = self
            .snaps
            .as_ref()
            .filter(|(fp, _)| *fp == net.fingerprint())
            .map(|(_, s)| s);
        for (i, straight) in self.candidates(q, p) {
            let limit = if best.len() >= k { best[k - 1].0 } else { max };
            if straight > limit {
                break;
            }
            let e = &self.entries[i as usize];
            let snap = match prepared {
                Some(s) => s[i as usize],
                None => GeoPoint::wgs84(e.lat, e.lng)
                    .ok()
                    .and_then(|fp| net.snap(fp).ok()),
            };
            let Some(snap) = snap else {
                unreachable.push((straight, i));
                continue;
            };
            ws.settle_nodes(net, &[snap.from, snap.to], limit);
            let mut walk = ws.distance_to_snap(&snap, limit).map(|(d, _)| d);
            if let Some(direct) = origin.along_same_edge_m(&snap)
                && direct <= limit
                && walk.is_none_or(|w| direct < w)
            {
                walk = Some(direct);
            }
            match walk {
                Some(w) => {
                    let pos = best
                        .binary_search_by(|b| cmp_result(b, &(w, straight, i), &self.entries))
                        .unwrap_or_else(|x| x);
                    best.insert(pos, (w, straight, i));
                    best.truncate(k);
                }
                None if ws.frontier().is_infinite()
                    && ws.distance(snap.from).is_none()
                    && ws.distance(snap.to).is_none()
                    && origin.along_same_edge_m(&snap).is_none() =>
                {
                    unreachable.push((straight, i));
                }
                None => {} // farther than the limit
            }
        }
        let mut out: Vec<NearbyFacility> = best
            .into_iter()
            .map(|(w, s, i)| NearbyFacility {
                facility_id: self.entries[i as usize].id.clone(),
                straight_m: s,
                walking_m: Some(w),
                walking_minutes: Some(walking_minutes(w)),
                distance_basis: DistanceBasis::Walking,
            })
            .collect();
        // Facilities the network cannot reach come last, only when there is
        // room and no distance limit excludes them.
        if q.max_distance_m.is_none() {
            for (s, i) in unreachable {
                if out.len() >= k {
                    break;
                }
                out.push(NearbyFacility {
                    facility_id: self.entries[i as usize].id.clone(),
                    straight_m: s,
                    walking_m: None,
                    walking_minutes: None,
                    distance_basis: DistanceBasis::Walking,
                });
            }
        }
        Ok(out)
    }

    /// Reference implementation: a linear scan over every facility in
    /// straight-line terms (no network), with the same filters and result
    /// shape as [`Self::nearest`] without a network. Used by the tests and
    /// as the benchmark baseline.
    pub fn nearest_linear(
        &self,
        query: &NearestQuery,
    ) -> Result<Vec<NearbyFacility>, NearestError> {
        let p = Self::check(query)?;
        let need = query.products.iter().fold(0u8, |b, &p| b | product_bit(p));
        let max_straight = query
            .max_distance_m
            .map_or(f64::INFINITY, |m| m / query.detour_factor);
        let mut all: Vec<(f64, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| self.matches(e, query, need))
            .map(|(i, e)| (haversine_m(p.lat, p.lng, e.lat, e.lng), i as u32))
            .filter(|(s, _)| *s <= max_straight)
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        all.truncate(query.k.unwrap_or(usize::MAX));
        Ok(all
            .into_iter()
            .map(|(s, i)| {
                let (walking_m, walking_minutes) = Self::fallback(s, query.detour_factor);
                NearbyFacility {
                    facility_id: self.entries[i as usize].id.clone(),
                    straight_m: s,
                    walking_m,
                    walking_minutes,
                    distance_basis: DistanceBasis::StraightLineTimesDetour {
                        factor: query.detour_factor,
                    },
                }
            })
            .collect())
    }
}

/// Largest k answered by the branch-and-bound walk (its sorted list of k
/// costs O(k) per insertion).
const BOUNDED_K: usize = 64;

/// Most children a tree node is walked in order of distance (rstar's
/// default parameters hold at most 6).
const MAX_CHILDREN: usize = 16;

/// The best k so far by squared chord, nearest first; ties by index so the
/// answer does not depend on the tree's shape.
struct KBest {
    k: usize,
    /// Squared chord beyond which nothing is wanted (the distance limit).
    limit: f64,
    items: Vec<(f64, Hot)>,
}

impl KBest {
    /// Squared chord beyond which a point cannot enter.
    fn bound(&self) -> f64 {
        if self.items.len() >= self.k {
            self.items[self.k - 1].0.min(self.limit)
        } else {
            self.limit
        }
    }

    fn offer(&mut self, d2: f64, h: Hot) {
        let key = |x: &(f64, Hot)| (x.0, x.1.index);
        let pos = self
            .items
            .partition_point(|x| key(x).partial_cmp(&(d2, h.index)) == Some(Ordering::Less));
        if pos < self.k {
            self.items.insert(pos, (d2, h));
            self.items.truncate(self.k);
        }
    }
}

fn cmp_result(a: &(f64, f64, u32), b: &(f64, f64, u32), entries: &[Entry]) -> Ordering {
    a.0.total_cmp(&b.0)
        .then(a.1.total_cmp(&b.1))
        .then_with(|| entries[a.2 as usize].id.cmp(&entries[b.2 as usize].id))
}

#[cfg(test)]
mod tests;
