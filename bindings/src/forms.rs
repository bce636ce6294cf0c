//! Online application forms (线上申请) drawn from data: each application
//! type (mediation, legal aid, administrative reconsideration, remote
//! prison visit, enterprise check-up…) is a versioned service definition
//! published by the district; the phone fetches them, keeps them offline
//! and draws one widget per field from the core's [`FormModel`], checking
//! every answer with the same code the server runs. A new type or a
//! changed question needs no app release.

use std::collections::BTreeMap;

use chrono::Utc;
use lawcircle_core::applications::legal_aid::{
    self, DocumentKind, EligibilityReason, LegalAidRules, Verdict,
};
use lawcircle_core::applications::{
    AnswerError, AnswerValue, FormModel, ServiceDefinition, Widget,
};
use lawcircle_core::needs::NeedCategory;

use crate::LawCircleError;
use crate::client::{LawCircleClient, decode};
use crate::intake::FieldProblem;
use crate::runtime::run;

/// The service code of legal aid (法律援助) in the district's catalogue.
pub const LEGAL_AID_CODE: &str = "legal_aid";

/// Which widget to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FormWidget {
    TextInput,
    TextArea,
    NumberInput,
    DatePicker,
    SingleSelect,
    MultiSelect,
    /// Read-only text.
    Info,
}

impl From<Widget> for FormWidget {
    fn from(w: Widget) -> Self {
        match w {
            Widget::TextInput => FormWidget::TextInput,
            Widget::TextArea => FormWidget::TextArea,
            Widget::NumberInput => FormWidget::NumberInput,
            Widget::DatePicker => FormWidget::DatePicker,
            Widget::SingleSelect => FormWidget::SingleSelect,
            Widget::MultiSelect => FormWidget::MultiSelect,
            Widget::Info => FormWidget::Info,
        }
    }
}

/// One choice of a select.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormChoice {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
}

/// One field, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormFieldSpec {
    pub code: String,
    pub widget: FormWidget,
    pub label_zh: String,
    pub label_en: String,
    pub help_zh: String,
    pub help_en: String,
    pub required: bool,
    pub choices: Vec<FormChoice>,
    pub max_len: Option<u32>,
    /// Decimal bounds as text (no binary floats for money or counts).
    pub min: Option<String>,
    pub max: Option<String>,
    pub integer: bool,
    pub not_in_future: bool,
}

/// An application form: the fields in order and the `(code, version)` the
/// answers are filed under.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServiceForm {
    pub service_code: String,
    pub version: u32,
    /// The need category an application of this type is filed under
    /// (`NeedForm.category`); `Other` for a type the district added later.
    pub need_category: NeedCategory,
    /// Whether this is the legal-aid application (its form shows the
    /// pre-assessment and the document checklist).
    pub is_legal_aid: bool,
    pub title_zh: String,
    pub title_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub fields: Vec<FormFieldSpec>,
}

/// What the user entered in one field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct FormAnswer {
    pub field: String,
    pub value: AnswerInput,
}

/// One field's entry: text as typed (text, number, date fields, and the
/// key of a single select), or the chosen keys of a multi-select.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum, serde::Serialize, serde::Deserialize)]
pub enum AnswerInput {
    Text { text: String },
    Choices { keys: Vec<String> },
}

