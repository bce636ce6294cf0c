//! The pieces of synthetic districts that tests, benches and examples
//! build on a walking network: streets, villages and single-product
//! service centres with no real name, address or opening hours.

use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
use lawcircle_core::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use lawcircle_core::catalogue::opening_hours::OpeningHours;
use lawcircle_core::geo::coord::GeoPoint;

/// Street `S{s}` (of ten), its centroid at `centroid`.
#[allow(dead_code)] // Not every target that includes this file builds areas.
pub fn street(s: usize, centroid: GeoPoint) -> AdminArea {
    AdminArea {
        code: format!("S{s}"),
        name: format!("street {s}"),
        level: AreaLevel::Street,
        parent_code: None,
        centroid,
        boundary: None,
        population: None,
    }
}

/// Village `V{v}` of street `S{v % 10}`, 1,000 people at `centroid`.
#[allow(dead_code)] // Not every target that includes this file builds areas.
pub fn village(v: usize, centroid: GeoPoint) -> AdminArea {
    AdminArea {
        code: format!("V{v}"),
        name: format!("village {v}"),
        level: AreaLevel::Village,
        parent_code: Some(format!("S{}", v % 10)),
        centroid,
        boundary: None,
        population: Some(1000),
    }
}

/// A service centre `id` at `point` offering `product` only, always open.
pub fn service_center(id: String, product: ServiceProduct, point: GeoPoint) -> Facility {
    Facility {
        id,
        kind: FacilityKind::ServiceCenter,
        name: String::new(),
        address: String::new(),
        point,
        phone: None,
        products: [product].into_iter().collect(),
        opening_hours: OpeningHours::always(),
        photos: vec![],
        area_code: String::new(),
        retired: false,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        version: 1,
    }
}
