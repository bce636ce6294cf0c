//! The walking network (步行路网) used to measure the 15-minute circle on foot
//! rather than as the crow flies.
//!
//! * [`graph`]: the compact graph ([`WalkingNetwork`]: fixed-point
//!   coordinates plus CSR adjacency with metre weights), its documented
//!   binary file format, and snapping points to the nearest edge (through
//!   a packed grid of the edges, `edge_grid`);
//! * [`dijkstra`]: single- and multi-source shortest paths;
//! * [`chains`]: the graph of junctions with degree-2 chains contracted,
//!   and searches on it between points (coverage, siting);
//! * [`hierarchy`]: the junctions ranked into a contraction hierarchy,
//!   and up to eight one-to-all searches at once as two linear sweeps
//!   (coverage's products);
//! * [`osm`] (cargo feature `osm`, on by default): import from an
//!   OpenStreetMap `.osm.pbf` extract, keeping what a pedestrian may use.
//!
//! With no network loaded, callers fall back to the straight-line distance
//! times [`DEFAULT_DETOUR_FACTOR`], and every result says so
//! ([`DistanceBasis`]).

pub mod chains;
pub mod dijkstra;
mod edge_grid;
pub mod graph;
pub mod hierarchy;
#[cfg(feature = "osm")]
pub mod osm;

pub use chains::{ChainSearch, Contraction, Place};
pub use dijkstra::{DijkstraWorkspace, Seed};
pub use graph::{Snap, WalkingNetwork};
pub use hierarchy::{Hierarchy, LANES, Sweep};

use serde::{Deserialize, Serialize};

/// Straight-line distance × this factor estimates the walking distance when
/// no network is loaded.
///
/// 1.3 is the middle of the route-directness ("circuity") figures reported
/// for walking in cities: Levinson & El-Geneidy (2009, *Regional Science and
/// Urban Economics* 39) measured about 1.2 for home–work pairs in US cities,
/// and pedestrian studies of mixed street grids commonly report 1.2–1.4; in
/// villages with few paths it is higher. Results computed this way are
/// marked [`DistanceBasis::StraightLineTimesDetour`], never passed off as
/// walking distances.
pub const DEFAULT_DETOUR_FACTOR: f64 = 1.3;

/// How far (metres) a point may lie from the nearest walkable edge and still
/// be snapped onto the network. Farther points get
/// [`NetworkError::PointOffNetwork`].
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

/// How a distance in a result was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum DistanceBasis {
    /// Shortest path on the loaded walking network (plus the straight
    /// access legs from each point to its snapped position on the nearest
    /// edge).
    Walking,
    /// No network (or the point could not be snapped to it): straight-line
    /// distance × `factor`.
    StraightLineTimesDetour { factor: f64 },
}

/// What can go wrong with a walking network.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    #[error(
        "the walking network is empty: no walkable ways/edges (check that the extract covers the area and has highway=* ways)"
    )]
    Empty,
    #[error("the network file is not valid: {0}")]
    Corrupt(String),
    #[error("the network file has format version {found}; this build reads version {supported}")]
    UnsupportedVersion { found: u16, supported: u16 },
    #[error("cannot read the OpenStreetMap extract: {0}")]
    Osm(String),
    #[error("I/O error: {0}")]
    Io(String),
    #[error("point {lat},{lng} is not a valid coordinate (NaN, infinite or out of range)")]
    InvalidPoint { lat: f64, lng: f64 },
    #[error(
        "point {lat:.6},{lng:.6} is {distance_m:.0} m from the nearest walkable edge (limit {max_m:.0} m): it lies outside the loaded network"
    )]
    PointOffNetwork {
        lat: f64,
        lng: f64,
        distance_m: f64,
        max_m: f64,
    },
    #[error("invalid graph: {0}")]
    InvalidGraph(String),
}

impl From<std::io::Error> for NetworkError {
    fn from(e: std::io::Error) -> Self {
        NetworkError::Io(e.to_string())
    }
}

/// Minutes needed to walk `metres` at the plan's 4.8 km/h.
pub fn walking_minutes(metres: f64) -> f64 {
    metres / crate::WALKING_SPEED_M_PER_MIN
}
