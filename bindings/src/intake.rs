//! Need intake (需求登记) on the phone: a resident files their own need, a
//! lawyer on site enters one that could not be solved there. The form is
//! checked field by field with the core's rules (the server runs the same
//! ones), then queued in the outbox with its photos and delivered when
//! online; nothing is lost offline and a retry never files it twice.

use chrono::Utc;
use lawcircle_api::Page;
use lawcircle_api::needs::{NeedStepKind, NeedSummary};
use lawcircle_core::needs::{
    AttachmentRef, Channel, Consent, EnteredBy, Enterprise, NeedCategory, NeedDraft, NeedLocation,
    Requester, Urgency,
};

use crate::client::LawCircleClient;
use crate::forms::parse_answers;
use crate::runtime::run;
use crate::{LawCircleError, Point};
use lawcircle_core::applications::{
    ApplicationDraft, DocumentKind, FormModel, ProvidedDocument, ServiceRegistry,
};
use lawcircle_core::orders::order::OrderState;

/// A photo or document for a need: a file on the phone. The library
/// checks it once (it exists, is a readable file within 10 MiB, and its
/// content is a JPEG, PNG, WebP, HEIC image or a PDF — the types the server
/// accepts; the name and the picker's claim do not count), hashes it while
/// copying it into its own data folder, and sends that copy: the app may
/// delete its file once the need is submitted or the draft saved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct AttachmentInput {
    /// The file's path (e.g. a downscaled JPEG in the app's cache).
    pub path: String,
    /// What the user sees it as (e.g. `租赁合同.pdf`).
    #[uniffi(default = None)]
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The need form (需求登记表).
#[derive(Debug, Clone, PartialEq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct NeedForm {
    pub requester_name: String,
    /// A mainland mobile number.
    pub requester_phone: String,
    /// 居民身份证号码, optional.
    pub requester_id_number: Option<String>,
    /// For an enterprise: its name and 统一社会信用代码.
    pub enterprise_name: Option<String>,
    pub enterprise_credit_code: Option<String>,
    pub category: NeedCategory,
    /// What the trouble is (personal data: shown only to those handling it).
    pub description: String,
    pub urgency: Urgency,
    pub address: String,
    /// The street (9 digits) or village/community (12 digits) code.
    pub area_code: String,
    pub point: Option<Point>,
    pub channel: Channel,
    /// The duty post where a lawyer or volunteer entered it.
    pub post_id: Option<String>,
    /// The requester agreed to the personal-information notice.
    pub consent_given: bool,
    pub consent_notice_version: String,
    pub attachments: Vec<AttachmentInput>,
    /// For an online application: the form's answers (see
    /// `service_form`); the need's category should be the application's.
    pub application: Option<ApplicationInput>,
}

/// The answers of an application form, filed under the form's version.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct ApplicationInput {
    pub service_code: String,
    pub version: u32,
    pub answers: Vec<crate::forms::FormAnswer>,
    /// Which of the need's attachments are which documents (the legal-aid
    /// checklist counts them as provided).
    #[uniffi(default)]
    #[serde(default)]
    pub documents: Vec<ApplicationDocument>,
}

/// One attachment named as a document of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct ApplicationDocument {
    /// Its index in `NeedForm.attachments`.
    pub attachment: u32,
    pub kind: DocumentKind,
}

/// One problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldProblem {
    /// The field, e.g. `requester.phone`.
    pub field: String,
    pub reason: String,
}

/// A need category to pick from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NeedCategoryInfo {
    pub category: NeedCategory,
    pub name: String,
}

/// A need filed by (or for) the signed-in user, as the server has it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NeedStatus {
    pub id: i64,
    /// The outbox key it was sent with: matches the phone's entry.
    pub client_key: String,
    pub category: NeedCategory,
    /// The need's own status as the server words it (e.g. `received`).
    pub status: String,
    pub order_id: Option<String>,
    pub order_state: Option<OrderState>,
    pub received_at_ms: i64,
    /// Whether the user may rate the need's order now (they are its
    /// requester, it is resolved and not yet rated): the shell shows the
    /// rating form on this, never by comparing state names.
    pub may_rate: bool,
    /// What happened to the need, oldest first: received, then each step
    /// of its order (offered, grabbed, dispatched, resolved, rated…).
    pub history: Vec<NeedStep>,
}

/// One step in a need's history, as its requester may see it (no one's
/// name and no note).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NeedStep {
    pub at_ms: i64,
    /// Where the order stood after the step (`Submitted` for the receipt).
    pub state: OrderState,
    pub what: NeedStepKind,
}

impl From<NeedSummary> for NeedStatus {
    fn from(n: NeedSummary) -> Self {
        NeedStatus {
            id: n.id,
            client_key: n.client_key,
            category: n.category,
            status: n.status,
            order_id: n.order_id,
            order_state: n.order_state,
            received_at_ms: crate::client::ms(n.received_at),
            may_rate: n.may_rate,
            history: n
                .history
                .into_iter()
                .map(|s| NeedStep {
                    at_ms: crate::client::ms(s.at),
                    state: s.state,
                    what: s.what,
                })
                .collect(),
        }
    }
}

