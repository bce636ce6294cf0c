//! The generic form model (通用表单模型) for the shells: derived from a
//! [`ServiceDefinition`], so a new application type needs no app release.
//! The bindings' presenters expose it; the phone draws one widget per
//! field and feeds every edit through [`FormModel::apply_answer`], which
//! parses and checks with the same code the server runs.

use super::definition::{AttributeDef, Datatype, ServiceDefinition};
use super::validate::{
    AnswerError, AnswerErrorReason, AnswerValue, ValidatedApplication, check_value, parse_answer,
    validate,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which widget to draw (控件类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// One-line text input.
    TextInput,
    /// Multi-line text area.
    TextArea,
    /// Numeric keyboard input.
    NumberInput,
    /// Date (or date and time) picker.
    DatePicker,
    /// Radio buttons or a drop-down: one choice.
    SingleSelect,
    /// Check boxes: several choices.
    MultiSelect,
    /// Read-only text (an Open311 attribute with `variable = false`).
    Info,
}

/// One option as the shell shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOption {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
}

/// One field, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub code: String,
    pub widget: Widget,
    pub label_zh: String,
    pub label_en: String,
    pub help_zh: String,
    pub help_en: String,
    pub required: bool,
    pub options: Vec<FormOption>,
    /// Hints for the widget (keyboard, counters, date bounds).
    pub max_len: Option<u32>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    pub integer: bool,
    pub not_in_future: bool,
    /// The full question, for parsing and checking.
    pub attribute: AttributeDef,
}

/// A whole form: the fields in display order, and the `(code, version)`
/// the answers will be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormModel {
    pub service_code: String,
    pub version: u32,
    pub title_zh: String,
    pub title_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub fields: Vec<FormField>,
    definition: ServiceDefinition,
}

fn widget(attr: &AttributeDef) -> Widget {
    if !attr.variable {
        return Widget::Info;
    }
    match attr.datatype {
        Datatype::String => Widget::TextInput,
        Datatype::Text => Widget::TextArea,
        Datatype::Number => Widget::NumberInput,
        Datatype::Datetime => Widget::DatePicker,
        Datatype::Singlevaluelist => Widget::SingleSelect,
        Datatype::Multivaluelist => Widget::MultiSelect,
    }
}

impl FormModel {
    /// The form of one definition version.
    pub fn from_definition(def: &ServiceDefinition) -> Self {
        let fields = def
            .attributes_in_order()
            .into_iter()
            .map(|a| FormField {
                code: a.code.clone(),
                widget: widget(a),
                label_zh: a.description_zh.clone(),
                label_en: a.description_en.clone(),
                help_zh: a.help_zh.clone(),
                help_en: a.help_en.clone(),
                required: a.required,
                options: a
                    .values
                    .iter()
                    .map(|v| FormOption {
                        key: v.key.clone(),
                        label_zh: v.name_zh.clone(),
                        label_en: v.name_en.clone(),
                    })
                    .collect(),
                max_len: a.validation.max_len,
                min: a.validation.min,
                max: a.validation.max,
                integer: a.validation.integer,
                not_in_future: a.validation.not_in_future,
                attribute: a.clone(),
            })
            .collect();
        FormModel {
            service_code: def.code.clone(),
            version: def.version,
            title_zh: def.name_zh.clone(),
            title_en: def.name_en.clone(),
            description_zh: def.description_zh.clone(),
            description_en: def.description_en.clone(),
            fields,
            definition: def.clone(),
        }
    }

    /// The field with this code.
    pub fn field(&self, code: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// Parses and checks what the user typed or picked in one field.
    /// `raw` is the text as entered; for a multi-select, the keys joined
    /// by commas. `Ok(None)`: the field is now empty (allowed when not
    /// required). The same rules as [`validate`] apply, so the server
    /// will not refuse what the form accepted.
    pub fn apply_answer(
        &self,
        field: &str,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AnswerValue>, AnswerError> {
        let f = self
            .field(field)
            .ok_or_else(|| AnswerError::new(field, AnswerErrorReason::UnknownAttribute))?;
        let attr = &f.attribute;
        let parsed =
            parse_answer(attr, &[raw.to_string()]).map_err(|r| AnswerError::new(field, r))?;
        match parsed {
            None if attr.required => Err(AnswerError::new(field, AnswerErrorReason::Required)),
            None => Ok(None),
            Some(_) if !attr.variable => {
                Err(AnswerError::new(field, AnswerErrorReason::NotAnswerable))
            }
            Some(v) => {
                check_value(attr, &v, now).map_err(|r| AnswerError::new(field, r))?;
                Ok(Some(v))
            }
        }
    }

    /// Checks the whole form before sending (all faults at once).
    pub fn validate(
        &self,
        answers: &BTreeMap<String, AnswerValue>,
        now: DateTime<Utc>,
    ) -> Result<ValidatedApplication, Vec<AnswerError>> {
        validate(&self.definition, answers, now)
    }
}
