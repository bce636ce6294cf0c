//! Application types (every published version, append-only) and the API
//! keys of Open311 client apps.

use super::{Store, StoreError, conflict_on_unique, decode, encode, from_millis, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::applications::ServiceDefinition;
use serde::Serialize;
use sqlx::Row;

/// One published version of an application type: who, when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceVersion {
    pub version: u32,
    /// Takes applications (false: this version retired the type).
    pub active: bool,
    pub published_at: DateTime<Utc>,
    /// The district admin who published it; none for the shipped defaults.
    pub published_by: Option<i64>,
    pub published_by_name: Option<String>,
}

/// An issued Open311 API key (never the key itself: only its hash is kept).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKeyRecord {
    pub id: i64,
    pub name: String,
    /// The account requests filed with this key are entered by.
    pub account_id: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// How many definition versions are stored: versions are never
    /// changed or deleted, so the count tells whether a cache is current.
    pub async fn service_definition_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM service_definitions")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Every stored version, by code then version.
    pub async fn service_definitions(&self) -> Result<Vec<ServiceDefinition>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, version, definition FROM service_definitions ORDER BY code, version",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get(0)?;
                let version: i64 = r.try_get(1)?;
                let json: String = r.try_get(2)?;
                decode("service_definitions", &format!("{code} v{version}"), &json)
            })
            .collect()
    }

    /// Who published each version of `code` and when, oldest first (empty
    /// for an unknown code). The publisher's name is joined in; the shipped
    /// defaults have none.
    pub async fn service_versions(&self, code: &str) -> Result<Vec<ServiceVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.version, d.active, d.published_at, d.published_by, a.display_name
             FROM service_definitions d LEFT JOIN accounts a ON a.id = d.published_by
             WHERE d.code = $1 ORDER BY d.version",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let version: i64 = r.try_get(0)?;
                let active: i64 = r.try_get(1)?;
                Ok(ServiceVersion {
                    version: u32::try_from(version).unwrap_or(u32::MAX),
                    active: active != 0,
                    published_at: from_millis(r.try_get(2)?),
                    published_by: r.try_get(3)?,
                    published_by_name: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Stores the shipped definitions when no definition is stored yet
    /// (first start); returns how many were stored. Safe to run on
    /// several instances at once.
    pub async fn seed_service_definitions(
        &self,
        defs: &[ServiceDefinition],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_definitions")
            .fetch_one(&mut *tx)
            .await?;
        if count > 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        let mut stored = 0;
        for def in defs {
            let done = sqlx::query(
                "INSERT INTO service_definitions (code, version, definition, active, published_at, published_by)
                 VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT (code, version) DO NOTHING",
            )
            .bind(&def.code)
            .bind(i64::from(def.version))
            .bind(encode("service_definitions", &def.code, def)?)
            .bind(i64::from(def.active))
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            stored += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The newest stored version number of a code (0 when unknown).
    pub async fn latest_service_version(&self, code: &str) -> Result<u32, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM service_definitions WHERE code = $1")
                .bind(code)
                .fetch_one(&self.pool)
                .await?;
        Ok(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0))
    }

    /// Stores a new version; a version published concurrently under the
    /// same number is a conflict.
    pub async fn insert_service_definition(
        &self,
        def: &ServiceDefinition,
        published_by: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO service_definitions (code, version, definition, active, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&def.code)
        .bind(i64::from(def.version))
        .bind(encode("service_definitions", &def.code, def)?)
        .bind(i64::from(def.active))
        .bind(millis(now))
        .bind(published_by)
        .execute(&mut *self.writer().await?)
        .await
        .map_err(conflict_on_unique(|| format!("{} version {}", def.code, def.version)))?;
        Ok(())
    }

    /// Issues a key: a disabled account of its own (it enters the key's
    /// requests and can never log in) and the key's hash, in one
    /// transaction.
    pub async fn create_api_key(
        &self,
        name: &str,
        key_hash: &str,
        created_by: i64,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        // The hash prefix keeps the username unique and says nothing.
        let username = format!("open311-client-{}", &key_hash[..16.min(key_hash.len())]);
        let account_id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (username, display_name, role, street_code, phone, id_number, password_hash, disabled, created_at)
             VALUES ($1, $2, 'resident', NULL, NULL, NULL, '!', 1, $3) RETURNING id",
        )
        .bind(&username)
        .bind(format!("Open311: {name}"))
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO open311_keys (key_hash, name, account_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(key_hash)
        .bind(name)
        .bind(account_id)
        .bind(created_by)
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ApiKeyRecord {
            id,
            name: name.to_string(),
            account_id,
            created_by,
            created_at: from_millis(millis(now)),
            revoked_at: None,
        })
    }

    /// Every key, newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, account_id, created_by, created_at, revoked_at FROM open311_keys ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyRecord {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    account_id: r.try_get(2)?,
                    created_by: r.try_get(3)?,
                    created_at: from_millis(r.try_get(4)?),
                    revoked_at: r.try_get::<Option<i64>, _>(5)?.map(from_millis),
                })
            })
            .collect()
    }

    /// Revokes a key; `false` when there is no such live key.
    pub async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE open311_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The account of a live key, by the key's hash.
    pub async fn api_key_account(&self, key_hash: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT account_id FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The name of an area, if known.
    pub async fn area_name(&self, code: &str) -> Result<Option<String>, StoreError> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM areas WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(data
            .map(|d| decode::<lawcircle_core::catalogue::area::AdminArea>("areas", code, &d))
            .transpose()?
            .map(|a| a.name))
    }
}
