//! The demo's days of activity in 蒲州街道, step by step.

use super::activity::{Activity, PUNCH_DAYS, local_time, query_value};
use super::people::DemoPeopleError;
use super::{DISTRICT, POST, STREET};
use axum::http::Method;
use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::orders::order::OrderEvent;
use lawcircle_core::volunteers::punch::PunchKind;
use serde_json::{Value, json};

impl Activity {
    /// The days of activity: every channel, orders in every state an order
    /// reaches through the API, punches (one flagged), ratings (one low),
    /// warnings, audited reads and hotline call records.
    pub(super) async fn story(
        &mut self,
        start: DateTime<Utc>,
        real_now: DateTime<Utc>,
    ) -> Result<(), DemoPeopleError> {
        let at = |days: i64, h: u32, m: u32| local_time(start, days, h, m);
        let resident = ("林晓", "13800000006");
        let post = self
            .state
            .store
            .duty_posts()
            .await?
            .into_iter()
            .find(|p| p.id == POST)
            .ok_or_else(|| DemoPeopleError::Step {
                step: format!("find the duty post {POST}"),
                status: 404,
                body: "the demo data has no such post".into(),
            })?;

        // Day 1: the volunteers and the lawyer join the pool and clock in
        // (one 1 km away from the post: flagged for the staff's review).
        self.set_time(at(0, 9, 0));
        self.volunteer(
            "demo-volunteer",
            "王芳（示例）",
            "13800000003",
            "mediator",
            json!(["mediation", "grassroots_legal_service"]),
            json!(["neighbour", "marriage_family"]),
        )
        .await?;
        self.volunteer(
            "demo-volunteer2",
            "陈亮（示例）",
            "13800000004",
            "law_student",
            json!(["legal_education"]),
            json!(["labour", "consumer"]),
        )
        .await?;
        self.volunteer(
            "demo-lawyer",
            "周敏（示例）",
            "13800000005",
            "lawyer",
            json!(["lawyer", "legal_aid"]),
            json!(["labour", "personal_injury", "marriage_family"]),
        )
        .await?;
        // The resident applies too, still waiting for the station's review.
        self.post(
            "the resident applies to volunteer",
            "demo-resident",
            "/api/v1/volunteers",
            json!({"name": "林晓（示例）", "phone": "13800000006", "profession": "other",
                   "service_directions": ["legal_education"], "specialties": ["general"],
                   "home_street_code": STREET, "availability": "Sa-Su 09:00-12:00"}),
        )
        .await?;
        self.set_time(at(PUNCH_DAYS[0], 9, 10));
        self.punch("demo-volunteer", &post, PunchKind::In, 10.0, 3_600_000)
            .await?;
        self.punch("demo-lawyer", &post, PunchKind::In, -20.0, 7_200_000)
            .await?;
        self.set_time(at(0, 9, 20));
        self.punch("demo-volunteer2", &post, PunchKind::In, 1_000.0, 5_400_000)
            .await?;

        // A consultation online: grabbed, answered, rated 5, archived.
        self.set_time(at(0, 10, 0));
        let closed = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "租房押金被房东扣留，想了解如何要回",
            )
            .await?;
        self.set_time(at(0, 10, 0) + chrono::Duration::seconds(12));
        self.grab("demo-volunteer", &closed).await?;
        self.set_time(at(0, 10, 40));
        self.events(
            &closed,
            &[
                ("demo-volunteer", OrderEvent::Start),
                (
                    "demo-volunteer",
                    OrderEvent::Resolve {
                        note: "已电话解答：押金返还的条件和证据（示例）".into(),
                    },
                ),
            ],
        )
        .await?;
        self.set_time(at(0, 11, 55));
        self.punch("demo-volunteer", &post, PunchKind::Out, 5.0, 13_500_000)
            .await?;
        self.set_time(at(0, 15, 0));
        self.rate(&closed, 5, "解答清楚，很有帮助（示例）").await?;
        self.events(&closed, &[("demo-staff", OrderEvent::Close)])
            .await?;

