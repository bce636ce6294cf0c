//! The catalogue the phone pulls: the facilities delta (`GET
//! /api/v1/facilities`), a GeoJSON FeatureCollection (RFC 7946, WGS-84)
//! with the catalogue version as foreign members, and the duty posts
//! (`GET /api/v1/duty-posts`).

use lawcircle_core::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use lawcircle_core::catalogue::opening_hours::OpeningHours;
use lawcircle_core::geo::coord::{Datum, GeoPoint};
use lawcircle_core::geo::geometry::Boundary;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A page of the facilities changed since a catalogue version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// GeoJSON Features (retired ones included when asked, to be dropped).
    pub features: Vec<Value>,
    /// The catalogue version now.
    pub version: u64,
    /// When more changed than the page holds: ask again from this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_since_version: Option<u64>,
}

/// The duty posts (值守点位, `GET /api/v1/duty-posts`): a GeoJSON
/// FeatureCollection (RFC 7946, WGS-84) of the posts that are not retired,
/// one Feature each, in the import format (a data owner's file reads the
/// same).
///
/// Fields are declared in alphabetical order: the server wrote this body as
/// a `serde_json` map (keys sorted), and these types write the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DutyPostCollection {
    pub features: Vec<DutyPostFeature>,
    /// When more posts follow than the page holds: pass as `cursor` for
    /// the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// One duty post as a GeoJSON Feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DutyPostFeature {
    /// A station's fence: its polygon, or the centre of its circle (the
    /// radius is `properties.radius_m`); `null` for a hotline desk.
    pub geometry: Option<DutyPostGeometry>,
    pub properties: DutyPostProperties,
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A fence's geometry, positions as `[lng, lat]` in WGS-84.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "type")]
pub enum DutyPostGeometry {
    /// A circle fence's centre.
    Point {
        #[cfg_attr(feature = "utoipa", schema(value_type = Vec<f64>))]
        coordinates: [f64; 2],
    },
    /// One polygon: the outer ring, then holes.
    Polygon {
        #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Vec<Vec<f64>>>))]
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    /// Several polygons.
    MultiPolygon {
        #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Vec<Vec<Vec<f64>>>>))]
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

/// Written by hand only for the order of the keys: `coordinates` before
/// `type`, as the sorted map the server wrote before (a derived internally
/// tagged enum writes the tag first).
impl Serialize for DutyPostGeometry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        match self {
            DutyPostGeometry::Point { coordinates } => {
                m.serialize_entry("coordinates", coordinates)?;
                m.serialize_entry("type", "Point")?;
            }
            DutyPostGeometry::Polygon { coordinates } => {
                m.serialize_entry("coordinates", coordinates)?;
                m.serialize_entry("type", "Polygon")?;
            }
            DutyPostGeometry::MultiPolygon { coordinates } => {
                m.serialize_entry("coordinates", coordinates)?;
                m.serialize_entry("type", "MultiPolygon")?;
            }
        }
        m.end()
    }
}

/// What kind of post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DutyPostType {
    /// A physical station: clock-in needs a fix inside the fence.
    Station,
    /// A hotline desk (e.g. 12348): no fence.
    HotlineDesk,
}

/// A duty post's properties (alphabetical, see [`DutyPostCollection`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DutyPostProperties {
    /// The datum of the geometry: always `wgs84` from the server.
    #[cfg_attr(feature = "utoipa", schema(value_type = String, example = "wgs84"))]
    pub datum: Datum,
    /// The facility hosting the post, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
    /// A hotline desk's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<String>,
    pub id: String,
    pub name: String,
    /// A circle fence's radius in metres (the centre is the Point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_m: Option<f64>,
    pub retired: bool,
    /// When the post is staffed, in the opening-hours syntax
    /// (`Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00`).
    pub shifts: String,
    /// The street (街道) the post belongs to.
    pub street_code: String,
    #[serde(rename = "type")]
    pub kind: DutyPostType,
}

/// A duty post of the answer that does not make a post.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("duty post {id:?}: {field}: {reason}")]
pub struct DutyPostError {
    pub id: String,
    pub field: &'static str,
    pub reason: String,
}

