//! Turning a generic row into an area, a facility or a duty post, with a
//! problem that names the field when something is wrong.

use super::{ImportBatch, PhotoResolver, RecordKind, Row, RowGeometry};
use crate::catalogue::area::{AdminArea, AreaLevel};
use crate::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use crate::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::{CoordError, Datum, GeoPoint, validate_lat_lng};
use crate::geo::geometry::Boundary;
use chrono::{DateTime, Utc};
use geo::Centroid;
use std::collections::BTreeSet;

/// Columns of an areas CSV (the required ones are checked by the importer).
pub const AREA_COLUMNS: [&str; 8] = [
    "code",
    "name",
    "level",
    "parent_code",
    "lat",
    "lng",
    "datum",
    "population",
];

/// Columns of a facilities CSV.
pub const FACILITY_COLUMNS: [&str; 14] = [
    "id",
    "kind",
    "name",
    "address",
    "lat",
    "lng",
    "datum",
    "phone",
    "products",
    "opening_hours",
    "exceptions",
    "area_code",
    "retired",
    "photos",
];

/// Columns of a duty posts CSV.
pub const DUTY_POST_COLUMNS: [&str; 12] = [
    "id",
    "name",
    "type",
    "street_code",
    "lat",
    "lng",
    "datum",
    "radius_m",
    "hotline",
    "facility_id",
    "shifts",
    "retired",
];

/// The CSV columns that must be in the header.
pub(crate) fn required_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Areas => &["code", "name", "level", "lat", "lng"],
        RecordKind::Facilities => &[
            "id",
            "kind",
            "name",
            "lat",
            "lng",
            "opening_hours",
            "area_code",
        ],
        RecordKind::DutyPosts => &["id", "name", "type", "street_code", "shifts"],
    }
}

pub(crate) fn id_column(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Areas => "code",
        RecordKind::Facilities | RecordKind::DutyPosts => "id",
    }
}

/// A problem with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    pub field: Option<String>,
    pub reason: String,
}

impl FieldProblem {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        FieldProblem {
            field: Some(field.to_string()),
            reason: reason.into(),
        }
    }
}

pub(crate) enum Record {
    Area(AdminArea),
    Facility(Box<Facility>),
    DutyPost(Box<DutyPost>),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Area(a) => &a.code,
            Record::Facility(f) => &f.id,
            Record::DutyPost(p) => &p.id,
        }
    }

    pub fn push_into(self, batch: &mut ImportBatch) {
        match self {
            Record::Area(a) => batch.areas.push(a),
            Record::Facility(f) => batch.facilities.push(*f),
            Record::DutyPost(p) => batch.duty_posts.push(*p),
        }
    }
}

pub(crate) fn build(
    kind: RecordKind,
    row: &Row,
    now: DateTime<Utc>,
    photos: &mut dyn PhotoResolver,
) -> Result<Record, FieldProblem> {
    match kind {
        RecordKind::Areas => area(row).map(Record::Area),
        RecordKind::Facilities => facility(row, now, photos).map(|f| Record::Facility(Box::new(f))),
        RecordKind::DutyPosts => duty_post(row).map(|p| Record::DutyPost(Box::new(p))),
    }
}

fn text<'a>(row: &'a Row, field: &str) -> Option<&'a str> {
    row.fields
        .get(field)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

fn required<'a>(row: &'a Row, field: &str) -> Result<&'a str, FieldProblem> {
    text(row, field).ok_or_else(|| FieldProblem::new(field, "is required"))
}

/// A stable identifier: no spaces or control characters, at most 64 bytes.
fn identifier<'a>(row: &'a Row, field: &str) -> Result<&'a str, FieldProblem> {
    let id = required(row, field)?;
    if id.len() > 64 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(FieldProblem::new(
            field,
            format!("{id:?} is not a valid id: at most 64 bytes, no spaces"),
        ));
    }
    Ok(id)
}

