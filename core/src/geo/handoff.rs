//! Handing a service point to the phone's map app for walking directions
//! ("navigate"): the URIs the mainland map apps document, each with the
//! coordinates in the datum that app reads, plus the platform's own maps.
//! One implementation for both shells; they only check which apps are
//! installed and open the first the user picks.
//!
//! | app | Android | iOS | datum |
//! |---|---|---|---|
//! | Amap (高德) | `amapuri://route/plan/` | `iosamap://path` | GCJ-02 (`dev=0`: no further offset) |
//! | Baidu (百度) | `baidumap://map/direction` | same | BD-09 (`coord_type=bd09ll`; WGS-84 outside mainland China) |
//! | Tencent (腾讯) | `qqmap://map/routeplan` | same | GCJ-02 |
//! | Apple Maps | — | `maps://` | GCJ-02 inside mainland China, as MapKit draws |
//! | any map app (`geo:`, RFC 5870) | `geo:` | — | WGS-84 |
//!
//! Points outside mainland China stay WGS-84 (GCJ-02 leaves them unchanged,
//! and Baidu is told `coord_type=wgs84` there), so the same URIs work abroad.

use crate::geo::coord::{Datum, GeoPoint, in_mainland_china};

/// The phone's platform: the URI schemes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
}

/// A map app the place can be handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapApp {
    Amap,
    Baidu,
    Tencent,
    AppleMaps,
    /// Whatever app handles `geo:` URIs (Android's chooser).
    SystemGeo,
}

impl MapApp {
    /// The app's package on Android (to check it is installed), if it is
    /// one app.
    pub fn android_package(self) -> Option<&'static str> {
        match self {
            MapApp::Amap => Some("com.autonavi.minimap"),
            MapApp::Baidu => Some("com.baidu.BaiduMap"),
            MapApp::Tencent => Some("com.tencent.map"),
            MapApp::AppleMaps | MapApp::SystemGeo => None,
        }
    }

    /// What the chooser shows (Chinese first).
    pub fn label(self) -> &'static str {
        match self {
            MapApp::Amap => "高德地图 Amap",
            MapApp::Baidu => "百度地图 Baidu Maps",
            MapApp::Tencent => "腾讯地图 Tencent Maps",
            MapApp::AppleMaps => "Apple 地图 Apple Maps",
            MapApp::SystemGeo => "其他地图 Other map app",
        }
    }

    /// The datum the app reads coordinates of `place` in. Baidu offsets
    /// BD-09 only inside mainland China and reads WGS-84 elsewhere.
    pub fn datum_at(self, place: GeoPoint) -> Datum {
        match self {
            MapApp::Amap | MapApp::Tencent | MapApp::AppleMaps => Datum::Gcj02,
            MapApp::Baidu => {
                let wgs = place.to_datum(Datum::Wgs84);
                if in_mainland_china(wgs.lat, wgs.lng) {
                    Datum::Bd09
                } else {
                    Datum::Wgs84
                }
            }
            MapApp::SystemGeo => Datum::Wgs84,
        }
    }
}

/// One way to hand the place over.
#[derive(Debug, Clone, PartialEq)]
pub struct MapHandoff {
    pub app: MapApp,
    pub uri: String,
}

/// The hand-offs for walking to `place` (named `name`) on `platform`, the
/// mainland apps first. `source` names this app to the map apps that ask
/// (Amap's `sourceApplication`, Baidu's `src`, Tencent's `referer`).
pub fn map_handoffs(
    place: GeoPoint,
    name: &str,
    platform: Platform,
    source: &str,
) -> Vec<MapHandoff> {
    let apps: &[MapApp] = match platform {
        Platform::Android => &[
            MapApp::Amap,
            MapApp::Baidu,
            MapApp::Tencent,
            MapApp::SystemGeo,
        ],
        Platform::Ios => &[
            MapApp::Amap,
            MapApp::Baidu,
            MapApp::Tencent,
            MapApp::AppleMaps,
        ],
    };
    apps.iter()
        .map(|&app| MapHandoff {
            app,
            uri: uri(
                app,
                place.to_datum(app.datum_at(place)),
                name,
                platform,
                source,
            ),
        })
        .collect()
}

