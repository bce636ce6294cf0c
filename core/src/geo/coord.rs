//! Points that know their datum (坐标系), and conversions between the datums
//! used in China.
//!
//! * WGS-84: what GPS chips, and so phones, report; OpenStreetMap uses it too.
//! * GCJ-02 (国测局坐标, "Mars coordinates"): what Amap/高德 and Tencent publish.
//! * BD-09: Baidu's extra offset on top of GCJ-02.
//!
//! The GCJ-02 offset is typically 300–600 m, larger than a duty-post geofence,
//! so every distance in LawCircle is computed after converting both ends to
//! one datum ([`GeoPoint::to_wgs84`]). The forward transform is the
//! publicly reverse-engineered polynomial (as in googollee/eviltransform and
//! wandergis/coordtransform); the inverse has no closed form and is found by
//! fixed-point iteration to well under a metre. Points outside mainland China
//! are never shifted.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt;

/// Mean Earth radius (IUGG) used for great-circle distances, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A geodetic datum a coordinate pair is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    /// WGS-84, as reported by GPS.
    Wgs84,
    /// GCJ-02 (国测局坐标), used by Amap and Tencent maps.
    Gcj02,
    /// BD-09, used by Baidu maps.
    Bd09,
}

impl Datum {
    /// The canonical lowercase name used in files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
            Datum::Bd09 => "bd09",
        }
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Datum {
    type Err = CoordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "wgs84" => Ok(Datum::Wgs84),
            "gcj02" => Ok(Datum::Gcj02),
            "bd09" | "bd09ll" => Ok(Datum::Bd09),
            _ => Err(CoordError::UnknownDatum(s.to_string())),
        }
    }
}

/// What can be wrong with a coordinate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoordError {
    #[error("latitude {0} is not a finite number between -90 and 90")]
    LatitudeOutOfRange(f64),
    #[error("longitude {0} is not a finite number between -180 and 180")]
    LongitudeOutOfRange(f64),
    #[error(
        "latitude {lat} and longitude {lng} look swapped: latitude must be within ±90, longitude comes second"
    )]
    LatLngSwapped { lat: f64, lng: f64 },
    #[error("unknown datum {0:?}: expected wgs84, gcj02 or bd09")]
    UnknownDatum(String),
}

/// A point on the Earth with the datum it is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in decimal degrees, north positive.
    pub lat: f64,
    /// Longitude in decimal degrees, east positive.
    pub lng: f64,
    /// The datum `lat`/`lng` are expressed in.
    pub datum: Datum,
}

impl GeoPoint {
    /// A checked point: finite, in range, and not obviously swapped.
    pub fn new(lat: f64, lng: f64, datum: Datum) -> Result<Self, CoordError> {
        validate_lat_lng(lat, lng)?;
        Ok(Self { lat, lng, datum })
    }

    /// A checked WGS-84 point.
    pub fn wgs84(lat: f64, lng: f64) -> Result<Self, CoordError> {
        Self::new(lat, lng, Datum::Wgs84)
    }

    /// The same place expressed in `target`.
    pub fn to_datum(self, target: Datum) -> GeoPoint {
        if self.datum == target {
            return self;
        }
        let (lat, lng) = match (self.datum, target) {
            (Datum::Wgs84, Datum::Gcj02) => wgs84_to_gcj02(self.lat, self.lng),
            (Datum::Gcj02, Datum::Wgs84) => gcj02_to_wgs84(self.lat, self.lng),
            (Datum::Gcj02, Datum::Bd09) => gcj02_to_bd09(self.lat, self.lng),
            (Datum::Bd09, Datum::Gcj02) => bd09_to_gcj02(self.lat, self.lng),
            (Datum::Wgs84, Datum::Bd09) => {
                let (la, ln) = wgs84_to_gcj02(self.lat, self.lng);
                gcj02_to_bd09(la, ln)
            }
            (Datum::Bd09, Datum::Wgs84) => {
                let (la, ln) = bd09_to_gcj02(self.lat, self.lng);
                gcj02_to_wgs84(la, ln)
            }
            (Datum::Wgs84, Datum::Wgs84)
            | (Datum::Gcj02, Datum::Gcj02)
            | (Datum::Bd09, Datum::Bd09) => (self.lat, self.lng),
        };
        GeoPoint {
            lat,
            lng,
            datum: target,
        }
    }

