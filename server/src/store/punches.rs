//! Punches as the server keeps them: listing, supervisor reviews, the
//! signals the warning rules read, and erasing exact locations after the
//! retention period.

use super::{Store, StoreError, decode, encode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::orders::warning::{PunchSignal, PunchSignalKind};
use lawcircle_core::volunteers::clock_in::Verdict;
use lawcircle_core::volunteers::punch::{Punch, PunchStatus, PunchWarning};
use sqlx::Row;

/// A punch's review status as the `status` column holds it.
pub(crate) fn status_name(status: PunchStatus) -> &'static str {
    match status {
        PunchStatus::Accepted => "accepted",
        PunchStatus::Rejected => "rejected",
        PunchStatus::PendingReview => "pending_review",
    }
}

/// Which punches a page of the review queue holds.
#[derive(Debug, Clone, Default)]
pub struct PunchFilter {
    /// Only this volunteer's.
    pub volunteer: Option<String>,
    /// Only this street's.
    pub street: Option<String>,
    /// Only punches of this status.
    pub status: Option<PunchStatus>,
}

impl Store {
    /// Punches, by volunteer and chain position, optionally of one
    /// volunteer and/or street.
    pub async fn punches(
        &self,
        volunteer: Option<&str>,
        street: Option<&str>,
    ) -> Result<Vec<Punch>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data FROM punches WHERE ($1 OR volunteer_id = $2) AND ($3 OR street_code = $4)
             ORDER BY volunteer_id, seq",
        )
        .bind(volunteer.is_none())
        .bind(volunteer.unwrap_or(""))
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1)))
            .collect()
    }

    /// What open clock-ins at `now` are read from: the punches received
    /// within the session limit (of one volunteer, or all) and only the
    /// duty posts those punches were made at.
    pub async fn duty_inputs(
        &self,
        volunteer: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Punch>, Vec<DutyPost>), StoreError> {
        let punches = self
            .punches_received_since(volunteer, open_clock_ins_since(now))
            .await?;
        let ids: Vec<&str> = punches.iter().map(|p| p.post_id.as_str()).collect();
        let posts = self.duty_posts_with_ids(&ids).await?;
        Ok((punches, posts))
    }

    /// Punches the server received at or after `since`, optionally of one
    /// volunteer: enough to find open clock-ins (a clock-in older than the
    /// session limit no longer counts), without reading every punch ever.
    pub async fn punches_received_since(
        &self,
        volunteer: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Punch>, StoreError> {
        // One volunteer's through their chain's index, all through
        // `punches_by_received`: never a walk of every punch. (All of
        // them are put in chain order here, not by the database: asked
        // for that order, SQLite walks the chain index, every punch ever,
        // to avoid a sort of the few it returns.)
        let rows = match volunteer {
            Some(v) => {
                sqlx::query(
                    "SELECT id, data FROM punches WHERE volunteer_id = $1 AND received_at >= $2
                     ORDER BY volunteer_id, seq",
                )
                .bind(v)
                .bind(millis(since))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT id, data FROM punches WHERE received_at >= $1")
                    .bind(millis(since))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut punches = rows
            .iter()
            .map(|r| decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1)))
            .collect::<Result<Vec<Punch>, StoreError>>()?;
        punches.sort_by(|a, b| (&a.volunteer_id, a.seq).cmp(&(&b.volunteer_id, b.seq)));
        Ok(punches)
    }

    /// One page of punches matching `filter` in chain order (volunteer,
    /// seq) after the punch at `after` (volunteer id, seq), at most
    /// `limit`. Only the conditions given are written into the query, so
    /// each shape reads through its index (`punches_by_status`,
    /// `punches_by_street_status`, `punches_by_street`, the chain's unique
    /// key) from where the previous page ended.
    pub async fn punches_page(
        &self,
        filter: &PunchFilter,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<Punch>, StoreError> {
        let mut sql = String::from("SELECT id, data FROM punches WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if filter.street.is_some() {
            sql += &format!(" AND street_code = {}", next());
        }
        if filter.status.is_some() {
            sql += &format!(" AND status = {}", next());
        }
        if filter.volunteer.is_some() {
            sql += &format!(" AND volunteer_id = {}", next());
        }
        if after.is_some() {
            let (v1, v2, s) = (next(), next(), next());
            sql += &format!(" AND (volunteer_id > {v1} OR (volunteer_id = {v2} AND seq > {s}))");
        }
        sql += &format!(" ORDER BY volunteer_id, seq LIMIT {}", next());
        // Audited: only placeholders and fixed column names are written in.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(street) = &filter.street {
            q = q.bind(street);
        }
        if let Some(status) = filter.status {
            q = q.bind(status_name(status));
        }
        if let Some(v) = &filter.volunteer {
            q = q.bind(v);
        }
        if let Some((v, seq)) = after {
            q = q.bind(v).bind(v).bind(seq);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1)))
            .collect()
    }

    /// Sets the status of punches written before the `status` column
    /// existed (or by tools that write rows directly), a thousand at a
    /// time: once, at start. Returns how many were filled.
    pub async fn fill_punch_statuses(&self) -> Result<usize, StoreError> {
        let mut filled = 0;
        loop {
            let rows = sqlx::query(
                "SELECT id, data FROM punches WHERE status IS NULL ORDER BY id LIMIT 1000",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(filled);
            }
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let p: Punch = decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
                sqlx::query("UPDATE punches SET status = $1 WHERE id = $2 AND status IS NULL")
                    .bind(status_name(p.status()))
                    .bind(&p.id)
                    .execute(&mut *tx)
                    .await?;
                filled += 1;
            }
            tx.commit().await?;
        }
    }

    pub async fn punch(&self, id: &str) -> Result<Option<Punch>, StoreError> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM punches WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        data.map(|d| decode("punches", id, &d)).transpose()
    }

    /// Stores a punch's reviews or erased location (never its chained
    /// content: seq, links and hash stay as they were).
    pub async fn update_punch_data(&self, punch: &Punch) -> Result<(), StoreError> {
        // `located` follows the data written: a review written over a
        // copy read before the job erased the location brings the
        // location back, and with it the punch into the job's next batch.
        let located = punch.location_erased_at.is_none() && punch.fix.is_some();
        let status = status_name(punch.status());
        let mut tx = self.begin_write().await?;
        // Before the status is read: a concurrent review of this
        // volunteer's punches commits first, and its status is seen here.
        super::duty_hours::lock_duty_hours_in(&mut tx, &punch.volunteer_id).await?;
        let before: Option<Option<String>> =
            sqlx::query_scalar("SELECT status FROM punches WHERE id = $1 AND hash = $2")
                .bind(&punch.id)
                .bind(&punch.hash)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "UPDATE punches SET data = $1, status = $2, located = $5 WHERE id = $3 AND hash = $4",
        )
        .bind(encode("punches", &punch.id, punch)?)
        .bind(status)
        .bind(&punch.id)
        .bind(&punch.hash)
        .bind(i64::from(located))
        .execute(&mut *tx)
        .await?;
        // Only the status (a review) changes what counts as duty time: an
        // erased location does not.
        if before.is_some_and(|b| b.as_deref() != Some(status)) {
            super::duty_hours::recompute_duty_hours_in(&mut tx, &punch.volunteer_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Erases the exact location of at most `limit` punches received
    /// before `before` that may still hold one (the oldest first, through
    /// `punches_by_located`), in one transaction: returns how many were
    /// read and how many erased. Each punch read is marked as holding no
    /// location, so it is never read again: a backlog (history loaded or
    /// kept while the job did not run) is worked off a batch per call,
    /// and a call with nothing due reads nothing.
    pub async fn erase_punch_locations(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<(usize, usize), StoreError> {
        let rows = sqlx::query(
            "SELECT id, data FROM punches WHERE located = 1 AND received_at < $1
             ORDER BY received_at LIMIT $2",
        )
        .bind(millis(before))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok((0, 0));
        }
        let mut erased = 0;
        // The background job's: ahead of the writers in line (see `Turn`).
        let mut tx = self.begin_write_taking(super::Turn::Ahead).await?;
        for r in &rows {
            let mut p: Punch = decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
            if p.location_erased_at.is_none() && p.fix.is_some() {
                p.erase_location(now);
                sqlx::query(
                    "UPDATE punches SET data = $1, status = $2, located = 0
                     WHERE id = $3 AND hash = $4",
                )
                .bind(encode("punches", &p.id, &p)?)
                .bind(status_name(p.status()))
                .bind(&p.id)
                .bind(&p.hash)
                .execute(&mut *tx)
                .await?;
                erased += 1;
            } else {
                sqlx::query("UPDATE punches SET located = 0 WHERE id = $1")
                    .bind(&p.id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok((rows.len(), erased))
    }

    /// Clock-in anomalies (flags, verdict mismatches) and out-of-fence
    /// attempts, for the warning rules; punches a supervisor already
    /// reviewed are settled and give none.
    pub async fn punch_signals(&self) -> Result<Vec<PunchSignal>, StoreError> {
        Ok(signals_of(&self.punches(None, None).await?))
    }

    /// The signals the background job needs when it last read up to
    /// `since` (everything when `None`): the anomalies of punches received
    /// since, and the whole out-of-fence history of each volunteer with an
    /// out-of-fence attempt received since (runs of attempts are counted
    /// over a volunteer's history, so the runs, and the warnings' keys,
    /// come out as from every punch). Through `punches_by_received`: the
    /// cost follows recent punches, not all punches ever.
    ///
    /// Returns the signals and how many punches were read for them.
    pub async fn punch_signals_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<(Vec<PunchSignal>, usize), StoreError> {
        let Some(since) = since else {
            let all = self.punches(None, None).await?;
            return Ok((signals_of(&all), all.len()));
        };
        let received = self.punches_received_since(None, since).await?;
        let mut read = received.len();
        let recent = signals_of(&received);
        let mut out: Vec<PunchSignal> = Vec::new();
        let mut volunteers = std::collections::BTreeSet::new();
        for s in recent {
            match s.kind {
                PunchSignalKind::Anomaly => out.push(s),
                PunchSignalKind::OutOfFence => {
                    volunteers.insert(s.volunteer_id);
                }
            }
        }
        for v in volunteers {
            let history = self.punches(Some(&v), None).await?;
            read += history.len();
            out.extend(
                signals_of(&history)
                    .into_iter()
                    .filter(|s| s.kind == PunchSignalKind::OutOfFence),
            );
        }
        Ok((out, read))
    }
}

/// The oldest time a punch can have been received and still hold a
/// clock-in open at `now` (an older clock-in has passed the session limit).
pub fn open_clock_ins_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::milliseconds(
        (lawcircle_core::orders::dispatch::MAX_OPEN_SESSION_H * 3_600_000.0) as i64,
    )
}

/// Clock-in anomalies and out-of-fence attempts of `punches`; reviewed
/// punches give none.
fn signals_of(punches: &[Punch]) -> Vec<PunchSignal> {
    let mut out = Vec::new();
    for p in punches.iter().filter(|p| p.reviews.is_empty()) {
        let warnings = p.warnings();
        let out_of_fence = warnings.iter().any(|w| {
            matches!(
                w,
                PunchWarning::NotInside {
                    verdict: Verdict::Outside
                }
            )
        });
        let anomaly = warnings.iter().any(|w| {
            matches!(
                w,
                PunchWarning::VerdictMismatch { .. } | PunchWarning::Flagged { .. }
            )
        });
        for (hit, kind) in [
            (out_of_fence, PunchSignalKind::OutOfFence),
            (anomaly, PunchSignalKind::Anomaly),
        ] {
            if hit {
                out.push(PunchSignal {
                    punch_id: p.id.clone(),
                    volunteer_id: p.volunteer_id.clone(),
                    street_code: p.street_code.clone(),
                    at: p.trusted_time(),
                    kind,
                });
            }
        }
    }
    out
}