impl DutyPostCollection {
    /// The answer for `posts`.
    pub fn new<'a>(posts: impl IntoIterator<Item = &'a DutyPost>) -> Self {
        DutyPostCollection {
            features: posts.into_iter().map(DutyPostFeature::from).collect(),
            next_cursor: None,
            kind: "FeatureCollection".to_string(),
        }
    }

    /// The posts, checked as the importer checks a file's (fence radius,
    /// polygon rings, coordinates, shifts).
    pub fn to_duty_posts(&self) -> Result<Vec<DutyPost>, DutyPostError> {
        self.features
            .iter()
            .map(DutyPostFeature::to_duty_post)
            .collect()
    }
}

impl From<&DutyPost> for DutyPostFeature {
    fn from(d: &DutyPost) -> Self {
        let (kind, geometry, radius_m, hotline) = match &d.kind {
            DutyPostKind::Station { fence } => match fence {
                Fence::Circle { center, radius_m } => {
                    let w = center.to_wgs84();
                    let point = DutyPostGeometry::Point {
                        coordinates: [w.lng, w.lat],
                    };
                    (DutyPostType::Station, Some(point), Some(*radius_m), None)
                }
                Fence::Polygon { boundary } => {
                    let mut polygons: Vec<Vec<Vec<[f64; 2]>>> = boundary
                        .to_geo_in(Datum::Wgs84)
                        .0
                        .iter()
                        .map(|p| {
                            std::iter::once(p.exterior())
                                .chain(p.interiors())
                                .map(|ring| ring.0.iter().map(|c| [c.x, c.y]).collect())
                                .collect()
                        })
                        .collect();
                    let geometry = if polygons.len() == 1 {
                        DutyPostGeometry::Polygon {
                            coordinates: polygons.remove(0),
                        }
                    } else {
                        DutyPostGeometry::MultiPolygon {
                            coordinates: polygons,
                        }
                    };
                    (DutyPostType::Station, Some(geometry), None, None)
                }
            },
            DutyPostKind::HotlineDesk { hotline } => {
                (DutyPostType::HotlineDesk, None, None, Some(hotline.clone()))
            }
        };
        DutyPostFeature {
            geometry,
            properties: DutyPostProperties {
                datum: Datum::Wgs84,
                facility_id: d.facility_id.clone(),
                hotline,
                id: d.id.clone(),
                name: d.name.clone(),
                radius_m,
                retired: d.retired,
                shifts: d.shifts.weekly_text(),
                street_code: d.street_code.clone(),
                kind,
            },
            kind: "Feature".to_string(),
        }
    }
}

