//! The staff web console (工作台), served at `/console` from files built
//! into the binary, so there is nothing else to start or deploy.
//!
//! The files are hand-written ES modules, CSS and HTML under
//! `server/console/`; no build step. They are public (the page holds no
//! data); every API call the console makes carries the staff member's
//! bearer token. The map is drawn from the platform's own data, so the
//! console works offline: the content security policy allows this origin
//! only.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

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
    asset!("indicators.js", JS),
    asset!("volunteers.js", JS),
    asset!("facilities.js", JS),
    asset!("accounts.js", JS),
];

/// Only this origin: no third-party scripts, styles, fonts or tiles.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                   script-src 'self'; connect-src 'self'; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn serve_asset(path: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "no such console file").into_response();
    };
    let mut response = asset.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    // The files change with the binary: revalidate rather than cache stale
    // modules across an upgrade.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn index() -> Response {
    serve_asset("index.html")
}

async fn file(Path(path): Path<String>) -> Response {
    if path.is_empty() {
        serve_asset("index.html")
    } else {
        serve_asset(&path)
    }
}

/// The console's routes: `/console` redirects to `/console/` so relative
/// module URLs resolve, which serves the page; `/console/{file}` the rest.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
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
        assert_eq!(serve_asset("../Cargo.toml").status(), StatusCode::NOT_FOUND);
        assert_eq!(serve_asset("index.html").status(), StatusCode::OK);
    }
}
