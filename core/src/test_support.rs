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
