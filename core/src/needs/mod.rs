//! Legal needs (法律服务需求): what a resident, an enterprise, a volunteer
//! or a lawyer on site (村居法律顾问) records so that a need that cannot be
//! solved on the spot (当场难以解决) flows into the platform (一体化流转).
//!
//! The same [`NeedDraft::validate`] runs on the phone (before the need
//! enters the outbox) and on the server (before it is stored), so a form
//! can show every problem at once, next to its field, and the server
//! refuses exactly what the phone would have refused.
//!
//! Field names in [`FieldError::field`] are the JSON paths of the record
//! (`requester.phone`, `attachments[1].sha256`, …), so a shell can map an
//! error to the input it belongs to.

use crate::applications::{ApplicationDraft, ServiceRegistry, check_application};
use crate::content::sniff_media_type;
use crate::geo::coord::GeoPoint;
use crate::privacy::{normalize_mobile, validate_id_number};
use crate::validation::FieldError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The largest attachment (photo or document) accepted: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// At most this many attachments per need.
pub const MAX_ATTACHMENTS: usize = 10;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// How far ahead of the checking clock a timestamp may be (phone clocks
/// drift): 5 minutes.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The media types an attachment may have, told by its content.
pub const ATTACHMENT_TYPES: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/pdf",
];

/// What kind of help is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedCategory {
    /// 法律咨询
    Consultation,
    /// 人民调解
    Mediation,
    /// 法律援助
    LegalAid,
    /// 公证
    Notarization,
    /// 司法鉴定
    JudicialAppraisal,
    /// 仲裁
    Arbitration,
    /// 行政复议
    AdministrativeReconsideration,
    /// 监所远程会见
    RemotePrisonVisit,
    /// 企业法治体检
    EnterpriseCheckup,
    /// 其他
    Other,
}

impl NeedCategory {
    pub const ALL: [NeedCategory; 10] = [
        NeedCategory::Consultation,
        NeedCategory::Mediation,
        NeedCategory::LegalAid,
        NeedCategory::Notarization,
        NeedCategory::JudicialAppraisal,
        NeedCategory::Arbitration,
        NeedCategory::AdministrativeReconsideration,
        NeedCategory::RemotePrisonVisit,
        NeedCategory::EnterpriseCheckup,
        NeedCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedCategory::Consultation => "consultation",
            NeedCategory::Mediation => "mediation",
            NeedCategory::LegalAid => "legal_aid",
            NeedCategory::Notarization => "notarization",
            NeedCategory::JudicialAppraisal => "judicial_appraisal",
            NeedCategory::Arbitration => "arbitration",
            NeedCategory::AdministrativeReconsideration => "administrative_reconsideration",
            NeedCategory::RemotePrisonVisit => "remote_prison_visit",
            NeedCategory::EnterpriseCheckup => "enterprise_checkup",
            NeedCategory::Other => "other",
        }
    }
}

/// How soon the need must be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    /// e.g. a deadline within days.
    High,
    /// 紧急: e.g. a dispute that may escalate today.
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
            Urgency::Urgent => "urgent",
        }
    }
}

/// How the need reached the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 现场: at a station, a village, a visit.
    OnSite,
    /// 12348 公共法律服务热线.
    Hotline12348,
    /// 线上: the app or the web.
    Online,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::OnSite => "on_site",
            Channel::Hotline12348 => "hotline12348",
            Channel::Online => "online",
        }
    }
}

/// An enterprise (企业) asking for help, e.g. for a legal check-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub name: String,
    /// 统一社会信用代码 (GB 32100-2015), 18 characters.
    pub credit_code: String,
}

/// Who needs help. Personal data (个人信息): lists show it masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    pub name: String,
    /// A mainland mobile number.
    pub phone: String,
    /// 居民身份证号码 (GB 11643), optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<Enterprise>,
}

/// Where the need is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedLocation {
    /// The place, with its datum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<GeoPoint>,
    pub address: String,
    /// The street (街道, 9 digits) or village/community (村/社区, 12 digits)
    /// code.
    pub area_code: String,
}

/// Consent to process personal information (个人信息处理同意), required by
/// the Personal Information Protection Law before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub given: bool,
    pub at: DateTime<Utc>,
    /// The version of the notice the requester agreed to.
    #[serde(default)]
    pub notice_version: String,
}

/// A photo or document, referred to by the sha256 of its bytes; the bytes
/// are uploaded separately (before the need, by the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub sha256: String,
    /// Told by the content ([`sniff_media_type`]), never by the file name.
    pub media_type: String,
    pub size: u64,
}

