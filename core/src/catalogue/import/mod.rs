//! Import of areas, facilities and duty posts from CSV and GeoJSON files.
//!
//! Rules shared by the CLI, the server's upload endpoint and the tests:
//! * a bad row is reported with the file, the line (CSV) or feature index
//!   (GeoJSON), the field and the reason;
//! * a file with any bad row imports nothing, unless the caller asks to skip
//!   bad rows, and then the report lists what was skipped;
//! * ids are stable: re-importing the same id updates the record (see
//!   [`crate::catalogue::Catalogue::apply`]), never duplicates it.
//!
//! CSV files have a header row and are UTF-8, with or without a BOM.
//! GeoJSON files are RFC 7946 FeatureCollections; as Chinese sources often
//! publish GCJ-02, a `datum` property (or member of the collection) may name
//! the datum of the coordinates, WGS-84 being the default.

mod csv_rows;
mod geojson_rows;
mod records;

use crate::catalogue::area::AdminArea;
use crate::catalogue::duty_post::DutyPost;
use crate::catalogue::facility::{Facility, PhotoRef};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

pub use records::{AREA_COLUMNS, DUTY_POST_COLUMNS, FACILITY_COLUMNS, FieldProblem};

/// The largest file the importer reads: a district's registry is a few MB;
/// anything this big is a mistake, refused before it is read into memory.
pub const MAX_IMPORT_BYTES: u64 = 32 * 1024 * 1024;

/// The file formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    GeoJson,
}

impl Format {
    /// Guesses the format from a file name's extension.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".geojson") || lower.ends_with(".json") {
            Some(Format::GeoJson)
        } else {
            None
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Areas,
    Facilities,
    DutyPosts,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Areas => "areas",
            RecordKind::Facilities => "facilities",
            RecordKind::DutyPosts => "duty_posts",
        }
    }
}

impl std::str::FromStr for RecordKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "areas" => Ok(RecordKind::Areas),
            "facilities" => Ok(RecordKind::Facilities),
            "duty_posts" | "posts" => Ok(RecordKind::DutyPosts),
            other => Err(format!(
                "unknown record kind {other:?}: expected areas, facilities or duty_posts"
            )),
        }
    }
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "index", rename_all = "snake_case")]
pub enum Location {
    /// A 1-based line number of a CSV file (the header is line 1).
    Line(u64),
    /// A 0-based index into a GeoJSON FeatureCollection's `features`.
    Feature(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(l) => write!(f, "line {l}"),
            Location::Feature(i) => write!(f, "feature {i}"),
        }
    }
}

/// One bad row: where, which field, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub file: String,
    pub location: Location,
    /// The column or property concerned; `None` when the row as a whole is bad.
    pub field: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.file, self.location)?;
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Why a file was refused as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file is {size} bytes, more than the {max} bytes an import may have")]
    TooLarge { file: String, size: u64, max: u64 },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: the file has a header but no records")]
    NoRecords { file: String },
    #[error("{file}, line {line}: the file is not valid UTF-8")]
    InvalidUtf8 { file: String, line: u64 },
    #[error("{file}, line {line}: the file contains a NUL byte, which no text field may hold")]
    NulByte { file: String, line: u64 },
    #[error("{file}: required column {column:?} is missing from the header")]
    MissingColumn { file: String, column: String },
    #[error("{file}: cannot read the CSV: {reason}")]
    Csv { file: String, reason: String },
    #[error("{file}: not valid GeoJSON: {reason}")]
    GeoJson { file: String, reason: String },
    #[error("{file}: expected a GeoJSON FeatureCollection, found {found}")]
    NotAFeatureCollection { file: String, found: String },
    #[error("{file}: cannot tell the format from the name: use .csv or .geojson")]
    UnknownFormat { file: String },
    #[error("{} bad row(s); nothing was imported. First: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    BadRows(Vec<RowProblem>),
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The file name used in reports.
    pub file: String,
    /// Import the good rows and list the bad ones as skipped, instead of
    /// refusing the whole file.
    pub skip_bad_rows: bool,
    /// The time stamped on imported records.
    pub now: DateTime<Utc>,
}

impl ImportOptions {
    pub fn new(file: impl Into<String>) -> Self {
        ImportOptions {
            file: file.into(),
            skip_bad_rows: false,
            now: Utc::now(),
        }
    }
}

