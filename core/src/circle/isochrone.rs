//! The 15-minute isochrone (15分钟等时圈) of a facility, as a GeoJSON polygon
//! for the map.
//!
//! Method: a Dijkstra search from the facility's snapped position settles
//! every node within the budget (1.2 km by default); the *reachable edge
//! points* are those nodes plus, on every edge leaving a reached node that
//! cannot be walked to its end, the point where the budget runs out. The
//! polygon is the concave hull of these points (`geo`'s port of mapbox's
//! *concaveman*, concavity 2 by default), computed in a local metric
//! projection and returned in WGS-84.
//!
//! Why a concave hull and not buffered edges: it is one cheap call on the
//! phone, its outline stays simple enough to draw and send, and unlike a
//! convex hull it does not swallow a river bend or a fenced compound the
//! network walks around. Its limits: it can still bridge small unreachable
//! pockets between reachable streets, and it is not a guarantee that every
//! place inside is reachable, only a picture of the walking catchment.
//! Buffering every reachable segment by the access distance and uniting
//! them would be more faithful but costs orders of magnitude more.

use crate::catalogue::facility::Facility;
use crate::geo::coord::{EARTH_RADIUS_M, GeoPoint};
use crate::geo::network::{DijkstraWorkspace, NetworkError, WalkingNetwork};
use geo::{ConcaveHull, Coord, MultiPoint, Point};
use serde_json::{Map, Value, json};

/// What can go wrong drawing an isochrone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IsochroneError {
    #[error(transparent)]
    Network(#[from] NetworkError),
    #[error("budget {0} must be a finite, positive number of metres")]
    BadBudget(f64),
    #[error(
        "only {0} reachable points: too few for a polygon (the facility is on an isolated scrap of path)"
    )]
    Degenerate(usize),
}

/// Options of the isochrone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsochroneOptions {
    /// Walking budget in metres (default 1200 m = 15 minutes at 4.8 km/h).
    pub max_distance_m: f64,
    /// Concavity of the hull: lower is tighter; infinity gives the convex
    /// hull (default 2.0).
    pub concavity: f64,
}

impl Default for IsochroneOptions {
    fn default() -> Self {
        IsochroneOptions {
            max_distance_m: crate::FIFTEEN_MINUTE_WALK_M,
            concavity: 2.0,
        }
    }
}

/// An isochrone polygon.
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    /// Outer ring in WGS-84, `[lng, lat]`, closed.
    pub ring: Vec<[f64; 2]>,
    /// How many reachable edge points the hull was drawn around.
    pub reachable_points: usize,
    pub options: IsochroneOptions,
}

impl Isochrone {
    /// The polygon as a GeoJSON Feature with `properties`, plus
    /// `max_distance_m`, `minutes`, `method` and `reachable_points`.
    pub fn to_geojson(&self, mut properties: Map<String, Value>) -> Value {
        properties.insert("max_distance_m".into(), json!(self.options.max_distance_m));
        properties.insert(
            "minutes".into(),
            json!(self.options.max_distance_m / crate::WALKING_SPEED_M_PER_MIN),
        );
        properties.insert(
            "method".into(),
            json!("concave_hull_of_reachable_edge_points"),
        );
        properties.insert("concavity".into(), json!(self.options.concavity));
        properties.insert("reachable_points".into(), json!(self.reachable_points));
        json!({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [self.ring]},
            "properties": properties,
        })
    }
}