    /// The same place in WGS-84, the datum LawCircle computes distances in.
    pub fn to_wgs84(self) -> GeoPoint {
        self.to_datum(Datum::Wgs84)
    }

    /// Great-circle (haversine) distance in metres, after bringing `other`
    /// into this point's datum's WGS-84 equivalent. Never compares raw
    /// coordinates of two different datums.
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let a = self.to_wgs84();
        let b = other.to_wgs84();
        haversine_m(a.lat, a.lng, b.lat, b.lng)
    }

    /// `geo` point (x = longitude, y = latitude) in this point's own datum.
    pub fn to_geo(self) -> geo::Point<f64> {
        geo::Point::new(self.lng, self.lat)
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6} ({})", self.lat, self.lng, self.datum)
    }
}

/// Checks a latitude/longitude pair, telling a swapped pair apart from a
/// merely out-of-range one.
pub fn validate_lat_lng(lat: f64, lng: f64) -> Result<(), CoordError> {
    if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
        return Err(CoordError::LongitudeOutOfRange(lng));
    }
    if !lat.is_finite() {
        return Err(CoordError::LatitudeOutOfRange(lat));
    }
    if !(-90.0..=90.0).contains(&lat) {
        if (-90.0..=90.0).contains(&lng) {
            return Err(CoordError::LatLngSwapped { lat, lng });
        }
        return Err(CoordError::LatitudeOutOfRange(lat));
    }
    Ok(())
}

/// Haversine great-circle distance between two points of the same datum, in
/// metres.
pub fn haversine_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Rectangles (north, west, south, east) approximating mainland China, and the
/// areas inside them that are not shifted (Taiwan, the borders of Vietnam,
/// Mongolia and Russia). A coarse but widely used outline: points in them are
/// treated as subject to the GCJ-02 offset.
const CHINA_REGIONS: [[f64; 4]; 6] = [
    [49.2204, 79.4462, 42.8899, 96.3303],
    [54.1415, 109.6872, 39.3742, 135.0002],
    [42.8899, 73.1246, 29.5297, 124.1435],
    [29.5297, 82.9684, 26.7186, 97.0352],
    [29.5297, 97.0253, 20.4143, 124.3672],
    [20.4143, 107.9750, 17.8717, 111.6928],
];
const CHINA_EXCLUDED: [[f64; 4]; 6] = [
    [25.3980, 119.9213, 21.7855, 122.4978],
    [22.8940, 101.8652, 20.4143, 106.6652],
    [21.5417, 106.4525, 20.4878, 108.0512],
    [55.8175, 109.0323, 50.3257, 119.1277],
    [55.8175, 127.4568, 49.5574, 137.0227],
    [44.8926, 131.2662, 42.5698, 137.0227],
];

fn in_rect(rect: &[f64; 4], lat: f64, lng: f64) -> bool {
    let [north, west, south, east] = *rect;
    (south..=north).contains(&lat) && (west..=east).contains(&lng)
}

/// Whether a point lies in mainland China, where the GCJ-02 offset applies.
pub fn in_mainland_china(lat: f64, lng: f64) -> bool {
    CHINA_REGIONS.iter().any(|r| in_rect(r, lat, lng))
        && !CHINA_EXCLUDED.iter().any(|r| in_rect(r, lat, lng))
}

