//! The service catalogue (办事事项目录): every published version of every
//! application type. Staff publish a new version to change a type, with
//! no app release; a filed application names its `(code, version)` and
//! is validated and rendered against that version forever.

use super::definition::{DefinitionError, ServiceDefinition};
use super::validate::{AnswerError, AnswerValue, ValidatedApplication, validate};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default application types shipped with LawCircle (纠纷调解, 法律援助,
/// 行政复议, 监所远程会见, 企业法治体检), version 1 each.
pub const DEFAULT_DEFINITIONS_JSON: &str = include_str!("../../../data/services/definitions.json");

/// Why a definition could not be published or loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("{code} v{version} is not a valid definition: {errors:?}")]
    Invalid {
        code: String,
        version: u32,
        errors: Vec<DefinitionError>,
    },
    #[error(
        "{code}: the next version must be {expected}, got {got} (published versions never change)"
    )]
    VersionNotNext {
        code: String,
        expected: u32,
        got: u32,
    },
    #[error("service definitions JSON: {0}")]
    Json(String),
}

/// Why an application was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum IntakeError {
    #[error("no application type {code:?}")]
    UnknownService { code: String },
    #[error("application type {code:?} has no version {version}")]
    UnknownVersion { code: String, version: u32 },
    #[error("application type {code:?} is retired and takes no new applications")]
    Retired { code: String },
    #[error("{} field(s) refused", errors.len())]
    Invalid { errors: Vec<AnswerError> },
}

/// Every version of every definition, by code then version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRegistry {
    versions: BTreeMap<String, BTreeMap<u32, ServiceDefinition>>,
}

impl ServiceRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The catalogue of the shipped default types.
    pub fn with_defaults() -> Result<Self, RegistryError> {
        Self::from_json(DEFAULT_DEFINITIONS_JSON)
    }

    /// Loads a JSON array of definitions (any versions, any order); each
    /// code's versions must run 1, 2, 3… without gaps.
    pub fn from_json(json: &str) -> Result<Self, RegistryError> {
        let mut defs: Vec<ServiceDefinition> =
            serde_json::from_str(json).map_err(|e| RegistryError::Json(e.to_string()))?;
        defs.sort_by(|a, b| (&a.code, a.version).cmp(&(&b.code, b.version)));
        let mut catalog = Self::new();
        for def in defs {
            catalog.publish(def)?;
        }
        Ok(catalog)
    }

    /// Every version of every definition, as a JSON-ready list.
    pub fn all_versions(&self) -> impl Iterator<Item = &ServiceDefinition> {
        self.versions.values().flat_map(|v| v.values())
    }

    /// Publishes a definition: it must be valid and be the next version
    /// of its code (1 for a new code). Published versions never change.
    pub fn publish(&mut self, def: ServiceDefinition) -> Result<(), RegistryError> {
        def.check().map_err(|errors| RegistryError::Invalid {
            code: def.code.clone(),
            version: def.version,
            errors,
        })?;
        let versions = self.versions.entry(def.code.clone()).or_default();
        let expected = versions.keys().next_back().map_or(1, |v| v + 1);
        if def.version != expected {
            return Err(RegistryError::VersionNotNext {
                code: def.code,
                expected,
                got: def.version,
            });
        }
        versions.insert(def.version, def);
        Ok(())
    }

    /// One exact version.
    pub fn get(&self, code: &str, version: u32) -> Option<&ServiceDefinition> {
        self.versions.get(code)?.get(&version)
    }

    /// The newest version of a code (retired or not).
    pub fn latest(&self, code: &str) -> Option<&ServiceDefinition> {
        self.versions.get(code)?.values().next_back()
    }

    /// The newest version of each type that still takes applications,
    /// by code: what `services.json` lists.
    pub fn active(&self) -> Vec<&ServiceDefinition> {
        self.versions
            .values()
            .filter_map(|v| v.values().next_back())
            .filter(|d| d.active)
            .collect()
    }

    /// Validates a new application against the newest version of `code`.
    pub fn validate_new(
        &self,
        code: &str,
        answers: &BTreeMap<String, AnswerValue>,
        now: DateTime<Utc>,
    ) -> Result<ValidatedApplication, IntakeError> {
        let def = self
            .latest(code)
            .ok_or_else(|| IntakeError::UnknownService { code: code.into() })?;
        if !def.active {
            return Err(IntakeError::Retired { code: code.into() });
        }
        validate(def, answers, now).map_err(|errors| IntakeError::Invalid { errors })
    }

    /// Re-validates a filed application against the version it was filed
    /// under (e.g. on the server after the phone, or after an edit).
    pub fn validate_filed(
        &self,
        code: &str,
        version: u32,
        answers: &BTreeMap<String, AnswerValue>,
        now: DateTime<Utc>,
    ) -> Result<ValidatedApplication, IntakeError> {
        let def = self.get(code, version).ok_or_else(|| {
            if self.versions.contains_key(code) {
                IntakeError::UnknownVersion {
                    code: code.into(),
                    version,
                }
            } else {
                IntakeError::UnknownService { code: code.into() }
            }
        })?;
        validate(def, answers, now).map_err(|errors| IntakeError::Invalid { errors })
    }
}