        // Day 2. On site at the station: staff enter a legal aid need and
        // dispatch it to the lawyer on duty (in progress; nobody is given a
        // need they entered themselves); staff read the requester's phone
        // to arrange a meeting (audited).
        self.set_time(at(1, 10, 0));
        let in_progress = self
            .need(
                "demo-staff",
                "on_site",
                "legal_aid",
                false,
                ("赵建国", "13800000011"),
                "工伤后单位拒绝支付医疗费，申请法律援助",
            )
            .await?;
        let lawyer = self.id("demo-lawyer").to_string();
        self.events(
            &in_progress,
            &[
                (
                    "demo-staff",
                    OrderEvent::Assign {
                        assignee: lawyer.clone(),
                    },
                ),
                ("demo-lawyer", OrderEvent::Accept),
            ],
        )
        .await?;
        self.get(
            "read a requester's contact",
            "demo-staff",
            &format!(
                "/api/v1/orders/{in_progress}/contact?reason={}",
                query_value("回电约定面谈时间（示例）")
            ),
        )
        .await?;

        // Mediation online, dispatched to the volunteer and accepted.
        self.set_time(at(1, 14, 0));
        let low = self
            .need(
                "demo-resident",
                "online",
                "mediation",
                false,
                resident,
                "楼上邻居装修噪音持续到深夜，希望调解",
            )
            .await?;
        let vol = self.id("demo-volunteer").to_string();
        self.events(
            &low,
            &[
                (
                    "demo-staff",
                    OrderEvent::Assign {
                        assignee: vol.clone(),
                    },
                ),
                ("demo-volunteer", OrderEvent::Accept),
            ],
        )
        .await?;

        // The 12348 hotline: an urgent consultation nobody grabbed within
        // the window escalates to the staff queue (and becomes overdue).
        self.set_time(at(1, 16, 30));
        let escalated = self
            .need(
                "demo-staff",
                "hotline12348",
                "consultation",
                true,
                ("黄海", "13800000012"),
                "来电：被拖欠三个月工资，询问如何维权",
            )
            .await?;
        let window = i64::try_from(self.state.grab_window_secs).unwrap_or(30);
        self.set_time(at(1, 16, 30) + chrono::Duration::seconds(window + 5));
        self.job().await?;

        // Day 3. A notarization entered at the station, dispatched, not
        // accepted yet (assigned).
        self.set_time(at(2, 9, 40));
        let assigned = self
            .need(
                "demo-staff",
                "on_site",
                "notarization",
                false,
                ("吴敏", "13800000013"),
                "办理继承公证需要准备哪些材料",
            )
            .await?;
        let vol2 = self.id("demo-volunteer2").to_string();
        self.events(
            &assigned,
            &[(
                "demo-staff",
                OrderEvent::Assign {
                    assignee: vol2.clone(),
                },
            )],
        )
        .await?;

        // The lawyer, as a village's legal adviser, enters a need that could
        // not be solved on the spot; it waits for the station (open).
        self.set_time(at(2, 10, 0));
        self.need(
            "demo-lawyer",
            "on_site",
            "mediation",
            false,
            ("郑秀英", "13800000014"),
            "村民宅基地边界争议，现场未能调解，需街道调解委员会介入",
        )
        .await?;

        // A dispute over several estates: transferred to the district.
        self.set_time(at(2, 10, 30));
        let transferred = self
            .need(
                "demo-resident",
                "online",
                "arbitration",
                false,
                resident,
                "与物业公司就公共收益分配产生争议，涉及多个小区",
            )
            .await?;
        self.events(
            &transferred,
            &[(
                "demo-staff",
                OrderEvent::Transfer {
                    to_level: AreaLevel::District,
                    to_area: DISTRICT.to_string(),
                    reason: "涉及多个街道，需区级协调（示例）".into(),
                },
            )],
        )
        .await?;

        // The mediation is resolved; the resident rates it 2, a low rating:
        // a warning that needs a call-back.
        self.set_time(at(2, 11, 0));
        self.events(
            &low,
            &[(
                "demo-volunteer",
                OrderEvent::Resolve {
                    note: "组织双方调解，约定施工时间（示例）".into(),
                },
            )],
        )
        .await?;

