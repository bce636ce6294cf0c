//! Response headers that several answers set alike: the fixed headers of
//! pages and assets, and those of a personal-data download (a file the
//! browser saves and neither caches nor sniffs).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, header};

/// Sets each of `fixed` on `headers`, replacing what was there.
pub fn set_fixed(headers: &mut HeaderMap, fixed: &[(HeaderName, &'static str)]) {
    for (name, value) in fixed {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
}

/// A download of personal data: `body` as `content_type`, saved as
/// `filename`, kept by no cache and never content-sniffed.
pub fn private_download(body: Body, content_type: HeaderValue, filename: &str) -> Response<Body> {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    set_fixed(
        h,
        &[
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
    );
    resp
}
