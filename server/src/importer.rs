//! Importing files into the store: the core parses and checks, the store
//! applies in one transaction.

use crate::store::{Store, StoreError};
use chrono::Utc;
use lawcircle_core::catalogue::ApplySummary;
use lawcircle_core::catalogue::import::{
    Format, ImportError, ImportOptions, PhotoResolver, RecordKind, RowProblem, parse,
};
use serde::Serialize;

/// What one file's import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub file: String,
    pub kind: RecordKind,
    #[serde(flatten)]
    pub summary: ApplySummary,
    /// Rows skipped because the caller asked to skip bad rows.
    pub skipped: Vec<RowProblem>,
}

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses `bytes` and applies them to `store`, all or nothing.
pub async fn import_bytes(
    store: &Store,
    file: &str,
    bytes: &[u8],
    format: Format,
    kind: RecordKind,
    skip_bad_rows: bool,
    photos: &mut (dyn PhotoResolver + Send),
) -> Result<ImportOutcome, ImportFailure> {
    let now = Utc::now();
    let options = ImportOptions {
        file: file.to_string(),
        skip_bad_rows,
        now,
    };
    let batch = parse(bytes, format, kind, &options, photos)?;
    let skipped = batch.skipped.clone();
    let summary = store.import(file, kind, batch, now).await?;
    Ok(ImportOutcome {
        file: file.to_string(),
        kind,
        summary,
        skipped,
    })
}
