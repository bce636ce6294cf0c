//! Export to GeoJSON (RFC 7946: coordinates in WGS-84, `[lng, lat]`).
//! Properties use the importer's column names, so an exported file imports
//! back to the same records.

use crate::catalogue::area::AdminArea;
use crate::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use crate::catalogue::facility::Facility;
use crate::geo::coord::{Datum, GeoPoint};
use crate::geo::geometry::Boundary;
use serde_json::{Map, Value, json};

fn point_geometry(p: GeoPoint) -> Value {
    let w = p.to_wgs84();
    json!({"type": "Point", "coordinates": [w.lng, w.lat]})
}

fn polygon_geometry(b: &Boundary) -> Value {
    let mp = b.to_geo_in(Datum::Wgs84);
    let polys: Vec<Value> =
        mp.0.iter()
            .map(|p| {
                let ring = |l: &geo::LineString<f64>| -> Value {
                    Value::Array(l.0.iter().map(|c| json!([c.x, c.y])).collect())
                };
                let mut rings = vec![ring(p.exterior())];
                rings.extend(p.interiors().iter().map(ring));
                Value::Array(rings)
            })
            .collect();
    if polys.len() == 1 {
        json!({"type": "Polygon", "coordinates": polys[0]})
    } else {
        json!({"type": "MultiPolygon", "coordinates": polys})
    }
}

fn feature(geometry: Value, properties: Map<String, Value>) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": properties})
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

/// Facilities as a FeatureCollection of Points.
pub fn facilities_geojson<'a>(facilities: impl IntoIterator<Item = &'a Facility>) -> Value {
    collection(facilities.into_iter().map(facility_feature).collect())
}

/// One facility as a Feature.
pub fn facility_feature(f: &Facility) -> Value {
    let mut p = Map::new();
    p.insert("id".into(), json!(f.id));
    p.insert("kind".into(), json!(f.kind.code()));
    p.insert("kind_name".into(), json!(f.kind.name_zh()));
    p.insert("name".into(), json!(f.name));
    p.insert("address".into(), json!(f.address));
    p.insert("datum".into(), json!(Datum::Wgs84.as_str()));
    if let Some(phone) = &f.phone {
        p.insert("phone".into(), json!(phone));
    }
    p.insert(
        "products".into(),
        json!(f.products.iter().map(|x| x.code()).collect::<Vec<_>>()),
    );
    p.insert("opening_hours".into(), json!(f.opening_hours.weekly_text()));
    if !f.opening_hours.exceptions.is_empty() {
        p.insert(
            "exceptions".into(),
            json!(f.opening_hours.exceptions_text()),
        );
    }
    p.insert("area_code".into(), json!(f.area_code));
    p.insert("retired".into(), json!(f.retired));
    if !f.photos.is_empty() {
        p.insert(
            "photo_sha256".into(),
            json!(f.photos.iter().map(|x| &x.sha256).collect::<Vec<_>>()),
        );
    }
    p.insert("version".into(), json!(f.version));
    p.insert("updated_at".into(), json!(f.updated_at.to_rfc3339()));
    feature(point_geometry(f.point), p)
}

/// Areas as a FeatureCollection: the boundary when known, else the centroid.
pub fn areas_geojson<'a>(areas: impl IntoIterator<Item = &'a AdminArea>) -> Value {
    collection(
        areas
            .into_iter()
            .map(|a| {
                let mut p = Map::new();
                p.insert("code".into(), json!(a.code));
                p.insert("name".into(), json!(a.name));
                p.insert("level".into(), json!(a.level.as_str()));
                if let Some(parent) = &a.parent_code {
                    p.insert("parent_code".into(), json!(parent));
                }
                let c = a.centroid.to_wgs84();
                p.insert("datum".into(), json!(Datum::Wgs84.as_str()));
                if let Some(pop) = a.population {
                    p.insert("population".into(), json!(pop));
                }
                let geometry = match &a.boundary {
                    Some(b) => {
                        p.insert("lat".into(), json!(c.lat));
                        p.insert("lng".into(), json!(c.lng));
                        polygon_geometry(b)
                    }
                    None => point_geometry(a.centroid),
                };
                feature(geometry, p)
            })
            .collect(),
    )
}

/// Duty posts as a FeatureCollection: the fence polygon, the circle's centre
/// with `radius_m`, or no geometry for a hotline desk.
pub fn duty_posts_geojson<'a>(posts: impl IntoIterator<Item = &'a DutyPost>) -> Value {
    collection(
        posts
            .into_iter()
            .map(|d| {
                let mut p = Map::new();
                p.insert("id".into(), json!(d.id));
                p.insert("name".into(), json!(d.name));
                p.insert("street_code".into(), json!(d.street_code));
                p.insert("datum".into(), json!(Datum::Wgs84.as_str()));
                if let Some(f) = &d.facility_id {
                    p.insert("facility_id".into(), json!(f));
                }
                p.insert("shifts".into(), json!(d.shifts.weekly_text()));
                p.insert("retired".into(), json!(d.retired));
                let geometry = match &d.kind {
                    DutyPostKind::Station { fence } => {
                        p.insert("type".into(), json!("station"));
                        match fence {
                            Fence::Circle { center, radius_m } => {
                                p.insert("radius_m".into(), json!(radius_m));
                                point_geometry(*center)
                            }
                            Fence::Polygon { boundary } => polygon_geometry(boundary),
                        }
                    }
                    DutyPostKind::HotlineDesk { hotline } => {
                        p.insert("type".into(), json!("hotline_desk"));
                        p.insert("hotline".into(), json!(hotline));
                        Value::Null
                    }
                };
                feature(geometry, p)
            })
            .collect(),
    )
}
