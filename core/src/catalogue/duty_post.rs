//! Duty posts (值守点位) where volunteers clock in (签到打卡): a physical
//! station with a geofence, or a hotline desk (12348) that has none.

use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::GeoPoint;
use crate::geo::geometry::Boundary;
use serde::{Deserialize, Serialize};

/// The smallest circle fence radius: phone fixes are rarely better than a
/// few tens of metres, and the OS geofence APIs recommend 100 m and more.
pub const MIN_FENCE_RADIUS_M: f64 = 50.0;

/// The area a volunteer must be in to clock in at a physical post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fence {
    Circle { center: GeoPoint, radius_m: f64 },
    Polygon { boundary: Boundary },
}

/// What can be wrong with a fence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FenceError {
    #[error("a circle fence needs a radius of at least {min} m, got {got}")]
    RadiusTooSmall { min: f64, got: f64 },
}

impl Fence {
    pub fn circle(center: GeoPoint, radius_m: f64) -> Result<Self, FenceError> {
        if !radius_m.is_finite() || radius_m < MIN_FENCE_RADIUS_M {
            return Err(FenceError::RadiusTooSmall {
                min: MIN_FENCE_RADIUS_M,
                got: radius_m,
            });
        }
        Ok(Fence::Circle { center, radius_m })
    }

    /// Plain containment, datum-aware. The clock-in decision adds accuracy
    /// margins on top of this.
    pub fn contains(&self, point: GeoPoint) -> bool {
        match self {
            Fence::Circle { center, radius_m } => center.distance_m(point) <= *radius_m,
            Fence::Polygon { boundary } => boundary.contains(point),
        }
    }
}

/// The kind of duty post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DutyPostKind {
    /// A physical station: clock-in needs a fix inside the fence.
    Station { fence: Fence },
    /// A hotline desk (e.g. 12348): no fence; clock-in is by shift.
    HotlineDesk { hotline: String },
}

/// A duty post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyPost {
    pub id: String,
    pub name: String,
    pub kind: DutyPostKind,
    /// The street (街道) this post belongs to.
    pub street_code: String,
    /// The facility hosting the post, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
    /// When the post is staffed.
    pub shifts: OpeningHours,
    #[serde(default)]
    pub retired: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::coord::Datum;

    #[test]
    fn circle_fence_compares_in_one_datum() {
        let center_gcj = GeoPoint::wgs84(27.93, 120.82)
            .unwrap()
            .to_datum(Datum::Gcj02);
        let fence = Fence::circle(center_gcj, 100.0).unwrap();
        // A WGS-84 fix at the very spot is inside, although the raw numbers
        // differ by ~500 m.
        assert!(fence.contains(GeoPoint::wgs84(27.93, 120.82).unwrap()));
        assert!(!fence.contains(GeoPoint::wgs84(27.932, 120.82).unwrap()));
    }

    #[test]
    fn tiny_radius_is_refused() {
        let c = GeoPoint::wgs84(27.93, 120.82).unwrap();
        assert!(Fence::circle(c, 20.0).is_err());
        assert!(Fence::circle(c, f64::NAN).is_err());
    }
}