fn datum(row: &Row) -> Result<Datum, FieldProblem> {
    match text(row, "datum") {
        None => Ok(Datum::Wgs84),
        Some(d) => d
            .parse()
            .map_err(|e: CoordError| FieldProblem::new("datum", e.to_string())),
    }
}

fn number(row: &Row, field: &str) -> Result<Option<f64>, FieldProblem> {
    match text(row, field) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| FieldProblem::new(field, format!("{v:?} is not a number"))),
    }
}

fn coordinate_problem(e: CoordError, from_geometry: bool) -> FieldProblem {
    let field = match (&e, from_geometry) {
        (_, true) => "geometry",
        (CoordError::LongitudeOutOfRange(_), false) => "lng",
        _ => "lat",
    };
    FieldProblem::new(field, e.to_string())
}

/// The record's point: a GeoJSON Point geometry, or the lat/lng columns.
fn point(row: &Row) -> Result<GeoPoint, FieldProblem> {
    let datum = datum(row)?;
    let (lat, lng, from_geometry) = match &row.geometry {
        Some(RowGeometry::Point([lng, lat])) => (*lat, *lng, true),
        Some(RowGeometry::Other(t)) => {
            return Err(FieldProblem::new(
                "geometry",
                format!("expected a Point, found {t}"),
            ));
        }
        _ => {
            let lat = number(row, "lat")?.ok_or_else(|| FieldProblem::new("lat", "is required"))?;
            let lng = number(row, "lng")?.ok_or_else(|| FieldProblem::new("lng", "is required"))?;
            (lat, lng, false)
        }
    };
    validate_lat_lng(lat, lng).map_err(|e| coordinate_problem(e, from_geometry))?;
    Ok(GeoPoint { lat, lng, datum })
}

fn boundary(row: &Row) -> Result<Option<Boundary>, FieldProblem> {
    match &row.geometry {
        Some(RowGeometry::Polygons(polys)) => Boundary::new(datum(row)?, polys.clone())
            .map(Some)
            .map_err(|e| FieldProblem::new("geometry", e.to_string())),
        _ => Ok(None),
    }
}

fn flag(row: &Row, field: &str) -> Result<bool, FieldProblem> {
    match text(row, field).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no" | "n") => Ok(false),
        Some("true" | "1" | "yes" | "y") => Ok(true),
        Some(other) => Err(FieldProblem::new(
            field,
            format!("{other:?} is not true or false"),
        )),
    }
}

