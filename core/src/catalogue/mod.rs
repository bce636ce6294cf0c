//! The catalogue (资源目录): the district's areas, facilities and duty posts,
//! how they are imported and exported, and the rules for applying an
//! import (stable ids update in place, unchanged records keep their
//! version, references must resolve, a batch applies whole or not at all).
//!
//! * [`area`]: district → street → village/community;
//! * [`facility`]: the 13 facility kinds and the 8 service products;
//! * [`opening_hours`]: weekly schedules with dated exceptions;
//! * [`duty_post`]: duty posts and their fences;
//! * [`import`] / [`export`]: CSV and GeoJSON in, GeoJSON out;
//! * [`apply`]: applying an import to the stored catalogue.

pub mod apply;
pub mod area;
pub mod duty_post;
pub mod export;
pub mod facility;
pub mod import;
pub mod nearest_area;
pub mod opening_hours;

pub use apply::{ApplySummary, Catalogue, CatalogueError, Merge, merge_facility, merge_plain};