        // Withdrawn by the resident before anyone took it (cancelled).
        self.set_time(at(2, 15, 0));
        let cancelled = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "咨询离婚财产分割",
            )
            .await?;
        self.events(
            &cancelled,
            &[(
                "demo-resident",
                OrderEvent::Cancel {
                    reason: "已与对方协商解决（示例）".into(),
                },
            )],
        )
        .await?;
        self.set_time(at(2, 16, 0));
        self.rate(&low, 2, "等了两天才有人联系（示例）").await?;

        // Day 4: both volunteers clock in at the station (offers go to
        // volunteers on duty near the need); one consultation grabbed
        // (claimed), one answered and waiting for the resident's rating
        // (resolved).
        self.set_time(at(PUNCH_DAYS[1], 9, 0));
        self.punch("demo-volunteer2", &post, PunchKind::In, 15.0, 263_400_000)
            .await?;
        self.punch("demo-volunteer", &post, PunchKind::In, -5.0, 265_200_000)
            .await?;
        self.set_time(at(3, 9, 15));
        let claimed = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "网购商品质量问题，商家拒绝退货",
            )
            .await?;
        self.set_time(at(3, 9, 15) + chrono::Duration::seconds(8));
        self.grab("demo-volunteer2", &claimed).await?;
        self.set_time(at(3, 14, 0));
        let resolved = self
            .need(
                "demo-resident",
                "online",
                "consultation",
                false,
                resident,
                "车辆被刮擦，对方不愿赔偿",
            )
            .await?;
        self.set_time(at(3, 14, 0) + chrono::Duration::seconds(15));
        self.grab("demo-volunteer", &resolved).await?;
        self.set_time(at(3, 15, 0));
        self.events(
            &resolved,
            &[
                ("demo-volunteer", OrderEvent::Start),
                (
                    "demo-volunteer",
                    OrderEvent::Resolve {
                        note: "已说明交通事故责任认定和索赔途径（示例）".into(),
                    },
                ),
            ],
        )
        .await?;

        // Hotline call records for the indicators (answer rate, satisfaction).
        let mut csv = String::from("call_id,started_at,answered,rating,street_code\n");
        for (i, (day, h, answered, rating)) in [
            (0, 9, true, "5"),
            (0, 14, true, "4"),
            (1, 10, false, ""),
            (1, 16, true, "5"),
            (2, 11, true, "3"),
            (3, 10, true, "5"),
        ]
        .into_iter()
        .enumerate()
        {
            let t = at(day, h, 5) + chrono::Duration::hours(8);
            csv.push_str(&format!(
                "DEMO-H{:03},{},{},{},{STREET}\n",
                i + 1,
                t.format("%Y-%m-%d %H:%M:%S"),
                answered,
                rating
            ));
        }
        self.call(
            "import hotline calls",
            Method::POST,
            "/api/v1/imports-hotline",
            Some("demo-admin"),
            Some(Value::String(csv)),
            &[],
        )
        .await?;

        // Today: a mediation waiting for dispatch (open).
        self.set_time(real_now - chrono::Duration::minutes(20));
        self.need(
            "demo-resident",
            "online",
            "mediation",
            false,
            resident,
            "小区停车位被长期占用，希望社区调解",
        )
        .await?;

        // Now: the job raises the warnings (the urgent hotline order is
        // overdue; the low rating went up a level); the station signs for
        // the overdue one.
        self.set_time(real_now);
        self.job().await?;
        let warnings = self
            .get("list warnings", "demo-staff", "/api/v1/warnings")
            .await?;
        if let Some(w) = warnings.as_array().and_then(|l| {
            l.iter().find(|w| {
                w["rule_id"] == "overdue" && w["subject"]["order_id"] == escalated.as_str()
            })
        }) {
            let id = w["id"].as_str().unwrap_or_default();
            self.post(
                "acknowledge a warning",
                "demo-staff",
                &format!("/api/v1/warnings/{id}/actions"),
                json!({"action": "acknowledge", "note": "已安排坐席回电（示例）", "version": w["version"]}),
            )
            .await?;
        }
        // The admin checks a resident's contact for a complaint: audited.
        let resident_id = self.id("demo-resident");
        self.get(
            "read an account's contact",
            "demo-admin",
            &format!(
                "/api/v1/accounts/{resident_id}/contact?reason={}",
                query_value("核实投诉（示例）")
            ),
        )
        .await?;
        Ok(())
    }
}
