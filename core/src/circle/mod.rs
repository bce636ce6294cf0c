//! The 15-minute circle itself: who is within a 15-minute walk of which
//! service, where to open the next facility, and the walk drawn on a map.
//!
//! * [`coverage`]: coverage per village, street and district against the
//!   plan's targets, with the gap list;
//! * [`siting`]: where to open new facilities (greedy maximum coverage);
//! * [`isochrone`]: the 15-minute walking isochrone of a facility (GeoJSON).

pub mod coverage;
pub mod isochrone;
pub mod siting;
