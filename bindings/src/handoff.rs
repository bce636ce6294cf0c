//! "Navigate" from a place's detail: the map apps the place can be handed
//! to, each URI with the coordinates in the datum that app reads (the
//! core's `geo::handoff`). The shell keeps the installed ones and opens the
//! one the user picks; "call" is the platform's dialer with the place's
//! phone.

use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::handoff;

use crate::{LawCircleError, Point};

/// The phone's platform (the URI schemes differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MobilePlatform {
    Android,
    Ios,
}

/// A map app a place can be handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MapApp {
    Amap,
    Baidu,
    Tencent,
    AppleMaps,
    /// Any app handling `geo:` URIs (Android's chooser).
    SystemGeo,
}

impl From<handoff::MapApp> for MapApp {
    fn from(app: handoff::MapApp) -> Self {
        match app {
            handoff::MapApp::Amap => MapApp::Amap,
            handoff::MapApp::Baidu => MapApp::Baidu,
            handoff::MapApp::Tencent => MapApp::Tencent,
            handoff::MapApp::AppleMaps => MapApp::AppleMaps,
            handoff::MapApp::SystemGeo => MapApp::SystemGeo,
        }
    }
}

/// One way to open walking directions.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MapHandoff {
    pub app: MapApp,
    /// What the chooser shows, e.g. 高德地图 Amap.
    pub label: String,
    pub uri: String,
    /// On Android, the app's package (to check it is installed); `None`
    /// for any app handling `geo:`.
    pub android_package: Option<String>,
}

/// The map apps that can walk the user to `place` (named `name`), mainland
/// apps first. `source` names this app to the map apps that ask.
#[uniffi::export]
pub fn map_handoffs(
    place: Point,
    name: String,
    platform: MobilePlatform,
    source: String,
) -> Result<Vec<MapHandoff>, LawCircleError> {
    let place: GeoPoint = place.try_into()?;
    let platform = match platform {
        MobilePlatform::Android => handoff::Platform::Android,
        MobilePlatform::Ios => handoff::Platform::Ios,
    };
    Ok(handoff::map_handoffs(place, &name, platform, &source)
        .into_iter()
        .map(|h| MapHandoff {
            app: h.app.into(),
            label: h.app.label().to_string(),
            uri: h.uri,
            android_package: h.app.android_package().map(str::to_string),
        })
        .collect())
}
