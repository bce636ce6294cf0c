//! The staff web console (工作台), served at `/console` from files built
//! into the binary, so there is nothing else to start or deploy.
//!
//! The files are hand-written ES modules, CSS and HTML under
//! `server/console/`; no build step. They are public (the page holds no
//! data); every API call the console makes carries the staff member's
//! bearer token. The map is drawn from the platform's own data, so the
//! console works offline: the content security policy allows this origin
//! only.

use crate::api::headers::set_fixed;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Serialize;

/// Why a console setting was refused at start-up.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConsoleConfigError {
    #[error(
        "console tile URL {0:?}: expected http(s)://host/…{{z}}…{{x}}…{{y}}… (e.g. https://tiles.example/{{z}}/{{x}}/{{y}}.png)"
    )]
    BadTileUrl(String),
}

/// What the console is configured with (`serve --console-tile-url`, or
/// `console_tile_url` in the configuration file). Without a tile URL the
/// map is drawn from the platform's own data only, which also works
/// offline; with one, tiles are drawn under it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsoleSettings {
    /// A tile URL template with `{z}`, `{x}` and `{y}` (Web Mercator, XYZ).
    pub tile_url: Option<String>,
    /// The attribution the tile provider asks for.
    pub tile_attribution: Option<String>,
    /// The tile server's origin, allowed as an image source.
    #[serde(skip)]
    tile_origin: Option<String>,
}

impl ConsoleSettings {
    pub fn new(
        tile_url: Option<String>,
        tile_attribution: Option<String>,
    ) -> Result<Self, ConsoleConfigError> {
        let tile_origin = match &tile_url {
            None => None,
            Some(url) => {
                Some(tile_origin(url).ok_or_else(|| ConsoleConfigError::BadTileUrl(url.clone()))?)
            }
        };
        Ok(ConsoleSettings {
            tile_url,
            tile_attribution,
            tile_origin,
        })
    }
}

/// `scheme://host[:port]` of a tile template that has `{z}`, `{x}`, `{y}`.
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") || !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p))
    {
        return None;
    }
    let host = rest.split('/').next().filter(|h| {
        !h.is_empty()
            && h.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '{' | '}' | '[' | ']')
            })
    })?;
    // A `{s}` subdomain placeholder becomes a wildcard source.
    Some(format!("{scheme}://{}", host.replace("{s}", "*")))
}

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($path:literal, $ct:expr) => {
        Asset {
            path: $path,
            content_type: $ct,
            body: include_str!(concat!("../console/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("i18n.js", JS),
    asset!("dom.js", JS),
    asset!("map.js", JS),
    asset!("orders.js", JS),
    asset!("warnings.js", JS),
    asset!("spotchecks.js", JS),
    asset!("indicators.js", JS),
    asset!("volunteers.js", JS),
    asset!("facilities.js", JS),
    asset!("services.js", JS),
    asset!("accounts.js", JS),
    asset!("detail.js", JS),
    asset!("hotline.js", JS),
    asset!("audit.js", JS),
    asset!("siting.js", JS),
];

/// Only this origin (and a configured tile server, for images): no
/// third-party scripts, styles or fonts.
fn csp(tile_origin: Option<&str>) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:{}; style-src 'self'; script-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'",
        tile_origin.map(|o| format!(" {o}")).unwrap_or_default()
    )
}

fn serve_asset(path: &str, settings: &ConsoleSettings) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "no such console file").into_response();
    };
    let mut response = asset.body.into_response();
    let headers = response.headers_mut();
    // The files change with the binary: revalidate (no-cache) rather than
    // cache stale modules across an upgrade.
    set_fixed(
        headers,
        &[
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
    );
    if let Ok(v) = HeaderValue::from_str(&csp(settings.tile_origin.as_deref())) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

async fn index(State(state): State<AppState>) -> Response {
    serve_asset("index.html", &state.console)
}

async fn file(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    match path.as_str() {
        "" => serve_asset("index.html", &state.console),
        "config.json" => axum::Json(state.console.as_ref().clone()).into_response(),
        other => serve_asset(other, &state.console),
    }
}

/// The console's routes: `/console` redirects to `/console/` so relative
/// module URLs resolve, which serves the page; `/console/{file}` the rest;
/// `/console/config.json` the settings above.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(index))
        .route("/console/{*path}", get(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_imported_by_the_page_is_embedded() {
        // Each `./x.js` a module imports must be in ASSETS, or the console
        // breaks only in the browser.
        for asset in ASSETS {
            for part in asset.body.split("from \"./").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|a| a.path == name),
                    "{} imports {name}, which is not embedded",
                    asset.path
                );
            }
        }
    }

    #[test]
    fn unknown_files_are_not_found() {
        let s = ConsoleSettings::default();
        assert_eq!(
            serve_asset("../Cargo.toml", &s).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(serve_asset("index.html", &s).status(), StatusCode::OK);
    }

    #[test]
    fn a_tile_server_is_allowed_for_images_only() {
        let s = ConsoleSettings::new(
            Some("https://{s}.tiles.example:8443/{z}/{x}/{y}.png".into()),
            None,
        )
        .unwrap();
        let policy = csp(s.tile_origin.as_deref());
        assert!(policy.contains("img-src 'self' data: https://*.tiles.example:8443;"));
        assert!(policy.contains("connect-src 'self';"));
        assert_eq!(
            csp(None).split("img-src").nth(1).unwrap().split(';').next(),
            Some(" 'self' data:")
        );
        for bad in [
            "ftp://x/{z}/{x}/{y}",
            "https://x/tiles.png",
            "https://x y/{z}/{x}/{y}",
            "javascript:alert(1)//{z}{x}{y}",
        ] {
            assert_eq!(
                ConsoleSettings::new(Some(bad.into()), None).unwrap_err(),
                ConsoleConfigError::BadTileUrl(bad.into())
            );
        }
    }
}
