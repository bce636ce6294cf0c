//! The area a point is filed in when no area code is given: the village or
//! community (or street) whose representative point is nearest, villages
//! before streets at equal distance (the finer place); the district level
//! is never chosen. Built once from the areas and kept while they do not
//! change, so a lookup reads nothing.

use crate::catalogue::area::{AdminArea, AreaLevel};
use crate::geo::coord::GeoPoint;

/// An area as the lookup keeps it: code, name and representative point.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaPoint {
    pub code: String,
    pub name: String,
    pub centroid: GeoPoint,
}

/// The streets and villages of a catalogue, in the order given.
#[derive(Debug, Clone, Default)]
pub struct AreaLookup {
    areas: Vec<AreaPoint>,
}

impl AreaLookup {
    /// The lookup over `areas` (district level left out). Of areas at the
    /// same distance with codes of the same length, the first given wins.
    pub fn new(areas: &[AdminArea]) -> Self {
        AreaLookup {
            areas: areas
                .iter()
                .filter(|a| a.level != AreaLevel::District)
                .map(|a| AreaPoint {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    centroid: a.centroid,
                })
                .collect(),
        }
    }

    /// The area nearest to `p` (none without streets or villages).
    pub fn nearest(&self, p: GeoPoint) -> Option<&AreaPoint> {
        self.areas
            .iter()
            .map(|a| (a, a.centroid.distance_m(p)))
            .min_by(|(a, da), (b, db)| {
                // Villages (longer codes) before streets at equal distance.
                da.total_cmp(db)
                    .then_with(|| b.code.len().cmp(&a.code.len()))
            })
            .map(|(a, _)| a)
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::coord::Datum;

    fn area(code: &str, level: AreaLevel, lat: f64, lng: f64) -> AdminArea {
        AdminArea {
            code: code.into(),
            name: format!("n{code}"),
            level,
            parent_code: None,
            centroid: GeoPoint::new(lat, lng, Datum::Wgs84).unwrap(),
            boundary: None,
            population: None,
        }
    }

    #[test]
    fn the_nearest_street_or_village_villages_first_at_equal_distance() {
        let areas = vec![
            area("330303", AreaLevel::District, 27.95, 120.80),
            area("330303001", AreaLevel::Street, 27.93, 120.815),
            area("330303001201", AreaLevel::Village, 27.93, 120.815),
            area("330303002", AreaLevel::Street, 27.90, 120.70),
        ];
        let l = AreaLookup::new(&areas);
        assert_eq!(l.len(), 3);
        let at = |lat, lng| GeoPoint::new(lat, lng, Datum::Wgs84).unwrap();
        // On the district's point: never the district.
        assert_ne!(l.nearest(at(27.95, 120.80)).unwrap().code, "330303");
        // Street and village share a point: the village.
        assert_eq!(l.nearest(at(27.93, 120.815)).unwrap().code, "330303001201");
        assert_eq!(l.nearest(at(27.90, 120.69)).unwrap().code, "330303002");
        assert!(
            AreaLookup::new(&areas[..1])
                .nearest(at(27.9, 120.7))
                .is_none()
        );
    }
}
