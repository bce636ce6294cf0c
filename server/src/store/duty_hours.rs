//! Accepted duty time per volunteer, post, street and month (`duty_hours`),
//! kept with every write of a volunteer's punches, so the staff totals and
//! star levels read these rows instead of pairing every punch ever.

use super::{Store, StoreError, decode};
use lawcircle_core::volunteers::duty_hours::{
    DEFAULT_MAX_SESSION_H, DutyKey, DutyMillis, duty_millis, pair_sessions,
};
use lawcircle_core::volunteers::punch::Punch;
use sqlx::Row;
use std::collections::BTreeMap;

/// Recomputes one volunteer's `duty_hours` rows from their own punches
/// (through the chain's index), inside the transaction that wrote one of
/// them. The volunteer's row in `duty_hours_volunteers` is locked first
/// ([`lock_duty_hours_in`]): two writes of one volunteer's punches
/// recompute one after the other, the second seeing the first's punch.
pub(crate) async fn recompute_duty_hours_in(
    conn: &mut sqlx::AnyConnection,
    volunteer_id: &str,
) -> Result<(), StoreError> {
    lock_duty_hours_in(conn, volunteer_id).await?;
    let rows = sqlx::query("SELECT id, data FROM punches WHERE volunteer_id = $1 ORDER BY seq")
        .bind(volunteer_id)
        .fetch_all(&mut *conn)
        .await?;
    let punches = rows
        .iter()
        .map(|r| {
            decode(
                "punches",
                r.try_get::<&str, _>(0)?,
                r.try_get::<&str, _>(1)?,
            )
        })
        .collect::<Result<Vec<Punch>, StoreError>>()?;
    let (sessions, _issues) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
    let duty = duty_millis(&sessions);
    sqlx::query("DELETE FROM duty_hours WHERE volunteer_id = $1")
        .bind(volunteer_id)
        .execute(&mut *conn)
        .await?;
    for (k, ms) in &duty {
        sqlx::query(
            "INSERT INTO duty_hours (volunteer_id, post_id, street_code, month, duty_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&k.volunteer_id)
        .bind(&k.post_id)
        .bind(&k.street_code)
        .bind(&k.month)
        .bind(*ms)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE duty_hours_volunteers SET filled = 1 WHERE volunteer_id = $1")
        .bind(volunteer_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Locks a volunteer's row in `duty_hours_volunteers` (made, not yet
/// filled, when missing) until the transaction ends: writes of one
/// volunteer's punches that recompute their duty time take it before
/// reading anything, so they run one after the other.
pub(crate) async fn lock_duty_hours_in(
    conn: &mut sqlx::AnyConnection,
    volunteer_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO duty_hours_volunteers (volunteer_id, filled) VALUES ($1, 0)
         ON CONFLICT (volunteer_id) DO UPDATE SET filled = duty_hours_volunteers.filled",
    )
    .bind(volunteer_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The duty time of every volunteer (or only that served in `street`,
    /// through `duty_hours_by_street`) per volunteer, post, street and
    /// month.
    pub async fn duty_millis(&self, street: Option<&str>) -> Result<DutyMillis, StoreError> {
        let rows = match street {
            Some(s) => {
                sqlx::query(
                    "SELECT volunteer_id, post_id, street_code, month, duty_ms FROM duty_hours
                     WHERE street_code = $1",
                )
                .bind(s)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT volunteer_id, post_id, street_code, month, duty_ms FROM duty_hours",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok((
                    DutyKey {
                        volunteer_id: r.try_get(0)?,
                        post_id: r.try_get(1)?,
                        street_code: r.try_get(2)?,
                        month: r.try_get(3)?,
                    },
                    r.try_get(4)?,
                ))
            })
            .collect()
    }

    /// Each volunteer's total duty time in milliseconds (volunteers with
    /// none are absent).
    pub async fn duty_millis_by_volunteer(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT volunteer_id, CAST(SUM(duty_ms) AS BIGINT) FROM duty_hours
             GROUP BY volunteer_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Computes the `duty_hours` rows of volunteers whose punches predate
    /// the table, one volunteer per transaction: once, at start. Returns
    /// how many volunteers were filled.
    pub async fn fill_duty_hours(&self) -> Result<usize, StoreError> {
        let pending: Vec<String> = sqlx::query_scalar(
            "SELECT volunteer_id FROM duty_hours_volunteers WHERE filled = 0 ORDER BY volunteer_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for v in &pending {
            let mut tx = self.begin_write().await?;
            recompute_duty_hours_in(&mut tx, v).await?;
            tx.commit().await?;
        }
        Ok(pending.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use lawcircle_core::catalogue::duty_post::{DutyPost, DutyPostKind};
    use lawcircle_core::catalogue::opening_hours::OpeningHours;
    use lawcircle_core::volunteers::clock_in::{ClockInPolicy, DeviceInstant};
    use lawcircle_core::volunteers::duty_hours::{
        DEFAULT_MAX_SESSION_H, HourTotals, pair_sessions,
    };
    use lawcircle_core::volunteers::pool::Actor;
    use lawcircle_core::volunteers::punch::{Punch, PunchKind, PunchStatus, ReviewDecision};

    fn desk(id: &str, street: &str) -> DutyPost {
        DutyPost {
            id: id.into(),
            name: id.into(),
            kind: DutyPostKind::HotlineDesk {
                hotline: "12348".into(),
            },
            street_code: street.into(),
            facility_id: None,
            shifts: OpeningHours::always(),
            retired: false,
        }
    }

    /// A punch the server accepted at `t`.
    fn accepted(id: &str, vol: &str, post: &DutyPost, kind: PunchKind, t: DateTime<Utc>) -> Punch {
        let policy = ClockInPolicy::default();
        let inst = DeviceInstant {
            wall: t,
            elapsed_ms: 1_000,
        };
        let mut p = Punch::on_device(
            id,
            vol,
            post,
            kind,
            inst,
            None,
            None,
            false,
            Some(t),
            &policy,
        );
        p.reevaluate_on_server(post, None, Some(t), t, &policy);
        assert_eq!(p.status(), PunchStatus::Accepted);
        p
    }

    /// A small deterministic generator (the same mix on every run).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// What the staff endpoint answers for `street`, from the kept rows.
    async fn kept(store: &Store, street: Option<&str>) -> HourTotals {
        let duty = store.duty_millis(street).await.unwrap();
        HourTotals::from_duty(duty.iter().map(|(k, ms)| (k, *ms)), &[])
    }

    /// The same totals from every punch, paired per volunteer.
    async fn from_all_punches(store: &Store, street: Option<&str>) -> HourTotals {
        let punches = store.punches(None, None).await.unwrap();
        let (mut sessions, _) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        sessions.retain(|s| street.is_none_or(|st| s.street_code == st));
        HourTotals::compute(&sessions, &[])
    }

    #[tokio::test]
    async fn kept_duty_hours_equal_the_totals_of_all_punches() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "duty_hours").await {
            let posts = [desk("A", "S1"), desk("B", "S1"), desk("C", "S2")];
            let mut rng = Lcg(7);
            // Two days before a month's end, China time (so sessions
            // cross it).
            let start = Utc.with_ymd_and_hms(2024, 3, 29, 16, 0, 0).unwrap();
            let mut ids = Vec::new();
            for v in 0..6 {
                let vol = format!("v{v}");
                let mut t = start + Duration::minutes(i64::try_from(rng.next(600)).unwrap());
                for n in 0..30 {
                    // Mostly alternating in/out at one post; now and then a
                    // second clock-in, another post or a forgotten
                    // clock-out (a long gap).
                    let kind = if (n + rng.next(5)).is_multiple_of(2) {
                        PunchKind::In
                    } else {
                        PunchKind::Out
                    };
                    let post = &posts[usize::try_from(rng.next(7) % 3).unwrap_or(0)
                        * usize::from(rng.next(4) == 0)];
                    let id = format!("{vol}-{n}");
                    let p = accepted(&id, &vol, post, kind, t);
                    let out = store
                        .append_punch(&id, "h", 1, p, t, |p| (201, p.id.clone()))
                        .await
                        .unwrap();
                    assert!(matches!(out, crate::store::IdempotentOutcome::Done { .. }));
                    ids.push(id);
                    t += Duration::minutes(i64::try_from(30 + rng.next(20 * 60)).unwrap());
                }
            }
            // Reviews: some rejected, some of those accepted again.
            for id in &ids {
                let decision = match rng.next(6) {
                    0 => ReviewDecision::Reject,
                    1 => ReviewDecision::Accept,
                    _ => continue,
                };
                for d in [decision, ReviewDecision::Accept]
                    .iter()
                    .take(1 + usize::from(rng.next(3) == 0))
                {
                    let mut p = store.punch(id).await.unwrap().unwrap();
                    let admin = Actor::DistrictAdmin { id: "1".into() };
                    p.review(admin, start + Duration::days(9), *d, "核实")
                        .unwrap();
                    store.update_punch_data(&p).await.unwrap();
                }
            }
            let all = from_all_punches(&store, None).await;
            assert!(all.by_volunteer.len() >= 5, "{all:?}");
            assert!(all.by_month.len() >= 2, "{all:?}");
            assert_eq!(kept(&store, None).await, all, "{:?}", store.backend());
            for street in ["S1", "S2", "S9"] {
                assert_eq!(
                    kept(&store, Some(street)).await,
                    from_all_punches(&store, Some(street)).await,
                    "{street}"
                );
            }
            let by_volunteer = store.duty_millis_by_volunteer().await.unwrap();
            for (v, h) in &all.by_volunteer {
                let ms = by_volunteer.get(v).copied().unwrap_or(0);
                assert_eq!(
                    lawcircle_core::volunteers::duty_hours::ms_to_hours(ms),
                    h.duty_h
                );
            }
            // Rows from before the table are computed at start.
            sqlx::query("DELETE FROM duty_hours")
                .execute(store.pool())
                .await
                .unwrap();
            sqlx::query("UPDATE duty_hours_volunteers SET filled = 0")
                .execute(store.pool())
                .await
                .unwrap();
            assert_eq!(kept(&store, None).await, HourTotals::default());
            assert_eq!(store.fill_duty_hours().await.unwrap(), 6);
            assert_eq!(kept(&store, None).await, all);
            assert_eq!(store.fill_duty_hours().await.unwrap(), 0);
        }
    }
}
