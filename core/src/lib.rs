//! LawCircle core: the domain rules of the 15-minute public legal service
//! circle (15分钟公共法律服务圈), shared by the phone (through the UniFFI
//! bindings) and the platform server, so that the server re-checks exactly
//! what the phone decided. Pure rules: no network and no database (the
//! phone's outbox and sync client are the `lawcircle-client` crate).
//!
//! Modules by domain, in the order a need travels:
//! * [`geo`]: coordinates and datums, polygons, the walking network, the
//!   nearest service point;
//! * [`circle`]: coverage of the 15-minute circle, siting, isochrones;
//! * [`catalogue`]: areas, facilities, opening hours, duty posts, their
//!   import and export;
//! * [`volunteers`]: the pool, specialties, geofenced clock-in, the punch
//!   chain, duty hours and stars;
//! * [`needs`]: legal needs (法律服务需求) and their validation;
//! * [`applications`]: online application types (线上申请) as versioned
//!   data, answer validation, the legal aid pre-assessment, the generic
//!   form model, Open311 GeoReport v2;
//! * [`orders`]: the order state machine, dispatch, ratings, spot checks,
//!   early warnings, indicators;
//! * [`compensation`]: compensation calculators (赔偿计算) with itemised,
//!   sourced breakdowns.
//!
//! Rules every domain uses:
//! * [`authz`]: the one access decision (role × action table plus scoping);
//! * [`validation`]: field errors as forms show them;
//! * [`privacy`]: masking of phone and ID numbers, the reason rule of
//!   audited reads;
//! * [`calendar`]: China Standard Time, working days and deadlines;
//! * [`content`]: content-addressed photos and attachments;
//! * [`language`]: the language the core's words are rendered in.

pub mod applications;
pub mod catalogue;
pub mod circle;
pub mod compensation;
pub mod geo;
pub mod needs;
pub mod orders;
pub mod volunteers;

pub mod authz;
pub mod calendar;
pub mod content;
pub mod language;
pub mod privacy;
pub mod validation;

#[cfg(test)]
mod test_support;

/// The 15-minute walk of the Longwan plan: 1.2 km (so 4.8 km/h).
pub const FIFTEEN_MINUTE_WALK_M: f64 = 1200.0;
/// Walking speed implied by the plan, in metres per minute (4.8 km/h).
pub const WALKING_SPEED_M_PER_MIN: f64 = 80.0;
