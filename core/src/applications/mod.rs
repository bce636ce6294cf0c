//! Online applications (线上申请, plan item 10 and 12): mediation (纠纷调解),
//! legal aid (法律援助), administrative reconsideration (行政复议), remote
//! prison visits (监所远程会见) and enterprise legal check-ups (企业法治体检).
//!
//! Each application type is data, a versioned [`ServiceDefinition`] with
//! typed questions (Open311 GeoReport v2's datatypes), validation rules,
//! the body responsible and the deadline. Staff add or change a type by
//! publishing a new version in the [`ServiceRegistry`]; an application
//! records the `(code, version)` it was filed under and is validated and
//! shown against that version forever.
//!
//! * [`definition`]: the definition, its questions and rules;
//! * [`validate`](mod@validate): typed answers and field-by-field validation, shared by
//!   phone and server;
//! * [`application`]: an application inside a need, checked the same on
//!   phone and server; the legal aid assessment of one;
//! * [`registry`]: every version of every type, the shipped defaults;
//! * [`legal_aid`]: the legal aid pre-assessment and document checklist;
//! * [`form`]: the generic form model the shells draw;
//! * [`open311`]: the Open311 GeoReport v2 shapes (JSON and XML), the
//!   form-encoded POST and the mapping onto our application types.
//!

pub mod application;
pub mod definition;
pub mod form;
pub mod legal_aid;
pub mod open311;
pub mod registry;
pub mod validate;

#[cfg(test)]
mod tests;

pub use application::{
    ApplicationDraft, DocumentNeeded, LEGAL_AID_CODE, LegalAidAssessment, ProvidedDocument,
    check_application,
};
pub use definition::{
    AttributeDef, Datatype, DayKind, Deadline, DefinitionError, Responsible, ServiceDefinition,
    Validation, ValueOption, weekdays_only,
};
pub use form::{FormField, FormModel, FormOption, Widget};
pub use legal_aid::{DocumentKind, Eligibility, EligibilityReason, LegalAidRules, Verdict};
pub use registry::{IntakeError, RegistryError, ServiceRegistry};
pub use validate::{
    AnswerError, AnswerErrorReason, AnswerValue, ValidatedApplication, parse_answer, validate,
};
