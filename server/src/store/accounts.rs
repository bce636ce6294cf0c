//! Accounts, bearer tokens and the login throttle.

use super::{Backend, Store, StoreError, Turn, conflict_on_unique, from_millis, millis};
use crate::auth::ThrottleKey;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Role;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A user of the platform. `phone` and `id_number` are personal data: the
/// API masks them unless the caller's scope and an audited reason allow the
/// full value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub street_code: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub street_code: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub password_hash: String,
}

/// A live token and whose it is.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub account: Account,
    pub expires_at: DateTime<Utc>,
}

/// The columns [`account_from_row`] reads, of `accounts a`.
macro_rules! account_columns {
    () => {
        "a.id, a.username, a.display_name, a.role, a.street_code, a.phone, a.id_number, a.disabled, a.created_at"
    };
}
const ACCOUNT_COLUMNS: &str = account_columns!();

/// The account and expiry of the live token whose hash is `$1` at the
/// time `$2` (not expired, not revoked, its account not disabled): ten
/// columns, read by [`token_from_row`].
pub(super) const LIVE_TOKEN: &str = concat!(
    "SELECT ",
    account_columns!(),
    ", t.expires_at FROM tokens t JOIN accounts a ON a.id = t.account_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled = 0"
);

/// A row of [`LIVE_TOKEN`] (its first ten columns).
pub(super) fn token_from_row(row: &AnyRow) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        account: account_from_row(row)?,
        expires_at: from_millis(row.try_get(9)?),
    })
}

fn account_from_row(row: &AnyRow) -> Result<Account, StoreError> {
    let id: i64 = row.try_get(0)?;
    let role: String = row.try_get(3)?;
    Ok(Account {
        id,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: role.parse().map_err(|reason| StoreError::Corrupt {
            table: "accounts",
            id: id.to_string(),
            reason,
        })?,
        street_code: row.try_get(4)?,
        phone: row.try_get(5)?,
        id_number: row.try_get(6)?,
        disabled: row.try_get::<i64, _>(7)? != 0,
        created_at: from_millis(row.try_get(8)?),
    })
}

