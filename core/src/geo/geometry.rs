//! Polygons with their datum: area boundaries and duty-post fences.

use crate::geo::coord::{CoordError, Datum, GeoPoint, validate_lat_lng};
use geo::{Contains, LineString, MultiPolygon, Polygon, Validation};
use serde::{Deserialize, Serialize};

/// What can be wrong with a polygon.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("ring {ring} has {points} points: a closed ring needs at least 4")]
    TooFewPoints { ring: usize, points: usize },
    #[error("ring {ring} is not closed: its last point must repeat its first")]
    NotClosed { ring: usize },
    #[error("ring {ring}, point {point}: {source}")]
    BadCoordinate {
        ring: usize,
        point: usize,
        source: CoordError,
    },
    #[error("the polygon is invalid: {0}")]
    Invalid(String),
    #[error("a polygon needs an outer ring")]
    Empty,
}

/// A polygon given as rings of `[lng, lat]` pairs (GeoJSON order), the first
/// ring the outer boundary and the others holes, all in `datum`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub datum: Datum,
    /// One or more polygons, each a list of closed rings of `[lng, lat]`.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

impl Boundary {
    /// Checks every ring (closed, at least 4 points, valid coordinates) and
    /// the polygon as a whole (no self-intersection, holes inside).
    pub fn new(datum: Datum, polygons: Vec<Vec<Vec<[f64; 2]>>>) -> Result<Self, GeometryError> {
        if polygons.is_empty() || polygons.iter().any(|p| p.is_empty()) {
            return Err(GeometryError::Empty);
        }
        let b = Boundary { datum, polygons };
        for poly in &b.polygons {
            for (ri, ring) in poly.iter().enumerate() {
                if ring.len() < 4 {
                    return Err(GeometryError::TooFewPoints {
                        ring: ri,
                        points: ring.len(),
                    });
                }
                for (pi, [lng, lat]) in ring.iter().enumerate() {
                    validate_lat_lng(*lat, *lng).map_err(|source| {
                        GeometryError::BadCoordinate {
                            ring: ri,
                            point: pi,
                            source,
                        }
                    })?;
                }
                if ring.first() != ring.last() {
                    return Err(GeometryError::NotClosed { ring: ri });
                }
            }
        }
        let mp = b.to_geo_in(datum);
        if let Err(e) = mp.check_validation() {
            return Err(GeometryError::Invalid(e.to_string()));
        }
        Ok(b)
    }

    /// The polygon as a `geo` multipolygon with every vertex converted to
    /// `target`.
    pub fn to_geo_in(&self, target: Datum) -> MultiPolygon<f64> {
        let convert = |[lng, lat]: [f64; 2]| {
            let p = GeoPoint {
                lat,
                lng,
                datum: self.datum,
            }
            .to_datum(target);
            (p.lng, p.lat)
        };
        MultiPolygon::new(
            self.polygons
                .iter()
                .map(|rings| {
                    let mut rings = rings.iter().map(|r| {
                        LineString::from(r.iter().copied().map(convert).collect::<Vec<_>>())
                    });
                    let outer = rings.next().unwrap_or_else(|| LineString::new(vec![]));
                    Polygon::new(outer, rings.collect())
                })
                .collect(),
        )
    }

    /// Whether the point lies inside (holes excluded), compared in WGS-84.
    pub fn contains(&self, point: GeoPoint) -> bool {
        let p = point.to_wgs84();
        self.to_geo_in(Datum::Wgs84)
            .contains(&geo::Point::new(p.lng, p.lat))
    }

    /// The total number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lng: f64, lat: f64, d: f64) -> Vec<[f64; 2]> {
        vec![
            [lng, lat],
            [lng + d, lat],
            [lng + d, lat + d],
            [lng, lat + d],
            [lng, lat],
        ]
    }

    #[test]
    fn contains_respects_holes() {
        let b = Boundary::new(
            Datum::Wgs84,
            vec![vec![square(120.0, 27.0, 1.0), square(120.4, 27.4, 0.2)]],
        )
        .unwrap();
        assert!(b.contains(GeoPoint::wgs84(27.1, 120.1).unwrap()));
        assert!(!b.contains(GeoPoint::wgs84(27.5, 120.5).unwrap()));
        assert!(!b.contains(GeoPoint::wgs84(26.5, 120.5).unwrap()));
    }

    #[test]
    fn rejects_open_and_self_intersecting_rings() {
        let mut open = square(120.0, 27.0, 1.0);
        open.pop();
        open.push([120.5, 27.5]);
        assert_eq!(
            Boundary::new(Datum::Wgs84, vec![vec![open]]),
            Err(GeometryError::NotClosed { ring: 0 })
        );
        let bow = vec![
            [120.0, 27.0],
            [121.0, 28.0],
            [121.0, 27.0],
            [120.0, 28.0],
            [120.0, 27.0],
        ];
        assert!(matches!(
            Boundary::new(Datum::Wgs84, vec![vec![bow]]),
            Err(GeometryError::Invalid(_))
        ));
        assert!(matches!(
            Boundary::new(Datum::Wgs84, vec![vec![vec![[120.0, 27.0], [120.0, 27.0]]]]),
            Err(GeometryError::TooFewPoints { .. })
        ));
    }
}
