import Foundation
import LawCircleFFI

/// The app's languages: Chinese first, English on the toggle.
public enum Language: String, CaseIterable, Sendable, Codable {
    case chinese = "zh-Hans"
    case english = "en"

    /// The same language as the library takes it (the words it writes,
    /// e.g. a calculator's breakdown).
    public var library: LawCircleFFI.Language { self == .english ? .en : .zh }
}

/// Every text the view models and the screens show, by key. A key's text
/// is in both tables (`Strings.zh`, `Strings.en`; a test checks every key
/// has both, with the same `{0}`, `{1}`… placeholders).
public enum TextKey: String, CaseIterable, Sendable {
    // Common
    case loading, retry, submit, cancel, saved, errorPrefix
    case offlineBanner, reconnecting, waitingForPosition
    case languageToggle, languageToggleHint
    // Errors (UiError by kind; {0} the library's reason)
    case errorNetwork, errorServer, errorConflict, errorUnauthenticated, errorCancelled, errorInternal
    // Location access
    case accessNotDetermined, accessDenied, accessRestricted, accessApproximate
    // Sign-in
    case signInServer, signInServerAddress, signInAccount, signInUsername, signInPassword, signIn, signOut
    case notAStationCode, enterUsername, enterPassword
    // Tabs and titles
    case tabNearby, titleNearby, tabDuty, titleDuty, tabOrders, titleOrders, tabMyOrders, tabEnter, titleOnSite
    case tabOutbox, tabAsk, titleAsk, tabMe
    // Distance
    case pickAPlace, walkMetresMinutes, withinCircle, beyondCircle
    // Find nearest
    case service, serviceAll
    case productLawyer, productNotarization, productJudicialAppraisal, productArbitration
    case productMediation, productLegalAid, productGrassroots, productLegalEducation
    case kindServiceCenter, kindSmartTerminal, kindGuideBoard, kindLawFirm, kindGrassrootsOffice
    case kindNotaryOffice, kindJudicialAppraisal, kindArbitration, kindMediation, kindJudicialOffice
    case kindLegalAid, kindLegalEducation, kindReconsideration
    case offlineCopy, walksEstimated, walkingDistance, inCircleShort, coverageHere, covered, notCovered
    case refreshHint, callPlace, navigate, navigateHint, openNow, closedNow
    // Village picker
    case village, villageNone, villagePicked, useMyLocation, villageNotFound, searchVillage, noVillages
    // Clock-in
    case dutyPosts, waitingForFix, clockIn, clockOut, recorded, sentWhenOnline
    case fenceInside, fenceOutside, fenceUncertain, selectedPost
    // New need
    case requester, name, mobile, need, category, description, address, attachments, consent, needSaved
    case saveDraft, draftSaved, drafts, resumeDraftHint
    // Outbox
    case outboxCounts, sentCount, discard, outboxNeed, outboxAttachment, outboxPunch
    case outboxNotSent, outboxSending, outboxSent, outboxFailed, outboxWedged, outboxDiscarded
    // Offers
    case takenBySomeoneElse, myOrderState, start, note, resolve, offers, urgent, grab, assignedToMe, accept
    case noOffers
    // My orders
    case myOrders, noOrders, stageWaitingForMe, stageWorking, stageDone, stageOther
    case decline, declineReason, resolveNote, orderDone, ordersOfflineKept
    // Order detail
    case openDetailHint, detailRefused, contact, contactReason, readContact, download, openFile, callHint
    // Duty card
    case onDutyAt, offDuty, lastPunch, punchIn, punchOut, deliverySent, deliveryWaiting, deliveryAttention
    case ordersWaitingWorking, ordersUnknownOffline, starsLevel, hoursMonthTotal, toNextStar, topStar
    // My needs
    case tabMyNeeds, noNeeds, needReceived, rateService, needsOfflineKept
    // Rate
    case star, starHint, comment, thankYou, alreadyRated
    // Compensation calculators
    case tabCalculators, titleCalculators, calcPersonalInjury, calcTrafficAccident, calcWorkInjury, calcSeverance
    case calcRegion, calcYear, calcAge, calcOutcome, calcGrade, calcDependants, calcAddDependant, calcRemove
    case calcDependantAge, calcObligedPersons, calcDependantLabel, calcDependantField, calcDependantHeading, calcItems
    case calcFaultShare, calcPropertyLoss, calcMonthlyWage, calcMonthsOfService, calcTermination, calcLastMonthWage
    case calcOutcomeInjury, calcOutcomeDisability, calcOutcomeDeath, calcWorkDeath
    case calcTerminationLawful, calcTerminationInLieu, calcTerminationUnlawful
    case calcItemMedical, calcItemLostWages, calcItemNursing, calcItemHospitalMeals, calcItemNutrition
    case calcItemTransport, calcItemLodging, calcItemAppraisal, calcItemAssistiveDevices, calcItemMentalSolatium
    case calculate, calcItemsTotal, calcTotal, calcPayments, calcLegalBasis, calcNotes, calcYuan
    case calcWholeNumber, calcFieldProblem
    // Application forms
    case preAssessment, missingDocument, submitApplication
    // Verdicts
    case verdictEligible, verdictLikely, verdictNotEligible
    // Order states
    case stateNone, stateSubmitted, stateOpen, stateClaimed, stateAssigned, stateInProgress, stateResolved
    case stateEvaluated, stateClosed, stateTransferred, stateEscalated, stateCancelled
    // Categories (English; Chinese comes from the library)
    case categoryConsultation, categoryMediation, categoryLegalAid, categoryNotarization
    case categoryJudicialAppraisal, categoryArbitration, categoryAdministrativeReconsideration
    case categoryRemotePrisonVisit, categoryEnterpriseCheckup, categoryOther
    // A need's history (my needs)
    case needHistory, stepReceived, stepOpened, stepGrabbed, stepDispatched, stepAccepted, stepDeclined
    case stepStarted, stepTransferred, stepEscalated, stepResolved, stepRated, stepClosed, stepCancelled
}