fn list(row: &Row, field: &str) -> Vec<String> {
    text(row, field)
        .map(|v| {
            v.split(['|', '、', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn phone(row: &Row) -> Result<Option<String>, FieldProblem> {
    let Some(p) = text(row, "phone") else {
        return Ok(None);
    };
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let allowed = p
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'));
    if !allowed || !(5..=20).contains(&digits) {
        return Err(FieldProblem::new(
            "phone",
            format!("{p:?} is not a telephone number"),
        ));
    }
    Ok(Some(p.to_string()))
}

fn area(row: &Row) -> Result<AdminArea, FieldProblem> {
    let code = identifier(row, "code")?.to_string();
    let name = required(row, "name")?.to_string();
    let level: AreaLevel = required(row, "level")?
        .parse()
        .map_err(|e: String| FieldProblem::new("level", e))?;
    let parent_code = text(row, "parent_code").map(str::to_string);
    if level.parent_level().is_some() && parent_code.is_none() {
        return Err(FieldProblem::new(
            "parent_code",
            format!(
                "a {} needs the code of the area it belongs to",
                level.as_str()
            ),
        ));
    }
    let boundary = boundary(row)?;
    let centroid = match (&boundary, text(row, "lat").or(text(row, "lng"))) {
        (Some(b), None) => {
            let c = b
                .to_geo_in(b.datum)
                .centroid()
                .ok_or_else(|| FieldProblem::new("geometry", "the boundary has no area"))?;
            GeoPoint {
                lat: c.y(),
                lng: c.x(),
                datum: b.datum,
            }
        }
        (Some(_), Some(_)) => {
            let datum = datum(row)?;
            let lat = number(row, "lat")?.ok_or_else(|| FieldProblem::new("lat", "is required"))?;
            let lng = number(row, "lng")?.ok_or_else(|| FieldProblem::new("lng", "is required"))?;
            validate_lat_lng(lat, lng).map_err(|e| coordinate_problem(e, false))?;
            GeoPoint { lat, lng, datum }
        }
        (None, _) => point(row)?,
    };
    let population = match text(row, "population") {
        None => None,
        Some(p) => Some(p.parse::<u64>().map_err(|_| {
            FieldProblem::new("population", format!("{p:?} is not a whole number"))
        })?),
    };
    Ok(AdminArea {
        code,
        name,
        level,
        parent_code,
        centroid,
        boundary,
        population,
    })
}

pub(crate) fn facility(
    row: &Row,
    now: DateTime<Utc>,
    photos: &mut dyn PhotoResolver,
) -> Result<Facility, FieldProblem> {
    let id = identifier(row, "id")?.to_string();
    let kind: FacilityKind = required(row, "kind")?
        .parse()
        .map_err(|e: String| FieldProblem::new("kind", e))?;
    let name = required(row, "name")?.to_string();
    let point = point(row)?;
    let products: BTreeSet<ServiceProduct> = match list(row, "products") {
        l if l.is_empty() => kind.default_products().iter().copied().collect(),
        l => l
            .iter()
            .map(|p| p.parse())
            .collect::<Result<_, String>>()
            .map_err(|e| FieldProblem::new("products", e))?,
    };
    let opening_hours = OpeningHours::parse(
        required(row, "opening_hours")?,
        text(row, "exceptions").unwrap_or(""),
    )
    .map_err(|e| {
        let field = match e {
            crate::catalogue::opening_hours::OpeningHoursError::BadException(_) => "exceptions",
            _ => "opening_hours",
        };
        FieldProblem::new(field, e.to_string())
    })?;
    let photos = list(row, "photos")
        .iter()
        .map(|name| photos.resolve(name))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| FieldProblem::new("photos", e))?;
    Ok(Facility {
        id,
        kind,
        name,
        address: text(row, "address").unwrap_or_default().to_string(),
        point,
        phone: phone(row)?,
        products,
        opening_hours,
        photos,
        area_code: identifier(row, "area_code")?.to_string(),
        retired: flag(row, "retired")?,
        updated_at: now,
        version: 0,
    })
}

fn duty_post(row: &Row) -> Result<DutyPost, FieldProblem> {
    let id = identifier(row, "id")?.to_string();
    let name = required(row, "name")?.to_string();
    let kind = match required(row, "type")? {
        "station" => {
            let fence = match boundary(row)? {
                Some(boundary) => Fence::Polygon { boundary },
                None => {
                    let center = point(row)?;
                    let radius = number(row, "radius_m")?.ok_or_else(|| {
                        FieldProblem::new("radius_m", "a station without a polygon needs a radius")
                    })?;
                    Fence::circle(center, radius)
                        .map_err(|e| FieldProblem::new("radius_m", e.to_string()))?
                }
            };
            DutyPostKind::Station { fence }
        }
        "hotline_desk" => DutyPostKind::HotlineDesk {
            hotline: required(row, "hotline")?.to_string(),
        },
        other => {
            return Err(FieldProblem::new(
                "type",
                format!("{other:?} is not a post type: expected station or hotline_desk"),
            ));
        }
    };
    let shifts = OpeningHours::parse(required(row, "shifts")?, "")
        .map_err(|e| FieldProblem::new("shifts", e.to_string()))?;
    Ok(DutyPost {
        id,
        name,
        kind,
        street_code: identifier(row, "street_code")?.to_string(),
        facility_id: text(row, "facility_id").map(str::to_string),
        shifts,
        retired: flag(row, "retired")?,
    })
}
