//! GeoJSON files: an RFC 7946 FeatureCollection, one record per feature.

use super::{ImportError, Location, Row, RowGeometry, RowProblem};
use geojson::{GeoJson, Value, feature::Id};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub(crate) fn read(text: &str, file: &str) -> Result<Vec<Result<Row, RowProblem>>, ImportError> {
    let geojson: GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| ImportError::GeoJson {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    let collection = match geojson {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(_) => {
            return Err(ImportError::NotAFeatureCollection {
                file: file.to_string(),
                found: "a single Feature".to_string(),
            });
        }
        GeoJson::Geometry(g) => {
            return Err(ImportError::NotAFeatureCollection {
                file: file.to_string(),
                found: format!("a bare {} geometry", g.value.type_name()),
            });
        }
    };
    // A collection-wide datum, as a foreign member.
    let collection_datum = collection
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("datum"))
        .and_then(Json::as_str)
        .map(str::to_string);
    let mut rows = Vec::new();
    for (index, feature) in collection.features.into_iter().enumerate() {
        let mut fields = BTreeMap::new();
        if let Some(datum) = &collection_datum {
            fields.insert("datum".to_string(), datum.clone());
        }
        for (key, value) in feature.properties.unwrap_or_default() {
            if let Some(text) = json_to_field(&value) {
                fields.insert(key, text);
            }
        }
        if let Some(id) = feature.id {
            let id = match id {
                Id::String(s) => s,
                Id::Number(n) => n.to_string(),
            };
            fields.entry("id".to_string()).or_insert_with(|| id.clone());
            fields.entry("code".to_string()).or_insert(id);
        }
        let geometry = feature.geometry.map(|g| match g.value {
            Value::Point(p) => RowGeometry::Point(position(&p)),
            Value::Polygon(rings) => RowGeometry::Polygons(vec![rings_of(&rings)]),
            Value::MultiPolygon(polys) => {
                RowGeometry::Polygons(polys.iter().map(|r| rings_of(r)).collect())
            }
            other => RowGeometry::Other(other.type_name().to_string()),
        });
        rows.push(Ok(Row {
            location: Location::Feature(index),
            fields,
            geometry,
        }));
    }
    Ok(rows)
}

/// A position as `[lng, lat]`; missing numbers become NaN so that the record
/// builder reports them as invalid coordinates.
fn position(p: &[f64]) -> [f64; 2] {
    [
        p.first().copied().unwrap_or(f64::NAN),
        p.get(1).copied().unwrap_or(f64::NAN),
    ]
}

fn rings_of(rings: &[Vec<Vec<f64>>]) -> Vec<Vec<[f64; 2]>> {
    rings
        .iter()
        .map(|r| r.iter().map(|p| position(p)).collect())
        .collect()
}

/// Properties become the same strings a CSV cell would hold; arrays are
/// joined with `|` as in the CSV list columns.
fn json_to_field(value: &Json) -> Option<String> {
    match value {
        Json::Null => None,
        Json::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Array(items) => Some(
            items
                .iter()
                .filter_map(json_to_field)
                .collect::<Vec<_>>()
                .join("|"),
        ),
        Json::Object(_) => Some(value.to_string()),
    }
}
