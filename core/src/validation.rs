//! Validation errors as every form shows them: one problem with one field,
//! named by its JSON path (`requester.phone`, `attachments[1].sha256`,
//! `answers.income`), so a shell can put the message next to its input and
//! the server can answer with the same field the phone would have marked.

use serde::{Deserialize, Serialize};

/// One problem with one field, in a form a shell can show next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The JSON path of the field, e.g. `requester.phone`.
    pub field: String,
    /// Why, in a sentence.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}
