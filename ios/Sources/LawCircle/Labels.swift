import LawCircleFFI

// What users read instead of the library's codes: each enum case has its
// words here, and a new case is a compile error, never a raw code shown.

/// A need category's name, as the library names it (法律咨询, 纠纷调解…).
public func categoryName(_ category: NeedCategory) -> String {
    needCategories().first { $0.category == category }?.name ?? "其他事项"
}

/// An order's state in words; none yet: waiting to be taken in.
public func orderStateName(_ state: OrderState?) -> String {
    guard let state else { return "待受理" }
    switch state {
    case .submitted: return "已提交"
    case .open: return "待接单"
    case .claimed: return "已接单"
    case .assigned: return "已派单"
    case .inProgress: return "服务中"
    case .resolved: return "已办结"
    case .evaluated: return "已评价"
    case .closed: return "已关闭"
    case .transferred: return "已转办"
    case .escalated: return "已上报"
    case .cancelled: return "已取消"
    }
}

/// The legal-aid pre-assessment in words (the institution decides).
public func verdictName(_ verdict: Verdict) -> String {
    switch verdict {
    case .eligible: return "初步符合法律援助条件"
    case .likely: return "可能符合，需进一步审查"
    case .notEligible: return "初步看不符合条件"
    }
}
