//! Applying an import to the catalogue: stable ids update in place,
//! unchanged records keep their version, references must resolve, and a
//! batch applies whole or not at all.

use crate::catalogue::area::{AdminArea, AreaLevel};
use crate::catalogue::duty_post::DutyPost;
use crate::catalogue::facility::Facility;
use crate::catalogue::import::ImportBatch;
use serde::Serialize;
use std::collections::BTreeMap;

/// A reference in a batch that points at nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("{record} {id}: field {field} names {code:?}, which is not a known {expected}")]
    UnknownReference {
        record: &'static str,
        id: String,
        field: &'static str,
        code: String,
        expected: &'static str,
    },
}

/// What applying a batch changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ApplySummary {
    /// Counts one merge outcome.
    pub fn count<T>(&mut self, merge: &Merge<T>) {
        match merge {
            Merge::Created(_) => self.created += 1,
            Merge::Updated(_) => self.updated += 1,
            Merge::Unchanged => self.unchanged += 1,
        }
    }
}

/// The outcome of merging an incoming record with the stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Merge<T> {
    Created(T),
    Updated(T),
    Unchanged,
}

/// Merges an imported facility into the stored one: same content keeps the
/// stored record (and its version); otherwise the record gets `next_version`.
pub fn merge_facility(
    stored: Option<&Facility>,
    mut incoming: Facility,
    next_version: u64,
) -> Merge<Facility> {
    match stored {
        Some(s) if s.same_content(&incoming) => Merge::Unchanged,
        Some(_) => {
            incoming.version = next_version;
            Merge::Updated(incoming)
        }
        None => {
            incoming.version = next_version;
            Merge::Created(incoming)
        }
    }
}

/// Merges any record that has no version of its own.
pub fn merge_plain<T: PartialEq>(stored: Option<&T>, incoming: T) -> Merge<T> {
    match stored {
        Some(s) if *s == incoming => Merge::Unchanged,
        Some(_) => Merge::Updated(incoming),
        None => Merge::Created(incoming),
    }
}

/// An in-memory catalogue, as the phone keeps it and the tests use it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalogue {
    pub areas: BTreeMap<String, AdminArea>,
    pub facilities: BTreeMap<String, Facility>,
    pub duty_posts: BTreeMap<String, DutyPost>,
    /// The highest facility version handed out.
    pub version: u64,
}

impl Catalogue {
    /// Checks that every reference in `batch` resolves, against the batch
    /// itself and what `known_area` says is stored.
    pub fn check_references(
        batch: &ImportBatch,
        known_area: &dyn Fn(&str) -> Option<AreaLevel>,
    ) -> Result<(), CatalogueError> {
        let level_of = |code: &str| {
            batch
                .areas
                .iter()
                .find(|a| a.code == code)
                .map(|a| a.level)
                .or_else(|| known_area(code))
        };
        for a in &batch.areas {
            if let (Some(parent), Some(expected)) = (&a.parent_code, a.level.parent_level())
                && level_of(parent) != Some(expected)
            {
                return Err(CatalogueError::UnknownReference {
                    record: "area",
                    id: a.code.clone(),
                    field: "parent_code",
                    code: parent.clone(),
                    expected: expected.as_str(),
                });
            }
        }
        for f in &batch.facilities {
            if level_of(&f.area_code).is_none() {
                return Err(CatalogueError::UnknownReference {
                    record: "facility",
                    id: f.id.clone(),
                    field: "area_code",
                    code: f.area_code.clone(),
                    expected: "area",
                });
            }
        }
        for p in &batch.duty_posts {
            if level_of(&p.street_code) != Some(AreaLevel::Street) {
                return Err(CatalogueError::UnknownReference {
                    record: "duty post",
                    id: p.id.clone(),
                    field: "street_code",
                    code: p.street_code.clone(),
                    expected: "street",
                });
            }
        }
        Ok(())
    }

    /// Applies a batch whole, or nothing when a reference does not resolve.
    pub fn apply(&mut self, batch: ImportBatch) -> Result<ApplySummary, CatalogueError> {
        let areas = &self.areas;
        Self::check_references(&batch, &|code| areas.get(code).map(|a| a.level))?;
        let mut summary = ApplySummary::default();
        for a in batch.areas {
            let merge = merge_plain(self.areas.get(&a.code), a);
            summary.count(&merge);
            if let Merge::Created(a) | Merge::Updated(a) = merge {
                self.areas.insert(a.code.clone(), a);
            }
        }
        for f in batch.facilities {
            let merge = merge_facility(self.facilities.get(&f.id), f, self.version + 1);
            summary.count(&merge);
            if let Merge::Created(f) | Merge::Updated(f) = merge {
                self.version = f.version;
                self.facilities.insert(f.id.clone(), f);
            }
        }
        for p in batch.duty_posts {
            let merge = merge_plain(self.duty_posts.get(&p.id), p);
            summary.count(&merge);
            if let Merge::Created(p) | Merge::Updated(p) = merge {
                self.duty_posts.insert(p.id.clone(), p);
            }
        }
        Ok(summary)
    }
}