/// Who entered the need, when and where (e.g. a lawyer at a village).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnteredBy {
    /// The device's clock when the need was entered.
    pub at: DateTime<Utc>,
    /// Where the person entering it stood, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<GeoPoint>,
    /// The duty post or facility where it was entered, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
}

/// A need as the form produces it, before validation. The account that
/// entered it is the caller on the server, so it is not part of the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedDraft {
    pub requester: Requester,
    pub category: NeedCategory,
    /// The subject of the need from the specialty taxonomy
    /// ([`crate::volunteers::specialty`]), e.g. `labour` (劳动争议), when known: dispatch
    /// then looks for that specialty; without it the category decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    pub description: String,
    pub urgency: Urgency,
    pub location: NeedLocation,
    pub channel: Channel,
    pub entered: EnteredBy,
    pub consent: Consent,
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// An online application (线上申请) of a typed service, when the need
    /// is one: checked by [`NeedDraft::validate_with_registry`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationDraft>,
}

/// Every problem found in a draft, in field order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the need is not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct NeedErrors(pub Vec<FieldError>);

impl NeedErrors {
    /// The first error, to answer an API request with one field.
    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
}

/// Checks a unified social credit code (统一社会信用代码, GB 32100-2015): 18
/// characters from `0-9A-HJ-NPQRTUWXY` (no I, O, Z, S, V), positions 3–8 an
/// administrative division code (digits), and the last character the
/// MOD 31 check character. Lowercase is accepted and upper-cased.
pub fn validate_credit_code(input: &str) -> Result<String, String> {
    const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let code = input.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return Err("a unified social credit code has 18 characters".into());
    }
    let mut values = [0u32; 18];
    for (i, b) in bytes.iter().enumerate() {
        match ALPHABET.iter().position(|a| a == b) {
            Some(v) => values[i] = v as u32,
            None => {
                return Err(format!(
                    "character {} ({:?}) is not allowed: digits and A–Y without I, O, S, V, Z",
                    i + 1,
                    *b as char
                ));
            }
        }
    }
    if !bytes[2..8].iter().all(u8::is_ascii_digit) {
        return Err("characters 3–8 must be the digits of an administrative division code".into());
    }
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err("the check character is wrong (GB 32100-2015)".into());
    }
    Ok(code)
}

