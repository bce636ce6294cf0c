//! Places and distances: points with their datum, polygons, the walking
//! network and the nearest service point.
//!
//! * [`coord`]: points with their datum (WGS-84, GCJ-02, BD-09) and the
//!   conversions between them;
//! * [`geometry`]: polygons (area boundaries, geofences);
//! * [`network`]: the walking network (OpenStreetMap import, compact file,
//!   snapping, Dijkstra);
//! * [`nearest`]: the nearest service point, offline (k-nearest and
//!   within-radius with filters, walking distance when a network is loaded);
//! * [`handoff`]: walking directions to a place in the phone's map app
//!   (Amap, Baidu, Tencent, Apple Maps, `geo:`), each in its own datum.

pub mod coord;
pub mod geometry;
pub mod handoff;
pub mod nearest;
pub mod network;
