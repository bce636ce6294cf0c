//! An application (线上申请) as a need carries it: the type and version
//! it was filed under, the typed answers, and which attachments are
//! which documents. [`check_application`] is the one check the phone
//! runs before queueing and the server runs again before storing, so
//! both refuse the same answers with the same field paths.

use super::legal_aid::{
    DocumentKind, Eligibility, LegalAidRules, eligibility, missing_documents, required_documents,
};
use super::registry::{IntakeError, ServiceRegistry};
use super::validate::{AnswerValue, ValidatedApplication};
use crate::needs::AttachmentRef;
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The code of the legal aid type (法律援助) among the shipped defaults:
/// its applications get the eligibility pre-assessment and the document
/// checklist.
pub const LEGAL_AID_CODE: &str = "legal_aid";

/// One attachment of the need named as a document of the application
/// (e.g. the photo of the ID card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvidedDocument {
    /// The sha256 of one of the need's attachments.
    pub sha256: String,
    pub kind: DocumentKind,
}

/// An application inside a need (`NeedDraft::application`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    pub service_code: String,
    /// The version of the type the form was drawn from.
    pub service_version: u32,
    /// Answers by question code.
    #[serde(default)]
    pub answers: BTreeMap<String, AnswerValue>,
    /// Which attachments are which documents (optional): the legal aid
    /// checklist counts a document as provided when one is named here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<ProvidedDocument>,
}

impl ApplicationDraft {
    /// The document kinds provided, from [`Self::documents`].
    pub fn provided_documents(&self) -> Vec<DocumentKind> {
        let mut kinds: Vec<DocumentKind> = self.documents.iter().map(|d| d.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// The JSON path prefix of the application inside a need.
const PREFIX: &str = "application";

/// Checks an application against the exact version it names, for a new
/// filing: the type must exist, have that version and not be retired
/// (neither the version filed under nor the newest one); every answer is
/// checked with [`super::validate`](mod@super::validate), every document
/// must name one of `attachments`. Field paths are those of the need's
/// JSON: `application.service_code`, `application.service_version`,
/// `application.answers.<question code>`, `application.documents[i].sha256`.
pub fn check_application(
    app: &ApplicationDraft,
    catalog: &ServiceRegistry,
    attachments: &[AttachmentRef],
    now: DateTime<Utc>,
) -> Result<ValidatedApplication, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, d) in app.documents.iter().enumerate() {
        if !attachments.iter().any(|a| a.sha256 == d.sha256) {
            errors.push(FieldError::new(
                format!("{PREFIX}.documents[{i}].sha256"),
                "not one of the need's attachments",
            ));
        }
    }
    let retired = catalog
        .latest(&app.service_code)
        .is_some_and(|latest| !latest.active)
        || catalog
            .get(&app.service_code, app.service_version)
            .is_some_and(|d| !d.active);
    if retired {
        errors.push(FieldError::new(
            format!("{PREFIX}.service_code"),
            IntakeError::Retired {
                code: app.service_code.clone(),
            }
            .to_string(),
        ));
        return Err(errors);
    }
    match catalog.validate_filed(&app.service_code, app.service_version, &app.answers, now) {
        Ok(valid) if errors.is_empty() => Ok(valid),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.extend(intake_field_errors(&e));
            Err(errors)
        }
    }
}

/// An intake refusal as need field errors (see [`check_application`]).
pub fn intake_field_errors(e: &IntakeError) -> Vec<FieldError> {
    match e {
        IntakeError::UnknownService { .. } | IntakeError::Retired { .. } => {
            vec![FieldError::new(
                format!("{PREFIX}.service_code"),
                e.to_string(),
            )]
        }
        IntakeError::UnknownVersion { .. } => vec![FieldError::new(
            format!("{PREFIX}.service_version"),
            e.to_string(),
        )],
        IntakeError::Invalid { errors } => errors
            .iter()
            .map(|f| {
                FieldError::new(
                    format!("{PREFIX}.answers.{}", f.field),
                    f.reason.to_string(),
                )
            })
            .collect(),
    }
}

/// A document of the checklist, named in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNeeded {
    pub kind: DocumentKind,
    pub name_zh: String,
    pub name_en: String,
}

impl From<DocumentKind> for DocumentNeeded {
    fn from(kind: DocumentKind) -> Self {
        DocumentNeeded {
            kind,
            name_zh: kind.name_zh().to_string(),
            name_en: kind.name_en().to_string(),
        }
    }
}

/// The legal aid pre-assessment of an application (预审), shown to the
/// applicant and to staff: not a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalAidAssessment {
    pub eligibility: Eligibility,
    pub required_documents: Vec<DocumentNeeded>,
    /// Required documents not yet named among the attachments (还需提交).
    pub missing_documents: Vec<DocumentNeeded>,
}

/// The assessment of a legal aid application; `None` for other types.
pub fn assess(app: &ApplicationDraft, rules: &LegalAidRules) -> Option<LegalAidAssessment> {
    if app.service_code != LEGAL_AID_CODE {
        return None;
    }
    let provided = app.provided_documents();
    Some(LegalAidAssessment {
        eligibility: eligibility(&app.answers, rules),
        required_documents: required_documents(&app.answers, rules)
            .into_iter()
            .map(Into::into)
            .collect(),
        missing_documents: missing_documents(&app.answers, rules, &provided)
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

/// The need category an application type files under (for lists, order
/// kinds and indicators); `other` for a type staff added later.
pub fn need_category_for(service_code: &str) -> crate::needs::NeedCategory {
    use crate::needs::NeedCategory;
    match service_code {
        "mediation" => NeedCategory::Mediation,
        LEGAL_AID_CODE => NeedCategory::LegalAid,
        "admin_reconsideration" => NeedCategory::AdministrativeReconsideration,
        "remote_prison_visit" => NeedCategory::RemotePrisonVisit,
        "enterprise_checkup" => NeedCategory::EnterpriseCheckup,
        _ => NeedCategory::Other,
    }
}
