//! Builders shared by the unit tests: facilities, areas and synthetic grid
//! networks with known answers.

use crate::catalogue::area::{AdminArea, AreaLevel};
use crate::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::{EARTH_RADIUS_M, GeoPoint};
use crate::geo::network::WalkingNetwork;
use chrono::{TimeZone, Utc};

/// Longwan, roughly.
pub const LAT0: f64 = 27.92;
pub const LNG0: f64 = 120.80;

/// Degrees of latitude / longitude per metre at LAT0.
pub fn deg_per_m() -> (f64, f64) {
    let ky = EARTH_RADIUS_M.to_radians();
    (1.0 / ky, 1.0 / (ky * LAT0.to_radians().cos()))
}

/// The point `north_m`, `east_m` metres from (LAT0, LNG0).
pub fn at_m(north_m: f64, east_m: f64) -> GeoPoint {
    let (dlat, dlng) = deg_per_m();
    GeoPoint::wgs84(LAT0 + north_m * dlat, LNG0 + east_m * dlng).unwrap()
}

pub fn facility(
    id: &str,
    kind: FacilityKind,
    p: GeoPoint,
    products: &[ServiceProduct],
) -> Facility {
    Facility {
        id: id.into(),
        kind,
        name: format!("facility {id}"),
        address: String::new(),
        point: p,
        phone: None,
        products: products.iter().copied().collect(),
        opening_hours: OpeningHours::always(),
        photos: vec![],
        area_code: "v".into(),
        retired: false,
        updated_at: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        version: 1,
    }
}

pub fn area(
    code: &str,
    level: AreaLevel,
    parent: Option<&str>,
    p: GeoPoint,
    pop: Option<u64>,
) -> AdminArea {
    AdminArea {
        code: code.into(),
        name: format!("area {code}"),
        level,
        parent_code: parent.map(Into::into),
        centroid: p,
        boundary: None,
        population: pop,
    }
}

/// A `rows` × `cols` street grid with `spacing_m` between crossings; node
/// `r * cols + c` is `r` blocks north and `c` blocks east of the origin.
/// `skip` removes edges (as node pairs) to model rivers and walls.
pub fn grid(rows: u32, cols: u32, spacing_m: f64, skip: &[(u32, u32)]) -> WalkingNetwork {
    let mut nodes = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let p = at_m(r as f64 * spacing_m, c as f64 * spacing_m);
            nodes.push((p.lat, p.lng));
        }
    }
    let mut edges = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let n = r * cols + c;
            if c + 1 < cols {
                edges.push((n, n + 1));
            }
            if r + 1 < rows {
                edges.push((n, n + cols));
            }
        }
    }
    edges.retain(|&(a, b)| !skip.contains(&(a, b)) && !skip.contains(&(b, a)));
    WalkingNetwork::from_edges(&nodes, &edges).unwrap()
}

/// A small deterministic generator (no extra dependency for tests).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A network (about 2 km square) shaped like an OpenStreetMap walking network: junctions
/// joined by ways with 0–4 shape points each, dead ends, two parallel
/// ways between the same junctions, a way that loops back to its own
/// junction, and a separate ring of shape points only.
pub fn generated_network(seed: u64) -> WalkingNetwork {
    let mut rng = Lcg(seed);
    let mut nodes: Vec<(f64, f64)> = Vec::new();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let add = |nodes: &mut Vec<(f64, f64)>, n: f64, e: f64| {
        let p = at_m(n, e);
        nodes.push((p.lat, p.lng));
        nodes.len() as u32 - 1
    };
    let junctions: Vec<u32> = (0..40)
        .map(|_| add(&mut nodes, rng.unit() * 2000.0, rng.unit() * 2000.0))
        .collect();
    let way = |nodes: &mut Vec<(f64, f64)>,
               edges: &mut Vec<(u32, u32)>,
               a: u32,
               b: u32,
               k: u64,
               rng: &mut Lcg| {
        let (pa, pb) = (nodes[a as usize], nodes[b as usize]);
        let mut prev = a;
        for i in 1..=k {
            let t = i as f64 / (k + 1) as f64;
            let j = (rng.unit() - 0.5) * 2e-5;
            nodes.push((pa.0 + (pb.0 - pa.0) * t + j, pa.1 + (pb.1 - pa.1) * t - j));
            let v = nodes.len() as u32 - 1;
            edges.push((prev, v));
            prev = v;
        }
        edges.push((prev, b));
    };
    // A spanning path so most junctions are connected, then random ways.
    for w in junctions.windows(2) {
        let k = rng.below(5);
        way(&mut nodes, &mut edges, w[0], w[1], k, &mut rng);
    }
    for _ in 0..50 {
        let a = junctions[rng.below(40) as usize];
        let b = junctions[rng.below(40) as usize];
        if a != b {
            let k = rng.below(5);
            way(&mut nodes, &mut edges, a, b, k, &mut rng);
        }
    }
    // Parallel ways: twice the same direct edge, and a bent one beside it.
    edges.push((junctions[3], junctions[7]));
    edges.push((junctions[3], junctions[7]));
    way(
        &mut nodes,
        &mut edges,
        junctions[3],
        junctions[7],
        2,
        &mut rng,
    );
    // A loop back to its own junction.
    let j0 = junctions[0];
    let (la, lo) = nodes[j0 as usize];
    let mut prev = j0;
    for i in 0..4 {
        nodes.push((
            la + 0.0005 * f64::from(i % 2 + 1),
            lo + 0.0005 * f64::from(i / 2 + 1),
        ));
        let v = nodes.len() as u32 - 1;
        edges.push((prev, v));
        prev = v;
    }
    edges.push((prev, j0));
    // Dead ends with shape points.
    for i in 0..5 {
        let a = junctions[i * 7];
        let (la, lo) = nodes[a as usize];
        let mut prev = a;
        for s in 1..=3 {
            nodes.push((la - 0.0002 * f64::from(s), lo + 0.0001 * f64::from(s)));
            let v = nodes.len() as u32 - 1;
            edges.push((prev, v));
            prev = v;
        }
    }
    // A ring of shape points touching nothing else.
    let first = nodes.len() as u32;
    for i in 0..6 {
        let a = f64::from(i) * std::f64::consts::TAU / 6.0;
        let p = at_m(3000.0 + 100.0 * a.sin(), 3000.0 + 100.0 * a.cos());
        nodes.push((p.lat, p.lng));
    }
    for i in 0..6 {
        edges.push((first + i, first + (i + 1) % 6));
    }
    WalkingNetwork::from_edges(&nodes, &edges).unwrap()
}