fn category_name(c: NeedCategory) -> &'static str {
    match c {
        NeedCategory::Consultation => "法律咨询",
        NeedCategory::Mediation => "纠纷调解",
        NeedCategory::LegalAid => "法律援助",
        NeedCategory::Notarization => "公证",
        NeedCategory::JudicialAppraisal => "司法鉴定",
        NeedCategory::Arbitration => "仲裁",
        NeedCategory::AdministrativeReconsideration => "行政复议",
        NeedCategory::RemotePrisonVisit => "监所远程会见",
        NeedCategory::EnterpriseCheckup => "企业法治体检",
        NeedCategory::Other => "其他",
    }
}

/// The need categories, in the order a picker shows them.
#[uniffi::export]
pub fn need_categories() -> Vec<NeedCategoryInfo> {
    NeedCategory::ALL
        .iter()
        .map(|c| NeedCategoryInfo {
            category: *c,
            name: category_name(*c).to_string(),
        })
        .collect()
}

fn not_blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl NeedForm {
    /// The core draft, or the problems of the fields that cannot even be
    /// read (unknown codes, a bad point, application answers that fail the
    /// form's rules: `application.answers.<code>`). `form` is the
    /// application's form when there is one.
    fn to_draft(
        &self,
        form: Option<&FormModel>,
        refs: &[Option<AttachmentRef>],
    ) -> Result<NeedDraft, Vec<FieldProblem>> {
        let now = Utc::now();
        let mut problems = Vec::new();
        let (category, urgency, channel) = (self.category, self.urgency, self.channel);
        let point = match self
            .point
            .map(lawcircle_core::geo::coord::GeoPoint::try_from)
        {
            None => None,
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                problems.push(FieldProblem {
                    field: "location.point".to_string(),
                    reason: e.to_string(),
                });
                None
            }
        };
        let enterprise = match (
            not_blank(&self.enterprise_name),
            not_blank(&self.enterprise_credit_code),
        ) {
            (None, None) => None,
            (name, code) => Some(Enterprise {
                name: name.unwrap_or_default(),
                credit_code: code.unwrap_or_default(),
            }),
        };
        let application = match (&self.application, form) {
            (Some(a), Some(model)) => match parse_answers(model, &a.answers) {
                Ok(answers) => Some(ApplicationDraft {
                    service_code: a.service_code.clone(),
                    service_version: a.version,
                    answers,
                    documents: self.documents(a, refs, &mut problems),
                }),
                Err(errors) => {
                    problems.extend(errors.into_iter().map(|p| FieldProblem {
                        field: format!("application.answers.{}", p.field),
                        reason: p.reason,
                    }));
                    None
                }
            },
            _ => None,
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NeedDraft {
            requester: Requester {
                name: self.requester_name.clone(),
                phone: self.requester_phone.clone(),
                id_number: not_blank(&self.requester_id_number),
                enterprise,
            },
            category,
            specialty: None,
            description: self.description.clone(),
            urgency,
            location: NeedLocation {
                point,
                address: self.address.clone(),
                area_code: self.area_code.clone(),
            },
            channel,
            entered: EnteredBy {
                at: now,
                point,
                post_id: not_blank(&self.post_id),
            },
            consent: Consent {
                given: self.consent_given,
                at: now,
                notice_version: self.consent_notice_version.clone(),
            },
            attachments: Vec::<AttachmentRef>::new(),
            application,
        })
    }

    /// The documents an application names, by the sha256 of the
    /// attachment each points at (`refs`: the attachments as checked, in
    /// order; `None` for one refused by content).
    fn documents(
        &self,
        a: &ApplicationInput,
        refs: &[Option<AttachmentRef>],
        problems: &mut Vec<FieldProblem>,
    ) -> Vec<ProvidedDocument> {
        let mut out = Vec::new();
        for (i, d) in a.documents.iter().enumerate() {
            let field = format!("application.documents[{i}]");
            let kind = d.kind;
            let i = d.attachment as usize;
            match refs.get(i) {
                Some(Some(r)) => out.push(ProvidedDocument {
                    sha256: r.sha256.clone(),
                    kind,
                }),
                // The file was refused (said under `attachments[i]`).
                Some(None) => {}
                None => problems.push(FieldProblem {
                    field,
                    reason: format!("there is no attachment {}", d.attachment),
                }),
            }
        }
        out
    }

    /// Checks the whole form once, the same the server would (with
    /// `catalog`, the phone's forms): the draft to queue, or every problem.
    /// `files` are the attachments as checked ([`Inner::attachment`]), in
    /// order.
    fn check(
        &self,
        form: Option<&FormModel>,
        catalog: &ServiceRegistry,
        files: &[Result<AttachmentRef, FieldProblem>],
    ) -> Result<NeedDraft, Vec<FieldProblem>> {
        let mut attachment_problems = Vec::new();
        let refs: Vec<Option<AttachmentRef>> = files
            .iter()
            .map(|f| match f {
                Ok(r) => Some(r.clone()),
                Err(p) => {
                    attachment_problems.push(p.clone());
                    None
                }
            })
            .collect();
        let mut out = match self.to_draft(form, &refs) {
            Err(p) => return Err(p),
            Ok(draft) => {
                // Attachments are referred to by content, as the outbox
                // will (so documents can name them).
                let mut checked = draft.clone();
                checked.attachments = refs.iter().flatten().cloned().collect();
                match checked.validate_with_registry(catalog, Utc::now()) {
                    Ok(_) if attachment_problems.is_empty() => return Ok(draft),
                    Ok(_) => Vec::new(),
                    Err(errors) => errors
                        .0
                        .into_iter()
                        .map(|e| FieldProblem {
                            field: e.field,
                            reason: e.reason,
                        })
                        .collect(),
                }
            }
        };
        out.extend(attachment_problems);
        Err(out)
    }
}

