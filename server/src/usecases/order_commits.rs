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