// Krasovsky 1940 ellipsoid, as used by the GCJ-02 obfuscation.
const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lng(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 offset (dlat, dlng) in degrees at a WGS-84 point.
fn gcj_delta(lat: f64, lng: f64) -> (f64, f64) {
    let dlat = transform_lat(lng - 105.0, lat - 35.0);
    let dlng = transform_lng(lng - 105.0, lat - 35.0);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - GCJ_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlng = (dlng * 180.0) / (GCJ_A / sqrt_magic * rad_lat.cos() * PI);
    (dlat, dlng)
}

/// WGS-84 → GCJ-02. Points outside mainland China are returned unchanged.
pub fn wgs84_to_gcj02(lat: f64, lng: f64) -> (f64, f64) {
    if !in_mainland_china(lat, lng) {
        return (lat, lng);
    }
    let (dlat, dlng) = gcj_delta(lat, lng);
    (lat + dlat, lng + dlng)
}

/// GCJ-02 → WGS-84 by fixed-point iteration: find w with f(w) = g. Stops when
/// the forward image is within 1e-9° (about 0.1 mm) of the input or after 30
/// rounds; converges in a handful of rounds because the offset varies slowly.
pub fn gcj02_to_wgs84(lat: f64, lng: f64) -> (f64, f64) {
    if !in_mainland_china(lat, lng) {
        return (lat, lng);
    }
    let (mut wlat, mut wlng) = (lat, lng);
    for _ in 0..30 {
        let (flat, flng) = wgs84_to_gcj02(wlat, wlng);
        let (elat, elng) = (flat - lat, flng - lng);
        wlat -= elat;
        wlng -= elng;
        if elat.abs() < 1e-9 && elng.abs() < 1e-9 {
            break;
        }
    }
    (wlat, wlng)
}

const X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(lat: f64, lng: f64) -> (f64, f64) {
    let z = (lng * lng + lat * lat).sqrt() + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lng) + 0.000_003 * (lng * X_PI).cos();
    (z * theta.sin() + 0.006, z * theta.cos() + 0.0065)
}