/// Looks texts up in the user's language. `{0}`, `{1}`… are replaced by
/// the arguments in order.
public struct Strings: Sendable, Equatable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    /// The text of `key`, arguments filled in. A key missing from the table
    /// (which the tests forbid) falls back to the Chinese text.
    public func callAsFunction(_ key: TextKey, _ args: CustomStringConvertible...) -> String {
        var text = Self.table(language)[key] ?? Self.zh[key] ?? key.rawValue
        for (i, arg) in args.enumerated() {
            text = text.replacingOccurrences(of: "{\(i)}", with: arg.description)
        }
        return text
    }

    /// The one of two texts the data itself carries in both languages (a
    /// form's title, a field's label); the Chinese one when the English is
    /// blank.
    public func pick(_ chinese: String, _ english: String) -> String {
        language == .english && !english.isEmpty ? english : chinese
    }

    public static func table(_ language: Language) -> [TextKey: String] {
        switch language {
        case .chinese: return zh
        case .english: return en
        }
    }

    public static let zh: [TextKey: String] = [
        .loading: "加载中", .retry: "重试", .submit: "提交", .cancel: "取消", .saved: "已保存", .errorPrefix: "错误：{0}",
        .offlineBanner: "离线：{0}", .reconnecting: "连接中断，正在重连：{0}", .waitingForPosition: "等待定位",
        .languageToggle: "English", .languageToggleHint: "切换为英文界面",
        .errorNetwork: "无法连接法律服务平台：{0}", .errorServer: "平台拒绝了请求（{0}）：{1}",
        .errorConflict: "已被他人处理或已有变化：{0}", .errorUnauthenticated: "请重新登录：{0}", .errorCancelled: "已取消",
        .errorInternal: "内部错误：{0}",
        .accessNotDetermined: "签到需要位置权限：请在询问时允许。",
        .accessDenied: "位置权限已关闭：请到 设置 › 法律服务圈 › 位置 打开。",
        .accessRestricted: "此设备禁止使用位置（家长控制或设备管理）。",
        .accessApproximate: "仅共享了大致位置：签到需要精确位置。",
        .signInServer: "服务器", .signInServerAddress: "服务器地址", .signInAccount: "账号", .signInUsername: "用户名或手机号",
        .signInPassword: "密码", .signIn: "登录", .signOut: "退出登录", .notAStationCode: "这不是法律服务圈的二维码",
        .enterUsername: "请输入用户名或手机号", .enterPassword: "请输入密码",
        .tabNearby: "附近", .titleNearby: "附近服务", .tabDuty: "值守", .titleDuty: "值守签到", .tabOrders: "抢单",
        .titleOrders: "工单", .tabMyOrders: "我的工单", .tabEnter: "登记", .titleOnSite: "现场登记", .tabOutbox: "待发送",
        .tabAsk: "咨询", .titleAsk: "我要咨询", .tabMe: "我的",
        .pickAPlace: "请在地图上选择地点", .walkMetresMinutes: "{0} · 步行 {1} 分钟", .withinCircle: "在15分钟服务圈内",
        .beyondCircle: "超出15分钟步行范围",
        .service: "服务", .serviceAll: "全部",
        .productLawyer: "律师服务",
        .productNotarization: "公证",
        .productJudicialAppraisal: "司法鉴定",
        .productArbitration: "仲裁",
        .productMediation: "调解",
        .productLegalAid: "法律援助",
        .productGrassroots: "基层法律服务",
        .productLegalEducation: "法治宣传教育",
        .kindServiceCenter: "公共法律服务中心/站点",
        .kindSmartTerminal: "智能终端设备",
        .kindGuideBoard: "线上线下融合服务指引牌",
        .kindLawFirm: "律师事务所",
        .kindGrassrootsOffice: "基层法律服务所",
        .kindNotaryOffice: "公证机构",
        .kindJudicialAppraisal: "司法鉴定机构",
        .kindArbitration: "仲裁机构",
        .kindMediation: "调解组织",
        .kindJudicialOffice: "司法所",
        .kindLegalAid: "法律援助机构",
        .kindLegalEducation: "法治宣传教育阵地",
        .kindReconsideration: "行政复议代收点",
        .offlineCopy: "离线数据：{0} 个服务点", .walksEstimated: "步行距离为估算",
        .walkingDistance: "步行距离", .inCircleShort: "15分钟圈内", .coverageHere: "所在位置覆盖：{0}/{1}", .covered: "已覆盖",
        .notCovered: "未覆盖", .refreshHint: "下拉刷新", .callPlace: "致电{0}", .navigate: "步行导航",
        .navigateHint: "在地图应用中步行前往{0}", .openNow: "营业中", .closedNow: "已休息",
        .village: "所在村/社区", .villageNone: "未选择", .villagePicked: "已选：{0} {1}", .useMyLocation: "用当前位置",
        .villageNotFound: "本机找不到这里的村/社区，请从列表中选择", .searchVillage: "搜索村/社区名称",
        .noVillages: "没有匹配的村/社区",
        .dutyPosts: "值守点位", .waitingForFix: "等待定位", .clockIn: "签到", .clockOut: "签退", .recorded: "已记录：{0}",
        .sentWhenOnline: "离线，联网后发送", .fenceInside: "在范围内", .fenceOutside: "不在范围内",
        .fenceUncertain: "无法确定，由工作人员复核", .selectedPost: "已选",
        .requester: "申请人", .name: "姓名", .mobile: "手机", .need: "需求", .category: "类别", .description: "情况说明",
        .address: "地址", .attachments: "附件：{0}", .consent: "同意个人信息告知", .needSaved: "已保存，联网后自动发送", .saveDraft: "存为草稿",
        .draftSaved: "草稿已保存在本机",
        .drafts: "草稿", .resumeDraftHint: "继续填写这份草稿",
        .outboxCounts: "待发送 {0} · 需处理 {1}", .sentCount: "已发送 {0}", .discard: "放弃",
        .outboxNeed: "需求", .outboxAttachment: "附件", .outboxPunch: "打卡", .outboxNotSent: "待发送", .outboxSending: "发送中",
        .outboxSent: "已送达", .outboxFailed: "发送失败，稍后重试", .outboxWedged: "需处理", .outboxDiscarded: "已放弃",
        .takenBySomeoneElse: "已被他人抢单", .myOrderState: "我的工单：{0}", .start: "开始", .note: "处理说明",
        .resolve: "办结", .offers: "可抢工单", .urgent: "紧急", .grab: "抢单", .assignedToMe: "派给我的", .accept: "接受",
        .noOffers: "暂无可抢工单",
        .myOrders: "我的工单", .noOrders: "暂无工单", .stageWaitingForMe: "待我接受", .stageWorking: "处理中",
        .stageDone: "已完成", .stageOther: "其他", .decline: "拒绝", .declineReason: "拒绝理由", .resolveNote: "办结说明",
        .orderDone: "已更新：{0}", .ordersOfflineKept: "离线，显示上次的列表：{0}",
        .openDetailHint: "查看需求详情", .detailRefused: "无权查看：请先接受该工单", .contact: "当事人联系方式",
        .contactReason: "查看原因（将被记录）", .readContact: "查看联系方式", .download: "下载附件", .openFile: "打开或分享文件",
        .callHint: "拨打电话",
        .onDutyAt: "值守中：{0}，{1} 起", .offDuty: "未在值守", .lastPunch: "上次打卡：{0}", .punchIn: "签到",
        .punchOut: "签退", .deliverySent: "已送达平台", .deliveryWaiting: "等待发送", .deliveryAttention: "发送被拒，需处理",
        .ordersWaitingWorking: "待接受 {0} · 处理中 {1}", .ordersUnknownOffline: "离线，工单数未知", .starsLevel: "{0} 星志愿者",
        .hoursMonthTotal: "本月 {0} 小时 · 累计 {1} 小时", .toNextStar: "再值守 {0} 小时升星", .topStar: "已达最高星级",
        .tabMyNeeds: "我的需求", .noNeeds: "暂无需求", .needReceived: "{0} 提交", .rateService: "评价本次服务",
        .needsOfflineKept: "无法刷新，显示上次的列表：{0}",
        .star: "{0} 星", .starHint: "选择评分", .comment: "评价", .thankYou: "感谢评价", .alreadyRated: "已评价过",
        .tabCalculators: "计算器", .titleCalculators: "赔偿计算", .calcPersonalInjury: "人身损害赔偿",
        .calcTrafficAccident: "交通事故赔偿", .calcWorkInjury: "工伤待遇", .calcSeverance: "经济补偿",
        .calcRegion: "地区", .calcYear: "统计年度", .calcAge: "受害人年龄（周岁）", .calcOutcome: "损害后果",
        .calcGrade: "伤残等级（1–10级）", .calcDependants: "被扶养人", .calcAddDependant: "添加被扶养人", .calcRemove: "删除",
        .calcDependantAge: "年龄", .calcObligedPersons: "扶养义务人数（含受害人）", .calcDependantLabel: "称谓（如 女儿）",
        .calcDependantField: "第{0}位被扶养人的{1}", .calcDependantHeading: "被扶养人 {0}", .calcItems: "已发生费用（元）",
        .calcFaultShare: "对方责任比例（%）", .calcPropertyLoss: "财产损失（元）", .calcMonthlyWage: "本人月平均工资（元）",
        .calcMonthsOfService: "工作月数", .calcTermination: "解除方式", .calcLastMonthWage: "上月工资（元）",
        .calcOutcomeInjury: "受伤（未评残）", .calcOutcomeDisability: "伤残", .calcOutcomeDeath: "死亡", .calcWorkDeath: "因工死亡",
        .calcTerminationLawful: "合法解除（N）", .calcTerminationInLieu: "合法解除，未提前通知（N+1）",
        .calcTerminationUnlawful: "违法解除（2N）",
        .calcItemMedical: "医疗费", .calcItemLostWages: "误工费", .calcItemNursing: "护理费", .calcItemHospitalMeals: "住院伙食补助费",
        .calcItemNutrition: "营养费", .calcItemTransport: "交通费", .calcItemLodging: "住宿费", .calcItemAppraisal: "鉴定费",
        .calcItemAssistiveDevices: "残疾辅助器具费", .calcItemMentalSolatium: "精神损害抚慰金",
        .calculate: "计算", .calcItemsTotal: "各项合计：{0} 元", .calcTotal: "应付总额：{0} 元", .calcPayments: "赔付",
        .calcLegalBasis: "法律依据", .calcNotes: "说明", .calcYuan: "{0} 元",
        .calcWholeNumber: "请填写整数", .calcFieldProblem: "{0}：{1}",
        .preAssessment: "资格预判：{0}", .missingDocument: "待提交：{0}", .submitApplication: "提交申请",
        .verdictEligible: "初步符合法律援助条件", .verdictLikely: "可能符合，需进一步审查", .verdictNotEligible: "初步看不符合条件",
        .stateNone: "待受理", .stateSubmitted: "已提交", .stateOpen: "待接单", .stateClaimed: "已接单", .stateAssigned: "已派单",
        .stateInProgress: "服务中", .stateResolved: "已办结", .stateEvaluated: "已评价", .stateClosed: "已关闭",
        .stateTransferred: "已转办", .stateEscalated: "已上报", .stateCancelled: "已取消",
        .categoryConsultation: "法律咨询", .categoryMediation: "纠纷调解", .categoryLegalAid: "法律援助",
        .categoryNotarization: "公证", .categoryJudicialAppraisal: "司法鉴定", .categoryArbitration: "仲裁",
        .categoryAdministrativeReconsideration: "行政复议", .categoryRemotePrisonVisit: "监所远程会见",
        .categoryEnterpriseCheckup: "企业法治体检", .categoryOther: "其他事项",
        .needHistory: "办理经过", .stepReceived: "已受理", .stepOpened: "待志愿者接单", .stepGrabbed: "志愿者已接单",
        .stepDispatched: "工作站已派单", .stepAccepted: "已接手办理", .stepDeclined: "已退回，重新等待", .stepStarted: "开始服务",
        .stepTransferred: "已转办", .stepEscalated: "已转热线", .stepResolved: "已办结", .stepRated: "您已评价",
        .stepClosed: "已归档", .stepCancelled: "已撤销",
    ]

    public static let en: [TextKey: String] = [
        .loading: "Loading", .retry: "Retry", .submit: "Submit", .cancel: "Cancel", .saved: "Saved",
        .errorPrefix: "Error: {0}",
        .offlineBanner: "Offline: {0}", .reconnecting: "Connection lost, reconnecting: {0}",
        .waitingForPosition: "Waiting for your position",
        .languageToggle: "中文", .languageToggleHint: "Switches the app to Chinese",
        .errorNetwork: "No connection to the LawCircle platform: {0}", .errorServer: "The platform refused ({0}): {1}",
        .errorConflict: "Someone else was first, or it changed meanwhile: {0}",
        .errorUnauthenticated: "Please sign in again: {0}", .errorCancelled: "Cancelled",
        .errorInternal: "Internal error: {0}",
        .accessNotDetermined: "Clock-in needs your location: allow it when asked.",
        .accessDenied: "Location is off for LawCircle: turn it on in Settings › LawCircle › Location.",
        .accessRestricted: "Location is restricted on this device (parental controls or device management).",
        .accessApproximate: "Only your approximate location is shared: allow precise location to clock in.",
        .signInServer: "Server", .signInServerAddress: "Server address", .signInAccount: "Account",
        .signInUsername: "Username or mobile", .signInPassword: "Password", .signIn: "Sign in", .signOut: "Sign out",
        .notAStationCode: "Not a LawCircle station code", .enterUsername: "Enter your username or mobile number",
        .enterPassword: "Enter your password",
        .tabNearby: "Nearby", .titleNearby: "Services nearby", .tabDuty: "Duty", .titleDuty: "Duty clock-in",
        .tabOrders: "Offers", .titleOrders: "Orders", .tabMyOrders: "My orders", .tabEnter: "Enter",
        .titleOnSite: "On-site entry", .tabOutbox: "Outbox", .tabAsk: "Ask", .titleAsk: "Ask for help", .tabMe: "Me",
        .pickAPlace: "Pick a place on the map", .walkMetresMinutes: "{0} · {1} min on foot",
        .withinCircle: "Within the 15-minute circle", .beyondCircle: "Beyond the 15-minute walk",
        .service: "Service", .serviceAll: "All",
        .productLawyer: "Lawyer services",
        .productNotarization: "Notarisation",
        .productJudicialAppraisal: "Judicial appraisal",
        .productArbitration: "Arbitration",
        .productMediation: "Mediation",
        .productLegalAid: "Legal aid",
        .productGrassroots: "Grassroots legal services",
        .productLegalEducation: "Rule-of-law education",
        .kindServiceCenter: "Public legal service centre",
        .kindSmartTerminal: "24-hour smart terminal",
        .kindGuideBoard: "Service guide board",
        .kindLawFirm: "Law firm",
        .kindGrassrootsOffice: "Grassroots legal service office",
        .kindNotaryOffice: "Notary office",
        .kindJudicialAppraisal: "Judicial appraisal institution",
        .kindArbitration: "Arbitration institution",
        .kindMediation: "Mediation organisation",
        .kindJudicialOffice: "Judicial office",
        .kindLegalAid: "Legal aid institution",
        .kindLegalEducation: "Rule-of-law education site",
        .kindReconsideration: "Administrative reconsideration drop-off point",
        .offlineCopy: "Offline copy: {0} service points",
        .walksEstimated: "Walks estimated", .walkingDistance: "Walking distance",
        .inCircleShort: "in the 15-minute circle",
        .coverageHere: "Coverage here: {0}/{1}", .covered: "Covered", .notCovered: "Not covered",
        .refreshHint: "Pull down to refresh", .callPlace: "Call {0}", .navigate: "Walk there",
        .navigateHint: "Opens walking directions to {0} in a map app", .openNow: "Open now",
        .closedNow: "Closed now", .village: "Village or community", .villageNone: "Not chosen",
        .villagePicked: "Chosen: {0} {1}", .useMyLocation: "Use my location",
        .villageNotFound: "No village known here on this phone: pick one from the list",
        .searchVillage: "Search villages and communities", .noVillages: "No matching village or community",
        .dutyPosts: "Duty posts", .waitingForFix: "Waiting for a fix", .clockIn: "Clock in", .clockOut: "Clock out",
        .recorded: "Recorded: {0}", .sentWhenOnline: "offline, sent when online", .fenceInside: "Inside the fence",
        .fenceOutside: "Outside the fence", .fenceUncertain: "Uncertain: staff will review", .selectedPost: "Selected",
        .requester: "Requester", .name: "Name", .mobile: "Mobile", .need: "Need", .category: "Category",
        .description: "What happened", .address: "Address", .attachments: "Attachments: {0}",
        .consent: "I agree to the personal information notice", .needSaved: "Saved; sent when online",
        .saveDraft: "Save as draft",
        .draftSaved: "Draft kept on this phone", .drafts: "Drafts", .resumeDraftHint: "Continues this draft",
        .outboxCounts: "Waiting {0} · Attention {1}", .sentCount: "Sent {0}", .discard: "Discard",
        .outboxNeed: "Need", .outboxAttachment: "Attachment", .outboxPunch: "Punch", .outboxNotSent: "Waiting",
        .outboxSending: "Sending", .outboxSent: "Delivered", .outboxFailed: "Failed, retried later",
        .outboxWedged: "Needs attention", .outboxDiscarded: "Discarded",
        .takenBySomeoneElse: "Taken by someone else", .myOrderState: "My order: {0}", .start: "Start", .note: "Note",
        .resolve: "Resolve", .offers: "Offers", .urgent: "urgent", .grab: "Grab", .assignedToMe: "Assigned to me",
        .accept: "Accept", .noOffers: "No offers now",
        .myOrders: "My orders", .noOrders: "No orders yet", .stageWaitingForMe: "Waiting for me",
        .stageWorking: "In hand", .stageDone: "Done", .stageOther: "Other", .decline: "Decline",
        .declineReason: "Reason for declining", .resolveNote: "Resolution note", .orderDone: "Updated: {0}",
        .ordersOfflineKept: "Offline, showing the last list: {0}",
        .openDetailHint: "Shows the need in detail", .detailRefused: "Not yours to read: accept the order first",
        .contact: "Requester's contact", .contactReason: "Why you read it (recorded)", .readContact: "Read the contact",
        .download: "Download the attachment", .openFile: "Open or share the file", .callHint: "Calls the number",
        .onDutyAt: "On duty at {0} since {1}", .offDuty: "Off duty", .lastPunch: "Last punch: {0}",
        .punchIn: "Clock-in",
        .punchOut: "Clock-out", .deliverySent: "Delivered to the platform", .deliveryWaiting: "Waiting to be sent",
        .deliveryAttention: "Refused, needs attention",
        .ordersWaitingWorking: "To accept {0} · In hand {1}", .ordersUnknownOffline: "Offline, order counts unknown",
        .starsLevel: "{0}-star volunteer",
        .hoursMonthTotal: "{0} h this month · {1} h in all", .toNextStar: "{0} h more for the next star",
        .topStar: "Top star level reached",
        .tabMyNeeds: "My needs", .noNeeds: "No needs yet", .needReceived: "Filed {0}",
        .rateService: "Rate this service",
        .needsOfflineKept: "Could not refresh, showing the last list: {0}",
        .star: "{0} stars", .starHint: "Sets the score", .comment: "Comment", .thankYou: "Thank you",
        .alreadyRated: "Already rated",
        .tabCalculators: "Calculators", .titleCalculators: "Compensation", .calcPersonalInjury: "Personal injury",
        .calcTrafficAccident: "Traffic accident", .calcWorkInjury: "Work injury", .calcSeverance: "Severance",
        .calcRegion: "Region", .calcYear: "Statistical year", .calcAge: "Victim's age (years)", .calcOutcome: "Outcome",
        .calcGrade: "Disability grade (1–10)", .calcDependants: "Dependants", .calcAddDependant: "Add a dependant",
        .calcRemove: "Remove", .calcDependantAge: "age",
        .calcObligedPersons: "persons obliged to support (victim included)",
        .calcDependantLabel: "Relation (e.g. daughter)", .calcDependantField: "Dependant {0}: {1}",
        .calcDependantHeading: "Dependant {0}",
        .calcItems: "Costs incurred (yuan)", .calcFaultShare: "Other party's share of fault (%)",
        .calcPropertyLoss: "Property loss (yuan)", .calcMonthlyWage: "Own average monthly wage (yuan)",
        .calcMonthsOfService: "Months of service", .calcTermination: "How it ended",
        .calcLastMonthWage: "Last month's wage (yuan)",
        .calcOutcomeInjury: "Injured (no grade)", .calcOutcomeDisability: "Disabled", .calcOutcomeDeath: "Died",
        .calcWorkDeath: "Died at work",
        .calcTerminationLawful: "Lawful (N)", .calcTerminationInLieu: "Lawful, without notice (N+1)",
        .calcTerminationUnlawful: "Unlawful (2N)",
        .calcItemMedical: "Medical costs", .calcItemLostWages: "Lost wages", .calcItemNursing: "Nursing",
        .calcItemHospitalMeals: "Hospital meals allowance", .calcItemNutrition: "Nutrition",
        .calcItemTransport: "Transport",
        .calcItemLodging: "Lodging", .calcItemAppraisal: "Appraisal fees",
        .calcItemAssistiveDevices: "Assistive devices",
        .calcItemMentalSolatium: "Solatium for mental harm",
        .calculate: "Calculate", .calcItemsTotal: "Items total: {0} yuan", .calcTotal: "Payable: {0} yuan",
        .calcPayments: "Who pays", .calcLegalBasis: "Legal basis", .calcNotes: "Notes", .calcYuan: "{0} yuan",
        .calcWholeNumber: "Enter a whole number", .calcFieldProblem: "{0}: {1}",
        .preAssessment: "Pre-assessment: {0}", .missingDocument: "Missing: {0}",
        .submitApplication: "Submit application",
        .verdictEligible: "Likely eligible for legal aid", .verdictLikely: "Possibly eligible, to be reviewed",
        .verdictNotEligible: "Not eligible at first sight",
        .stateNone: "Not taken in yet", .stateSubmitted: "Submitted", .stateOpen: "Open", .stateClaimed: "Claimed",
        .stateAssigned: "Dispatched", .stateInProgress: "In progress", .stateResolved: "Resolved",
        .stateEvaluated: "Rated", .stateClosed: "Closed", .stateTransferred: "Transferred",
        .stateEscalated: "Escalated",
        .stateCancelled: "Cancelled",
        .categoryConsultation: "Legal consultation", .categoryMediation: "Dispute mediation",
        .categoryLegalAid: "Legal aid", .categoryNotarization: "Notarisation",
        .categoryJudicialAppraisal: "Judicial appraisal", .categoryArbitration: "Arbitration",
        .categoryAdministrativeReconsideration: "Administrative reconsideration",
        .categoryRemotePrisonVisit: "Remote prison visit", .categoryEnterpriseCheckup: "Enterprise legal check-up",
        .categoryOther: "Other matters",
        .needHistory: "What happened so far", .stepReceived: "Received", .stepOpened: "Offered to volunteers",
        .stepGrabbed: "Taken by a volunteer", .stepDispatched: "Dispatched by the station",
        .stepAccepted: "Taken on", .stepDeclined: "Handed back, waiting again", .stepStarted: "Service started",
        .stepTransferred: "Transferred", .stepEscalated: "Passed to the hotline", .stepResolved: "Resolved",
        .stepRated: "You rated it", .stepClosed: "Closed", .stepCancelled: "Cancelled",
    ]
}

/// The language the user picked, kept in the settings; Chinese until the
/// user toggles.
@MainActor
public final class LanguageSetting {
    public let state: StateHolder<Language>
    private let settings: SettingsStore
    static let key = "app.language"

    public init(settings: SettingsStore) {
        self.settings = settings
        state = StateHolder(settings.setting(Self.key).flatMap(Language.init(rawValue:)) ?? .chinese)
    }

    /// The texts in the current language.
    public var strings: Strings { Strings(state.value) }

    public func set(_ language: Language) {
        settings.setSetting(language.rawValue, Self.key)
        state.set(language)
    }

    /// Chinese ↔ English.
    public func toggle() { set(state.value == .chinese ? .english : .chinese) }
}
