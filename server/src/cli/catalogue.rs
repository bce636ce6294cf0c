//! `import`: catalogue files (CSV, GeoJSON) into the store.

use super::storage::Storage;
use crate::importer::{ImportFailure, import_bytes};
use lawcircle_core::catalogue::import::{Format, ImportError, RecordKind, read_file};
use lawcircle_core::content::PhotoDir;
use std::path::{Path, PathBuf};

pub(super) async fn import(
    storage: Storage,
    files: Vec<(PathBuf, RecordKind)>,
    skip_bad_rows: bool,
) -> Result<(), String> {
    let store = storage.open().await?;
    let content = storage.content_store();
    let mut failed = false;
    for (path, kind) in files {
        let name = path.display().to_string();
        let format = Format::from_file_name(&name);
        let result = match format {
            None => Err(ImportFailure::File(ImportError::UnknownFormat {
                file: name.clone(),
            })),
            Some(format) => match read_file(&path) {
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                    continue;
                }
                Ok(bytes) => {
                    let base = path.parent().unwrap_or(Path::new("."));
                    let mut photos = PhotoDir {
                        base,
                        store: &content,
                    };
                    import_bytes(
                        &store,
                        &name,
                        &bytes,
                        format,
                        kind,
                        skip_bad_rows,
                        &mut photos,
                    )
                    .await
                }
            },
        };
        match result {
            Ok(o) => {
                println!(
                    "{name}: {} created, {} updated, {} unchanged, {} skipped",
                    o.summary.created,
                    o.summary.updated,
                    o.summary.unchanged,
                    o.skipped.len()
                );
                for p in &o.skipped {
                    println!("  skipped {p}");
                }
            }
            Err(ImportFailure::File(ImportError::BadRows(problems))) => {
                failed = true;
                eprintln!(
                    "{name}: {} bad row(s); nothing was imported from this file",
                    problems.len()
                );
                for p in problems {
                    eprintln!("  {p}");
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{name}: {e}");
            }
        }
    }
    store.close().await;
    if failed {
        Err("some files were not imported (see above)".into())
    } else {
        Ok(())
    }
}
