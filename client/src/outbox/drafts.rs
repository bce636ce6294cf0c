//! Need drafts (草稿): a form the user has started, kept in the outbox's
//! database until it is submitted (queued and deleted in one transaction,
//! [`Outbox::enqueue_need_files`]) or discarded, so it survives the app
//! being killed. The body is the embedder's encoding of its form; the
//! outbox keeps the attachment copies each draft refers to.

use super::{Outbox, OutboxError, copy_referenced, now_ms};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub id: String,
    /// The form, as the embedder encoded it.
    pub body: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub updated_at: i64,
}

fn draft_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDraft> {
    Ok(StoredDraft {
        id: r.get(0)?,
        body: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

impl Outbox {
    /// Creates (`id` None: a new id is made) or replaces a draft, with the
    /// attachment copies (by sha256) it refers to. Copies the draft no
    /// longer refers to are removed when nothing else needs them. Updating
    /// a draft that does not exist (submitted or discarded meanwhile) is
    /// [`OutboxError::NotFound`]. Returns the draft's id.
    pub fn save_draft(
        &self,
        id: Option<&str>,
        body: &str,
        files: &[String],
    ) -> Result<String, OutboxError> {
        for sha256 in files {
            if !self.files.contains(sha256) {
                return Err(OutboxError::Corrupt(format!(
                    "no attachment copy {sha256} to keep with the draft"
                )));
            }
        }
        let now = now_ms();
        let mut conn = self.lock()?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let result = (|| -> Result<(String, Vec<String>), OutboxError> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = match id {
                Some(id) => {
                    let n = tx.execute(
                        "UPDATE need_drafts SET body = ?2, updated_at = ?3 WHERE id = ?1",
                        params![id, body, now],
                    )?;
                    if n == 0 {
                        return Err(OutboxError::NotFound(format!("draft {id}")));
                    }
                    id.to_string()
                }
                None => {
                    let id = super::new_key();
                    tx.execute(
                        "INSERT INTO need_drafts (id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                        params![id, body, now],
                    )?;
                    id
                }
            };
            let before: Vec<String> = {
                let mut q =
                    tx.prepare("SELECT sha256 FROM need_draft_files WHERE draft_id = ?1")?;
                q.query_map(params![id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            tx.execute(
                "DELETE FROM need_draft_files WHERE draft_id = ?1",
                params![id],
            )?;
            for sha256 in files {
                tx.execute(
                    "INSERT OR IGNORE INTO need_draft_files (draft_id, sha256) VALUES (?1, ?2)",
                    params![id, sha256],
                )?;
            }
            tx.commit()?;
            let dropped = before.into_iter().filter(|s| !files.contains(s)).collect();
            Ok((id, dropped))
        })();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let (id, dropped) = result?;
        self.release_copies(&conn, &dropped)?;
        Ok(id)
    }

    /// Every draft, the most recently changed first.
    pub fn drafts(&self) -> Result<Vec<StoredDraft>, OutboxError> {
        let conn = self.lock()?;
        let mut q = conn.prepare(
            "SELECT id, body, created_at, updated_at FROM need_drafts ORDER BY updated_at DESC, id DESC",
        )?;
        let rows = q.query_map([], draft_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One draft, if it is still there.
    pub fn draft(&self, id: &str) -> Result<Option<StoredDraft>, OutboxError> {
        Ok(self
            .lock()?
            .query_row(
                "SELECT id, body, created_at, updated_at FROM need_drafts WHERE id = ?1",
                params![id],
                draft_from_row,
            )
            .optional()?)
    }

    /// Deletes a draft and the copies only it referred to. Returns whether
    /// there was one.
    pub fn discard_draft(&self, id: &str) -> Result<bool, OutboxError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let files: Vec<String> = {
            let mut q = tx.prepare("SELECT sha256 FROM need_draft_files WHERE draft_id = ?1")?;
            q.query_map(params![id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let n = tx.execute("DELETE FROM need_drafts WHERE id = ?1", params![id])?;
        tx.commit()?;
        for sha256 in &files {
            if !copy_referenced(&conn, sha256)? {
                let _ = self.files.remove(sha256);
            }
        }
        Ok(n > 0)
    }
}
