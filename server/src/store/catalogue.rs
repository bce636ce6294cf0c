//! The catalogue tables: areas, facilities, duty posts. Import rules are the
//! core's ([`lawcircle_core::catalogue`]): the server applies them, it does
//! not re-invent them.

use super::{Store, StoreError, decode, decode_rows, encode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::catalogue::facility::Facility;
use lawcircle_core::catalogue::import::{ImportBatch, RecordKind};
use lawcircle_core::catalogue::{ApplySummary, Catalogue, Merge, merge_facility, merge_plain};
use sqlx::Row;
use std::collections::HashMap;

/// Which facilities to list.
#[derive(Debug, Clone, Default)]
pub struct FacilityFilter {
    /// Only records changed after this catalogue version (a phone's cursor).
    /// Retired records are included, so phones learn that they are gone.
    pub since_version: Option<u64>,
    /// Include retired facilities in a full listing.
    pub include_retired: bool,
}

impl Store {
    /// The highest facility version handed out.
    pub async fn catalogue_version(&self) -> Result<u64, StoreError> {
        let v: i64 = sqlx::query_scalar("SELECT version FROM catalogue_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(v.max(0) as u64)
    }

    /// The latest catalogue import run (none before the first). Areas and
    /// facilities change only by imports, each recording its run in the
    /// same transaction after taking the catalogue version's row: a new
    /// run id follows every change, in commit order.
    pub async fn latest_import_run(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT MAX(id) FROM import_runs")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Applies an import batch in one transaction: references are checked
    /// against the batch and the stored areas, unchanged records keep their
    /// version, and nothing is written when anything is refused.
    pub async fn import(
        &self,
        file: &str,
        kind: RecordKind,
        batch: ImportBatch,
        now: DateTime<Utc>,
    ) -> Result<ApplySummary, StoreError> {
        let mut tx = self.begin_write().await?;
        let known: HashMap<String, AreaLevel> = sqlx::query("SELECT code, level FROM areas")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .filter_map(|row| {
                let code: String = row.get(0);
                let level: String = row.get(1);
                level.parse().ok().map(|l| (code, l))
            })
            .collect();
        Catalogue::check_references(&batch, &|code| known.get(code).copied())?;
        let mut version: i64 =
            sqlx::query_scalar("SELECT version FROM catalogue_version WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let mut summary = ApplySummary::default();
        let stamp = millis(now);

        for area in batch.areas {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT data FROM areas WHERE code = $1")
                    .bind(&area.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let stored: Option<AdminArea> = stored
                .map(|s| decode("areas", &area.code, &s))
                .transpose()?;
            let merge = merge_plain(stored.as_ref(), area);
            summary.count(&merge);
            if let Merge::Created(a) | Merge::Updated(a) = merge {
                sqlx::query(
                    "INSERT INTO areas (code, level, parent_code, name, data, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (code) DO UPDATE SET level = excluded.level,
                       parent_code = excluded.parent_code, name = excluded.name,
                       data = excluded.data, updated_at = excluded.updated_at",
                )
                .bind(&a.code)
                .bind(a.level.as_str())
                .bind(&a.parent_code)
                .bind(&a.name)
                .bind(encode("areas", &a.code, &a)?)
                .bind(stamp)
                .execute(&mut *tx)
                .await?;
            }
        }

        for facility in batch.facilities {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT data FROM facilities WHERE id = $1")
                    .bind(&facility.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let stored: Option<Facility> = stored
                .map(|s| decode("facilities", &facility.id, &s))
                .transpose()?;
            let merge = merge_facility(stored.as_ref(), facility, version as u64 + 1);
            summary.count(&merge);
            if let Merge::Created(f) | Merge::Updated(f) = merge {
                version = f.version as i64;
                let wgs = f.point.to_wgs84();
                sqlx::query(
                    "INSERT INTO facilities (id, kind, area_code, lat, lng, retired, version, updated_at, data)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,
                       area_code = excluded.area_code, lat = excluded.lat, lng = excluded.lng,
                       retired = excluded.retired, version = excluded.version,
                       updated_at = excluded.updated_at, data = excluded.data",
                )
                .bind(&f.id)
                .bind(f.kind.code())
                .bind(&f.area_code)
                .bind(wgs.lat)
                .bind(wgs.lng)
                .bind(f.retired)
                .bind(f.version as i64)
                .bind(millis(f.updated_at))
                .bind(encode("facilities", &f.id, &f)?)
                .execute(&mut *tx)
                .await?;
            }
        }

        for post in batch.duty_posts {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT data FROM duty_posts WHERE id = $1")
                    .bind(&post.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let stored: Option<DutyPost> = stored
                .map(|s| decode("duty_posts", &post.id, &s))
                .transpose()?;
            let merge = merge_plain(stored.as_ref(), post);
            summary.count(&merge);
            if let Merge::Created(p) | Merge::Updated(p) = merge {
                sqlx::query(
                    "INSERT INTO duty_posts (id, street_code, retired, data, updated_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET street_code = excluded.street_code,
                       retired = excluded.retired, data = excluded.data,
                       updated_at = excluded.updated_at",
                )
                .bind(&p.id)
                .bind(&p.street_code)
                .bind(p.retired)
                .bind(encode("duty_posts", &p.id, &p)?)
                .bind(stamp)
                .execute(&mut *tx)
                .await?;
            }
        }

        sqlx::query("UPDATE catalogue_version SET version = $1 WHERE id = 1")
            .bind(version)
            .execute(&mut *tx)
            .await?;
        let skipped = serde_json::to_string(&batch.skipped).unwrap_or_else(|_| "[]".to_string());
        sqlx::query(
            "INSERT INTO import_runs (file, record_kind, created, updated, unchanged, skipped, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(file)
        .bind(kind.as_str())
        .bind(summary.created as i64)
        .bind(summary.updated as i64)
        .bind(summary.unchanged as i64)
        .bind(skipped)
        .bind(stamp)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Facilities, in version order.
    pub async fn facilities(&self, filter: &FacilityFilter) -> Result<Vec<Facility>, StoreError> {
        let since = filter.since_version.map_or(-1, |v| v as i64);
        let include_retired = filter.include_retired || filter.since_version.is_some();
        let rows = sqlx::query(
            "SELECT id, data FROM facilities
             WHERE version > $1 AND ($2 OR NOT retired)
             ORDER BY version, id",
        )
        .bind(since)
        .bind(include_retired)
        .fetch_all(&self.pool)
        .await?;
        decode_rows("facilities", &rows)
    }

    /// At most `limit` facilities (and whether more follow) in version
    /// order after `filter.since_version`, of `kind` when given, that
    /// `keep` accepts: read through `facilities_by_version` a chunk at a
    /// time, so a page costs its own rows (plus those `keep` refuses), not
    /// the catalogue.
    pub async fn facilities_page(
        &self,
        filter: &FacilityFilter,
        kind: Option<&str>,
        keep: impl Fn(&Facility) -> bool,
        limit: usize,
    ) -> Result<(Vec<Facility>, bool), StoreError> {
        let include_retired = filter.include_retired || filter.since_version.is_some();
        let mut after = filter.since_version.map_or(-1, |v| v as i64);
        let chunk = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let sql = if kind.is_some() {
            "SELECT id, data, version FROM facilities
             WHERE version > $1 AND ($2 OR NOT retired) AND kind = $4
             ORDER BY version LIMIT $3"
        } else {
            "SELECT id, data, version FROM facilities
             WHERE version > $1 AND ($2 OR NOT retired)
             ORDER BY version LIMIT $3"
        };
        let mut page = Vec::new();
        loop {
            let mut q = sqlx::query(sql)
                .bind(after)
                .bind(include_retired)
                .bind(chunk);
            if let Some(k) = kind {
                q = q.bind(k);
            }
            let rows = q.fetch_all(&self.pool).await?;
            let exhausted = (rows.len() as i64) < chunk;
            for r in &rows {
                after = r.try_get(2)?;
                let f: Facility = decode("facilities", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
                if keep(&f) {
                    if page.len() == limit {
                        return Ok((page, true));
                    }
                    page.push(f);
                }
            }
            if exhausted {
                return Ok((page, false));
            }
        }
    }

    /// At most `limit` areas by code after `after` (and whether more
    /// follow), through the primary key.
    pub async fn areas_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<AdminArea>, bool), StoreError> {
        self.catalogue_page("areas", "code", "TRUE", after, limit)
            .await
    }

    /// At most `limit` duty posts that are not retired, by id after
    /// `after` (and whether more follow), through the primary key.
    pub async fn duty_posts_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<DutyPost>, bool), StoreError> {
        self.catalogue_page("duty_posts", "id", "NOT retired", after, limit)
            .await
    }

    /// One page of a catalogue table keyed by text, read by key from
    /// `after`.
    async fn catalogue_page<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        key: &'static str,
        condition: &'static str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<T>, bool), StoreError> {
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        // Only the fixed names above are spliced in; every value is bound.
        let sql = match after {
            Some(_) => format!(
                "SELECT {key}, data FROM {table} WHERE {condition} AND {key} > $2 ORDER BY {key} LIMIT $1"
            ),
            None => {
                format!("SELECT {key}, data FROM {table} WHERE {condition} ORDER BY {key} LIMIT $1")
            }
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fetch);
        if let Some(a) = after {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let more = rows.len() > limit;
        let items = rows
            .iter()
            .take(limit)
            .map(|r| decode(table, r.get::<&str, _>(0), r.get::<&str, _>(1)))
            .collect::<Result<Vec<T>, _>>()?;
        Ok((items, more))
    }

    /// All areas, by code.
    pub async fn areas(&self) -> Result<Vec<AdminArea>, StoreError> {
        let rows = sqlx::query("SELECT code, data FROM areas ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        decode_rows("areas", &rows)
    }

    /// All duty posts that are not retired, by id.
    /// The duty posts (not retired) among `ids`, by their primary key:
    /// what a clock-in or a punch needs, without reading the whole list
    /// (a district has thousands of posts).
    pub async fn duty_posts_with_ids(&self, ids: &[&str]) -> Result<Vec<DutyPost>, StoreError> {
        let mut ids: Vec<&str> = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let places = super::placeholders(1, ids.len());
        // Only numbered placeholders are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, data FROM duty_posts WHERE NOT retired AND id IN ({}) ORDER BY id",
            places
        )));
        for id in &ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        decode_rows("duty_posts", &rows)
    }

    pub async fn duty_posts(&self) -> Result<Vec<DutyPost>, StoreError> {
        let rows = sqlx::query("SELECT id, data FROM duty_posts WHERE NOT retired ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        decode_rows("duty_posts", &rows)
    }
}

impl Store {
    /// The level of a stored area, if it exists.
    pub async fn area_level(&self, code: &str) -> Result<Option<AreaLevel>, StoreError> {
        let level: Option<String> = sqlx::query_scalar("SELECT level FROM areas WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(level.and_then(|l| l.parse().ok()))
    }

    /// The street an area belongs to: itself for a street, its parent for a
    /// village; `None` for the district or an unknown code.
    pub async fn street_of_area(&self, code: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT level, parent_code FROM areas WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| {
            let level: String = r.try_get(0).ok()?;
            let parent: Option<String> = r.try_get(1).ok()?;
            match level.parse::<AreaLevel>().ok()? {
                AreaLevel::Street => Some(code.to_string()),
                AreaLevel::Village => parent,
                AreaLevel::District => None,
            }
        }))
    }

    /// The representative point of an area.
    pub async fn area_centroid(
        &self,
        code: &str,
    ) -> Result<Option<lawcircle_core::geo::coord::GeoPoint>, StoreError> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM areas WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(data
            .map(|d| decode::<AdminArea>("areas", code, &d))
            .transpose()?
            .map(|a| a.centroid))
    }

    /// One facility, retired or not.
    pub async fn facility(&self, id: &str) -> Result<Option<Facility>, StoreError> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM facilities WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        data.map(|d| decode("facilities", id, &d)).transpose()
    }
}
