//! Orders (工单): what becomes of a need that cannot be solved on the spot,
//! from the offer or dispatch to the rating, and how the station watches
//! over them.
//!
//! * [`order`]: the order state machine (抢单, 派单, 转办, 一事一评) with its
//!   audit trail and the preconditions of the server's updates;
//! * [`dispatch`]: who may be offered an order, ranked suggestions (派单推荐);
//! * [`rating`]: ratings (一事一评), satisfaction, low-rating call-backs;
//! * [`spot_check`]: the weekly random sample of resolved orders (抽查);
//! * [`warning`]: early-warning rules as data and the warning lifecycle
//!   (异常预警督办);
//! * [`indicators`]: the indicator display (数据指标晾晒) next to the plan's
//!   targets, hotline call records, Prometheus text.

pub mod dispatch;
pub mod indicators;
pub mod order;
pub mod rating;
pub mod spot_check;
pub mod warning;