impl DutyPostFeature {
    /// The post this Feature describes.
    pub fn to_duty_post(&self) -> Result<DutyPost, DutyPostError> {
        let p = &self.properties;
        let problem = |field: &'static str, reason: String| DutyPostError {
            id: p.id.clone(),
            field,
            reason,
        };
        let kind = match p.kind {
            DutyPostType::Station => {
                let fence = match &self.geometry {
                    Some(DutyPostGeometry::Point {
                        coordinates: [lng, lat],
                    }) => {
                        let center = GeoPoint::new(*lat, *lng, p.datum)
                            .map_err(|e| problem("geometry", e.to_string()))?;
                        let radius = p.radius_m.ok_or_else(|| {
                            problem("radius_m", "a circle fence needs a radius".to_string())
                        })?;
                        Fence::circle(center, radius)
                            .map_err(|e| problem("radius_m", e.to_string()))?
                    }
                    Some(DutyPostGeometry::Polygon { coordinates }) => Fence::Polygon {
                        boundary: Boundary::new(p.datum, vec![coordinates.clone()])
                            .map_err(|e| problem("geometry", e.to_string()))?,
                    },
                    Some(DutyPostGeometry::MultiPolygon { coordinates }) => Fence::Polygon {
                        boundary: Boundary::new(p.datum, coordinates.clone())
                            .map_err(|e| problem("geometry", e.to_string()))?,
                    },
                    None => return Err(problem("geometry", "a station needs a fence".to_string())),
                };
                DutyPostKind::Station { fence }
            }
            DutyPostType::HotlineDesk => DutyPostKind::HotlineDesk {
                hotline: p.hotline.clone().ok_or_else(|| {
                    problem("hotline", "a hotline desk needs its number".to_string())
                })?,
            },
        };
        Ok(DutyPost {
            id: p.id.clone(),
            name: p.name.clone(),
            kind,
            street_code: p.street_code.clone(),
            facility_id: p.facility_id.clone(),
            shifts: OpeningHours::parse(&p.shifts, "")
                .map_err(|e| problem("shifts", e.to_string()))?,
            retired: p.retired,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lawcircle_core::catalogue::export::duty_posts_geojson;

    fn posts() -> Vec<DutyPost> {
        let shifts = OpeningHours::parse("Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", "")
            .expect("shifts");
        let ring = vec![
            [120.81, 27.92],
            [120.82, 27.92],
            [120.82, 27.93],
            [120.81, 27.93],
            [120.81, 27.92],
        ];
        let hole = vec![
            [120.812, 27.922],
            [120.814, 27.922],
            [120.814, 27.924],
            [120.812, 27.922],
        ];
        let post = |id: &str, kind: DutyPostKind| DutyPost {
            id: id.to_string(),
            name: format!("值守岗 {id}"),
            kind,
            street_code: "330303001".to_string(),
            facility_id: (id == "P1").then(|| "LW-F0001".to_string()),
            shifts: shifts.clone(),
            retired: false,
        };
        let center = GeoPoint::wgs84(27.93, 120.815).expect("point");
        let other = vec![
            [120.85, 27.95],
            [120.86, 27.95],
            [120.86, 27.96],
            [120.85, 27.95],
        ];
        vec![
            post(
                "P1",
                DutyPostKind::Station {
                    fence: Fence::circle(center, 100.0).expect("fence"),
                },
            ),
            post(
                "P2",
                DutyPostKind::Station {
                    fence: Fence::Polygon {
                        boundary: Boundary::new(Datum::Wgs84, vec![vec![ring.clone(), hole]])
                            .expect("polygon"),
                    },
                },
            ),
            post(
                "P3",
                DutyPostKind::Station {
                    fence: Fence::Polygon {
                        boundary: Boundary::new(Datum::Wgs84, vec![vec![ring], vec![other]])
                            .expect("multipolygon"),
                    },
                },
            ),
            post(
                "P4",
                DutyPostKind::HotlineDesk {
                    hotline: "12348".to_string(),
                },
            ),
        ]
    }

    #[test]
    fn duty_posts_are_written_byte_for_byte_as_the_geojson_export() {
        let posts = posts();
        let typed = serde_json::to_string(&DutyPostCollection::new(&posts)).expect("json");
        let export = duty_posts_geojson(&posts).to_string();
        assert_eq!(typed, export);
        assert!(typed.contains(r#""geometry":null"#), "{typed}");
    }

    #[test]
    fn duty_posts_read_back_as_the_same_posts() {
        let posts = posts();
        let text = serde_json::to_string(&DutyPostCollection::new(&posts)).expect("json");
        let read: DutyPostCollection = serde_json::from_str(&text).expect("read");
        assert_eq!(read.to_duty_posts().expect("posts"), posts);
    }

    #[test]
    fn a_feature_that_makes_no_post_is_refused_naming_the_field() {
        let mut c = DutyPostCollection::new(&posts());
        c.features[0].properties.radius_m = Some(10.0);
        let e = c.to_duty_posts().unwrap_err();
        assert_eq!((e.id.as_str(), e.field), ("P1", "radius_m"));
        let mut c = DutyPostCollection::new(&posts());
        c.features[1].geometry = None;
        assert_eq!(c.to_duty_posts().unwrap_err().field, "geometry");
        let mut c = DutyPostCollection::new(&posts());
        c.features[3].properties.hotline = None;
        assert_eq!(c.to_duty_posts().unwrap_err().field, "hotline");
        let mut c = DutyPostCollection::new(&posts());
        c.features[2].properties.shifts = "whenever".to_string();
        assert_eq!(c.to_duty_posts().unwrap_err().field, "shifts");
    }
}