fn is_area_code(code: &str) -> bool {
    matches!(code.len(), 9 | 12) && code.bytes().all(|b| b.is_ascii_digit())
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn check_point(errors: &mut Vec<FieldError>, field: &str, p: &Option<GeoPoint>) {
    if let Some(p) = p
        && let Err(e) = GeoPoint::new(p.lat, p.lng, p.datum)
    {
        errors.push(FieldError::new(field, e.to_string()));
    }
}

fn check_not_future(
    errors: &mut Vec<FieldError>,
    field: &str,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    if t > now + MAX_CLOCK_SKEW {
        errors.push(FieldError::new(
            field,
            format!(
                "{t} is in the future (the clock says {now}); check the device's date and time"
            ),
        ));
    }
}

impl NeedDraft {
    /// [`NeedDraft::validate`], then the application (if any) against the
    /// version of its type it names in `catalog`
    /// ([`check_application`]): every error of both, together. The phone
    /// runs this with its cached catalogue, the server with its own.
    pub fn validate_with_registry(
        &self,
        catalog: &ServiceRegistry,
        now: DateTime<Utc>,
    ) -> Result<NeedDraft, NeedErrors> {
        let base = self.validate(now);
        let app = self
            .application
            .as_ref()
            .map(|a| check_application(a, catalog, &self.attachments, now))
            .transpose();
        match (base, app) {
            (Ok(mut need), Ok(valid)) => {
                if let (Some(app), Some(valid)) = (need.application.as_mut(), valid) {
                    // Keep the answers as validated (blank answers dropped).
                    app.answers = valid.answers;
                }
                Ok(need)
            }
            (Ok(_), Err(errors)) => Err(NeedErrors(errors)),
            (Err(NeedErrors(mut errors)), more) => {
                errors.extend(more.err().unwrap_or_default());
                Err(NeedErrors(errors))
            }
        }
    }

    /// Checks every field against `now` (the phone's clock on the phone,
    /// the server's on the server) and returns the record normalised (the
    /// phone number without spaces or +86, the ID number and credit code
    /// upper-cased, text trimmed), or every problem found.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<NeedDraft, NeedErrors> {
        let mut errors = Vec::new();
        let mut out = self.clone();

        let name = self.requester.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            errors.push(FieldError::new("requester.name", "1 to 64 characters"));
        }
        out.requester.name = name.to_string();
        match normalize_mobile(&self.requester.phone) {
            Ok(p) => out.requester.phone = p,
            Err(e) => errors.push(FieldError::new("requester.phone", e.to_string())),
        }
        if let Some(id) = self.requester.id_number.as_deref() {
            if id.trim().is_empty() {
                out.requester.id_number = None;
            } else {
                match validate_id_number(id) {
                    Ok(id) => out.requester.id_number = Some(id),
                    Err(e) => errors.push(FieldError::new("requester.id_number", e.to_string())),
                }
            }
        }
        if let Some(ent) = &self.requester.enterprise {
            let ent_name = ent.name.trim();
            if ent_name.is_empty() || ent_name.chars().count() > 128 {
                errors.push(FieldError::new(
                    "requester.enterprise.name",
                    "1 to 128 characters",
                ));
            }
            match validate_credit_code(&ent.credit_code) {
                Ok(code) => {
                    out.requester.enterprise = Some(Enterprise {
                        name: ent_name.to_string(),
                        credit_code: code,
                    })
                }
                Err(reason) => {
                    errors.push(FieldError::new("requester.enterprise.credit_code", reason))
                }
            }
        } else if self.category == NeedCategory::EnterpriseCheckup {
            errors.push(FieldError::new(
                "requester.enterprise",
                "an enterprise legal check-up (企业法治体检) needs the enterprise and its credit code",
            ));
        }

        let description = self.description.trim();
        if description.is_empty() {
            errors.push(FieldError::new("description", "say what the need is about"));
        } else if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                format!("at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        out.description = description.to_string();

        match self.specialty.as_deref().map(str::trim) {
            None | Some("") => out.specialty = None,
            Some(s) => match crate::volunteers::specialty::resolve(s) {
                Ok(sp) => out.specialty = Some(sp.code.to_string()),
                Err(e) => errors.push(FieldError::new("specialty", e.to_string())),
            },
        }

        let address = self.location.address.trim();
        if address.is_empty() || address.chars().count() > 200 {
            errors.push(FieldError::new("location.address", "1 to 200 characters"));
        }
        out.location.address = address.to_string();
        if !is_area_code(self.location.area_code.trim()) {
            errors.push(FieldError::new(
                "location.area_code",
                "a street (9 digits) or village/community (12 digits) code",
            ));
        }
        out.location.area_code = self.location.area_code.trim().to_string();
        check_point(&mut errors, "location.point", &self.location.point);

        check_not_future(&mut errors, "entered.at", self.entered.at, now);
        check_point(&mut errors, "entered.point", &self.entered.point);

        if !self.consent.given {
            errors.push(FieldError::new(
                "consent.given",
                "the requester must agree to the processing of personal information (个人信息处理同意)",
            ));
        }
        check_not_future(&mut errors, "consent.at", self.consent.at, now);

        if self.attachments.len() > MAX_ATTACHMENTS {
            errors.push(FieldError::new(
                "attachments",
                format!("at most {MAX_ATTACHMENTS} attachments"),
            ));
        }
        for (i, a) in self.attachments.iter().enumerate() {
            if !is_sha256_hex(&a.sha256) {
                errors.push(FieldError::new(
                    format!("attachments[{i}].sha256"),
                    "64 lowercase hexadecimal digits",
                ));
            } else if self.attachments[..i].iter().any(|b| b.sha256 == a.sha256) {
                errors.push(FieldError::new(
                    format!("attachments[{i}].sha256"),
                    "the same file is attached twice",
                ));
            }
            if !ATTACHMENT_TYPES.contains(&a.media_type.as_str()) {
                errors.push(FieldError::new(
                    format!("attachments[{i}].media_type"),
                    "JPEG, PNG, WebP, HEIC or PDF",
                ));
            }
            if a.size == 0 || a.size > MAX_ATTACHMENT_BYTES as u64 {
                errors.push(FieldError::new(
                    format!("attachments[{i}].size"),
                    format!("1 to {MAX_ATTACHMENT_BYTES} bytes"),
                ));
            }
        }

        if errors.is_empty() {
            Ok(out)
        } else {
            Err(NeedErrors(errors))
        }
    }
}

