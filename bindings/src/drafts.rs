//! Need drafts (草稿) on the phone: a form the user started is kept in the
//! library's database until it is submitted or discarded, so it survives
//! the app being killed. Its attachments are checked and copied into the
//! library's folder when the draft is saved; a draft read back names those
//! copies, which stay as long as the draft does.

use lawcircle_client::outbox::{OutboxError, StoredDraft};

use crate::LawCircleError;
use crate::client::LawCircleClient;
use crate::intake::{AttachmentInput, FieldProblem, NeedForm};
use crate::runtime::run_blocking;

/// A saved need draft.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NeedFormDraft {
    pub id: String,
    /// The form as saved; its attachments name the library's own copies.
    pub form: NeedForm,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

fn not_found(id: &str) -> LawCircleError {
    LawCircleError::invalid("id", format!("there is no draft {id}"))
}

fn draft_error(id: &str, e: OutboxError) -> LawCircleError {
    match e {
        OutboxError::NotFound(_) => not_found(id),
        other => other.into(),
    }
}

fn decode(d: StoredDraft) -> Result<NeedFormDraft, LawCircleError> {
    let form: NeedForm = serde_json::from_str(&d.body)
        .map_err(|e| LawCircleError::internal(format!("draft {} cannot be read: {e}", d.id)))?;
    Ok(NeedFormDraft {
        id: d.id,
        form,
        created_at_ms: d.created_at,
        updated_at_ms: d.updated_at,
    })
}

impl LawCircleClient {
    fn handle(&self) -> LawCircleClient {
        LawCircleClient {
            inner: self.inner.clone(),
        }
    }

    fn save_draft_now(&self, id: Option<String>, form: NeedForm) -> Result<String, LawCircleError> {
        let checked = self.inner.attachments(&form.attachments);
        let mut form = form;
        let mut hashes = Vec::new();
        let mut problems = Vec::new();
        for (a, checked) in form.attachments.iter_mut().zip(checked) {
            match checked.and_then(|r| {
                let copy = self.inner.copy_path(&r).ok_or_else(|| FieldProblem {
                    field: String::new(),
                    reason: "no place for its copy".to_string(),
                })?;
                Ok((r, copy))
            }) {
                Ok((r, copy)) => {
                    if a.display_name.is_none() {
                        a.display_name = std::path::Path::new(&a.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned());
                    }
                    *a = AttachmentInput {
                        path: copy,
                        display_name: a.display_name.take(),
                    };
                    hashes.push(r.sha256);
                }
                Err(p) => problems.push(p),
            }
        }
        // A draft may be incomplete, but a file that cannot be attached is
        // said now, while the user still has it at hand.
        if let Some(p) = problems.into_iter().next() {
            return Err(LawCircleError::InvalidInput {
                field: p.field,
                reason: p.reason,
            });
        }
        let body = serde_json::to_string(&form).map_err(LawCircleError::internal)?;
        self.inner
            .outbox
            .save_draft(id.as_deref(), &body, &hashes)
            .map_err(|e| draft_error(id.as_deref().unwrap_or(""), e))
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Saves a need form the user has not finished: a new draft when `id`
    /// is none, else replaces that draft. Returns the draft's id. The form
    /// is not validated (it may be incomplete), but every attachment is
    /// checked and copied now: a missing, unreadable or unaccepted file is
    /// `InvalidInput` naming `attachments[i]`, and nothing is saved.
    pub async fn save_need_draft(
        &self,
        id: Option<String>,
        form: NeedForm,
    ) -> Result<String, LawCircleError> {
        let me = self.handle();
        run_blocking(move || me.save_draft_now(id, form)).await
    }

    /// Every saved draft, the most recently saved first.
    pub async fn need_drafts(&self) -> Result<Vec<NeedFormDraft>, LawCircleError> {
        let me = self.handle();
        run_blocking(move || me.inner.outbox.drafts()?.into_iter().map(decode).collect()).await
    }

    /// One draft, if it is still there.
    pub async fn need_draft(&self, id: String) -> Result<Option<NeedFormDraft>, LawCircleError> {
        let me = self.handle();
        run_blocking(move || me.inner.outbox.draft(&id)?.map(decode).transpose()).await
    }

    /// Deletes a draft and the library's copies only it needed. Returns
    /// whether there was one.
    pub async fn discard_need_draft(&self, id: String) -> Result<bool, LawCircleError> {
        let me = self.handle();
        run_blocking(move || Ok(me.inner.outbox.discard_draft(&id)?)).await
    }

    /// Validates a draft as `submit_need` does and queues it, deleting the
    /// draft in the same transaction. Refused (`InvalidInput`, the draft
    /// kept as it is) when the form is not valid. Returns the outbox key.
    pub async fn submit_need_draft(&self, id: String) -> Result<String, LawCircleError> {
        let me = self.handle();
        run_blocking(move || {
            let draft = me
                .inner
                .outbox
                .draft(&id)?
                .ok_or_else(|| not_found(&id))
                .and_then(decode)?;
            me.queue_need(&id, &draft.form, Some(&id))
                .map_err(|e| match e {
                    LawCircleError::InvalidInput { field, reason } if field == "key" => {
                        LawCircleError::InvalidInput {
                            field: "id".to_string(),
                            reason,
                        }
                    }
                    other => other,
                })
        })
        .await
    }
}
