//! The one trait every push channel implements, and how a failed delivery
//! is classified: the queue retries, drops the device, or gives up.

use super::devices::Device;
use super::queue::Message;
use std::future::Future;
use std::pin::Pin;

/// Why a delivery failed, as the service's documented answer says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// A passing fault (network, 429, 5xx): try again, no earlier than
    /// `after_secs` when the service said (`Retry-After`).
    #[error("try again: {reason}")]
    Retry {
        reason: String,
        after_secs: Option<u64>,
    },
    /// The device is gone (unsubscribed, uninstalled, token expired):
    /// remove it.
    #[error("device gone: {reason}")]
    Gone { reason: String },
    /// The service refused this message and would refuse it again.
    #[error("refused: {reason}")]
    Refused { reason: String },
}

/// A future a channel answers with.
pub type DeliverFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// Where one delivery goes: an account, through one of its push devices
/// or (for SMS) its verified mobile.
#[derive(Debug, Clone)]
pub struct Target {
    pub account_id: i64,
    pub device: Option<Device>,
}

/// A way to reach a phone whose app is closed.
pub trait PushChannel: Send + Sync + std::fmt::Debug {
    /// The channel it is (`notification_deliveries.channel`).
    fn kind(&self) -> &'static str;
    /// Delivers one message to one target, once (the queue retries).
    fn deliver<'a>(&'a self, to: &'a Target, message: &'a Message) -> DeliverFuture<'a>;
}
