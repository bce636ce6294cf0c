//! Group commit of grabs: one writer task per server gathers the order
//! changes that arrive while it is writing and stores them in one
//! transaction ([`commit_order_changes`]), so a storm of grabs costs a
//! few statements and one flush to disk per batch instead of a
//! transaction per grab. Each change is still decided by its own
//! conditional update (exactly one winner per order, across instances
//! too), and each caller is answered only after the transaction holding
//! its change is committed (durable). Two changes of one order never go
//! in one batch: the later waits for the next and, the order having
//! moved on, loses. A batch that fails is written again change by change,
//! so one failing change loses nothing of the others.

use crate::notifications::Notifications;
use crate::notifications::queue::{OrderChangeCommit, commit_order_changes};
use crate::store::{ORDER_CHANGES_PER_BATCH, Store, StoreError};
use std::collections::{HashSet, VecDeque};
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// A change waiting for the writer, and where its outcome goes.
struct Job {
    change: OrderChangeCommit,
    reply: oneshot::Sender<Result<bool, StoreError>>,
}

/// The handle of the writer task, started on first use.
#[derive(Debug, Default)]
pub struct OrderCommits {
    jobs: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl OrderCommits {
    /// Stores `change` (in a batch with whatever else is waiting) if the
    /// order is still as `change.before`: `true` when it was stored,
    /// `false` when someone else got there first. Answers after the
    /// commit.
    pub async fn commit(
        &self,
        store: &Store,
        notifications: &Notifications,
        change: OrderChangeCommit,
    ) -> Result<bool, StoreError> {
        let jobs = self.jobs.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(write(store.clone(), notifications.clone(), rx));
            tx
        });
        let (reply, outcome) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = jobs.send(Job { change, reply }) {
            // The writer is gone (the runtime is shutting down): written
            // here, alone.
            return Ok(commit_order_changes(
                store,
                notifications,
                std::slice::from_ref(&job.change),
            )
            .await?
            .first()
            .copied()
            .unwrap_or(false));
        }
        outcome.await.map_err(|_| {
            StoreError::Unsupported("the order writer stopped before answering".into())
        })?
    }
}

