//! What ranking volunteers for an order reads besides the volunteers
//! themselves: their current load, their ratings and their roles, each in
//! one query that does not walk the order or rating history.

use super::{Store, StoreError};
use lawcircle_core::authz::Role;
use lawcircle_core::orders::order::OrderState;
use sqlx::Row;
use std::collections::HashMap;

/// The states in which an order is someone's current load.
const ACTIVE: [OrderState; 3] = [
    OrderState::Claimed,
    OrderState::Assigned,
    OrderState::InProgress,
];

/// Ratings of the orders an assignee held: how many and their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingSum {
    pub count: i64,
    pub score_sum: i64,
}

impl RatingSum {
    /// The mean score (none without ratings).
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.score_sum as f64 / self.count as f64)
    }
}

impl Store {
    /// How many claimed, assigned and in-progress orders each assignee
    /// holds (through `orders_by_state_assignee`: active orders only).
    pub async fn active_loads(&self) -> Result<HashMap<String, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT assignee, COUNT(*) FROM orders
             WHERE state IN ($1, $2, $3) AND assignee IS NOT NULL
             GROUP BY assignee",
        )
        .bind(ACTIVE[0].as_str())
        .bind(ACTIVE[1].as_str())
        .bind(ACTIVE[2].as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get(1)?;
                Ok((r.try_get(0)?, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    /// Each assignee's ratings (kept with every rating recorded).
    pub async fn assignee_ratings(&self) -> Result<HashMap<String, RatingSum>, StoreError> {
        let rows = sqlx::query("SELECT assignee, n, score_sum FROM assignee_ratings")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    RatingSum {
                        count: r.try_get(1)?,
                        score_sum: r.try_get(2)?,
                    },
                ))
            })
            .collect()
    }

    /// The roles of these accounts (500 per query); unknown ids are absent.
    pub async fn account_roles(&self, ids: &[i64]) -> Result<HashMap<i64, Role>, StoreError> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let places = super::placeholders(1, chunk.len());
            // Only numbered placeholders are spliced in; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, role FROM accounts WHERE id IN ({})",
                places
            )));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let id: i64 = r.try_get(0)?;
                let role: String = r.try_get(1)?;
                let role = role.parse().map_err(|reason| StoreError::Corrupt {
                    table: "accounts",
                    id: id.to_string(),
                    reason,
                })?;
                out.insert(id, role);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::RatingSum;
    use crate::store::{NewAccount, OrderFilter};
    use chrono::{Duration, Utc};
    use lawcircle_core::authz::Role;
    use lawcircle_core::catalogue::area::AreaLevel;
    use lawcircle_core::orders::order::{
        Actor, NewOrder, Order, OrderEvent, OrderKind, OrderState,
    };
    use lawcircle_core::orders::rating::Rating;
    use std::collections::HashMap;

    #[tokio::test]
    async fn loads_ratings_and_roles_equal_those_of_every_order_and_rating() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "dispatch_inputs").await {
            let mut ids = Vec::new();
            for (n, role) in [Role::Volunteer, Role::Lawyer, Role::Volunteer, Role::Lawyer]
                .into_iter()
                .enumerate()
            {
                let a = store
                    .create_account(
                        NewAccount {
                            username: format!("u{n}"),
                            display_name: format!("u{n}"),
                            role,
                            street_code: Some("330303001".into()),
                            phone: None,
                            id_number: None,
                            password_hash: "x".into(),
                        },
                        Utc::now(),
                    )
                    .await
                    .unwrap();
                ids.push(a.id);
            }
            let t0 = Utc::now() - Duration::days(3);
            // Each order goes a step further than the one before (open,
            // claimed, in progress, resolved, rated, declined), among
            // the four accounts.
            for n in 0..48usize {
                let at = t0 + Duration::minutes(i64::try_from(n).unwrap());
                let mut o = Order::new(
                    NewOrder {
                        id: format!("O{n:02}"),
                        need_id: n.to_string(),
                        requester_id: "r".into(),
                        kind: OrderKind::Consultation,
                        category: "consultation".into(),
                        urgent: false,
                        level: AreaLevel::Street,
                        area_code: "330303001".into(),
                        street_code: "330303001".into(),
                    },
                    at,
                    None,
                );
                o.apply(OrderEvent::Open, Actor::system("intake"), at)
                    .unwrap();
                let who = ids[(n / 6) % ids.len()].to_string();
                let me = Actor::user(who.clone(), Role::Volunteer);
                let step = n % 6;
                if step >= 1 {
                    let grab = OrderEvent::Grab { volunteer: who };
                    o.apply(grab, me.clone(), at).unwrap();
                }
                if step == 5 {
                    let decline = OrderEvent::Decline {
                        reason: "忙".into(),
                    };
                    o.apply(decline, me.clone(), at).unwrap();
                } else if step >= 2 {
                    o.apply(OrderEvent::Start, me.clone(), at).unwrap();
                }
                if (3..5).contains(&step) {
                    let resolve = OrderEvent::Resolve {
                        note: "答复".into(),
                    };
                    o.apply(resolve, me, at).unwrap();
                }
                store.insert_order(&o).await.unwrap();
                if step == 4 {
                    let score = u8::try_from(1 + (n / 6) % 5).unwrap();
                    let rating = Rating {
                        order_id: o.id.clone(),
                        score,
                        comment: None,
                        rated_by: "r".into(),
                        at,
                    };
                    store.insert_rating(&rating).await.unwrap();
                }
            }
            // As computed from every order and rating.
            let orders = store.orders(&OrderFilter::default()).await.unwrap();
            let ratings = store.ratings().await.unwrap();
            let mut loads: HashMap<String, u32> = HashMap::new();
            let mut sums: HashMap<String, RatingSum> = HashMap::new();
            for o in &orders {
                let Some(a) = &o.assignee else { continue };
                if matches!(
                    o.state,
                    OrderState::Claimed | OrderState::Assigned | OrderState::InProgress
                ) {
                    *loads.entry(a.clone()).or_default() += 1;
                }
                for r in ratings.iter().filter(|r| r.order_id == o.id) {
                    let s = sums.entry(a.clone()).or_default();
                    s.count += 1;
                    s.score_sum += i64::from(r.score);
                }
            }
            assert_eq!(loads.len(), 4, "{loads:?}");
            assert_eq!(sums.len(), 4, "{sums:?}");
            assert_eq!(store.active_loads().await.unwrap(), loads);
            assert_eq!(store.assignee_ratings().await.unwrap(), sums);
            let roles = store.account_roles(&ids).await.unwrap();
            for id in &ids {
                let a = store.account(*id).await.unwrap().unwrap();
                assert_eq!(roles.get(id), Some(&a.role));
            }
            assert_eq!(roles.len(), 4);
            assert!(store.account_roles(&[-1]).await.unwrap().is_empty());
        }
    }
}
