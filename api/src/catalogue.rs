//! The catalogue delta the phone pulls (`GET /api/v1/facilities`): a
//! GeoJSON FeatureCollection (RFC 7946, WGS-84) with the catalogue
//! version as foreign members.

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