/// The records read from one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportBatch {
    pub areas: Vec<AdminArea>,
    pub facilities: Vec<Facility>,
    pub duty_posts: Vec<DutyPost>,
    /// Bad rows that were skipped (only with `skip_bad_rows`).
    pub skipped: Vec<RowProblem>,
}

impl ImportBatch {
    pub fn len(&self) -> usize {
        self.areas.len() + self.facilities.len() + self.duty_posts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends another batch.
    pub fn extend(&mut self, other: ImportBatch) {
        self.areas.extend(other.areas);
        self.facilities.extend(other.facilities);
        self.duty_posts.extend(other.duty_posts);
        self.skipped.extend(other.skipped);
    }
}

/// Resolves a photo named in a file (a path relative to it) to a stored,
/// content-addressed photo.
pub trait PhotoResolver {
    fn resolve(&mut self, name: &str) -> Result<PhotoRef, String>;
}

/// A resolver for callers that store no photos: any photo reference is an
/// error naming the photo, so nothing is silently dropped.
pub struct NoPhotos;

impl PhotoResolver for NoPhotos {
    fn resolve(&mut self, name: &str) -> Result<PhotoRef, String> {
        Err(format!(
            "photo {name:?} cannot be resolved: no photo directory was given"
        ))
    }
}

/// A generic row before it becomes a record: string fields plus, for
/// GeoJSON, the geometry.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub location: Location,
    pub fields: BTreeMap<String, String>,
    pub geometry: Option<RowGeometry>,
}

#[derive(Debug, Clone)]
pub(crate) enum RowGeometry {
    Point([f64; 2]),
    Polygons(Vec<Vec<Vec<[f64; 2]>>>),
    Other(String),
}

/// Reads one file of `kind` records.
pub fn parse(
    bytes: &[u8],
    format: Format,
    kind: RecordKind,
    options: &ImportOptions,
    photos: &mut dyn PhotoResolver,
) -> Result<ImportBatch, ImportError> {
    let file = options.file.clone();
    let size = bytes.len() as u64;
    if size > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size,
            max: MAX_IMPORT_BYTES,
        });
    }
    let text = decode_utf8(bytes, &file)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty { file });
    }
    let rows = match format {
        Format::Csv => csv_rows::read(text, kind, &file)?,
        Format::GeoJson => geojson_rows::read(text, &file)?,
    };
    if rows.is_empty() {
        return Err(ImportError::NoRecords { file });
    }
    let mut batch = ImportBatch::default();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let built = records::build(kind, &row, options.now, photos).and_then(|record| {
            if seen.insert(record.id().to_string()) {
                Ok(record)
            } else {
                Err(records::FieldProblem::new(
                    records::id_column(kind),
                    format!("duplicate id {:?} in this file", record.id()),
                ))
            }
        });
        match built {
            Ok(record) => record.push_into(&mut batch),
            Err(p) => problems.push(RowProblem {
                file: file.clone(),
                location: row.location.clone(),
                field: p.field,
                reason: p.reason,
            }),
        }
    }
    if !problems.is_empty() {
        if !options.skip_bad_rows {
            return Err(ImportError::BadRows(problems));
        }
        batch.skipped = problems;
    }
    Ok(batch)
}

/// Strips a UTF-8 BOM and checks the encoding, naming the line of the first
/// bad byte.
fn decode_utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        return Err(ImportError::NulByte {
            file: file.to_string(),
            line,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        ImportError::InvalidUtf8 {
            file: file.to_string(),
            line,
        }
    })
}

/// Builds one facility from named fields (the CSV column names) with exactly
/// the importer's checks, so that the server's create and edit endpoints
/// and an import file accept and refuse the same things, with the same
/// field names in the error.
pub fn facility_from_fields(
    fields: BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Facility, FieldProblem> {
    let row = Row {
        location: Location::Line(0),
        fields: fields.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        geometry: None,
    };
    records::facility(&row, now, &mut NoPhotos)
}

/// Reads a file from disk, refusing an oversized one before reading it.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, ImportFileError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportFileError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(ImportFileError::Import(ImportError::TooLarge {
            file: path.display().to_string(),
            size: meta.len(),
            max: MAX_IMPORT_BYTES,
        }));
    }
    std::fs::read(path).map_err(|e| ImportFileError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Reading a file from disk failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportFileError {
    #[error("{file}: {reason}")]
    Io { file: String, reason: String },
    #[error(transparent)]
    Import(#[from] ImportError),
}

#[cfg(test)]
mod tests;
