//! Notifications by text message, for people with a verified mobile and
//! no push device: the SMS provider's notice template with the order's id
//! and what happened in a few words (never a description or a contact),
//! within the per-number limit. The provider's answers map to the queue's
//! reactions: a passing fault or our own rate limit is retried later, a
//! refusal (wrong number, template, signature, account, the provider's
//! flow control) is dead-lettered.

use super::channel::{DeliverFuture, DeliveryError, PushChannel, Target};
use super::queue::Message;
use crate::sms::{Sms, SmsError, SmsMessage, SmsPurpose};
use crate::state::Clock;
use crate::store::Store;
use std::collections::BTreeMap;

/// The SMS channel.
#[derive(Debug)]
pub struct SmsChannel {
    sms: Sms,
    store: Store,
    clock: Clock,
}

impl SmsChannel {
    pub fn new(sms: Sms, store: Store, clock: Clock) -> Self {
        SmsChannel { sms, store, clock }
    }

    async fn send(&self, to: &Target, message: &Message) -> Result<(), DeliveryError> {
        let account =
            self.store
                .account(to.account_id)
                .await
                .map_err(|e| DeliveryError::Retry {
                    reason: e.to_string(),
                    after_secs: None,
                })?;
        let Some(phone) = account.and_then(|a| a.phone).filter(|p| !p.is_empty()) else {
            return Err(DeliveryError::Gone {
                reason: "the account has no mobile number".into(),
            });
        };
        let mut params = BTreeMap::new();
        params.insert(
            "order".to_string(),
            message.order_id.clone().unwrap_or_default(),
        );
        params.insert("status".to_string(), message.title.clone());
        let text = SmsMessage {
            phone,
            purpose: SmsPurpose::Notice,
            params,
        };
        match self
            .sms
            .send(&self.store, &text, None, self.clock.now())
            .await
        {
            Ok(_) => Ok(()),
            Err(SmsError::RateLimited { retry_after_secs }) => Err(DeliveryError::Retry {
                reason: "the per-number limit of notifications".into(),
                after_secs: Some(retry_after_secs),
            }),
            Err(e @ (SmsError::Retry { .. } | SmsError::Store(_))) => Err(DeliveryError::Retry {
                reason: e.to_string(),
                after_secs: None,
            }),
            Err(e @ (SmsError::GiveUp { .. } | SmsError::NotConfigured)) => {
                Err(DeliveryError::Refused {
                    reason: e.to_string(),
                })
            }
        }
    }
}

impl PushChannel for SmsChannel {
    fn kind(&self) -> &'static str {
        "sms"
    }

    fn deliver<'a>(&'a self, to: &'a Target, message: &'a Message) -> DeliverFuture<'a> {
        Box::pin(self.send(to, message))
    }
}