/// BD-09 → GCJ-02.
pub fn bd09_to_gcj02(lat: f64, lng: f64) -> (f64, f64) {
    let x = lng - 0.0065;
    let y = lat - 0.006;
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * X_PI).cos();
    (z * theta.sin(), z * theta.cos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference pairs (WGS-84 lat, lng → GCJ-02 lat, lng) published in the
    /// test suite of googollee/eviltransform (python/tests.py, `TESTS`):
    /// Shanghai, Shenzhen, Beijing.
    const EVILTRANSFORM_PAIRS: [(f64, f64, f64, f64); 3] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ];

    #[test]
    fn wgs84_to_gcj02_matches_published_pairs() {
        for (wlat, wlng, glat, glng) in EVILTRANSFORM_PAIRS {
            let (lat, lng) = wgs84_to_gcj02(wlat, wlng);
            assert!((lat - glat).abs() < 1e-9, "{lat} vs {glat}");
            assert!((lng - glng).abs() < 1e-9, "{lng} vs {glng}");
        }
    }

    #[test]
    fn gcj02_to_wgs84_inverts_published_pairs_within_a_metre() {
        for (wlat, wlng, glat, glng) in EVILTRANSFORM_PAIRS {
            let (lat, lng) = gcj02_to_wgs84(glat, glng);
            let err = haversine_m(lat, lng, wlat, wlng);
            assert!(err < 0.01, "error {err} m");
        }
    }

    /// wandergis/coordtransform test/app.js documents these results for the
    /// input (lng 116.404, lat 39.915).
    #[test]
    fn matches_coordtransform_documented_results() {
        let (lat, lng) = wgs84_to_gcj02(39.915, 116.404);
        assert!((lng - 116.41024449916938).abs() < 1e-9);
        assert!((lat - 39.91640428150164).abs() < 1e-9);
        let (lat, lng) = bd09_to_gcj02(39.915, 116.404);
        assert!((lng - 116.39762729119315).abs() < 1e-9);
        assert!((lat - 39.90865673957631).abs() < 1e-9);
        let (lat, lng) = gcj02_to_bd09(39.915, 116.404);
        assert!((lng - 116.41036949371029).abs() < 1e-9);
        assert!((lat - 39.92133699351021).abs() < 1e-9);
    }

    #[test]
    fn points_outside_china_are_never_shifted() {
        for (lat, lng) in [
            (51.5, -0.12),
            (-33.9, 151.2),
            (25.03, 121.56),
            (47.9, 106.9),
        ] {
            assert_eq!(wgs84_to_gcj02(lat, lng), (lat, lng));
            assert_eq!(gcj02_to_wgs84(lat, lng), (lat, lng));
        }
    }

    #[test]
    fn offset_in_longwan_is_larger_than_a_geofence() {
        let w = GeoPoint::wgs84(27.93, 120.82).unwrap();
        let g = w.to_datum(Datum::Gcj02);
        let naive = haversine_m(w.lat, w.lng, g.lat, g.lng);
        assert!((300.0..700.0).contains(&naive), "offset {naive} m");
        // The datum-aware distance between the two is (almost) zero.
        assert!(w.distance_m(g) < 0.01);
    }

    #[test]
    fn validation_distinguishes_swapped_from_out_of_range() {
        assert_eq!(
            validate_lat_lng(120.8, 27.9),
            Err(CoordError::LatLngSwapped {
                lat: 120.8,
                lng: 27.9
            })
        );
        assert!(matches!(
            validate_lat_lng(95.0, 120.0),
            Err(CoordError::LatitudeOutOfRange(_))
        ));
        assert!(matches!(
            validate_lat_lng(f64::NAN, 120.0),
            Err(CoordError::LatitudeOutOfRange(_))
        ));
        assert!(matches!(
            validate_lat_lng(27.0, 181.0),
            Err(CoordError::LongitudeOutOfRange(_))
        ));
    }

    #[test]
    fn datum_names_parse() {
        assert_eq!("WGS-84".parse::<Datum>().unwrap(), Datum::Wgs84);
        assert_eq!("gcj02".parse::<Datum>().unwrap(), Datum::Gcj02);
        assert_eq!("BD-09".parse::<Datum>().unwrap(), Datum::Bd09);
        assert!("utm".parse::<Datum>().is_err());
    }

    proptest! {
        /// GCJ-02 → WGS-84 → GCJ-02 stays within 1 m anywhere in mainland
        /// China (the Foundation issue's bound), and so does BD-09.
        #[test]
        fn round_trip_error_is_below_one_metre(lat in 18.0f64..53.0, lng in 74.0f64..134.0) {
            // The offset (at most ~700 m) is discontinuous at the outline's
            // edges, where a GCJ-02 point may have no WGS-84 preimage at
            // all (e.g. 21.0276, 108.0534 next to the Vietnam border
            // rectangle): only points ~1 km inside the outline count.
            let margin = 0.01;
            prop_assume!([-margin, 0.0, margin].iter().all(|dl| {
                [-margin, 0.0, margin]
                    .iter()
                    .all(|dg| in_mainland_china(lat + dl, lng + dg))
            }));
            let g = GeoPoint::new(lat, lng, Datum::Gcj02).unwrap();
            let w = g.to_wgs84();
            // Within a few hundred metres of the outline's edge a GCJ-02
            // point can have its WGS-84 preimage outside the outline, where
            // nothing is shifted: such points are no mainland positions.
            prop_assume!(in_mainland_china(w.lat, w.lng));
            let back = w.to_datum(Datum::Gcj02);
            prop_assert!(haversine_m(lat, lng, back.lat, back.lng) < 1.0);
            let b = GeoPoint::new(lat, lng, Datum::Bd09).unwrap();
            let w = b.to_wgs84();
            prop_assume!(in_mainland_china(w.lat, w.lng));
            let back = w.to_datum(Datum::Bd09);
            prop_assert!(haversine_m(lat, lng, back.lat, back.lng) < 1.0);
        }
    }
}