impl FormAnswer {
    /// The answer as the core's form parses it (a multi-select's keys
    /// joined by commas: keys are the district's codes and hold none).
    fn raw(&self) -> String {
        match &self.value {
            AnswerInput::Text { text } => text.clone(),
            AnswerInput::Choices { keys } => keys
                .iter()
                .map(|k| k.trim())
                .filter(|k| !k.is_empty())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A document the application still needs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentNeeded {
    pub kind: DocumentKind,
    pub name_zh: String,
    pub name_en: String,
}

/// The legal-aid pre-assessment (法律援助资格预判) of the answers so far.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LegalAidAssessment {
    pub verdict: Verdict,
    pub means_test_applies: bool,
    /// Why, one sentence each.
    pub reasons: Vec<String>,
    /// Still to hand in.
    pub missing_documents: Vec<DocumentNeeded>,
}

fn spec(model: &FormModel) -> ServiceForm {
    ServiceForm {
        service_code: model.service_code.clone(),
        version: model.version,
        need_category: lawcircle_core::applications::application::need_category_for(
            &model.service_code,
        ),
        is_legal_aid: model.service_code == LEGAL_AID_CODE,
        title_zh: model.title_zh.clone(),
        title_en: model.title_en.clone(),
        description_zh: model.description_zh.clone(),
        description_en: model.description_en.clone(),
        fields: model
            .fields
            .iter()
            .map(|f| FormFieldSpec {
                code: f.code.clone(),
                widget: f.widget.into(),
                label_zh: f.label_zh.clone(),
                label_en: f.label_en.clone(),
                help_zh: f.help_zh.clone(),
                help_en: f.help_en.clone(),
                required: f.required,
                choices: f
                    .options
                    .iter()
                    .map(|o| FormChoice {
                        key: o.key.clone(),
                        label_zh: o.label_zh.clone(),
                        label_en: o.label_en.clone(),
                    })
                    .collect(),
                max_len: f.max_len,
                min: f.min.map(|d| d.normalize().to_string()),
                max: f.max.map(|d| d.normalize().to_string()),
                integer: f.integer,
                not_in_future: f.not_in_future,
            })
            .collect(),
    }
}

pub(crate) fn problem(e: AnswerError) -> FieldProblem {
    FieldProblem {
        reason: e.reason.message_zh(),
        field: e.field,
    }
}

/// Parses every answer with the form's rules: the typed answers, or every
/// problem (parsing and whole-form checks together).
pub(crate) fn parse_answers(
    model: &FormModel,
    answers: &[FormAnswer],
) -> Result<BTreeMap<String, AnswerValue>, Vec<FieldProblem>> {
    let now = Utc::now();
    let mut typed = BTreeMap::new();
    let mut problems = Vec::new();
    for a in answers {
        match parse_one(model, a) {
            Ok(Some(v)) => {
                typed.insert(a.field.clone(), v);
            }
            Ok(None) => {}
            Err(e) => problems.push(problem(e)),
        }
    }
    if let Err(errors) = model.validate(&typed, now) {
        for e in errors {
            // A field already refused while parsing is said once.
            if !problems.iter().any(|p| p.field == e.field) {
                problems.push(problem(e));
            }
        }
    }
    if problems.is_empty() {
        Ok(typed)
    } else {
        Err(problems)
    }
}

/// One answer parsed without the "required" check (the whole-form check
/// says that once, for every field).
fn parse_one(model: &FormModel, a: &FormAnswer) -> Result<Option<AnswerValue>, AnswerError> {
    let raw = a.raw();
    if raw.trim().is_empty() {
        return Ok(None);
    }
    model.apply_answer(&a.field, &raw, Utc::now())
}

fn reason_text(r: &EligibilityReason) -> String {
    match r {
        EligibilityReason::NoMeansTest { case_type, basis } => {
            format!("{case_type}: 不受经济困难条件限制({basis})")
        }
        EligibilityReason::ExemptGroup { group, basis } => {
            format!("{group}: 免予核查经济困难状况({basis})")
        }
        EligibilityReason::CaseTypeNotListed { case_type } => {
            format!("{case_type}: 不在规定的事项范围内,由法律援助机构审查")
        }
        EligibilityReason::MissingAnswer { field } => format!("{field}: 尚未填写"),
        EligibilityReason::IncomeWithinThreshold {
            per_capita,
            threshold,
        } => format!("家庭人均月收入 {per_capita} 元,不高于标准 {threshold} 元"),
        EligibilityReason::IncomeNearThreshold {
            per_capita,
            threshold,
        } => format!("家庭人均月收入 {per_capita} 元,接近标准 {threshold} 元"),
        EligibilityReason::IncomeAboveThreshold {
            per_capita,
            threshold,
        } => format!("家庭人均月收入 {per_capita} 元,高于标准 {threshold} 元"),
        EligibilityReason::IllustrativeThreshold => {
            "所用收入标准为示例数值,以法律援助机构公布的标准为准".to_string()
        }
    }
}

impl LawCircleClient {
    /// The form of `code` at `version` (the newest when `None`), from the
    /// phone's copy.
    pub(crate) fn form_model(
        &self,
        code: &str,
        version: Option<u32>,
    ) -> Result<FormModel, LawCircleError> {
        let defs = self.inner.offline.services()?;
        let def = defs
            .iter()
            .filter(|d| d.code == code && version.is_none_or(|v| d.version == v))
            .max_by_key(|d| d.version)
            .ok_or_else(|| {
                LawCircleError::invalid(
                    "service_code",
                    format!("no form {code} on the phone: refresh the forms"),
                )
            })?;
        Ok(FormModel::from_definition(def))
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Fetches the district's application forms (the newest version of
    /// each active type) and keeps them for offline use. Returns how many.
    pub async fn refresh_service_forms(&self) -> Result<u32, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let defs: Vec<ServiceDefinition> = decode(inner.get("/api/v1/services").await?)?;
            let n = defs.len() as u32;
            inner.offline.set_services(defs)?;
            Ok(n)
        })
        .await
    }

