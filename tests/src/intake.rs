//! Helpers for the intake and outbox tests: a valid need as the phone makes
//! it, and the outbox client binary.

use chrono::Utc;
use lawcircle_core::need::{
    Channel, Consent, EnteredBy, NeedCategory, NeedDraft, NeedLocation, Requester, Urgency,
};

/// A valid need whose description is `tag` (so a test can find it on the
/// server), in demo village 永中示例1社区 (street 330303001).
pub fn need_draft(tag: &str) -> NeedDraft {
    let now = Utc::now() - chrono::Duration::seconds(5);
    NeedDraft {
        requester: Requester {
            name: "李四".into(),
            phone: "139 0577 1234".into(),
            id_number: Some("11010519491231002X".into()),
            enterprise: None,
        },
        category: NeedCategory::Mediation,
        specialty: None,
        description: tag.to_string(),
        urgency: Urgency::Normal,
        location: NeedLocation {
            point: Some(lawcircle_core::coord::GeoPoint {
                lat: 27.931853,
                lng: 120.82023,
                datum: lawcircle_core::coord::Datum::Wgs84,
            }),
            address: "永中示例1社区 3 幢".into(),
            area_code: "330303001001".into(),
        },
        channel: Channel::OnSite,
        entered: EnteredBy {
            at: now,
            point: None,
            post_id: Some("LW-P0011".into()),
        },
        consent: Consent {
            given: true,
            at: now,
            notice_version: "2024-03".into(),
        },
        attachments: vec![],
        application: None,
    }
}

/// The path of the `outbox-client` binary next to the test executable.
pub fn outbox_client_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target/<profile> folder");
    dir.join(format!("outbox-client{}", std::env::consts::EXE_SUFFIX))
}