fn first_problem(mut problems: Vec<FieldProblem>) -> LawCircleError {
    let all = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.reason))
        .collect::<Vec<_>>()
        .join("; ");
    match problems.drain(..).next() {
        Some(p) => LawCircleError::InvalidInput {
            field: p.field,
            reason: all,
        },
        None => LawCircleError::invalid("need", "invalid"),
    }
}

impl LawCircleClient {
    /// The application form a need refers to, from the phone's copy.
    fn application_form(&self, form: &NeedForm) -> Result<Option<FormModel>, LawCircleError> {
        form.application
            .as_ref()
            .map(|a| self.form_model(&a.service_code, Some(a.version)))
            .transpose()
    }

    /// The phone's forms as a catalogue, for the core's need validation.
    fn catalog(&self) -> Result<ServiceRegistry, LawCircleError> {
        let mut catalog = ServiceRegistry::new();
        for def in self.inner.offline.services()? {
            catalog.publish(def).map_err(LawCircleError::internal)?;
        }
        Ok(catalog)
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Every problem of a need form, field by field (empty: it can be
    /// submitted). Offline; the same rules as the server. An application
    /// whose form is not on the phone is an error.
    pub fn validate_need(&self, form: NeedForm) -> Result<Vec<FieldProblem>, LawCircleError> {
        let model = self.application_form(&form)?;
        let files = self.inner.attachments(&form.attachments);
        Ok(form
            .check(model.as_ref(), &self.catalog()?, &files)
            .err()
            .unwrap_or_default())
    }

    /// Queues a need (and its photos) for delivery; durable before this
    /// returns. Refused with `InvalidInput` (the first field, every problem
    /// in the reason) when the form is not valid. Returns the outbox key.
    /// Photos are checked and the database written off the caller's
    /// thread.
    pub async fn submit_need(&self, form: NeedForm) -> Result<String, LawCircleError> {
        let client = LawCircleClient {
            inner: self.inner.clone(),
        };
        crate::runtime::run_blocking(move || client.submit_need_now(form)).await
    }
}

impl LawCircleClient {
    fn submit_need_now(&self, form: NeedForm) -> Result<String, LawCircleError> {
        let entity = uuid::Uuid::now_v7().to_string();
        self.queue_need(&entity, &form, None)
    }

    /// Checks `form` and queues it as the need `entity` with its files
    /// (the outbox's copies), deleting `from_draft` in the same
    /// transaction. Nothing is queued when anything is refused.
    pub(crate) fn queue_need(
        &self,
        entity: &str,
        form: &NeedForm,
        from_draft: Option<&str>,
    ) -> Result<String, LawCircleError> {
        let model = self.application_form(form)?;
        let files = self.inner.attachments(&form.attachments);
        let draft = form
            .check(model.as_ref(), &self.catalog()?, &files)
            .map_err(first_problem)?;
        let refs: Vec<AttachmentRef> = files.into_iter().flatten().collect();
        Ok(self
            .inner
            .outbox
            .enqueue_need_files(entity, &draft, &refs, from_draft, Utc::now())?)
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// The signed-in user's needs with their status and order (online).
    pub async fn my_needs(&self) -> Result<Vec<NeedStatus>, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let mut out = Vec::new();
            let mut after = 0;
            loop {
                let v = inner
                    .get(&format!("/api/v1/needs?limit=500&after={after}"))
                    .await?;
                let page: Page<NeedSummary> = crate::client::decode(v)?;
                out.extend(page.items.into_iter().map(NeedStatus::from));
                match page.next_after {
                    Some(next) if next > after => after = next,
                    _ => return Ok(out),
                }
            }
        })
        .await
    }
}