    /// The forms on the phone, in the order to list them.
    pub fn service_forms(&self) -> Result<Vec<ServiceForm>, LawCircleError> {
        let mut defs = self.inner.offline.services()?;
        defs.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(defs
            .iter()
            .filter(|d| d.active)
            .map(|d| spec(&FormModel::from_definition(d)))
            .collect())
    }

    /// One form, newest version.
    pub fn service_form(&self, service_code: String) -> Result<ServiceForm, LawCircleError> {
        Ok(spec(&self.form_model(&service_code, None)?))
    }

    /// Checks one field as the user leaves it: `None` when fine.
    pub fn check_form_answer(
        &self,
        service_code: String,
        version: u32,
        answer: FormAnswer,
    ) -> Result<Option<FieldProblem>, LawCircleError> {
        let model = self.form_model(&service_code, Some(version))?;
        let required = model.field(&answer.field).is_some_and(|f| f.required);
        let raw = answer.raw();
        if raw.trim().is_empty() && !required {
            return Ok(None);
        }
        Ok(model
            .apply_answer(&answer.field, &raw, Utc::now())
            .err()
            .map(problem))
    }

    /// Every problem of a whole form (empty: it can be submitted).
    pub fn validate_application(
        &self,
        service_code: String,
        version: u32,
        answers: Vec<FormAnswer>,
    ) -> Result<Vec<FieldProblem>, LawCircleError> {
        let model = self.form_model(&service_code, Some(version))?;
        Ok(parse_answers(&model, &answers).err().unwrap_or_default())
    }

    /// The legal-aid pre-assessment of the answers so far and the
    /// documents still missing, given those already provided. Offline.
    pub fn legal_aid_assessment(
        &self,
        version: u32,
        answers: Vec<FormAnswer>,
        provided_documents: Vec<DocumentKind>,
    ) -> Result<LegalAidAssessment, LawCircleError> {
        let model = self.form_model(LEGAL_AID_CODE, Some(version))?;
        let mut typed = BTreeMap::new();
        for a in &answers {
            // Answers that do not parse yet simply count as missing.
            if let Ok(Some(v)) = parse_one(&model, a) {
                typed.insert(a.field.clone(), v);
            }
        }
        let provided = provided_documents;
        let rules = LegalAidRules::defaults().map_err(LawCircleError::internal)?;
        let e = legal_aid::eligibility(&typed, &rules);
        Ok(LegalAidAssessment {
            verdict: e.verdict,
            means_test_applies: e.means_test_applies,
            reasons: e.reasons.iter().map(reason_text).collect(),
            missing_documents: legal_aid::missing_documents(&typed, &rules, &provided)
                .into_iter()
                .map(|d| DocumentNeeded {
                    kind: d,
                    name_zh: d.name_zh().to_string(),
                    name_en: d.name_en().to_string(),
                })
                .collect(),
        })
    }
}
