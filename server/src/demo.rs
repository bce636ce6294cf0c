//! The illustrative Longwan demo data set (`data/longwan`), built into the
//! binary so `serve --demo` works from any folder. Not the official
//! registry: see data/longwan/README.md.

use crate::importer::{ImportOutcome, import_bytes};
use crate::store::{Store, StoreError};
use lawcircle_core::import::{Format, ImportError, RecordKind};

/// The demo files in load order: areas first, so references resolve.
pub const FILES: [(&str, Format, RecordKind, &str); 4] = [
    (
        "data/longwan/areas.csv",
        Format::Csv,
        RecordKind::Areas,
        include_str!("../../data/longwan/areas.csv"),
    ),
    (
        "data/longwan/facilities.csv",
        Format::Csv,
        RecordKind::Facilities,
        include_str!("../../data/longwan/facilities.csv"),
    ),
    (
        "data/longwan/duty_posts.csv",
        Format::Csv,
        RecordKind::DutyPosts,
        include_str!("../../data/longwan/duty_posts.csv"),
    ),
    (
        "data/longwan/duty_post_fences.geojson",
        Format::GeoJson,
        RecordKind::DutyPosts,
        include_str!("../../data/longwan/duty_post_fences.geojson"),
    ),
];

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Loads the demo data; loading it again changes nothing (stable ids).
pub async fn load(store: &Store) -> Result<Vec<ImportOutcome>, DemoError> {
    let mut outcomes = Vec::new();
    for (name, format, kind, text) in FILES {
        let outcome = import_bytes(
            store,
            name,
            text.as_bytes(),
            format,
            kind,
            false,
            &mut lawcircle_core::import::NoPhotos,
        )
        .await
        .map_err(|e| match e {
            crate::importer::ImportFailure::File(e) => DemoError::Import(e),
            crate::importer::ImportFailure::Store(e) => DemoError::Store(e),
        })?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
