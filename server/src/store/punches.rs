//! Punches as the server keeps them: listing, supervisor reviews, the
//! signals the warning rules read, and erasing exact locations after the
//! retention period.

use super::{Store, StoreError, decode, encode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::orders::warning::{PunchSignal, PunchSignalKind};
use lawcircle_core::volunteers::clock_in::Verdict;
use lawcircle_core::volunteers::punch::{Punch, PunchWarning};
use sqlx::Row;

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

    /// Punches the server received at or after `since`, optionally of one
    /// volunteer: enough to find open clock-ins (a clock-in older than the
    /// session limit no longer counts), without reading every punch ever.
    pub async fn punches_received_since(
        &self,
        volunteer: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Punch>, StoreError> {
        // One volunteer's through their chain's index, all through
        // `punches_by_received`: never a walk of every punch.
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
                sqlx::query(
                    "SELECT id, data FROM punches WHERE received_at >= $1
                     ORDER BY volunteer_id, seq",
                )
                .bind(millis(since))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1)))
            .collect()
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
        sqlx::query("UPDATE punches SET data = $1 WHERE id = $2 AND hash = $3")
            .bind(encode("punches", &punch.id, punch)?)
            .bind(&punch.id)
            .bind(&punch.hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Erases the exact location of punches received before `before`;
    /// returns how many were erased.
    ///
    /// `from`: punches received before it were handled by an earlier
    /// call (the background job passes where its last run's cut-off was),
    /// so only those that crossed the retention limit since are read.
    pub async fn erase_punch_locations(
        &self,
        before: DateTime<Utc>,
        from: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data FROM punches WHERE received_at < $1 AND received_at >= $2",
        )
        .bind(millis(before))
        .bind(from.map_or(i64::MIN, millis))
        .fetch_all(&self.pool)
        .await?;
        let mut erased = 0;
        for r in &rows {
            let mut p: Punch = decode("punches", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
            if p.location_erased_at.is_none() && p.fix.is_some() {
                p.erase_location(now);
                self.update_punch_data(&p).await?;
                erased += 1;
            }
        }
        Ok(erased)
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
    pub async fn punch_signals_since(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<PunchSignal>, StoreError> {
        let Some(since) = since else {
            return self.punch_signals().await;
        };
        let recent = signals_of(&self.punches_received_since(None, since).await?);
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
            out.extend(
                signals_of(&self.punches(Some(&v), None).await?)
                    .into_iter()
                    .filter(|s| s.kind == PunchSignalKind::OutOfFence),
            );
        }
        Ok(out)
    }
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