/// The writer: takes everything waiting, writes it in batches of distinct
/// orders, answers each change after its batch's commit.
async fn write(store: Store, notifications: Notifications, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut waiting: VecDeque<Job> = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match jobs.recv().await {
                Some(job) => waiting.push_back(job),
                None => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            waiting.push_back(job);
        }
        let batch = next_batch(&mut waiting);
        let changes: Vec<OrderChangeCommit> = batch.iter().map(|j| j.change.clone()).collect();
        match commit_order_changes(&store, &notifications, &changes).await {
            Ok(stored) => {
                for (job, stored) in batch.into_iter().zip(stored) {
                    let _ = job.reply.send(Ok(stored));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some(job) = batch.into_iter().next() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, changes = batch.len(), "a batch of order changes failed; writing them one by one");
                for job in batch {
                    let outcome = commit_order_changes(
                        &store,
                        &notifications,
                        std::slice::from_ref(&job.change),
                    )
                    .await
                    .map(|s| s.first().copied().unwrap_or(false));
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

/// Takes from the front of `waiting` up to [`ORDER_CHANGES_PER_BATCH`]
/// changes of distinct orders, oldest first; the others keep their place.
fn next_batch(waiting: &mut VecDeque<Job>) -> Vec<Job> {
    let mut batch = Vec::new();
    let mut ids = HashSet::new();
    let mut rest = VecDeque::with_capacity(waiting.len());
    while let Some(job) = waiting.pop_front() {
        if batch.len() < ORDER_CHANGES_PER_BATCH && ids.insert(job.change.changed.id.clone()) {
            batch.push(job);
        } else {
            rest.push_back(job);
        }
    }
    *waiting = rest;
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use lawcircle_core::authz::Role;
    use lawcircle_core::orders::order::{Actor, Order, OrderEvent, OrderState};
    use std::sync::Arc;

    fn grab(order: &Order, volunteer: usize, now: DateTime<Utc>) -> OrderChangeCommit {
        let mut changed = order.clone();
        changed
            .apply(
                OrderEvent::Grab {
                    volunteer: volunteer.to_string(),
                },
                Actor::user(volunteer.to_string(), Role::Volunteer),
                now,
            )
            .unwrap();
        OrderChangeCommit {
            before: order.clone(),
            changed,
            now,
        }
    }

    #[tokio::test]
    async fn a_storm_of_grabs_with_duplicates_has_one_winner_per_order() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "commits").await {
            let now = Utc::now();
            let orders: Vec<Order> = (1..=20)
                .map(|n| crate::store::test_open_order(n, "330303001", now))
                .collect();
            for o in &orders {
                store.insert_order(o).await.unwrap();
            }
            let commits = Arc::new(OrderCommits::default());
            let notifications = Notifications::default();
            // Ten volunteers for each order, all at once.
            let mut tasks = Vec::new();
            for v in 0..200 {
                let (commits, store, notifications) =
                    (commits.clone(), store.clone(), notifications.clone());
                let change = grab(&orders[v % orders.len()], 1000 + v, now);
                tasks.push(tokio::spawn(async move {
                    let id = change.changed.id.clone();
                    let won = commits.commit(&store, &notifications, change).await;
                    (id, 1000 + v, won.unwrap())
                }));
            }
            let mut winners: std::collections::HashMap<String, Vec<usize>> =
                std::collections::HashMap::new();
            let mut losers = 0;
            for t in tasks {
                let (id, v, won) = t.await.unwrap();
                if won {
                    winners.entry(id).or_default().push(v);
                } else {
                    losers += 1;
                }
            }
            assert_eq!(losers, 180, "{:?}", store.backend());
            assert_eq!(winners.len(), 20);
            for o in &orders {
                let won = &winners[&o.id];
                assert_eq!(won.len(), 1, "{}: {won:?}", o.id);
                let stored = store.order(&o.id).await.unwrap().unwrap();
                assert_eq!(stored.state, OrderState::Claimed);
                assert_eq!(stored.assignee, Some(won[0].to_string()));
                assert_eq!(stored.version, o.version + 1);
            }
            // Each claim counted once in the street's counters.
            let (n,): (i64,) = sqlx::query_as(
                "SELECT n FROM indicator_counters WHERE street_code = '330303001' AND name = 'claim'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            assert_eq!(n, 20);
            // A grab of an order already taken loses, alone too.
            let late = commits
                .commit(&store, &notifications, grab(&orders[0], 9999, now))
                .await
                .unwrap();
            assert!(!late);
        }
    }

    #[tokio::test]
    async fn a_failing_change_does_not_take_the_others_of_its_batch_down() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("fail.sqlite"))
            .await
            .unwrap();
        let now = Utc::now();
        let orders: Vec<Order> = (1..=3)
            .map(|n| crate::store::test_open_order(n, "330303001", now))
            .collect();
        for o in &orders {
            store.insert_order(o).await.unwrap();
        }
        // The database refuses any change of O2.
        sqlx::query(
            "CREATE TRIGGER refuse_o2 BEFORE UPDATE ON orders WHEN NEW.id = 'O2'
             BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let notifications = Notifications::default();
        let changes: Vec<OrderChangeCommit> = orders.iter().map(|o| grab(o, 7, now)).collect();
        // As one batch it fails whole: nothing of it is written.
        assert!(
            commit_order_changes(&store, &notifications, &changes)
                .await
                .is_err()
        );
        assert_eq!(
            store.order("O1").await.unwrap().unwrap().state,
            OrderState::Open
        );
        // Through the writer (in one batch or several), O1 and O3 are
        // stored and only O2 fails.
        let commits = Arc::new(OrderCommits::default());
        let mut tasks = Vec::new();
        for change in changes {
            let (commits, store, notifications) =
                (commits.clone(), store.clone(), notifications.clone());
            tasks.push(tokio::spawn(async move {
                let id = change.changed.id.clone();
                (id, commits.commit(&store, &notifications, change).await)
            }));
        }
        for t in tasks {
            let (id, outcome) = t.await.unwrap();
            match id.as_str() {
                "O2" => assert!(outcome.is_err(), "{outcome:?}"),
                _ => assert!(outcome.unwrap(), "{id}"),
            }
        }
        for (id, state) in [
            ("O1", OrderState::Claimed),
            ("O2", OrderState::Open),
            ("O3", OrderState::Claimed),
        ] {
            assert_eq!(store.order(id).await.unwrap().unwrap().state, state, "{id}");
        }
    }
}
