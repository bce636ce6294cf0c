//! Helpers for the intake and outbox tests: needs as the phone makes them,
//! and the outbox client binary.

use chrono::Utc;
use lawcircle_core::needs::{
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
            point: Some(lawcircle_core::geo::coord::GeoPoint {
                lat: 27.931853,
                lng: 120.82023,
                datum: lawcircle_core::geo::coord::Datum::Wgs84,
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

/// A consultation need of `category` in `village` as the phone sends it
/// (JSON), with the requester's consent.
pub fn need_json(category: &str, village: &str) -> serde_json::Value {
    serde_json::json!({
        "requester": {"name": "李四", "phone": "13812345678"},
        "category": category,
        "description": "邻居装修噪音纠纷，希望调解",
        "urgency": "normal",
        "location": {"address": "永中街道示例社区", "area_code": village},
        "channel": "online",
        "entered": {"at": "2025-03-03T02:00:00Z"},
        "consent": {"given": true, "at": "2025-03-03T02:00:00Z", "notice_version": "v1"}
    })
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