/// The isochrone around `origin`.
pub fn isochrone(
    network: &WalkingNetwork,
    origin: GeoPoint,
    options: IsochroneOptions,
) -> Result<Isochrone, IsochroneError> {
    let budget = options.max_distance_m;
    if !budget.is_finite() || budget <= 0.0 {
        return Err(IsochroneError::BadBudget(budget));
    }
    let snap = network.snap(origin)?;
    let mut ws = DijkstraWorkspace::new(network);
    ws.run(network, &snap.seeds(0), budget);
    let o = origin.to_wgs84();
    let ky = EARTH_RADIUS_M.to_radians();
    let kx = ky * o.lat.to_radians().cos();
    let fwd = |lat: f64, lng: f64| Coord {
        x: (lng - o.lng) * kx,
        y: (lat - o.lat) * ky,
    };
    let (offsets, targets, weights) = network.csr();
    let mut pts: Vec<Point<f64>> = Vec::new();
    if snap.offset_m <= budget {
        pts.push(fwd(snap.lat, snap.lng).into());
    }
    for (u, d) in ws.settled() {
        if d > budget {
            continue; // written while walking a chain past the budget
        }
        let Some((lat, lng)) = network.node_lat_lng(u) else {
            continue;
        };
        let pu = fwd(lat, lng);
        pts.push(pu.into());
        for arc in offsets[u as usize] as usize..offsets[u as usize + 1] as usize {
            let w = f64::from(weights[arc]);
            if d + w > budget
                && w > 0.0
                && let Some((vl, vg)) = network.node_lat_lng(targets[arc])
            {
                let pv = fwd(vl, vg);
                let f = (budget - d) / w;
                pts.push(Point::new(
                    pu.x + f * (pv.x - pu.x),
                    pu.y + f * (pv.y - pu.y),
                ));
            }
        }
    }
    let n = pts.len();
    if n < 3 {
        return Err(IsochroneError::Degenerate(n));
    }
    let hull = MultiPoint::new(pts).concave_hull_with_options(
        geo::algorithm::concave_hull::ConcaveHullOptions::default().concavity(options.concavity),
    );
    let ring: Vec<[f64; 2]> = hull
        .exterior()
        .0
        .iter()
        .map(|c| [c.x / kx + o.lng, c.y / ky + o.lat])
        .collect();
    if ring.len() < 4 {
        return Err(IsochroneError::Degenerate(n));
    }
    Ok(Isochrone {
        ring,
        reachable_points: n,
        options,
    })
}

/// The isochrone of a facility as a GeoJSON Feature (properties:
/// `facility_id`, `name`, and those of [`Isochrone::to_geojson`]).
pub fn facility_isochrone(
    network: &WalkingNetwork,
    facility: &Facility,
    options: IsochroneOptions,
) -> Result<Value, IsochroneError> {
    let iso = isochrone(network, facility.point, options)?;
    let mut props = Map::new();
    props.insert("facility_id".into(), json!(facility.id));
    props.insert("name".into(), json!(facility.name));
    Ok(iso.to_geojson(props))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::facility::{FacilityKind, ServiceProduct};
    use crate::test_support::{at_m, facility, grid};
    use geo::{Contains, LineString, Polygon};

    #[test]
    fn isochrone_on_a_grid_is_the_walkable_diamond() {
        let net = grid(21, 21, 100.0, &[]);
        let f = facility(
            "c",
            FacilityKind::ServiceCenter,
            at_m(1000.0, 1000.0),
            &ServiceProduct::ALL,
        );
        let feature = facility_isochrone(&net, &f, IsochroneOptions::default()).unwrap();
        assert_eq!(feature["type"], "Feature");
        assert_eq!(feature["geometry"]["type"], "Polygon");
        assert_eq!(feature["properties"]["facility_id"], "c");
        assert_eq!(feature["properties"]["minutes"], 15.0);
        let ring: Vec<[f64; 2]> =
            serde_json::from_value(feature["geometry"]["coordinates"][0].clone()).unwrap();
        assert_eq!(ring.first(), ring.last());
        let poly = Polygon::new(
            LineString::from(ring.iter().map(|c| (c[0], c[1])).collect::<Vec<_>>()),
            vec![],
        );
        let inside = |n: f64, e: f64| {
            let p = at_m(n, e);
            poly.contains(&geo::Point::new(p.lng, p.lat))
        };
        assert!(inside(1000.0, 1000.0));
        assert!(inside(1500.0, 1000.0));
        assert!(inside(1000.0, 1950.0));
        assert!(inside(1400.0, 1500.0));
        // 800 m north and east: 1.6 km to walk, beyond the diamond.
        assert!(!inside(1800.0, 1800.0));
        assert!(!inside(1000.0, 2000.0 + 50.0));
    }

    #[test]
    fn isochrone_errors() {
        let net = grid(3, 3, 100.0, &[]);
        let opts = IsochroneOptions {
            max_distance_m: -5.0,
            ..Default::default()
        };
        assert!(matches!(
            isochrone(&net, at_m(0.0, 0.0), opts),
            Err(IsochroneError::BadBudget(_))
        ));
        let far = at_m(10_000.0, 0.0);
        assert!(matches!(
            isochrone(&net, far, IsochroneOptions::default()),
            Err(IsochroneError::Network(
                NetworkError::PointOffNetwork { .. }
            ))
        ));
    }
}