fn uri(app: MapApp, p: GeoPoint, name: &str, platform: Platform, source: &str) -> String {
    let (lat, lng) = (format!("{:.6}", p.lat), format!("{:.6}", p.lng));
    // Spaces as %20, not the form encoding's `+`, which not every map app
    // decodes (a literal `+` is already %2B, so every `+` left is a space).
    let query = |pairs: &[(&str, &str)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .replace('+', "%20")
    };
    match (app, platform) {
        // t=2: on foot; dev=0: the coordinates are GCJ-02 already.
        (MapApp::Amap, Platform::Android) => format!(
            "amapuri://route/plan/?{}",
            query(&[
                ("sourceApplication", source),
                ("dlat", &lat),
                ("dlon", &lng),
                ("dname", name),
                ("dev", "0"),
                ("t", "2"),
            ])
        ),
        (MapApp::Amap, Platform::Ios) => format!(
            "iosamap://path?{}",
            query(&[
                ("sourceApplication", source),
                ("dlat", &lat),
                ("dlon", &lng),
                ("dname", name),
                ("dev", "0"),
                ("t", "2"),
            ])
        ),
        (MapApp::Baidu, _) => format!(
            "baidumap://map/direction?{}",
            query(&[
                ("destination", &format!("name:{name}|latlng:{lat},{lng}")),
                (
                    "coord_type",
                    if p.datum == Datum::Bd09 {
                        "bd09ll"
                    } else {
                        "wgs84"
                    },
                ),
                ("mode", "walking"),
                ("src", source),
            ])
        ),
        (MapApp::Tencent, _) => format!(
            "qqmap://map/routeplan?{}",
            query(&[
                ("type", "walk"),
                ("to", name),
                ("tocoord", &format!("{lat},{lng}")),
                ("referer", source),
            ])
        ),
        (MapApp::AppleMaps, _) => format!(
            "maps://?{}",
            query(&[
                ("daddr", &format!("{lat},{lng}")),
                ("q", name),
                ("dirflg", "w"),
            ])
        ),
        // RFC 5870 with the common `q=lat,lng(label)` for a pin.
        (MapApp::SystemGeo, _) => format!(
            "geo:{lat},{lng}?q={}",
            form_urlencoded::byte_serialize(format!("{lat},{lng}({name})").as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(uri: &str) -> Vec<(String, String)> {
        let q = uri.split_once('?').map_or("", |(_, q)| q);
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn get(uri: &str, key: &str) -> String {
        query(uri)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{key} missing in {uri}"))
    }

    /// Longwan's public legal service centre (WGS-84).
    fn centre() -> GeoPoint {
        GeoPoint::wgs84(27.9125, 120.8213).unwrap()
    }

    #[test]
    fn each_app_gets_the_datum_it_reads_and_the_name_survives_encoding() {
        let name = "龙湾区公共法律服务中心 & 调解室 a+b";
        let all = map_handoffs(centre(), name, Platform::Android, "org.lawcircle.app");
        let apps: Vec<MapApp> = all.iter().map(|h| h.app).collect();
        assert_eq!(
            apps,
            [
                MapApp::Amap,
                MapApp::Baidu,
                MapApp::Tencent,
                MapApp::SystemGeo
            ]
        );
        let gcj = centre().to_datum(Datum::Gcj02);
        let bd = centre().to_datum(Datum::Bd09);
        let close = |s: &str, want: f64| (s.parse::<f64>().unwrap() - want).abs() < 1e-6;

        let amap = &all[0].uri;
        assert!(amap.starts_with("amapuri://route/plan/?"), "{amap}");
        assert!(
            amap.contains("%20%26%20") && amap.contains("a%2Bb"),
            "{amap}"
        );
        assert!(close(&get(amap, "dlat"), gcj.lat) && close(&get(amap, "dlon"), gcj.lng));
        assert_eq!(get(amap, "dname"), name);
        assert_eq!(get(amap, "dev"), "0");
        assert_eq!(get(amap, "t"), "2", "on foot");

        let baidu = &all[1].uri;
        assert_eq!(get(baidu, "coord_type"), "bd09ll");
        assert_eq!(get(baidu, "mode"), "walking");
        let dest = get(baidu, "destination");
        let (label, latlng) = dest.split_once("|latlng:").unwrap();
        assert_eq!(label, format!("name:{name}"));
        let (lat, lng) = latlng.split_once(',').unwrap();
        assert!(close(lat, bd.lat) && close(lng, bd.lng));

        let tencent = &all[2].uri;
        assert_eq!(get(tencent, "type"), "walk");
        let (lat, lng) = get(tencent, "tocoord")
            .split_once(',')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap();
        assert!(close(&lat, gcj.lat) && close(&lng, gcj.lng));

        let geo = &all[3].uri;
        assert!(
            geo.starts_with("geo:27.912500,120.821300?q="),
            "WGS-84: {geo}"
        );
        assert_eq!(get(geo, "q"), format!("27.912500,120.821300({name})"));
    }

    #[test]
    fn ios_has_its_own_amap_scheme_and_apple_maps_instead_of_geo() {
        let all = map_handoffs(centre(), "中心", Platform::Ios, "LawCircle");
        let apps: Vec<MapApp> = all.iter().map(|h| h.app).collect();
        assert_eq!(
            apps,
            [
                MapApp::Amap,
                MapApp::Baidu,
                MapApp::Tencent,
                MapApp::AppleMaps
            ]
        );
        assert!(all[0].uri.starts_with("iosamap://path?"));
        assert_eq!(get(&all[0].uri, "sourceApplication"), "LawCircle");
        let apple = &all[3].uri;
        assert_eq!(get(apple, "dirflg"), "w");
        let gcj = centre().to_datum(Datum::Gcj02);
        assert_eq!(
            get(apple, "daddr"),
            format!("{:.6},{:.6}", gcj.lat, gcj.lng)
        );
    }

    #[test]
    fn a_point_given_in_another_datum_is_the_same_place() {
        let from_gcj = centre().to_datum(Datum::Gcj02);
        assert_eq!(
            map_handoffs(from_gcj, "x", Platform::Android, "s")[0],
            map_handoffs(centre(), "x", Platform::Android, "s")[0]
        );
        // Outside mainland China nothing is offset.
        let helsinki = GeoPoint::wgs84(60.1699, 24.9384).unwrap();
        for h in map_handoffs(helsinki, "x", Platform::Ios, "s") {
            assert!(h.uri.contains("60.169900"), "{h:?}");
        }
    }
}
