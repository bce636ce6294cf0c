//! Administrative areas: district (区) → street (街道) → village/community
//! (村/社区). Coverage of the 15-minute circle is counted per village or
//! community, so every village must be importable, never hard-coded.

use crate::geo::coord::GeoPoint;
use crate::geo::geometry::Boundary;
use serde::{Deserialize, Serialize};

/// The level of an administrative area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// 区/县: a district or county, e.g. Longwan (330303).
    District,
    /// 街道/乡镇: a street or township.
    Street,
    /// 村/社区: a village or urban community.
    Village,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 3] = [AreaLevel::District, AreaLevel::Street, AreaLevel::Village];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::District => "district",
            AreaLevel::Street => "street",
            AreaLevel::Village => "village",
        }
    }

    /// The level an area of this level must sit under, if any.
    pub fn parent_level(self) -> Option<AreaLevel> {
        match self {
            AreaLevel::District => None,
            AreaLevel::Street => Some(AreaLevel::District),
            AreaLevel::Village => Some(AreaLevel::Street),
        }
    }
}

impl std::str::FromStr for AreaLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "district" | "区" => Ok(AreaLevel::District),
            "street" | "街道" | "乡镇" => Ok(AreaLevel::Street),
            "village" | "community" | "村" | "社区" => Ok(AreaLevel::Village),
            other => Err(format!(
                "unknown area level {other:?}: expected district, street or village"
            )),
        }
    }
}

/// An administrative area (行政区划).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminArea {
    /// The official division code (e.g. 330303 for Longwan) or, for
    /// villages without one at hand, a stable local code.
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    /// The code of the area this one belongs to; `None` only for a district.
    pub parent_code: Option<String>,
    /// A representative point (centroid or seat of the committee).
    pub centroid: GeoPoint,
    /// The boundary, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Boundary>,
    /// Resident population, when known (used to weight coverage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
}