impl Store {
    /// Creates an account; a taken username is a conflict.
    pub async fn create_account(
        &self,
        new: NewAccount,
        now: DateTime<Utc>,
    ) -> Result<Account, StoreError> {
        let row = sqlx::query(
            "INSERT INTO accounts (username, display_name, role, street_code, phone, id_number, password_hash, disabled, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(&new.street_code)
        .bind(&new.phone)
        .bind(&new.id_number)
        .bind(&new.password_hash)
        .bind(0_i64)
        .bind(millis(now))
        .fetch_one(&mut *self.writer().await?)
        .await
        .map_err(conflict_on_unique(|| format!("username {:?}", new.username)))?;
        let id: i64 = row.try_get(0)?;
        Ok(Account {
            id,
            username: new.username,
            display_name: new.display_name,
            role: new.role,
            street_code: new.street_code,
            phone: new.phone,
            id_number: new.id_number,
            disabled: false,
            created_at: from_millis(millis(now)),
        })
    }

    /// The account with this username and its password hash.
    pub async fn account_for_login(
        &self,
        username: &str,
    ) -> Result<Option<(Account, String)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM accounts a WHERE a.username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account_from_row(&r)?, r.try_get(9)?)))
            .transpose()
    }

    pub async fn account(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// Accounts by id after `after_id`, optionally of one street only.
    pub async fn list_accounts(
        &self,
        street: Option<&str>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a
             WHERE a.id > $1 AND ($2 OR a.street_code = $3)
             ORDER BY a.id LIMIT $4"
        )))
        .bind(after_id)
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    pub async fn insert_token(
        &self,
        token_hash: &str,
        account_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokens (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(())
    }

    /// The live token with this hash: not expired, not revoked, and its
    /// account not disabled.
    pub async fn live_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(LIVE_TOKEN)
            .bind(token_hash)
            .bind(millis(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Revokes one token; `true` when it was live.
    pub async fn revoke_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every token of an account; returns how many.
    pub async fn revoke_all_tokens(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(account_id)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Counts a login attempt under each throttle key before its password
    /// is checked, in one transaction: either every key lets it through
    /// (each key's failure count after it, in order) or none counts it and
    /// the answer is the time the blocking key lets the next one through.
    /// A key lets an attempt through once its back-off has passed (none
    /// before `free` failures); a key idle since `stale` starts over. The
    /// attempt that reaches `free` failures, and each after it, holds the
    /// key alone until [`Store::end_login_attempt`] sets its back-off (or,
    /// should the server die meanwhile, for the key's longest back-off):
    /// so however many arrive at once, at most `free` are checked.
    pub async fn begin_login_attempt(
        &self,
        keys: &[ThrottleKey],
        now: DateTime<Utc>,
        stale: DateTime<Utc>,
    ) -> Result<Result<Vec<i64>, DateTime<Utc>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut counted = Vec::with_capacity(keys.len());
        for k in keys {
            // The upsert locks the key's row (an update that changes
            // nothing), so neither the job's pruning nor another attempt's
            // success can delete it before this transaction ends: on
            // PostgreSQL, `DO NOTHING` left it unlocked and the row could
            // vanish between this statement and the next.
            sqlx::query(
                "INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at)
                 VALUES ($1, 0, 0, $2)
                 ON CONFLICT (throttle_key) DO UPDATE SET updated_at = login_throttle.updated_at",
            )
            .bind(&k.key)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query(
                "UPDATE login_throttle SET
                   failures = CASE WHEN updated_at < $3 AND blocked_until <= $2 THEN 1 ELSE failures + 1 END,
                   blocked_until = CASE
                     WHEN (CASE WHEN updated_at < $3 AND blocked_until <= $2 THEN 1 ELSE failures + 1 END) >= $4
                     THEN $5 ELSE blocked_until END,
                   updated_at = $2
                 WHERE throttle_key = $1 AND blocked_until <= $2
                 RETURNING failures",
            )
            .bind(&k.key)
            .bind(millis(now))
            .bind(millis(stale))
            .bind(k.free)
            .bind(millis(now + k.max_backoff))
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some(r) => counted.push(r.try_get::<i64, _>(0)?),
                None => {
                    let until: i64 = sqlx::query_scalar(
                        "SELECT blocked_until FROM login_throttle WHERE throttle_key = $1",
                    )
                    .bind(&k.key)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.rollback().await?;
                    return Ok(Err(from_millis(until)));
                }
            }
        }
        tx.commit().await?;
        Ok(Ok(counted))
    }

    /// Settles an attempt counted by [`Store::begin_login_attempt`]: each
    /// key with its failure count and, when beyond the free ones, the end
    /// of its back-off. A failure keeps the counts and sets the back-offs;
    /// a success clears the keys `cleared_by_success` and gives the
    /// attempt back to the others.
    pub async fn end_login_attempt(
        &self,
        keys: &[(ThrottleKey, i64, Option<DateTime<Utc>>)],
        success: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (k, _failures, blocked_until) in keys {
            if success && k.cleared_by_success {
                sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
                    .bind(&k.key)
                    .execute(&mut *tx)
                    .await?;
            } else if success {
                sqlx::query(
                    "UPDATE login_throttle SET
                       failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
                       blocked_until = CASE WHEN $2 THEN 0 ELSE blocked_until END
                     WHERE throttle_key = $1",
                )
                .bind(&k.key)
                .bind(blocked_until.is_some())
                .execute(&mut *tx)
                .await?;
            } else if let Some(until) = blocked_until {
                // Only the attempt beyond the free ones holds the key
                // (the others were refused), so it sets the back-off.
                sqlx::query("UPDATE login_throttle SET blocked_until = $2 WHERE throttle_key = $1")
                    .bind(&k.key)
                    .bind(millis(*until))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a username's failed sign-ins (from anywhere and from each
    /// address), as when an administrator sets a new password for it.
    pub async fn clear_login_throttle(&self, username: &str) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM login_throttle
             WHERE throttle_key = $1 OR substr(throttle_key, 1, length($2)) = $2",
        )
        .bind(format!("u:{username}"))
        .bind(format!("p:{username}@"))
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Drops throttle counters idle since `stale` whose back-off is over.
    pub async fn prune_login_throttle(
        &self,
        stale: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        // On PostgreSQL a key an attempt holds is skipped, not waited for:
        // it is in use, so not idle, and waiting on keys locked in another
        // order than the attempt's could deadlock. SQLite writes one at a
        // time, so nothing is held there.
        let sql = match self.backend() {
            Backend::Postgres => {
                "DELETE FROM login_throttle WHERE throttle_key IN (
                   SELECT throttle_key FROM login_throttle
                   WHERE updated_at < $1 AND blocked_until <= $2
                   FOR UPDATE SKIP LOCKED)"
            }
            Backend::Sqlite => {
                "DELETE FROM login_throttle WHERE updated_at < $1 AND blocked_until <= $2"
            }
        };
        // The background job's: nothing is written when nothing is due
        // (most runs), and what is goes ahead of the writers in line.
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM login_throttle WHERE updated_at < $1 AND blocked_until <= $2 LIMIT 1",
        )
        .bind(millis(stale))
        .bind(millis(now))
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(0);
        }
        let done = sqlx::query(sql)
            .bind(millis(stale))
            .bind(millis(now))
            .execute(&mut *self.writer_taking(Turn::Ahead).await?)
            .await?;
        Ok(done.rows_affected())
    }

    /// Sets a new password hash.
    pub async fn set_password_hash(
        &self,
        account_id: i64,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(account_id)
            .execute(&mut *self.writer().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The password hash of an account.
    pub async fn password_hash(&self, account_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Disables (revoking every token in the same transaction) or enables
    /// an account; returns the tokens revoked.
    pub async fn set_account_disabled(
        &self,
        account_id: i64,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let mut revoked = 0;
        if disabled {
            revoked = sqlx::query(
                "UPDATE tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
            )
            .bind(millis(now))
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// Revokes every token of an account but one (the session that changed
    /// the password stays signed in).
    pub async fn revoke_other_tokens(
        &self,
        account_id: i64,
        keep_token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $1
             WHERE account_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
        )
        .bind(millis(now))
        .bind(account_id)
        .bind(keep_token_hash)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn key(name: &str) -> ThrottleKey {
        ThrottleKey {
            key: name.to_string(),
            free: 5,
            max_backoff: Duration::minutes(15),
            cleared_by_success: false,
        }
    }

    /// An idle key counted while the job prunes idle keys: the attempt is
    /// counted (the prune waits for it or has already run), never lost
    /// between the statements of its transaction.
    #[tokio::test]
    async fn an_attempt_holds_its_key_while_idle_keys_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "throttle").await {
            let start = Utc::now();
            let keys: Vec<ThrottleKey> = (0..8).map(|i| key(&format!("a:10.0.0.{i}"))).collect();
            for round in 0..60 {
                let then = start + Duration::days(round);
                let counted = store
                    .begin_login_attempt(&keys, then, then - Duration::hours(1))
                    .await
                    .unwrap()
                    .unwrap();
                let settled: Vec<_> = keys.iter().cloned().map(|k| (k, 0, None)).collect();
                store.end_login_attempt(&settled, true).await.unwrap();
                assert!(counted.iter().all(|n| *n >= 1));
                // A day later every key is idle: prune and count at once.
                let now = then + Duration::days(1);
                let (attempt, pruned) = tokio::join!(
                    store.begin_login_attempt(&keys, now, now - Duration::hours(1)),
                    store.prune_login_throttle(now - Duration::hours(1), now),
                );
                let counted = attempt
                    .unwrap_or_else(|e| panic!("round {round}: {e}"))
                    .unwrap_or_else(|until| panic!("round {round}: blocked until {until}"));
                assert_eq!(counted.len(), keys.len());
                assert!(pruned.unwrap() <= keys.len() as u64);
                let settled: Vec<_> = keys.iter().cloned().map(|k| (k, 0, None)).collect();
                store.end_login_attempt(&settled, true).await.unwrap();
            }
        }
    }
}
