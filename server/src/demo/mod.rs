//! The illustrative Longwan demo data set (`data/longwan`), built into the
//! binary so `serve --demo` works from any folder. Not the official
//! registry: see data/longwan/README.md.
//!
//! With `serve --demo` the server also makes demo accounts for every role
//! ([`seed_people`]) with passwords made at start-up and printed once on
//! standard output, and a few days of illustrative activity in 蒲州街道,
//! made through the server's own API so it follows the rules as they are.
//! Every name, phone number and description of it is invented and marked
//! 示例 (illustrative).

mod activity;
mod people;
mod story;

pub use people::{DemoAccount, DemoPeople, DemoPeopleError, demo_password, seed_people};

use crate::importer::{ImportOutcome, import_bytes};
use crate::store::{Store, StoreError};
use lawcircle_core::catalogue::import::{Format, ImportError, RecordKind};

/// The demo files in load order: areas first, so references resolve.
pub const FILES: [(&str, Format, RecordKind, &str); 4] = [
    (
        "data/longwan/areas.csv",
        Format::Csv,
        RecordKind::Areas,
        include_str!("../../../data/longwan/areas.csv"),
    ),
    (
        "data/longwan/facilities.csv",
        Format::Csv,
        RecordKind::Facilities,
        include_str!("../../../data/longwan/facilities.csv"),
    ),
    (
        "data/longwan/duty_posts.csv",
        Format::Csv,
        RecordKind::DutyPosts,
        include_str!("../../../data/longwan/duty_posts.csv"),
    ),
    (
        "data/longwan/duty_post_fences.geojson",
        Format::GeoJson,
        RecordKind::DutyPosts,
        include_str!("../../../data/longwan/duty_post_fences.geojson"),
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
            &mut lawcircle_core::catalogue::import::NoPhotos,
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

// ---------------------------------------------------------------------------
// Demo people and a few days of activity (`serve --demo`)
// ---------------------------------------------------------------------------

/// The street the demo people work in: 蒲州街道 (its station post
/// [`POST`], and [`VILLAGE`], the community nearest to it).
pub const STREET: &str = "330303002";
/// 蒲州示例5社区, where the demo needs come from.
pub const VILLAGE: &str = "330303002005";
/// The station duty post of 蒲州街道 (a 100 m circle).
pub const POST: &str = "LW-P0021";
/// The district (transfers to the district level go here).
pub const DISTRICT: &str = "330303";
/// The first line of the credentials block on standard output.
pub const CREDENTIALS_HEADER: &str =
    "== LawCircle demo accounts (illustrative; new passwords at every start, shown only here) ==";
/// The last line of the credentials block (followed by the console's address).
pub const CREDENTIALS_FOOTER: &str = "== end of demo accounts ==";
