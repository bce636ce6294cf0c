//! The volunteer pool's storage. The lifecycle rules are the core's
//! ([`lawcircle_core::volunteers::pool`]); the store keeps each record whole and
//! refuses a write whose version moved underneath it.

use super::{Store, StoreError, conflict_on_unique, decode, encode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Role;
use lawcircle_core::volunteers::pool::{Volunteer, VolunteerState};
use lawcircle_core::volunteers::specialty;
use sqlx::Row;

/// A stored volunteer and its version.
#[derive(Debug, Clone)]
pub struct StoredVolunteer {
    pub account_id: i64,
    pub version: i64,
    pub volunteer: Volunteer,
}

fn state_name(s: VolunteerState) -> &'static str {
    match s {
        VolunteerState::Applied => "applied",
        VolunteerState::Rejected => "rejected",
        VolunteerState::Active => "active",
        VolunteerState::Suspended => "suspended",
        VolunteerState::Exited => "exited",
    }
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredVolunteer, StoreError> {
    from_row_at(row, 0)
}

/// A volunteer row whose columns (id, account id, version, data) start at
/// `first`.
pub(super) fn from_row_at(
    row: &sqlx::any::AnyRow,
    first: usize,
) -> Result<StoredVolunteer, StoreError> {
    let id: String = row.try_get(first)?;
    let data: String = row.try_get(first + 3)?;
    Ok(StoredVolunteer {
        account_id: row.try_get(first + 1)?,
        version: row.try_get(first + 2)?,
        volunteer: decode("volunteers", &id, &data)?,
    })
}

impl Store {
    /// Records a new application. An account may have one open record
    /// (applied, active or suspended) at a time.
    pub async fn insert_volunteer(
        &self,
        account_id: i64,
        make: impl FnOnce(String) -> Result<Volunteer, StoreError>,
        now: DateTime<Utc>,
    ) -> Result<StoredVolunteer, StoreError> {
        let mut tx = self.begin_write().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM volunteers WHERE account_id = $1 AND state IN ('applied', 'active', 'suspended')",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!(
                "an open volunteer record for account {account_id}"
            )));
        }
        let earlier: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM volunteers WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?;
        let id = format!("V{account_id}-{}", earlier + 1);
        let volunteer = make(id.clone())?;
        sqlx::query(
            "INSERT INTO volunteers (id, account_id, home_street, state, version, data, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $6)",
        )
        .bind(&id)
        .bind(account_id)
        .bind(&volunteer.profile.home_street_code)
        .bind(state_name(volunteer.state))
        .bind(encode("volunteers", &id, &volunteer)?)
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique(|| format!("volunteer {id}")))?;
        tx.commit().await?;
        Ok(StoredVolunteer {
            account_id,
            version: 1,
            volunteer,
        })
    }

    pub async fn volunteer(&self, id: &str) -> Result<Option<StoredVolunteer>, StoreError> {
        let row = sqlx::query("SELECT id, account_id, version, data FROM volunteers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every volunteer record of an account (at most one of them open).
    pub async fn volunteers_of_account(
        &self,
        account_id: i64,
    ) -> Result<Vec<StoredVolunteer>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, version, data FROM volunteers WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Volunteers, optionally of one street and/or state, by id.
    pub async fn volunteers(
        &self,
        street: Option<&str>,
        state: Option<VolunteerState>,
    ) -> Result<Vec<StoredVolunteer>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, version, data FROM volunteers
             WHERE ($1 OR home_street = $2) AND ($3 OR state = $4) ORDER BY id",
        )
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(state.is_none())
        .bind(state.map_or("", state_name))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The records in `state` of these accounts (500 accounts per query),
    /// by id: the pool of a few accounts (those on duty) without reading
    /// every volunteer.
    pub async fn volunteers_of_accounts(
        &self,
        account_ids: &[i64],
        state: VolunteerState,
    ) -> Result<Vec<StoredVolunteer>, StoreError> {
        let mut out = Vec::new();
        for chunk in account_ids.chunks(500) {
            let places = super::placeholders(2, chunk.len());
            // Only numbered placeholders are spliced in; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, account_id, version, data FROM volunteers
                 WHERE state = $1 AND account_id IN ({places})"
            )))
            .bind(state_name(state));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(from_row(&r)?);
            }
        }
        out.sort_by(|a, b| a.volunteer.id.cmp(&b.volunteer.id));
        Ok(out)
    }

    /// One page of [`Store::volunteers`]: at most `limit` with an id after
    /// `after` (text order), by id.
    pub async fn volunteers_page(
        &self,
        street: Option<&str>,
        state: Option<VolunteerState>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredVolunteer>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, version, data FROM volunteers
             WHERE ($1 OR home_street = $2) AND ($3 OR state = $4) AND ($5 OR id > $6)
             ORDER BY id LIMIT $7",
        )
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(state.is_none())
        .bind(state.map_or("", state_name))
        .bind(after.is_none())
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Writes a changed record if nobody changed it since `expected_version`;
    /// on approval a resident account becomes a volunteer account.
    pub async fn update_volunteer(
        &self,
        stored: &StoredVolunteer,
        changed: &Volunteer,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE volunteers SET state = $1, version = version + 1, data = $2, updated_at = $3
             WHERE id = $4 AND version = $5",
        )
        .bind(state_name(changed.state))
        .bind(encode("volunteers", &changed.id, changed)?)
        .bind(millis(now))
        .bind(&changed.id)
        .bind(stored.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "a newer change of volunteer {}: reload and try again",
                changed.id
            )));
        }
        if changed.state == VolunteerState::Active {
            sqlx::query("UPDATE accounts SET role = $1 WHERE id = $2 AND role = $3")
                .bind(Role::Volunteer.as_str())
                .bind(stored.account_id)
                .bind(Role::Resident.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(stored.version + 1)
    }

    /// Rewrites volunteers' free-text specialties, written before the
    /// taxonomy existed, as its codes ([`specialty::migrate_free_text`]):
    /// exact names and keywords become codes, the rest is kept in
    /// `unmatched_specialties`. Records already in codes are untouched, so
    /// running it again changes nothing. Returns how many were rewritten.
    pub async fn migrate_volunteer_specialties(
        &self,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query("SELECT id, account_id, version, data FROM volunteers")
            .fetch_all(&self.pool)
            .await?;
        let mut changed = 0;
        for row in &rows {
            let stored = from_row(row)?;
            let tags = &stored.volunteer.profile.specialties;
            if tags.iter().all(|t| specialty::by_code(t).is_some()) {
                continue;
            }
            let m = specialty::migrate_free_text(tags);
            let mut v = stored.volunteer.clone();
            v.profile.specialties = m.codes;
            for u in m.unmatched {
                if !v.profile.unmatched_specialties.contains(&u) {
                    v.profile.unmatched_specialties.push(u);
                }
            }
            // A concurrent change wins; its writer went through the
            // validated API, so its specialties are codes already.
            match self.update_volunteer(&stored, &v, now).await {
                Ok(_) => changed += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
    }
}
