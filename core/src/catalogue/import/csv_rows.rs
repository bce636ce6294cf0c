//! CSV files: a header row, then one record per line.

use super::records::required_columns;
use super::{ImportError, Location, RecordKind, Row, RowProblem};
use std::collections::BTreeMap;

pub(crate) fn read(
    text: &str,
    kind: RecordKind,
    file: &str,
) -> Result<Vec<Result<Row, RowProblem>>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Csv {
            file: file.to_string(),
            reason: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for column in required_columns(kind) {
        if !headers.iter().any(|h| h == column) {
            return Err(ImportError::MissingColumn {
                file: file.to_string(),
                column: column.to_string(),
            });
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Csv {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != headers.len() {
            rows.push(Err(RowProblem {
                file: file.to_string(),
                location: Location::Line(line),
                field: None,
                reason: format!(
                    "expected {} fields as in the header, found {}",
                    headers.len(),
                    record.len()
                ),
            }));
            continue;
        }
        let fields: BTreeMap<String, String> = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push(Ok(Row {
            location: Location::Line(line),
            fields,
            geometry: None,
        }));
    }
    Ok(rows)
}
