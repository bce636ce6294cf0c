//! LawCircle core: the domain rules of the 15-minute public legal service
//! circle (15分钟公共法律服务圈), shared by the phone (through the UniFFI
//! bindings) and the platform server, so that the server re-checks exactly
//! what the phone decided.
//!
//! One module per concept:
//! * [`coord`]: points with their datum (WGS-84, GCJ-02, BD-09);
//! * [`geometry`]: polygons (area boundaries, fences);
//! * [`area`]: district → street → village/community;
//! * [`facility`]: the 13 facility kinds, the 8 service products;
//! * [`opening_hours`]: weekly schedules with dated exceptions;
//! * [`duty_post`]: duty posts and their fences;
//! * [`volunteer`]: the volunteer pool lifecycle, loans, teams, star levels;
//! * [`clockin`]: the geofenced clock-in decision (签到打卡判定);
//! * [`punch`]: clock-in/out punches, server re-check, review, hash chain;
//! * [`duty_hours`]: duty sessions, hour totals, stars;
//! * [`import`] / [`export`]: CSV and GeoJSON in, GeoJSON out;
//! * [`catalogue`]: applying imports with stable ids and versions;
//! * [`content`]: content-addressed photos and attachments;
//! * [`compensation`]: compensation calculators (赔偿计算) with itemised,
//!   sourced breakdowns;
//! * [`services`]: online application types (线上申请) as versioned data,
//!   field-by-field intake validation, legal aid pre-assessment, the
//!   generic form model;
//! * [`open311`]: the Open311 GeoReport v2 shapes (JSON and XML), the
//!   form-encoded POST and the mapping onto our application types;
//! * [`order`]: the order state machine (工单: 抢单, 派单, 转办, 一事一评)
//!   with its audit trail and the preconditions of the server's updates;
//! * [`working_time`]: working days with holidays and make-up days (调休),
//!   deadlines (办理时限);
//! * [`dispatch`]: who may be offered an order, ranked suggestions (派单推荐);
//! * [`evaluation`]: ratings (一事一评), satisfaction, low-rating call-backs;
//! * [`spot_check`]: the weekly random sample of resolved orders (抽查);
//! * [`warning`]: early-warning rules as data and the warning lifecycle
//!   (异常预警督办);
//! * [`indicators`]: the indicator display (数据指标晾晒) next to the plan's
//!   targets, hotline call records, Prometheus text;
//! * [`authz`]: the role × action table;
//! * [`personal_data`]: masking of phone and ID numbers;
//! * [`need`]: legal needs (法律服务需求) and their validation, shared by
//!   the phone and the server;
//! * `outbox` and `sync` (feature `client`, phone side): the offline
//!   outbox in SQLite and the sync client that drains it;
//! * [`nearest`]: the nearest service point, offline (k-nearest and
//!   within-radius with filters, walking distance when a network is loaded);
//! * [`network`]: the walking network (OpenStreetMap import, compact file,
//!   snapping, Dijkstra);
//! * [`coverage`]: coverage of the 15-minute circle per village, street and
//!   district, with the plan's targets and the gap list;
//! * [`siting`]: where to open new facilities (greedy maximum coverage);
//! * [`isochrone`]: the 15-minute walking isochrone of a facility (GeoJSON).

pub mod area;
pub mod authz;
pub mod catalogue;
pub mod clockin;
pub mod compensation;
pub mod content;
pub mod coord;
pub mod coverage;
pub mod dispatch;
pub mod duty_hours;
pub mod duty_post;
pub mod evaluation;
pub mod export;
pub mod facility;
pub mod geometry;
pub mod import;
pub mod indicators;
pub mod isochrone;
pub mod nearest;
pub mod need;
pub mod network;
pub mod open311;
pub mod opening_hours;
pub mod order;
#[cfg(feature = "client")]
pub mod outbox;
pub mod personal_data;
pub mod punch;
pub mod services;
pub mod siting;
pub mod specialty;
pub mod spot_check;
#[cfg(feature = "client")]
pub mod sync;
#[cfg(test)]
mod test_support;
pub mod volunteer;
pub mod warning;
pub mod working_time;

/// The 15-minute walk of the Longwan plan: 1.2 km (so 4.8 km/h).
pub const FIFTEEN_MINUTE_WALK_M: f64 = 1200.0;
/// Walking speed implied by the plan, in metres per minute (4.8 km/h).
pub const WALKING_SPEED_M_PER_MIN: f64 = 80.0;