/// Checks an attachment's bytes: size within [`MAX_ATTACHMENT_BYTES`], a
/// type told by the content that is one of [`ATTACHMENT_TYPES`], and, when
/// the sender claims a type (the `Content-Type`, or the type the file name
/// suggests), the claim must agree with the content.
pub fn check_attachment(bytes: &[u8], claimed: Option<&str>) -> Result<AttachmentRef, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("attachment", "the file is empty"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(FieldError::new(
            "attachment",
            format!(
                "{} bytes is more than the {MAX_ATTACHMENT_BYTES} allowed",
                bytes.len()
            ),
        ));
    }
    let Some(media_type) = sniff_media_type(bytes) else {
        return Err(FieldError::new(
            "attachment",
            "the content is not a JPEG, PNG, WebP, HEIC image or a PDF document",
        ));
    };
    if let Some(claimed) = claimed {
        let claimed = claimed.split(';').next().unwrap_or("").trim();
        let claimed = if claimed == "image/jpg" {
            "image/jpeg"
        } else {
            claimed
        };
        if !claimed.is_empty() && claimed != "application/octet-stream" && claimed != media_type {
            return Err(FieldError::new(
                "media_type",
                format!("the file claims to be {claimed} but its content is {media_type}"),
            ));
        }
    }
    Ok(AttachmentRef {
        sha256: crate::content::sha256_hex(bytes),
        media_type: media_type.to_string(),
        size: bytes.len() as u64,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::geo::coord::Datum;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 4, 2, 0, 0).unwrap()
    }

    pub(crate) fn draft() -> NeedDraft {
        NeedDraft {
            requester: Requester {
                name: " 张三 ".into(),
                phone: "+86 138 1234 1234".into(),
                id_number: Some("11010519491231002x".into()),
                enterprise: None,
            },
            category: NeedCategory::Mediation,
            specialty: None,
            description: "邻里纠纷：漏水".into(),
            urgency: Urgency::Normal,
            location: NeedLocation {
                point: Some(GeoPoint::wgs84(27.93, 120.82).unwrap()),
                address: "永中街道某村".into(),
                area_code: "330303001001".into(),
            },
            channel: Channel::OnSite,
            entered: EnteredBy {
                at: now(),
                point: None,
                post_id: None,
            },
            consent: Consent {
                given: true,
                at: now(),
                notice_version: "2024-01".into(),
            },
            attachments: vec![],
            application: None,
        }
    }

    #[test]
    fn a_good_draft_is_normalised() {
        let v = draft().validate(now()).unwrap();
        assert_eq!(v.requester.phone, "13812341234");
        assert_eq!(v.requester.name, "张三");
        assert_eq!(v.requester.id_number.as_deref(), Some("11010519491231002X"));
    }

    #[test]
    fn all_errors_are_reported_with_their_field() {
        let mut d = draft();
        d.requester.phone = "12345".into();
        d.description = "  ".into();
        d.consent.given = false;
        d.entered.at = now() + Duration::hours(1);
        d.location.point = Some(GeoPoint {
            lat: 120.8,
            lng: 27.9,
            datum: Datum::Wgs84,
        });
        let e = d.validate(now()).unwrap_err();
        for f in [
            "requester.phone",
            "description",
            "consent.given",
            "entered.at",
            "location.point",
        ] {
            assert!(e.has(f), "{f} missing in {e}");
        }
        assert_eq!(e.0.len(), 5);
    }

    /// 91350100M000100Y43 is the specimen printed in GB 32100-2015
    /// (Appendix) and on countless sample licences.
    #[test]
    fn credit_codes_follow_gb_32100() {
        assert_eq!(
            validate_credit_code("91350100m000100y43").unwrap(),
            "91350100M000100Y43"
        );
        assert!(validate_credit_code("91350100M000100Y44").is_err());
        assert!(validate_credit_code("91350100M000100Y4").is_err());
        assert!(validate_credit_code("9135010OM000100Y43").is_err());
        assert!(validate_credit_code("91ABCDEFM000100Y43").is_err());
    }

    #[test]
    fn attachments_are_typed_by_content() {
        let png = b"\x89PNG\r\n\x1a\n0000rest";
        let a = check_attachment(png, Some("image/png")).unwrap();
        assert_eq!(a.media_type, "image/png");
        assert_eq!(
            check_attachment(png, Some("image/jpeg")).unwrap_err().field,
            "media_type"
        );
        assert!(check_attachment(b"MZ\x90\x00 an exe", None).is_err());
        let big = vec![0xFFu8; MAX_ATTACHMENT_BYTES + 1];
        assert!(
            check_attachment(&big, None)
                .unwrap_err()
                .reason
                .contains("more than")
        );
        let pdf = b"%PDF-1.7 ...";
        assert_eq!(
            check_attachment(pdf, Some("application/pdf"))
                .unwrap()
                .media_type,
            "application/pdf"
        );
    }
}
